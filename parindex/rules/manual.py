"""Manual: a score from 0 to the maximum in stated steps (e.g. 0.25)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from parindex.rules.base import FACT_LABELS, Checks, Input, Kind, Rows, RuleModel
from parindex.units import to_cents


class ManualRule(RuleModel):
    kind: Literal["manual"]
    step: Decimal = Decimal("0.25")


class Manual(Kind):
    name = "manual"
    model = ManualRule
    title = "Chấm theo bước điểm"
    order = 8
    required = ("score",)
    inputs = (Input("score", "score", "score", FACT_LABELS["score"]),)

    def score_step(self, rule: ManualRule) -> Decimal:
        return rule.step

    def check(
        self, ck: Checks, rule: ManualRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        step = rule.step
        if ck.points(step, path + ("step",)):
            if step == 0:
                ck.add("bad-value", path + ("step",), value=0, detail="bước điểm phải lớn hơn 0")
            elif maximum % step != 0:
                ck.add("step-not-dividing", path + ("step",), value=step, detail=maximum)

    # a score off the step, negative or above the maximum is checked like an appraised score
    # (the step is :meth:`score_step`)

    def points(self, rows: Rows) -> np.ndarray:
        return np.asarray(rows.facts["score_c"])

    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        return {"step": Decimal("0.25") if maximum % Decimal("0.25") == 0 else Decimal("0.05")}

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        step = rule.step
        steps = int(maximum / step)
        k = steps if good else rng.randint(steps // 2, steps)
        return {"score": (step * k).quantize(Decimal("0.01"))}

    def sample_facts(
        self, rule: Mapping[str, Any], maximum: Decimal, good: bool, rng: random.Random
    ) -> dict[str, Any]:
        step = rule["step"]
        return {"score": step * rng.randint(0, int(maximum / step))}

    def sample_columns(
        self, rule: ManualRule, maximum: Decimal, good: np.ndarray, rng: np.random.Generator
    ) -> dict[str, Any]:
        step = to_cents(rule.step)
        steps = to_cents(maximum) // step
        return {"score_c": rng.integers(0, steps + 1, len(good)) * step}


KIND = Manual()
