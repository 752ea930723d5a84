"""Vietnamese numbers and dates as the pages show them (cached: the same text every time)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from web import formatting


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (D("1234.5"), 2, "1.234,50"),
        (D("0.125"), 2, "0,12"),  # Babel rounds half to even
        (D("0.135"), 2, "0,14"),
        (1, 2, "1,00"),
        (1.0, 2, "1,00"),
        (D("87.5"), 0, "88"),
        (D("87.5"), 1, "87,5"),
        (D("-0"), 2, "-0,00"),
        (D("0"), 2, "0,00"),
        (None, 2, ""),
    ],
)
def test_number(value: Any, places: int, text: str) -> None:
    assert formatting.number(value, places) == text
    assert formatting.number(value, places) == text  # from the cache


def test_equal_numbers_written_differently_keep_their_own_text() -> None:
    # the cache is keyed on the value's text: 0 and -0 are equal but are not shown alike
    assert (formatting.number(D("0")), formatting.number(D("-0"))) == ("0,00", "-0,00")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.date(2025, 1, 31), "31/01/2025"),
        (dt.datetime(2025, 1, 31, 23, 59), "31/01/2025"),
        (None, ""),
    ],
)
def test_date(value: Any, text: str) -> None:
    assert formatting.date(value) == text
    assert formatting.date(value) == text
