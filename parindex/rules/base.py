"""What a rule kind implements, and the little the kinds share.

A kind is one module of this package holding one :class:`Kind` subclass and its pydantic rule
model. The class declares, once: the facts the kind takes (required, optional) and the inputs a
form shows for them, the rule's labels, its definition checks, how a leaf's rule compiles into
integers, its value checks and its points. Points and value checks work on numpy arrays: a block
is many rows, one agency is as many rows as it has leaves of the kind.

Amounts are integer hundredths of a point ("cents"), rates integer hundredths of a percent, dates
day ordinals; ``NA_INT`` marks an absent fact.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from parindex.units import half_up_div, to_units

NA_INT = -1  # an absent fact in an int64 column
UNKNOWN_CHOICE = -2  # a ``level`` given that is none of the set's levels

#: every fact a submission can state for a leaf, in the order forms and checks take them
FACTS = ("done", "date", "numerator", "denominator", "count", "level", "score")

#: the Vietnamese label of each fact where the rule does not give its own
FACT_LABELS = {
    "done": "Kết quả",
    "date": "Ngày ban hành, thực hiện",
    "level": "Mức đánh giá",
    "score": "Điểm tự chấm",
    "count": "Số lượng",
}

Widget = Literal["co-khong", "date", "not-issued", "integer", "level", "score"]


class StrictModel(BaseModel):
    """A part of a criteria file: unknown keys are errors, values never change once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleModel(StrictModel):
    """What every rule states: its kind (the model's tag) and the official wording."""

    kind: str
    wording: str = Field(min_length=1)  # the official wording, shown to agencies and appraisers


@dataclass(frozen=True)
class Input:
    """One input of a leaf in a form or a workbook: its key (the form names it ``<code>-<key>``),
    the fact it fills, the widget that shows it and its Vietnamese label.

    Widgets: ``co-khong`` a Có/Không choice (``done``); ``date`` a date typed dd/mm/yyyy;
    ``not-issued`` the "chưa ban hành" box beside a date (``done: false``); ``integer`` a count;
    ``level`` a select of the rule's levels; ``score`` a score on the rule's step."""

    key: str
    fact: str
    widget: Widget
    label: str


class Checks(Protocol):
    """The criteria file's checker, as the definition checks of a kind use it: each call
    records an issue at ``path`` (a YAML path) and the helpers say whether the value was fine."""

    def add(self, code: str, path: tuple[str | int, ...], **kw: Any) -> None: ...

    def points(self, value: Decimal, path: tuple[str | int, ...]) -> bool: ...

    def share(self, value: Decimal, path: tuple[str | int, ...]) -> None: ...

    def rate(self, value: Decimal, path: tuple[str | int, ...]) -> bool: ...


@functools.cache
def _labelled(kind: type[Kind], labels: tuple[tuple[str, str], ...]) -> tuple[Input, ...]:
    """The kind's inputs with the labels given by fact ("not issued" keeps its own)."""
    by_fact = dict(labels)
    return tuple(
        Input(i.key, i.fact, i.widget, by_fact.get(i.fact, i.label))
        if i.widget != "not-issued"
        else i
        for i in kind.inputs
    )


@dataclass
class Compiled:
    """One leaf's rule as integers: named parameters and, for kinds that have one, a table of
    integer pairs (a tier's lower bound and points, a level's code and points)."""

    params: dict[str, int] = field(default_factory=dict)
    table: tuple[tuple[int, int], ...] = ()


@dataclass
class Rows:
    """The rows of one kind, as arrays of equal length: the compiled rule of each row's leaf
    (``max_c``, the kind's parameters, ``table_a``/``table_b`` as rows × width matrices padded
    with (-1, 0)) and its facts (``done``, ``date``, ``numerator``, ``denominator``, ``count``,
    ``level`` as a code into the set's levels, ``score_c``, and ``survey_u``, the agency's
    survey result in millionths, ``NA_INT`` when none was found)."""

    params: Mapping[str, np.ndarray]
    facts: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class ValueProblem:
    """A value check that failed on some rows: the issue code, the fact it is about, which rows,
    and the facts that give the issue's value and detail."""

    code: str
    fact: str
    mask: np.ndarray
    value: str = ""  # a fact (or parameter) named here gives each row's value
    detail: str = ""


class Kind:
    """A rule kind. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]  # the ``kind:`` of the criteria file
    model: ClassVar[type[RuleModel]]
    title: ClassVar[str]  # its Vietnamese name, e.g. in the Excel template
    order: ClassVar[int]  # its place in the registry: its section 5.<order> of criteria-format.md
    required: ClassVar[tuple[str, ...]] = ()  # facts the agency must give
    optional: ClassVar[tuple[str, ...]] = ()
    inputs: ClassVar[tuple[Input, ...]] = ()  # the form's inputs, with default labels
    self_scored: ClassVar[bool] = True  # False: points come from the survey results
    params: ClassVar[tuple[str, ...]] = ()  # the names :meth:`compile` fills

    # ---------------------------------------------------------------------------- declaration
    @property
    def facts(self) -> tuple[str, ...]:
        return self.required + self.optional

    def labels(self, rule: Any) -> dict[str, str]:
        """The Vietnamese label of each fact the kind takes (the rule may give its own)."""
        return {i.fact: i.label for i in self.inputs if i.widget != "not-issued"}

    def form_inputs(self, rule: Any) -> tuple[Input, ...]:
        """The inputs with the labels this rule gives (built once per set of labels: a page
        asks for them several times per leaf)."""
        return _labelled(type(self), tuple(self.labels(rule).items()))  # type: ignore[arg-type]  # a class hashes

    def choices(self, rule: Any) -> tuple[str, ...]:
        """The values the ``level`` fact may take (graded rules)."""
        return tuple(self.choice_labels(rule))

    def choice_labels(self, rule: Any) -> dict[str, str]:
        """Each value of :meth:`choices` with the label a form shows for it."""
        return {}

    def note(self, rule: Any) -> str:
        """What the rule states that its inputs do not show, in one Vietnamese sentence for
        the agency (shown under the inputs; "" when nothing)."""
        return ""

    def score_step(self, rule: Any) -> Decimal:
        """The step a typed score (self-score or appraised) must be on."""
        return Decimal("0.01")

    def survey_key(self, rule: Any) -> str:
        """The survey whose result gives the points ("" for self-scored kinds)."""
        return ""

    # ----------------------------------------------------------------------------- definition
    def check(self, ck: Checks, rule: Any, maximum: Decimal, path: tuple[str | int, ...]) -> None:
        """The definition checks no single key can make (``path`` is the rule's YAML path)."""

    def compile(self, rule: Any, max_c: int, levels: Mapping[str, int]) -> Compiled:
        """The rule as integers; ``levels`` gives each level key of the set its code."""
        return Compiled()

    # ------------------------------------------------------------------------------- the data
    def one_row(self, rule: Any, max_c: int, facts: Mapping[str, Any]) -> Rows:
        """One leaf's rule and facts as a row (arrays of length one): ``facts`` maps fact
        names to values (``done`` a bool, ``date`` a date, counts, ``level`` a key,
        ``score_c``) or None."""
        levels = {key: i for i, key in enumerate(self.choices(rule))}
        compiled = self.compile(rule, max_c, levels)
        table = compiled.table or ((-1, 0),)
        params = {
            "max_c": np.array([max_c], dtype=np.int64),
            **{p: np.array([compiled.params[p]], dtype=np.int64) for p in self.params},
            "table_a": np.array([[a for a, _ in table]], dtype=np.int64),
            "table_b": np.array([[b for _, b in table]], dtype=np.int64),
        }
        values: dict[str, np.ndarray] = {}
        for name in ("done", "date", "numerator", "denominator", "count", "level", "score_c"):
            value = facts.get(name)
            if value is None:
                number = NA_INT
            elif name == "date":
                number = value.toordinal()
            elif name == "level":
                number = levels.get(value, UNKNOWN_CHOICE)
            else:
                number = int(value)
            values[name] = np.array([number], dtype=np.int64)
        values["survey_u"] = np.array([facts.get("survey_u", NA_INT)], dtype=np.int64)
        return Rows(params, values)

    def value_checks(self, rows: Rows) -> Iterator[ValueProblem]:
        """The kind's own checks of given values (beyond each fact's type and range)."""
        return iter(())

    def not_arisen(self, rows: Rows) -> np.ndarray:
        """Rows whose facts say the leaf did not arise (a rate with nothing to count)."""
        return np.zeros(len(rows.params["max_c"]), dtype=bool)

    def points(self, rows: Rows) -> np.ndarray:
        """The self-score of rows whose facts are valid, in hundredths (before "did not arise"
        and the appraisal rounds, which the scorer applies to every kind alike)."""
        raise NotImplementedError

    # ---------------------------------------------------------------------------- sample data
    def sample_rule(self, maximum: Decimal, year: int, rng: random.Random) -> dict[str, Any]:
        """A rule of the kind for a generated criteria set (without ``kind`` and ``wording``)."""
        return {}

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        """Facts for the bundled sample province (scripts/make_sample.py): the spread a real
        province shows (some late, some rates not arisen); ``good``: the agency did well on this
        leaf; ``policy``: the leaf's "did not arise" policy; None leaves the leaf out."""
        return None

    def sample_facts(
        self, rule: Mapping[str, Any], maximum: Decimal, good: bool, rng: random.Random
    ) -> dict[str, Any]:
        """Facts for a generated submission (``good``: the agency did well)."""
        return {}

    def sample_columns(
        self, rule: Any, maximum: Decimal, good: np.ndarray, rng: np.random.Generator
    ) -> dict[str, Any]:
        """Fact columns for generated records of ``len(good)`` agencies (see parindex.facts):
        only the columns the kind fills."""
        return {}


# ------------------------------------------------------------------------------- shared helpers
class Taken(Mapping[str, np.ndarray]):
    """``source[key][rows]`` for each key, taken when first asked for (a kind reads only the
    few columns it needs)."""

    def __init__(self, source: Mapping[str, np.ndarray], rows: np.ndarray):
        self._source, self._rows = source, rows
        self._taken: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        got = self._taken.get(key)
        if got is None:
            got = self._taken[key] = self._source[key][self._rows]
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)


def share_of(max_c: int, share: Decimal) -> int:
    """``share`` (0–1, at most 4 decimals) of ``max_c`` hundredths, rounded half up."""
    return half_up_div(max_c * to_units(share, 4), 10**4)


def rate_inputs() -> tuple[Input, ...]:
    return (
        Input("numerator", "numerator", "integer", "Số đạt yêu cầu"),
        Input("denominator", "denominator", "integer", "Tổng số"),
    )


class RateKind(Kind):
    """A kind scored on a rate: the agency gives a numerator and a denominator (tiers,
    proportional); a denominator of 0 means the leaf did not arise."""

    required = ("numerator", "denominator")
    inputs = rate_inputs()

    def labels(self, rule: Any) -> dict[str, str]:
        return {"numerator": rule.numerator, "denominator": rule.denominator}

    def value_checks(self, rows: Rows) -> Iterator[ValueProblem]:
        num, den = rows.facts["numerator"], rows.facts["denominator"]
        present = (num != NA_INT) & (den != NA_INT)
        yield ValueProblem(
            "numerator-above-denominator",
            "numerator",
            present & (num > den) & (den >= 0),
            value="numerator",
            detail="denominator",
        )

    def not_arisen(self, rows: Rows) -> np.ndarray:
        return np.asarray(rows.facts["denominator"] == 0)

    def province_facts(
        self, rule: Any, maximum: Decimal, policy: str, good: bool, rng: random.Random
    ) -> dict[str, Any] | None:
        if policy != "not-allowed" and rng.random() < 0.05:
            return {"numerator": 0, "denominator": 0}
        den = rng.choice([12, 40, 85, 150, 320, 1200, 4860])
        low = 0.97 if good else 0.55
        rate = rng.uniform(low, 1.0) if rng.random() < 0.85 else 1.0
        return {"numerator": min(den, round(den * rate)), "denominator": den}

    def sample_facts(
        self, rule: Mapping[str, Any], maximum: Decimal, good: bool, rng: random.Random
    ) -> dict[str, Any]:
        den = rng.choice([0, 20, 150, 1200]) if rng.random() < 0.05 else rng.randint(1, 2000)
        return {"numerator": den if good else rng.randint(0, den), "denominator": den}

    def sample_columns(
        self, rule: Any, maximum: Decimal, good: np.ndarray, rng: np.random.Generator
    ) -> dict[str, Any]:
        n = len(good)
        d = rng.integers(0, 2000, n)
        num = np.where(good, d, (d * rng.random(n)).astype(np.int64))
        return {"numerator": num, "denominator": d}


class CountKind(Kind):
    """A kind scored on a count of items (per item, deduction); the rule names the item."""

    required = ("count",)
    inputs = (Input("count", "count", "integer", FACT_LABELS["count"]),)

    def labels(self, rule: Any) -> dict[str, str]:
        return {"count": rule.item}

    def sample_facts(
        self, rule: Mapping[str, Any], maximum: Decimal, good: bool, rng: random.Random
    ) -> dict[str, Any]:
        return {"count": rng.randint(0, 5)}

    def sample_columns(
        self, rule: Any, maximum: Decimal, good: np.ndarray, rng: np.random.Generator
    ) -> dict[str, Any]:
        return {"count": rng.integers(0, 6, len(good))}
