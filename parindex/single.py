"""Exact scoring of one agency with plain Python integers: the web app's per-request path.

:func:`parindex.scoring.score_block` scores a whole block column-wise with pandas; setting up its
frames costs milliseconds even for a single agency, which is most of a web page's time when the
page shows one agency's points. :func:`score_agency` gives the same numbers and the same scoring
issues for one agency's parsed submission (what :func:`parindex.submission.parse_submission`
returns), leaf by leaf: points in integer hundredths, rounded half up where a rule computes them,
every later sum exact. ``tests/test_single.py`` checks it against ``score_block`` and the naive
reference scorer on generated sets and submissions.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from parindex.criteria import (
    DeadlineRule,
    DeductionRule,
    GradedRule,
    Leaf,
    LoadedSet,
    PerItemRule,
    ProportionalRule,
    SurveyRule,
    TiersRule,
)
from parindex.errors import Issue, Location
from parindex.ranking import band_of
from parindex.submission import LeafFacts, Submission
from parindex.survey import SurveyResult
from parindex.units import half_up_div, to_cents, to_units


# ------------------------------------------------------------------------------ rule parameters
@dataclass(frozen=True)
class LeafRule:
    """One leaf's rule as integers (the scalar twin of a row of ``scoring.rule_tables``)."""

    code: str
    section: str  # "tree" | "bonus" | "penalty"
    field: str  # "" for bonus and penalty items
    criterion: str
    kind: str
    max_c: int
    policy: str  # bonus and penalty items: "excluded" (nothing to count earns nothing)
    evidence_required: bool
    survey_key: str = ""
    due: int | None = None  # deadline: the due date's ordinal
    late_c: int = 0
    each_c: int = 0
    floor_c: int = 0
    lower_u: int = 0  # proportional bounds, hundredths of a percent
    upper_u: int = 0
    tiers: tuple[tuple[int, int], ...] = ()  # (at least, hundredths of a percent; points)
    levels: tuple[tuple[str, int], ...] = ()  # (level key, points)


def _leaf_rule(loaded: LoadedSet, section: str, fcode: str, ccode: str, leaf: Leaf) -> LeafRule:
    rule = leaf.rule
    max_c = to_cents(leaf.max)
    due: int | None = None
    late_c = each_c = floor_c = lower_u = upper_u = 0
    tiers: tuple[tuple[int, int], ...] = ()
    levels: tuple[tuple[str, int], ...] = ()
    if isinstance(rule, DeadlineRule):
        due = rule.due.toordinal()
        late_c = half_up_div(max_c * to_units(rule.late_share, 4), 10**4)
    elif isinstance(rule, TiersRule):
        tiers = tuple((to_units(t.at_least, 2), to_cents(t.points)) for t in rule.tiers)
    elif isinstance(rule, ProportionalRule):
        lower_u, upper_u = to_units(rule.lower, 2), to_units(rule.upper, 2)
    elif isinstance(rule, PerItemRule):
        each_c = to_cents(rule.points_each)
    elif isinstance(rule, DeductionRule):
        each_c, floor_c = to_cents(rule.points_each), to_cents(rule.floor)
    elif isinstance(rule, GradedRule):
        levels = tuple(
            (lv.key, half_up_div(max_c * to_units(lv.share, 4), 10**4)) for lv in rule.levels
        )
    return LeafRule(
        code=leaf.code,
        section=section,
        field=fcode,
        criterion=ccode,
        kind=rule.kind,
        max_c=max_c,
        policy=loaded.model.policy(leaf) if section == "tree" else "excluded",
        evidence_required=leaf.evidence == "required",
        survey_key=rule.survey if isinstance(rule, SurveyRule) else "",
        due=due,
        late_c=late_c,
        each_c=each_c,
        floor_c=floor_c,
        lower_u=lower_u,
        upper_u=upper_u,
        tiers=tiers,
        levels=levels,
    )


_RULES: weakref.WeakKeyDictionary[LoadedSet, tuple[LeafRule, ...]] = weakref.WeakKeyDictionary()


def leaf_rules(loaded: LoadedSet) -> tuple[LeafRule, ...]:
    """Every leaf of the set (tree leaves, then bonus, then penalty items, in file order) with
    its rule as integers; computed once per loaded set."""
    cached = _RULES.get(loaded)
    if cached is None:
        m = loaded.model
        rules = [_leaf_rule(loaded, "tree", f.code, c.code, leaf) for f, c, leaf in m.leaves()]
        rules += [_leaf_rule(loaded, "bonus", "", "", item) for item in m.bonus.items]
        rules += [_leaf_rule(loaded, "penalty", "", "", item) for item in m.penalty.items]
        cached = tuple(rules)
        _RULES[loaded] = cached
    return cached


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
def _half_up(num: int, den: int) -> int:
    return (2 * num + den) // (2 * den)


def _rule_points(r: LeafRule, f: LeafFacts) -> int:
    """The self-score the rule gives for facts in state "facts" (a zero denominator: 0)."""
    kind = r.kind
    if kind == "yes-no":
        return r.max_c if f.done is True else 0
    if kind == "deadline":
        if f.date is None:
            return 0
        assert r.due is not None
        return r.max_c if f.date.toordinal() <= r.due else r.late_c
    if kind in ("tiers", "proportional"):
        num, den = f.numerator, f.denominator
        if num is None or den is None or den <= 0:
            return 0
        if kind == "tiers":
            reached = [p for at_least, p in r.tiers if num * 10_000 >= at_least * den]
            return max(reached, default=0)
        lo, hi = r.lower_u, r.upper_u
        part = _half_up(r.max_c * (num * 10_000 - lo * den), (hi - lo) * den)
        return min(max(part, 0), r.max_c)
    if kind == "per-item":
        return 0 if f.count is None else min(f.count * r.each_c, r.max_c)
    if kind == "deduction":
        return 0 if f.count is None else max(r.max_c - f.count * r.each_c, r.floor_c)
    if kind == "graded":
        return next((p for key, p in r.levels if key == f.level), 0)
    if kind == "manual":
        return f.score_c or 0
    return 0


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
    results = {s.survey: s.result_u for s in surveys if s.agency == agency}
    source = submission.source

    def where(code: str, fact: str = "") -> Location:
        return Location(file=source, agency=agency, leaf=code, fact=fact)

    survey_missing: list[Issue] = []
    not_allowed: list[Issue] = []
    empty: list[Issue] = []
    no_evidence: list[Issue] = []
    leaves: dict[str, LeafScore] = {}
    for r in leaf_rules(loaded):
        f = submission.facts.get(r.code)
        state = "empty" if f is None else f.state
        has = state == "facts"
        self_c = _rule_points(r, f) if has and f is not None else 0
        zero_den = (
            has
            and f is not None
            and r.kind in ("tiers", "proportional")
            and f.denominator is not None
            and f.denominator == 0
        )
        survey = r.kind == "survey"
        if survey:
            result_u = results.get(r.survey_key)
            if result_u is None:
                self_c = 0
                survey_missing.append(
                    Issue.make(
                        "survey-missing", where(r.code), value=r.survey_key, severity="warning"
                    )
                )
            else:
                self_c = _half_up(r.max_c * result_u, 1_000_000)
                state = "survey"
        # did not arise: claimed, or a rate whose denominator is 0
        dna = state == "dna" or zero_den
        if zero_den and r.policy == "not-allowed":
            not_allowed.append(
                Issue.make("did-not-arise-not-allowed", where(r.code, "denominator"), value=r.code)
            )
            dna = False
        applicable = True
        if dna and r.policy == "excluded":
            self_c, applicable = 0, False
        elif dna and r.policy == "full-points":
            self_c = r.max_c
        r1 = None if f is None else f.round1_c
        r2 = None if f is None else f.round2_c
        final_c = r2 if r2 is not None else r1 if r1 is not None else self_c
        if r1 is not None or r2 is not None:
            applicable = True  # the panel scored it: it counts
        if state == "empty" and not survey and r.section == "tree":
            empty.append(Issue.make("leaf-empty", where(r.code), severity="warning"))
        if (
            r.evidence_required
            and self_c > 0
            and has
            and not dna
            and f is not None
            and not f.has_evidence
            and not f.has_explanation
        ):
            no_evidence.append(
                Issue.make(
                    "evidence-missing",
                    where(r.code, "evidence"),
                    value=f"{self_c // 100}.{self_c % 100:02d}",
                    severity="warning",
                )
            )
        leaves[r.code] = LeafScore(
            r.code,
            r.section,
            r.field,
            r.criterion,
            r.kind,
            r.max_c,
            state,
            self_c,
            r1,
            r2,
            final_c,
            applicable,
            dna,
            survey,
        )
    out = _aggregate(loaded, agency, leaves)
    out.issues = survey_missing + not_allowed + empty + no_evidence
    return out


def _index_u(points: int, maximum: int) -> int:
    """Index in hundredths of a percent, half up; 0 where nothing was applicable."""
    return _half_up(points * 10_000, maximum) if maximum > 0 else 0


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
            points = _half_up(achieved * weight_c, mx) if mx > 0 else 0
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
