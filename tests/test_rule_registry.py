"""The rule kinds' registry (parindex/rules/): every kind is registered, the criteria union is
built from it, each kind's module declares every part, and no other module spells the kinds out.
"""

from __future__ import annotations

import ast
import random
import typing
from decimal import Decimal
from pathlib import Path

import pytest
from builders import build_set, leaf, submission

from parindex.criteria import Leaf, criteria_from_dict
from parindex.rules import FACTS, KINDS, NAMES, Rule, kind_of
from parindex.rules.base import Kind, RuleModel
from parindex.scoring import score_block
from parindex.submission import parse_submission

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "parindex" / "rules"

#: the kinds of domain.md's table, in the registry's order
EXPECTED = (
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

#: files outside parindex/rules/ and tests/ still allowed to spell out three or more kinds,
#: with why; the list may only shrink (a listed file that no longer does fails too)
PENDING = {
    # the web form's text ↔ entry data: to render from ``Kind.form_inputs`` with the one
    # Vietnamese text parser (issue 11, item 3)
    "web/leafform.py",
    # regenerates the bundled sample province byte for byte: its facts per kind are the
    # sample's own, not the synthetic generator's
    "scripts/make_sample.py",
}


def test_every_kind_is_registered_once_from_its_own_module() -> None:
    assert NAMES == EXPECTED
    modules = sorted(p.stem for p in RULES.glob("*.py") if p.stem not in ("__init__", "base"))
    assert sorted(type(k).__module__.rsplit(".", 1)[-1] for k in KINDS) == modules
    assert [n.replace("-", "_") for n in NAMES] == [
        type(k).__module__.rsplit(".", 1)[-1] for k in KINDS
    ]
    for name in NAMES:
        assert kind_of(name).name == name
    with pytest.raises(KeyError):
        kind_of("weighted-average")


def test_the_rule_union_is_built_from_the_registry() -> None:
    union, discriminator = typing.get_args(Rule)
    assert typing.get_args(union) == tuple(k.model for k in KINDS)
    assert discriminator.discriminator == "kind"
    for k in KINDS:
        # each model's tag is its kind's name, and a criteria leaf accepts it
        assert typing.get_args(k.model.model_fields["kind"].annotation) == (k.name,)
        rule = {"kind": k.name, "wording": "x", **k.sample_rule(Decimal(1), 2025, random.Random(0))}
        parsed = Leaf.model_validate(
            {
                "code": "1.1.1",
                "name": "x",
                "max": Decimal(1),
                "rule": rule,
                "survey": not k.self_scored,
            }
        )
        assert isinstance(parsed.rule, k.model)
        assert kind_of(parsed.rule) is k


@pytest.mark.parametrize("kind", KINDS, ids=NAMES)
def test_a_kind_declares_every_part(kind: Kind) -> None:
    cls = type(kind)
    assert issubclass(kind.model, RuleModel)
    assert kind.title and kind.title.strip() == kind.title
    assert set(kind.facts) <= set(FACTS)
    assert cls.points is not Kind.points, "points"
    if kind.self_scored:
        assert kind.facts, "a self-scored kind takes facts"
        assert {i.fact for i in kind.inputs} == set(kind.facts), "an input for every fact"
        assert cls.sample_facts is not Kind.sample_facts
        assert cls.sample_columns is not Kind.sample_columns
    else:
        assert not kind.facts and not kind.inputs
    for name in kind.params:  # every parameter it compiles is one it declares, and back
        assert name not in ("max_c", "table_a", "table_b")
    rule = kind.model.model_validate(
        {"kind": kind.name, "wording": "x", **kind.sample_rule(Decimal(2), 2025, random.Random(1))}
    )
    compiled = kind.compile(rule, 200, {key: i for i, key in enumerate(kind.choices(rule))})
    assert set(compiled.params) == set(kind.params)
    labels = kind.labels(rule)
    assert set(labels) == {i.fact for i in kind.inputs if i.widget != "not-issued"}
    assert all(label.strip() for label in labels.values())


@pytest.mark.parametrize("kind", [k for k in KINDS if k.self_scored], ids=lambda k: k.name)
def test_a_kind_s_sample_rule_and_facts_load_parse_and_score(kind: Kind) -> None:
    rng = random.Random(3)
    rule = kind.sample_rule(Decimal(2), 2025, rng)
    data = build_set([[[leaf(2, kind.name, **rule)]]])
    loaded = criteria_from_dict(data)
    entry = kind.sample_facts(
        data["fields"][0]["criteria"][0]["subcriteria"][0]["rule"], Decimal(2), True, rng
    )
    parsed = parse_submission(submission("a", {"1.1.1": entry}), loaded)
    assert [i.code for i in parsed.issues if i.severity == "error"] == []
    assert parsed.facts["1.1.1"].state == "facts"
    result = score_block(loaded, [parsed])
    assert 0 <= int(result.leaves["self_c"].iloc[0]) <= 200


def _kind_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in NAMES
    }


def _outside_the_registry() -> list[Path]:
    return [
        p
        for top in ("parindex", "web", "scripts")
        for p in sorted((ROOT / top).rglob("*.py"))
        if not p.is_relative_to(RULES)
    ]


def test_no_module_outside_the_registry_names_three_kinds() -> None:
    """Adding a kind touches its module, its docs and its tests: a module that spells out
    three or more kinds' names (string literals) is branching on kinds the registry knows."""
    offenders = {
        p.relative_to(ROOT).as_posix(): sorted(found)
        for p in _outside_the_registry()
        if len(found := _kind_literals(p)) >= 3
    }
    assert {p: k for p, k in offenders.items() if p not in PENDING} == {}
    assert sorted(PENDING - set(offenders)) == [], "no longer pending: take it off the list"


def test_the_literal_count_sees_a_branch_on_kinds(tmp_path: Path) -> None:
    branchy = tmp_path / "branchy.py"
    branchy.write_text(
        'def f(k):\n    if k == "tiers":\n        return 1\n'
        '    return {"graded": 2, "manual": 3}.get(k)\n',
        encoding="utf-8",
    )
    assert _kind_literals(branchy) == {"tiers", "graded", "manual"}
