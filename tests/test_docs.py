"""The docs are checked: every error code, rule kind and criteria key is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from parindex.criteria import CriteriaSet, Leaf
from parindex.errors import MESSAGES
from parindex.rules import NAMES as RULE_KINDS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_error_code_is_documented(code: str) -> None:
    assert f"`{code}`" in _all_docs(), f"error code {code} is not documented in docs/"


@pytest.mark.parametrize("kind", RULE_KINDS)
def test_every_rule_kind_has_a_section_with_an_example(kind: str) -> None:
    text = (DOCS / "criteria-format.md").read_text(encoding="utf-8")
    assert "### " in text and f"`{kind}`" in text
    section = text.split(f"`{kind}`\n", 1)[-1].split("\n### ", 1)[0]
    assert "```yaml" in section, f"rule kind {kind} has no worked YAML example"


@pytest.mark.parametrize("key", sorted(set(CriteriaSet.model_fields) | set(Leaf.model_fields)))
def test_every_criteria_key_is_documented(key: str) -> None:
    assert f"`{key}`" in (DOCS / "criteria-format.md").read_text(encoding="utf-8")
