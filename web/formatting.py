"""Vietnamese formats: numbers through Babel ("87,50", "87,50 %"); dates and times through
the one formatter :mod:`parindex.dates` ("31/01/2025", "31/01/2025 17:00", Vietnam time)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal

from parindex import dates

LOCALE = "vi_VN"


def number(value: Decimal | int | float | None, places: int = 2) -> str:
    if value is None:
        return ""
    # a page shows the same few numbers many times and Babel takes ~15 µs for each: the text
    # of the value decides the result, so it is the cache key
    return _number(str(value), places)


@lru_cache(maxsize=4096)
def _number(text: str, places: int) -> str:
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(Decimal(text), format=pattern, locale=LOCALE)


def points_text(score_c: int | None) -> str:
    """Points kept in hundredths, as a reader sees them; None is a leaf that did not arise."""
    return "không phát sinh" if score_c is None else number(Decimal(score_c) / 100)


def percent(value: Decimal | int | float | None) -> str:
    return "" if value is None else number(value) + " %"


def date(value: dt.date | dt.datetime | None) -> str:
    """A day: "31/01/2025" (:func:`parindex.dates.day`)."""
    return dates.day(value)


def datetime(value: dt.datetime | None) -> str:
    """When something happened (stored in UTC), in Vietnam time: "31/01/2026 08:05"."""
    return dates.moment(value)


def deadline(value: dt.datetime | None) -> str:
    """A deadline, stored as typed in Vietnam time: "31/01/2026 17:00"."""
    return dates.local(value)


def countdown(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How far a deadline is: "còn 5 ngày", "hạn là hôm nay", "quá hạn 2 ngày"."""
    return dates.countdown(value, now)
