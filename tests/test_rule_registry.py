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

#: files outside parindex/rules/ and tests/ still allowed to spell out kinds or branch on them,
#: with why; the list may only shrink (a listed file that no longer does fails too)
PENDING: set[str] = set()
#: the class names of the kinds' rule models (``TiersRule`` …)
MODELS = frozenset(k.model.__name__ for k in KINDS)


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
    assert parsed.state("1.1.1") == "facts"
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


def _kind_names(node: ast.AST) -> list[str]:
    """The kind names a literal spells: a string, or a tuple, list or set of strings."""
    parts = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [
        p.value
        for p in parts
        if isinstance(p, ast.Constant) and isinstance(p.value, str) and p.value in NAMES
    ]


def _model_names(node: ast.AST) -> list[str]:
    """The rule model classes an ``isinstance`` second argument names (``X``, ``m.X``, tuples)."""
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    names = [p.id if isinstance(p, ast.Name) else getattr(p, "attr", "") for p in parts]
    return [n for n in names if n in MODELS]


def _kind_branches(path: Path) -> list[str]:
    """Where a module branches on a rule kind: ``isinstance(…, XxxRule)`` and comparisons with
    a kind's name (``rule.kind == "tiers"``, ``kind in ("per-item", "deduction")``, ``!=``,
    ``not in``), as ``line: what``. Comparing with a literal is what a branch on a kind looks
    like; a kind reached through a variable or a dict the registry did not build is not seen."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance":
            if len(node.args) == 2 and (models := _model_names(node.args[1])):
                found.append(f"{node.lineno}: isinstance {'/'.join(models)}")
        elif isinstance(node, ast.Compare):
            names = [n for part in [node.left, *node.comparators] for n in _kind_names(part)]
            if names:
                found.append(f"{node.lineno}: compared with {'/'.join(names)}")
    return sorted(found, key=lambda f: (int(f.split(":")[0]), f))


def test_no_module_outside_the_registry_branches_on_a_kind() -> None:
    """A kind is asked (``kind_of(rule)``: its inputs, choices, step, ``self_scored``), never
    recognised by its class or its name outside parindex/rules/."""
    offenders = {
        p.relative_to(ROOT).as_posix(): found
        for p in _outside_the_registry()
        if (found := _kind_branches(p))
    }
    assert {p: f for p, f in offenders.items() if p not in PENDING} == {}
    assert sorted(PENDING - set(offenders)) == [], "no longer pending: take it off the list"


def test_the_branch_finder_sees_isinstance_and_kind_comparisons(tmp_path: Path) -> None:
    branchy = tmp_path / "branchy.py"
    branchy.write_text(
        "from parindex import rules\n"
        "from parindex.rules import GradedRule, TiersRule\n"
        "def f(leaf, kind):\n"
        "    if isinstance(leaf.rule, GradedRule):\n"
        "        return 1\n"
        "    if isinstance(leaf.rule, (rules.ManualRule, str)):\n"
        "        return 2\n"
        '    if leaf.rule.kind == "survey" or kind in ("tiers", "proportional"):\n'
        "        return 3\n"
        '    return "deadline" != leaf.rule.kind\n',
        encoding="utf-8",
    )
    assert _kind_branches(branchy) == [
        "4: isinstance GradedRule",
        "6: isinstance ManualRule",
        "8: compared with survey",
        "8: compared with tiers/proportional",
        "10: compared with deadline",
    ]
    # asking the registry is not a branch; nor is a word that is no kind's name
    plain = tmp_path / "plain.py"
    plain.write_text(
        "from parindex.rules import kind_of\n"
        "def f(leaf, kind):\n"
        '    if kind == "xlsx" or isinstance(leaf, dict):\n'
        "        return 0\n"
        "    return kind_of(leaf.rule).self_scored\n",
        encoding="utf-8",
    )
    assert _kind_branches(plain) == []


def test_the_literal_count_sees_a_branch_on_kinds(tmp_path: Path) -> None:
    branchy = tmp_path / "branchy.py"
    branchy.write_text(
        'def f(k):\n    if k == "tiers":\n        return 1\n'
        '    return {"graded": 2, "manual": 3}.get(k)\n',
        encoding="utf-8",
    )
    assert _kind_literals(branchy) == {"tiers", "graded", "manual"}


def test_a_kind_s_order_is_its_section_in_the_docs() -> None:
    """The registry finds the kinds' modules by itself and orders them by ``order``: the
    number of the kind's section in docs/criteria-format.md."""
    text = (ROOT / "docs" / "criteria-format.md").read_text(encoding="utf-8")
    assert sorted(k.order for k in KINDS) == list(range(1, len(KINDS) + 1))
    for k in KINDS:
        assert f"### 5.{k.order} `{k.name}`" in text, k.name
