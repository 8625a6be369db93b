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

import json
import os
import random
import shutil
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from registry.template import Template, default_template
from synth import names as N
from synth.compose import compose, pick
from synth.mailbox import Mail
from synth.packaging import DocSpec, DocumentFiles
from synth.records import Record, build_records, write_records
from synth.roster import MIN_UNITS, SMALL_MIN_UNITS, build_roster, write_roster
from synth.truth import finalize
from synth.units import Unit
from synth.values import fmt_value, record_text

LAYOUT_WEIGHTS = {"A": 0.35, "B": 0.15, "C": 0.12, "D": 0.14, "E": 0.12, "F": 0.12}
LITE_ABOVE = 1500   # worlds larger than this get the cheaper scan mix (time and mailbox size)
# Printing paths: "reportlab" (synth.form) or "chromium" (synth.html_form, HTML/CSS printed by headless
# Chromium).  A world's `printers` mix: share of documents printed by Chromium.
PRINTER_MIXES = {"reportlab": 0.0, "mixed": 0.4, "chromium": 1.0}
DEFAULT_PRINTERS = "reportlab"      # KPTJ_SYNTH_PRINTERS overrides it


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
class World(DocumentFiles):
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
        layout = pick(rng, LAYOUT_WEIGHTS)
        if self.lite:   # big worlds: cheaper scans (mostly grey 150 dpi), same shapes and faults
            profile = pick(rng, {"clean": 0.3, "colour": 0.12, "grey": 0.5, "phone": 0.06, "bw": 0.02})
            dpi = pick(rng, {"150": 0.97, "200": 0.03}) if profile != "phone" else "150"
        else:
            profile = pick(rng, {"clean": 0.28, "colour": 0.3, "grey": 0.3, "phone": 0.1, "bw": 0.02})
            dpi = pick(rng, {"150": 0.88, "200": 0.1, "300": 0.02}) if profile != "phone" else "150"
        dpi = int(dpi)
        if dpi == 300:
            profile = "grey"
        fmt = "pdf"
        if profile == "phone":
            fmt = pick(rng, {"jpg": 0.7, "pdf": 0.3})
        elif rng.random() < 0.03:
            fmt = pick(rng, {"jpg": 0.6, "png": 0.2, "tiff": 0.2})
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
                d.printer, d.layout = "chromium", pick(prng, STYLE_WEIGHTS)
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
    compose(w)
    write_roster(w.units, out / "roster.xlsx")
    write_records(w.records, w.t, out / "records.xlsx", random.Random(seed * 7919 + 11))
    truth = finalize(w)
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
