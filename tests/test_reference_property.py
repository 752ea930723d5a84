"""The engine must agree with the naive reference scorer on random criteria sets and submissions."""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import reference
from builders import YEAR, build_set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from parindex.criteria import criteria_from_dict
from parindex.scoring import score_block
from parindex.submission import parse_submission
from parindex.survey import SurveyResult

D = Decimal


# Hypothesis keeps a cache (and writes failure patches) under ./.hypothesis, and its pytest plugin
# fills that cache while collecting; tests never write into the repository, so send it to the
# system's temporary directory as soon as this module is imported.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "parindex-hypothesis")

POLICIES = ("excluded", "full-points", "not-allowed")
TIE_KEYS = ("appraised_points", "survey_points", "bonus_points", "penalty_points")
SURVEYS = ("sipas", "can-bo")
STEPS = (D("0.01"), D("0.05"), D("0.1"), D("0.25"), D("0.5"), D(1))
TREE_KINDS = (
    "yes-no",
    "deadline",
    "tiers",
    "proportional",
    "per-item",
    "deduction",
    "graded",
    "manual",
    "survey",
)
EXTRA_KINDS = TREE_KINDS[:-1]


def cents(lo: int, hi: int) -> st.SearchStrategy[Decimal]:
    """A multiple of 0.01 between lo/100 and hi/100."""
    return st.integers(lo, hi).map(lambda c: D(c) / 100)


def c_of(value: Decimal) -> int:
    return int(value * 100)


max_points = st.one_of(
    st.sampled_from(
        [D("0.25"), D("0.5"), D("0.75"), D(1), D("1.5"), D(2), D("2.5"), D(3), D(5), D(10)]
    ),
    cents(1, 2000),
)
rates = st.one_of(st.sampled_from([D(0), D(50), D(80), D(100)]), cents(0, 10_000))
shares = st.one_of(
    st.sampled_from([D(0), D("0.5"), D(1)]), st.integers(0, 10_000).map(lambda u: D(u) / 10_000)
)


@st.composite
def rules(draw: st.DrawFn, kind: str, mx: Decimal) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": kind, "wording": f"Cách chấm {kind}"}
    top = c_of(mx)
    if kind == "deadline":
        rule["due"] = draw(st.dates(dt.date(YEAR, 1, 31), dt.date(YEAR, 12, 31)))
        rule["late_share"] = draw(shares)
    elif kind == "tiers":
        bounds = sorted(draw(st.lists(rates, min_size=1, max_size=4, unique=True)), reverse=True)
        pts = sorted(
            draw(st.lists(cents(0, top), min_size=len(bounds), max_size=len(bounds))), reverse=True
        )
        rule["tiers"] = [{"at_least": a, "points": p} for a, p in zip(bounds, pts, strict=True)]
    elif kind == "proportional":
        if draw(st.booleans()):
            lower, upper = sorted(draw(st.lists(rates, min_size=2, max_size=2, unique=True)))
            rule.update(lower=lower, upper=upper)
    elif kind == "per-item":
        rule["points_each"] = draw(cents(1, top))
    elif kind == "deduction":
        rule["points_each"] = draw(cents(1, top + 50))
        if draw(st.booleans()):
            rule["floor"] = draw(cents(0, top))
    elif kind == "graded":
        n = draw(st.integers(1, 4))
        rule["levels"] = [
            {"key": k, "label": f"Mức {k}", "share": draw(shares)} for k in "abcd"[:n]
        ]
    elif kind == "manual":
        steps = [s for s in STEPS if mx % s == 0]
        step = draw(st.sampled_from(steps))
        if step != D("0.25") or draw(st.booleans()):
            rule["step"] = step
    elif kind == "survey":
        rule["survey"] = draw(st.sampled_from(SURVEYS))
    return rule


@st.composite
def leaves(
    draw: st.DrawFn, kinds: tuple[str, ...], cap: Decimal | None = None, coarse: bool = False
) -> dict[str, Any]:
    kind = draw(st.sampled_from(kinds))
    if coarse:
        mx = D(1)
    else:
        mx = draw(max_points) if cap is None else draw(cents(1, c_of(cap)))
    node: dict[str, Any] = {"name": f"Tiêu chí {kind}", "max": mx, "rule": draw(rules(kind, mx))}
    if kind == "survey":
        node.update(survey=True, evidence="none")
    policy = draw(st.one_of(st.none(), st.sampled_from(POLICIES)))
    if policy is not None and cap is None:  # bonus and penalty items take no policy
        node["did_not_arise"] = policy
    return node


@st.composite
def extra_blocks(draw: st.DrawFn, prefix: str, coarse: bool) -> dict[str, Any]:
    if coarse:
        cap, kinds = D(1), ("yes-no",)
    else:
        cap, kinds = draw(st.one_of(st.just(D(0)), cents(1, 500))), EXTRA_KINDS
    n = draw(st.integers(0, 2)) if cap > 0 else 0
    items = [{"code": f"{prefix}{i}", **draw(leaves(kinds, cap, coarse))} for i in range(1, n + 1)]
    return {"cap": cap, "items": items}


@st.composite
def criteria_sets(draw: st.DrawFn, coarse: bool) -> dict[str, Any]:
    """A valid criteria set. A coarse one (1-point yes-no and survey leaves, survey results 0 or
    100 %) makes equal indices, tie-breaks, capped extras and exact band thresholds common."""
    kinds = ("yes-no", "survey") if coarse else TREE_KINDS
    tree = draw(
        st.lists(
            st.lists(
                st.lists(leaves(kinds, coarse=coarse), min_size=1, max_size=4),
                min_size=1,
                max_size=3,
            ),
            min_size=1,
            max_size=4,
        )
    )
    weights = None
    if draw(st.booleans()):
        cuts = sorted(
            draw(st.lists(st.integers(0, 10_000), min_size=len(tree) - 1, max_size=len(tree) - 1))
        )
        edges = [0, *cuts, 10_000]
        weights = [D(b - a) / 100 for a, b in zip(edges, edges[1:], strict=False)]
    thresholds = draw(
        st.lists(
            st.sampled_from([D(25), D(50), D("62.5"), D(75), D(100)])
            if coarse
            else cents(1, 10_000),
            max_size=3,
            unique=True,
        )
    )
    bands = [(f"Nhóm {i}", t) for i, t in enumerate(sorted(thresholds, reverse=True) + [D(0)])]
    top: dict[str, Any] = {
        "bonus": draw(extra_blocks("T", coarse)),
        "penalty": draw(extra_blocks("D", coarse)),
    }
    policy = draw(st.one_of(st.none(), st.sampled_from(POLICIES)))
    if policy is not None:
        top["did_not_arise"] = policy
    if draw(st.booleans()):
        chain = draw(st.permutations(TIE_KEYS))
        top["tie_break"] = list(chain[: draw(st.integers(1, 4))])
    return build_set(tree, weights=weights, bands=bands, **top)


def all_leaves(data: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
    """Every leaf of the set, with whether it is a bonus or penalty item."""
    tree = [(lf, False) for f in data["fields"] for c in f["criteria"] for lf in c["subcriteria"]]
    return tree + [(item, True) for item in data["bonus"]["items"] + data["penalty"]["items"]]


@st.composite
def rate_facts(draw: st.DrawFn, rule: dict[str, Any], extra: bool) -> dict[str, int]:
    if draw(st.booleans()):  # right at (or one off) a bound of the rule, on a base of 10 000
        if rule["kind"] == "tiers":
            bounds = [t["at_least"] for t in rule["tiers"]]
        else:
            bounds = [rule.get("lower", D(0)), rule.get("upper", D(100))]
        num = c_of(draw(st.sampled_from(bounds))) + draw(st.sampled_from([-1, 0, 1]))
        return {"numerator": min(max(num, 0), 10_000), "denominator": 10_000}
    # a bonus/penalty item with a zero denominator: see test_rules.test_extra_item_zero_denominator
    den = draw(
        st.one_of(st.integers(1, 20), st.integers(1, 10**9))
        if extra
        else st.one_of(st.just(0), st.integers(1, 20), st.integers(1, 10**9))
    )
    return {"numerator": draw(st.integers(0, den)), "denominator": den}


@st.composite
def entries(
    draw: st.DrawFn, leaf: dict[str, Any], set_policy: str, coarse: bool, extra: bool
) -> dict[str, Any] | None:
    rule, mx = leaf["rule"], leaf["max"]
    kind = rule["kind"]
    policy = leaf.get("did_not_arise", set_policy)
    step = rule.get("step", D("0.25")) if kind == "manual" else D("0.01")
    if coarse:
        step = mx  # the panel gives 0 or max
    choice = draw(st.sampled_from(["absent", "facts", "facts", "facts", "dna"]))
    if choice == "absent":
        return None
    entry: dict[str, Any] = {}
    if choice == "dna" and policy != "not-allowed" and kind != "survey" and not extra:
        entry["did_not_arise"] = "Trong năm không phát sinh"
    elif kind == "yes-no":
        entry["done"] = draw(st.booleans())
    elif kind == "deadline":
        days = draw(st.one_of(st.sampled_from([-1, 0, 1]), st.integers(-60, 60)))
        variant = draw(st.sampled_from(["not-done", "date", "done-date"]))
        if variant == "not-done":
            entry["done"] = False
        else:
            entry["date"] = rule["due"] + dt.timedelta(days=days)
            if variant == "done-date":
                entry["done"] = True
    elif kind in ("tiers", "proportional"):
        entry.update(draw(rate_facts(rule, extra)))
    elif kind in ("per-item", "deduction"):
        entry["count"] = draw(st.one_of(st.integers(0, 30), st.integers(0, 10**9)))
    elif kind == "graded":
        entry["level"] = draw(st.sampled_from([lv["key"] for lv in rule["levels"]]))
    elif kind == "manual":
        entry["score"] = step * draw(st.integers(0, int(mx / step)))
    appraisal = {}
    for rnd in ("round1", "round2"):
        if draw(st.integers(0, 3)) == 0:
            appraisal[rnd] = {
                "score": step * draw(st.integers(0, int(mx / step))),
                "reason": "Điểm thẩm định",
            }
    if appraisal:
        entry["appraisal"] = appraisal
    return entry


@st.composite
def blocks(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]], dict[Any, Decimal]]:
    coarse = draw(st.integers(0, 3)) == 0
    data = draw(criteria_sets(coarse))
    set_policy = data.get("did_not_arise", "excluded")
    n = draw(st.sampled_from(range(1, 9)))
    subs: list[dict[str, Any]] = []
    surveys: dict[tuple[str, str], Decimal] = {}
    if coarse:
        results = st.sampled_from([D(0), D(100)])
    else:
        results = st.one_of(
            st.none(),
            st.sampled_from([D(0), D("68.25"), D(100)]),
            st.integers(0, 1_000_000).map(lambda u: D(u) / 10_000),
        )
    for i in range(n):
        agency = f"dv{i + 1}"
        source = draw(st.integers(0, i - 1)) if i and draw(st.integers(0, 3)) == 0 else None
        if source is not None:  # a copy of an earlier agency: ties on everything
            earlier = subs[source]
            subs.append({**copy.deepcopy(earlier), "agency": agency})
            for key in SURVEYS:
                if (earlier["agency"], key) in surveys:
                    surveys[agency, key] = surveys[earlier["agency"], key]
            continue
        given_leaves = {}
        for lf, extra in all_leaves(data):
            entry = draw(entries(lf, set_policy, coarse, extra))
            if entry is not None:
                given_leaves[lf["code"]] = entry
        subs.append({"agency": agency, "year": YEAR, "leaves": given_leaves})
        for key in SURVEYS:
            result = draw(results)
            if result is not None:
                surveys[agency, key] = result
    return data, subs, surveys


@settings(
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(blocks())
def test_engine_matches_reference(block: tuple[dict[str, Any], list[dict[str, Any]], Any]) -> None:
    data, subs, surveys = block
    loaded = criteria_from_dict(data)
    parsed = [parse_submission(s, loaded) for s in subs]
    errors = [str(i) for p in parsed for i in p.issues if i.severity == "error"]
    assert errors == [], "the generator made an invalid submission"
    rows = [SurveyResult(a, k, int(v * 10_000), None, 2) for (a, k), v in surveys.items()]
    names = {s["agency"]: s["agency"].upper() for s in subs}
    result = score_block(loaded, parsed, rows, names)
    ref = reference.score(data, subs, surveys)

    engine_errors = {
        (i.location.agency, i.location.leaf) for i in result.issues if i.severity == "error"
    }
    assert engine_errors == {(a, code) for a, r in ref.items() for code in r.errors}

    got_leaves = {
        (r.agency, r.leaf): (
            int(r.final_c),
            bool(r.applicable) or r.section != "tree",
            bool(r.did_not_arise),
        )
        for r in result.leaves.itertuples()
    }
    want_leaves = {
        (a, code): (c_of(lr.final), lr.applicable or lr.section != "tree", lr.did_not_arise)
        for a, r in ref.items()
        for code, lr in r.leaves.items()
    }
    assert got_leaves == want_leaves

    got = {
        r.agency: (
            int(r.total_c),
            int(r.applicable_c),
            int(r.index_u),
            int(r.bonus_c),
            int(r.penalty_c),
            int(r.survey_c),
            int(r.appraised_c),
            int(r.rank),
            r.band,
        )
        for r in result.agencies.itertuples()
    }
    want = {
        a: (
            c_of(r.achieved),
            c_of(r.applicable_max),
            c_of(r.index),
            c_of(r.bonus),
            c_of(r.penalty),
            c_of(r.survey_points),
            c_of(r.appraised_points),
            r.rank,
            r.band,
        )
        for a, r in ref.items()
    }
    assert got == want
