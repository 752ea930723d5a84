"""The yearly CCHC plan's appendix (parindex/plan.py): each layout quirk read from a small XLSX
built here, bad rows located by row and column in Vietnamese, and a unit's completion rate →
the plan-completion leaf's facts → points worked by hand."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from builders import build_set, leaf, points, score, submission
from click.testing import CliRunner
from openpyxl import Workbook

from parindex.cli import main
from parindex.criteria import criteria_from_dict
from parindex.dataset import Agency, read_agencies
from parindex.errors import CriteriaError
from parindex.plan import completion, due_date, expand_leads, read_plan

ROOT = Path(__file__).resolve().parent.parent
D = Decimal
HEADER = [
    "STT",
    "Nhiệm vụ",
    "Sản phẩm cụ thể",
    "Thời gian\nthực hiện",
    "CƠ QUAN CHỦ TRÌ",
    "Cơ quan phối hợp",
]
UNITS = [
    Agency("so-noi-vu", "Sở Nội vụ", "so-nganh", "so-nganh"),
    Agency("so-tu-phap", "Sở Tư pháp", "so-nganh", "so-nganh"),
    Agency("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "so-nganh", "so-nganh"),
    Agency("phuong-a", "UBND phường An Hòa", "phuong", "phuong"),
    Agency("xa-b", "UBND xã Bình Minh", "xa", "ubnd-xa"),
]


def xlsx(*rows: list[Any], title: bool = True) -> bytes:
    """A plan appendix: two title rows (when ``title``), the header, then ``rows``."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["PHỤ LỤC KẾ HOẠCH CCHC NĂM 2025"])
        ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read(*rows: list[Any], **kw: Any) -> Any:
    return read_plan(xlsx(*rows, **kw), "ke-hoach.xlsx", units=UNITS, year=2025)


# ------------------------------------------------------------------------------- layout quirks
def test_groups_set_the_reform_area_of_the_tasks_below() -> None:
    plan, issues = read(
        ["I", "CẢI CÁCH THỂ CHẾ"],
        [1, "Rà soát văn bản", "Báo cáo", "Quý I/2025", "Sở Tư pháp", ""],
        ["II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH"],  # the title spanning the row, in the STT cell
        [1, "Công bố TTHC", "Quyết định", "Thường xuyên", "Sở Nội vụ", ""],
        [2, "Rà soát TTHC", "Phương án", "Quý II/2025", "Sở Nội vụ", ""],
    )
    assert issues == []
    assert [(t.area, t.stt, t.task) for t in plan.tasks] == [
        ("I. CẢI CÁCH THỂ CHẾ", "1", "Rà soát văn bản"),
        ("II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "1", "Công bố TTHC"),
        ("II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "2", "Rà soát TTHC"),
    ]
    assert plan.areas() == ["I. CẢI CÁCH THỂ CHẾ", "II. CẢI CÁCH THỦ TỤC HÀNH CHÍNH"]
    # rows of the file: 2 title rows, the header on 3, the first group on 4
    assert [t.row for t in plan.tasks] == [5, 7, 8]


def test_header_found_without_title_rows_and_a_column_number_row_skipped() -> None:
    plan, issues = read(
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        [1, "Nhiệm vụ A", "", "Năm 2025", "Sở Nội vụ", ""],
        title=False,
    )
    assert issues == []
    assert [(t.task, t.area, t.row) for t in plan.tasks] == [("Nhiệm vụ A", "", 3)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/03/2025", dt.date(2025, 3, 15)),
        (dt.datetime(2025, 4, 30), dt.date(2025, 4, 30)),  # a date cell
        ("Trước ngày 15/12/2025", dt.date(2025, 12, 15)),
        ("Từ 01/3/2025 đến 30/6/2025", dt.date(2025, 6, 30)),  # several dates: the latest
        ("Quý I/2025", dt.date(2025, 3, 31)),
        ("Quý II/2025", dt.date(2025, 6, 30)),
        ("Quý III năm 2025", dt.date(2025, 9, 30)),
        ("Quý IV/2025", dt.date(2025, 12, 31)),
        ("Quý III, Q IV", dt.date(2025, 12, 31)),  # a seed's layout: the latest quarter
        ("Quý 2", dt.date(2025, 6, 30)),  # no year: the plan's
        ("Tháng 6/2025", dt.date(2025, 6, 30)),
        ("tháng 2", dt.date(2025, 2, 28)),
        ("6 tháng đầu năm", dt.date(2025, 6, 30)),
        ("Trong năm 2025", dt.date(2025, 12, 31)),
        ("Năm 2025", dt.date(2025, 12, 31)),
        ("Thường xuyên trong năm", dt.date(2025, 12, 31)),
        ("Thường xuyên", dt.date(2025, 12, 31)),
        ("THUONG XUYEN", dt.date(2025, 12, 31)),  # typed without accents
        ("Hằng năm", dt.date(2025, 12, 31)),
        ("Khi có yêu cầu", None),
        ("31/02/2025", None),
    ],
)
def test_each_time_text_to_its_due_date(text: Any, expected: dt.date | None) -> None:
    assert due_date(text, 2025) == expected


def test_a_lead_cell_naming_several_units() -> None:
    plan, issues = read(
        [1, "A", "", "Quý I/2025", "Sở Nội vụ, Sở Tư pháp", ""],
        [2, "B", "", "Quý I/2025", "Sở Nội vụ; UBND xã Bình Minh", ""],
        [3, "C", "", "Quý I/2025", "Sở Tư pháp\nUBND phường An Hòa", ""],
        [4, "D", "", "Quý I/2025", "Sở Tư pháp và Sở Nội vụ", ""],
        # a name holding a comma and "và"; a name without accents; a commune without "UBND"
        [5, "E", "", "Quý I/2025", "Sở Văn hóa, Thể thao và Du lịch, so noi vu", ""],
        [6, "F", "", "Quý I/2025", "xã Bình Minh", ""],
    )
    assert issues == []
    assert [t.leads for t in plan.tasks] == [
        ("so-noi-vu", "so-tu-phap"),
        ("so-noi-vu", "xa-b"),
        ("so-tu-phap", "phuong-a"),
        ("so-tu-phap", "so-noi-vu"),
        ("so-vhttdl", "so-noi-vu"),
        ("xa-b",),
    ]
    assert plan.tasks[0].lead_text == "Sở Nội vụ, Sở Tư pháp"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Các sở, ngành tỉnh", ["so-noi-vu", "so-tu-phap", "so-vhttdl"]),
        ("UBND các xã, phường", ["phuong-a", "xa-b"]),
        (
            "Các sở, ngành tỉnh và UBND cấp xã",
            ["so-noi-vu", "so-tu-phap", "so-vhttdl", "phuong-a", "xa-b"],
        ),
        ("Sở Tư pháp; UBND các phường", ["so-tu-phap", "phuong-a"]),
        ("Các sở, ngành tỉnh, Sở Nội vụ", ["so-noi-vu", "so-tu-phap", "so-vhttdl"]),  # once each
    ],
)
def test_a_collective_phrase_expands_to_the_units_of_its_types(
    cell: str, expected: list[str]
) -> None:
    assert expand_leads(cell, UNITS) == (expected, [], [])


def test_every_unit_and_area_counted() -> None:
    plan, issues = read(
        ["I", "CHỈ ĐẠO, ĐIỀU HÀNH"],
        [1, "A", "", "Quý I/2025", "Các sở, ngành tỉnh", ""],
        ["II", "THỂ CHẾ"],
        [1, "B", "", "Quý I/2025", "Sở Tư pháp", ""],
    )
    assert issues == []
    assert plan.counts() == {"so-noi-vu": 1, "so-tu-phap": 2, "so-vhttdl": 1}
    assert plan.area_counts()["II. THỂ CHẾ"] == {"so-tu-phap": 1}


# ------------------------------------------------------------------------------------ bad rows
def located(issues: list[Any]) -> list[tuple[str, int | None, str]]:
    return [(i.code, i.location.row, i.location.path) for i in issues]


def test_bad_rows_are_errors_at_their_row_and_column_and_nothing_kept() -> None:
    # rows: title 1, blank 2, header 3, group 4, then the tasks from 5
    plan, issues = read(
        ["I", "THỂ CHẾ"],
        [1, "Tốt", "", "Quý I/2025", "Sở Nội vụ", ""],
        [2, "Thời gian lạ", "", "Khi có yêu cầu", "Sở Nội vụ", ""],
        [3, "Đơn vị lạ", "", "Quý I/2025", "Sở Nội vụ, Sở Không Có", ""],
        [4, "", "", "Quý I/2025", "Sở Nội vụ", ""],
        [5, "Thiếu thời gian và chủ trì", "", None, None, ""],
    )
    assert located(issues) == [
        ("plan-bad-time", 6, "Thời gian thực hiện"),
        ("plan-unknown-unit", 7, "Cơ quan chủ trì"),
        ("plan-blank-cell", 8, "Nhiệm vụ"),
        ("plan-blank-cell", 9, "Thời gian thực hiện"),
        ("plan-blank-cell", 9, "Cơ quan chủ trì"),
    ]
    assert [t.row for t in plan.tasks] == [5]  # only the good row; the caller saves nothing
    unknown = issues[1]
    assert unknown.params["value"] == "Sở Không Có"
    assert "Không có đơn vị “Sở Không Có” trong danh sách đơn vị năm 2025" in unknown.message
    assert "Không đọc được thời gian thực hiện “Khi có yêu cầu”" in issues[0].message


def test_a_due_date_of_another_year_is_a_warning() -> None:
    plan, issues = read([1, "A", "", "Quý I/2024", "Sở Nội vụ", ""])
    assert [(i.code, i.severity) for i in issues] == [("plan-time-other-year", "warning")]
    assert len(plan.tasks) == 1


def test_a_file_without_the_header_or_its_columns() -> None:
    wb = Workbook()
    wb.active.append(["STT", "Nội dung công việc", "Ghi chú"])
    buffer = io.BytesIO()
    wb.save(buffer)
    _, issues = read_plan(buffer.getvalue(), "x.xlsx", units=UNITS, year=2025)
    assert [i.code for i in issues] == ["plan-no-header"]
    wb = Workbook()
    wb.active.append(["STT", "Nhiệm vụ", "Cơ quan chủ trì"])
    buffer = io.BytesIO()
    wb.save(buffer)
    _, issues = read_plan(buffer.getvalue(), "x.xlsx", units=UNITS, year=2025)
    assert located(issues) == [("plan-missing-column", 1, "Thời gian thực hiện")]


def test_a_damaged_workbook_is_one_located_error() -> None:
    _, issues = read_plan(b"PK\x03\x04 not a zip", "x.xlsx", units=UNITS, year=2025)
    assert [i.code for i in issues] == ["table-damaged"]


# ------------------------------------------------------------ completion → facts → points
def test_completion_rate_to_leaf_facts_to_points_worked_by_hand() -> None:
    # Sở Nội vụ leads 8 tasks (due 31/03 ×4, 30/06 ×4). It completes 7 on or before their due
    # date and the 8th (due 30/06) on 01/07: 7 completed on time of 8 assigned = 87.5 %, in the
    # tier "từ 80% đến dưới 100%" of the sample's leaf 1.1.3 (100 % → 1,5; 80 % → 0,75): 0,75.
    rows = [[n, f"Nhiệm vụ {n}", "", "Quý I/2025", "Sở Nội vụ", ""] for n in range(1, 5)]
    rows += [[n, f"Nhiệm vụ {n}", "", "Tháng 6/2025", "Sở Nội vụ", ""] for n in range(5, 9)]
    rows.append([9, "Của sở khác", "", "Quý I/2025", "Sở Tư pháp", ""])
    plan, issues = read(*rows)
    assert issues == []
    q1, june = dt.date(2025, 3, 31), dt.date(2025, 6, 30)
    done = {t.row: (q1 if t.due == q1 else june) for t in plan.tasks[:7]}
    done[plan.tasks[7].row] = dt.date(2025, 7, 1)  # a day late: not on time
    numerator, denominator = completion(plan, "so-noi-vu", done)
    assert (numerator, denominator) == (7, 8)
    tiers = [{"at_least": D(100), "points": D("1.5")}, {"at_least": D(80), "points": D("0.75")}]
    node = leaf("1.5", "tiers", tiers=tiers, leaf_plan="cchc")
    result = score(
        build_set([[[node]]]),
        [submission("so-noi-vu", {"1.1.1": {"numerator": numerator, "denominator": denominator}})],
    )
    assert points(result, "so-noi-vu", "1.1.1") == D("0.75")
    # a task not reported counts as not completed: 6 of 8 = 75 % → 0
    del done[plan.tasks[0].row]
    assert completion(plan, "so-noi-vu", done) == (6, 8)


# ----------------------------------------------------------------------- the criteria key
def test_plan_key_only_on_a_rate_leaf_and_once_a_set() -> None:
    ok = leaf(1, "tiers", tiers=[{"at_least": D(100), "points": D(1)}], leaf_plan="cchc")
    criteria_from_dict(build_set([[[ok]]]))
    with pytest.raises(CriteriaError) as e:
        criteria_from_dict(build_set([[[leaf(1, "yes-no", leaf_plan="cchc")]]]))
    assert [(i.code, i.location.path) for i in e.value.issues] == [
        ("bad-value", "fields[0].criteria[0].subcriteria[0].plan")
    ]
    with pytest.raises(CriteriaError) as e:
        criteria_from_dict(build_set([[[ok, dict(ok)]]]))
    assert [i.code for i in e.value.issues] == ["duplicate-code"]
    with pytest.raises(CriteriaError) as e:
        criteria_from_dict(build_set([[[leaf(1, "yes-no", leaf_plan="kh")]]]))


def test_the_sample_sets_mark_their_plan_leaf() -> None:
    from parindex.criteria import load_criteria

    for block in ("so-nganh", "xa", "phuong"):
        loaded = load_criteria(ROOT / "criteria" / "2025" / f"{block}.yaml")
        marked = [leaf.code for _, _, leaf in loaded.model.leaves() if leaf.plan == "cchc"]
        assert marked == ["1.1.3"], block


# ----------------------------------------------------------------------------- the sample
def test_the_bundled_plan_reads_without_a_problem() -> None:
    agencies, _ = read_agencies(ROOT / "submissions" / "2025" / "agencies.csv")
    plan, issues = read_plan(
        ROOT / "submissions" / "2025" / "ke-hoach-cchc-2025.xlsx",
        units=agencies.values(),
        year=2025,
    )
    assert issues == []
    assert 30 <= len(plan.tasks) <= 40
    assert len(plan.areas()) == 7
    assert set(plan.counts()) == set(agencies)  # every unit leads at least one task


# -------------------------------------------------------------------------------------- CLI
def test_cli_prints_each_units_count(tmp_path: Path) -> None:
    good = tmp_path / "kh.xlsx"
    good.write_bytes(
        xlsx(
            ["I", "THỂ CHẾ"],
            [1, "A", "", "Quý I/2025", "Sở Nội vụ, Sở Tư pháp", ""],
            [2, "B", "", "Thường xuyên", "Sở Tư pháp", ""],
        )
    )
    result = CliRunner().invoke(main, ["plan", str(good), "--root", str(ROOT), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "Sở Tư pháp (so-tu-phap): 2" in result.output
    assert "Sở Nội vụ (so-noi-vu): 1" in result.output
    assert "I. THỂ CHẾ: 2 nhiệm vụ, 2 đơn vị chủ trì" in result.output
    result = CliRunner().invoke(main, ["plan", str(good), "--root", str(ROOT), "--json"])
    out = json.loads(result.output)
    assert (out["valid"], out["tasks"], out["units"]) == (
        True,
        2,
        {"so-noi-vu": 1, "so-tu-phap": 2},
    )


def test_cli_bad_file_exit_1_and_unknown_year_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "kh.xlsx"
    bad.write_bytes(xlsx([1, "A", "", "Khi nào rảnh", "Sở Nội vụ", ""]))
    result = CliRunner().invoke(main, ["plan", str(bad), "--root", str(ROOT)])
    assert result.exit_code == 1
    assert "dòng 4" in result.output and "Không đọc được thời gian" in result.output
    result = CliRunner().invoke(main, ["plan", str(bad), "--root", str(ROOT), "--year", "1999"])
    assert result.exit_code == 2


def test_cli_as_a_subprocess_on_the_bundled_plan() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "parindex.cli", "plan", "submissions/2025/ke-hoach-cchc-2025.xlsx"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Kế hoạch CCHC năm 2025: 30 nhiệm vụ." in done.stdout
