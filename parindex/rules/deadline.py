"""Deadline: "Ban hành kế hoạch CCHC đúng thời hạn: 1 điểm; chậm: 0,5 điểm; không ban hành: 0".

Done by the due date earns the maximum, late the stated share of it, never 0. The agency gives
the date it was done, or ``done: false`` (the form's "chưa ban hành" box)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

import numpy as np

from parindex import dates
from parindex.rules.base import (
    FACT_LABELS,
    NA_INT,
    Checks,
    Compiled,
    Input,
    Kind,
    Rows,
    RuleModel,
    ValueProblem,
    share_of,
)
from parindex.text import number_text


class DeadlineRule(RuleModel):
    kind: Literal["deadline"]
    due: dt.date
    late_share: Decimal  # share of max earned when done late (0.5 = half)


class Deadline(Kind):
    name = "deadline"
    model = DeadlineRule
    title = "Đúng thời hạn"
    order = 2
    optional = ("date", "done")
    inputs = (
        Input("date", "date", "date", FACT_LABELS["date"]),
        Input("not_issued", "done", "not-issued", "Chưa ban hành"),
    )
    params = ("due", "late_c")

    def note(self, rule: DeadlineRule) -> str:
        late = number_text(rule.late_share * 100)
        return f"Hạn: {dates.day(rule.due)}; ban hành chậm được {late} % số điểm."

    def check(
        self, ck: Checks, rule: DeadlineRule, maximum: Decimal, path: tuple[str | int, ...]
    ) -> None:
        ck.share(rule.late_share, path + ("late_share",))

    def compile(self, rule: DeadlineRule, max_c: int, levels: Mapping[str, int]) -> Compiled:
        return Compiled({"due": rule.due.toordinal(), "late_c": share_of(max_c, rule.late_share)})

    def value_checks(self, rows: Rows) -> Iterator[ValueProblem]:
        done, date = rows.facts["done"], rows.facts["date"]
        yield ValueProblem(
            "fact-wrong-type",
            "date",
            (date != NA_INT) & (done == 0),
            detail="đã khai 'done: false' thì không ghi ngày",
        )
        # done, but when? the date is what scores it
        yield ValueProblem("fact-missing", "date", (done == 1) & (date == NA_INT), detail="kind")

    def points(self, rows: Rows) -> np.ndarray:
        date, p = rows.facts["date"], rows.params
        on_time = date <= p["due"]
        return np.where(date == NA_INT, 0, np.where(on_time, p["max_c"], p["late_c"]))

    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        return {"due": dt.date(year, rng.randint(1, 6), 15), "late_share": Decimal("0.5")}

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        if rng.random() < 0.04:
            return {"done": False}
        delta = -rng.randint(1, 25) if good else rng.randint(1, 40)
        return {"date": rule.due + dt.timedelta(days=delta)}

    def sample_facts(
        self, rule: Mapping[str, Any], maximum: Decimal, good: bool, rng: random.Random
    ) -> dict[str, Any]:
        return {"date": rule["due"] + dt.timedelta(days=-3 if good else 9)}

    def sample_columns(
        self, rule: DeadlineRule, maximum: Decimal, good: np.ndarray, rng: np.random.Generator
    ) -> dict[str, Any]:
        import pandas as pd

        days = np.where(good, -3, 9)
        return {"date": pd.Series(pd.Timestamp(rule.due) + pd.to_timedelta(days, unit="D"))}


KIND = Deadline()
