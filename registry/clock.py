"""One time convention for the whole project.

The database stores naive UTC datetimes (SQLite's CURRENT_TIMESTAMP is UTC, intake stores UTC).
People work in local time (Tianjin, UTC+8): calendar days, "today" and every time they read are
local. The zone comes from KPTJ_TZ (an IANA name), default Asia/Shanghai, never from the machine,
because servers often run in UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


def utc_now() -> datetime:
    """Now as naive UTC, the form stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_tz() -> ZoneInfo:
    """The users' zone: KPTJ_TZ, else Asia/Shanghai (read on every call so tests and runs can switch)."""
    return ZoneInfo(os.environ.get("KPTJ_TZ") or DEFAULT_TZ)


def local_today() -> date:
    """Today's calendar date where the users are."""
    return datetime.now(local_tz()).date()


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_tz()).astimezone(UTC).replace(tzinfo=None)


def day_bounds_utc(day: date) -> tuple[datetime, datetime]:
    """Naive-UTC [start, end) of the local calendar day `day` (DST-safe: both ends computed separately)."""
    return _local_midnight_utc(day), _local_midnight_utc(day + timedelta(days=1))


def to_local_aware(dt: datetime | None) -> datetime | None:
    """Stored naive UTC -> aware local time (for ISO output with the offset)."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC).astimezone(local_tz())


def to_local(dt: datetime | None) -> datetime | None:
    """Stored naive UTC -> naive local time, for what people read."""
    aware = to_local_aware(dt)
    return aware.replace(tzinfo=None) if aware is not None else None
