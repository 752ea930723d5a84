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
from openpyxl import load_workbook

from parindex.cli import main
from parindex.criteria import criteria_from_dict
from parindex.dataset import load_year
from parindex.decision import write_decision_table
from parindex.diff import Change, changes_since, describe, diff_sets
from parindex.errors import CriteriaError
from parindex.results import score_dataset
from tests.vietnamese import assert_vietnamese
from tests.years import write_results, write_year

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
    # the issue's code ends the line as a stable identifier, not as words
    assert_vietnamese(re.sub(r"\[[a-z0-9-]+\]", "", result.output.replace(str(bad), "")))


# ------------------------------------------------ since last year (the decision table's method)
def _model(data: dict[str, Any]) -> Any:
    return criteria_from_dict(data).model


def test_a_block_is_diffed_against_last_years_set_of_the_block_it_is_compared_with() -> None:
    old, new = _model(_base()), _model(_edited())
    assert changes_since(new, {"so": old}) == [describe(c) for c in diff_sets(old, new)]
    assert len(changes_since(new, {"so": old})) == 7  # the seven edits listed above
    assert changes_since(old, {"so": old}) == ["Không thay đổi"]
    assert changes_since(old, {"xa": old}) == ["Không có bộ tiêu chí năm trước"]
    # compared with last year's xa (compare_with): that set, whatever this block's id
    ward = _model(_base() | {"block": "phuong", "compare_with": ["xa"]})
    assert changes_since(ward, {"xa": old, "so": new}) == ["Không thay đổi"]
    # two blocks: each line names the set it is against
    both = _model(_base() | {"compare_with": ["so", "huyen"]})
    assert changes_since(both, {"so": old}) == [
        f"So với {old.id} (khối so): Không thay đổi",
        "Không có bộ tiêu chí năm trước của khối huyen",
    ]


@pytest.mark.parametrize(
    ("value", "code", "path"),
    [
        ([], "bad-value", "compare_with"),
        ("xa", "wrong-type", "compare_with"),
        (["x a"], "identifier-space", "compare_with[0]"),
        (["xa", "xa"], "duplicate-code", "compare_with[1]"),
    ],
)
def test_compare_with_is_a_list_of_block_ids(value: Any, code: str, path: str) -> None:
    with pytest.raises(CriteriaError) as e:
        criteria_from_dict(_base() | {"compare_with": value})
    assert [(i.code, i.location.path) for i in e.value.issues] == [(code, path)]
    assert_vietnamese(e.value.issues[0].message)


def test_compare_with_defaults_to_the_sets_own_block() -> None:
    assert _model(_base()).compared_blocks == ["so"]
    assert _model(_base() | {"compare_with": ["huyen", "xa"]}).compared_blocks == ["huyen", "xa"]


def test_the_method_sheet_lists_each_blocks_changes_since_last_year(tmp_path: Path) -> None:
    # 2024: xa and huyen; 2025: xa (its band raised from 80 to 85) and phuong, compared with
    # 2024's xa (the same set but for its id and block: no change in scoring), and so-nganh,
    # which had no set in 2024
    write_year(tmp_path, 2024, {"xa": {"xa-a": "80.00"}, "huyen": {"huyen-h": "70.00"}})
    write_results(tmp_path, 2024, [("xa", 1, "xa-a", "80.00", "100")])
    write_year(
        tmp_path,
        2025,
        {"xa": {"xa-a": "81.00"}, "phuong": {"p-b": "90.00"}, "so-nganh": {"so-c": "75.00"}},
        compare_with={"phuong": ["xa"]},
    )
    xa = tmp_path / "criteria" / "2025" / "xa.yaml"
    xa.write_text(xa.read_text(encoding="utf-8").replace("at_least: 80", "at_least: 85"), "utf-8")
    results = score_dataset(load_year(tmp_path, 2025))
    assert set(results.previous_sets) == {"xa", "huyen"}
    out = write_decision_table(results, tmp_path / "t.xlsx", charts=False)
    rows = [r for r in load_workbook(out)["Phương pháp"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Thay đổi bộ tiêu chí so với năm 2024")
    listed = [(r[0], r[1]) for r in rows[start + 1 : start + 4]]
    assert listed == [
        ("phuong", "Không thay đổi"),
        ("so-nganh", "Không có bộ tiêu chí năm trước"),
        (
            "xa",
            "Bộ tiêu chí: đổi các mức xếp loại — trước: Tốt ≥ 80 %, Khác ≥ 0 %; nay: Tốt ≥ 85 %, Khác ≥ 0 %",
        ),
    ]
    for _, line in listed:
        assert_vietnamese(line)
