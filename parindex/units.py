"""Exact numbers: points are held as integer hundredths ("cents").

A leaf's points are rounded half up to 2 decimals the moment its rule computes them; from then on
every sum is a sum of integers, so nothing can drift between the inputs and the published table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, overload

import numpy as np

CENTS = 100


@overload
def half_up_div(numerator: int, denominator: int) -> int: ...


@overload
def half_up_div(numerator: np.ndarray, denominator: np.ndarray | int) -> np.ndarray: ...


def half_up_div(numerator: Any, denominator: Any) -> Any:
    """Round ``numerator / denominator`` half up (toward +inf at .5) to an integer, exactly.

    Works on Python integers and element-wise on integer numpy arrays (int64 or object), where
    every denominator must be positive (the caller masks the others out).

    >>> half_up_div(1365, 1000), half_up_div(-5, 10)
    (1, 0)
    """
    if isinstance(denominator, int) and denominator <= 0:
        raise ValueError("denominator must be positive")
    return (2 * numerator + denominator) // (2 * denominator)


def to_cents(value: Decimal | int | str) -> int:
    """An exact number with at most 2 decimals as integer hundredths; raises if it has more."""
    d = Decimal(value)
    cents = d * CENTS
    if cents != cents.to_integral_value():
        raise ValueError(f"{value} has more than 2 decimals")
    return int(cents)


def decimal_places(value: Decimal) -> int:
    """How many decimals ``value`` carries (``1.50`` has 2, ``2`` has 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -int(exponent))


def to_units(value: Decimal, places: int) -> int:
    """``value`` as an integer of 10**-places units; raises if it has more decimals."""
    scaled = value * (10**places)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {places} decimals")
    return int(scaled)


def points_of(cents: int) -> Decimal:
    """Integer hundredths as the shortest exact Decimal a person writes (``60`` → ``0.6``,
    ``900`` → ``9``), for messages.

    >>> points_of(60), points_of(900), points_of(125)
    (Decimal('0.6'), Decimal('9'), Decimal('1.25'))
    """
    value = Decimal(int(cents)).scaleb(-2).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
