"""Deduction: "Mỗi báo cáo chậm trừ 0,25 điểm" — max − count × deduction, never below the
stated floor (usually 0)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

import numpy as np

from parindex.rules.base import Checks, Compiled, CountKind, Rows, RuleModel
from parindex.units import to_cents


class DeductionRule(RuleModel):
    kind: Literal["deduction"]
    points_each: Decimal
    floor: Decimal = Decimal(0)
    item: str = "Số lần vi phạm"


class Deduction(CountKind):
    name = "deduction"
    model = DeductionRule
    title = "Trừ điểm theo số lần"
    order = 6
    params = ("each_c", "floor_c")

    def check(
        self, ck: Checks, rule: DeductionRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        if ck.points(rule.points_each, path + ("points_each",)) and rule.points_each == 0:
            ck.add("bad-value", path + ("points_each",), value=0, detail="phải lớn hơn 0")
        if ck.points(rule.floor, path + ("floor",)) and rule.floor > maximum:
            ck.add("floor-above-max", path + ("floor",), value=rule.floor, detail=maximum)

    def compile(self, rule: DeductionRule, max_c: int, levels: Mapping[str, int]) -> Compiled:
        return Compiled({"each_c": to_cents(rule.points_each), "floor_c": to_cents(rule.floor)})

    def points(self, rows: Rows) -> np.ndarray:
        p = rows.params
        return np.asarray(np.maximum(p["max_c"] - rows.facts["count"] * p["each_c"], p["floor_c"]))

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        return {"count": 0 if good else rng.randint(1, 5)}

    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        each = (maximum / 4).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return {"points_each": each, "floor": Decimal(0)}


KIND = Deduction()
