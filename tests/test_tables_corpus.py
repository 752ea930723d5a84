"""Issue 12, tabular inputs: the bad-input corpus of agencies.csv, survey files (CSV and XLSX) and
the web app's table uploads, one defect per case, each asserted as (code, location) with a
Vietnamese message; and the files people really send (BOM + CRLF, semicolons and decimal commas,
Windows-1258, UTF-16, NFD names, percent cells) read and scored exactly like their clean twin.
The files are made here, byte by byte, rather than kept in ``tests/data``."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from parindex import tables
from parindex.dataset import read_agencies
from parindex.errors import ECHO_CHARS, Issue, message
from parindex.survey import read_surveys
from parindex.tables import TableError
from parindex.text import TextError, identifier
from tests.vietnamese import assert_vietnamese
from web.tabular import read_table

ROOT = Path(__file__).resolve().parent.parent
AGENCIES = {"xa-a": "xa-a", "xa-b": "xa-b"}
SURVEYS = {"sipas"}
SURVEY_CSV = "agency,survey,result,sample_size\nxa-a,sipas,87.5,120\nxa-b,sipas,90,1.200\n"
AGENCY_CSV = "id,name,block\nxa-a,Xã An Hòa,xa\nxa-b,Phường Hưng Lợi,xa\n"
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """``text`` as Excel on Vietnamese Windows saves it: code page 1258, a letter with a tone
    mark written as the letter and a separate combining mark where the code page has no
    precomposed letter (as Windows does)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
            out += base.encode("cp1258")
            out += "".join(c for c in decomposed if c in _TONES).encode("cp1258")
    return bytes(out)


def xlsx(rows: list[list[Any]], formats: dict[str, str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def survey_xlsx_rows() -> list[list[Any]]:
    return [["agency", "survey", "result", "sample_size"], ["xa-a", "sipas", 0.875, 120]]


#: an OLE compound file (the container of an old .xls and of a password-protected XLSX)
CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
ENCRYPTED = CFB + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 + b"EncryptedPackage"


def bomb(total: int) -> bytes:
    """A workbook-shaped zip whose one part inflates to ``total`` bytes of zeros."""
    return zipped({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": bytes(total)})


@dataclass(frozen=True)
class Case:
    name: str
    suffix: str
    content: Callable[[], bytes]
    code: str
    row: int | None = None
    path: str = ""


def _text(s: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: s.encode(encoding)


SURVEY_CASES = [
    # encodings
    Case(
        "latin-1, not Vietnamese",
        ".csv",
        lambda: b"agency,survey,result\nxa-a,sipas,\xbd\xd7\n",
        "table-encoding",
        2,
    ),
    Case(
        "utf-8 broken on line 3",
        ".csv",
        lambda: SURVEY_CSV.encode()[:-20] + b"\xff\xfe\xfa" + b"\n",
        "table-encoding",
        3,
    ),
    Case("utf-16 without a mark", ".csv", lambda: SURVEY_CSV.encode("utf-16-le"), "table-nul", 1),
    Case("NUL on line 2", ".csv", _text(SURVEY_CSV.replace("xa-a,", "xa-a\x00,")), "table-nul", 2),
    Case(
        "utf-16 mark, odd bytes",
        ".csv",
        lambda: SURVEY_CSV.encode("utf-16") + b"\x00",
        "table-encoding",
        4,
    ),
    # delimiters and short rows
    Case(
        "short row (comma)",
        ".csv",
        _text(SURVEY_CSV.replace("xa-b,sipas,90,1.200", "xa-b,sipas")),
        "table-short-row",
        3,
    ),
    Case(
        "short row (semicolon)",
        ".csv",
        _text(SURVEY_CSV.replace(",", ";").replace("xa-b;sipas;90;1.200", "xa-b;sipas;90")),
        "table-short-row",
        3,
    ),
    Case(
        "short row (tab)",
        ".csv",
        _text(SURVEY_CSV.replace(",", "\t").replace("xa-a\tsipas\t87.5\t120", "xa-a")),
        "table-short-row",
        2,
    ),
    Case(
        "short row after a blank row",
        ".csv",
        _text(SURVEY_CSV + "\n\nxa-c;sipas\n"),
        "table-short-row",
        6,
    ),
    # renamed, damaged, encrypted, bombs
    Case("CSV renamed .xlsx", ".xlsx", _text(SURVEY_CSV), "table-not-xlsx"),
    Case("random bytes named .xlsx", ".xlsx", lambda: bytes(range(256)) * 4, "table-not-xlsx"),
    Case("truncated zip", ".xlsx", lambda: xlsx(survey_xlsx_rows())[:300], "table-damaged"),
    Case(
        "zip without a workbook",
        ".xlsx",
        lambda: zipped({"word/document.xml": b"<w/>"}),
        "table-not-xlsx",
    ),
    Case("password-protected XLSX", ".xlsx", lambda: ENCRYPTED, "table-encrypted"),
    Case("old .xls", ".xlsx", lambda: CFB, "table-xls"),
    Case("old .xls named .csv", ".csv", lambda: CFB, "table-xls"),
    Case(
        "zip bomb (total)",
        ".xlsx",
        lambda: bomb(tables.MAX_UNZIPPED + 1),
        "table-unzipped-too-large",
    ),
    Case(
        "zip bomb (ratio)", ".xlsx", lambda: bomb(2 * tables.RATIO_FROM), "table-unzipped-too-large"
    ),
    Case(
        "workbook broken inside",
        ".xlsx",
        lambda: zipped({"xl/workbook.xml": b"<not xml"}),
        "table-damaged",
    ),
    # limits
    Case(
        "too many rows",
        ".csv",
        lambda: ("agency,survey,result\n" + "xa-a,sipas,1\n" * (tables.MAX_ROWS + 1)).encode(),
        "table-too-many-rows",
        tables.MAX_ROWS + 1,
    ),
    Case(
        "cell too long",
        ".csv",
        _text(SURVEY_CSV.replace("87.5", "8" * (tables.MAX_CELL_CHARS + 1))),
        "table-cell-too-long",
        2,
        "cột 3",
    ),
    # identifiers
    Case(
        "agency with a trailing space",
        ".csv",
        _text(SURVEY_CSV.replace("xa-a,", "xa-a ,")),
        "identifier-space",
        2,
        "agency",
    ),
    Case(
        "agency with full-width letter",
        ".csv",
        _text(SURVEY_CSV.replace("xa-a,", "xa-\uff41,")),
        "identifier-fullwidth",
        2,
        "agency",
    ),
    Case(
        "agency with Cyrillic a",
        ".csv",
        _text(SURVEY_CSV.replace("xa-b,", "x\u0430-b,")),
        "identifier-lookalike",
        3,
        "agency",
    ),
    Case(
        "agency with a no-break space",
        ".csv",
        _text(SURVEY_CSV.replace("xa-a,", "xa\u00a0a,")),
        "identifier-space",
        2,
        "agency",
    ),
    Case(
        "agency with a zero-width space",
        ".csv",
        _text(SURVEY_CSV.replace("xa-a,", "xa-a\u200b,")),
        "identifier-space",
        2,
        "agency",
    ),
    Case(
        "agency blank",
        ".csv",
        _text(SURVEY_CSV.replace("xa-b,", ",")),
        "identifier-empty",
        3,
        "agency",
    ),
    Case(
        "survey key with a space",
        ".csv",
        _text(SURVEY_CSV.replace("xa-b,sipas", "xa-b,si pas")),
        "identifier-space",
        3,
        "survey",
    ),
    Case(
        "survey key with a letter outside Vietnamese",
        ".csv",
        _text(SURVEY_CSV.replace("xa-b,sipas", "xa-b,süpas")),
        "identifier-char",
        3,
        "survey",
    ),
    # percent
    Case(
        "percent text above 100",
        ".csv",
        _text(SURVEY_CSV.replace("87.5", '"187,5 %"')),
        "survey-result-out-of-range",
        2,
        "result",
    ),
    Case(
        "percent sign twice",
        ".csv",
        _text(SURVEY_CSV.replace("87.5", '"87,5%%"')),
        "survey-not-a-number",
        2,
        "result",
    ),
    Case(
        "percent cell above 100",
        ".xlsx",
        lambda: xlsx([*survey_xlsx_rows()[:1], ["xa-a", "sipas", 1.875, 120]], {"C2": "0.0%"}),
        "survey-result-out-of-range",
        2,
        "result",
    ),
    Case(
        "header missing in XLSX",
        ".xlsx",
        lambda: xlsx([["agency", "survey"], ["xa-a", "sipas"]]),
        "survey-bad-header",
        1,
    ),
    Case(
        "unknown agency in an XLSX",
        ".xlsx",
        lambda: xlsx([*survey_xlsx_rows()[:1], ["xa-z", "sipas", 0.5, 1]], {"C2": "0%"}),
        "survey-unknown-agency",
        2,
        "agency",
    ),
]

AGENCY_CASES = [
    Case(
        "agencies: latin-1",
        ".csv",
        lambda: "id,name,block\nxa-a,Caf\xe9 \xbd,xa\n".encode("latin-1"),
        "table-encoding",
        2,
    ),
    Case(
        "agencies: short row",
        ".csv",
        _text(AGENCY_CSV.replace("xa-b,Phường Hưng Lợi,xa", "xa-b")),
        "table-short-row",
        3,
    ),
    Case(
        "agencies: short row, semicolons",
        ".csv",
        _text(AGENCY_CSV.replace(",", ";").replace(";xa\n", "\n", 1)),
        "table-short-row",
        2,
    ),
    Case(
        "agencies: trailing space in id",
        ".csv",
        _text(AGENCY_CSV.replace("xa-b,", "xa-b ,")),
        "identifier-space",
        3,
        "id",
    ),
    Case(
        "agencies: Cyrillic id",
        ".csv",
        _text(AGENCY_CSV.replace("xa-b,", "x\u0430-b,")),
        "identifier-lookalike",
        3,
        "id",
    ),
    Case(
        "agencies: full-width digit in block",
        ".csv",
        _text(AGENCY_CSV.replace(",xa\n", ",xa\uff12\n", 1)),
        "identifier-fullwidth",
        2,
        "block",
    ),
    Case("agencies: missing block column", ".csv", _text("id,name\nxa-a,A\n"), "missing-key", 1),
    Case("agencies: NUL", ".csv", _text(AGENCY_CSV.replace("Xã", "X\x00ã")), "table-nul", 2),
    Case(
        "agencies: renamed workbook is read, damaged zip",
        ".csv",
        lambda: b"PK\x03\x04" + bytes(100),
        "table-damaged",
    ),
]


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / f"file{case.suffix}"
    path.write_bytes(case.content())
    return path


def _check(issues: list[Issue], case: Case) -> None:
    assert [(i.code, i.location.row, i.location.path) for i in issues] == [
        (case.code, case.row, case.path)
    ], [str(i) for i in issues]
    assert_vietnamese(issues[0].message)
    assert "Traceback" not in str(issues[0])


@pytest.mark.parametrize("case", SURVEY_CASES, ids=lambda c: c.name)
def test_a_bad_survey_file_is_one_located_vietnamese_issue(tmp_path: Path, case: Case) -> None:
    rows, issues = read_surveys(_write(tmp_path, case), AGENCIES, SURVEYS)
    _check(issues, case)


@pytest.mark.parametrize("case", AGENCY_CASES, ids=lambda c: c.name)
def test_a_bad_agency_list_is_one_located_vietnamese_issue(tmp_path: Path, case: Case) -> None:
    agencies, issues = read_agencies(_write(tmp_path, case))
    _check(issues, case)


def test_a_folder_in_the_place_of_a_table_is_refused_in_vietnamese(tmp_path: Path) -> None:
    (tmp_path / "agencies.csv").mkdir()
    _, issues = read_agencies(tmp_path / "agencies.csv")
    _check(issues, Case("", "", bytes, "table-is-folder"))
    (tmp_path / "s.xlsx").mkdir()
    _, issues = read_surveys(tmp_path / "s.xlsx")
    _check(issues, Case("", "", bytes, "table-is-folder"))


def test_a_whole_number_in_a_percent_cell_is_its_percentage() -> None:
    assert tables.shown_value(1, "0%") == 100
    assert tables.shown_value(0.875, "0.0%") == Decimal("87.5")
    assert tables.shown_value(0.1234, "0.00%") == Decimal("12.34")
    assert tables.shown_value(True, "0%") is True
    assert tables.shown_value(0.5, "General") == 0.5


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    with path.open("wb") as f:  # a sparse file: nothing of it is ever read
        f.truncate(tables.MAX_FILE_BYTES + 1)
    _, issues = read_agencies(path)
    _check(issues, Case("", "", bytes, "table-too-large"))
    _, issues = read_surveys(path.rename(tmp_path / "s.xlsx"))
    _check(issues, Case("", "", bytes, "table-too-large"))


WEB_CASES = [
    Case("web: password-protected", "", lambda: ENCRYPTED, "table-encrypted"),
    Case("web: old xls", "", lambda: CFB, "table-xls"),
    Case("web: zip bomb", "", lambda: bomb(tables.MAX_UNZIPPED + 1), "table-unzipped-too-large"),
    Case("web: damaged zip", "", lambda: b"PK\x03\x04" + bytes(64), "table-damaged"),
    Case("web: zip, not a workbook", "", lambda: zipped({"a.txt": b"a"}), "table-not-xlsx"),
    Case("web: not text", "", lambda: b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n", "table-encoding", 2),
    Case("web: NUL in text", "", lambda: b"Ten,Khoi\nA\x00,xa\n", "table-nul", 2),
    Case(
        "web: cell too long",
        "",
        lambda: b"a,b\n" + b"x" * 40000 + b",1\n",
        "table-cell-too-long",
        2,
        "cột 1",
    ),
    Case("web: too many rows", "", lambda: b"a,b\n" + b"x,1\n" * 5001, "table-too-many-rows", 5001),
]


@pytest.mark.parametrize("case", WEB_CASES, ids=lambda c: c.name)
def test_a_bad_upload_is_a_located_vietnamese_table_error(case: Case) -> None:
    with pytest.raises(TableError) as info:
        read_table(case.content())
    e = info.value
    assert (e.code, e.row, e.column) == (case.code, case.row, case.path)
    assert_vietnamese(e.message)


# ----------------------------------------------------------------------------- must accept
def _survey_key(path: Path) -> list[tuple[str, str, int, int | None]]:
    rows, issues = read_surveys(path, AGENCIES, SURVEYS)
    assert issues == []
    return [(r.agency, r.survey, r.result_u, r.sample_size) for r in rows]


VN_SURVEY = (
    'Mã đơn vị,Cuộc điều tra,Kết quả (%),Cỡ mẫu\nxa-a,sipas,"87,5",120\nxa-b,sipas,90,1.200\n'
)
SURVEY_TWINS = {
    "BOM + CRLF": lambda: b"\xef\xbb\xbf" + SURVEY_CSV.replace("\n", "\r\n").encode(),
    "semicolon + decimal comma": lambda: (
        SURVEY_CSV.replace(",", ";").replace("87.5", "87,5").encode()
    ),
    "Vietnamese headers": lambda: VN_SURVEY.encode(),
    "Vietnamese headers in NFD": lambda: unicodedata.normalize("NFD", VN_SURVEY).encode(),
    "Windows-1258": lambda: cp1258(VN_SURVEY.replace(",", ";").replace('"87;5"', "87,5")),
    "UTF-16 tabs (Excel Unicode text)": lambda: (
        VN_SURVEY.replace(",", "\t").replace('"87\t5"', "87,5").encode("utf-16")
    ),
    "percent text": lambda: (
        SURVEY_CSV.replace("87.5", '"87,5 %"').replace(",90,", ",90%,").encode()
    ),
    "short row is no problem when the header is short too": lambda: SURVEY_CSV.replace(
        "result,sample_size", "result,sample_size,"
    ).encode(),
}


@pytest.mark.parametrize("name", SURVEY_TWINS)
def test_a_survey_file_as_people_send_it_reads_like_its_clean_twin(
    tmp_path: Path, name: str
) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text(SURVEY_CSV, encoding="utf-8")
    twin = tmp_path / "twin.csv"
    twin.write_bytes(SURVEY_TWINS[name]())
    assert (
        _survey_key(twin)
        == _survey_key(clean)
        == [
            ("xa-a", "sipas", 875000, 120),
            ("xa-b", "sipas", 900000, 1200),
        ]
    )


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        (0.875, "0.0%"),
        (0.875, "0.00%"),
        (Decimal("0.875"), "0%"),
        ("87,5 %", "General"),
        ("87.5%", "@"),
        (87.5, "General"),
    ],
)
def test_an_xlsx_percent_cell_reads_as_the_percentage_shown(
    tmp_path: Path, value: Any, fmt: str
) -> None:
    path = tmp_path / "s.xlsx"
    rows = [
        ["agency", "survey", "result", "sample_size"],
        ["xa-a", "sipas", value, 120],
        ["xa-b", "sipas", 0.9, 1200],
    ]
    path.write_bytes(xlsx(rows, {"C2": fmt, "C3": "0%"}))
    clean = tmp_path / "clean.csv"
    clean.write_text(SURVEY_CSV, encoding="utf-8")
    assert _survey_key(path) == _survey_key(clean)


def test_an_xlsx_with_nfd_headers_reads_like_its_clean_twin(tmp_path: Path) -> None:
    header = [
        unicodedata.normalize("NFD", h)
        for h in ("Mã đơn vị", "Cuộc điều tra", "Kết quả (%)", "Cỡ mẫu")
    ]
    path = tmp_path / "s.xlsx"
    path.write_bytes(
        xlsx([header, ["xa-a", "sipas", "87,5", "120"], ["xa-b", "sipas", 90, "1.200"]])
    )
    clean = tmp_path / "clean.csv"
    clean.write_text(SURVEY_CSV, encoding="utf-8")
    assert _survey_key(path) == _survey_key(clean)


@pytest.mark.parametrize(
    ("fmt", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0%", True),
        ('0"%"', False),
        ("0\\%", False),
        ("General", False),
        (None, False),
    ],
)
def test_a_percent_format_is_one_with_a_percent_sign_outside_quotes(
    fmt: str | None, percent: bool
) -> None:
    assert tables.is_percent_format(fmt) is percent


AGENCY_TWINS = {
    "BOM + CRLF": lambda: b"\xef\xbb\xbf" + AGENCY_CSV.replace("\n", "\r\n").encode(),
    "semicolon": lambda: AGENCY_CSV.replace(",", ";").encode(),
    "Windows-1258": lambda: cp1258(AGENCY_CSV),
    "UTF-16 tabs": lambda: AGENCY_CSV.replace(",", "\t").encode("utf-16"),
    "NFD names": lambda: unicodedata.normalize("NFD", AGENCY_CSV).encode(),
    "capitalised header, spaces in names": lambda: (
        AGENCY_CSV.replace("id,name,block", "ID, Name ,Block").replace("Xã An", "Xã  An").encode()
    ),
}


@pytest.mark.parametrize("name", AGENCY_TWINS)
def test_an_agency_list_as_people_send_it_reads_like_its_clean_twin(
    tmp_path: Path, name: str
) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text(AGENCY_CSV, encoding="utf-8")
    twin = tmp_path / "twin.csv"
    twin.write_bytes(AGENCY_TWINS[name]())
    got, issues = read_agencies(twin)
    want, none = read_agencies(clean)
    assert issues == none == []
    assert got == want
    assert got["xa-b"].name == "Phường Hưng Lợi"


def test_windows_1258_tone_marks_are_composed() -> None:
    data = cp1258("Phường Hưng Lợi, Xã Ứng Hòa")
    assert "\u0309".encode("cp1258") in data or "\u0301".encode("cp1258") in data  # separate marks
    assert tables.decode(data) == "Phường Hưng Lợi, Xã Ứng Hòa"


@pytest.mark.parametrize(
    ("line", "sep"),
    [
        ("a,b;c,d", ","),
        ("a;b;c", ";"),
        ("a\tb\tc,d", "\t"),
        ('"a;b;c",d', ","),
        ("abc", ","),
        ("", ","),
    ],
)
def test_the_delimiter_comes_from_the_header_outside_quotes(line: str, sep: str) -> None:
    assert tables.delimiter(line + "\nx\n") == sep


def test_the_sample_year_scores_the_same_from_files_saved_the_windows_way(tmp_path: Path) -> None:
    """agencies.csv in Windows-1258 with semicolons and CRLF, surveys.csv in UTF-16 with tabs and
    decimal commas: the same results, to the hundredth, as the clean files."""
    from parindex.dataset import load_year
    from parindex.results import score_dataset

    for part in ("criteria", "submissions"):
        shutil.copytree(ROOT / part / "2025", tmp_path / part / "2025")
    clean = score_dataset(load_year(tmp_path, 2025)).as_dict(plain=True)
    sdir = tmp_path / "submissions" / "2025"
    rows = list(csv.reader(io.StringIO((sdir / "agencies.csv").read_text(encoding="utf-8"))))
    assert any(not ch.isascii() for row in rows for cell in row for ch in cell)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    (sdir / "agencies.csv").write_bytes(cp1258(buffer.getvalue()))
    surveys = (sdir / "surveys.csv").read_text(encoding="utf-8")
    windows = surveys.replace(",", "\t").replace(".", ",")
    (sdir / "surveys.csv").write_bytes(windows.encode("utf-16"))
    twin = score_dataset(load_year(tmp_path, 2025)).as_dict(plain=True)
    assert twin["blocks"] == clean["blocks"]
    assert twin["report"] == clean["report"]


# ------------------------------------------------------------------------------ identifiers
@pytest.mark.parametrize("raw", ["xa-a", "so_noi_vu", "A.1", "xa-a\u0301"[:4]])
def test_an_identifier_is_kept(raw: str) -> None:
    assert identifier(raw) == raw


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "identifier-empty"),
        (" xa", "identifier-space"),
        ("xa ", "identifier-space"),
        ("x a", "identifier-space"),
        ("xa\t", "identifier-space"),
        ("xа", "identifier-lookalike"),
        ("ｘa", "identifier-fullwidth"),
        ("xa\u200b", "identifier-space"),
        ("x/a", "identifier-char"),
    ],
)
def test_an_identifier_outside_the_set_is_refused_in_vietnamese(raw: str, code: str) -> None:
    got = identifier(raw)
    assert isinstance(got, TextError) and got.code == code
    assert_vietnamese(got.message)


# ------------------------------------------------------------------------------ echoed values
def test_an_echoed_value_is_bounded_in_every_rendering(tmp_path: Path) -> None:
    huge = "9" * 10 + "x" * 5_000_000
    text = message("survey-not-a-number", value=huge)
    assert len(text) < 200 and text.startswith("'" + "9" * 10) and "…" in text
    path = tmp_path / "s.csv"
    path.write_text(SURVEY_CSV.replace("87.5", "x" * 30000), encoding="utf-8")
    _, issues = read_surveys(path, AGENCIES, SURVEYS)
    issue = issues[0]
    assert (issue.code, issue.location.row, issue.location.path) == (
        "survey-not-a-number",
        2,
        "result",
    )
    assert len(str(issue)) < 300 and len(issue.value) == ECHO_CHARS + 1
    assert len(str(issue.as_dict())) < 1000
    assert_vietnamese(issue.message)


def test_a_short_value_is_echoed_whole() -> None:
    assert message("survey-not-a-number", value="abc") == "'abc' không phải là số"


def test_an_xlsx_row_is_never_short() -> None:
    """A workbook written without its dimension gives rows as long as their last cell; the cells
    are placed by column, so every row is padded to the widest (no ``table-short-row``)."""
    members = {
        "[Content_Types].xml": (
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b"</Types>"
        ),
        "_rels/.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            b"</Relationships>"
        ),
        "xl/workbook.xml": (
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            b"</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>agency</t></is></c><c r="B1" t="inlineStr"><is><t>survey</t></is></c>'
            b'<c r="C1" t="inlineStr"><is><t>result</t></is></c><c r="D1" t="inlineStr"><is><t>sample_size</t></is></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>xa-a</t></is></c><c r="B2" t="inlineStr"><is><t>sipas</t></is></c>'
            b'<c r="C2"><v>87.5</v></c></row>'
            b"</sheetData></worksheet>"
        ),
    }
    rows = tables.xlsx_rows(zipped(members))
    assert rows == [
        (1, ["agency", "survey", "result", "sample_size"]),
        (2, ["xa-a", "sipas", 87.5, None]),
    ]


@pytest.mark.parametrize(
    ("content", "code", "warnings"),
    [
        (b"PK\x03\x04garbage", "table-damaged", False),
        (b"agency,survey,result\nxa-a,sipas\n", "table-short-row", True),
    ],
)
def test_an_unreadable_survey_file_is_one_error_not_hundreds_of_warnings(
    tmp_path: Path, content: bytes, code: str, warnings: bool
) -> None:
    from parindex.dataset import load_year
    from parindex.survey import check_surveys

    path = tmp_path / ("s.xlsx" if content.startswith(b"PK") else "s.csv")
    path.write_bytes(content)
    rows, issues = check_surveys(path, load_year(ROOT, 2025))
    assert issues[0].code == code
    assert any(i.code == "survey-agency-missing" for i in issues) is warnings
    if not warnings:
        assert len(issues) == 1
