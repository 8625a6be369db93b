"""Score a workspace after a run against a synthetic world's truth.json (precision/recall per kind)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.status import unit_statuses
from registry.models import Attachment, Document, Finding, Message, Page, Unit

# Truth fault kind -> the finding kind that should report it (a blank page is a page that is missing).
EXPECTED_KIND = {"page_blank": "page_missing"}
SCORED = ("figure_mismatch", "seal_missing", "signature_missing", "page_missing", "page_duplicate", "scan_stale",
          "unit_unknown", "duplicate", "superseded", "never_sent", "rule_violation")


@dataclass
class KindScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[Any] = field(default_factory=list)
    extra: list[Any] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


ON_A_PAGE = ("seal_missing", "signature_missing")


def unobservable(truth: dict) -> list[tuple[dict, str]]:
    """Planted faults no reader could see, with why: those in a form that never arrived as a file
    (a download link, an unreadable attachment: the unit is expected `never_sent`), and a seal or
    signature fault on a page the scan does not hold, or holds blank or washed out (its
    `page_missing` is expected instead, EXPECTED_KIND)."""
    statuses: dict[tuple, set[str]] = defaultdict(set)
    held: dict[tuple, set[int]] = defaultdict(set)  # a form sent as page images spans attachments
    unseen: dict[tuple, set[int]] = defaultdict(set)  # pages planted blank or unreadable
    for m in truth["messages"]:
        for a in m["attachments"]:
            for d in a["documents"]:
                statuses[(m["file"], d.get("doc_id"))].add(a["expected_status"])
                held[(m["file"], d.get("doc_id"))] |= set(d.get("pages") or [])
                unseen[(m["file"], d.get("doc_id"))] |= set(d.get("blank_pages") or []) | set(d.get("unreadable_pages") or [])
    out = []
    for f in truth["faults"]:
        key = (f.get("message"), f.get("doc_id"))
        status, pages = statuses.get(key, {"document"}), held.get(key)
        if not status & {"document", "duplicate"} and f["kind"] not in ("never_sent", "unit_unknown", "duplicate"):
            out.append((f, "form sent as " + "/".join(sorted(status))))
        elif f["kind"] in ON_A_PAGE and pages and f.get("page") not in pages:
            out.append((f, "on a page the scan does not hold"))
        elif f["kind"] in ON_A_PAGE and f.get("page") in unseen.get(key, set()):
            out.append((f, "on a page the scan holds blank or washed out"))
    return out


def _truth_keys(truth: dict, file_sha: dict[str, str]) -> dict[str, set]:
    keys: dict[str, set] = defaultdict(set)
    hidden = {id(f) for f, _ in unobservable(truth)}
    # A unit whose only scans came as a link or an unreadable file has, for us, not sent a scan:
    # its status stays "missing" (with an attachment finding), which is what staff must see.
    usable, sent = set(), set()
    for m in truth["messages"]:
        for a in m["attachments"]:
            for d in a["documents"]:
                if d.get("account"):
                    sent.add(d["account"])
                    if a["expected_status"] in ("document", "duplicate"):
                        usable.add(d["account"])
    keys["never_sent"] |= {(acc,) for acc in sent - usable}
    for f in truth["faults"]:
        if id(f) in hidden:
            continue
        kind = EXPECTED_KIND.get(f["kind"], f["kind"])
        acc = f.get("account")
        if kind == "figure_mismatch":
            keys[kind].add((acc, f["indicator"]))
        elif kind in ("seal_missing", "page_missing", "page_duplicate"):
            keys[kind].add((acc, f["page"]))
        elif kind == "signature_missing":
            keys[kind].add((acc, f.get("role") or f.get("detail")))
        elif kind in ("scan_stale", "superseded", "never_sent"):
            keys[kind].add((acc,))
        elif kind == "unit_unknown" or kind == "duplicate":
            keys[kind].add((file_sha.get(f["message"]),))
        elif kind == "rule_violation":
            keys[kind].add((acc, f.get("rule")))
    return keys


def _predicted_keys(s: Session, year: int) -> dict[str, set]:
    keys: dict[str, set] = defaultdict(set)
    accounts = {u.id: u.account for u in s.scalars(select(Unit))}
    for f in s.scalars(select(Finding).where(Finding.year == year)):
        live = f.state == "open" or f.resolved_reason == "superseded"
        if not live:
            continue
        acc = accounts.get(f.unit_id) if f.unit_id else None
        page = s.get(Page, f.page_id) if f.page_id else None
        page_no = (page.page_no or page.source_index + 1) if page else None
        d = f.detail or {}
        if f.kind == "figure_mismatch":
            keys[f.kind].add((acc, f.indicator))
        elif f.kind == "seal_missing" and f.severity == "error":
            keys[f.kind].add((acc, page_no))
        elif f.kind in ("page_missing", "page_duplicate"):
            keys[f.kind].add((acc, d.get("page_no")))
        elif f.kind == "signature_missing" and f.severity == "error":
            keys[f.kind].add((acc, f.indicator))
        elif f.kind in ("scan_stale", "superseded"):
            keys[f.kind].add((acc,))
        elif f.kind == "unit_unknown":
            msg = s.get(Message, f.message_id) if f.message_id else None
            keys[f.kind].add((msg.sha256 if msg else None,))
        elif f.kind == "rule_violation":
            keys[f.kind].add((acc, f.rule))
    for _att, msg in s.execute(select(Attachment, Message).join(Message).where(Attachment.status == "duplicate")):
        keys["duplicate"].add((msg.sha256,))
    for st in unit_statuses(s, year):
        if st.scan == "missing":
            keys["never_sent"].add((st.unit.account,))
    return keys


def score_findings(s: Session, truth: dict, world: Path, year: int = 2024) -> dict[str, KindScore]:
    file_sha = {m["file"]: hashlib.sha256((world / m["file"]).read_bytes()).hexdigest() for m in truth["messages"]}
    t, p = _truth_keys(truth, file_sha), _predicted_keys(s, year)
    out = {}
    for kind in SCORED:
        tk, pk = t.get(kind, set()), p.get(kind, set())
        sc = KindScore(len(tk & pk), len(pk - tk), len(tk - pk))
        sc.missed, sc.extra = sorted(map(str, tk - pk))[:10], sorted(map(str, pk - tk))[:10]
        out[kind] = sc
    return out


@dataclass
class IdentityScore:
    documents: int = 0
    correct: int = 0
    wrong: int = 0
    unknown: int = 0
    not_found: int = 0
    wrong_list: list[Any] = field(default_factory=list)


def score_identity(s: Session, truth: dict) -> IdentityScore:
    """Each truth document in a `document` attachment: was a DB document of the right unit made from it?"""
    accounts = {u.id: u.account for u in s.scalars(select(Unit))}
    by_sha: dict[str, list[Attachment]] = defaultdict(list)
    for a in s.scalars(select(Attachment).where(Attachment.status == "document")):
        if a.sha256:
            by_sha[a.sha256].append(a)
    sc = IdentityScore()
    for m in truth["messages"]:
        for a in m["attachments"]:
            if a["expected_status"] != "document":
                continue
            for d in a["documents"]:
                if d.get("account") is None:
                    continue
                sc.documents += 1
                atts = by_sha.get(a["sha256"], [])
                got = set()
                for att in atts:
                    for pg in s.scalars(select(Page).where(Page.attachment_id == att.id)):
                        if pg.document_id is None:
                            continue
                        doc = s.get(Document, pg.document_id)
                        if doc is not None:
                            got.add(accounts.get(doc.unit_id) if doc.unit_id else None)
                doc_accounts = {x.get("account") for x in a["documents"]}
                if d["account"] in got:
                    sc.correct += 1
                elif not atts:
                    sc.not_found += 1
                elif got - doc_accounts - {None}:
                    sc.wrong += 1
                    sc.wrong_list.append((d["account"], sorted(x for x in got if x)))
                else:
                    sc.unknown += 1
    return sc


# Planted faults a scan can show; a unit with none of them on its newest document is fault-free.
SCAN_FAULTS = {"figure_mismatch", "seal_missing", "signature_missing", "page_blank", "page_missing",
               "page_duplicate", "scan_stale", "page_unreadable"}


@dataclass
class AutomationScore:
    """Automation at full recall: fault-free units whose scan came out `ok` (no human look), and
    units with a planted fault that came out `ok` all the same (must be none)."""
    fault_free: dict[str, list[int]] = field(default_factory=dict)   # group -> [ok, total]
    blockers: dict[str, int] = field(default_factory=dict)          # open warning/error kinds on fault-free units
    faulty_accepted: list[Any] = field(default_factory=list)        # (account, fault kinds) that came out ok
    faulty: int = 0


def _doc_groups(world: Path) -> dict[str, tuple[str, str]]:
    """account -> (printer, profile) of its last rendered document."""
    import json
    out: dict[str, tuple[str, str]] = {}
    for line in (world / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        pages = d.get("pages") or []
        if d.get("account") and pages:
            profiles = [p.get("profile", "?") for p in pages]
            prof = "phone" if "phone" in profiles else max(set(profiles), key=profiles.count)
            out[d["account"]] = (pages[0].get("printer", "reportlab"), prof)
    return out


def score_automation(s: Session, truth: dict, world: Path, year: int = 2024) -> AutomationScore:
    sent = set()
    for m in truth["messages"]:
        for a in m["attachments"]:
            if a["expected_status"] in ("document", "duplicate"):
                sent |= {d["account"] for d in a["documents"] if d.get("account")}
    faults: dict[str, set[str]] = defaultdict(set)
    for f in truth["faults"]:
        if f.get("account") and f["kind"] in SCAN_FAULTS and not f.get("superseded"):  # the newest scan counts
            faults[f["account"]].add(f["kind"])
    groups = _doc_groups(world)
    sc = AutomationScore()
    for st in unit_statuses(s, year):
        acc = st.unit.account
        if acc not in sent or st.scan == "missing":
            continue
        if acc in faults:
            sc.faulty += 1
            if st.scan == "ok":
                sc.faulty_accepted.append((acc, sorted(faults[acc])))
            continue
        printer, profile = groups.get(acc, ("?", "?"))
        for g in ("all", f"printer={printer}", f"profile={profile}"):
            cell = sc.fault_free.setdefault(g, [0, 0])
            cell[0] += st.scan == "ok"
            cell[1] += 1
        if st.scan != "ok":
            for f in s.scalars(select(Finding).where(Finding.unit_id == st.unit.id, Finding.state == "open",
                                                     Finding.severity != "info")):
                sc.blockers[f.kind] = sc.blockers.get(f.kind, 0) + 1
    return sc


def rows_not_found(s: Session, world: Path) -> dict[str, list[int]]:
    """layout -> [figure_unreadable findings whose row was not found on the page, figures printed]
    over every current document (rows on a missing page are page_missing's, not counted)."""
    import json
    printed: dict[str, int] = defaultdict(int)
    layout_of: dict[str, str] = {}
    for line in (world / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        pages = d.get("pages") or []
        if d.get("account") and pages:
            key = f"{pages[0].get('printer', 'reportlab')}:{pages[0].get('layout')}"
            layout_of[d["account"]] = key
            printed[key] += sum(len(p.get("figures") or []) for p in pages)
    accounts = {u.id: u.account for u in s.scalars(select(Unit))}
    out = {k: [0, n] for k, n in printed.items()}
    for f in s.scalars(select(Finding).where(Finding.kind == "figure_unreadable")):
        if (f.detail or {}).get("reason", "").startswith("扫描件上未找到该指标所在行"):
            key = layout_of.get(accounts.get(f.unit_id, ""), "?")
            out.setdefault(key, [0, 0])[0] += 1
    return out
