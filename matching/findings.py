"""Storing findings idempotently: a rerun keeps open findings, adds new ones and resolves the gone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.clock import utc_now
from registry.models import Finding

SEVERITY = {"figure_mismatch": "error", "figure_unreadable": "warning", "seal_missing": "error",
            "signature_missing": "error", "page_missing": "error", "page_duplicate": "warning", "page_unnumbered": "info",
            "scan_illegible": "warning",
            "scan_stale": "warning", "unit_unknown": "warning", "record_missing": "error",
            "record_changed_after_scan": "warning", "attachment_unreadable": "warning",
            "attachment_link": "info", "rule_violation": "error", "duplicate": "info", "superseded": "info"}


@dataclass
class NewFinding:
    kind: str
    unit_id: int | None
    rule: str | None = None
    indicator: str | None = None
    online_value: str | None = None
    scanned_value: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None
    message_id: int | None = None
    attachment_id: int | None = None
    document_id: int | None = None
    page_id: int | None = None
    box: list[int] | None = None

    def key(self) -> tuple[Any, ...]:
        # the message and attachment belong to the key: two corrupt files are two findings
        return (self.kind, self.unit_id, self.rule, self.indicator, self.document_id, self.page_id,
                self.message_id, self.attachment_id)


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.kind, f.unit_id, f.rule, f.indicator, f.document_id, f.page_id, f.message_id, f.attachment_id)


def sync_findings(session: Session, year: int, kinds: Iterable[str], found: Iterable[NewFinding],
                  scope_unit_ids: set[int] | None = None, resolve_reason: str = "复核后问题已消除",
                  owned: Callable[[Finding], bool] | None = None) -> tuple[int, int]:
    """Make the open findings of `kinds` (within scope) equal to `found`. Returns (added, resolved).
    `owned`: only open findings it accepts are this caller's to update or resolve (others of the
    same kind, made by another stage, are left alone)."""
    kinds = list(kinds)
    q = select(Finding).where(Finding.year == year, Finding.kind.in_(kinds), Finding.state == "open")
    open_now = {_key(f): f for f in session.scalars(q)
                if (scope_unit_ids is None or f.unit_id in scope_unit_ids) and (owned is None or owned(f))}
    added = 0
    seen = set()
    for nf in found:
        k = nf.key()
        seen.add(k)
        existing = open_now.get(k)
        if existing is not None:
            existing.online_value, existing.scanned_value, existing.detail = nf.online_value, nf.scanned_value, nf.detail
            continue
        session.add(Finding(year=year, kind=nf.kind, severity=nf.severity or SEVERITY.get(nf.kind, "warning"),
                            unit_id=nf.unit_id, rule=nf.rule, indicator=nf.indicator,
                            online_value=nf.online_value, scanned_value=nf.scanned_value, detail=nf.detail,
                            message_id=nf.message_id, attachment_id=nf.attachment_id,
                            document_id=nf.document_id, page_id=nf.page_id, box=nf.box, state="open"))
        added += 1
    resolved = 0
    now = utc_now()  # stored times are naive UTC (registry.clock)
    for k, f in open_now.items():
        if k not in seen:
            f.state, f.resolved_reason, f.resolved_at = "resolved", resolve_reason, now
            resolved += 1
    return added, resolved
