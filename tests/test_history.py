"""Year over year through the lineage: one stated method (docs/decisions.md), hand-worked.

Last year (2024), block ``xa`` (index, applicable maximum → rank), and one district:

    xa-top 95.00 (100) 1 · xa-a1 90.00 (80) 2 · xa-b 85.00 (100) 3 · xa-a2 80.00 (100) 4
    xa-c 75.50 (90) 5 · xa-d 70.00 (100) 6 · xa-p 60.00 (50) 7 · xa-k 50.00 (100) 8
    huyen huyen-h 88.00 (100) 1 · huyen-g 70.00 (100) 2

The lineage into 2025: xa-a1 + xa-a2 → xa-a (merged); xa-b → xa-b1, xa-b2 (split); xa-c →
xa-c-moi (renamed); xa-p → xa-q (renamed, 15/01/2025), then xa-q + xa-d → xa-r (merged,
01/07/2025: a chain); huyen-h → xa-h (a district into a commune: another block); huyen-g is
dissolved; dac-khu-e is new; xa-k → phuong-k (renamed; the ward block is compared with last year's ``xa``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from parindex.cli import main
from parindex.dataset import load_year
from parindex.history import (
    Comparison,
    PreviousResult,
    compare,
    describe,
    method_text,
    read_previous,
)
from parindex.lineage import read_lineage
from parindex.report import build_report
from parindex.results import score_dataset
from tests.vietnamese import assert_vietnamese
from tests.years import write_results, write_year

PREVIOUS_ROWS = [
    ("xa", 1, "xa-top", "95.00", "100"),
    ("xa", 2, "xa-a1", "90.00", "80"),
    ("xa", 3, "xa-b", "85.00", "100"),
    ("xa", 4, "xa-a2", "80.00", "100"),
    ("xa", 5, "xa-c", "75.50", "90"),
    ("xa", 6, "xa-d", "70.00", "100"),
    ("xa", 7, "xa-p", "60.00", "50"),
    ("xa", 8, "xa-k", "50.00", "100"),
    ("huyen", 1, "huyen-h", "88.00", "100"),
    ("huyen", 2, "huyen-g", "70.00", "100"),
]
LINEAGE = """Mã cũ,Mã mới,Thay đổi,Ngày hiệu lực,Tên mới,Căn cứ
xa-a1,xa-a,Hợp nhất,01/07/2025,,Nghị quyết số 1662/NQ-UBTVQH15
xa-a2,xa-a,Hợp nhất,01/07/2025,,Nghị quyết số 1662/NQ-UBTVQH15
xa-b,xa-b1,Chia tách,01/07/2025,,
xa-b,xa-b2,Chia tách,01/07/2025,,
xa-c,xa-c-moi,Đổi tên,01/07/2025,,
xa-p,xa-q,Đổi tên,15/01/2025,,
xa-q,xa-r,Hợp nhất,01/07/2025,,
xa-d,xa-r,Hợp nhất,01/07/2025,,
huyen-h,xa-h,Đổi tên,01/07/2025,,
,dac-khu-e,Thành lập mới,01/07/2025,,
xa-k,phuong-k,Đổi tên,01/07/2025,,
huyen-g,,Giải thể,01/07/2025,,
"""
#: 2025: each unit's index (its one leaf's score); ranks in xa: xa-top 1, xa-h 2, xa-b2 3,
#: xa-a 4, xa-b1 5, xa-c-moi 6, dac-khu-e 7, xa-r 8; in phuong: phuong-k 1
THIS_YEAR = {
    "xa": {
        "xa-top": "96.00",
        "xa-h": "90.00",
        "xa-b2": "88.00",
        "xa-a": "86.00",
        "xa-b1": "84.00",
        "xa-c-moi": "77.00",
        "dac-khu-e": "70.00",
        "xa-r": "65.00",
    },
    "phuong": {"phuong-k": "55.00"},
}


def _previous() -> dict[str, PreviousResult]:
    return {
        unit: PreviousResult(
            block, unit, f"Đơn vị {unit}", int(Decimal(i) * 100), rank, int(m) * 100
        )
        for block, rank, unit, i, m in PREVIOUS_ROWS
    }


def _lineage():  # type: ignore[no-untyped-def]
    lineage, issues = read_lineage(LINEAGE.encode("utf-8"), "lineage.csv")
    assert issues == []
    return lineage


def _compare(unit: str, index: str, rank: int, blocks: list[str] | None = None) -> Comparison:
    return compare(
        unit,
        int(Decimal(index) * 100),
        rank,
        _previous(),
        _lineage(),
        year=2025,
        blocks=blocks or ["xa"],
    )


def test_an_unchanged_unit_compares_with_its_own_result() -> None:
    # 96.00 − 95.00 = +1.00; rank 1 → 1
    assert _compare("xa-top", "96.00", 1) == Comparison("same", 9500, 1, 100, 0, "", ("xa-top",))


def test_a_merge_of_units_with_different_maxima_is_compared_with_their_weighted_average() -> None:
    # (90.00 × 80 + 80.00 × 100) / (80 + 100) = (7200 + 8000) / 180 = 84.444… → 84.44;
    # last year's xa units above 84.44: 95.00, 90.00, 85.00 → rank 1 + 3 = 4
    # this year 86.00, rank 4: +1.56, 4 − 4 = 0 places
    c = _compare("xa-a", "86.00", 4)
    assert (c.change, c.previous_index_u, c.previous_rank) == ("merged", 8444, 4)
    assert (c.index_change_u, c.rank_change, c.predecessors) == (156, 0, ("xa-a1", "xa-a2"))
    assert c.note == (
        "Hợp nhất từ Đơn vị xa-a1, Đơn vị xa-a2 — so với bình quân có trọng số theo điểm tối đa "
        "áp dụng 84,44, thứ hạng tương ứng 4"
    )
    assert describe(c) == "Chỉ số tăng 1,56, giữ nguyên thứ hạng"
    # the plain mean, 85.00, would have been wrong: the larger unit (100 points) weighs more


def test_the_weighted_average_is_rounded_half_up() -> None:
    previous = {
        "a": PreviousResult("xa", "a", "A", 8001, 1, 10000),
        "b": PreviousResult("xa", "b", "B", 8000, 2, 10000),
    }
    lineage, _ = read_lineage(
        b"old,new,change,date\na,ab,merged,1/7/2025\nb,ab,merged,1/7/2025\n", "l.csv"
    )
    # (80.01 × 100 + 80.00 × 100) / 200 = 80.005 → 80.01 (half up); nobody above it → rank 1
    c = compare("ab", 8001, 1, previous, lineage, year=2025, blocks=["xa"])
    assert (c.previous_index_u, c.previous_rank, c.index_change_u) == (8001, 1, 0)


def test_split_units_each_compare_with_the_unit_they_came_from() -> None:
    # both with xa-b: 85.00, rank 3
    b1, b2 = _compare("xa-b1", "84.00", 5), _compare("xa-b2", "88.00", 3)
    assert (b1.change, b1.index_change_u, b1.rank_change) == ("split", -100, -2)  # 3 − 5
    assert (b2.change, b2.index_change_u, b2.rank_change) == ("split", 300, 0)
    assert b1.note == "Chia tách từ Đơn vị xa-b"
    assert describe(b1) == "Chỉ số giảm 1,00, giảm 02 bậc"


def test_a_renamed_unit_compares_with_its_one_predecessor() -> None:
    # 77.00 − 75.50 = +1.50; rank 5 → 6: down 1 place
    c = _compare("xa-c-moi", "77.00", 6)
    assert c == Comparison("renamed", 7550, 5, 150, -1, "Đổi tên từ Đơn vị xa-c", ("xa-c",))


def test_a_chain_of_changes_is_followed_to_last_years_units() -> None:
    # xa-r ← xa-q (merged) ← xa-p (renamed in January), and xa-d (merged): last year's results
    # are xa-p's and xa-d's: (60.00 × 50 + 70.00 × 100) / 150 = (3000 + 7000) / 150
    # = 66.666… → 66.67; above it: 95, 90, 85, 80, 75.5, 70 → rank 7; this year 65.00, 8th:
    # −1.67, 7 − 8 = −1
    c = _compare("xa-r", "65.00", 8)
    assert (c.change, c.predecessors) == ("merged", ("xa-p", "xa-d"))
    assert (c.previous_index_u, c.previous_rank, c.index_change_u, c.rank_change) == (
        6667,
        7,
        -167,
        -1,
    )


def test_a_new_unit_and_one_from_another_block_are_not_compared() -> None:
    new = _compare("dac-khu-e", "70.00", 7)
    assert new == Comparison("new", None, None, None, None, "Đơn vị mới — không so sánh")
    other = _compare("xa-h", "90.00", 2)  # its predecessor huyen-h was a district
    assert other == Comparison(
        "other-block",
        None,
        None,
        None,
        None,
        "Đơn vị trước sắp xếp thuộc khối khác — không so sánh",
    )
    assert describe(other) == other.note


def test_compare_with_names_last_years_block() -> None:
    # phuong-k (the ward block) against xa-k of last year's xa block: 55.00 − 50.00 = +5.00,
    # rank 8 → 1 (+7)
    c = _compare("phuong-k", "55.00", 1, ["xa"])
    assert (c.change, c.index_change_u, c.rank_change) == ("renamed", 500, 7)
    # compared with its own id only (no ``phuong`` block last year): another block
    assert _compare("phuong-k", "55.00", 1, ["phuong"]).change == "other-block"


def test_without_applicable_maxima_a_merged_unit_is_not_compared() -> None:
    previous = {
        u: PreviousResult(p.block, u, p.name, p.index_u, p.rank) for u, p in _previous().items()
    }
    c = compare("xa-a", 8600, 4, previous, _lineage(), year=2025, blocks=["xa"])
    assert (c.change, c.index_change_u, c.rank_change) == ("merged", None, None)
    assert c.note.endswith("không so sánh: kết quả năm trước không có điểm tối đa áp dụng")
    # one predecessor needs no maximum
    assert compare("xa-c-moi", 7700, 6, previous, _lineage(), year=2025).index_change_u == 150


def test_a_unit_without_last_years_result() -> None:
    c = compare("xa-z", 8000, 1, _previous(), None)
    assert c == Comparison(
        "none", None, None, None, None, "Không có kết quả năm trước — không so sánh"
    )
    assert_vietnamese(method_text(2024))


# --------------------------------------------------------------- through every output
@pytest.fixture()
def root(tmp_path: Path) -> Path:
    write_results(tmp_path, 2024, PREVIOUS_ROWS)
    return write_year(tmp_path, 2025, THIS_YEAR, compare_with={"phuong": ["xa"]}, lineage=LINEAGE)


EXPECTED = {  # unit: (previous index, previous rank, index change, rank change)
    "xa-top": (Decimal("95.00"), 1, Decimal("1.00"), 0),
    "xa-a": (Decimal("84.44"), 4, Decimal("1.56"), 0),
    "xa-b1": (Decimal("85.00"), 3, Decimal("-1.00"), -2),
    "xa-b2": (Decimal("85.00"), 3, Decimal("3.00"), 0),
    "xa-c-moi": (Decimal("75.50"), 5, Decimal("1.50"), -1),
    "xa-r": (Decimal("66.67"), 7, Decimal("-1.67"), -1),
    "dac-khu-e": (None, None, None, None),
    "xa-h": (None, None, None, None),
    "phuong-k": (Decimal("50.00"), 8, Decimal("5.00"), 7),
}


def test_the_year_is_compared_through_its_lineage_file(root: Path) -> None:
    ds = load_year(root, 2025)
    assert ds.report.valid, [str(i) for i in ds.report.issues]
    results = score_dataset(ds)
    got = {
        r["agency"]: (r["previous_index"], r["previous_rank"], r["index_change"], r["rank_change"])
        for r in results.rows()
    }
    assert got == EXPECTED
    rows = {r["agency"]: r for r in results.rows()}
    assert rows["xa-a"]["compared_with"] == "xa-a1; xa-a2"
    assert rows["dac-khu-e"]["change_note"] == "Đơn vị mới — không so sánh"
    data = results.as_dict()
    assert data["comparison_method"] == method_text(2024)
    assert [b["compare_with"] for b in data["blocks"]] == [["xa"], ["xa"]]


def test_every_output_states_the_method_and_the_notes(root: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["score", "--root", str(root)])
    assert table.exit_code == 0, table.output
    assert method_text(2024) in table.output
    assert "Đơn vị mới — không so sánh" in table.output
    assert "khối khác" in table.output
    as_json = runner.invoke(main, ["score", "--root", str(root), "--json"])
    data = json.loads(as_json.output)
    assert data["comparison_method"] == method_text(2024)
    out = tmp_path / "out" / "xep-hang-2025.xlsx"
    ranked = runner.invoke(main, ["rank", "--root", str(root), "--out", str(out), "--no-charts"])
    assert ranked.exit_code == 0, ranked.output
    wb = load_workbook(out)
    method = [c for row in wb["Phương pháp"].iter_rows(values_only=True) for c in row if c]
    assert method_text(2024) in method
    sheet = wb["Xếp hạng xa"]
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(
        t.startswith("Hợp nhất từ Đơn vị xa-a1, Đơn vị xa-a2 — so với bình quân") for t in texts
    )
    results = score_dataset(load_year(root, 2025))
    report = build_report(results, "xa", "xa-a")
    assert "tăng 1,56" in report.change and "bình quân có trọng số" in report.change
    assert report.method == method_text(2024)


def test_last_years_file_without_maxima_is_a_warning_and_merged_units_are_not_compared(
    root: Path,
) -> None:
    write_results(root, 2024, PREVIOUS_ROWS, maxima=False)
    results = score_dataset(load_year(root, 2025))
    warnings = [(i.code, i.location.file) for i in results.report.warnings]
    assert ("history-no-applicable-max", "submissions/2024/ket-qua-2024.csv") in warnings
    rows = {r["agency"]: r for r in results.rows()}
    assert rows["xa-a"]["index_change"] is None and rows["xa-r"]["index_change"] is None
    assert rows["xa-c-moi"]["index_change"] == Decimal("1.50")
    assert_vietnamese(
        next(i for i in results.report.warnings if i.code == "history-no-applicable-max").message
    )


def test_our_own_csv_output_is_read_back_with_its_maxima(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    runner = CliRunner()
    result = runner.invoke(main, ["score", "--root", str(root), "--csv"])
    out.write_text(result.output, encoding="utf-8")
    previous, issues = read_previous(out, 2025)
    assert issues == []
    # a one-leaf set of 100 points: every unit's applicable maximum is 100.00
    assert previous["xa-a"].applicable_u == 10000 and previous["xa-a"].index_u == 8600


def test_reads_our_own_json_output(tmp_path: Path) -> None:
    data = {
        "blocks": [
            {
                "block": "xa",
                "agencies": [
                    {"agency": "xa-a", "name": "A", "index": 91.87, "rank": 1, "applicable_max": 84}
                ],
            }
        ]
    }
    (tmp_path / "r.json").write_text(json.dumps(data), encoding="utf-8")
    previous, issues = read_previous(tmp_path / "r.json")
    assert not issues
    assert (previous["xa-a"].index_u, previous["xa-a"].rank, previous["xa-a"].applicable_u) == (
        9187,
        1,
        8400,
    )
