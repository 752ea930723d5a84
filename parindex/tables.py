"""Tabular files as people send them → rows of cells, or one located :class:`TableError`.

The one reader of the bytes of a CSV or XLSX file (``agencies.csv``, the survey results, the web
app's uploads): it checks the limits, finds the encoding and the delimiter of a CSV, refuses an
XLSX that is not one (a CSV renamed, a damaged zip, a password-protected or old ``.xls`` file, a
zip bomb) before openpyxl sees it, and reads a percent-formatted cell as the percentage Excel
shows (0.875 shown as 87,5 % → 87.5). The cells are then read by :mod:`parindex.text`.

Encodings of a CSV, tried in this order (see docs/decisions.md):

1. a byte-order mark: UTF-8 (Excel's "CSV UTF-8") or UTF-16 (Excel's "Unicode text", tabs);
2. UTF-8 without a mark;
3. Windows code page 1258 (Excel's plain "CSV" on Vietnamese Windows), accepted only when the
   text it gives is Vietnamese: every letter outside ASCII, once composed (NFC: cp1258 writes
   tone marks as separate combining characters), is a letter of the Vietnamese alphabet.

Anything else is refused with the line of the first byte that is not UTF-8, saying to save as
"CSV UTF-8". Every text is composed (NFC) before it is split into cells.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.errors import Issue, Location, ParindexError, message
from parindex.text import is_blank

#: a table file larger than this is refused before it is read (an agency list or a year's
#: survey results is a few hundred kilobytes)
MAX_FILE_BYTES = 20 * 1024 * 1024
#: an XLSX whose parts would inflate beyond this in all is refused before openpyxl opens it
MAX_UNZIPPED = 50 * 1024 * 1024
#: a part of an XLSX compressed more than this many times (and larger than RATIO_FROM) is a bomb
MAX_RATIO = 200
RATIO_FROM = 1024 * 1024
#: rows in one table, its header included (a province has a few hundred agencies, a few
#: surveys each)
MAX_ROWS = 20_000
#: the longest text one cell may hold (Excel's own limit is 32 767 characters)
MAX_CELL_CHARS = 32_767

_DELIMITERS = ",;\t"
_VIETNAMESE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_PUNCTUATION = frozenset("“”‘’–—…•€₫°«»·")


class TableError(ParindexError):
    """The file cannot be read as a table: a code of the catalogue, its parameters, and the
    row (and column) when there is one. ``message`` is the Vietnamese sentence."""

    def __init__(self, code: str, *, row: int | None = None, column: str = "", **params: Any):
        self.code = code
        self.row = row
        self.column = column
        self.params = {k: v for k, v in params.items() if v is not None}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return message(self.code, **self.params)

    def issue(self, file: str) -> Issue:
        return Issue.make(
            self.code, Location(file=file, row=self.row, path=self.column), **self.params
        )


# ------------------------------------------------------------------------------------- bytes
def read_file(path: Path) -> bytes:
    """The bytes of ``path``, refused (``table-too-large``) when the file is over the limit,
    before any of it is read; a folder, a file it may not read or another system error is a
    Vietnamese :class:`TableError` too. ``FileNotFoundError`` is the caller's."""
    try:
        if path.is_dir():
            raise TableError("table-is-folder")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TableError("table-too-large", value=mb(size), most=mb(MAX_FILE_BYTES))
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except PermissionError:
        raise TableError("table-no-permission") from None
    except OSError as e:
        raise TableError("table-os-error", value=e.errno) from None


def mb(size: int) -> str:
    """A size in megabytes as a Vietnamese reader writes it ("20,0 MB")."""
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def kind_of(data: bytes) -> str:
    """By content: ``zip`` (an XLSX, or another zip), ``cfb`` (an old ``.xls`` or a
    password-protected XLSX: both are OLE compound files), else ``text``."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "cfb"
    return "text"


# ---------------------------------------------------------------------------------- encodings
def _is_vietnamese(text: str) -> bool:
    """Every character outside ASCII is a Vietnamese letter or common punctuation, and there
    is no control character but tab and line ends."""
    for ch in text:
        if ch.isascii():
            if not ch.isprintable() and ch not in "\t\r\n":
                return False
            continue
        if ch in _PUNCTUATION or ch in "đĐ\u00a0":
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], set(decomposed[1:])
        if not (base.isascii() and base.isalpha() and marks <= _VIETNAMESE_MARKS and marks):
            return False
    return True


def decode(data: bytes) -> str:
    """The text of a CSV file (see the module's note for the encodings), composed (NFC).
    A text that holds a NUL character is refused with its line (UTF-16 saved without a mark)."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = _strict(data[3:], "utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            try:
                text = data.decode("cp1258")
            except UnicodeDecodeError:
                text = ""
            text = unicodedata.normalize("NFC", text)
            if not text or not _is_vietnamese(text):
                raise TableError("table-encoding", row=_line_of(data, e.start)) from None
    if "\x00" in text:
        raise TableError("table-nul", row=text[: text.index("\x00")].count("\n") + 1)
    return unicodedata.normalize("NFC", text)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise TableError("table-encoding", row=_line_of(data, e.start, encoding)) from None


def _line_of(data: bytes, at: int, encoding: str = "utf-8") -> int:
    """The line of the byte at ``at``: the line ends of the text before it, read as far as it
    can be."""
    return data[:at].decode(encoding, errors="replace").count("\n") + 1


# ------------------------------------------------------------------------------------ CSV
def delimiter(text: str) -> str:
    """The delimiter of a CSV text, from its first non-blank line (the header, which has every
    column): the most frequent of comma, semicolon and tab outside quotes; a comma when none."""
    for line in text.splitlines():
        if line.strip():
            counts = dict.fromkeys(_DELIMITERS, 0)
            quoted = False
            for ch in line:
                if ch == '"':
                    quoted = not quoted
                elif not quoted and ch in counts:
                    counts[ch] += 1
            best = max(_DELIMITERS, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """The rows of a CSV text as (line number of the row's start, cells); blank rows left out
    (their number kept). A malformed row is refused with its line."""
    sep = delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error:  # a field beyond csv's own limit (an unclosed quote, a huge cell)
            raise TableError("table-cell-too-long", row=line, most=MAX_CELL_CHARS) from None
        for i, value in enumerate(row):
            if len(value) > MAX_CELL_CHARS:
                raise TableError(
                    "table-cell-too-long", row=line, column=f"cột {i + 1}", most=MAX_CELL_CHARS
                )
        if any(value.strip() for value in row):
            rows.append((line, row))
            if len(rows) > MAX_ROWS:  # the header is a row too
                raise TableError("table-too-many-rows", row=line, most=MAX_ROWS)
        line = reader.line_num + 1


# ------------------------------------------------------------------------------------ XLSX
def check_xlsx(data: bytes) -> None:
    """Refuse, before openpyxl opens it, what is not an XLSX workbook or would inflate beyond
    the limits (the sizes the zip declares: Python's zip reader never inflates a part beyond
    its declared size)."""
    kind = kind_of(data)
    if kind == "cfb":
        encrypted = "EncryptionInfo".encode("utf-16-le") in data
        raise TableError("table-encrypted" if encrypted else "table-xls")
    if kind != "zip":
        raise TableError("table-not-xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableError("table-damaged") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise TableError("table-not-xlsx")
    total = sum(i.file_size for i in infos)
    bomb = any(
        i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1)
        for i in infos
    )
    if total > MAX_UNZIPPED or bomb:
        raise TableError("table-unzipped-too-large", value=mb(total), most=mb(MAX_UNZIPPED))


def is_percent_format(number_format: str | None) -> bool:
    """A number format that shows the value × 100 with a ``%`` (one outside quotes and not
    escaped with a backslash: ``0.0%``, ``0,00%``; ``0"%"`` is a literal sign)."""
    if not number_format:
        return False
    quoted = escaped = False
    for ch in number_format:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "%" and not quoted:
            return True
    return False


def shown_value(value: Any, number_format: str | None) -> Any:
    """A cell's value as the person sees it: a number in a percent format is the percentage
    (0.875 in ``0.0%`` → Decimal 87.5, exactly: a float is read by its shortest text); text
    is composed (NFC)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if (
        isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
        and is_percent_format(number_format)
    ):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if number.is_finite():
            return number * 100  # exact: 0.875 → 87.500, 1 → 100
    return value


def xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    """The non-blank rows of the first sheet of an XLSX file as (row number, values as shown),
    after :func:`check_xlsx`; an error of openpyxl is a ``table-damaged``."""
    check_xlsx(data)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise TableError("table-damaged") from None
    rows: list[tuple[int, list[Any]]] = []
    try:
        if not wb.worksheets:
            raise TableError("table-damaged")
        ws = wb.worksheets[0]
        last = 0  # formatting alone can reach row 1 048 576: stop after 1000 blank rows
        for r, cells in enumerate(ws.iter_rows(), start=1):
            if r > last + 1000:
                break
            values = [shown_value(c.value, getattr(c, "number_format", None)) for c in cells]
            if any(v is not None and str(v).strip() for v in values):
                last = r
                rows.append((r, values))
                if len(rows) > MAX_ROWS:
                    raise TableError("table-too-many-rows", row=r, most=MAX_ROWS)
    except TableError:
        raise
    except Exception:
        raise TableError("table-damaged") from None
    finally:
        wb.close()
    width = max((len(values) for _, values in rows), default=0)
    for _, values in rows:  # cells are placed by column: an XLSX row is never short
        values += [None] * (width - len(values))
    return rows


# ------------------------------------------------------------------------------------ files
def read_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """The non-blank rows of a CSV or XLSX file (chosen by its extension, checked by its
    content) as (row number, cells). ``FileNotFoundError`` is the caller's; every other
    problem is a :class:`TableError`."""
    return rows_of(read_file(path), path.name)


def rows_of(data: bytes, name: str) -> list[tuple[int, list[Any]]]:
    """:func:`read_rows` on the bytes of a file named ``name`` (an upload): the same limits,
    the same encodings, an XLSX known by its name's extension or by its content."""
    if len(data) > MAX_FILE_BYTES:
        raise TableError("table-too-large", value=mb(len(data)), most=mb(MAX_FILE_BYTES))
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        return xlsx_rows(data)
    if kind_of(data) == "zip":
        return xlsx_rows(data)  # a workbook named .csv: read as what it is
    if kind_of(data) == "cfb":
        check_xlsx(data)
    return csv_rows(decode(data))


def misfit_row(file: str, n: int, row: list[Any], width: int) -> Issue | None:
    """A row whose cells cannot be placed under a header of ``width`` named columns: fewer
    cells than its last named column, or a cell given beyond it (a delimiter inside an
    unquoted cell: a decimal comma, a list of ids). None when the row fits."""
    if len(row) < width:
        return Issue.make("table-short-row", Location(file=file, row=n), value=len(row), most=width)
    beyond = [i + 1 for i, c in enumerate(row) if i >= width and not is_blank(c)]
    if beyond:
        return Issue.make(
            "history-extra-cells", Location(file=file, row=n), value=beyond[-1], most=width
        )
    return None
