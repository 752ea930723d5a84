"""Vietnamese formats through Babel: "87,50", "87,50 %", "31/01/2025"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

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
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return _date(value)


@lru_cache(maxsize=4096)
def _date(value: dt.date) -> str:
    return format_date(value, format="dd/MM/yyyy", locale=LOCALE)


VIETNAM = dt.timezone(dt.timedelta(hours=7))


def datetime(value: dt.datetime | None) -> str:
    """When something happened (stored in UTC), shown in Vietnam time: "08:05 31/01/2026"."""
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone(VIETNAM).replace(tzinfo=None)
    return format_datetime(local, format="HH:mm dd/MM/yyyy", locale=LOCALE)


def deadline(value: dt.datetime | None) -> str:
    """A deadline, stored as typed in Vietnam time: "17:00 31/01/2026"."""
    if value is None:
        return ""
    return format_datetime(value, format="HH:mm dd/MM/yyyy", locale=LOCALE)
