"""Each rule kind at its edges, the index, the caps, the weights, the ranking and the bands.

Every expected figure is worked out by hand in the comment next to it (domain.md's rules), never
copied from the engine's output.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from builders import (
    DUE,
    build_set,
    extras,
    leaf,
    points,
    row,
    score,
    submission,
    survey,
)

from parindex.criteria import criteria_from_dict
from parindex.scoring import score_block
from parindex.submission import parse_submission

D = Decimal
THREE_TIERS = [
    {"at_least": D(100), "points": D(1)},
    {"at_least": D(80), "points": D("0.5")},
    {"at_least": D(50), "points": D("0.25")},
]


def one_leaf(node: dict[str, Any], entry: dict[str, Any] | None, **top: Any) -> Decimal:
    """Final points of agency ``a`` on the only leaf (1.1.1) of a one-leaf set."""
    surveys = top.pop("surveys", None)
    leaves = {} if entry is None else {"1.1.1": entry}
    result = score(build_set([[[node]]], **top), [submission("a", leaves)], surveys)
    return points(result, "a", "1.1.1")


# ----------------------------------------------------------------------------------- yes-no
@pytest.mark.parametrize(("done", "expected"), [(True, D("1.5")), (False, D(0))])
def test_yes_no(done: bool, expected: Decimal) -> None:
    # done → the max (1.5); not done → 0
    assert one_leaf(leaf("1.5", "yes-no"), {"done": done}) == expected


# --------------------------------------------------------------------------------- deadline
@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"date": DUE}, D(1)),  # on the due date: on time → max 1
        ({"date": DUE - dt.timedelta(days=30)}, D(1)),  # early → max
        ({"date": DUE + dt.timedelta(days=1)}, D("0.5")),  # one day late → 1 × 0.5
        ({"done": True, "date": DUE + dt.timedelta(days=1)}, D("0.5")),
        ({"done": False}, D(0)),  # never done → 0
    ],
)
def test_deadline(entry: dict[str, Any], expected: Decimal) -> None:
    node = leaf(1, "deadline", due=DUE, late_share=D("0.5"))
    assert one_leaf(node, entry) == expected


def test_deadline_late_share_rounds_half_up() -> None:
    # late: 0.25 × 0.5 = 0.125 → 0.13
    node = leaf("0.25", "deadline", due=DUE, late_share=D("0.5"))
    assert one_leaf(node, {"date": DUE + dt.timedelta(days=1)}) == D("0.13")


# ------------------------------------------------------------------------------------ tiers
@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (100, 100, D(1)),  # 100 % → the 100 tier
        (99_999, 100_000, D("0.5")),  # 99.999 % → just under 100: the 80 tier
        (80, 100, D("0.5")),  # exactly 80 %: a tier includes its lower bound
        (79_999, 100_000, D("0.25")),  # 79.999 % → the 50 tier
        (1, 2, D("0.25")),  # exactly 50 %
        (49, 100, D(0)),  # below every tier → 0
        (0, 7, D(0)),
    ],
)
def test_tiers_bounds(numerator: int, denominator: int, expected: Decimal) -> None:
    node = leaf(1, "tiers", tiers=THREE_TIERS)
    assert one_leaf(node, {"numerator": numerator, "denominator": denominator}) == expected


def test_tiers_bound_with_repeating_rate() -> None:
    # 2/3 = 66.666…% is below a 66.67 tier (it would round to 66.67, but the rate is exact);
    # 6667/10 000 = 66.67 % is on it, 66 671/100 000 = 66.671 % above it
    node = leaf(1, "tiers", tiers=[{"at_least": D("66.67"), "points": D(1)}])
    assert one_leaf(node, {"numerator": 2, "denominator": 3}) == D(0)
    assert one_leaf(node, {"numerator": 6667, "denominator": 10_000}) == D(1)
    assert one_leaf(node, {"numerator": 66_671, "denominator": 100_000}) == D(1)


# ----------------------------------------------------------------------------- proportional
@pytest.mark.parametrize(
    ("numerator", "denominator", "max_", "expected"),
    [
        (6825, 10_000, 2, D("1.37")),  # 2 × 68.25 % = 1.365 → 1.37 (half up)
        (125, 1000, 1, D("0.13")),  # 1 × 12.5 % = 0.125 → 0.13
        (1, 2, "0.25", D("0.13")),  # 0.25 × 50 % = 0.125 → 0.13
        (1, 3, 1, D("0.33")),  # 1 × 33.33…% = 0.3333… → 0.33
        (2, 3, 1, D("0.67")),  # 0.6666… → 0.67
        (0, 5, 1, D(0)),
        (5, 5, "1.5", D("1.5")),
    ],
)
def test_proportional(numerator: int, denominator: int, max_: Any, expected: Decimal) -> None:
    node = leaf(max_, "proportional")
    assert one_leaf(node, {"numerator": numerator, "denominator": denominator}) == expected


@pytest.mark.parametrize(
    ("numerator", "expected"),
    [
        (40, D(0)),  # 40 % is under the lower bound 50 → clamped to 0
        (50, D(0)),  # at the lower bound → 0
        (75, D(1)),  # 2 × (75 − 50)/(100 − 50) = 1
        (90, D("1.6")),  # 2 × 40/50 = 1.6
        (100, D(2)),  # at the upper bound → max
    ],
)
def test_proportional_bounds(numerator: int, expected: Decimal) -> None:
    node = leaf(2, "proportional", lower=D(50), upper=D(100))
    assert one_leaf(node, {"numerator": numerator, "denominator": 100}) == expected


def test_proportional_clamped_above_upper() -> None:
    # upper 80: 90 % would give 1 × 90/80 = 1.125; clamped to the max 1
    node = leaf(1, "proportional", lower=D(0), upper=D(80))
    assert one_leaf(node, {"numerator": 90, "denominator": 100}) == D(1)


@pytest.mark.parametrize(
    ("numerator", "expected"),
    [
        (10**9, D(5000)),  # 100 % of 5000
        (10**9 - 1, D(5000)),  # 5000 × 0.999999999 = 4999.999995 → 5000.00
        (5 * 10**8, D(2500)),  # 50 %
    ],
)
def test_proportional_large_max_and_counts_stay_exact(numerator: int, expected: Decimal) -> None:
    # The format sets no upper limit on a leaf's max, and counts up to 10**9 are accepted; the
    # points must still be exact (no silent 64-bit overflow).
    node = leaf(5000, "proportional")
    assert one_leaf(node, {"numerator": numerator, "denominator": 10**9}) == expected


# ---------------------------------------------------------------------- per item, deduction
@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, D(0)),
        (3, D("1.5")),  # 3 × 0.5
        (4, D(2)),  # 4 × 0.5 = 2: the cap reached exactly
        (5, D(2)),  # 2.5 capped at the max 2
        (10**9, D(2)),
    ],
)
def test_per_item(count: int, expected: Decimal) -> None:
    node = leaf(2, "per-item", points_each=D("0.5"))
    assert one_leaf(node, {"count": count}) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, D(1)),  # nothing late → max 1
        (1, D("0.75")),  # 1 − 0.25
        (3, D("0.25")),  # 1 − 0.75 = 0.25: the floor reached exactly
        (4, D("0.25")),  # 1 − 1 = 0 → the floor 0.25
        (10**9, D("0.25")),
    ],
)
def test_deduction_floor(count: int, expected: Decimal) -> None:
    node = leaf(1, "deduction", points_each=D("0.25"), floor=D("0.25"))
    assert one_leaf(node, {"count": count}) == expected


def test_deduction_default_floor_is_zero() -> None:
    # 1 − 5 × 0.25 = −0.25 → 0
    assert one_leaf(leaf(1, "deduction", points_each=D("0.25")), {"count": 5}) == D(0)


# ----------------------------------------------------------------------------------- graded
@pytest.mark.parametrize(
    ("max_", "level", "expected"),
    [
        ("1.5", "full", D("1.5")),  # 1.5 × 1
        ("1.5", "minor", D("0.75")),  # 1.5 × 0.5
        ("1.5", "serious", D(0)),
        ("0.25", "minor", D("0.13")),  # 0.25 × 0.5 = 0.125 → 0.13
        (1, "third", D("0.33")),  # 1 × 0.3333
        (2, "third", D("0.67")),  # 2 × 0.3333 = 0.6666 → 0.67
    ],
)
def test_graded(max_: Any, level: str, expected: Decimal) -> None:
    levels = [
        {"key": "full", "label": "Tuân thủ đầy đủ", "share": D(1)},
        {"key": "minor", "label": "Vi phạm nhẹ", "share": D("0.5")},
        {"key": "third", "label": "Một phần ba", "share": D("0.3333")},
        {"key": "serious", "label": "Vi phạm nghiêm trọng", "share": D(0)},
    ]
    assert one_leaf(leaf(max_, "graded", levels=levels), {"level": level}) == expected


# ----------------------------------------------------------------------------------- manual
def test_manual_step() -> None:
    node = leaf(1, "manual", step=D("0.25"))
    assert one_leaf(node, {"score": D("0.75")}) == D("0.75")
    assert one_leaf(node, {"score": D(1)}) == D(1)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (D("0.3"), "score-off-step"),  # not a multiple of 0.25
        (D("0.125"), "score-off-step"),  # not a multiple of 0.25 (nor of 0.01)
        (D("1.25"), "score-above-max"),  # a multiple of 0.25, above the max 1
    ],
)
def test_manual_off_step_or_above_max_is_an_error(bad: Decimal, code: str) -> None:
    loaded = criteria_from_dict(build_set([[[leaf(1, "manual", step=D("0.25"))]]]))
    sub = parse_submission(submission("a", {"1.1.1": {"score": bad}}), loaded)
    codes = [i.code for i in sub.issues if i.severity == "error"]
    assert codes == [code]


# ----------------------------------------------------------------------------------- survey
@pytest.mark.parametrize(
    ("max_", "result", "expected"),
    [
        (2, "68.25", D("1.37")),  # 2 × 68.25 % = 1.365 → 1.37
        (1, "99.9999", D(1)),  # 0.999999 → 1.00
        (1, "0.4999", D(0)),  # 0.004999 → 0.00
        (1, "0.5", D("0.01")),  # 0.005 → 0.01
        (3, "100", D(3)),
    ],
)
def test_survey(max_: Any, result: str, expected: Decimal) -> None:
    node = leaf(max_, "survey", survey="sipas")
    assert one_leaf(node, None, surveys=[survey("a", "sipas", result)]) == expected


def test_survey_missing_counts_zero_with_a_warning() -> None:
    data = build_set([[[leaf(2, "survey", survey="sipas"), leaf(2, "yes-no")]]])
    result = score(data, [submission("a", {"1.1.2": {"done": True}})], [])
    assert points(result, "a", "1.1.1") == 0
    # 2 of 4: the survey leaf stays in the maximum
    assert row(result, "a")["index"] == D(50)
    assert ("survey-missing", "warning") in {(i.code, i.severity) for i in result.issues}


# --------------------------------------------------------------------------- did not arise
RATE_KINDS = ("tiers", "proportional")


def _rate_leaf(kind: str, policy: str) -> dict[str, Any]:
    rule = {"tiers": THREE_TIERS} if kind == "tiers" else {}
    return leaf(1, kind, leaf_did_not_arise=policy, **rule)


@pytest.mark.parametrize("kind", RATE_KINDS)
@pytest.mark.parametrize(
    ("policy", "final", "applicable", "index", "error"),
    [
        # excluded: 0 points and the max 1 leaves the maximum → 3 / 3 = 100 %
        ("excluded", D(0), D(3), D(100), False),
        # full points: the leaf earns its max 1 → 4 / 4 = 100 %
        ("full-points", D(1), D(4), D(100), False),
        # not allowed: an error, 0 points, the max stays → 3 / 4 = 75 %
        ("not-allowed", D(0), D(4), D(75), True),
    ],
)
def test_zero_denominator_under_each_policy(
    kind: str, policy: str, final: Decimal, applicable: Decimal, index: Decimal, error: bool
) -> None:
    data = build_set([[[_rate_leaf(kind, policy), leaf(3, "yes-no")]]])
    sub = submission("a", {"1.1.1": {"numerator": 0, "denominator": 0}, "1.1.2": {"done": True}})
    result = score(data, [sub])
    assert points(result, "a", "1.1.1") == final
    assert row(result, "a")["applicable"] == applicable
    assert row(result, "a")["index"] == index
    errors = [(i.code, i.location.leaf) for i in result.issues if i.severity == "error"]
    assert errors == ([("did-not-arise-not-allowed", "1.1.1")] if error else [])


@pytest.mark.parametrize(
    ("policy", "final", "applicable"),
    [("excluded", D(0), D(3)), ("full-points", D(1), D(4))],
)
def test_claimed_did_not_arise(policy: str, final: Decimal, applicable: Decimal) -> None:
    data = build_set([[[leaf(1, "yes-no"), leaf(3, "yes-no")]]], did_not_arise=policy)
    sub = submission(
        "a", {"1.1.1": {"did_not_arise": "Không có văn bản phải ban hành"}, "1.1.2": {"done": True}}
    )
    result = score(data, [sub])
    assert points(result, "a", "1.1.1") == final
    assert row(result, "a")["applicable"] == applicable


def test_claimed_did_not_arise_not_allowed_is_an_error() -> None:
    loaded = criteria_from_dict(
        build_set([[[leaf(1, "yes-no", leaf_did_not_arise="not-allowed")]]])
    )
    sub = parse_submission(submission("a", {"1.1.1": {"did_not_arise": "Không phát sinh"}}), loaded)
    assert [(i.code, i.severity) for i in sub.issues] == [("did-not-arise-not-allowed", "error")]


def test_leaf_policy_overrides_set_policy() -> None:
    # the set says full points, the leaf says excluded: 2 / 2 = 100 %, the leaf earns 0
    data = build_set(
        [[[leaf(1, "yes-no", leaf_did_not_arise="excluded"), leaf(2, "yes-no")]]],
        did_not_arise="full-points",
    )
    sub = submission("a", {"1.1.1": {"did_not_arise": "Không phát sinh"}, "1.1.2": {"done": True}})
    result = score(data, [sub])
    assert points(result, "a", "1.1.1") == 0
    assert row(result, "a")["applicable"] == 2


def test_nothing_applicable_gives_index_zero() -> None:
    # every leaf excluded: the maximum is 0, the index 0, the lowest band
    data = build_set([[[leaf(1, "yes-no")]]], bands=[("Tốt", 50), ("Yếu", 0)])
    result = score(data, [submission("a", {"1.1.1": {"did_not_arise": "Không phát sinh"}})])
    assert row(result, "a")["applicable"] == 0
    assert row(result, "a")["index"] == 0
    assert row(result, "a")["band"] == "Yếu"


# -------------------------------------------------------------------------- appraisal rounds
def test_final_score_is_the_last_round() -> None:
    data = build_set([[[leaf(1, "yes-no"), leaf(1, "yes-no"), leaf(1, "yes-no")]]])
    sub = submission(
        "a",
        {
            "1.1.1": {"done": True},  # self-score 1, no appraisal → 1
            "1.1.2": {
                "done": True,
                "appraisal": {"round1": {"score": D("0.5"), "reason": "Thiếu"}},
            },
            "1.1.3": {
                "done": True,
                "appraisal": {
                    "round1": {"score": D("0.5"), "reason": "Thiếu"},
                    "round2": {"score": D("0.75"), "reason": "Đã giải trình"},
                },
            },
        },
    )
    result = score(data, [sub])
    assert [points(result, "a", c) for c in ("1.1.1", "1.1.2", "1.1.3")] == [1, D("0.5"), D("0.75")]
    assert row(result, "a")["total"] == D("2.25")  # 1 + 0.5 + 0.75


def test_a_round_without_reason_warns_only_when_it_changes_the_self_score() -> None:
    # 1.1.1: done → self-score 1; round 1 keeps 1 without a reason: nothing to explain.
    # 1.1.2: done → 1; round 1 gives 0.5 without a reason: a warning on round 1.
    # 1.1.3: 4 of 5 = 80 % → the 80 % tier, 0.5; round 1 keeps 0.5, round 2 gives 1, neither
    #        with a reason: a warning on round 2 only.
    data = build_set(
        [[[leaf(1, "yes-no"), leaf(1, "yes-no"), leaf(1, "tiers", tiers=THREE_TIERS)]]]
    )
    sub = submission(
        "a",
        {
            "1.1.1": {"done": True, "appraisal": {"round1": {"score": D(1)}}},
            "1.1.2": {"done": True, "appraisal": {"round1": {"score": D("0.5")}}},
            "1.1.3": {
                "numerator": 4,
                "denominator": 5,
                "appraisal": {"round1": {"score": D("0.5")}, "round2": {"score": D(1)}},
            },
        },
    )
    parsed = parse_submission(sub, criteria_from_dict(data))
    unreasoned = [
        (i.location.leaf, i.location.round, i.severity)
        for i in parsed.issues
        if i.code == "appraisal-no-reason"
    ]
    assert unreasoned == [("1.1.2", 1, "warning"), ("1.1.3", 2, "warning")]


def test_panel_score_makes_an_excluded_leaf_applicable() -> None:
    # the agency claims "did not arise" (excluded) but the panel scores it 0.5:
    # it counts, so 0.5 + 2 of 1 + 2 = 3 → 83.33 %
    data = build_set([[[leaf(1, "yes-no"), leaf(2, "yes-no")]]])
    sub = submission(
        "a",
        {
            "1.1.1": {
                "did_not_arise": "Không phát sinh",
                "appraisal": {"round1": {"score": D("0.5"), "reason": "Có phát sinh"}},
            },
            "1.1.2": {"done": True},
        },
    )
    result = score(data, [sub])
    assert points(result, "a", "1.1.1") == D("0.5")
    assert row(result, "a")["applicable"] == 3
    assert row(result, "a")["index"] == D("83.33")


# ------------------------------------------------------------------------------------ index
def test_real_check_thanh_hoa_ban_dan_toc() -> None:
    # 68.32 points on an applicable maximum of 84 (16 of the 100 points did not arise):
    # 68.32 / 84 × 100 = 81.3333… → 81.33 %
    data = build_set(
        [
            [[leaf(40, "manual", step=D("0.01")), leaf(44, "manual", step=D("0.01"))]],
            [[leaf(6, "tiers", tiers=THREE_TIERS), leaf(10, "yes-no")]],
        ]
    )
    assert data["max"] == 100
    sub = submission(
        "a",
        {
            "1.1.1": {"score": D("35.5")},
            "1.1.2": {"score": D("32.82")},  # 35.5 + 32.82 = 68.32
            "2.1.1": {"numerator": 0, "denominator": 0},  # no case files: 6 points excluded
            "2.1.2": {"did_not_arise": "Không có đề án nào phải ban hành"},  # 10 points excluded
        },
    )
    r = row(score(data, [sub]), "a")
    assert (r["total"], r["applicable"], r["index"]) == (D("68.32"), D(84), D("81.33"))


def test_many_tenth_points_do_not_drift() -> None:
    # 100 leaves of 0.1 (73 done = 7.3) + three 10-point leaves (10 + 10 + 5.23) = 32.53 of 40.
    # 32.53 / 40 = 0.81325 → 81.325 % → 81.33 (in floats: 81.32499… → 81.32)
    tenths = [leaf("0.1", "yes-no") for _ in range(100)]
    big = [leaf(10, "manual", step=D("0.01")) for _ in range(3)]
    data = build_set([[tenths, big]])
    assert data["max"] == 40
    entries: dict[str, Any] = {f"1.1.{i}": {"done": i <= 73} for i in range(1, 101)}
    entries.update(
        {"1.2.1": {"score": D(10)}, "1.2.2": {"score": D(10)}, "1.2.3": {"score": D("5.23")}}
    )
    r = row(score(data, [submission("a", entries)]), "a")
    assert float(sum([0.1] * 73) + 25.23) / 40 * 100 < 81.325  # the drift this test guards
    assert r["total"] == D("32.53")
    assert r["index"] == D("81.33")


def test_point_one_plus_point_two() -> None:
    # 0.1 + 0.2 = 0.3 exactly (not 0.30000000000000004) of 0.3 → 100 %
    data = build_set([[[leaf("0.1", "yes-no"), leaf("0.2", "yes-no")]]])
    r = row(score(data, [submission("a", {"1.1.1": {"done": True}, "1.1.2": {"done": True}})]), "a")
    assert (r["total"], r["index"]) == (D("0.3"), D(100))


# -------------------------------------------------------------------------- bonus / penalty
def _extras_set(**top: Any) -> dict[str, Any]:
    return build_set(
        [[[leaf(10, "manual", step=D("0.01"))]]],
        bonus=extras(2, leaf("1.5", "yes-no"), leaf("1.5", "yes-no")),
        penalty=extras(3, leaf(3, "per-item", points_each=D(1)), leaf(2, "yes-no"), prefix="D"),
        **top,
    )


def test_bonus_and_penalty_caps() -> None:
    sub = submission(
        "a",
        {
            "1.1.1": {"score": D(8)},
            "T1": {"done": True},
            "T2": {"done": True},  # 1.5 + 1.5 = 3 → capped at 2
            "D1": {"count": 2},
            "D2": {"done": True},  # 2 × 1 + 2 = 4 → capped at 3
        },
    )
    r = row(score(_extras_set(), [sub]), "a")
    # 8 + 2 − 3 = 7 of 10 → 70 %
    assert (r["bonus"], r["penalty"], r["total"], r["index"]) == (2, 3, 7, D(70))


def test_bonus_under_cap_and_index_above_100() -> None:
    # 10 + 1.5 = 11.5 of 10 → 115 %
    sub = submission("a", {"1.1.1": {"score": D(10)}, "T1": {"done": True}})
    r = row(score(_extras_set(), [sub]), "a")
    assert (r["bonus"], r["penalty"], r["total"], r["index"]) == (D("1.5"), 0, D("11.5"), 115)


def test_total_never_below_zero() -> None:
    # 1 − 3 (capped penalty) = −2 → 0 → 0 %
    sub = submission("a", {"1.1.1": {"score": D(1)}, "D1": {"count": 3}, "D2": {"done": True}})
    r = row(score(_extras_set(), [sub]), "a")
    assert (r["penalty"], r["total"], r["index"]) == (3, 0, 0)


@pytest.mark.parametrize("policy", ["excluded", "full-points", "not-allowed"])
def test_extra_item_zero_denominator_adds_and_takes_nothing(policy: str) -> None:
    # A bonus/penalty item may not state a "did not arise" policy and may not be claimed as not
    # arisen (docs/criteria-format.md 7.1: "a bonus/penalty item simply is not claimed"). When a
    # rate item's denominator is 0, nothing happened: no bonus is earned and no penalty is taken
    # off, whatever the set's default policy for tree leaves.
    #   bonus T1: share of initiatives adopted (proportional, max 1), 0 of 0
    #   penalty D1: share of reports late (tiers: ≥ 50 % → 1), 0 of 0
    # Expected: bonus 0, penalty 0, total 8 of 10 → 80 %, and no error.
    data = build_set(
        [[[leaf(10, "manual", step=D("0.01"))]]],
        bonus=extras(1, leaf(1, "proportional")),
        penalty=extras(
            1, leaf(1, "tiers", tiers=[{"at_least": D(50), "points": D(1)}]), prefix="D"
        ),
        did_not_arise=policy,
    )
    sub = submission(
        "a",
        {
            "1.1.1": {"score": D(8)},
            "T1": {"numerator": 0, "denominator": 0},
            "D1": {"numerator": 0, "denominator": 0},
        },
    )
    result = score(data, [sub])
    r = row(result, "a")
    assert (r["bonus"], r["penalty"], r["total"], r["index"]) == (0, 0, 8, 80)
    assert [i.code for i in result.issues if i.severity == "error"] == []


# ----------------------------------------------------------------------------------- weights
def _weighted_set() -> dict[str, Any]:
    return build_set(
        [[[leaf(10, "manual", step=D("0.01"))]], [[leaf(30, "manual", step=D("0.01"))]]],
        weights=[60, 40],
        bonus=extras(1, leaf(1, "yes-no")),
    )


def test_field_weights() -> None:
    # field 1: 7.5 / 10 × 60 = 45; field 2: 20 / 30 × 40 = 26.666… → 26.67;
    # 45 + 26.67 = 71.67 of 100 → 71.67 %
    sub = submission("a", {"1.1.1": {"score": D("7.5")}, "2.1.1": {"score": D(20)}})
    r = row(score(_weighted_set(), [sub]), "a")
    assert (r["total"], r["applicable"], r["index"]) == (D("71.67"), 100, D("71.67"))


def test_field_weight_dropped_when_nothing_applicable() -> None:
    # field 2 did not arise: its weight leaves the maximum; 45 + bonus 1 = 46 of 60
    # → 76.666…% → 76.67
    sub = submission(
        "a",
        {
            "1.1.1": {"score": D("7.5")},
            "T1": {"done": True},
            "2.1.1": {"did_not_arise": "Không phát sinh"},
        },
    )
    r = row(score(_weighted_set(), [sub]), "a")
    assert (r["total"], r["applicable"], r["index"]) == (46, 60, D("76.67"))


# ----------------------------------------------------------------------------------- ranking
def _scores_set(**top: Any) -> dict[str, Any]:
    return build_set([[[leaf(100, "manual", step=D("0.01"))]]], **top)


def _rank_all(data: dict[str, Any], scores: dict[str, str]) -> dict[str, tuple[int, str]]:
    subs = [submission(a, {"1.1.1": {"score": D(s)}}) for a, s in scores.items()]
    result = score(data, subs)
    return {a: (row(result, a)["rank"], row(result, a)["band"]) for a in scores}


def test_equal_indices_share_a_rank() -> None:
    # 90, 80, 80, 70 → 1, 2, 2, 4 (the rank after a tie skips)
    ranks = _rank_all(_scores_set(), {"a": "80", "b": "90", "c": "70", "d": "80"})
    assert {a: r for a, (r, _) in ranks.items()} == {"a": 2, "b": 1, "c": 4, "d": 2}


def test_rank_uses_the_rounded_index() -> None:
    # a: 2 of 3 (97 points excluded) = 66.666…% → 66.67; b: 66.67 of 100 = 66.67 % exactly.
    # Both publish 66.67, so they share rank 1.
    data = build_set(
        [[[leaf(3, "manual", step=D("0.01"))]], [[leaf(97, "manual", step=D("0.01"))]]]
    )
    subs = [
        submission("a", {"1.1.1": {"score": D(2)}, "2.1.1": {"did_not_arise": "Không có"}}),
        submission("b", {"1.1.1": {"score": D(0)}, "2.1.1": {"score": D("66.67")}}),
    ]
    result = score(data, subs)
    assert row(result, "a")["index"] == row(result, "b")["index"] == D("66.67")
    assert (row(result, "a")["rank"], row(result, "b")["rank"]) == (1, 1)


def _tie_set(chain: list[str]) -> dict[str, Any]:
    # one appraised 1-point leaf and one 1-point survey leaf; bonus and penalty 1 each
    return build_set(
        [[[leaf(1, "yes-no"), leaf(1, "survey", survey="sipas")]]],
        bonus=extras(1, leaf(1, "yes-no")),
        penalty=extras(1, leaf(1, "yes-no"), prefix="D"),
        tie_break=chain,
    )


# every agency ends on 1 of 2 points = 50 %:
#   app: the appraised leaf (appraised 1, survey 0)
#   sur: the survey at 100 % (appraised 0, survey 1)
#   bon: the survey, plus bonus 1 and penalty 1 (appraised 0, survey 1, bonus 1, penalty 1)
#   app2: the same as app
TIE_SUBS = [
    submission("app", {"1.1.1": {"done": True}}),
    submission("sur", {"1.1.1": {"done": False}}),
    submission("bon", {"1.1.1": {"done": False}, "T1": {"done": True}, "D1": {"done": True}}),
    submission("app2", {"1.1.1": {"done": True}}),
]
TIE_SURVEYS = [
    survey("sur", "sipas", 100),
    survey("bon", "sipas", 100),
    survey("app", "sipas", 0),
    survey("app2", "sipas", 0),
]


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        # no chain: all four at 50 % share rank 1
        ([], {"app": 1, "app2": 1, "sur": 1, "bon": 1}),
        # appraised first: app, app2 (1) ahead of sur, bon (0); then nothing splits those
        (["appraised_points"], {"app": 1, "app2": 1, "sur": 3, "bon": 3}),
        # survey first: sur, bon (1) ahead of app, app2 (0)
        (["survey_points"], {"sur": 1, "bon": 1, "app": 3, "app2": 3}),
        # survey, then bonus: bon (bonus 1) ahead of sur (bonus 0)
        (["survey_points", "bonus_points"], {"bon": 1, "sur": 2, "app": 3, "app2": 3}),
        # survey, then penalty (lower is better): sur (0) ahead of bon (1)
        (["survey_points", "penalty_points"], {"sur": 1, "bon": 2, "app": 3, "app2": 3}),
        # penalty first: app, app2, sur (0) ahead of bon; then appraised splits sur off
        (["penalty_points", "appraised_points"], {"app": 1, "app2": 1, "sur": 3, "bon": 4}),
    ],
)
def test_tie_break_chain(chain: list[str], expected: dict[str, int]) -> None:
    result = score(_tie_set(chain), TIE_SUBS, TIE_SURVEYS)
    assert {a: row(result, a)["index"] for a in expected} == dict.fromkeys(expected, D(50))
    assert {a: row(result, a)["rank"] for a in expected} == expected


# ------------------------------------------------------------------------------------- bands
@pytest.mark.parametrize(
    ("score_", "band"),
    [
        ("100", "Tốt"),
        ("90", "Tốt"),  # exactly on the threshold 90 → that band
        ("89.99", "Khá"),  # just under
        ("80", "Khá"),
        ("79.99", "Trung bình"),
        ("0", "Trung bình"),
    ],
)
def test_bands_at_thresholds(score_: str, band: str) -> None:
    data = _scores_set(bands=[("Tốt", 90), ("Khá", 80), ("Trung bình", 0)])
    assert _rank_all(data, {"a": score_})["a"][1] == band


# --------------------------------------------------------------------------------- the API
def test_score_block_without_names() -> None:
    # ``names`` is optional: without it an agency's name is its code. (Regression: under
    # pandas 3, ``map({}).fillna(<str Series>)`` raised a Pandas4Warning, an error here.)
    loaded = criteria_from_dict(build_set([[[leaf(1, "yes-no")]]]))
    sub = parse_submission(submission("a", {"1.1.1": {"done": True}}), loaded)
    result = score_block(loaded, [sub], [])
    assert list(result.agencies["name"]) == ["a"]
    assert list(result.agencies["index_u"]) == [10_000]


def test_a_block_without_agencies_scores_as_empty() -> None:
    # a criteria set loaded for a block whose agencies are all gone: nothing to rank, no error
    from parindex.criteria import load_criteria
    from parindex.scoring import score_block

    loaded = load_criteria(Path(__file__).resolve().parent.parent / "criteria/2025/xa.yaml")
    result = score_block(loaded, [], [], {})
    assert len(result.agencies) == 0 and len(result.leaves) == 0 and result.issues == []
