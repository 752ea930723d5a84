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
    Totals,
    aggregate_rows,
    fact_columns,
    rule_tables,
    score_rows,
    scoring_issues,
)
from parindex.submission import Submission
from parindex.survey import SurveyResult


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
    codes = t.codes
    source = submission.source

    def where(i: int, fact: str) -> Location:
        return Location(file=source, agency=agency, leaf=codes[i], fact=fact)

    issues = scoring_issues(t, pos, scored, where)
    leaves: dict[str, LeafScore] = {}
    columns_of_leaves = zip(
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
    for (
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
    ) in columns_of_leaves:
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
    totals = aggregate_rows(
        loaded,
        np.zeros(len(pos), dtype=np.intp),
        1,
        pos,
        scored.final_c,
        scored.applicable,
        scored.survey,
    )
    out = _agency_score(loaded, agency, leaves, totals)
    out.issues = issues
    return out


def _agency_score(
    loaded: LoadedSet, agency: str, leaves: dict[str, LeafScore], s: Totals
) -> AgencyScore:
    weighted = s.component_weighted_c
    components = [
        Component(
            level,
            code,
            achieved,
            mx,
            index,
            int(weighted[i]) if weighted is not None and level == "field" else None,
        )
        for i, (level, code, achieved, mx, index) in enumerate(
            zip(
                s.component_level.tolist(),
                s.component_code.tolist(),
                s.component_achieved_c.tolist(),
                s.component_max_c.tolist(),
                s.component_index_u.tolist(),
                strict=True,
            )
        )
    ]
    index_u = int(s.index_u[0])
    return AgencyScore(
        agency,
        leaves,
        components,
        int(s.tree_c[0]),
        int(s.applicable_c[0]),
        int(s.survey_c[0]),
        int(s.appraised_c[0]),
        int(s.bonus_c[0]),
        int(s.penalty_c[0]),
        int(s.total_c[0]),
        index_u,
        band_of(loaded.model, index_u),
    )
