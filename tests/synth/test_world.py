"""The synthetic world: roster, records, mailbox and ground truth agree with the files written."""

from __future__ import annotations

import email
import hashlib
import io
import json
import os
import random
import zipfile
from collections import Counter
from decimal import Decimal
from email import policy
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from matching.rules import check_record
from registry.template import default_template
from registry.uscc import is_valid
from synth.names import GBK_ONLY
from synth.roster import ROSTER_COLUMNS, build_roster
from synth.world import World, build_world

UNIT_TYPES = {"市级部门", "市属事业单位", "区科技局", "区级部门", "区教育局", "中小学", "高等学校", "科普基地",
              "科普场馆", "其他机构"}
DISTRICTS = {"和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区",
             "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区"}
DIVISIONS = {"120000", "120101", "120102", "120103", "120104", "120105", "120106", *(f"1201{n}" for n in range(10, 20))}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("world")
    truth = build_world(60, int(os.environ.get("KPTJ_SYNTH_TEST_SEED", "5")), out, workers=2)
    return out, truth


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    ws = load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _msg(out: Path, file: str) -> email.message.EmailMessage:
    return email.message_from_bytes((out / file).read_bytes(), policy=policy.default)


def _pdf_page_images(data: bytes) -> list:
    from PIL import Image
    from pypdf import PdfReader
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        xo = page["/Resources"]["/XObject"]
        for name in xo:
            out.append(Image.open(io.BytesIO(xo[name].get_object().get_data())))
    return out


def _attachment_bytes(out: Path, msg_truth: dict, att: dict) -> bytes:
    msg = _msg(out, msg_truth["file"])
    for part in msg.walk():
        if part.get_content_disposition() == "attachment":
            data = part.get_payload(decode=True) or b""
            if att["container"]:
                if hashlib.sha256(data).hexdigest() == att.get("container_sha256"):
                    with zipfile.ZipFile(io.BytesIO(data)) as z:
                        for zi in z.infolist():
                            raw = zi.filename.encode("cp437") if not zi.flag_bits & 0x800 else zi.filename.encode()
                            if raw.decode("gbk" if not zi.flag_bits & 0x800 else "utf-8") == att["container"]:
                                return z.read(zi)
            elif hashlib.sha256(data).hexdigest() == att["sha256"]:
                return data
    raise AssertionError(f"attachment {att['name']} not found in {msg_truth['file']}")


# ---------------------------------------------------------------- roster and records
def test_roster_columns_codes_and_tree(world):
    out, truth = world
    header, rows = _rows(out / "roster.xlsx")
    assert header == ROSTER_COLUMNS
    assert len(rows) == 60
    by = {r["账号"]: r for r in rows}
    assert len(by) == len(rows)
    for r in rows:
        assert is_valid(r["统一社会信用代码"]), r
        assert r["统一社会信用代码"][2:8] in DIVISIONS
        assert r["单位类型"] in UNIT_TYPES
        assert r["所在区"] == "市级" or r["所在区"] in DISTRICTS
        admin = r["上级管理单位账号"]
        if admin:
            assert admin in by
        t = r["单位类型"]
        if t in ("区级部门", "区教育局"):
            assert by[admin]["单位类型"] == "区科技局" and by[admin]["所在区"] == r["所在区"]
        if t == "中小学":
            assert by[admin]["单位类型"] in ("区教育局", "市级部门")
        if t == "高等学校":
            assert by[admin]["单位名称"] == "天津市教育委员会"
        if t == "市属事业单位":
            assert by[admin]["单位类型"] == "市级部门"
        if t in ("市级部门", "区科技局", "科普基地", "其他机构"):
            assert not admin
        if r["是否科普场馆"] == "是":
            owner = by[r["所属单位账号"]]
            assert r["统一社会信用代码"] == owner["统一社会信用代码"]   # the owner's code
            assert admin == (owner["上级管理单位账号"] or owner["账号"])
    pairs = Counter((r["单位名称"], r["统一社会信用代码"]) for r in rows)
    assert max(pairs.values()) == 1     # name + code identifies a form
    codes = Counter(r["统一社会信用代码"] for r in rows)
    assert all(n == 1 or any(r["是否科普场馆"] == "是" and r["统一社会信用代码"] == c for r in rows)
               for c, n in codes.items())


@pytest.mark.parametrize("n", [50, 300, 2000])
def test_roster_sizes_and_determinism(n):
    a = build_roster(n, random.Random(9))
    b = build_roster(n, random.Random(9))
    assert len(a) == n
    assert [(u.account, u.name, u.uscc) for u in a] == [(u.account, u.name, u.uscc) for u in b]
    assert all(is_valid(u.uscc) for u in a)
    types = Counter(u.type for u in a)
    assert types["区科技局"] >= 2 and types["区教育局"] == types["区科技局"] and types["科普场馆"] >= 1
    if n >= 300:
        assert types["区科技局"] == 16
    if n >= 400:
        assert types["市级部门"] == 30


def _dec(v) -> Decimal | None:
    if v is None or v == "" or v == "-":
        return None
    return Decimal(str(v))


def test_records_pass_rules_except_listed(world):
    out, truth = world
    t = default_template()
    header, rows = _rows(out / "records.xlsx")
    assert header == ["账号", "单位名称", "统一社会信用代码", "填报状态", "最后修改时间", *t.codes]
    _, roster = _rows(out / "roster.xlsx")
    owners = {r["所属单位账号"] for r in roster if r["所属单位账号"]}
    venues = {r["账号"] for r in roster if r["是否科普场馆"] == "是"}
    listed = {f["account"] for f in truth["faults"] if f["kind"] == "rule_violation"}
    assert listed
    statuses = Counter(r["填报状态"] for r in rows)
    assert set(statuses) <= {"未填报", "已提交", "审核通过", "退回修改"}
    assert statuses["审核通过"] > len(rows) / 2
    for r in rows:
        values = {c: _dec(r[c]) for c in t.codes}
        viol = check_record(t, values, r["账号"] in owners or r["账号"] in venues)
        assert bool(viol) == (r["账号"] in listed), (r["账号"], viol)
        if r["填报状态"] != "未填报":
            assert len(str(r["最后修改时间"])) == 19
        for c in t.codes:
            v = values[c]
            if v is not None and t.indicator(c).decimals == 0:
                assert v == v.to_integral_value()
            if v is not None:
                assert -v.as_tuple().exponent <= 2


def test_plan_is_deterministic():
    a, b = World(80, 11, Path("/nonexistent")), World(80, 11, Path("/nonexistent"))
    a.plan()
    b.plan()
    key = [(d.unit.account, d.layout, d.dpi, d.profiles, d.seed, d.page_order, d.faults) for d in a.docs]
    assert key == [(d.unit.account, d.layout, d.dpi, d.profiles, d.seed, d.page_order, d.faults) for d in b.docs]


# ---------------------------------------------------------------- mailbox
def test_every_eml_parses_and_attachments_match_truth(world):
    out, truth = world
    assert len(list((out / "mail").glob("*.eml"))) == len(truth["messages"])
    for m in truth["messages"]:
        msg = _msg(out, m["file"])
        assert msg["Message-ID"] == m["message_id"]
        shas = set()
        for part in msg.walk():
            if part.get_content_disposition() == "attachment":
                shas.add(hashlib.sha256(part.get_payload(decode=True) or b"").hexdigest())
        for a in m["attachments"]:
            if a["expected_status"] == "link":
                assert a["name"] in msg.get_body(("plain",)).get_content()
            elif a["container"]:
                assert a["container_sha256"] in shas
            else:
                assert a["sha256"] in shas, (m["file"], a["name"])


def test_all_shapes_present(world):
    _, truth = world
    shapes = Counter(m["shape"] for m in truth["messages"])
    for s in ("single_pdf", "bureau_pdfs", "merged_pdf", "page_images", "zip_gbk", "forward_rfc822",
              "gb2312_gbk_chars", "raw8bit_headers", "large_attachment_link", "auto_reply", "bounce",
              "unrelated", "corrupt", "encrypted", "empty"):
        assert shapes[s] >= 1, s
    statuses = Counter(a["expected_status"] for m in truth["messages"] for a in m["attachments"])
    for s in ("document", "duplicate", "corrupt", "encrypted", "empty", "link", "unsupported", "too_large"):
        assert statuses[s] >= 1, s
    senders = {m["sender"].split("@")[-1] for m in truth["messages"]}
    assert "tj.gov.cn" in senders and senders & {"qq.com", "163.com", "126.com"}
    merged = [a for m in truth["messages"] for a in m["attachments"] if len(a["documents"]) > 1]
    assert merged


def test_gbk_zip_names_lack_utf8_flag(world):
    out, truth = world
    found = 0
    for m in truth["messages"]:
        for a in m["attachments"]:
            if a["container"] and a.get("zip_utf8_flag") is False:
                msg = _msg(out, m["file"])
                for part in msg.walk():
                    data = part.get_payload(decode=True) if part.get_content_disposition() == "attachment" else None
                    if data and hashlib.sha256(data).hexdigest() == a["container_sha256"]:
                        with zipfile.ZipFile(io.BytesIO(data)) as z:
                            names = []
                            for zi in z.infolist():
                                assert not zi.flag_bits & 0x800
                                names.append(zi.filename.encode("cp437").decode("gbk"))
                            assert a["container"] in names
                            found += 1
    assert found


def test_gb2312_label_and_raw8bit_headers(world):
    out, truth = world
    for m in truth["messages"]:
        raw = (out / m["file"]).read_bytes()
        head = raw.split(b"\n\n", 1)[0]
        if m["encoding"]["subject"] == "gb2312_label":
            assert b"=?gb2312?B?" in head
            assert any(ch in m["subject"] for ch in GBK_ONLY)
            with pytest.raises(UnicodeEncodeError):
                m["subject"].encode("gb2312")
            assert m["subject"].encode("gbk")
        if m["encoding"]["subject"] == "raw8bit":
            line = next(ln for ln in head.split(b"\n") if ln.startswith(b"Subject:"))
            assert not line.isascii()
            assert line[len(b"Subject: "):].decode("gbk") == m["subject"]


def test_broken_attachments_are_broken(world):
    out, truth = world
    from pypdf import PdfReader
    seen = set()
    for m in truth["messages"]:
        for a in m["attachments"]:
            st = a["expected_status"]
            if st == "too_large":
                data = _attachment_bytes(out, m, a)
                if a["content_type"] == "image/png":
                    import struct
                    assert data[12:16] == b"IHDR"
                    w, h = struct.unpack(">II", data[16:24])
                    assert w * h > 120_000_000
                else:
                    with zipfile.ZipFile(io.BytesIO(data)) as z:
                        assert sum(i.file_size for i in z.infolist()) > 200 * len(data)
                seen.add(st)
            if st in ("encrypted", "corrupt", "empty"):
                data = _attachment_bytes(out, m, a)
                if st == "empty":
                    assert data == b""
                elif st == "encrypted":
                    assert PdfReader(io.BytesIO(data)).is_encrypted
                else:
                    import pypdfium2 as pdfium
                    with pytest.raises(pdfium.PdfiumError):
                        pdfium.PdfDocument(data)
                seen.add(st)
    assert seen == {"encrypted", "corrupt", "empty", "too_large"}


def test_duplicates_repeat_an_earlier_file(world):
    _, truth = world
    seen = {}
    dups = 0
    for m in truth["messages"]:
        for a in m["attachments"]:
            if a["expected_status"] == "document":
                seen.setdefault(a["sha256"], m["file"])
            if a["expected_status"] == "duplicate":
                assert a["sha256"] in seen and seen[a["sha256"]] < m["file"]
                dups += 1
    assert dups >= 1
    assert dups == sum(1 for f in truth["faults"] if f["kind"] == "duplicate")


# ---------------------------------------------------------------- faults are in the files
def _docs(truth):
    for m in truth["messages"]:
        for a in m["attachments"]:
            for d in a["documents"]:
                yield m, a, d


def _page_truth(out: Path) -> dict[int, list[dict]]:
    with (out / "pages.jsonl").open(encoding="utf-8") as f:
        return {(x := json.loads(line))["doc_id"]: x["pages"] for line in f}


def test_figure_mismatch_and_stale_print_time(world):
    out, truth = world
    pages = _page_truth(out)
    _, recs = _rows(out / "records.xlsx")
    modified = {r["账号"]: r["最后修改时间"] for r in recs}
    mism = [f for f in truth["faults"] if f["kind"] == "figure_mismatch"]
    assert mism
    for f in mism:
        printed = [fig["text"] for p in pages[f["doc_id"]] for fig in p["figures"] if fig["code"] == f["indicator"]]
        assert printed == [f["paper"]]
        online = f["online"]
        assert Decimal(printed[0].replace("-", "NaN")) != Decimal(online.replace("-", "NaN")) \
            if printed[0] != "-" and online != "-" else printed[0] != online
    stale = [f for f in truth["faults"] if f["kind"] == "scan_stale"]
    assert stale
    docs = {d["doc_id"]: d for _, _, d in _docs(truth)}
    for f in stale:
        assert docs[f["doc_id"]]["print_time"] + ":00" < str(modified[f["account"]])


def test_figure_mismatch_in_pdf_text_layer():
    """The unscanned render of the stale paper values carries the paper figure in its text layer."""
    import pdfplumber

    from synth.form import render_form
    w = World(60, 5, Path("/nonexistent"))
    w.plan()
    f = next(f for f in w.faults + [g for d in w.docs for g in getattr(d, "doc_faults", [])]
             if f["kind"] == "figure_mismatch")
    d = next(d for d in w.docs if d.id == f["doc_id"])
    form = render_form(d.unit, d.values, layout=d.layout, print_time=d.print_time)
    fig = next(x for x in form.figures if x.code == f["indicator"])
    with pdfplumber.open(io.BytesIO(form.pdf)) as pdf:
        page = pdf.pages[fig.page - 1]
        x0, y0, x1, y1 = fig.box_pt
        text = page.crop((x0 - 1, y0 - 1, x1 + 1, y1 + 1)).extract_text().strip()
    assert text == f["paper"] != f["online"]


def _red_pixels(img) -> int:
    a = np.asarray(img.convert("RGB")).astype(int)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    return int(((r > 150) & (r - g > 60) & (r - b > 50)).sum())


def _page_images_of(out, m, a, d) -> list:
    data = _attachment_bytes(out, m, a)
    from PIL import Image
    if a["content_type"] == "application/pdf" or a["container"]:
        imgs = _pdf_page_images(data)
        first = d["first_page"] - 1
        return imgs[first:first + len(d["pages"])]
    return [Image.open(io.BytesIO(data))]


def test_page_without_seal_has_no_red(world):
    out, truth = world
    checked = 0
    for f in truth["faults"]:
        if f["kind"] != "seal_missing" or f["message"] is None:
            continue
        m = next(x for x in truth["messages"] if x["file"] == f["message"])
        for a in m["attachments"]:
            if a["expected_status"] != "document":
                continue
            for d in a["documents"]:
                if d["doc_id"] != f["doc_id"]:
                    continue
                profiles = d["page_profiles"]
                if any(p in ("grey", "bw") for p in profiles):
                    continue
                imgs = _page_images_of(out, m, a, d)
                for pno, _prof, img in zip(d["pages"], profiles, imgs, strict=True):
                    if pno in d["blank_pages"] or pno in d["unreadable_pages"]:
                        continue
                    red = _red_pixels(img)
                    if pno == f["page"]:
                        assert red < 50, (f, red)
                    else:
                        assert red > 500, (f, pno, red)
                checked += 1
    pages = _page_truth(out)
    for f in truth["faults"]:
        if f["kind"] == "seal_missing":
            assert pages[f["doc_id"]][f["page"] - 1]["seal"] is None
    assert checked >= 1


def test_page_faults_in_documents(world):
    out, truth = world
    docs = {}
    for m in truth["messages"]:   # a document sent as one image per page spans attachments
        here: dict[int, tuple] = {}
        for a in m["attachments"]:
            for d in a["documents"]:
                if d["doc_id"] in here:
                    here[d["doc_id"]][2]["pages"] = here[d["doc_id"]][2]["pages"] + d["pages"]
                else:
                    here[d["doc_id"]] = (m, a, dict(d))
        for k, v in here.items():
            docs.setdefault(k, v)
    pages = _page_truth(out)
    kinds = Counter(f["kind"] for f in truth["faults"])
    for k in ("figure_mismatch", "scan_stale", "seal_missing", "signature_missing", "page_missing",
              "page_duplicate", "page_blank", "never_sent", "unit_unknown", "duplicate", "superseded",
              "rule_violation"):
        assert kinds[k] >= 1, k
    for f in truth["faults"]:
        if f["kind"] in ("page_missing", "page_duplicate", "signature_missing", "page_blank"):
            m, a, d = docs[f["doc_id"]]
            if f["kind"] == "page_missing":
                assert f["page"] not in d["pages"]
                assert set(d["pages"]) == set(range(1, d["pages_total"] + 1)) - {f["page"]}
            elif f["kind"] == "page_duplicate":
                assert d["pages"].count(f["page"]) == 2
            elif f["kind"] == "signature_missing":
                last = pages[f["doc_id"]][-1]
                sig = {s["role"]: s["present"] for s in last["signatures"]}
                assert sig[f["role"]] is False and sum(sig.values()) >= 1
            else:
                p = pages[f["doc_id"]][f["page"] - 1]
                assert p["blank"] or p["unreadable"]
                if p["blank"]:
                    assert p["figures"] == []
        if f["kind"] == "page_missing" and docs[f["doc_id"]][1]["content_type"] == "application/pdf" \
                and not docs[f["doc_id"]][1]["container"]:
            m, a, d = docs[f["doc_id"]]
            assert len(_page_images_of(out, m, a, d)) == len(d["pages"])


def test_never_sent_and_unknown_units(world):
    out, truth = world
    _, roster = _rows(out / "roster.xlsx")
    accounts = {r["账号"] for r in roster}
    names = {r["单位名称"] for r in roster}
    sent = {d["account"] for _, _, d in _docs(truth)}
    for acc in truth["never_sent"]:
        assert acc in accounts and acc not in sent
    unknown = [f for f in truth["faults"] if f["kind"] == "unit_unknown"]
    for f in unknown:
        assert f["unit_name"] not in names and is_valid(f["uscc"])
        assert f["message"]


def test_superseded_older_than_correction(world):
    _, truth = world
    dates = {m["file"]: m["date"] for m in truth["messages"]}
    sup = [f for f in truth["faults"] if f["kind"] == "superseded"]
    assert sup
    for f in sup:
        if f["message"] and f["replaced_in"]:
            assert dates[f["message"]] <= dates[f["replaced_in"]]


def test_project_importers_accept_the_world(world, tmp_path):
    """roster.xlsx and records.xlsx load through the registry importers; the audit finds exactly
    the injected rule violations."""
    from matching.audit import audit_records
    from registry.db import open_db
    from registry.records_import import import_records
    from registry.roster_import import import_roster
    out, truth = world
    t = default_template()
    sessions = open_db(f"sqlite:///{tmp_path / 'kptj.sqlite3'}")
    with sessions() as s:
        r = import_roster(s, out / "roster.xlsx", 2024)
        assert r.created == truth["units"] and r.skipped == 0
        r = import_records(s, out / "records.xlsx", t, 2024)
        assert r.created == truth["units"] and r.skipped == 0
        res = audit_records(s, t, 2024)
        s.commit()
    listed = [f for f in truth["faults"] if f["kind"] == "rule_violation"]
    assert res.violations == len(listed)


def test_a_random_print_time_never_falls_before_its_start() -> None:
    """A reprint after an online change must print after it, or the world holds a stale print its
    truth does not list (seed 313: the office-hours hour moved a reprint to 08:13, before 10:24)."""
    import random
    from datetime import datetime

    from synth.records import rand_time
    rng = random.Random(5)
    start, end = datetime(2025, 6, 25, 11, 24), datetime(2025, 6, 27, 17, 30)
    times = [rand_time(rng, start, end) for _ in range(2000)]
    assert all(start <= t <= end for t in times)
    assert sum(8 <= t.hour <= 17 for t in times) > 0.8 * len(times)   # office hours mostly
