"""A broken criteria file raises CriteriaError listing every problem as (code, YAML path, line).

Each ``tests/data/criteria-<defect>.yaml`` is ``criteria-valid.yaml`` with exactly one defect (its
first line says which). The expected line numbers below were read off the data files: for a key
that is missing, the line is that of the nearest enclosing node that exists.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parindex.criteria import LoadedSet, load_criteria
from parindex.errors import CriteriaError, Issue
from parindex.rules import NAMES as RULE_KINDS

DATA = Path(__file__).parent / "data"

L111 = "fields[0].criteria[0].subcriteria[0]"  # 1.1.1 yes-no
L112 = "fields[0].criteria[0].subcriteria[1]"  # 1.1.2 deadline
L113 = "fields[0].criteria[0].subcriteria[2]"  # 1.1.3 tiers
L121 = "fields[0].criteria[1].subcriteria[0]"  # 1.2.1 proportional
L122 = "fields[0].criteria[1].subcriteria[1]"  # 1.2.2 per-item
L123 = "fields[0].criteria[1].subcriteria[2]"  # 1.2.3 deduction
L124 = "fields[0].criteria[1].subcriteria[3]"  # 1.2.4 graded
L211 = "fields[1].criteria[0].subcriteria[0]"  # 2.1.1 manual
L311 = "fields[2].criteria[0].subcriteria[0]"  # 3.1.1 survey

Flat = tuple[str, str, int | None]

# (defect file, expected code, expected YAML path, expected line)
CASES: list[tuple[str, str, str, int | None]] = [
    # stage 1: structure
    ("unknown-key-set", "unknown-key", "colour", 8),
    ("unknown-key-rule", "unknown-key", f"{L111}.rule.bonus_factor", 58),
    ("missing-key", "missing-key", "fields[0].criteria[1].name", 81),
    ("missing-rule-kind", "missing-key", f"{L111}.rule.kind", 55),
    ("unknown-rule-kind", "unknown-rule-kind", f"{L111}.rule.kind", 56),
    ("wrong-type", "wrong-type", f"{L122}.max", 96),
    ("wrong-type-tiers", "wrong-type", f"{L113}.rule.tiers", 74),
    # stage 2: codes and sums
    ("duplicate-code", "duplicate-code", f"{L122}.code", 94),
    ("code-not-in-parent", "code-not-in-parent", f"{L122}.code", 94),
    ("max-not-sum-criterion", "max-not-sum", "fields[0].criteria[0].max", 50),
    ("max-not-sum-field", "max-not-sum", "fields[0].max", 46),
    ("max-not-sum-set", "max-not-sum", "max", 8),
    # stage 2: rule parameters
    ("points-precision", "points-precision", f"{L113}.rule.tiers[1].points", 78),
    ("tiers-not-ordered", "tiers-not-ordered", f"{L113}.rule.tiers[1].at_least", 77),
    ("tier-above-max", "tier-above-max", f"{L113}.rule.tiers[0].points", 76),
    ("tier-points-rising", "tier-points-rising", f"{L113}.rule.tiers[2].points", 80),
    ("rate-out-of-range", "rate-out-of-range", f"{L121}.rule.upper", 93),
    ("bounds-not-ordered", "bounds-not-ordered", f"{L121}.rule.upper", 93),
    ("late-share-out-of-range", "share-out-of-range", f"{L112}.rule.late_share", 65),
    ("step-not-dividing", "step-not-dividing", f"{L211}.rule.step", 141),
    ("levels-duplicate", "levels-duplicate", f"{L124}.rule.levels[1].key", 121),
    ("per-item-above-max", "per-item-above-max", f"{L122}.rule.points_each", 100),
    ("floor-above-max", "floor-above-max", f"{L123}.rule.floor", 109),
    # stage 2: bands, surveys, weights, bonus
    ("bands-not-ordered", "bands-not-ordered", "bands[1].at_least", 15),
    ("bands-no-floor", "bands-no-floor", "bands[3].at_least", 19),
    ("survey-without-flag", "survey-self-scored", f"{L311}.survey", 168),
    ("survey-flag-self-scored", "survey-self-scored", f"{L111}.rule.kind", 57),
    ("survey-evidence", "survey-evidence", f"{L311}.evidence", 172),
    ("weights-partial", "weights-partial", "fields", 43),
    ("weights-not-100", "weights-not-100", "fields", 43),
    ("bonus-item-above-cap", "bonus-item-above-cap", "bonus.items[0].max", 25),
    # YAML's infinity is read, then refused like any other bad number
    ("max-inf", "bad-value", "max", 8),
    # the file cannot be parsed at all
    ("yaml-syntax", "yaml-syntax", "", 49),
]


def flatten(issues: list[Issue]) -> list[Flat]:
    return [(i.code, i.location.path, i.location.line) for i in issues]


def criteria_issues(path: Path) -> list[Issue]:
    with pytest.raises(CriteriaError) as excinfo:
        load_criteria(path)
    return excinfo.value.issues


def test_valid_file_loads() -> None:
    loaded = load_criteria(DATA / "criteria-valid.yaml")
    assert isinstance(loaded, LoadedSet)
    leaves = "1.1.1 1.1.2 1.1.3 1.2.1 1.2.2 1.2.3 1.2.4 2.1.1 2.1.2 3.1.1"
    assert sorted(loaded.leaf_by_code) == leaves.split()
    assert sorted(loaded.extra_by_code) == ["B.1", "P.1"]
    kinds = {leaf.rule.kind for _, _, leaf in loaded.model.leaves()}
    assert kinds == set(RULE_KINDS)  # every rule kind is used at least once


@pytest.mark.parametrize(("name", "code", "path", "line"), CASES, ids=[c[0] for c in CASES])
def test_one_defect_one_issue(name: str, code: str, path: str, line: int | None) -> None:
    file = DATA / f"criteria-{name}.yaml"
    issues = criteria_issues(file)
    assert flatten(issues) == [(code, path, line)]
    assert [i.location.file for i in issues] == [str(file)]
    assert all(i.severity == "error" for i in issues)


def test_every_defect_file_is_in_the_table() -> None:
    on_disk = {
        p.name.removeprefix("criteria-").removesuffix(".yaml") for p in DATA.glob("criteria-*.yaml")
    }
    in_table = {c[0] for c in CASES} | {"valid"} | set(MULTI)
    assert on_disk == in_table


# files with two defects: nothing stops at the first one
MULTI: dict[str, set[Flat]] = {
    "two-defects": {
        ("tier-points-rising", f"{L113}.rule.tiers[2].points", 80),
        ("bands-no-floor", "bands[3].at_least", 19),
    },
    "two-unknown-keys": {
        ("unknown-key", "colour", 8),
        ("unknown-key", "fields[1].criteria[0].note", 134),
    },
}


@pytest.mark.parametrize("name", sorted(MULTI))
def test_two_defects_both_reported(name: str) -> None:
    issues = criteria_issues(DATA / f"criteria-{name}.yaml")
    flat = flatten(issues)
    assert len(flat) == 2
    assert set(flat) == MULTI[name]


def test_error_message_names_code_and_location() -> None:
    file = DATA / "criteria-tier-above-max.yaml"
    with pytest.raises(CriteriaError) as excinfo:
        load_criteria(file)
    text = str(excinfo.value)
    assert "[tier-above-max]" in text
    assert f"{file}:76" in text
