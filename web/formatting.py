"""Vietnamese formats through Babel: "87,50", "87,50 %", "31/01/2025"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "vi_VN"


def number(value: Decimal | int | float | None, places: int = 2) -> str:
    if value is None:
        return ""
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(Decimal(str(value)), format=pattern, locale=LOCALE)


def percent(value: Decimal | int | float | None) -> str:
    return "" if value is None else number(value) + " %"


def date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="dd/MM/yyyy", locale=LOCALE)


def datetime(value: dt.datetime | None) -> str:
    return "" if value is None else format_datetime(value, format="HH:mm dd/MM/yyyy", locale=LOCALE)
