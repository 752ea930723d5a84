"""The scalar one-agency scorer (``parindex.single``) against the vectorised engine and the naive
reference scorer, on generated sets and submissions, and on a few cases worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import reference
from builders import DUE, YEAR, build_set, extras, leaf, submission, survey
from hypothesis import HealthCheck, given, settings
from test_reference_property import blocks, c_of

from parindex.criteria import criteria_from_dict
from parindex.errors import Issue
from parindex.scoring import NA_INT, score_block
from parindex.single import AgencyScore, score_agency
from parindex.submission import parse_submission
from parindex.survey import SurveyResult

D = Decimal


def _na(value: Any) -> int | None:
    return None if int(value) == NA_INT else int(value)


def _issues(issues: list[Issue]) -> list[tuple[str, str, str, str, str, str, str]]:
    return [
        (
            i.code,
            i.severity,
            i.value,
            i.message,
            i.location.file,
            i.location.leaf,
            i.location.fact,
        )
        for i in issues
    ]


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(blocks())
def test_single_matches_score_block_and_reference(
    block: tuple[dict[str, Any], list[dict[str, Any]], Any],
) -> None:
    data, subs, surveys = block
    loaded = criteria_from_dict(data)
    parsed = [parse_submission(s, loaded, source=f"{s['agency']}.yaml") for s in subs]
    assert [i for p in parsed for i in p.issues if i.severity == "error"] == []
    rows = [SurveyResult(a, k, int(v * 10_000), None, 2) for (a, k), v in surveys.items()]
    block_result = score_block(loaded, parsed, rows, {s["agency"]: s["agency"] for s in subs})
    ref = reference.score(data, subs, surveys)
    leaf_rows = block_result.leaves.to_dict("records")
    agency_rows = {r["agency"]: r for r in block_result.agencies.to_dict("records")}
    component_rows = block_result.components.to_dict("records")
    for p in parsed:
        got = score_agency(loaded, p, rows)
        agency = p.agency

        # every leaf column of the engine's frame
        want_leaves = [
            (
                r["leaf"],
                r["section"],
                r["field"],
                r["criterion"],
                r["kind"],
                int(r["max_c"]),
                r["state"],
                int(r["self_c"]),
                _na(r["round1_c"]),
                _na(r["round2_c"]),
                int(r["final_c"]),
                bool(r["applicable"]),
                bool(r["did_not_arise"]),
                bool(r["survey"]),
            )
            for r in leaf_rows
            if r["agency"] == agency
        ]
        got_leaves = [
            (
                s.leaf,
                s.section,
                s.field,
                s.criterion,
                s.kind,
                s.max_c,
                s.state,
                s.self_c,
                s.round1_c,
                s.round2_c,
                s.final_c,
                s.applicable,
                s.did_not_arise,
                s.survey,
            )
            for s in got.leaves.values()
        ]
        assert got_leaves == want_leaves

        a = agency_rows[agency]
        assert _totals(got) == (
            int(a["tree_c"]),
            int(a["applicable_c"]),
            int(a["survey_c"]),
            int(a["appraised_c"]),
            int(a["bonus_c"]),
            int(a["penalty_c"]),
            int(a["total_c"]),
            int(a["index_u"]),
            a["band"],
        )
        want_components = [
            (
                r["level"],
                r["code"],
                int(r["achieved_c"]),
                int(r["max_c"]),
                int(r["index_u"]),
                None if "weighted_c" not in r or r["level"] != "field" else int(r["weighted_c"]),
            )
            for r in component_rows
            if r["agency"] == agency
        ]
        got_components = [
            (c.level, c.code, c.achieved_c, c.max_c, c.index_u, c.weighted_c)
            for c in got.components
        ]
        assert got_components == want_components
        assert _issues(got.issues) == _issues(
            [i for i in block_result.issues if i.location.agency == agency]
        )

        # and the naive reference, independently
        r = ref[agency]
        assert {code: c_of(lr.final) for code, lr in r.leaves.items()} == {
            code: s.final_c for code, s in got.leaves.items()
        }
        assert {
            code: (lr.applicable or lr.section != "tree", lr.did_not_arise)
            for code, lr in r.leaves.items()
        } == {
            code: (s.applicable or s.section != "tree", s.did_not_arise)
            for code, s in got.leaves.items()
        }
        assert (
            got.total_c,
            got.applicable_c,
            got.index_u,
            got.bonus_c,
            got.penalty_c,
            got.survey_c,
            got.appraised_c,
            got.band,
        ) == (
            c_of(r.achieved),
            c_of(r.applicable_max),
            c_of(r.index),
            c_of(r.bonus),
            c_of(r.penalty),
            c_of(r.survey_points),
            c_of(r.appraised_points),
            r.band,
        )
        errors = [i.location.leaf for i in got.issues if i.severity == "error"]
        assert errors == r.errors


def _totals(s: AgencyScore) -> tuple[Any, ...]:
    return (
        s.tree_c,
        s.applicable_c,
        s.survey_c,
        s.appraised_c,
        s.bonus_c,
        s.penalty_c,
        s.total_c,
        s.index_u,
        s.band,
    )


def _score(
    data: dict[str, Any], leaves: dict[str, Any], surveys: list[SurveyResult] | None = None
) -> AgencyScore:
    loaded = criteria_from_dict(data)
    parsed = parse_submission(submission("a", leaves), loaded)
    assert [i for i in parsed.issues if i.severity == "error"] == []
    return score_agency(loaded, parsed, surveys or [])


# ------------------------------------------------------------------------------ by hand
def test_rules_by_hand() -> None:
    tiers = [{"at_least": D(80), "points": D(1)}, {"at_least": D(50), "points": D("0.5")}]
    data = build_set(
        [
            [
                [
                    leaf(1, "yes-no"),  # 1.1.1 done → 1
                    leaf(1, "deadline", due=DUE, late_share=D("0.5")),  # 1.1.2 late → 0.5
                    leaf(1, "tiers", tiers=tiers),  # 1.1.3 4/5 = 80 % → the 80 tier: 1
                    leaf(1, "proportional"),  # 1.1.4 2/3 → 0.666… → 0.67
                ],
                [
                    leaf(2, "per-item", points_each=D("0.75")),  # 1.2.1 3 × 0.75 = 2.25 → cap 2
                    leaf(2, "deduction", points_each=D("0.5"), floor=D("0.5")),  # 5 → floor 0.5
                    leaf("0.25", "graded", levels=[{"key": "a", "label": "A", "share": D("0.5")}]),
                    # 1.2.3 0.25 × 0.5 = 0.125 → 0.13
                    leaf(1, "manual"),  # 1.2.4 0.75 as typed
                ],
            ]
        ]
    )
    got = _score(
        data,
        {
            "1.1.1": {"done": True, "evidence": [{"number": "1", "url": "http://x"}]},
            "1.1.2": {"date": DUE + dt.timedelta(days=1), "explanation": "trễ"},
            "1.1.3": {"numerator": 4, "denominator": 5, "explanation": "x"},
            "1.1.4": {"numerator": 2, "denominator": 3, "explanation": "x"},
            "1.2.1": {"count": 3, "explanation": "x"},
            "1.2.2": {"count": 5, "explanation": "x"},
            "1.2.3": {"level": "a", "explanation": "x"},
            "1.2.4": {"score": D("0.75"), "explanation": "x"},
        },
    )
    assert {c: s.final_c for c, s in got.leaves.items()} == {
        "1.1.1": 100,
        "1.1.2": 50,
        "1.1.3": 100,
        "1.1.4": 67,
        "1.2.1": 200,
        "1.2.2": 50,
        "1.2.3": 13,
        "1.2.4": 75,
    }
    # 1 + 0.5 + 1 + 0.67 + 2 + 0.5 + 0.13 + 0.75 = 6.55 of 9.25 → 70.81 % (70.8108…)
    assert (got.total_c, got.applicable_c, got.index_u) == (655, 925, 7081)
    assert [(c.level, c.code, c.achieved_c, c.max_c) for c in got.components] == [
        ("field", "1", 655, 925),
        ("criterion", "1.1", 317, 400),
        ("criterion", "1.2", 338, 525),
    ]
    # 1.1.1 has a document: no issue; every other leaf has an explanation
    assert got.issues == []


def test_did_not_arise_policies_and_issues_by_hand() -> None:
    data = build_set(
        [
            [
                [
                    leaf(2, "yes-no"),  # 1.1.1 claimed "did not arise", excluded: out of the max
                    leaf(1, "proportional", leaf_did_not_arise="full-points"),  # 1.1.2 0/0 → 1
                    leaf(1, "tiers", tiers=[{"at_least": D(0), "points": D(1)}]),
                    # 1.1.3 0/0, not allowed → 0 with an error
                    leaf(1, "yes-no"),  # 1.1.4 empty → 0, leaf-empty
                    leaf(1, "yes-no"),  # 1.1.5 done, no evidence → evidence-missing
                    leaf(4, "survey", survey="sipas"),  # 1.1.6 75 % of 4 → 3
                    leaf(1, "survey", survey="can-bo"),  # 1.1.7 no result → 0, survey-missing
                ]
            ]
        ],
        did_not_arise="excluded",
    )
    data["fields"][0]["criteria"][0]["subcriteria"][2]["did_not_arise"] = "not-allowed"
    got = _score(
        data,
        {
            "1.1.1": {"did_not_arise": "Không có"},
            "1.1.2": {"numerator": 0, "denominator": 0},
            "1.1.3": {"numerator": 0, "denominator": 0},
            "1.1.5": {"done": True},
        },
        [survey("a", "sipas", "75")],
    )
    leaves = got.leaves
    assert (leaves["1.1.1"].final_c, leaves["1.1.1"].applicable) == (0, False)
    assert (leaves["1.1.2"].final_c, leaves["1.1.2"].did_not_arise) == (100, True)
    assert (leaves["1.1.3"].final_c, leaves["1.1.3"].did_not_arise) == (0, False)
    assert (leaves["1.1.6"].final_c, leaves["1.1.6"].state) == (300, "survey")
    # 0 + 1 + 0 + 0 + 1 + 3 + 0 = 5 of 9 (11 less the excluded 2) → 55.56 %
    assert (got.total_c, got.applicable_c, got.index_u) == (500, 900, 5556)
    assert (got.survey_c, got.appraised_c) == (300, 200)
    assert [(i.code, i.location.leaf, i.severity) for i in got.issues] == [
        ("survey-missing", "1.1.7", "warning"),
        ("did-not-arise-not-allowed", "1.1.3", "error"),
        ("leaf-empty", "1.1.4", "warning"),
        ("evidence-missing", "1.1.5", "warning"),
    ]


def test_weights_caps_and_rounds_by_hand() -> None:
    data = build_set(
        [[[leaf(2, "yes-no"), leaf(1, "yes-no")]], [[leaf(1, "manual")]]],
        weights=[60, 40],
        bonus=extras(2, leaf(2, "yes-no"), leaf(1, "yes-no")),
        penalty=extras(1, leaf(1, "yes-no"), prefix="D"),
    )
    yes = {"done": True, "explanation": "x"}
    got = _score(
        data,
        {
            "1.1.1": yes,  # 2
            "1.1.2": {"done": False},  # 0
            # self 1, round 1 says 0.5, round 2 says 0.25: the last round wins
            "2.1.1": {
                "score": D(1),
                "explanation": "x",
                "appraisal": {
                    "round1": {"score": D("0.5"), "reason": "r"},
                    "round2": {"score": D("0.25"), "reason": "r"},
                },
            },
            "T1": yes,  # 2
            "T2": yes,  # 1 → bonus 3, capped at 2
            "D1": yes,  # penalty 1
        },
    )
    assert (got.leaves["2.1.1"].self_c, got.leaves["2.1.1"].final_c) == (100, 25)
    # field 1: 2 of 3 × 60 = 40; field 2: 0.25 of 1 × 40 = 10 → 50 of 100; + 2 − 1 = 51
    assert [c.weighted_c for c in got.components if c.level == "field"] == [4000, 1000]
    assert (got.tree_c, got.bonus_c, got.penalty_c, got.total_c) == (5000, 200, 100, 5100)
    assert (got.applicable_c, got.index_u) == (10000, 5100)
    assert got.appraised_c == 225  # unweighted: 2 + 0 + 0.25


def test_total_never_below_zero_and_year_is_not_needed() -> None:
    data = build_set([[[leaf(1, "yes-no")]]], penalty=extras(1, leaf(1, "yes-no"), prefix="D"))
    got = _score(data, {"1.1.1": {"done": False}, "D1": {"done": True, "explanation": "x"}})
    assert (got.total_c, got.applicable_c, got.index_u) == (0, 100, 0)


def test_only_the_agency_s_own_survey_results_count() -> None:
    data = build_set([[[leaf(2, "survey", survey="sipas")]]])
    loaded = criteria_from_dict(data)
    parsed = parse_submission({"agency": "a", "year": YEAR, "leaves": {}}, loaded)
    got = score_agency(loaded, parsed, [survey("b", "sipas", "100")])
    assert got.leaves["1.1.1"].final_c == 0
    assert [i.code for i in got.issues] == ["survey-missing"]
