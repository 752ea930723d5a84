"""Exact numbers: points are held as integer hundredths ("cents").

A leaf's points are rounded half up to 2 decimals the moment its rule computes them; from then on
every sum is a sum of integers, so nothing can drift between the inputs and the published table.
"""

from __future__ import annotations

from decimal import Decimal

CENTS = 100


def half_up_div(numerator: int, denominator: int) -> int:
    """Round ``numerator / denominator`` half up (toward +inf at .5) to an integer, exactly."""
    if denominator <= 0:
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
