"""The lineage file (lịch sử sắp xếp đơn vị) and unit types: what a secretariat copies from the
reorganisation resolution, read as the secretariat saves it (CSV in any encoding, XLSX, Vietnamese
headers and words, dates as text or date cells), and every bad row located by row and column in
Vietnamese. The files are made here."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from parindex.lineage import (
    UNIT_TYPES,
    Lineage,
    LineageRow,
    lineage_path,
    parse_unit_type,
    read_lineage,
)
from parindex.text import TextError
from tests.test_tables_corpus import cp1258
from tests.vietnamese import assert_vietnamese

HEADER = "old,new,change,date,name,basis\n"
GOOD = (
    "xa-a1,xa-a,merged,01/07/2025,UBND xã A,NQ 1662\n"
    "xa-a2,xa-a,merged,01/07/2025,UBND xã A,NQ 1662\n"
    "xa-b,xa-b1,split,01/07/2025,,\n"
    "xa-b,xa-b2,split,01/07/2025,,\n"
    "xa-c,xa-c-moi,renamed,01/07/2025,UBND xã C mới,\n"
    "huyen-d,,dissolved,01/07/2025,,\n"
    ",dac-khu-e,new,01/07/2025,UBND đặc khu E,\n"
)
#: this year's units and last year's (for the optional checks)
AGENCIES = {"xa-a", "xa-b1", "xa-b2", "xa-c-moi", "dac-khu-e", "so-x"}
LAST_YEAR = {"xa-a1", "xa-a2", "xa-b", "xa-c", "huyen-d", "so-x"}


def _read(text: str, **known: object) -> tuple[Lineage, list[tuple[str, int | None, str]]]:
    lineage, issues = read_lineage((HEADER + text).encode("utf-8"), "lineage.csv", **known)  # type: ignore[arg-type]
    for i in issues:
        assert_vietnamese(i.message)
        assert i.location.file == "lineage.csv"
    return lineage, [(i.code, i.location.row, i.location.path) for i in issues]


def test_a_good_file_reads_every_link() -> None:
    lineage, issues = _read(GOOD, agencies=AGENCIES, last_year=LAST_YEAR, year=2025)
    assert issues == []
    d = dt.date(2025, 7, 1)
    assert lineage.rows[0] == LineageRow("xa-a1", "xa-a", "merged", d, "UBND xã A", "NQ 1662", 2)
    assert [(r.old, r.new, r.change) for r in lineage.rows][5:] == [
        ("huyen-d", "", "dissolved"),
        ("", "dac-khu-e", "new"),
    ]
    assert [lineage.change_of(u) for u in ("xa-a", "xa-b1", "xa-c-moi", "dac-khu-e", "so-x")] == [
        "merged",
        "split",
        "renamed",
        "new",
        "same",
    ]
    assert lineage.predecessors("xa-a", 2025, LAST_YEAR) == ["xa-a1", "xa-a2"]
    assert lineage.predecessors("xa-b2", 2025, LAST_YEAR) == ["xa-b"]
    assert lineage.predecessors("so-x", 2025, LAST_YEAR) == ["so-x"]
    assert lineage.predecessors("dac-khu-e", 2025, LAST_YEAR) == []
    assert lineage.display()[0] == {
        "old": "xa-a1",
        "new": "xa-a",
        "change": "Hợp nhất",
        "date": "01/07/2025",
        "name": "UBND xã A",
        "basis": "NQ 1662",
    }


def test_predecessors_follow_chains_within_the_period_and_keep_a_receiving_unit() -> None:
    d = dt.date
    lineage = Lineage(
        (
            LineageRow("xa-p", "xa-q", "renamed", d(2024, 3, 1)),  # in 2025's period
            LineageRow("xa-q", "xa-r", "merged", d(2025, 7, 1)),
            LineageRow("xa-s", "xa-r", "merged", d(2025, 7, 1)),
            LineageRow("xa-old", "xa-s", "renamed", d(2023, 5, 1)),  # before: not followed
            LineageRow("xa-t", "xa-r", "merged", d(2026, 1, 1)),  # after 2025: not yet
        )
    )
    # the receiving unit keeps its code: itself first, then the chain p → q → r and s
    assert lineage.predecessors("xa-r", 2025) == ["xa-r", "xa-q", "xa-p", "xa-s"]
    assert lineage.predecessors("xa-r", 2025, {"xa-p", "xa-s", "xa-old"}) == ["xa-p", "xa-s"]
    assert lineage.predecessors("xa-r") == ["xa-r", "xa-q", "xa-p", "xa-s", "xa-old", "xa-t"]
    assert (
        lineage.change_of("xa-q", 2025) == "renamed" and lineage.change_of("xa-s", 2025) == "same"
    )


@dataclass(frozen=True)
class Case:
    name: str
    rows: str
    code: str
    row: int
    column: str


CASES = [
    Case("old-blank-merged", ",xa-a,merged,01/07/2025,,\n", "lineage-old-missing", 2, "old"),
    Case("new-blank-renamed", "xa-c,,renamed,01/07/2025,,\n", "lineage-new-missing", 2, "new"),
    Case("new-with-old", "xa-c,dac-khu-e,new,01/07/2025,,\n", "lineage-new-with-old", 2, "old"),
    Case(
        "dissolved-with-new",
        "huyen-d,xa-a,dissolved,01/07/2025,,\n",
        "lineage-dissolved-with-new",
        2,
        "new",
    ),
    Case(
        "change-unknown", "xa-c,xa-c-moi,nâng cấp,01/07/2025,,\n", "lineage-bad-change", 2, "change"
    ),
    Case("change-blank", "xa-c,xa-c-moi,,01/07/2025,,\n", "lineage-blank-cell", 2, "change"),
    Case("date-blank", "xa-c,xa-c-moi,renamed,,,\n", "lineage-blank-cell", 2, "date"),
    Case("date-not-on-calendar", "xa-c,xa-c-moi,renamed,31/02/2025,,\n", "not-a-date", 2, "date"),
    Case("date-words", "xa-c,xa-c-moi,renamed,tháng 7,,\n", "not-a-date", 2, "date"),
    Case("old-with-space", "xa c,xa-c-moi,renamed,01/07/2025,,\n", "identifier-space", 2, "old"),
    Case(
        "new-cyrillic",
        "xa-c,x\u0430-c-moi,renamed,01/07/2025,,\n",
        "identifier-lookalike",
        2,
        "new",
    ),
    Case(
        "duplicate-link",
        "xa-c,xa-c-moi,renamed,01/07/2025,,\nxa-c,xa-c-moi,renamed,02/07/2025,,\n",
        "lineage-duplicate-link",
        3,
        "new",
    ),
    Case(
        "renamed-and-merged",
        "xa-c,xa-c-moi,renamed,01/07/2025,,\nxa-c,xa-a,merged,01/07/2025,,\n"
        "xa-a1,xa-a,merged,01/07/2025,,\n",
        "lineage-renamed-several",
        2,
        "change",
    ),
    Case("merged-from-one", "xa-a1,xa-a,merged,01/07/2025,,\n", "lineage-merged-one", 2, "new"),
    Case("split-into-one", "xa-b,xa-b1,split,01/07/2025,,\n", "lineage-split-one", 2, "old"),
    Case(
        "dissolved-and-merged",
        "huyen-d,,dissolved,01/07/2025,,\nhuyen-d,xa-a,merged,01/07/2025,,\n"
        "xa-a1,xa-a,merged,01/07/2025,,\n",
        "lineage-dissolved-continues",
        2,
        "old",
    ),
    Case(
        "dissolved-still-listed",
        "so-x,,dissolved,01/07/2025,,\n",
        "lineage-dissolved-continues",
        2,
        "old",
    ),
    Case("new-not-this-year", "xa-c,xa-zz,renamed,01/07/2025,,\n", "lineage-unknown-new", 2, "new"),
    Case(
        "old-not-last-year",
        "xa-zz,xa-c-moi,renamed,01/07/2025,,\n",
        "lineage-unknown-old",
        2,
        "old",
    ),
    Case("short-row", "xa-c,xa-c-moi,renamed\n", "table-short-row", 2, ""),
    Case(
        "decimal-comma-like-extra-cell",
        "xa-c,xa-c-moi,renamed,01/07/2025,,,thừa\n",
        "history-extra-cells",
        2,
        "",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_row_is_one_located_vietnamese_error(case: Case) -> None:
    _, issues = _read(case.rows, agencies=AGENCIES, last_year=LAST_YEAR, year=2025)
    assert issues == [(case.code, case.row, case.column)]


def test_a_missing_column_is_named_with_its_vietnamese_alias() -> None:
    lineage, issues = read_lineage(b"old,new,date\nxa-c,xa-c-moi,01/07/2025\n", "l.csv")
    assert lineage.rows == ()
    assert [(i.code, i.location.row, i.location.path, i.params["alias"]) for i in issues] == [
        ("lineage-missing-column", 1, "change", "thay đổi")
    ]
    assert_vietnamese(issues[0].message)


def test_without_known_codes_only_the_file_itself_is_checked() -> None:
    # a code of neither year is not checked; a merge from one unit still is
    _, issues = _read("xa-zz,xa-yy,renamed,01/07/2025,,\n")
    assert issues == []
    _, issues = _read("xa-a1,xa-a,merged,01/07/2025,,\n")
    assert issues == [("lineage-merged-one", 2, "new")]


def test_a_receiving_unit_that_keeps_its_code_completes_a_merge() -> None:
    # so-khdt → so-tc while so-tc existed last year: a merge of two units
    rows = "so-khdt,so-tc,merged,01/07/2025,Sở Tài chính,\n"
    _, issues = _read(rows, agencies={"so-tc"}, last_year={"so-tc", "so-khdt"}, year=2025)
    assert issues == []
    # written out as its own row, it needs no known codes
    _, issues = _read(rows + "so-tc,so-tc,merged,01/07/2025,Sở Tài chính,\n")
    assert issues == []
    # an old unit that continues completes a split the same way
    rows = "xa-b,xa-b1,split,01/07/2025,,\n"
    _, issues = _read(rows, agencies={"xa-b", "xa-b1"}, last_year={"xa-b"}, year=2025)
    assert issues == []


def test_a_commune_split_between_two_merged_units_is_one_story() -> None:
    rows = (
        "xa-b,xa-b1,split,01/07/2025,,\n"
        "xa-b,xa-a,split,01/07/2025,,\n"
        "xa-a1,xa-a,merged,01/07/2025,,\n"
    )
    lineage, issues = _read(rows)
    assert issues == []
    assert lineage.change_of("xa-a") == "merged" and lineage.change_of("xa-b1") == "split"
    assert lineage.predecessors("xa-a", 2025, LAST_YEAR) == ["xa-b", "xa-a1"]


def test_vietnamese_headers_words_and_encodings_read_alike(tmp_path: Path) -> None:
    want, issues = _read(GOOD)
    assert not issues
    words = {"merged": "Sáp nhập", "split": "Chia tách", "renamed": "Đổi tên"}
    words |= {"dissolved": "Kết thúc hoạt động", "new": "Thành lập mới"}
    lines = [line.split(",") for line in GOOD.splitlines()]
    vn = "Mã cũ;Mã mới;Hình thức;Ngày hiệu lực;Tên mới;Căn cứ\r\n" + "".join(
        ";".join([a, b, words[c], *rest]) + "\r\n" for a, b, c, *rest in lines
    )
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã đơn vị cũ", "Mã đơn vị mới", "Thay đổi", "Ngày hiệu lực", "Ghi chú khác"])
    for a, b, c, day, *_ in lines:
        d, m, y = map(int, day.split("/"))
        ws.append([a or None, b or None, c, dt.datetime(y, m, d), "bỏ qua"])
    buffer = io.BytesIO()
    wb.save(buffer)
    for data, name in (
        (cp1258(vn), "lineage.csv"),
        (vn.encode("utf-16"), "lineage.csv"),
        (buffer.getvalue(), "lineage.xlsx"),
    ):
        got, issues = read_lineage(data, name)
        assert issues == [], name
        keep = [(r.old, r.new, r.change, r.date) for r in got.rows]
        assert keep == [(r.old, r.new, r.change, r.date) for r in want.rows], name
    path = tmp_path / "lineage.csv"
    path.write_bytes((HEADER + GOOD).encode("utf-8-sig"))
    assert read_lineage(path)[0].rows == tuple(
        LineageRow(r.old, r.new, r.change, r.date, r.name, r.basis, r.row) for r in want.rows
    )


def test_unreadable_bytes_are_one_issue() -> None:
    _, issues = read_lineage(b"old,new\n", "lineage.xlsx")
    assert [i.code for i in issues] == ["table-not-xlsx"]
    _, issues = read_lineage(b"", "lineage.csv")
    assert [(i.code, i.location.row) for i in issues] == [("history-empty", 1)]


def test_two_lineage_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "lineage.csv").write_text(HEADER, encoding="utf-8")
    (tmp_path / "lineage.xlsx").write_bytes(b"")
    path, issues = lineage_path(tmp_path)
    assert path == tmp_path / "lineage.csv"
    assert [(i.code, Path(i.location.file).name) for i in issues] == [
        ("lineage-two-files", "lineage.xlsx")
    ]
    assert_vietnamese(issues[0].message)


def test_unit_types_by_code_or_label() -> None:
    assert UNIT_TYPES["ubnd-xa"] == "UBND xã"
    assert [parse_unit_type(v) for v in ("phuong", "UBND phường", "ubnd đặc khu", "", None)] == [
        "phuong",
        "phuong",
        "dac-khu",
        "khac",
        "khac",
    ]
    bad = parse_unit_type("thôn")
    assert isinstance(bad, TextError) and bad.code == "unit-type-unknown"
    assert "so-nganh (Sở, ban, ngành)" in bad.message
    assert_vietnamese(bad.message)
