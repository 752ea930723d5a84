"""Yes/no: "Có ban hành văn bản triển khai: điểm tối đa; không ban hành: 0 điểm"."""

from __future__ import annotations

import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from parindex.rules.base import FACT_LABELS, Input, Kind, Rows, RuleModel


class YesNoRule(RuleModel):
    kind: Literal["yes-no"]


class YesNo(Kind):
    name = "yes-no"
    model = YesNoRule
    title = "Có/Không"
    order = 1
    required = ("done",)
    inputs = (Input("done", "done", "co-khong", FACT_LABELS["done"]),)

    def points(self, rows: Rows) -> np.ndarray:
        return np.where(rows.facts["done"] == 1, rows.params["max_c"], 0)

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        return {"done": good or rng.random() < 0.5}

    def sample_facts(
        self, rule: Mapping[str, Any], maximum: Decimal, good: bool, rng: random.Random
    ) -> dict[str, Any]:
        return {"done": good}

    def sample_columns(
        self, rule: Any, maximum: Decimal, good: np.ndarray, rng: np.random.Generator
    ) -> dict[str, Any]:
        return {"done": (good | (rng.random(len(good)) < 0.5)).astype(int)}


KIND = YesNo()
