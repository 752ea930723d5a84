"""Survey: "Không tự đánh giá, chấm điểm đối với các tiêu chí đánh giá qua điều tra xã hội học" —
never self-scored; points = max × the agency's survey result (0–100 %), which the secretariat
imports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import numpy as np
from pydantic import Field

from parindex.rules.base import NA_INT, Checks, Kind, Rows, RuleModel
from parindex.units import half_up_div


class SurveyRule(RuleModel):
    kind: Literal["survey"]
    survey: str = Field(min_length=1)  # key of the survey in the survey results file


class Survey(Kind):
    name = "survey"
    model = SurveyRule
    title = "Điều tra xã hội học"
    order = 9
    self_scored = False

    def survey_key(self, rule: SurveyRule) -> str:
        return rule.survey

    def check(
        self, ck: Checks, rule: SurveyRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        """Nothing of the rule itself; the leaf around it is checked by the criteria checks
        (``survey: true``, no evidence, not a bonus or penalty item)."""

    def points(self, rows: Rows) -> np.ndarray:
        result = rows.facts["survey_u"]
        found = result != NA_INT
        return np.where(
            found, half_up_div(rows.params["max_c"] * np.where(found, result, 0), 1_000_000), 0
        )

    def sample_rule(self, maximum: Decimal, year: int, rng: Any) -> dict[str, Any]:
        return {"survey": "sipas"}


KIND = Survey()
