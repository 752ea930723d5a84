"""Spreadsheet output (openpyxl). Text that came from users never becomes a formula or a link,
and never holds a character a workbook cannot (control characters pasted from Word).

Every writer of a workbook puts text in a cell through :func:`set_text` (or, for cells it builds
itself, :func:`cell_text`): one place that makes any text safe to save."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from parindex.results import Results

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


#: characters an XLSX cell cannot hold (XML 1.0): C0 controls but tab, line feed and carriage
#: return; lone surrogates; U+FFFE and U+FFFF. openpyxl raises IllegalCharacterError on them.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Word's manual line break (vertical tab) and page break (form feed) read as a new line
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def cell_text(value: str) -> str:
    """``value`` as a workbook can hold it: a vertical tab or form feed (Word's line and page
    breaks) becomes a line feed, every other character XML 1.0 forbids is dropped."""
    if value.isprintable():
        return value
    return _ILLEGAL.sub("", value.translate(_BREAKS))


def safe_text(value: str) -> str:
    """For CSV: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def set_text(cell: Any, value: str) -> None:
    """Write ``value`` as a plain string cell, whatever it starts with (never a formula),
    without the characters a workbook cannot hold (:func:`cell_text`)."""
    cell.value = cell_text(value)
    cell.data_type = "s"


def json_default(value: Any) -> Any:
    """Exact decimals → JSON numbers whose text is the decimal (2 places: exact as a double)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def csv_rows(results: Results, block: str | None = None) -> str:
    """The results as CSV text, one row per agency; user text cannot start a formula."""
    rows = [r for r in results.rows() if not block or r["block"] == block]
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: safe_text(v) if isinstance(v, str) else v for k, v in r.items()})
    return buffer.getvalue()


def write_csv(results: Results, path: Path) -> None:
    path.write_text(csv_rows(results), encoding="utf-8")


def write_json(results: Results, path: Path) -> None:
    text = json.dumps(results.as_dict(), ensure_ascii=False, indent=2, default=json_default)
    path.write_text(text + "\n", encoding="utf-8")


def fit_landscape(ws: Any) -> None:
    """Print set-up: A4 landscape, fitted to the page width, as many pages down as needed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
