"""Year over year: last year's results (``ket-qua-<year>.csv`` / ``.json``) and the year's
lineage file (``lineage.csv`` / ``.xlsx``, row by row in tests/test_lineage.py) as a secretariat
saves them from Excel. The bad-input corpus, one defect per case, each asserted as (code, row,
column) with a Vietnamese message; and the must-accept twins: last year's results saved as
Windows-1258 with semicolons and decimal commas, or as UTF-16 with tabs, give exactly the same
change columns as the clean file. The files are made here, byte by byte."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from parindex.dataset import load_year
from parindex.errors import DataError, Issue
from parindex.history import read_previous
from parindex.results import score_dataset
from parindex.text import TextError, parse_count, parse_number
from tests.test_history import LINEAGE, PREVIOUS_ROWS, THIS_YEAR
from tests.test_tables_corpus import cp1258
from tests.vietnamese import assert_vietnamese
from tests.years import write_results, write_year

YEAR = 2025
PREV_HEADER = "year,block,rank,agency,name,index\n"
PREV_OK = "2024,xa,1,xa-a,UBND xã A,91.87\n"


@dataclass(frozen=True)
class Case:
    name: str
    reader: str  # previous
    data: bytes
    code: str
    row: int | None  # the row (CSV) or line (JSON)
    column: str
    suffix: str = ".csv"


def _p(name: str, text: str, code: str, row: int | None, column: str) -> Case:
    return Case(name, "previous", text.encode("utf-8"), code, row, column)


def _json(name: str, data: Any, code: str, column: str, line: int | None = None) -> Case:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return Case(name, "previous", text.encode("utf-8"), code, line, column, ".json")


def _result(**agency: Any) -> dict[str, Any]:
    row = {"agency": "xa-a", "name": "A", "index": 91.87, "rank": 1} | agency
    return {"year": 2024, "blocks": [{"block": "xa", "agencies": [row]}]}


CASES = [
    # last year's results, CSV
    _p("index-text", PREV_HEADER + "2024,xa,1,xa-a,A,abc\n", "not-a-number", 2, "index"),
    _p(
        "index-three-decimals",
        PREV_HEADER + "2024,xa,1,xa-a,A,91.875\n",
        "history-index-precision",
        2,
        "index",
    ),
    _p("rank-fraction", PREV_HEADER + '2024,xa,"1,5",xa-a,A,91.87\n', "not-a-count", 2, "rank"),
    _p("rank-zero", PREV_HEADER + "2024,xa,0,xa-a,A,91.87\n", "history-rank-zero", 2, "rank"),
    _p("rank-signed", PREV_HEADER + "2024,xa,-1,xa-a,A,91.87\n", "count-signed", 2, "rank"),
    _p("agency-blank", PREV_HEADER + "2024,xa,1,,A,91.87\n", "missing-key", 2, "agency"),
    _p(
        "agency-trailing-space",
        PREV_HEADER + "2024,xa,1,xa-a ,A,91.87\n",
        "identifier-space",
        2,
        "agency",
    ),
    _p(
        "agency-cyrillic-a",
        PREV_HEADER + "2024,xa,1,x\u0430-a,A,91.87\n",
        "identifier-lookalike",
        2,
        "agency",
    ),
    _p(
        "agency-fullwidth",
        PREV_HEADER + "2024,xa,1,xa-\uff41,A,91.87\n",
        "identifier-fullwidth",
        2,
        "agency",
    ),
    _p(
        "block-with-space",
        PREV_HEADER + "2024,x a,1,xa-a,A,91.87\n",
        "identifier-space",
        2,
        "block",
    ),
    _p(
        "duplicate-agency",
        PREV_HEADER + PREV_OK + "2024,xa,2,xa-a,A,80\n",
        "history-duplicate-agency",
        3,
        "agency",
    ),
    _p(
        "duplicate-agency-nfd-twin",
        PREV_HEADER + "2024,xa,1,xã-a,A,91\n2024,xa,2,xa\u0303-a,A,80\n",
        "history-duplicate-agency",
        3,
        "agency",
    ),
    _p("short-row", PREV_HEADER + "2024,xa,1,xa-a\n", "table-short-row", 2, ""),
    _p(
        "decimal-comma-unquoted",
        PREV_HEADER + "2024,xa,1,xa-a,A,91,87\n",
        "history-extra-cells",
        2,
        "",
    ),
    _p("wrong-year", PREV_HEADER + "2023,xa,1,xa-a,A,91.87\n", "history-wrong-year", 2, "year"),
    _p(
        "no-rank-column",
        "block,agency,name,index\nxa,xa-a,A,91.87\n",
        "history-missing-column",
        1,
        "rank",
    ),
    _p("empty-file", "", "history-empty", 1, ""),
    _p(
        "applicable-max-text",
        "block,agency,index,rank,applicable_max\nxa,xa-a,91.87,1,tám mươi\n",
        "not-a-score",
        2,
        "applicable_max",
    ),
    _p(
        "applicable-max-three-decimals",
        "block,agency,index,rank,applicable_max\nxa,xa-a,91.87,1,84.125\n",
        "score-precision",
        2,
        "applicable_max",
    ),
    _p(
        "applicable-max-negative",
        "block,agency,index,rank,applicable_max\nxa,xa-a,91.87,1,-84\n",
        "not-a-score",
        2,
        "applicable_max",
    ),
    _p(
        "labelled-index-text",
        "Năm,Khối,Xếp hạng,Mã đơn vị,Đơn vị,Chỉ số CCHC (%)\n2024,xa,1,xa-a,A,chín mươi\n",
        "not-a-number",
        2,
        "Chỉ số CCHC (%)",
    ),
    Case(
        "shift-jis-bytes",
        "previous",
        (PREV_HEADER + PREV_OK).encode("utf-8") + "2024,xa,2,xa-b,日本,80\n".encode("shift_jis"),
        "table-encoding",
        3,
        "",
    ),
    Case(
        "utf16-without-bom",
        "previous",
        (PREV_HEADER + "2024,xa,1,xa-a,A,91.87\n").encode("utf-16-le"),  # Notepad's "Unicode"
        "table-nul",
        1,
        "",
    ),
    # last year's results, JSON
    _json("json-syntax", '{"blocks": [', "history-json-syntax", "", line=1),
    _json("json-not-results", [1, 2], "history-json-shape", ""),
    _json("json-draft", {"draft": True} | _result(), "history-draft", "draft"),
    _json("json-wrong-year", _result() | {"year": 2023}, "history-wrong-year", "year"),
    _json("json-rank-text", _result(rank="một"), "not-a-count", "blocks[0].agencies[0].rank"),
    _json(
        "json-agency-missing", _result(agency=None), "missing-key", "blocks[0].agencies[0].agency"
    ),
    _json(
        "json-index-huge-exponent",
        '{"blocks": [{"block": "xa", "agencies": [{"agency": "xa-a", "index": 1e999999999, '
        '"rank": 1}]}]}',
        "number-too-long",
        "blocks[0].agencies[0].index",
    ),
    _json(
        "json-rank-huge-exponent",  # read as an int, it would have a billion digits
        '{"blocks": [{"block": "xa", "agencies": [{"agency": "xa-a", "index": 90, '
        '"rank": 1e999999999}]}]}',
        "number-too-long",
        "blocks[0].agencies[0].rank",
    ),
    _json(
        "json-rank-5000-digits",  # beyond Python's own limit for an int's digits
        '{"blocks": [{"block": "xa", "agencies": [{"agency": "xa-a", "index": 90, '
        '"rank": ' + "9" * 5000 + "}]}]}",
        "number-too-long",
        "blocks[0].agencies[0].rank",
    ),
]


def _read(case: Case, tmp_path: Path) -> list[Issue]:
    path = tmp_path / ("ket-qua-2024" + case.suffix)
    path.write_bytes(case.data)
    _, issues = read_previous(path, 2024)
    return issues


@pytest.mark.parametrize("case", CASES, ids=[f"{c.reader}-{c.name}" for c in CASES])
def test_bad_history_input_is_located_in_vietnamese(case: Case, tmp_path: Path) -> None:
    issues = _read(case, tmp_path)
    assert len(issues) == 1, [(i.code, str(i.location)) for i in issues]
    issue = issues[0]
    loc = issue.location
    at = loc.line if case.suffix == ".json" else loc.row  # JSON has lines, tables rows
    assert (issue.code, at, loc.path) == (case.code, case.row, case.column)
    assert issue.severity == "error"
    assert_vietnamese(issue.message)


def test_corpus_is_large_and_one_defect_per_case() -> None:
    assert len(CASES) >= 15
    assert len({(c.reader, c.name) for c in CASES}) == len(CASES)


def test_json_syntax_error_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ket-qua-2024.json"
    path.write_text('{"year": 2024,\n "blocks": [\n', encoding="utf-8")
    (issue,) = read_previous(path, 2024)[1]
    assert (issue.code, issue.location.line, issue.params["column"]) == (
        "history-json-syntax",
        3,
        1,
    )
    assert_vietnamese(issue.message)


# ------------------------------------------------------------------------- must accept
def test_previous_results_as_excel_saves_them_read_alike(tmp_path: Path) -> None:
    """Decimal comma in a semicolon file, NFD ids, a BOM and CRLF: the same results."""
    clean = tmp_path / "clean.csv"
    clean.write_text(PREV_HEADER + "2024,xa,1,xã-hòa,UBND xã Hòa,91.87\n", encoding="utf-8")
    excel = tmp_path / "excel.csv"
    text = "year;block;rank;agency;name;index\r\n2024;xa;1;xã-hòa;UBND xã Hòa;91,87\r\n"
    excel.write_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).encode("utf-8"))
    want, issues = read_previous(clean, 2024)
    assert not issues and want["xã-hòa"].index_u == 9187
    assert read_previous(excel, 2024) == (want, [])


def _year(tmp_path: Path, name: str) -> Path:
    """The two years of tests/test_history.py: 2024's results, 2025 with its lineage."""
    root = tmp_path / name
    write_results(root, 2024, PREVIOUS_ROWS)
    return write_year(root, YEAR, THIS_YEAR, compare_with={"phuong": ["xa"]}, lineage=LINEAGE)


def _change_columns(root: Path) -> list[dict[str, Any]]:
    ds = load_year(root, YEAR)
    assert not [i for i in ds.report.issues if "history" in i.code or "table" in i.code]
    assert ds.previous and ds.lineage.rows
    results = score_dataset(ds)
    keys = (
        "previous_index",
        "previous_rank",
        "comparable_rank",
        "index_change",
        "rank_change",
        "change_note",
    )
    return [
        {"agency": r["agency"], **{k: r.get(k) for k in (*keys, "change_text")}}
        for r in results.rows()
    ]


def _excel_save(text: str, sep: str, decimal_comma: bool) -> str:
    """A CSV as Excel writes it with another delimiter (and, on a Vietnamese Windows, decimal
    commas in the number columns: the index and the applicable maximum, the last two), CRLF
    line ends, quotes where needed."""
    rows = list(csv.reader(io.StringIO(text)))
    if decimal_comma:
        for row in rows[1:]:
            row[-2:] = [c.replace(".", ",") for c in row[-2:]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("saved_as", ["cp1258-semicolons", "utf16-tabs"])
def test_previous_results_saved_by_excel_give_the_same_changes(
    saved_as: str, tmp_path: Path
) -> None:
    want = _change_columns(_year(tmp_path, "clean"))
    assert sum(r["rank_change"] is not None for r in want) == 7  # all but the new, other-block
    notes = {r["change_note"] for r in want}
    assert notes >= {"Đơn vị mới — không so sánh", "Đổi tên từ Đơn vị xa-c"}
    root = _year(tmp_path, saved_as)
    prev = root / "submissions" / "2024" / "ket-qua-2024.csv"
    text = prev.read_text(encoding="utf-8")
    assert "75.50" in text and "ị" in text  # the clean twin: decimal points and Vietnamese
    if saved_as == "cp1258-semicolons":
        data = cp1258(_excel_save(text, ";", decimal_comma=True))
        assert "75,50" in data.decode("cp1258")  # decimal commas
    else:
        data = _excel_save(text, "\t", decimal_comma=False).encode("utf-16")
    prev.write_bytes(data)
    assert _change_columns(root) == want


# ---------------------------------------------------------------- through the year's loader
def _append(path: Path, line: str) -> int:
    """Append ``line`` to a CSV file; the row number it gets."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def _replace(path: Path, old: str, new: str) -> int:
    """Replace ``old`` in a CSV file; the row it was on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _merge_from_one(path: Path) -> int:
    """xa-a2's link into xa-a removed: xa-a merged from xa-a1 alone (the row before it)."""
    return (
        _replace(path, "xa-a2,xa-a,Hợp nhất,01/07/2025,,Nghị quyết số 1662/NQ-UBTVQH15\n", "") - 1
    )


def _unknown_type(path: Path) -> int:
    """A ``loại đơn vị`` column: the listed units' types blank, one unit's "thôn"."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",loại đơn vị", *(line + "," for line in lines[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _append(path, "xa-them,Đơn vị thêm,xa,thôn")


LOADER_CASES = [
    (
        "lineage-new-not-this-year",
        "submissions/2025/lineage.csv",
        lambda p: _append(p, "xa-top,xa-khong-co,Đổi tên,01/07/2025,,"),
        "lineage-unknown-new",
        "Mã mới",
    ),
    (
        "lineage-old-not-last-year",
        "submissions/2025/lineage.csv",
        lambda p: _replace(p, "xa-c,xa-c-moi,", "xa-cc,xa-c-moi,"),
        "lineage-unknown-old",
        "Mã cũ",
    ),
    (
        "lineage-merged-from-one",
        "submissions/2025/lineage.csv",
        _merge_from_one,
        "lineage-merged-one",
        "Mã mới",
    ),
    (
        "previous-results-of-another-year",
        "submissions/2024/ket-qua-2024.csv",
        lambda p: _replace(p, "2024,xa,3,", "2023,xa,3,"),
        "history-wrong-year",
        "year",
    ),
]


@pytest.mark.parametrize(
    ("name", "file", "spoil", "code", "column"), LOADER_CASES, ids=[c[0] for c in LOADER_CASES]
)
def test_loader_reports_history_defects_and_the_table_is_not_publishable(
    name: str, file: str, spoil: Any, code: str, column: str, tmp_path: Path
) -> None:
    root = _year(tmp_path, name)
    row = spoil(root / file)
    ds = load_year(root, YEAR)
    found = [
        (i.code, i.location.file, i.location.row, i.location.path)
        for i in ds.report.issues
        if i.severity == "error"
    ]
    assert found == [(code, file, row, column)]
    assert not score_dataset(ds).publishable


def test_lineage_saved_as_xlsx_is_read(tmp_path: Path) -> None:
    root = _year(tmp_path, "xlsx")
    sdir = root / "submissions" / "2025"
    rows = list(csv.reader(io.StringIO((sdir / "lineage.csv").read_text(encoding="utf-8"))))
    (sdir / "lineage.csv").unlink()
    wb = Workbook()
    for r in rows:
        wb.active.append([c or None for c in r])
    wb.save(sdir / "lineage.xlsx")
    assert _change_columns(root) == _change_columns(_year(tmp_path, "clean"))


def test_an_unknown_unit_type_stops_the_year_at_its_row_and_column(tmp_path: Path) -> None:
    root = _year(tmp_path, "type")
    row = _unknown_type(root / "submissions" / "2025" / "agencies.csv")
    with pytest.raises(DataError) as e:
        load_year(root, YEAR)
    (issue,) = e.value.issues
    assert (issue.code, issue.location.row, issue.location.path) == (
        "unit-type-unknown",
        row,
        "loại đơn vị",
    )
    assert "khac (Khác)" in issue.message  # every choice, none cut off
    assert_vietnamese(issue.message)


def test_agency_types_are_read_by_code_or_label(tmp_path: Path) -> None:
    root = write_year(
        tmp_path,
        YEAR,
        {"xa": {"xa-a": "80.00", "p-b": "70.00", "x-c": "60.00"}},
        agency_types={"xa-a": "ubnd-xa", "p-b": "UBND phường"},
    )
    ds = load_year(root, YEAR)
    assert ds.report.valid
    assert {a.id: a.type for a in ds.agencies.values()} == {
        "xa-a": "ubnd-xa",
        "p-b": "phuong",
        "x-c": "khac",
    }


def _code(got: object) -> str:
    return got.code if isinstance(got, TextError) else ""


def test_numbers_with_a_huge_exponent_are_refused_before_they_are_built() -> None:
    huge = Decimal("1E+999999999")
    assert _code(parse_count(huge)) == _code(parse_number(huge)) == "number-too-long"
    assert parse_number(Decimal("91.87")) == Decimal("91.87")
    assert parse_count(Decimal("123456789012345")) == 123456789012345  # 15 digits: the most
    assert _code(parse_count(Decimal("1234567890123456"))) == "number-too-long"


def test_an_old_mapping_file_is_not_read_and_said_so(tmp_path: Path) -> None:
    root = _year(tmp_path, "mapping")
    mapping = root / "submissions" / "2025" / "mapping.csv"
    mapping.write_text("agency,previous,change\nxa-a,xa-a1;xa-a2,merged\n", encoding="utf-8")
    ds = load_year(root, YEAR)
    (issue,) = [i for i in ds.report.issues if i.code == "lineage-mapping-not-read"]
    assert (issue.severity, issue.location.file) == ("warning", "submissions/2025/mapping.csv")
    assert_vietnamese(issue.message)
    assert _change_columns(root) == _change_columns(_year(tmp_path, "clean"))
