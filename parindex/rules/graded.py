"""Graded judgement: "Tuân thủ đầy đủ: tối đa; vi phạm nhẹ: trừ 50 %; nghiêm trọng: 0" — the
agency picks one level; each level earns its share of the maximum."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

import numpy as np
from pydantic import Field

from parindex.rules.base import (
    FACT_LABELS,
    NA_INT,
    Checks,
    Compiled,
    Input,
    Kind,
    Rows,
    RuleModel,
    StrictModel,
    ValueProblem,
    share_of,
)


class Level(StrictModel):
    key: str = Field(min_length=1)
    label: str = Field(min_length=1)
    share: Decimal  # share of max this level earns


class GradedRule(RuleModel):
    kind: Literal["graded"]
    levels: list[Level] = Field(min_length=1)


def _of_level(rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Whether each row's level is one of its rule's, and the points of that level (0 if
    none); a column of the (narrow) level table at a time."""
    level = rows.facts["level"]
    keys, points = rows.params["table_a"], rows.params["table_b"]
    known = np.zeros(len(level), dtype=bool)
    earned = np.zeros(len(level), dtype=np.int64)
    for j in range(keys.shape[1]):
        match = keys[:, j] == level
        known |= match
        earned = np.where(match, points[:, j], earned)
    known &= level >= 0
    return known, np.where(known, earned, 0)


class Graded(Kind):
    name = "graded"
    model = GradedRule
    title = "Mức đánh giá"
    order = 7
    required = ("level",)
    inputs = (Input("level", "level", "level", FACT_LABELS["level"]),)

    def choice_labels(self, rule: GradedRule) -> dict[str, str]:
        return {lv.key: lv.label for lv in rule.levels}

    def check(
        self, ck: Checks, rule: GradedRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        seen: set[str] = set()
        for i, level in enumerate(rule.levels):
            ck.share(level.share, path + ("levels", i, "share"))
            if level.key in seen:
                ck.add("levels-duplicate", path + ("levels", i, "key"), value=level.key)
            seen.add(level.key)

    def compile(self, rule: GradedRule, max_c: int, levels: Mapping[str, int]) -> Compiled:
        return Compiled(
            table=tuple((levels[lv.key], share_of(max_c, lv.share)) for lv in rule.levels)
        )

    def value_checks(self, rows: Rows) -> Iterator[ValueProblem]:
        known, _ = _of_level(rows)
        given = rows.facts["level"] != NA_INT
        yield ValueProblem("unknown-level", "level", given & ~known, value="level")

    def points(self, rows: Rows) -> np.ndarray:
        return _of_level(rows)[1]

    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        return {
            "levels": [
                {"key": "full", "label": "Đầy đủ", "share": Decimal(1)},
                {"key": "minor", "label": "Vi phạm nhẹ", "share": Decimal("0.5")},
                {"key": "serious", "label": "Nghiêm trọng", "share": Decimal(0)},
            ]
        }

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        levels = rule.levels
        return {"level": levels[0].key if good else rng.choice(levels).key}

    def sample_facts(
        self, rule: Mapping[str, Any], maximum: Decimal, good: bool, rng: random.Random
    ) -> dict[str, Any]:
        keys = [lv["key"] for lv in rule["levels"]]
        return {"level": keys[0] if good else rng.choice(keys[1:])}

    def sample_columns(
        self, rule: GradedRule, maximum: Decimal, good: np.ndarray, rng: np.random.Generator
    ) -> dict[str, Any]:
        keys = np.array(self.choices(rule), dtype=object)
        return {"level": np.where(good, keys[0], keys[rng.integers(0, len(keys), len(good))])}


KIND = Graded()
