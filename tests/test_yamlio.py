"""parindex.yamlio builds exactly what PyYAML's SafeLoader (with exact decimals) builds."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from parindex.yamlio import YamlLoadError, _ExactLoader, load_yaml_text

DOCUMENTS = [
    "agency: xa-a\nyear: 2025\nleaves:\n  1.1.1: {done: true, date: 2025-01-10}\n",
    "a: 0.1\nb: 1_000\nc: 0x1F\nd: -3\ne: .inf\nf: null\ng: ~\nh: yes\ni: 'text'\nj: 2025-01-02T10:00:00\n",
    "list:\n  - 1\n  - [a, b, {c: 2.50}]\n  - !!str 12\nnested: {x: {y: {z: [1.0, 2.25]}}}\n",
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nrepeat: *b\n",
    "bin: !!binary aGVsbG8=\nset: !!set {a, b}\n",
    "1: one\n2.5: two and a half\n2025-01-01: new year\n",
    "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
]


def _pyyaml(text: str) -> Any:
    loader = _ExactLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


@pytest.mark.parametrize("text", DOCUMENTS)
def test_same_values_as_pyyaml(text: str) -> None:
    data, lines = load_yaml_text(text, "t.yaml")
    assert data == _pyyaml(text)
    assert repr(data) == repr(_pyyaml(text))  # Decimal stays Decimal, date stays date
    assert lines[()] == 1


def test_lines_of_every_value() -> None:
    data, lines = load_yaml_text("a: 1\nb:\n  - x\n  - {c: 2}\n", "t.yaml")
    assert lines[("a",)] == 1
    assert lines[("b",)] == 2
    assert lines[("b", 0)] == 3
    assert lines[("b", 1, "c")] == 4


def test_a_self_referencing_alias_is_read_not_recursed_forever() -> None:
    data, _ = load_yaml_text("a: &x [1, *x]\n", "t.yaml")
    assert data["a"][0] == 1 and data["a"][1] is data["a"]


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "1: x\n01: y\n"])
def test_duplicate_keys_refused(text: str) -> None:
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text(text, "t.yaml")
    assert e.value.issue.code == "duplicate-key"
    assert e.value.issue.location.line == 2


def test_plain_pyyaml_agrees_on_a_generated_submission() -> None:
    import random

    from parindex.generate import _Dumper, synthetic_set, synthetic_submission

    data = synthetic_set("xa", "Xã", 40, 3)
    sub = synthetic_submission(data, "a1", random.Random(3))
    text = yaml.dump(sub, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    assert load_yaml_text(text, "t.yaml")[0] == _pyyaml(text)
