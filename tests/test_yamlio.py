"""parindex.yamlio builds exactly what PyYAML's SafeLoader (with exact decimals) builds.

The oracle is plain PyYAML: the pure-Python ``yaml.SafeLoader`` (not the module's loader, not
libyaml), whose floats are replaced by a decimal built here from the scalar's digits, so a
module that read decimals through a binary float would disagree with it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import yaml

from parindex.yamlio import YamlLoadError, load_yaml_text

DOCUMENTS = [
    "agency: xa-a\nyear: 2025\nleaves:\n  1.1.1: {done: true, date: 2025-01-10}\n",
    "a: 0.1\nb: 1_000\nc: 0x1F\nd: -3\ne: .inf\nf: null\ng: ~\nh: yes\ni: 'text'\nj: 2025-01-02T10:00:00\n",
    "list:\n  - 1\n  - [a, b, {c: 2.50}]\n  - !!str 12\nnested: {x: {y: {z: [1.0, 2.25]}}}\n",
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nrepeat: *b\n",
    "bin: !!binary aGVsbG8=\nset: !!set {a, b}\n",
    "1: one\n2.5: two and a half\n2025-01-01: new year\n",
    "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
]


_FLOAT = re.compile(r"([-+]?)([0-9_]*)\.([0-9_]*)(?:[eE]([-+]?[0-9]+))?")


def _decimal_of(text: str) -> Decimal:
    """A YAML float's text as the decimal it writes, built from its digits and exponent (no
    float, no ``Decimal(str)`` parsing): ``"2.50"`` → sign 0, digits 2 5 0, exponent −2."""
    m = _FLOAT.fullmatch(text)
    assert m is not None, text
    whole, frac = m[2].replace("_", ""), m[3].replace("_", "")
    digits = tuple(int(c) for c in (whole + frac).lstrip("0") or "0")
    return Decimal((int(m[1] == "-"), digits, int(m[4] or 0) - len(frac)))


class _Oracle(yaml.SafeLoader):
    """Plain PyYAML, with one change: a float is the decimal its text writes."""


def _oracle_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node))
    if _FLOAT.fullmatch(text):
        return _decimal_of(text)
    return loader.construct_yaml_float(node)  # .inf, .nan, 1:30.5 (base 60): PyYAML's float


_Oracle.add_constructor("tag:yaml.org,2002:float", _oracle_float)


def _pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=_Oracle)


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


def test_a_self_referencing_alias_is_refused_not_recursed_forever() -> None:
    # issue 12: a list that contains itself can be no criteria set or submission, and every
    # reader after this one (codes, pydantic) would recurse on it: refused here, located
    with pytest.raises(YamlLoadError) as e:
        load_yaml_text("a: &x [1, *x]\n", "t.yaml")
    assert (e.value.issue.code, e.value.issue.location.line) == ("yaml-alias-cycle", 1)


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


#: decimals a binary float cannot hold: read through float they change (0.1 → 0.1000…0555),
#: and through float's shortest repr they lose digits (17 significant) or trailing zeros
DECIMALS = [
    ("0.1", "0.1"),
    ("1.365", "1.365"),
    ("81.325", "81.325"),
    ("2.675", "2.675"),
    ("0.12345678901234567", "0.12345678901234567"),
    ("9007199254740993.5", "9007199254740993.5"),
    ("2.50", "2.50"),
    ("-0.0", "-0.0"),
    ("1_000.25", "1000.25"),
    ("6.02e+23", "6.02E+23"),
]


@pytest.mark.parametrize(("written", "exact"), DECIMALS)
def test_decimals_are_read_as_written_not_through_a_float(written: str, exact: str) -> None:
    text = f"score: {written}\nlist: [{written}]\n{written}: key\n"
    data, _ = load_yaml_text(text, "t.yaml")
    expected = Decimal(exact)
    assert repr(data["score"]) == repr(expected) == repr(_pyyaml(text)["score"])
    assert repr(data["list"][0]) == repr(expected)
    assert [repr(k) for k in data if k not in ("score", "list")] == [repr(expected)]


def test_the_oracle_itself_is_exact() -> None:
    """The oracle's decimals, checked against hand-written digit tuples."""
    assert _decimal_of("81.325").as_tuple() == (0, (8, 1, 3, 2, 5), -3)
    assert _decimal_of("2.50").as_tuple() == (0, (2, 5, 0), -2)
    assert _decimal_of("-.5").as_tuple() == (1, (5,), -1)
    assert _decimal_of("1_0.0e+2").as_tuple() == (0, (1, 0, 0), 1)
