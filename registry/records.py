"""Queries over online records used by the audit and, later, by matching."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import OnlineRecord, RecordValue, Unit


def record_values(session: Session, year: int) -> dict[int, dict[str, Decimal | None]]:
    """unit_id -> {code: value} for every online record of the year (None = no value)."""
    out: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    q = select(OnlineRecord.unit_id, RecordValue.code, RecordValue.value).join(RecordValue) \
        .where(OnlineRecord.year == year)
    for unit_id, code, value in session.execute(q):
        out[unit_id][code] = None if value is None else Decimal(value)
    return dict(out)


def units_with_venue_account(session: Session, year: int) -> set[int]:
    """Owners that have at least one separately registered venue (科普场馆) account."""
    q = select(Unit.owner_id).where(Unit.year == year, Unit.is_venue.is_(True), Unit.owner_id.is_not(None))
    return {oid for (oid,) in session.execute(q)}
