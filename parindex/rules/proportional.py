"""Proportional: "Điểm = tỷ lệ % × điểm tối đa", linear between two bounds of the rate."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from parindex.rules.base import Checks, Compiled, RateKind, Rows, RuleModel
from parindex.units import half_up_div, to_units


class ProportionalRule(RuleModel):
    kind: Literal["proportional"]
    lower: Decimal = Decimal(0)  # rate (%) at or below which the leaf earns 0
    upper: Decimal = Decimal(100)  # rate (%) at or above which it earns max
    numerator: str = "Số đạt yêu cầu"
    denominator: str = "Tổng số"


class Proportional(RateKind):
    name = "proportional"
    model = ProportionalRule
    title = "Tỷ lệ thuận"
    order = 4
    params = ("lower_u", "upper_u")

    def check(
        self, ck: Checks, rule: ProportionalRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        ok = ck.rate(rule.lower, path + ("lower",)) & ck.rate(rule.upper, path + ("upper",))
        if ok and rule.lower >= rule.upper:
            ck.add("bounds-not-ordered", path + ("upper",), value=rule.lower, detail=rule.upper)

    def compile(self, rule: ProportionalRule, max_c: int, levels: Mapping[str, int]) -> Compiled:
        return Compiled({"lower_u": to_units(rule.lower, 2), "upper_u": to_units(rule.upper, 2)})

    def points(self, rows: Rows) -> np.ndarray:
        p = rows.params
        counted = rows.facts["denominator"] > 0
        out = np.zeros(len(counted), dtype=np.int64)
        if not counted.any():
            return out
        nu, de = rows.facts["numerator"][counted], rows.facts["denominator"][counted]
        lo, hi, mx = p["lower_u"][counted], p["upper_u"][counted], p["max_c"][counted]
        # max × (numerator × 10⁴ + lower × denominator) can pass 2⁶³ for large maxima and
        # counts: then Python integers
        bound = int(mx.max()) * (int(nu.max()) * 10_000 + int(lo.max()) * int(de.max()))
        if 4 * bound >= 2**63:
            nu, de, mx, lo, hi = (x.astype(object) for x in (nu, de, mx, lo, hi))
        part = half_up_div(mx * (nu * 10_000 - lo * de), (hi - lo) * de)  # rate × 100 × den
        out[counted] = np.clip(part, 0, mx).astype(np.int64)
        return out

    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        return {"lower": Decimal(50), "upper": Decimal(100)}


KIND = Proportional()
