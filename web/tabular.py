"""Uploaded spreadsheets read into numbered rows: XLSX recognised by its content (a zip holding
``xl/``), CSV as UTF-8 text. Problems are located the way a user finds them in Excel: row number,
column letter and the column's header."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from parindex.text import is_blank as text_is_blank

MAX_ROWS = 5000  # an agency list or a criteria tree is far smaller
MAX_UNZIPPED = 50 * 1024 * 1024  # a workbook that inflates beyond this is refused (zip bomb)


class TableError(Exception):
    """The file cannot be read as a table at all; ``message`` is Vietnamese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


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
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return "binary"
        return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "binary" if b"\x00" in data[:4096] else "text"


def read_workbook(data: bytes) -> dict[str, Table]:
    """Every sheet of an XLSX file (by name, in order). A formula cell gives the result Excel
    stored with it; one with no stored result is listed in ``uncomputed``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED:
                raise TableError("Tệp Excel quá lớn khi giải nén; không đọc.")
        sheets = _load(data, data_only=False)
        computed = _load(data, data_only=True) if any(f for _, f in sheets.values()) else {}
    except TableError:
        raise
    except Exception as e:  # openpyxl raises many kinds on a damaged file
        raise TableError(f"Không đọc được tệp Excel ({type(e).__name__}).") from e
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
                        raise TableError(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).")
            out[ws.title] = (rows, formulas)
        return out
    finally:
        wb.close()


def read_csv(data: bytes) -> Table:
    """A UTF-8 CSV (with or without BOM), separated by commas, semicolons or tabs."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TableError(
            "Tệp CSV phải mã hóa UTF-8 (trong Excel: Lưu thành → 'CSV UTF-8'); "
            f"byte không hợp lệ ở vị trí {e.start}."
        ) from e
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    table = Table()
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            if len(table.rows) > MAX_ROWS:
                raise TableError(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).")
            if not all(is_blank(x) for x in row):
                table.rows.append((n, list(row)))
    except csv.Error as e:
        raise TableError(f"Tệp CSV không hợp lệ: {e}.") from e
    return table


def read_table(data: bytes) -> Table:
    """The first sheet of an XLSX file, or a CSV file; anything else is a :class:`TableError`."""
    kind = kind_of(data)
    if kind == "xlsx":
        sheets = read_workbook(data)
        if not sheets:
            raise TableError("Tệp Excel không có trang tính nào.")
        return next(iter(sheets.values()))
    if kind == "xls":
        raise TableError("Tệp .xls (Excel 97–2003) không được hỗ trợ; hãy lưu thành .xlsx.")
    if kind in ("zip", "binary"):
        raise TableError("Tệp phải là bảng tính .xlsx hoặc tệp .csv (UTF-8).")
    return read_csv(data)
