"""Uploaded spreadsheets read into numbered rows: XLSX recognised by its content (a zip holding
``xl/``), CSV text in the encodings Excel writes. The bytes are checked and decoded by
:mod:`parindex.tables` (limits, encodings, delimiter, renamed, damaged, password-protected or
zip-bomb workbooks). Problems are located the way a user finds them in Excel: row number,
column letter and the column's header."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from parindex import tables as ptables
from parindex.tables import TableError as TableError  # re-exported: the web reads it from here
from parindex.text import is_blank as text_is_blank

MAX_ROWS = 5000  # an agency list or a criteria tree is far smaller
MAX_UNZIPPED = ptables.MAX_UNZIPPED  # a workbook that inflates beyond this is refused (zip bomb)


@dataclass(frozen=True)
class CellProblem:
    """One problem in an uploaded table: Excel row, column letter and header, code, message."""

    row: int | None
    column: str
    header: str
    code: str
    message: str

    @property
    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts) or "toàn tệp"

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{self.code}]"


@dataclass
class Table:
    """Non-empty rows as (row number in the file, values); formula cells with no stored result."""

    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    uncomputed: set[tuple[int, int]] = field(default_factory=set)  # (row, 0-based column)


def letter(index: int) -> str:
    """0-based column index → Excel letter (0 → A, 26 → AA)."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def normalise(text: Any) -> str:
    """Header or label text compared loosely: NFC, lower case, single spaces, no trailing ``:``/``*``."""
    s = unicodedata.normalize("NFC", str(text or "")).strip().lower()
    return " ".join(s.split()).rstrip(":* ").strip()


def is_blank(value: Any) -> bool:
    """An empty cell: nothing, or only spaces (zero-width and non-breaking ones too)."""
    return text_is_blank(value)


def kind_of(data: bytes) -> str:
    """``xlsx``, ``xls`` (the old binary format), ``zip`` (some other zip), ``text`` or ``binary``."""
    kind = ptables.kind_of(data)
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return "binary"
        return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"
    if kind == "cfb":
        return "xls"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 text (Excel's "Unicode text") is full of NUL bytes
    return "binary" if b"\x00" in data[:4096] else "text"


def read_workbook(data: bytes) -> dict[str, Table]:
    """Every sheet of an XLSX file (by name, in order). A formula cell gives the result Excel
    stored with it; one with no stored result is listed in ``uncomputed``."""
    if len(data) > ptables.MAX_FILE_BYTES:
        raise TableError(
            "table-too-large", value=ptables.mb(len(data)), most=ptables.mb(ptables.MAX_FILE_BYTES)
        )
    ptables.check_xlsx(data)  # renamed, damaged, password-protected, zip bomb: before openpyxl
    try:
        sheets = _load(data, data_only=False)
        computed = _load(data, data_only=True) if any(f for _, f in sheets.values()) else {}
    except TableError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise TableError("table-damaged") from None
    tables: dict[str, Table] = {}
    for name, (rows, formulas) in sheets.items():
        table = Table()
        values = dict(rows)
        cached = dict(computed[name][0]) if formulas else {}
        for r, c in formulas:
            row = cached.get(r, [])
            value = row[c] if c < len(row) else None
            values[r][c] = value
            if value is None:
                table.uncomputed.add((r, c))
        table.rows = [(r, v) for r, v in values.items() if not all(is_blank(x) for x in v)]
        tables[unicodedata.normalize("NFC", name)] = table
    return tables


_Sheet = tuple[list[tuple[int, list[Any]]], set[tuple[int, int]]]


def _load(data: bytes, *, data_only: bool) -> dict[str, _Sheet]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        out: dict[str, _Sheet] = {}
        for ws in wb.worksheets:
            rows: list[tuple[int, list[Any]]] = []
            formulas: set[tuple[int, int]] = set()
            last = 0  # last row with a value: formatting alone can reach row 1 048 576
            for r, cells in enumerate(ws.iter_rows(), start=1):
                if r > last + 1000:
                    break
                row = []
                for c, cell in enumerate(cells):
                    row.append(cell.value)
                    if not data_only and getattr(cell, "data_type", "") == "f":
                        formulas.add((r, c))
                if any(not is_blank(v) for v in row):
                    last = r
                    rows.append((r, row))
                    if len(rows) > MAX_ROWS:
                        raise TableError("table-too-many-rows", row=r, most=MAX_ROWS)
            out[ws.title] = (rows, formulas)
        return out
    finally:
        wb.close()


def read_csv(data: bytes) -> Table:
    """A CSV file: UTF-8 (with or without BOM), UTF-16 or Windows-1258, separated by commas,
    semicolons or tabs (:mod:`parindex.tables`); text composed (NFC)."""
    if len(data) > ptables.MAX_FILE_BYTES:
        raise TableError(
            "table-too-large", value=ptables.mb(len(data)), most=ptables.mb(ptables.MAX_FILE_BYTES)
        )
    rows = ptables.csv_rows(ptables.decode(data))
    if len(rows) > MAX_ROWS:
        raise TableError("table-too-many-rows", row=rows[MAX_ROWS][0], most=MAX_ROWS)
    return Table(rows=[(n, list(row)) for n, row in rows])


def read_table(data: bytes) -> Table:
    """The first sheet of an XLSX file, or a CSV file; anything else is a :class:`TableError`."""
    kind = kind_of(data)
    if kind == "xlsx":
        sheets = read_workbook(data)
        if not sheets:
            raise TableError("table-damaged")
        return next(iter(sheets.values()))
    if ptables.kind_of(data) != "text":
        ptables.check_xlsx(data)  # says which: old .xls, password-protected, damaged, not one
    return read_csv(data)  # text, or bytes that are not: the decoder says where
