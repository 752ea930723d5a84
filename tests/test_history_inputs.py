"""Issue 12, year over year: last year's results (``ket-qua-<year>.csv`` / ``.json``) and
``mapping.csv`` as a secretariat saves them from Excel. The bad-input corpus, one defect per
case, each asserted as (code, row, column) with a Vietnamese message; and the must-accept twins:
the bundled sample's previous-year results saved as Windows-1258 with semicolons and decimal
commas, or as UTF-16 with tabs, give exactly the same change columns as the clean file. The
files are made here, byte by byte."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from parindex.dataset import load_year
from parindex.errors import Issue
from parindex.history import mapping_path, read_mapping, read_previous
from parindex.results import score_dataset
from parindex.text import TextError, parse_count, parse_number
from tests.test_tables_corpus import cp1258
from tests.vietnamese import assert_vietnamese

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
PREV_HEADER = "year,block,rank,agency,name,index\n"
PREV_OK = "2024,xa,1,xa-a,UBND xã A,91.87\n"
MAP_HEADER = "agency,previous,change\n"
#: this year's agencies and last year's (what read_mapping checks the ids against)
AGENCIES = {"xa-a", "xa-b", "xa-c", "xa-new"}
PREVIOUS = {"xa-a", "xa-old", "xa-b1", "xa-b2"}


@dataclass(frozen=True)
class Case:
    name: str
    reader: str  # previous | mapping
    data: bytes
    code: str
    row: int | None  # the row (CSV) or line (JSON)
    column: str
    suffix: str = ".csv"


def _p(name: str, text: str, code: str, row: int | None, column: str) -> Case:
    return Case(name, "previous", text.encode("utf-8"), code, row, column)


def _m(name: str, rows: str, code: str, row: int | None, column: str) -> Case:
    return Case(name, "mapping", (MAP_HEADER + rows).encode("utf-8"), code, row, column)


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
    # mapping.csv
    _m("unknown-agency", "xa-z,xa-old,renamed\n", "history-unknown-agency", 2, "agency"),
    _m("unknown-previous", "xa-new,xa-oldd,renamed\n", "history-unknown-previous", 2, "previous"),
    _m(
        "duplicate-agency",
        "xa-new,xa-old,renamed\nxa-new,xa-a,renamed\n",
        "history-duplicate-agency",
        3,
        "agency",
    ),
    _m("short-row", "xa-new,xa-old\n", "table-short-row", 2, ""),
    _m("bad-change", "xa-new,xa-old,split\n", "bad-value", 2, "change"),
    _m("blank-change", "xa-new,xa-old,\n", "bad-value", 2, "change"),
    _m("blank-agency", ",xa-old,renamed\n", "missing-key", 2, "agency"),
    _m("renamed-two", "xa-new,xa-b1;xa-b2,renamed\n", "history-renamed-count", 2, "previous"),
    _m("renamed-none", "xa-new,,renamed\n", "history-renamed-count", 2, "previous"),
    _m("merged-one", "xa-b,xa-b1,merged\n", "history-merged-count", 2, "previous"),
    _m("new-with-previous", "xa-c,xa-old,new\n", "history-new-with-previous", 2, "previous"),
    _m("same-with-other", "xa-a,xa-old,same\n", "history-same-with-previous", 2, "previous"),
    _m("previous-twice", "xa-b,xa-b1;xa-b1,merged\n", "history-previous-twice", 2, "previous"),
    _m("agency-nbsp", "xa-new\u00a0,xa-old,renamed\n", "identifier-space", 2, "agency"),
    _m(
        "previous-cyrillic",
        "xa-new,x\u0430-old,renamed\n",
        "identifier-lookalike",
        2,
        "previous",
    ),
    Case(
        "no-previous-column",
        "mapping",
        b"agency,change\nxa-new,renamed\n",
        "history-missing-column",
        1,
        "previous",
    ),
    Case(
        "semicolon-file-unquoted-list",
        "mapping",
        b"agency;previous;change\nxa-b;xa-b1;xa-b2;merged\n",
        "history-extra-cells",
        2,
        "",
    ),
    Case(
        "csv-renamed-xlsx",
        "mapping",
        (MAP_HEADER + "xa-new,xa-old,renamed\n").encode("utf-8"),
        "table-not-xlsx",
        None,
        "",
        ".xlsx",
    ),
]


def _read(case: Case, tmp_path: Path) -> list[Issue]:
    path = tmp_path / (("ket-qua-2024" if case.reader == "previous" else "mapping") + case.suffix)
    path.write_bytes(case.data)
    if case.reader == "previous":
        _, issues = read_previous(path, 2024)
    else:
        _, issues = read_mapping(path, AGENCIES, PREVIOUS)
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


def test_two_mapping_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "mapping.csv").write_text(MAP_HEADER, encoding="utf-8")
    (tmp_path / "mapping.xlsx").write_bytes(b"")
    path, issues = mapping_path(tmp_path)
    assert path == tmp_path / "mapping.csv"
    assert [(i.code, Path(i.location.file).name) for i in issues] == [
        ("history-two-mappings", "mapping.xlsx")
    ]
    assert_vietnamese(issues[0].message)


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


def test_mapping_as_excel_saves_it_reads_alike(tmp_path: Path) -> None:
    """UTF-16 with tabs, cp1258 with semicolons and Vietnamese change words, an XLSX: the
    same mapping as the clean CSV."""
    rows = [
        ["xa-new", "xa-old", "renamed"],
        ["xa-b", "xa-b1;xa-b2", "merged"],
        ["xa-c", "", "new"],
    ]
    clean = tmp_path / "clean.csv"
    clean.write_text(MAP_HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    want, issues = read_mapping(clean, AGENCIES, PREVIOUS)
    assert not issues and want == {
        "xa-new": ("renamed", ["xa-old"]),
        "xa-b": ("merged", ["xa-b1", "xa-b2"]),
        "xa-c": ("new", []),
    }
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(
        ("agency\tprevious\tchange\r\n" + "".join("\t".join(r) + "\r\n" for r in rows)).encode(
            "utf-16"
        )
    )
    words = {"renamed": "Đổi tên", "merged": "Hợp nhất", "new": "Mới"}
    vn = tmp_path / "vn.csv"
    vn.write_bytes(
        cp1258(
            "Mã đơn vị;Đơn vị năm trước;Thay đổi\r\n"
            + "".join(f'{a};"{p}";{words[c]}\r\n' for a, p, c in rows)
        )
    )
    wb = Workbook()
    ws = wb.active
    ws.append(["agency", "previous", "change"])
    for r in rows:
        ws.append([r[0], r[1] or None, r[2]])
    xlsx = tmp_path / "mapping.xlsx"
    wb.save(xlsx)
    for path in (utf16, vn, xlsx):
        assert read_mapping(path, AGENCIES, PREVIOUS) == (want, []), path.name


#: a mapping of this year's agencies to last year's for the sample province (the sample itself
#: states its 2025 reorganisation as submissions/2025/lineage.csv)
SAMPLE_MAPPING = (
    "agency,previous,change\n"
    "so-dan-toc-ton-giao,ban-dan-toc,renamed\n"
    "so-tai-chinh,so-tai-chinh;so-ke-hoach-dau-tu,merged\n"
    "trung-tam-phuc-vu-hanh-chinh-cong,,new\n"
    "xa-tan-ninh,xa-ninh-gia,renamed\n"
)


def _sample(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(ROOT / "criteria", root / "criteria")
    shutil.copytree(ROOT / "submissions", root / "submissions")
    (root / "submissions" / "2025" / "mapping.csv").write_text(SAMPLE_MAPPING, encoding="utf-8")
    return root


def _change_columns(root: Path) -> list[dict[str, Any]]:
    ds = load_year(root, YEAR)
    assert not [i for i in ds.report.issues if "history" in i.code or "table" in i.code]
    assert ds.previous and ds.mapping
    results = score_dataset(ds)
    keys = ("previous_index", "previous_rank", "index_change", "rank_change", "change_note")
    return [
        {"agency": r["agency"], **{k: r.get(k) for k in (*keys, "change_text")}}
        for r in results.rows()
    ]


def _excel_save(text: str, sep: str, decimal_comma: bool) -> str:
    """The sample's CSV as Excel writes it with another delimiter (and, on a Vietnamese
    Windows, decimal commas in the index column), CRLF line ends, quotes where needed."""
    rows = list(csv.reader(io.StringIO(text)))
    if decimal_comma:
        for row in rows[1:]:
            row[:] = [c.replace(".", ",") if re.fullmatch(r"-?\d+\.\d+", c) else c for c in row]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("saved_as", ["cp1258-semicolons", "utf16-tabs"])
def test_sample_previous_results_saved_by_excel_give_the_same_changes(
    saved_as: str, tmp_path: Path
) -> None:
    clean_root = _sample(tmp_path, "clean")
    want = _change_columns(clean_root)
    # compared: the agencies whose id has a 2024 result but so-tai-chinh (merged: no change
    # figure), and the two renamed ones
    published = (ROOT / "submissions" / "2024" / "ket-qua-2024.csv").read_text(encoding="utf-8")
    before = {r["agency"] for r in csv.DictReader(io.StringIO(published))}
    kept = [r["agency"] for r in want if r["agency"] in before and r["agency"] != "so-tai-chinh"]
    assert sum(r["rank_change"] is not None for r in want) == len(kept) + 2 > 20
    assert {r["change_note"] for r in want} >= {"Đơn vị mới", "Đổi tên từ Ban Dân tộc tỉnh"}
    root = _sample(tmp_path, saved_as)
    prev = root / "submissions" / "2024" / "ket-qua-2024.csv"
    text = prev.read_text(encoding="utf-8")
    assert text.count(",") > 300 and "ị" in text  # the clean twin: commas and Vietnamese
    if saved_as == "cp1258-semicolons":
        data = cp1258(_excel_save(text, ";", decimal_comma=True))
        assert data.decode("cp1258") != text and b"," in data  # decimal commas
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


LOADER_CASES = [
    (
        "mapping-agency-not-this-year",
        "submissions/2025/mapping.csv",
        lambda p: _append(p, "xa-khong-co,huyen-tan-thanh,renamed"),
        "history-unknown-agency",
        "agency",
    ),
    (
        "mapping-previous-not-last-year",
        "submissions/2025/mapping.csv",
        lambda p: _replace(p, "xa-tan-ninh,xa-ninh-gia,", "xa-tan-ninh,xa-ninh-giaa,"),
        "history-unknown-previous",
        "previous",
    ),
    (
        "previous-results-of-another-year",
        "submissions/2024/ket-qua-2024.csv",
        lambda p: _replace(p, "2024,so-nganh,so-nganh-2024,3,", "2023,so-nganh,so-nganh-2024,3,"),
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
    root = _sample(tmp_path, name)
    row = spoil(root / file)
    ds = load_year(root, YEAR)
    found = [
        (i.code, i.location.file, i.location.row, i.location.path)
        for i in ds.report.issues
        if i.severity == "error"
    ]
    assert found == [(code, file, row, column)]
    assert not score_dataset(ds).publishable


def test_mapping_saved_as_xlsx_is_read(tmp_path: Path) -> None:
    root = _sample(tmp_path, "xlsx")
    sdir = root / "submissions" / "2025"
    rows = list(csv.reader(io.StringIO((sdir / "mapping.csv").read_text(encoding="utf-8"))))
    (sdir / "mapping.csv").unlink()
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(sdir / "mapping.xlsx")
    assert _change_columns(root) == _change_columns(_sample(tmp_path, "clean"))


def _code(got: object) -> str:
    return got.code if isinstance(got, TextError) else ""


def test_numbers_with_a_huge_exponent_are_refused_before_they_are_built() -> None:
    huge = Decimal("1E+999999999")
    assert _code(parse_count(huge)) == _code(parse_number(huge)) == "number-too-long"
    assert parse_number(Decimal("91.87")) == Decimal("91.87")
    assert parse_count(Decimal("123456789012345")) == 123456789012345  # 15 digits: the most
    assert _code(parse_count(Decimal("1234567890123456"))) == "number-too-long"
