"""Tiers on a rate: "100 % = 1 điểm; từ 80 % đến dưới 100 % = 0,5 điểm; dưới 80 %: 0".

The agency gives the counts; the rate picks the best tier it reaches (a tier includes its lower
bound and ends at the next higher one)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

import numpy as np
from pydantic import Field

from parindex.rules.base import Checks, Compiled, RateKind, Rows, RuleModel, StrictModel
from parindex.units import to_cents, to_units


class Tier(StrictModel):
    at_least: Decimal  # rate in %, lower bound included; the tier ends at the next higher one
    points: Decimal


class TiersRule(RuleModel):
    kind: Literal["tiers"]
    tiers: list[Tier] = Field(min_length=1)
    numerator: str = "Số đạt yêu cầu"
    denominator: str = "Tổng số"


class Tiers(RateKind):
    name = "tiers"
    model = TiersRule
    title = "Mức theo tỷ lệ"
    order = 3

    def check(
        self, ck: Checks, rule: TiersRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        previous: Tier | None = None
        for i, tier in enumerate(rule.tiers):
            tpath = path + ("tiers", i)
            ck.rate(tier.at_least, tpath + ("at_least",))
            if ck.points(tier.points, tpath + ("points",)) and tier.points > maximum:
                ck.add("tier-above-max", tpath + ("points",), value=tier.points, detail=maximum)
            if previous is not None:
                if tier.at_least >= previous.at_least:
                    ck.add(
                        "tiers-not-ordered",
                        tpath + ("at_least",),
                        detail=f"{tier.at_least} sau {previous.at_least}",
                    )
                elif tier.points > previous.points:
                    ck.add(
                        "tier-points-rising",
                        tpath + ("points",),
                        detail=f"{tier.points} > {previous.points}",
                    )
            previous = tier

    def compile(self, rule: TiersRule, max_c: int, levels: Mapping[str, int]) -> Compiled:
        return Compiled(
            table=tuple((to_units(t.at_least, 2), to_cents(t.points)) for t in rule.tiers)
        )

    def points(self, rows: Rows) -> np.ndarray:
        num, den = rows.facts["numerator"], rows.facts["denominator"]
        at_least, points = rows.params["table_a"], rows.params["table_b"]
        # every tier the rate reaches (num / den ≥ at_least %), the best of them, a column of
        # the (narrow) tier table at a time; padding tiers (-1 %, 0 points) never beat a real one
        scaled = num * 10_000
        best = np.zeros(len(num), dtype=np.int64)
        for j in range(at_least.shape[1]):
            best = np.maximum(best, np.where(scaled >= at_least[:, j] * den, points[:, j], 0))
        return np.where(den > 0, best, 0)

    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        def part(value: Decimal) -> Decimal:
            return value.quantize(Decimal("0.01"), rounding=ROUND_DOWN)

        return {
            "tiers": [
                {"at_least": Decimal(100), "points": maximum},
                {"at_least": Decimal(80), "points": part(maximum / 2)},
                {"at_least": Decimal(50), "points": part(maximum / 4)},
            ]
        }


KIND = Tiers()
