"""Build a whole synthetic survey world: roster.xlsx, records.xlsx, mail/*.eml, truth.json, pages.jsonl.

``build_world(units=N, seed=S, out=DIR, workers=None)`` — deterministic from the seed (the worker
count never changes the output).

truth.json::

  {"seed", "units", "template": "kp-2024-v1", "collect_address",
   "messages": [{"file": "mail/0001.eml", "message_id", "sender", "subject", "date",
                 "kind": "scan|forward|auto_reply|bounce|unrelated|link",
                 "shape": "single_pdf|bureau_pdfs|merged_pdf|page_images|zip_gbk|forward|...",
                 "encoding": {"subject": utf8|gbk|gb2312_label|raw8bit|plain, "body": ...},
                 "attachments": [{"name", "sha256", "size", "expected_status":
                      "document|duplicate|unsupported|corrupt|encrypted|empty|too_large|link",
                      "container": null | "<member path inside the zip named by name>",
                      "forwarded": bool (inside a message/rfc822 part),
                      "documents": [{"account" (null: unit not in roster), "unit_name", "uscc",
                                     "pages": [n, ...] (printed page numbers in file order; repeats
                                     and gaps visible), "pages_total", "first_page" (1-based index
                                     in the file), "profile", "print_time", "layout", "dpi",
                                     "doc_id", "superseded", "blank_pages", "unreadable_pages",
                                     "no_seal_pages", "missing_signatures", "seal_text"}]}]}],
   "faults": [{"account", "kind", "indicator", "online", "paper", "page", "message", "detail",
               "doc_id", "superseded"}],
   "never_sent": [accounts], "venue_owners": {venue account: owner account},
   "stats": {...}}

pages.jsonl: one line per rendered document: {"doc_id", "account", "pages": [page truth ...]}
with the per-page ground truth of synth.pages (figure boxes, seal, signatures) for each *printed*
page (index = page number - 1), plus "printer"; a file's page sequence is the document's "pages" list.

Printing paths (``printers=``): every document is printed by synth.form (reportlab, layouts A-D) or
by synth.html_form (HTML/CSS in headless Chromium, styles H1-H4).  The choice is drawn from a
stream derived from the document's own seed, so switching it leaves the world's other draws alone
(except where a different page count changes a page-fault draw).
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path

from openpyxl import Workbook

from registry.template import Template, default_template
from synth import names as N
from synth.mailbox import COLLECT_ADDR, Attachment, Mail, make_zip, sha256, to_bytes
from synth.records import Record, build_records
from synth.roster import MIN_UNITS, SMALL_MIN_UNITS, build_roster
from synth.scanner import images_to_pdf
from synth.units import Unit
from synth.values import fmt_value, record_text

ROSTER_COLUMNS = ["账号", "单位名称", "统一社会信用代码", "单位类型", "所在区", "上级管理单位账号", "是否科普场馆",
                  "所属单位账号", "联系人", "联系电话", "电子邮箱"]
LAYOUT_WEIGHTS = {"A": 0.35, "B": 0.15, "C": 0.12, "D": 0.14, "E": 0.12, "F": 0.12}
LITE_ABOVE = 1500   # worlds larger than this get the cheaper scan mix (time and mailbox size)
# Printing paths: "reportlab" (synth.form) or "chromium" (synth.html_form, HTML/CSS printed by headless
# Chromium).  A world's `printers` mix: share of documents printed by Chromium.
PRINTER_MIXES = {"reportlab": 0.0, "mixed": 0.4, "chromium": 1.0}
DEFAULT_PRINTERS = "reportlab"      # KPTJ_SYNTH_PRINTERS overrides it


# --------------------------------------------------------------------------- documents
@dataclass
class DocSpec:
    id: int
    unit: Unit
    values: dict[str, Decimal | None]     # as printed on paper
    layout: str                           # synth.form.LAYOUTS name, or synth.html_form.HTML_STYLES name
    dpi: int
    profile: str                          # base profile
    profiles: list[str]                   # per printed page
    print_time: datetime
    seed: int
    fmt: str = "pdf"                      # pdf | jpg | png | tiff
    quality: int = 75
    faults: dict = field(default_factory=dict)
    page_order: list[int] | None = None   # printed page numbers in file order
    seal_text: str = ""
    superseded: bool = False
    known: bool = True                    # unit in the roster
    pages_total: int = 0
    files: list[str] = field(default_factory=list)  # encoded page images, by printed page
    printer: str = "reportlab"            # reportlab | chromium
    drawn_layout: str = ""                # the reportlab layout drawn first (page draws use its page count)


def _worker_init() -> None:
    import cv2
    cv2.setNumThreads(1)


def render_doc(args: tuple[DocSpec, str]) -> tuple[int, int, list[str], list[dict]]:
    """Pool worker: render one document's printed pages to image files; returns truth per page."""
    from synth.pages import make_pages
    spec, workdir = args
    rng = random.Random(spec.seed)
    form = None
    if spec.printer == "chromium":
        from synth.html_form import render_form_html
        form = render_form_html(spec.unit, spec.values, style=spec.layout, print_time=spec.print_time)
    pages = make_pages(spec.unit, spec.values, rng, layout=spec.layout, print_time=spec.print_time,
                       dpi=spec.dpi, profile=spec.profiles, faults=spec.faults, seal_name=spec.seal_text,
                       form=form)
    files, truths = [], []
    for p in pages:
        p.truth["printer"] = spec.printer
        n = p.truth["page"]
        if spec.fmt == "png":
            path = os.path.join(workdir, f"d{spec.id:06d}_{n}.png")
            p.image.save(path, "PNG", optimize=False, compress_level=6)
        else:
            path = os.path.join(workdir, f"d{spec.id:06d}_{n}.jpg")
            img = p.image
            img.save(path, "JPEG", quality=spec.quality, subsampling=2 if img.mode == "RGB" else 0,
                     dpi=(spec.dpi, spec.dpi))
        files.append(path)
        truths.append(p.truth)
    return spec.id, len(pages), files, truths


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _alter(rng: random.Random, code: str, v: Decimal | None, decimals: int) -> Decimal | None:
    """An older paper value differing from the online one."""
    if v is None:
        return Decimal(rng.randint(1, 40))
    if v == 0:
        return None if rng.random() < 0.3 else Decimal(rng.randint(1, 20))
    if decimals:
        r = rng.random()
        if r < 0.4:
            return (v + Decimal(rng.randint(1, 99)) / 100).quantize(Decimal("0.01"))
        if r < 0.7:
            return (v * Decimal(str(round(rng.uniform(0.6, 0.95), 2)))).quantize(Decimal("0.01"))
        return v + rng.randint(1, 20)
    iv = int(v)
    s = str(iv)
    if len(s) >= 2 and rng.random() < 0.35 and s[0] != s[1]:
        t = s[1] + s[0] + s[2:]   # transposed digits
        if t[0] != "0":
            return Decimal(int(t))
    return Decimal(max(0, iv + rng.choice([-1, 1]) * max(1, int(iv * rng.uniform(0.05, 0.3)))))


# --------------------------------------------------------------------------- the world
class World:
    def __init__(self, units: int, seed: int, out: Path, template: Template | None = None,
                 workers: int | None = None, log=None, printers: str | None = None, small: bool = False):
        self.n = units
        self.small = small
        self.seed = seed
        self.out = Path(out)
        self.t = template or default_template()
        self.rng = random.Random(seed)
        self.workers = workers or min(os.cpu_count() or 1, 8)
        self.log = log or (lambda s: None)
        self.docs: list[DocSpec] = []
        self.faults: list[dict] = []
        self.mails: list[Mail] = []
        self.timings: dict[str, float] = {}
        self.lite = units > LITE_ABOVE
        self._colour_seal_fault = False
        self.printers = printers or os.environ.get("KPTJ_SYNTH_PRINTERS") or DEFAULT_PRINTERS
        self.chromium_share = check_printers(self.printers)

    # ---- plan
    def plan(self) -> None:
        rng = self.rng
        self.units = build_roster(self.n, random.Random(self.seed * 7919 + 1),
                                  SMALL_MIN_UNITS if self.small else MIN_UNITS)
        self.by_acc = {u.account: u for u in self.units}
        self.records = build_records(self.units, random.Random(self.seed * 7919 + 2), self.t)
        self.rec = {r.account: r for r in self.records}
        for r in self.records:
            for v in r.violations:
                self.faults.append({"account": r.account, "kind": "rule_violation", "indicator": v["indicators"][0],
                                    "online": record_text(r.values.get(v["indicators"][0])) or None, "paper": None,
                                    "page": None, "message": None, "detail": f"{v['rule']}: {v['message']}",
                                    "rule": v["rule"], "indicators": v["indicators"]})
        # who never sends: every 未填报 unit and a few others (never a collector)
        collectors = {u.admin_account for u in self.units if u.admin_account}
        self.never: set[str] = {r.account for r in self.records if r.status == "未填报"}
        for u in self.units:
            if u.account not in collectors and u.account not in self.never and rng.random() < 0.03:
                self.never.add(u.account)
        if not (self.never - {r.account for r in self.records if r.status == "未填报"}):
            cand = [u for u in self.units if u.account not in collectors and u.account not in self.never]
            self.never.add(rng.choice(cand).account)
        senders = [u for u in self.units if u.account not in self.never]

        # forced faults: each kind at least once, then random extras
        kinds = ["stale", "seal_missing", "signature_missing", "page_missing", "page_duplicate", "page_blank",
                 "page_unreadable", "superseded", "duplicate", "upside_down"]
        rates = {"stale": 0.04, "seal_missing": 0.03, "signature_missing": 0.03, "page_missing": 0.015,
                 "page_duplicate": 0.015, "page_blank": 0.008, "page_unreadable": 0.008, "superseded": 0.02,
                 "duplicate": 0.02, "upside_down": 0.04}
        pool = [u for u in senders if u.type not in ("区科技局", "市级部门")]
        rng.shuffle(pool)
        self.unit_faults: dict[str, set[str]] = {}
        if self.small:
            self._small_faults(pool, kinds)
        else:
            it = iter(pool)
            for k in kinds:
                u = next(it)
                self.unit_faults.setdefault(u.account, set()).add(k)
            for u in senders:
                for k in kinds:
                    if rng.random() < rates[k] and len(self.unit_faults.get(u.account, ())) < 2:
                        self.unit_faults.setdefault(u.account, set()).add(k)
        # documents
        self.unit_docs: dict[str, list[DocSpec]] = {}
        for u in senders:
            self.unit_docs[u.account] = self._docs_for(u, self.unit_faults.get(u.account, set()))
        # scans of units not in the roster
        self.unknown_docs = [self._unknown_doc(i) for i in range(1 + self.n // 400)]

    def _small_faults(self, pool: list[Unit], kinds: list[str]) -> None:
        """A small world has fewer senders than fault kinds: each kind once, at most two per unit and
        never two faults on pages of one unit (a blank page cannot also show a missing seal)."""
        page_level = {"seal_missing", "page_missing", "page_duplicate", "page_blank", "page_unreadable"}
        for i, k in enumerate(kinds):
            for u in pool[i % len(pool):] + pool[:i % len(pool)]:
                have = self.unit_faults.get(u.account, set())
                if len(have) < 2 and not (k in page_level and have & page_level):
                    have.add(k)
                    self.unit_faults[u.account] = have
                    break

    def _new_doc(self, u: Unit, values, print_time: datetime, *, known: bool = True) -> DocSpec:
        rng = self.rng
        layout = _pick(rng, LAYOUT_WEIGHTS)
        if self.lite:   # big worlds: cheaper scans (mostly grey 150 dpi), same shapes and faults
            profile = _pick(rng, {"clean": 0.3, "colour": 0.12, "grey": 0.5, "phone": 0.06, "bw": 0.02})
            dpi = _pick(rng, {"150": 0.97, "200": 0.03}) if profile != "phone" else "150"
        else:
            profile = _pick(rng, {"clean": 0.28, "colour": 0.3, "grey": 0.3, "phone": 0.1, "bw": 0.02})
            dpi = _pick(rng, {"150": 0.88, "200": 0.1, "300": 0.02}) if profile != "phone" else "150"
        dpi = int(dpi)
        if dpi == 300:
            profile = "grey"
        fmt = "pdf"
        if profile == "phone":
            fmt = _pick(rng, {"jpg": 0.7, "pdf": 0.3})
        elif rng.random() < 0.03:
            fmt = _pick(rng, {"jpg": 0.6, "png": 0.2, "tiff": 0.2})
            if fmt == "png":   # PNG scans are grey here (a colour PNG page is megabytes)
                profile, dpi = "grey", 150
        quality = {150: rng.randint(50, 72), 200: rng.randint(45, 62), 300: rng.randint(35, 45)}[dpi]
        seal_text = u.name
        if u.is_venue and u.owner_account and rng.random() < 0.6:
            seal_text = self.by_acc[u.owner_account].name   # a venue often stamps with its owner's seal
        d = DocSpec(id=len(self.docs) + 1, unit=u, values=dict(values), layout=layout, dpi=dpi, profile=profile,
                    profiles=[], print_time=print_time, seed=rng.getrandbits(48), fmt=fmt, quality=quality,
                    seal_text=seal_text, known=known, drawn_layout=layout)
        if self.chromium_share:
            # its own stream, from the document's seed: the world's other draws do not shift
            prng = random.Random(d.seed * 1_000_003 + 17)
            if prng.random() < self.chromium_share:
                from synth.html_form import STYLE_WEIGHTS
                d.printer, d.layout = "chromium", _pick(prng, STYLE_WEIGHTS)
        self.docs.append(d)
        return d

    def _print_time(self, rec: Record | None) -> datetime:
        from synth.records import rand_time
        lo = datetime(2025, 6, 16, 8, 30)
        if rec and rec.modified and rec.modified + timedelta(hours=1) > lo:
            lo = rec.modified + timedelta(hours=1)
        return rand_time(self.rng, lo, datetime(2025, 6, 27, 17, 30)).replace(second=0)

    def _pages_total(self, d: DocSpec, layout: str | None = None) -> int:
        """Printed pages of d's layout (the same for every unit: header lines never wrap); with
        layout, of that reportlab layout instead."""
        printer, layout = ("reportlab", layout) if layout else (d.printer, d.layout)
        key = (printer, layout, self.t.id)
        if key not in self._pt_cache:
            if printer == "chromium":
                from synth.html_form import render_form_html
                self._pt_cache[key] = render_form_html(d.unit, d.values, self.t, layout).pages_total
            else:
                from synth.form import render_form
                self._pt_cache[key] = render_form(d.unit, d.values, self.t, layout, draw="none").pages_total
        return self._pt_cache[key]

    _pt_cache: dict[tuple[str, str, str], int] = {}

    def _finish(self, d: DocSpec, kinds: set[str], msg_faults: list[dict]) -> None:
        """Fill page order / per-page profiles / page faults of a document.  Page draws are made
        over the page count of the reportlab layout drawn for it (d.drawn_layout) and mapped onto
        its real pages, so a document printed by Chromium consumes the same random draws."""
        rng = self.rng
        m = self._pages_total(d)
        d.pages_total = m
        md = m if d.printer == "reportlab" else self._pages_total(d, d.drawn_layout)

        def page(k: int) -> int:
            return k if m == md else min(m, max(1, -(-k * m // md)))
        if "seal_missing" in kinds and not self._colour_seal_fault and d.profile in ("grey", "bw"):
            d.profile = "colour"   # at least one unstamped page must be checkable by its colour
            if d.fmt == "png":
                d.fmt = "pdf"
        if "seal_missing" in kinds and d.profile not in ("grey", "bw"):
            self._colour_seal_fault = True
        d.profiles = [d.profile] * m
        order = list(range(1, m + 1))
        drawn = list(range(1, md + 1))   # the same order over the drawn page count
        acc = d.unit.account if d.known else None

        def fault(kind: str, page=None, detail=None, **kw):
            msg_faults.append({"account": acc, "kind": kind, "indicator": None, "online": None, "paper": None,
                               "page": page, "detail": detail, "doc_id": d.id, **kw})
        if "upside_down" in kinds:
            if rng.random() < 0.7:
                k = page(rng.randint(1, md))
                d.profiles[k - 1] = "upside_down" if d.profile != "phone" else "phone"
            else:
                d.profiles = ["upside_down"] * m
        if "seal_missing" in kinds:
            k = page(rng.randint(1, md))
            d.faults.setdefault("no_seal_pages", []).append(k)
            fault("seal_missing", k, "该页未盖章")
        if "signature_missing" in kinds:
            roles = rng.sample(["单位负责人", "统计负责人", "填表人"], rng.choice([1, 1, 2]))
            d.faults["missing_signatures"] = roles
            for r in roles:
                fault("signature_missing", m, r, role=r)
        if "page_blank" in kinds:
            k = page(rng.randint(1, md))
            d.faults.setdefault("blank_pages", []).append(k)
            fault("page_blank", k, "blank")
        if "page_unreadable" in kinds:
            k = page(rng.randint(1, md))
            d.faults.setdefault("unreadable_pages", []).append(k)
            fault("page_blank", k, "unreadable")
        if "page_missing" in kinds:
            kd = rng.randint(1, md)
            drawn.remove(kd)
            k = page(kd)
            order.remove(k)
            fault("page_missing", k, f"缺第{k}页")
        if "page_duplicate" in kinds:
            k = page(rng.choice(drawn))
            if k not in order:   # mapped onto the missing page: repeat its neighbour
                k = min(order, key=lambda p: (abs(p - k), p))
            order.insert(order.index(k) + 1, k)
            fault("page_duplicate", k, f"第{k}页重复")
        d.page_order = order
        d.doc_faults = msg_faults

    def _docs_for(self, u: Unit, kinds: set[str]) -> list[DocSpec]:
        rng = self.rng
        rec = self.rec[u.account]
        docs: list[DocSpec] = []
        if "stale" in kinds or ("superseded" in kinds and rng.random() < 0.5):
            # printed, then edited online: paper shows the old figures
            pt = self._print_time(None).replace(day=rng.randint(16, 23))
            rec.modified = pt + timedelta(hours=rng.randint(2, 70), minutes=rng.randint(0, 59))
            paper = dict(rec.values)
            diffs = []
            filled = [c for c in self.t.codes if rec.values.get(c) not in (None,)] or self.t.codes
            nchg = 0 if rng.random() < 0.1 else rng.choice([1, 1, 2, 3])
            for code in rng.sample(filled, min(nchg, len(filled))):
                ind = self.t.indicator(code)
                old = _alter(rng, code, rec.values.get(code), ind.decimals)
                if fmt_value(old, ind.decimals) == fmt_value(rec.values.get(code), ind.decimals):
                    continue
                paper[code] = old
                diffs.append(code)
            d = self._new_doc(u, paper, pt)
            fl: list[dict] = []
            self._finish(d, kinds & {"upside_down"}, fl)
            fl.append({"account": u.account, "kind": "scan_stale", "indicator": None, "online": None,
                       "paper": None, "page": None, "doc_id": d.id,
                       "detail": f"打印时间 {pt:%Y-%m-%d %H:%M} 早于最后修改时间 {rec.modified:%Y-%m-%d %H:%M:%S}"
                                 + ("" if diffs else "（数值未变）")})
            for code in diffs:
                fl.append({"account": u.account, "kind": "figure_mismatch", "indicator": code,
                           "online": record_text(rec.values.get(code)) or "-",
                           "paper": fmt_value(paper[code], self.t.indicator(code).decimals,
                                              self._fixed_money(d)),
                           "page": None, "doc_id": d.id, "detail": None})
            docs.append(d)
            if "superseded" in kinds or rng.random() < 0.3:
                d.superseded = True
                d2 = self._new_doc(u, rec.values, self._print_time(rec))
                self._finish(d2, set(), [])
                docs.append(d2)
            return docs
        pt = self._print_time(rec)
        d = self._new_doc(u, rec.values, pt)
        fl = []
        self._finish(d, kinds, fl)
        docs.append(d)
        if "superseded" in kinds:
            # first send had a problem (no seal / missing signature / missing page): corrected later
            if not fl:
                d.faults.setdefault("no_seal_pages", []).append(1)
                fl.append({"account": u.account, "kind": "seal_missing", "indicator": None, "online": None,
                           "paper": None, "page": 1, "detail": "该页未盖章", "doc_id": d.id})
            d.superseded = True
            d2 = self._new_doc(u, rec.values, pt + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5)))
            self._finish(d2, set(), [])
            docs.append(d2)
        return docs

    def _fixed_money(self, d: DocSpec) -> bool:
        """Does d's layout print 万元 with two decimals ("12.50") or as stored ("12.5")?"""
        if d.printer == "chromium":
            from synth.html_form import HTML_STYLES
            return HTML_STYLES[d.layout].fixed_money
        from synth.form import LAYOUTS
        return LAYOUTS[d.layout].fixed_money

    def _unknown_doc(self, i: int) -> DocSpec:
        rng = random.Random(self.seed * 31 + i)
        from registry.uscc import make_code
        d, div = rng.choice(N.DISTRICTS)
        street = rng.choice(N.STREETS)
        name = f"天津市{d}{street}街道{rng.choice(['社区服务中心', '综合执法大队', '文化站', '卫生服务中心'])}"
        code = make_code("1", "2", div, f"{rng.randint(0, 99999999):08d}")
        u = Unit(account=f"unknown{i + 1}", name=name, uscc=code, type="其他机构", district=d, division=div,
                 phone=N.phone(rng), email=N.personal_email(rng), contact=N.person(rng))
        from synth.values import generate_values
        values = generate_values("区级部门", rng, self.t)
        doc = self._new_doc(u, values, self._print_time(None), known=False)
        fl: list[dict] = []
        self._finish(doc, set(), fl)
        return doc

    # ---- render
    def render(self) -> None:
        work = self.out / ".work"
        work.mkdir(parents=True, exist_ok=True)
        jobs = [(d, str(work)) for d in self.docs]
        by_id = {d.id: d for d in self.docs}
        self.page_truth: dict[int, list[dict]] = {}
        t0 = time.time()
        done: set[int] = set()
        if self.workers > 1 and len(jobs) > 4:
            if self.chromium_share:   # the workers start their own browsers: free the planner's
                from synth.chromium import close_browser
                close_browser()
            self._render_pool(jobs, by_id, done, t0)
        for j in jobs:   # serial, or what a broken pool left undone
            if j[0].id not in done:
                did, m, files, truths = render_doc(j)
                self._got(by_id[did], m, files, truths)

    def _render_pool(self, jobs, by_id, done: set[int], t0: float) -> None:
        """Render in worker processes.  forkserver, not fork: forking a process whose threads
        (OpenCV, pdfium, a test runner) hold locks can deadlock the children.  A pool that breaks
        raises (ProcessPoolExecutor) instead of hanging, and the rest is rendered serially."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["synth.world", "synth.pages"])
        # a __main__ read from stdin has __file__ "<stdin>": the children would try to run it
        main = sys.modules.get("__main__")
        main_file = getattr(main, "__file__", None)
        hide = bool(main_file) and not os.path.isfile(str(main_file))
        if hide:
            del main.__file__
        try:
            with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init) as ex:
                for k, (did, m, files, truths) in enumerate(ex.map(render_doc, jobs, chunksize=2)):
                    self._got(by_id[did], m, files, truths)
                    done.add(did)
                    if (k + 1) % 200 == 0:
                        self.log(f"  已渲染 {k + 1}/{len(jobs)} 份扫描件（{time.time() - t0:.0f} 秒）")
        except (BrokenProcessPool, OSError) as e:
            self.log(f"  并行渲染失败（{e}），改为单进程继续")
        finally:
            if hide:
                main.__file__ = main_file

    def _got(self, d: DocSpec, m: int, files: list[str], truths: list[dict]) -> None:
        d.files = files
        if m != d.pages_total:  # the cached page count is per layout; trust the renderer
            d.pages_total = m
            d.page_order = [p for p in (d.page_order or []) if p <= m] or list(range(1, m + 1))
        self.page_truth[d.id] = truths

    # ---- packaging helpers
    def doc_truth(self, d: DocSpec, first_page: int = 1) -> dict:
        prof = d.profile
        if "upside_down" in d.profiles and d.profile != "upside_down":
            prof = f"{d.profile}+upside_down" if len(set(d.profiles)) > 1 else "upside_down"
        return {"account": d.unit.account if d.known else None, "unit_name": d.unit.name, "uscc": d.unit.uscc,
                "pages": list(d.page_order or []), "pages_total": d.pages_total, "first_page": first_page,
                "profile": prof, "page_profiles": [d.profiles[p - 1] for p in d.page_order or []],
                "print_time": f"{d.print_time:%Y-%m-%d %H:%M}", "layout": d.layout, "printer": d.printer,
                "dpi": d.dpi,
                "doc_id": d.id, "superseded": d.superseded, "format": d.fmt,
                "blank_pages": d.faults.get("blank_pages", []), "unreadable_pages": d.faults.get("unreadable_pages", []),
                "no_seal_pages": d.faults.get("no_seal_pages", []),
                "missing_signatures": d.faults.get("missing_signatures", []), "seal_text": d.seal_text}

    def page_bytes(self, d: DocSpec) -> list[bytes]:
        return [Path(d.files[p - 1]).read_bytes() for p in d.page_order or []]

    def pdf_of(self, docs: list[DocSpec]) -> tuple[bytes, list[dict]]:
        pages: list[bytes] = []
        truth = []
        for d in docs:
            truth.append(self.doc_truth(d, len(pages) + 1))
            pb = self.page_bytes(d)
            if d.fmt == "png":  # png pages inside a PDF: re-encode as JPEG
                from PIL import Image
                pb = [_jpeg(Image.open(io.BytesIO(b)), d.quality) for b in pb]
            pages += pb
        producer = self.rng.choice(["Canon iR-ADV C5535", "RICOH MP C3004", "HP Scan", "Scanner", "CamScanner",
                                    "KONICA MINOLTA bizhub C368", "Microsoft: Print To PDF"])
        dpi = docs[0].dpi if docs else 150
        return images_to_pdf(pages, dpi=dpi, producer=producer), truth

    def files_for(self, d: DocSpec, style: str) -> list[Attachment]:
        """Attachments carrying one document (pdf, or one image per page, or a multi-page TIFF)."""
        rng = self.rng
        fname = self.doc_filename(d)
        if d.fmt == "pdf" or style == "pdf":
            data, truth = self.pdf_of([d])
            return [Attachment(fname + ".pdf", data, "application/pdf", truth=[{"documents": truth}])]
        pb = self.page_bytes(d)
        if d.fmt == "tiff":
            from PIL import Image
            ims = [Image.open(io.BytesIO(b)) for b in pb]
            buf = io.BytesIO()
            ims[0].save(buf, "TIFF", save_all=True, append_images=ims[1:], compression="jpeg",
                        dpi=(d.dpi, d.dpi))
            return [Attachment(fname + ".tif", buf.getvalue(), "image/tiff",
                               truth=[{"documents": [self.doc_truth(d)]}])]
        out = []
        ext, ctype = ("png", "image/png") if d.fmt == "png" else ("jpg", "image/jpeg")
        base = rng.choice(["IMG_2025062", "mmexport17", "微信图片_202506", fname])
        shown: set[int] = set()
        for i, (p, b) in enumerate(zip(d.page_order or [], pb, strict=True), 1):
            if p in shown:   # a page photographed twice is two different files
                from PIL import Image
                b = _jpeg(Image.open(io.BytesIO(b)), max(30, d.quality - 7))
            shown.add(p)
            dt = self.doc_truth(d)
            dt["pages"] = [p]
            dt["page_profiles"] = [d.profiles[p - 1]]
            name = f"{fname}-{i}.{ext}" if base == fname else f"{base}{rng.randint(10000, 99999)}_{i}.{ext}"
            out.append(Attachment(name, b, ctype, truth=[{"documents": [dt]}]))
        return out

    def doc_filename(self, d: DocSpec) -> str:
        rng = self.rng
        u = d.unit
        r = rng.random()
        if r < 0.45:
            return u.name
        if r < 0.7:
            return f"{u.name}-2024年度科普统计调查表"
        if r < 0.8:
            return f"{u.name}（盖章版）"
        if r < 0.88:
            return f"扫描全能王 2025-06-{d.print_time.day:02d} {rng.randint(8, 18):02d}.{rng.randint(0, 59):02d}"
        if r < 0.94:
            return f"scan{rng.randint(1, 9999):04d}"
        return f"2024科普统计-{u.name[-8:]}"


def _jpeg(img, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _encrypt_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    w.encrypt(user_password="123456", owner_password="kptj-owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


BUREAU_BODIES = [
    "您好：\n附件是{who}2024年度科普统计调查表盖章扫描件，共{n}家单位，请查收。\n{person}\n联系电话：{phone}",
    "老师您好，{who}科普统计调查表扫描件已汇总，见附件。如有问题请联系。\n{person} {phone}",
    "附件：{who}及所属单位调查表（盖章）。",
]
DIRECT_BODIES = [
    "您好！\n附件为{name}2024年度科普统计调查表（盖章扫描件），请查收。\n联系人：{person}\n电话：{phone}",
    "老师好，我单位调查表已盖章扫描，见附件，谢谢！",
    "{name} 科普统计报表",
    "",
    "请查收。\n\n发自我的iPhone",
]


def _compose(w: World) -> None:
    rng = random.Random(w.seed * 7919 + 5)
    units, by_acc = w.units, w.by_acc
    w._pdf_cache: dict[int, tuple[bytes, list[dict]]] = {}

    def doc_pdf(d: DocSpec) -> tuple[bytes, list[dict]]:
        if d.id not in w._pdf_cache:
            w._pdf_cache[d.id] = w.pdf_of([d])
        return w._pdf_cache[d.id]

    def doc_atts(d: DocSpec, force_pdf: bool = False) -> list[Attachment]:
        if d.fmt == "pdf" or force_pdf:
            data, truth = doc_pdf(d)
            return [Attachment(w.doc_filename(d) + ".pdf", data, truth=[{"documents": truth}])]
        return w.files_for(d, d.fmt)

    def send_time(docs: list[DocSpec]) -> datetime:
        last = max(d.print_time for d in docs)
        t = last + timedelta(hours=rng.uniform(1, 60))
        if t.hour < 8 or t.hour > 21:
            t = t.replace(hour=rng.randint(8, 20))
        return min(t, datetime(2025, 7, 3, 18, 0)).replace(microsecond=0)

    def sender_of(u: Unit) -> tuple[str, str]:
        if rng.random() < 0.55 or not u.email:
            return u.contact or N.person(rng), (u.email if u.email.endswith("tj.gov.cn") and rng.random() < 0.5
                                                else N.personal_email(rng))
        return u.contact, u.email

    # ---- routing
    collectors_top = {u.account for u in units if u.type in ("区科技局", "市级部门")}
    route: dict[str, str | None] = {}
    for u in units:
        r = None
        if u.type in ("区级部门", "区教育局") and rng.random() < 0.85 or u.type == "中小学" and rng.random() < 0.9 or u.type in ("市属事业单位",) and rng.random() < 0.8 or u.type == "高等学校" and rng.random() < 0.6 or u.type == "科普场馆" and rng.random() < 0.7:
            r = u.admin_account
        route[u.account] = r

    def top_of(acc: str) -> str | None:
        seen = 0
        cur = route.get(acc)
        while cur is not None and cur not in collectors_top and seen < 5:
            nxt = route.get(cur)
            if nxt is None:
                return cur  # an intermediate collector (区教育局) that sends directly
            cur = nxt
            seen += 1
        return cur

    first_docs: dict[str, DocSpec] = {acc: docs[0] for acc, docs in w.unit_docs.items()}
    later_docs: list[DocSpec] = [d for docs in w.unit_docs.values() for d in docs[1:]]
    bundles: dict[str, list[DocSpec]] = {}
    direct: list[DocSpec] = []
    for acc, d in first_docs.items():
        top = top_of(acc)
        if top and top != acc:
            bundles.setdefault(top, []).append(d)
        elif acc in collectors_top or any(route.get(x) == acc for x in first_docs):
            bundles.setdefault(acc, []).append(d)
        else:
            direct.append(d)
    faults_extra: list[dict] = []
    dup_units = {acc for acc, ks in w.unit_faults.items() if "duplicate" in ks and acc in first_docs}
    n_special = 11
    while len([d for d in direct if d.unit.account not in dup_units]) < n_special:
        # small worlds: a few more units mail their own scan so every shape shows up
        top = max(bundles, key=lambda k: len(bundles[k]))
        movable = [d for d in bundles[top] if d.unit.account != top and d.unit.account not in dup_units]
        if len(bundles[top]) <= 4 or not movable:
            break
        bundles[top].remove(movable[-1])
        direct.append(movable[-1])
    for acc in dup_units:   # the very same file goes out twice: keep it one PDF
        first_docs[acc].fmt = "pdf"

    # ---- bundles (bureaus, departments, an education bureau sending directly)
    forced_styles = ["zip", "merged", "pdfs"]   # every shape at least once, then by chance
    zips_made: list[str] = []
    for top, docs in sorted(bundles.items()):
        cu = by_acc[top]
        own = [d for d in docs if d.unit.account == top]
        others = [d for d in docs if d.unit.account != top]
        docs = own + sorted(others, key=lambda d: d.unit.account)
        mergeable_n = sum(1 for d in others if d.unit.account not in dup_units and d.fmt == "pdf")
        if forced_styles and len(others) > 2 and (forced_styles[0] != "merged" or mergeable_n > 2):
            style = forced_styles.pop(0)
        else:
            style = _pick(rng, {"pdfs": 0.5, "zip": 0.3, "merged": 0.2})
        sname, saddr = sender_of(cu)
        who = cu.name
        atts: list[Attachment] = []
        shape = "bureau_pdfs"
        if style == "zip" and len(docs) > 2:
            shape = "zip_gbk"
            gbk = rng.random() < 0.8 or not zips_made   # the first zip always has GBK names
            zips_made.append(top)
            shape = "zip_gbk" if gbk else "zip_utf8"
            folder = rng.choice(["", f"{who}科普统计/", "扫描件/"])
            chunks = [docs[i:i + 40] for i in range(0, len(docs), 40)]
            for ci, chunk in enumerate(chunks, 1):
                members, truth = [], []
                for d in chunk:
                    data, dt = doc_pdf(d)
                    mname = f"{folder}{d.unit.name}.pdf"
                    members.append((mname, data))
                    truth.append({"container": mname, "sha256": sha256(data), "size": len(data), "documents": dt})
                zname = f"{who}-科普统计调查表{'' if len(chunks) == 1 else f'（{ci}）'}.zip"
                atts.append(Attachment(zname, make_zip(members, gbk_names=gbk, when=max(d.print_time for d in chunk)),
                                       "application/zip", truth=truth))
                for t in truth:
                    t["zip_utf8_flag"] = not gbk
        elif style == "merged" and mergeable_n > 2:
            shape = "merged_pdf"
            mergeable = [d for d in others if d.unit.account not in dup_units and d.fmt == "pdf"]
            single = [d for d in docs if d not in mergeable]
            for d in single:
                atts += doc_atts(d, force_pdf=True)
            groups, i = [], 0
            while i < len(mergeable):
                k = rng.randint(6, 15)
                groups.append(mergeable[i:i + k])
                i += k
            for gi, g in enumerate(groups, 1):
                if not g:
                    continue
                data, truth = w.pdf_of(g)
                atts.append(Attachment(f"{who}所属单位调查表合并{gi}.pdf", data, truth=[{"documents": truth}]))
        else:
            for d in docs:
                atts += doc_atts(d, force_pdf=d.fmt == "png")
        # split into mails of at most 25 attachments / 30 MB
        parts: list[list[Attachment]] = [[]]
        size = 0
        for a in atts:
            if parts[-1] and (len(parts[-1]) >= 25 or size + len(a.data) > 30_000_000):
                parts.append([])
                size = 0
            parts[-1].append(a)
            size += len(a.data)
        when = send_time(docs)
        for pi, part in enumerate(parts, 1):
            tag = "" if len(parts) == 1 else f"（{pi}/{len(parts)}）"
            subj = rng.choice([f"{who}-2024年度科普统计调查表（盖章扫描件）{tag}",
                               f"{who}科普统计调查表扫描件{tag}", f"报送：{who}2024年度科普统计{tag}"])
            body = rng.choice(BUREAU_BODIES).format(who=who, n=len(docs), person=sname, phone=cu.phone)
            w.mails.append(Mail(when + timedelta(minutes=3 * pi), sname, saddr, subj, body, "scan", part,
                                subject_style=_pick(rng, {"utf8": 0.6, "gbk": 0.3, "plain": 0.1}),
                                body_charset=rng.choice(["utf-8", "gbk"])))
            w.mails[-1].shape = shape if not shape.startswith("zip") or any(a.ctype == "application/zip" for a in part) \
                else "bureau_pdfs"
        # the bureau also forwards a unit's own earlier mail now and then (duplicates)
    # ---- direct sends, with the odd shapes forced at least once
    rng.shuffle(direct)
    direct.sort(key=lambda d: d.unit.account in dup_units)   # odd shapes go to others first
    special = ["gb2312_label", "raw8bit", "forward", "link", "corrupt", "encrypted", "empty", "path_name",
               "jpg_pages"]
    assign: dict[int, str] = {}
    for i, s in enumerate(special):
        if i < len(direct):
            assign[direct[i].id] = s
    for d in direct[len(special):]:
        r = rng.random()
        if d.unit.account in dup_units:
            continue
        if r < 0.03:
            assign[d.id] = rng.choice(["forward", "gb2312_label", "raw8bit"])
        elif r < 0.045:
            assign[d.id] = rng.choice(["link", "corrupt", "encrypted", "empty"])
    def mail_time_of(doc_id: int) -> datetime | None:
        ts = [m.date for m in w.mails for a in _all_atts(m) for t in a.truth for x in t.get("documents", [])
              if x.get("doc_id") == doc_id]
        return max(ts) if ts else None

    for d in direct + w.unknown_docs + sorted(later_docs, key=lambda x: x.id):
        u = d.unit
        sname, saddr = sender_of(u)
        how = assign.get(d.id, "plain")
        if how == "jpg_pages" and d.fmt == "pdf":
            d.fmt = "jpg"
        elif how in ("corrupt", "encrypted", "empty", "link"):
            d.fmt = "pdf"
        atts = doc_atts(d)
        subj = rng.choice([f"{u.name}-2024年度科普统计调查表（盖章扫描件）", f"{u.name}科普统计调查表",
                           "2024年度科普统计调查表", f"{u.name}", "科普统计报表盖章版", ""])
        if d.superseded is False and any(x.superseded for x in w.unit_docs.get(u.account, [])) and d in later_docs:
            subj = "（更正）" + (subj or f"{u.name}调查表")
        body = rng.choice(DIRECT_BODIES).format(name=u.name, person=sname, phone=u.phone)
        when = send_time([d])
        if d in later_docs:
            prev = w.unit_docs[u.account][w.unit_docs[u.account].index(d) - 1]
            t_prev = mail_time_of(prev.id) or send_time([prev])
            when = max(when, t_prev + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8)))
        m = Mail(when, sname, saddr, subj, body, "scan", atts,
                 shape="single_pdf" if len(atts) == 1 else "page_images")
        m.subject_style = _pick(rng, {"utf8": 0.55, "gbk": 0.35, "plain": 0.1})
        m.body_charset = rng.choice(["utf-8", "gbk"])
        if how == "gb2312_label":
            m.sender_name = N.person(rng, gbk_only=True)
            m.subject = f"{m.sender_name}-{u.name}科普统计调查表"
            m.subject_style = "gb2312_label"
            for a in atts:
                a.name = f"{m.sender_name}-{a.name}"
                a.name_style = "gb2312_label"
            m.shape = "gb2312_gbk_chars"
        elif how == "raw8bit":
            m.subject = m.subject or f"{u.name}调查表"
            m.subject_style = "raw8bit"
            for a in atts:
                a.name_style = "rfc2047_gbk"
            m.shape = "raw8bit_headers"
        elif how == "path_name":
            for a in atts:
                a.name = "..\\..\\桌面\\" + a.name if rng.random() < 0.5 else "C:/Users/admin/Desktop/" + a.name
            m.shape = "path_in_filename"
        elif how in ("corrupt", "encrypted", "empty") and atts[0].ctype == "application/pdf":
            a = atts[0]
            if how == "corrupt":
                a.data = a.data[: len(a.data) * 2 // 5] + bytes(rng.getrandbits(8) for _ in range(512))
            elif how == "encrypted":
                a.data = _encrypt_pdf(a.data)
                m.body = (m.body + "\n打开密码：123456").strip()
            else:
                a.data = b""
            a.truth[0]["status"] = how
            m.shape = how
            if rng.random() < 0.7:   # noticed: resent properly a bit later
                again = Mail(when + timedelta(hours=rng.randint(2, 48)), sname, saddr, "重发：" + (subj or u.name),
                             "上次附件有问题，重新发送。", "scan", [Attachment(a.name, doc_pdf(d)[0],
                                                                          truth=[{"documents": doc_pdf(d)[1]}])])
                again.shape = "single_pdf"
                w.mails.append(again)
        elif how == "link":
            a = atts[0]
            prov = rng.choice(["qq", "163"])
            url = (f"https://mail.qq.com/cgi-bin/ftnExs_download?k={rng.getrandbits(128):032x}&t=exs_ftn_download"
                   if prov == "qq" else f"https://mail.163.com/large-attachment-download/index.html?p={rng.getrandbits(96):024x}")
            m.attachments = []
            m.body = (f"从{'QQ' if prov == 'qq' else '网易'}邮箱发来的超大附件\n\n{a.name} ({len(a.data) / 1e6:.1f}M, "
                      f"2025年07月{rng.randint(10, 28)}日 {rng.randint(8, 20)}:00 到期)\n进入下载页面：{url}\n")
            m.html = m.body.replace("\n", "<br>") + f'<a href="{url}">下载</a>'
            m.link_attachment = {"name": a.name, "url": url, "truth": a.truth}
            m.kind = "link"
            m.shape = "large_attachment_link"
        if how == "forward":
            fw_sender = by_acc.get(u.admin_account) if u.admin_account else None
            fname_ = (fw_sender.contact if fw_sender else N.person(rng))
            faddr = (fw_sender.email if fw_sender and rng.random() < 0.5 else N.personal_email(rng))
            outer = Mail(when + timedelta(hours=rng.randint(1, 30)), fname_, faddr, "转发：" + (m.subject or u.name),
                         "---------- 转发的邮件 ----------\n请查收下属单位调查表。", "forward", [], forwarded=m)
            outer.shape = "forward_rfc822"
            w.mails.append(outer)
        else:
            w.mails.append(m)
        if u.account in dup_units and d is first_docs.get(u.account) and how == "plain":
            # the same scan sent twice (the unit's resend of the same file)
            dupm = Mail(when + timedelta(hours=rng.randint(3, 72)), sname, saddr, subj or u.name, "再发一次。", "scan",
                        [Attachment(a.name, a.data, a.ctype, truth=[dict(t) for t in a.truth]) for a in atts])
            dupm.shape = "resend_same"
            w.mails.append(dupm)
    # duplicates of bundled units: the unit also sends its own file directly
    for acc in sorted(dup_units):
        d = first_docs[acc]
        if d in direct:
            continue
        data, dt = doc_pdf(d)
        u = d.unit
        sname, saddr = sender_of(u)
        m = Mail(send_time([d]) - timedelta(hours=rng.randint(1, 10)), sname, saddr, f"{u.name}调查表",
                 "", "scan", [Attachment(u.name + ".pdf", data, truth=[{"documents": dt}])])
        m.shape = "single_pdf"
        w.mails.append(m)

    # ---- noise: auto-replies, bounces, unrelated mail
    k = max(1, w.n // 100)
    for _ in range(k):
        u = rng.choice(units)
        m = Mail(datetime(2025, 6, rng.randint(16, 29), rng.randint(8, 20), rng.randint(0, 59)), u.contact, u.email,
                 "自动回复: 关于报送2024年度科普统计调查表的通知",
                 "您好，您的来信已收到，我近期休假，回来后会尽快处理。", "auto_reply",
                 extra_headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
                 subject_style=rng.choice(["utf8", "gbk"]))
        m.shape = "auto_reply"
        w.mails.append(m)
    for _ in range(k):
        u = rng.choice(units)
        dom = rng.choice(["tj.gov.cn", "qq.com", "163.com"])
        inner = Mail(datetime(2025, 6, rng.randint(16, 29), 9, 0), "科普统计", COLLECT_ADDR,
                     "关于报送2024年度科普统计调查表的通知", "各单位：请于6月30日前报送盖章扫描件。", "notice")
        inner.message_id = f"<{rng.getrandbits(64):016x}@tj.gov.cn>"
        m = Mail(inner.date + timedelta(minutes=2), "Mail Delivery System", f"MAILER-DAEMON@{dom}",
                 "Undelivered Mail Returned to Sender",
                 f"This is the mail system at host mx.{dom}.\n\nI'm sorry to have to inform you that your message "
                 f"could not be delivered to one or more recipients.\n\n<{u.email}>: mailbox unavailable",
                 "bounce", report=f"Reporting-MTA: dns; mx.{dom}\n\nFinal-Recipient: rfc822; {u.email}\n"
                                  "Action: failed\nStatus: 5.1.1\n", forwarded=inner)
        m.shape = "bounce"
        w.mails.append(m)
    unrelated = [("科普讲解大赛报名表", "附件为报名表，请填写后回复。"),
                 ("关于召开2025年全国科普日活动筹备会的通知", "各有关单位：兹定于7月10日召开筹备会……"),
                 ("【发票】您的电子发票已开具", "尊敬的客户，您好！附件为电子发票。"),
                 ("Re: 会议室预定", "好的，收到。"), ("你好", "在吗？")]
    for i in range(k + 1):
        s, b = unrelated[i % len(unrelated)]
        addr = N.personal_email(rng) if rng.random() < 0.6 else N.gov_email(rng)
        atts = []
        if "报名表" in s:
            atts = [Attachment("报名表.xlsx", _tiny_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               truth=[{"status": "unsupported", "documents": []}])]
        m = Mail(datetime(2025, 6, rng.randint(16, 30), rng.randint(8, 20), rng.randint(0, 59)), N.person(rng),
                 addr, s, b, "unrelated", atts, subject_style=rng.choice(["utf8", "gbk"]))
        m.shape = "unrelated"
        w.mails.append(m)
    # ---- hostile input: an image of absurd size and a zip bomb (both "too_large")
    u = rng.choice(units)
    sname, saddr = sender_of(u)
    bomb = Attachment(f"{u.name}扫描件.zip", _zip_bomb(48 * 1024 * 1024), "application/zip",
                      truth=[{"status": "too_large", "documents": []}])
    huge = Attachment("IMG_超高分辨率扫描.png", _huge_png(11000, 11000), "image/png",
                      truth=[{"status": "too_large", "documents": []}])
    m = Mail(datetime(2025, 6, rng.randint(17, 28), rng.randint(9, 17), rng.randint(0, 59)), sname, saddr,
             f"{u.name}扫描件（高清）", "扫描仪设置成最高分辨率了，文件比较大。", "scan", [bomb, huge],
             shape="too_large")
    w.mails.append(m)
    w.faults_extra = faults_extra


def _all_atts(m: Mail) -> list[Attachment]:
    out = list(m.attachments)
    if m.forwarded is not None:
        out += _all_atts(m.forwarded)
    return out


def _zip_bomb(size: int) -> bytes:
    """A zip whose single member unpacks to `size` bytes of zeros (ratio about 1000:1)."""
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z, \
            z.open("2024年度科普统计调查表.pdf", "w", force_zip64=True) as f:
        block = bytes(1024 * 1024)
        for _ in range(size // len(block)):
            f.write(block)
    return buf.getvalue()


def _huge_png(width: int, height: int) -> bytes:
    """A white 1-bit PNG of width×height pixels (tiny file, huge image)."""
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    body = comp.compress(row * height) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def _tiny_xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["姓名", "单位", "电话"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _finalize(w: World) -> dict:
    """Order mails, serialize .eml files, compute statuses and duplicates, assemble truth."""
    rng = random.Random(w.seed * 7919 + 9)
    mail_dir = w.out / "mail"
    if mail_dir.exists():
        shutil.rmtree(mail_dir)
    mail_dir.mkdir(parents=True)
    w.mails.sort(key=lambda m: (m.date, m.subject))
    seen: dict[str, str] = {}
    first_msg: dict[int, str] = {}
    any_msg: dict[int, str] = {}
    messages = []
    faults = [dict(f) for f in w.faults]
    total_bytes = 0
    for i, m in enumerate(w.mails, 1):
        file = f"mail/{i:04d}.eml"
        dom = m.sender_addr.split("@")[-1] or "localhost"
        for mm in (m, m.forwarded):
            if mm is not None and not mm.message_id:
                mm.message_id = f"<{rng.getrandbits(64):016x}.{i}@{dom}>"
        entries = []
        for fwd, att in [(False, a) for a in m.attachments] + [(True, a) for a in (_all_atts(m.forwarded) if m.forwarded else [])]:
            for t in att.truth:
                data_sha = t.get("sha256") or sha256(att.data)
                status = t.get("status")
                if status is None:
                    if len(att.data) == 0:
                        status = "empty"
                    elif data_sha in seen:
                        status = "duplicate"
                    else:
                        status = "document"
                        seen[data_sha] = file
                e = {"name": att.name, "sha256": data_sha, "size": t.get("size", len(att.data)),
                     "content_type": att.ctype, "expected_status": status, "container": t.get("container"),
                     "forwarded": fwd, "documents": t.get("documents", [])}
                if "zip_utf8_flag" in t:
                    e["zip_utf8_flag"] = t["zip_utf8_flag"]
                if t.get("container"):
                    e["container_sha256"] = sha256(att.data)
                entries.append(e)
                for doc in e["documents"]:
                    any_msg.setdefault(doc["doc_id"], file)
                    if status == "document":
                        first_msg.setdefault(doc["doc_id"], file)
                    if status == "duplicate":
                        faults.append({"account": doc["account"], "kind": "duplicate", "indicator": None,
                                       "online": None, "paper": None, "page": None, "message": file,
                                       "doc_id": doc["doc_id"], "detail": f"与 {seen[data_sha]} 中的文件相同"})
        if m.link_attachment:
            la = m.link_attachment
            entries.append({"name": la["name"], "sha256": None, "size": None, "content_type": None,
                            "expected_status": "link", "container": None, "forwarded": False, "url": la["url"],
                            "documents": [d for t in la["truth"] for d in t.get("documents", [])]})
            for t in la["truth"]:
                for doc in t.get("documents", []):
                    any_msg.setdefault(doc["doc_id"], file)
        data = to_bytes(m)
        (w.out / file).write_bytes(data)
        total_bytes += len(data)
        messages.append({"file": file, "message_id": m.message_id, "sender": m.sender_addr,
                         "sender_name": m.sender_name, "subject": m.subject, "date": m.date.strftime("%Y-%m-%d %H:%M:%S"),
                         "kind": m.kind, "shape": m.shape or m.kind,
                         "encoding": {"subject": m.subject_style, "body": m.body_charset},
                         "forwarded_message_id": m.forwarded.message_id if m.forwarded else None,
                         "attachments": entries})
    # document faults
    for d in w.docs:
        for f in getattr(d, "doc_faults", []):
            g = dict(f)
            g["message"] = first_msg.get(d.id) or any_msg.get(d.id)
            g["superseded"] = d.superseded
            faults.append(g)
    for acc, docs in w.unit_docs.items():
        for a, b in zip(docs, docs[1:], strict=False):
            if a.superseded:
                faults.append({"account": acc, "kind": "superseded", "indicator": None, "online": None, "paper": None,
                               "page": None, "message": first_msg.get(a.id) or any_msg.get(a.id), "doc_id": a.id,
                               "replaced_by": b.id, "replaced_in": first_msg.get(b.id) or any_msg.get(b.id),
                               "detail": "更正后重新报送，以新件为准", "superseded": True})
    for d in w.unknown_docs:
        faults.append({"account": None, "kind": "unit_unknown", "indicator": None, "online": None, "paper": None,
                       "page": None, "message": first_msg.get(d.id) or any_msg.get(d.id), "doc_id": d.id,
                       "unit_name": d.unit.name, "uscc": d.unit.uscc, "detail": f"名单中没有：{d.unit.name} {d.unit.uscc}"})
    for acc in sorted(w.never):
        faults.append({"account": acc, "kind": "never_sent", "indicator": None, "online": None, "paper": None,
                       "page": None, "message": None, "detail": w.rec[acc].status})
    for f in faults:
        for k in ("account", "kind", "indicator", "online", "paper", "page", "message", "detail"):
            f.setdefault(k, None)
    delivered = set(first_msg)
    not_received = sorted(acc for acc, docs in w.unit_docs.items() if docs[-1].id not in delivered)
    kinds: dict[str, int] = {}
    for f in faults:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    shapes: dict[str, int] = {}
    for m in messages:
        shapes[m["shape"]] = shapes.get(m["shape"], 0) + 1
    return {
        "seed": w.seed, "units": w.n, "template": w.t.id, "collect_address": COLLECT_ADDR,
        "generated_by": "kptj synth", "messages": messages, "faults": faults,
        "never_sent": sorted(w.never), "not_received": not_received,
        "venue_owners": {u.account: u.owner_account for u in w.units if u.is_venue},
        "expected_accounts": [u.account for u in w.units],
        "stats": {"messages": len(messages), "documents": len(w.docs), "mail_bytes": total_bytes,
                  "printers": w.printers, "printed_by": dict(Counter(d.printer for d in w.docs)),
                  "scan_mix": "lite" if w.lite else "full",
                  "pages_rendered": sum(d.pages_total for d in w.docs), "fault_kinds": kinds, "shapes": shapes,
                  "timings_s": w.timings},
    }


def write_roster(units: list[Unit], path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("单位名单")
    ws.append(ROSTER_COLUMNS)
    for u in units:
        ws.append([u.account, u.name, u.uscc, u.type, u.district, u.admin_account or "", "是" if u.is_venue else "否",
                   u.owner_account or "", u.contact, u.phone, u.email])
    wb.save(path)


def _cell(v: Decimal | None, none_as: str):
    if v is None:
        return none_as
    if v == v.to_integral_value() and v.as_tuple().exponent >= 0:
        return int(v)
    return float(record_text(v))


def write_records(records: list[Record], t: Template, path: Path, rng: random.Random) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("网上填报数据")
    ws.append(["账号", "单位名称", "统一社会信用代码", "填报状态", "最后修改时间", *t.codes])
    for r in records:
        none_as = rng.choice(["", "-"])
        ws.append([r.account, r.name, r.uscc, r.status, r.modified.strftime("%Y-%m-%d %H:%M:%S") if r.modified else "",
                   *(_cell(r.values.get(c), none_as) for c in t.codes)])
    wb.save(path)


def check_printers(printers: str) -> float:
    """Share of documents printed by Chromium for a `printers` mix (ValueError: unknown / unavailable)."""
    from synth.chromium import CHROMIUM, available
    if printers not in PRINTER_MIXES:
        raise ValueError(f"未知的打印方式：{printers}（可选 {' / '.join(PRINTER_MIXES)}）")
    if printers == "chromium" and not available():
        raise ValueError(f"打印方式 chromium 需要 {CHROMIUM}（apt-get install chromium）")
    return PRINTER_MIXES[printers] if available() else 0.0


def build_world(units: int, seed: int, out: str | Path, workers: int | None = None, log=None,
                template: Template | None = None, printers: str | None = None, small: bool = False) -> dict:
    """Generate the whole world into out/; returns truth (also written to out/truth.json).
    printers: "reportlab" | "mixed" (about 40 % of the documents printed by Chromium, when
    /usr/bin/chromium exists) | "chromium"; default KPTJ_SYNTH_PRINTERS or DEFAULT_PRINTERS.
    small=True allows fewer than 50 units (tests' accuracy gate): a thinner roster, every fault kind
    still planted, senders carrying two faults each where needed."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    w = World(units, seed, out, template, workers, log, printers, small)
    t0 = time.time()
    w.plan()
    w.timings["plan"] = round(time.time() - t0, 2)
    t1 = time.time()
    w.render()
    w.timings["render"] = round(time.time() - t1, 2)
    t2 = time.time()
    _compose(w)
    write_roster(w.units, out / "roster.xlsx")
    write_records(w.records, w.t, out / "records.xlsx", random.Random(seed * 7919 + 11))
    truth = _finalize(w)
    w.timings["mail"] = round(time.time() - t2, 2)
    w.timings["total"] = round(time.time() - t0, 2)
    truth["stats"]["timings_s"] = w.timings
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    with (out / "pages.jsonl").open("w", encoding="utf-8") as f:
        for d in w.docs:
            f.write(json.dumps({"doc_id": d.id, "account": d.unit.account if d.known else None,
                                "pages": w.page_truth.get(d.id, [])}, ensure_ascii=False) + "\n")
    shutil.rmtree(out / ".work", ignore_errors=True)
    return truth
