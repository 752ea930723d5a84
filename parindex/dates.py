"""Dates and times as a person reads them, in one format everywhere: "31/01/2026" and
"31/01/2026 17:00", in Vietnam time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).

Two kinds of moment are stored: when something happened (naive UTC, or aware) and a deadline
(naive, as the secretariat typed it, already in Vietnam time). :func:`moment` shows the first,
:func:`local` the second; :func:`countdown` says how far a deadline is, in days.

>>> day(dt.date(2026, 1, 31))
'31/01/2026'
>>> moment(dt.datetime(2026, 12, 2, 18, 30))  # UTC evening: the next morning in Vietnam
'03/12/2026 01:30'
>>> countdown(dt.datetime(2026, 1, 31, 17, 0), dt.datetime(2026, 1, 26, 9, 0))
'còn 5 ngày'
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _vietnam() -> dt.tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # no tz database on the machine: Vietnam keeps UTC+7 all year
        return dt.timezone(dt.timedelta(hours=7), "ICT")


VIETNAM = _vietnam()


def day(value: dt.date | dt.datetime | None) -> str:
    """A day: "31/01/2026" (a date-time is its day as given, with no change of zone)."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def local(value: dt.datetime | None) -> str:
    """A moment already in Vietnam time (a deadline as typed): "31/01/2026 17:00"."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(VIETNAM)
    return f"{day(value)} {value.hour:02d}:{value.minute:02d}"


def to_vietnam(value: dt.datetime) -> dt.datetime:
    """A moment stored in UTC (naive means UTC) as naive Vietnam time."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(VIETNAM).replace(tzinfo=None)


def moment(value: dt.datetime | None) -> str:
    """When something happened (stored in UTC), in Vietnam time: "03/12/2026 01:30"."""
    return "" if value is None else local(to_vietnam(value))


def vietnam_now() -> dt.datetime:
    """Now, as naive Vietnam time (what deadlines are compared with)."""
    return dt.datetime.now(dt.UTC).astimezone(VIETNAM).replace(tzinfo=None)


def countdown(deadline: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How far a deadline (naive Vietnam time) is from ``now`` (naive Vietnam time), counted
    in calendar days: "còn 5 ngày", "hạn là hôm nay", "quá hạn 2 ngày", "đã hết hạn hôm nay"."""
    if deadline is None:
        return ""
    now = now or vietnam_now()
    if now > deadline:
        late = (now.date() - deadline.date()).days
        return "đã hết hạn hôm nay" if late == 0 else f"quá hạn {late} ngày"
    left = (deadline.date() - now.date()).days
    return "hạn là hôm nay" if left == 0 else f"còn {left} ngày"


def countdown_overdue(deadline: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Whether the deadline has passed (for the countdown's colour)."""
    return deadline is not None and (now or vietnam_now()) > deadline
