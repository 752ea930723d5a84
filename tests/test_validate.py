"""The one value validator: records (a block's frame) and one file's fact rows (through
``parse_submission``) give the same facts and errors, valid and invalid input alike."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from parindex.criteria import criteria_from_dict, load_criteria
from parindex.facts import FactRow, records, records_from_submissions
from parindex.generate import synthetic_set, synthetic_submission
from parindex.scoring import facts_frame, score_leaves
from parindex.submission import parse_submission
from parindex.validate import validate_records, validate_rows

BAD: list[tuple[str, dict[str, Any]]] = [
    ("negative", {"count": -2}),
    ("above", {"numerator": 12, "denominator": 10}),
    ("date", {"date": dt.date(2019, 1, 1)}),
    ("level", {"level": "khong-co"}),
    ("score", {"score": Decimal("99")}),
    ("step", {"score": Decimal("0.3")}),
    ("unexpected", {"count": 1, "done": True}),
    ("dna-facts", {"did_not_arise": "lý do", "count": 1}),
    ("dna-empty", {"did_not_arise": "  "}),
    ("missing", {"numerator": 3}),
    ("round", {"appraisal": {"round1": {"score": Decimal("99"), "reason": "x"}}}),
]


def _set_and_subs(n: int, seed: int) -> tuple[Any, list[dict[str, Any]]]:
    data = synthetic_set("xa", "Xã", 60, seed)
    loaded = criteria_from_dict(data)
    rng = random.Random(seed)
    subs = [synthetic_submission(data, f"a{i:03d}", rng) for i in range(n)]
    # one bad entry per kind of defect, each on a leaf of a fitting rule
    codes_by_kind: dict[str, list[str]] = {}
    for _, _, leaf in loaded.model.leaves():
        codes_by_kind.setdefault(leaf.rule.kind, []).append(leaf.code)
    target = {
        "negative": "per-item",
        "above": "tiers",
        "date": "deadline",
        "level": "graded",
        "score": "manual",
        "step": "manual",
        "unexpected": "per-item",
        "dna-facts": "deduction",
        "dna-empty": "yes-no",
        "missing": "proportional",
        "round": "yes-no",
    }
    for i, (name, entry) in enumerate(BAD):
        code = codes_by_kind[target[name]][0]
        subs[i % n]["leaves"][code] = dict(entry)
    subs[0]["leaves"].pop(next(iter(subs[0]["leaves"])))  # an empty leaf
    subs[1]["leaves"]["99.9.9"] = {"done": True}  # an unknown leaf
    return loaded, subs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_path_matches_file_path(seed: int) -> None:
    loaded, subs = _set_and_subs(12, seed)
    parsed = [parse_submission(s, loaded) for s in subs]
    file_facts = facts_frame(loaded, parsed)
    file_errors = {
        (i.location.agency, i.location.leaf, i.code)
        for p in parsed
        for i in p.issues
        if i.severity == "error"
    }
    bulk_facts, bulk_issues = validate_records(loaded, records_from_submissions(subs))
    bulk_errors = {
        (i.location.agency, i.location.leaf, i.code) for i in bulk_issues if i.severity == "error"
    }
    assert bulk_errors == file_errors
    assert len(file_errors) >= len(BAD)
    key = ["agency", "leaf"]
    a, _ = score_leaves(loaded, file_facts)
    b, _ = score_leaves(loaded, bulk_facts)
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    cols = ["agency", "leaf", "state", "self_c", "round1_c", "round2_c", "final_c", "applicable"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_scores_become_exact_hundredths_or_are_refused() -> None:
    from parindex.facts import score_cents

    assert score_cents(Decimal("1.25")) == 125
    assert score_cents("0.5") == 50
    assert score_cents(Decimal("-0.25")) == -25  # kept: validation reports it as negative
    assert score_cents(None) is None
    assert score_cents(float("nan")) is None  # a missing value in a pandas column
    with pytest.raises(ValueError, match="0.125"):
        score_cents(Decimal("0.125"))  # not cut to 0.12
    with pytest.raises(ValueError):
        score_cents("abc")


def test_a_round_without_a_reason_is_reported_only_where_it_changes_the_self_score() -> None:
    """1.1.1 (yes-no, max 5) done: the self-score is 5,00. A round of 5 keeps it and needs no
    reason; a round of 2,5 changes it and does; a round with a reason never warns; a round on
    an undone leaf (self-score 0) that gives 0 keeps it."""
    loaded = load_criteria(Path(__file__).parent / "data" / "criteria-valid.yaml")
    rows = [
        FactRow("a", "1.1.1", done=True, round1_c=500, round1_reason=False),
        FactRow("b", "1.1.1", done=True, round1_c=250, round1_reason=False),
        FactRow("c", "1.1.1", done=True, round1_c=250, round2_c=300, round2_reason=False),
        FactRow("d", "1.1.1", done=False, round2_c=0, round2_reason=False),
        FactRow("e", "1.1.1", done=True, round1_c=100, round1_reason=True),
    ]
    _, issues = validate_records(loaded, records(rows))
    found = [
        (i.location.agency, i.location.leaf, i.location.round, i.severity)
        for i in issues
        if i.code == "appraisal-no-reason"
    ]
    assert found == [("b", "1.1.1", 1, "warning"), ("c", "1.1.1", 2, "warning")]
    # the same rows one agency at a time, as a front end hands them over
    one = validate_rows(loaded, [rows[1]])
    assert [(i.code, i.location.round) for i in one.issues] == [("appraisal-no-reason", 1)]
    assert validate_rows(loaded, [rows[0]]).issues == []
