"""The one date formatter (parindex/dates.py): dd/mm/yyyy, "dd/mm/yyyy HH:MM" in Vietnam time
(UTC+7 all year), and the deadline countdown. Expected texts worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex import dates
from web import formatting


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.date(2025, 1, 31), "31/01/2025"),
        (dt.date(2025, 7, 3), "03/07/2025"),  # leading zeros on day and month
        (dt.datetime(2025, 1, 31, 23, 59), "31/01/2025"),  # a date-time's own day, no zone change
        (dt.date(999, 1, 2), "02/01/0999"),
        (None, ""),
    ],
)
def test_day(value: dt.date | None, text: str) -> None:
    assert dates.day(value) == text
    assert formatting.date(value) == text  # the pages' filter is the same formatter


@pytest.mark.parametrize(
    ("utc", "text"),
    [
        # 16:59 UTC is 23:59 in Vietnam, the same day
        (dt.datetime(2026, 12, 2, 16, 59), "02/12/2026 23:59"),
        # 17:00 UTC is midnight in Vietnam: the next day
        (dt.datetime(2026, 12, 2, 17, 0), "03/12/2026 00:00"),
        # across a month and a year end: 31/12 20:30 UTC is 01/01 03:30 in Vietnam
        (dt.datetime(2026, 12, 31, 20, 30), "01/01/2027 03:30"),
        # the decision table's old "2026-12-02 06:56:02" UTC
        (dt.datetime(2026, 12, 2, 6, 56, 2), "02/12/2026 13:56"),
        # an aware moment in another zone is converted, not read as UTC
        (
            dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            "01/06/2026 13:00",
        ),
        (None, ""),
    ],
)
def test_moment_is_vietnam_time(utc: dt.datetime | None, text: str) -> None:
    assert dates.moment(utc) == text
    assert formatting.datetime(utc) == text


def test_deadline_is_shown_as_typed() -> None:
    # a deadline is stored in Vietnam time already: no shift
    assert dates.local(dt.datetime(2027, 1, 1, 17, 0)) == "01/01/2027 17:00"
    assert formatting.deadline(dt.datetime(2027, 1, 1, 17, 0)) == "01/01/2027 17:00"
    assert formatting.deadline(None) == ""


DEADLINE = dt.datetime(2026, 1, 31, 17, 0)


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (dt.datetime(2026, 1, 26, 9, 0), "còn 5 ngày"),
        (dt.datetime(2026, 1, 26, 23, 59), "còn 5 ngày"),  # calendar days, not 24-hour spans
        (dt.datetime(2026, 1, 30, 18, 0), "còn 1 ngày"),
        (dt.datetime(2026, 1, 31, 0, 0), "hạn là hôm nay"),
        (dt.datetime(2026, 1, 31, 17, 0), "hạn là hôm nay"),  # the deadline minute itself
        (dt.datetime(2026, 1, 31, 17, 1), "đã hết hạn hôm nay"),
        (dt.datetime(2026, 2, 1, 8, 0), "quá hạn 1 ngày"),
        (dt.datetime(2026, 2, 2, 8, 0), "quá hạn 2 ngày"),
        (dt.datetime(2025, 12, 31, 8, 0), "còn 31 ngày"),  # across a year end
    ],
)
def test_countdown(now: dt.datetime, text: str) -> None:
    assert dates.countdown(DEADLINE, now) == text
    assert dates.countdown_overdue(DEADLINE, now) == (now > DEADLINE)


def test_no_deadline_no_countdown() -> None:
    assert dates.countdown(None, dt.datetime(2026, 1, 1)) == ""
    assert not dates.countdown_overdue(None)


def test_vietnam_now_is_seven_hours_ahead_of_utc() -> None:
    utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ahead = dates.vietnam_now() - utc
    assert dt.timedelta(hours=6, minutes=59) < ahead < dt.timedelta(hours=7, minutes=1)
