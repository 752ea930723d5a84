"""The criteria-set diff: hand-made edits of the small valid set, each listed once, in words."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from parindex.cli import main
from parindex.criteria import criteria_from_dict
from parindex.diff import Change, describe, diff_sets
from tests.vietnamese import assert_vietnamese

BASE = Path(__file__).parent / "data" / "criteria-valid.yaml"


def _base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    return data


def _leaf(data: dict[str, Any], code: str) -> dict[str, Any]:
    for f in data["fields"]:
        for c in f["criteria"]:
            for leaf in c["subcriteria"]:
                if leaf["code"] == code:
                    return leaf  # type: ignore[no-any-return]
    raise KeyError(code)


def _edited() -> dict[str, Any]:
    data = copy.deepcopy(_base())
    _leaf(data, "1.1.1")["name"] = "Ban hành văn bản chỉ đạo"
    _leaf(data, "1.1.2")["rule"]["due"] = "2025-03-31"
    del _leaf(data, "1.2.1")["did_not_arise"]  # the set's default: excluded
    _leaf(data, "1.2.3")["evidence"] = "optional"
    data["bonus"]["items"] = []
    data["bands"][0]["at_least"] = 92
    data["tie_break"] = ["appraised_points"]
    return data


def test_a_set_against_itself_has_no_change() -> None:
    model = criteria_from_dict(_base()).model
    assert diff_sets(model, model) == []


def test_each_edit_is_listed_once_with_its_old_and_new_value() -> None:
    old = criteria_from_dict(_base()).model
    new = criteria_from_dict(_edited()).model
    assert diff_sets(old, new) == [
        Change(
            "renamed", "leaf", "1.1.1", "Ban hành văn bản triển khai", "Ban hành văn bản chỉ đạo"
        ),
        Change(
            "rule",
            "leaf",
            "1.1.2",
            "Đúng thời hạn (due=2025-01-31; late_share=0.5)",
            "Đúng thời hạn (due=2025-03-31; late_share=0.5)",
        ),
        Change("policy", "leaf", "1.2.1", "được điểm tối đa", "không tính vào điểm tối đa"),
        Change("evidence", "leaf", "1.2.3", "bắt buộc", "không bắt buộc"),
        Change("removed", "bonus", "B.1", old="Sáng kiến cải cách hành chính được công nhận"),
        Change(
            "bands",
            "set",
            "",
            "Tốt ≥ 90 %, Khá ≥ 80 %, Trung bình ≥ 65 %, Yếu ≥ 0 %",
            "Tốt ≥ 92 %, Khá ≥ 80 %, Trung bình ≥ 65 %, Yếu ≥ 0 %",
        ),
        Change(
            "tie-break",
            "set",
            "",
            "điểm thẩm định (không kể điểm điều tra xã hội học) cao hơn; "
            "điểm điều tra xã hội học cao hơn",
            "điểm thẩm định (không kể điểm điều tra xã hội học) cao hơn",
        ),
    ]


def test_added_removed_and_moved_leaves_and_a_new_max() -> None:
    """1.2.2 (4 points) moves from criterion 1.2 to 1.1, so its code becomes 1.1.4 (a code
    names its criterion): one leaf moved, found by its unchanged name. 1.2.3 goes; a new 1.2.5
    takes its 4 points; the maxima of 1.1 and 1.2 follow."""
    data = copy.deepcopy(_base())
    crit_11, crit_12 = data["fields"][0]["criteria"]
    moved = next(x for x in crit_12["subcriteria"] if x["code"] == "1.2.2")
    crit_12["subcriteria"].remove(moved)
    crit_11["subcriteria"].append({**moved, "code": "1.1.4"})
    gone = next(x for x in crit_12["subcriteria"] if x["code"] == "1.2.3")
    crit_12["subcriteria"].remove(gone)
    new_leaf = {**copy.deepcopy(gone), "code": "1.2.5", "name": "Báo cáo quý đúng hạn"}
    crit_12["subcriteria"].append(new_leaf)
    crit_11["max"], crit_12["max"] = 24, 16
    changes = diff_sets(criteria_from_dict(_base()).model, criteria_from_dict(data).model)
    assert changes == [
        Change("max", "criterion", "1.1", "20", "24"),
        Change("max", "criterion", "1.2", "20", "16"),
        Change("moved", "leaf", "1.1.4", "mã 1.2.2, tiêu chí 1.2", "mã 1.1.4, tiêu chí 1.1"),
        Change("added", "leaf", "1.2.5", new="Báo cáo quý đúng hạn (tối đa 4)"),
        Change("removed", "leaf", "1.2.3", old="Báo cáo định kỳ đúng hạn"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        Change("max", "criterion", "1.1", "20", "24"),
        Change("removed", "bonus", "B.1", old="Sáng kiến"),
    ],
)
def test_a_change_reads_as_a_vietnamese_sentence(change: Change) -> None:
    text = describe(change)
    assert_vietnamese(text)
    assert change.code in text


def test_parindex_diff_prints_the_changes_and_their_json(tmp_path: Path) -> None:
    old, new = tmp_path / "cu.yaml", tmp_path / "moi.yaml"
    old.write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")
    new.write_text(yaml.safe_dump(_edited(), allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert (
        "Tiêu chí thành phần 1.1.1: đổi tên — trước: Ban hành văn bản triển khai" in result.output
    )
    assert "Bộ tiêu chí: đổi các mức xếp loại" in result.output
    assert result.output.rstrip().endswith("7 thay đổi.")
    assert_vietnamese(result.output)
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "--json"])
    changes = json.loads(result.output)["changes"]
    assert [c["kind"] for c in changes] == [
        "renamed",
        "rule",
        "policy",
        "evidence",
        "removed",
        "bands",
        "tie-break",
    ]


def test_parindex_diff_refuses_an_invalid_set_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "hong.yaml"
    bad.write_text(
        BASE.read_text(encoding="utf-8").replace("max: 100", "max: [", 1), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["diff", str(BASE), str(bad)])
    assert result.exit_code == 1
    assert "hong.yaml:" in result.output
    assert "chưa được đóng (thiếu ']' hoặc '}') hoặc thiếu dấu phẩy" in result.output  # whole
    # the code ends the line as a stable identifier, not as words
    assert_vietnamese(re.sub(r"\[[a-z0-9-]+\]", "", result.output.replace(str(bad), "")))
