"""One agency's result, for the web app's pages: the same scoring core as a block.

:func:`score_agency` scores one agency's parsed submission (what
:func:`parindex.submission.parse_submission` returns) through
:func:`parindex.scoring.score_rows`, the core every path uses, on arrays as long as the set has
leaves, without the pandas frames of :func:`parindex.scoring.score_block` (whose set-up alone
costs milliseconds). It returns plain dataclasses; the totals are exact integer sums.
``tests/test_single.py`` checks it against ``score_block`` and the naive reference scorer on
generated sets and submissions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from parindex.criteria import LoadedSet
from parindex.errors import Issue, Location
from parindex.ranking import band_of
from parindex.rules import NA_INT
from parindex.scoring import (
    KINDS,
    SECTIONS,
    STATES,
    fact_columns,
    rule_tables,
    score_rows,
    scoring_issues,
)
from parindex.submission import Submission
from parindex.survey import SurveyResult
from parindex.units import half_up_div, to_cents


# ------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class LeafScore:
    """One leaf of the agency: the columns of a row of ``BlockResult.leaves``."""

    leaf: str
    section: str
    field: str
    criterion: str
    kind: str
    max_c: int
    state: str  # "facts" | "empty" | "dna" | "invalid" | "survey" (a survey result was found)
    self_c: int
    round1_c: int | None
    round2_c: int | None
    final_c: int  # round 2, else round 1, else the self-score
    applicable: bool  # counts towards the maximum
    did_not_arise: bool
    survey: bool


@dataclass(frozen=True)
class Component:
    """A field's or a criterion's points (a row of ``BlockResult.components``)."""

    level: str  # "field" | "criterion"
    code: str
    achieved_c: int
    max_c: int
    index_u: int
    weighted_c: int | None = None  # a field's weighted points, when the set has weights


@dataclass
class AgencyScore:
    """One agency's result: a row of ``BlockResult.agencies`` (without the rank, which needs the
    other agencies), its leaves and components, and the scoring issues."""

    agency: str
    leaves: dict[str, LeafScore]  # file order: tree leaves, bonus, penalty items
    components: list[Component]
    tree_c: int  # after weights, when the set has weights
    applicable_c: int
    survey_c: int
    appraised_c: int
    bonus_c: int  # capped
    penalty_c: int  # capped
    total_c: int
    index_u: int  # hundredths of a percent
    band: str
    issues: list[Issue] = field(default_factory=list)


# ------------------------------------------------------------------------------------ scoring
def score_agency(
    loaded: LoadedSet,
    submission: Submission,
    surveys: Iterable[SurveyResult] = (),
) -> AgencyScore:
    """Score one agency's parsed submission: the same points, totals, index, band and scoring
    issues (``survey-missing``, ``did-not-arise-not-allowed``, ``leaf-empty``,
    ``evidence-missing``, in that order) as ``score_block(loaded, [submission], surveys)``.
    ``surveys`` may hold other agencies' results; only this agency's are used."""
    agency = submission.agency
    t = rule_tables(loaded)
    a = t.arrays
    results = {s.survey: s.result_u for s in surveys if s.agency == agency}
    columns, state = fact_columns(t, [submission])
    pos = np.arange(len(t.index))
    survey_u = np.array(
        [results.get(key, NA_INT) for key in t.survey_keys] + [NA_INT], dtype=np.int64
    )[a["survey_key"]]  # -1 (self-scored) picks the NA_INT appended
    scored = score_rows(t, pos, state, columns, survey_u)
    codes = list(t.index)
    source = submission.source

    def where(i: int, fact: str) -> Location:
        return Location(file=source, agency=agency, leaf=codes[i], fact=fact)

    issues = scoring_issues(t, pos, scored, where)
    leaves: dict[str, LeafScore] = {}
    for i, (
        code,
        section,
        fi,
        ci,
        kind,
        max_c,
        st,
        self_c,
        r1,
        r2,
        final_c,
        app,
        dna,
        sv,
    ) in enumerate(
        zip(
            codes,
            a["section"].tolist(),
            a["field"].tolist(),
            a["criterion"].tolist(),
            scored.kind.tolist(),
            scored.max_c.tolist(),
            scored.state.tolist(),
            scored.self_c.tolist(),
            scored.round1_c.tolist(),
            scored.round2_c.tolist(),
            scored.final_c.tolist(),
            scored.applicable.tolist(),
            scored.did_not_arise.tolist(),
            scored.survey.tolist(),
            strict=True,
        )
    ):
        del i
        leaves[code] = LeafScore(
            code,
            SECTIONS[section],
            t.fields[fi],
            t.criteria[ci],
            KINDS[kind],
            max_c,
            STATES[st],
            self_c,
            None if r1 == NA_INT else r1,
            None if r2 == NA_INT else r2,
            final_c,
            app,
            dna,
            sv,
        )
    out = _aggregate(loaded, agency, leaves)
    out.issues = issues
    return out


def _index_u(points: int, maximum: int) -> int:
    """Index in hundredths of a percent, half up; 0 where nothing was applicable."""
    return half_up_div(points * 10_000, maximum) if maximum > 0 else 0


def _aggregate(loaded: LoadedSet, agency: str, leaves: dict[str, LeafScore]) -> AgencyScore:
    m = loaded.model
    sums: dict[tuple[str, str], list[int]] = {}  # (level, code) → [achieved, max], first seen
    tree_c = applicable_c = survey_c = 0
    extra = {"bonus": 0, "penalty": 0}
    for lf in leaves.values():
        if lf.section != "tree":
            extra[lf.section] += lf.final_c
            continue
        counted = lf.final_c if lf.applicable else 0
        max_counted = lf.max_c if lf.applicable else 0
        tree_c += counted
        applicable_c += max_counted
        survey_c += counted if lf.survey else 0
        for key in (("field", lf.field), ("criterion", lf.criterion)):
            part = sums.setdefault(key, [0, 0])
            part[0] += counted
            part[1] += max_counted
    appraised_c = tree_c - survey_c
    weighted: dict[str, int] = {}
    if m.weighted:
        tree_c = applicable_c = 0
        for f in m.fields:
            achieved, mx = sums.get(("field", f.code), [0, 0])
            weight_c = to_cents(f.weight) if f.weight is not None else 0
            points = half_up_div(achieved * weight_c, mx) if mx > 0 else 0
            weighted[f.code] = points
            tree_c += points
            applicable_c += weight_c if mx > 0 else 0
    ordered = [k for k in sums if k[0] == "field"] + [k for k in sums if k[0] == "criterion"]
    components = [
        Component(
            level,
            code,
            sums[level, code][0],
            sums[level, code][1],
            _index_u(sums[level, code][0], sums[level, code][1]),
            weighted.get(code) if level == "field" and m.weighted else None,
        )
        for level, code in ordered
    ]
    bonus_c = min(extra["bonus"], to_cents(m.bonus.cap))
    penalty_c = min(extra["penalty"], to_cents(m.penalty.cap))
    total_c = max(tree_c + bonus_c - penalty_c, 0)
    index_u = _index_u(total_c, applicable_c)
    return AgencyScore(
        agency,
        leaves,
        components,
        tree_c,
        applicable_c,
        survey_c,
        appraised_c,
        bonus_c,
        penalty_c,
        total_c,
        index_u,
        band_of(m, index_u),
    )
