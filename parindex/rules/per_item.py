"""Per item: "Mỗi quy chế ban hành đúng yêu cầu đạt 0,5 điểm" — count × points each, capped at
the maximum."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

import numpy as np

from parindex.rules.base import Checks, Compiled, CountKind, Rows, RuleModel
from parindex.units import to_cents


class PerItemRule(RuleModel):
    kind: Literal["per-item"]
    points_each: Decimal
    item: str = "Số lượng"


class PerItem(CountKind):
    name = "per-item"
    model = PerItemRule
    title = "Theo số lượng"
    order = 5
    params = ("each_c",)

    def check(
        self, ck: Checks, rule: PerItemRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        if ck.points(rule.points_each, path + ("points_each",)):
            if rule.points_each == 0:
                ck.add("bad-value", path + ("points_each",), value=0, detail="phải lớn hơn 0")
            elif rule.points_each > maximum:
                ck.add(
                    "per-item-above-max",
                    path + ("points_each",),
                    value=rule.points_each,
                    detail=maximum,
                )

    def compile(self, rule: PerItemRule, max_c: int, levels: Mapping[str, int]) -> Compiled:
        return Compiled({"each_c": to_cents(rule.points_each)})

    def points(self, rows: Rows) -> np.ndarray:
        p = rows.params
        return np.asarray(np.minimum(rows.facts["count"] * p["each_c"], p["max_c"]))

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        return {"count": rng.randint(2, 6) if good else rng.randint(0, 2)}

    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        return {"points_each": (maximum / 4).quantize(Decimal("0.01"), rounding=ROUND_DOWN)}


KIND = PerItem()
