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
    compare_block,
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


def _block(block: str = "xa", blocks: list[str] | None = None) -> dict[str, Comparison]:
    """This year's ``block`` (THIS_YEAR) compared with last year's ``blocks`` (default xa)."""
    rows = [(unit, int(Decimal(i) * 100)) for unit, i in THIS_YEAR[block].items()]
    return compare_block(rows, _previous(), _lineage(), year=2025, blocks=blocks or ["xa"])


# The comparable peers of this year's xa block: every unit with a previous index — all but
# dac-khu-e (new) and xa-h (its predecessor was a district). Their previous indices and this
# year's, and both ranks among the six (1 + the number of the six strictly above):
#
#   unit      previous  rank | this year  rank | change
#   xa-top       95.00     1 |     96.00     1 |  1 − 1 =  0
#   xa-b2        85.00     2 |     88.00     2 |  2 − 2 =  0   (xa-b's index: one above, 95)
#   xa-b1        85.00     2 |     84.00     4 |  2 − 4 = −2   (a tie with xa-b2 last year)
#   xa-a         84.44     4 |     86.00     3 |  4 − 3 = +1   (95, 85, 85 above it)
#   xa-c-moi     75.50     5 |     77.00     5 |  5 − 5 =  0
#   xa-r         66.67     6 |     65.00     6 |  6 − 6 =  0
#
# xa-a is 4th of the published 8 (xa-h is above it) but 3rd of the six compared.


def test_an_unchanged_unit_compares_with_its_own_result() -> None:
    # 96.00 − 95.00 = +1.00; 1st of the six both years
    assert _block()["xa-top"] == Comparison("same", 9500, 1, 100, 0, "", ("xa-top",), 1)


def test_a_merge_of_units_with_different_maxima_is_compared_with_their_weighted_average() -> None:
    # (90.00 × 80 + 80.00 × 100) / (80 + 100) = (7200 + 8000) / 180 = 84.444… → 84.44;
    # this year 86.00: +1.56; among the six peers 4th last year, 3rd this year: 4 − 3 = +1
    c = _block()["xa-a"]
    assert (c.change, c.previous_index_u, c.previous_rank, c.comparable_rank) == (
        "merged",
        8444,
        4,
        3,
    )
    assert (c.index_change_u, c.rank_change, c.predecessors) == (156, 1, ("xa-a1", "xa-a2"))
    assert c.note == (
        "Hợp nhất từ Đơn vị xa-a1, Đơn vị xa-a2 — so với bình quân có trọng số theo điểm tối đa "
        "áp dụng 84,44"
    )
    assert describe(c) == "Chỉ số tăng 1,56, tăng 01 bậc"
    # the plain mean, 85.00, would have been wrong: the larger unit (100 points) weighs more


def test_the_weighted_average_is_rounded_half_up() -> None:
    previous = {
        "a": PreviousResult("xa", "a", "A", 8001, 1, 10000),
        "b": PreviousResult("xa", "b", "B", 8000, 2, 10000),
    }
    lineage, _ = read_lineage(
        b"old,new,change,date\na,ab,merged,1/7/2025\nb,ab,merged,1/7/2025\n", "l.csv"
    )
    # (80.01 × 100 + 80.00 × 100) / 200 = 80.005 → 80.01 (half up); alone in its block:
    # 1st of one both years, 1 − 1 = 0; 80.01 − 80.01 = 0
    c = compare_block([("ab", 8001)], previous, lineage, year=2025, blocks=["xa"])["ab"]
    assert (c.previous_index_u, c.previous_rank, c.index_change_u, c.rank_change) == (
        8001,
        1,
        0,
        0,
    )


def test_split_units_each_compare_with_the_unit_they_came_from() -> None:
    # both with xa-b: 85.00, 2nd of the six peers (95.00 above); this year xa-b1 84.00 is 4th
    # (96, 88, 86 above), xa-b2 88.00 2nd (96 above)
    got = _block()
    b1, b2 = got["xa-b1"], got["xa-b2"]
    assert (b1.change, b1.index_change_u, b1.previous_rank, b1.rank_change) == (
        "split",
        -100,  # 84.00 − 85.00
        2,
        -2,  # 2 − 4
    )
    assert (b2.change, b2.index_change_u, b2.previous_rank, b2.rank_change) == (
        "split",
        300,  # 88.00 − 85.00
        2,
        0,  # 2 − 2
    )
    assert b1.note == "Chia tách từ Đơn vị xa-b"
    assert describe(b1) == "Chỉ số giảm 1,00, giảm 02 bậc"


def test_a_renamed_unit_compares_with_its_one_predecessor() -> None:
    # 77.00 − 75.50 = +1.50; 5th of the six both years (95, 85, 85, 84.44 above last year;
    # 96, 88, 86, 84 above this year)
    c = _block()["xa-c-moi"]
    assert c == Comparison("renamed", 7550, 5, 150, 0, "Đổi tên từ Đơn vị xa-c", ("xa-c",), 5)


def test_a_chain_of_changes_is_followed_to_last_years_units() -> None:
    # xa-r ← xa-q (merged) ← xa-p (renamed in January), and xa-d (merged): last year's results
    # are xa-p's and xa-d's: (60.00 × 50 + 70.00 × 100) / 150 = (3000 + 7000) / 150
    # = 66.666… → 66.67; last of the six both years: 6 − 6 = 0; 65.00 − 66.67 = −1.67
    c = _block()["xa-r"]
    assert (c.change, c.predecessors) == ("merged", ("xa-p", "xa-d"))
    assert (c.previous_index_u, c.previous_rank, c.index_change_u, c.rank_change) == (
        6667,
        6,
        -167,
        0,
    )


def test_a_new_unit_and_one_from_another_block_are_not_compared() -> None:
    got = _block()
    new = got["dac-khu-e"]
    assert new == Comparison("new", None, None, None, None, "Đơn vị mới — không so sánh")
    other = got["xa-h"]  # its predecessor huyen-h was a district
    assert other == Comparison(
        "other-block",
        None,
        None,
        None,
        None,
        "Đơn vị trước sắp xếp thuộc khối khác — không so sánh",
    )
    assert describe(other) == other.note


def test_units_not_compared_are_left_out_of_both_ranks() -> None:
    # xa-h (90.00, published 2nd) and dac-khu-e (70.00, 7th) count in neither rank: xa-b2,
    # published 3rd, is 2nd of the six; xa-r, published 8th, is 6th
    got = _block()
    assert [got[u].comparable_rank for u in ("xa-top", "xa-b2", "xa-a", "xa-r")] == [1, 2, 3, 6]
    assert got["xa-h"].comparable_rank is None and got["dac-khu-e"].previous_rank is None


def test_an_unchanged_block_keeps_last_years_and_this_years_ranks() -> None:
    previous = {
        u: PreviousResult("so", u, u, i, r, 10000)
        for u, i, r in (("a", 9000, 1), ("b", 8000, 2), ("c", 8000, 2), ("d", 7000, 4))
    }
    # this year: b 85.00 1st, a 75.00 2nd, d 75.00 2nd (a tie), c 60.00 4th
    got = compare_block(
        [("b", 8500), ("a", 7500), ("d", 7500), ("c", 6000)], previous, blocks=["so"]
    )
    ranks = {u: (c.previous_rank, c.comparable_rank, c.rank_change) for u, c in got.items()}
    assert ranks == {
        "a": (1, 2, -1),  # 1 − 2
        "b": (2, 1, 1),  # 2 − 1
        "c": (2, 4, -2),  # 2 − 4
        "d": (4, 2, 2),  # 4 − 2
    }


def test_a_ward_block_is_ranked_among_its_own_units_not_last_years_communes() -> None:
    # phuong-k against xa-k of last year's xa block (8th of 8 there): 55.00 − 50.00 = +5.00;
    # alone in this year's phuong block: 1st of one last year and this year, 1 − 1 = 0 (not
    # 8 − 1 = +7: the seven communes above it are not in its block)
    c = _block("phuong")["phuong-k"]
    assert (c.change, c.index_change_u, c.previous_rank, c.rank_change) == ("renamed", 500, 1, 0)
    # compared with its own id only (no ``phuong`` block last year): another block
    assert _block("phuong", ["phuong"])["phuong-k"].change == "other-block"


def test_without_applicable_maxima_a_merged_unit_is_not_compared() -> None:
    previous = {
        u: PreviousResult(p.block, u, p.name, p.index_u, p.rank) for u, p in _previous().items()
    }
    rows = [(unit, int(Decimal(i) * 100)) for unit, i in THIS_YEAR["xa"].items()]
    got = compare_block(rows, previous, _lineage(), year=2025, blocks=["xa"])
    c = got["xa-a"]
    assert (c.change, c.index_change_u, c.rank_change) == ("merged", None, None)
    assert c.note.endswith("không so sánh: kết quả năm trước không có điểm tối đa áp dụng")
    # one predecessor needs no maximum; xa-a and xa-r drop out of the peers, leaving xa-top
    # 95.00, xa-b2 and xa-b1 85.00, xa-c-moi 75.50: xa-c-moi 4th last year, and 4th this year
    # (96, 88, 84 above 77): 4 − 4 = 0
    assert (got["xa-c-moi"].index_change_u, got["xa-c-moi"].previous_rank) == (150, 4)
    assert got["xa-c-moi"].rank_change == 0
    # without ``blocks`` a unit is compared with its predecessors' blocks: xa-h with huyen-h
    # (88.00), 90.00 − 88.00 = +2.00
    alone = compare_block([("xa-h", 9000)], previous, _lineage(), year=2025)
    assert alone["xa-h"].index_change_u == 200


def test_a_unit_without_last_years_result() -> None:
    c = compare_block([("xa-z", 8000)], _previous(), None)["xa-z"]
    assert c == Comparison(
        "none", None, None, None, None, "Không có kết quả năm trước — không so sánh"
    )
    assert_vietnamese(method_text(2024))


# --------------------------------------------------------------- through every output
@pytest.fixture()
def root(tmp_path: Path) -> Path:
    write_results(tmp_path, 2024, PREVIOUS_ROWS)
    return write_year(tmp_path, 2025, THIS_YEAR, compare_with={"phuong": ["xa"]}, lineage=LINEAGE)


#: unit: (previous index, previous rank, comparable rank, index change, rank change); the
#: ranks are among the comparable peers of the unit's block, worked out above the unit tests
EXPECTED = {
    "xa-top": (Decimal("95.00"), 1, 1, Decimal("1.00"), 0),
    "xa-a": (Decimal("84.44"), 4, 3, Decimal("1.56"), 1),
    "xa-b1": (Decimal("85.00"), 2, 4, Decimal("-1.00"), -2),
    "xa-b2": (Decimal("85.00"), 2, 2, Decimal("3.00"), 0),
    "xa-c-moi": (Decimal("75.50"), 5, 5, Decimal("1.50"), 0),
    "xa-r": (Decimal("66.67"), 6, 6, Decimal("-1.67"), 0),
    "dac-khu-e": (None, None, None, None, None),
    "xa-h": (None, None, None, None, None),
    "phuong-k": (Decimal("50.00"), 1, 1, Decimal("5.00"), 0),
}


def test_the_year_is_compared_through_its_lineage_file(root: Path) -> None:
    ds = load_year(root, 2025)
    assert ds.report.valid, [str(i) for i in ds.report.issues]
    results = score_dataset(ds)
    keys = ("previous_index", "previous_rank", "comparable_rank", "index_change", "rank_change")
    got = {r["agency"]: tuple(r.get(k) for k in keys) for r in results.rows()}
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
    # xa-a's row: last year's index 84.44, 4th of the six peers then, 3rd now, +1 (as above)
    row = next(r for r in sheet.iter_rows(values_only=True) if "Đơn vị xa-a" in r)
    note = row.index(next(t for t in row if isinstance(t, str) and t.startswith("Hợp nhất")))
    assert row[note - 5 : note] == (84.44, 4, 3, 1.56, 1)
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


def test_a_unit_that_continues_and_takes_over_part_of_a_split_one() -> None:
    """u2 is split between u1 (which existed and continues) and the new u3. u1 is compared
    with itself and u2 weighted by their maxima: (90.00 × 100 + 80.00 × 50) / 150
    = (9000 + 4000) / 150 = 86.666… → 86.67, and its note says it took over part of u2; u3 with
    u2 alone, 80.00. Peers by previous index: u1 86.67 → 1, u3 80.00 → 2; this year u1 88.00 →
    1, u3 70.00 → 2: no change of place."""
    previous = {
        "u1": PreviousResult("xa", "u1", "Xã Một", 9000, 1, 10000),
        "u2": PreviousResult("xa", "u2", "Xã Hai", 8000, 2, 5000),
    }
    lineage, issues = read_lineage(
        b"old,new,change,date\nu2,u1,split,01/07/2025\nu2,u3,split,01/07/2025\n", "l.csv"
    )
    assert issues == []
    got = compare_block([("u1", 8800), ("u3", 7000)], previous, lineage, year=2025, blocks=["xa"])
    assert (got["u1"].previous_index_u, got["u1"].index_change_u) == (8667, 133)
    assert got["u1"].note == (
        "Tiếp nhận một phần từ Xã Hai (chia tách) — so với bình quân có trọng số theo điểm tối "
        "đa áp dụng 86,67"
    )
    assert (got["u3"].previous_index_u, got["u3"].note) == (8000, "Chia tách từ Xã Hai")
    assert (got["u1"].rank_change, got["u3"].rank_change) == (0, 0)
