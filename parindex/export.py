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


#: the CSV written beside the decision table: a row's keys → the column names a person reads
#: (a field's column: "Lĩnh vực <code>"); :func:`csv_key` reads them back (last year's results)
CSV_LABELS = {
    "year": "Năm",
    "block": "Khối",
    "criteria_set": "Bộ tiêu chí",
    "rank": "Xếp hạng",
    "agency": "Mã đơn vị",
    "name": "Đơn vị",
    "appraised": "Điểm thẩm định",
    "survey": "Điểm điều tra XHH",
    "bonus": "Điểm thưởng",
    "penalty": "Điểm trừ",
    "total": "Tổng điểm",
    "applicable_max": "Điểm tối đa áp dụng",
    "index": "Chỉ số CCHC (%)",
    "band": "Xếp loại",
    "previous_index": "Chỉ số năm trước",
    "previous_rank": "Hạng năm trước (giữa các đơn vị so sánh được của khối)",
    "comparable_rank": "Hạng năm nay (giữa các đơn vị so sánh được của khối)",
    "index_change": "Chỉ số tăng (+), giảm (−)",
    "rank_change": "Thứ hạng tăng (+), giảm (−)",
    "change_note": "Ghi chú so với năm trước",
    "change_text": "Thay đổi",
    "compared_with": "So với đơn vị năm trước",
}
_FIELD_LABEL = "Lĩnh vực "
_KEYS = {label: key for key, label in CSV_LABELS.items()}


def csv_label(key: str) -> str:
    """A CSV column's Vietnamese name."""
    if key.startswith("field_"):
        return _FIELD_LABEL + key.removeprefix("field_")
    return CSV_LABELS.get(key, key)


def csv_key(label: str) -> str:
    """The key of a CSV column named :func:`csv_label` (or already a key)."""
    if label.startswith(_FIELD_LABEL):
        return "field_" + label.removeprefix(_FIELD_LABEL)
    return _KEYS.get(label, label)


def csv_rows(results: Results, block: str | None = None, *, labels: bool = False) -> str:
    """The results as CSV text, one row per agency; user text cannot start a formula.
    ``labels``: Vietnamese column names (the file beside the table) instead of the keys."""
    rows = [r for r in results.rows() if not block or r["block"] == block]
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    if labels:
        writer.writerow({k: csv_label(k) for k in columns})
    else:
        writer.writeheader()
    for r in rows:
        writer.writerow({k: safe_text(v) if isinstance(v, str) else v for k, v in r.items()})
    return buffer.getvalue()


def write_csv(results: Results, path: Path) -> None:
    """The CSV beside the decision table, for Excel: UTF-8 with a byte-order mark (Excel on
    Windows then reads Vietnamese correctly), Vietnamese column names."""
    path.write_text(csv_rows(results, labels=True), encoding="utf-8-sig")


#: a Decimal on its way through json.dumps: a string no result holds (a NUL, then the number)
_DECIMAL_MARK = "\x00"
_MARKED = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)"')
_CENT = Decimal("0.01")


def json_text(data: Any) -> str:
    """``data`` as indented JSON, every Decimal printed as a JSON number with its exact text,
    2 places kept (``73.40``, ``100.00``): what docs/outputs.md promises."""

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            exact = value.quantize(_CENT) if value == value.quantize(_CENT) else value
            return f"{_DECIMAL_MARK}{exact:f}"
        raise TypeError(type(value).__name__)

    text = json.dumps(data, ensure_ascii=False, indent=2, default=mark)
    return _MARKED.sub(r"\1", text)


def write_json(results: Results, path: Path, *, draft: bool = False) -> None:
    """The results as JSON (the machine-readable form); a draft says so in ``"draft": true``."""
    data = results.as_dict()
    if draft:
        data = {"draft": True} | data
    path.write_text(json_text(data) + "\n", encoding="utf-8")


def fit_landscape(ws: Any) -> None:
    """Print set-up: A4 landscape, fitted to the page width, as many pages down as needed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
