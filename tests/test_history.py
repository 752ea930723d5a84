"""Year over year: previous results from our own output, renamed / merged / new agencies."""

from __future__ import annotations

from pathlib import Path

from parindex.history import compare, describe, read_mapping, read_previous

PREVIOUS_CSV = """year,block,rank,agency,name,index
2024,xa,1,xa-a,UBND xã A,91.87
2024,xa,2,xa-old,UBND xã Cũ,88.10
2024,xa,3,xa-b1,UBND xã B1,85.00
2024,xa,4,xa-b2,UBND xã B2,80.00
"""
MAPPING = """agency,previous,change
xa-new-name,xa-old,renamed
xa-b,xa-b1;xa-b2,merged
xa-c,,new
"""


def _load(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "prev.csv").write_text(PREVIOUS_CSV, encoding="utf-8")
    (tmp_path / "mapping.csv").write_text(MAPPING, encoding="utf-8")
    previous, p_issues = read_previous(tmp_path / "prev.csv")
    mapping, m_issues = read_mapping(tmp_path / "mapping.csv")
    assert not p_issues and not m_issues
    return previous, mapping


def test_same_agency_change_of_index_and_rank(tmp_path: Path) -> None:
    previous, mapping = _load(tmp_path)
    # 2025: 96.17 and rank 1 against 91.87 and rank 1 → +4.30 points, same rank
    c = compare("xa-a", 9617, 1, previous, mapping)
    assert (c.index_change_u, c.rank_change) == (430, 0)
    assert describe(c) == "Chỉ số tăng 4,30, giữ nguyên thứ hạng"
    # falling from 1st to 3rd with 90.00: −1.87 points, down 2 places
    c = compare("xa-a", 9000, 3, previous, mapping)
    assert (c.index_change_u, c.rank_change) == (-187, -2)
    assert describe(c) == "Chỉ số giảm 1,87, giảm 02 bậc"


def test_renamed_agency_is_compared_with_its_old_result(tmp_path: Path) -> None:
    previous, mapping = _load(tmp_path)
    c = compare("xa-new-name", 9000, 1, previous, mapping)
    assert c.change == "renamed"
    assert (c.index_change_u, c.rank_change) == (190, 1)  # 90.00 − 88.10; 2nd → 1st
    assert c.note == "Đổi tên từ UBND xã Cũ"
    assert describe(c) == "Chỉ số tăng 1,90, tăng 01 bậc"


def test_merged_and_new_agencies_show_no_bogus_change(tmp_path: Path) -> None:
    previous, mapping = _load(tmp_path)
    merged = compare("xa-b", 9500, 1, previous, mapping)
    assert merged.change == "merged" and merged.index_change_u is None
    assert merged.note == "Hợp nhất từ UBND xã B1, UBND xã B2"
    new = compare("xa-c", 9500, 1, previous, mapping)
    assert new.change == "new" and new.rank_change is None and new.note == "Đơn vị mới"
    unknown = compare("xa-z", 9500, 1, previous, mapping)
    assert unknown.change == "none" and unknown.index_change_u is None


def test_bad_mapping_and_previous_rows_are_reported(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("agency,previous,change\nxa-x,xa-y,split\n", encoding="utf-8")
    _, issues = read_mapping(tmp_path / "m.csv")
    assert [(i.code, i.location.row, i.location.path) for i in issues] == [
        ("bad-value", 2, "change")
    ]
    (tmp_path / "p.csv").write_text(
        "block,agency,index,rank\nxa,xa-a,abc,1\nxa,,90,2\n", encoding="utf-8"
    )
    _, issues = read_previous(tmp_path / "p.csv")
    assert [(i.location.row, i.location.path) for i in issues] == [(2, "index"), (3, "agency")]


def test_reads_our_own_json_output(tmp_path: Path) -> None:
    import json

    data = {
        "blocks": [
            {
                "block": "xa",
                "agencies": [{"agency": "xa-a", "name": "A", "index": 91.87, "rank": 1}],
            }
        ]
    }
    (tmp_path / "r.json").write_text(json.dumps(data), encoding="utf-8")
    previous, issues = read_previous(tmp_path / "r.json")
    assert not issues and previous["xa-a"].index_u == 9187 and previous["xa-a"].rank == 1
