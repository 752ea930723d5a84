"""Spreadsheet output (openpyxl). Text that came from users never becomes a formula or a link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from parindex.ranking import tie_rule_text
from parindex.results import Results

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
FONT = "Times New Roman"


def safe_text(value: str) -> str:
    """For CSV: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def set_text(cell: Any, value: str) -> None:
    """Write ``value`` as a plain string cell, whatever it starts with."""
    cell.value = value
    cell.data_type = "s"


def _sheet_title(text: str) -> str:
    bad = "[]:*?/\\"
    return "".join("-" if ch in bad else ch for ch in text)[:31]


def write_ranking(results: Results, path: Path) -> None:
    """A plain first ranking workbook: one sheet per block, plus a notes sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = results.rows()
    bold = Font(name=FONT, bold=True)
    normal = Font(name=FONT)
    for block, res in results.blocks.items():
        model = res.criteria.model
        ws = wb.create_sheet(_sheet_title(model.block_name))
        title = f"Kết quả xếp hạng Chỉ số CCHC năm {results.year} — {model.block_name}"
        if model.sample:
            title += " (dữ liệu mẫu)"
        ws.append([title])
        ws["A1"].font = Font(name=FONT, bold=True, size=13)
        header = ["Hạng", "Mã đơn vị", "Đơn vị"]
        header += [f"Lĩnh vực {f.code} (tối đa {f.max})" for f in model.fields]
        header += [
            "Điểm thẩm định",
            "Điểm điều tra XHH",
            "Điểm thưởng",
            "Điểm trừ",
            "Tổng điểm",
            "Điểm tối đa áp dụng",
            "Chỉ số (%)",
            "Xếp loại",
        ]
        ws.append(header)
        for cell in ws[2]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for r in rows:
            if r["block"] != block:
                continue
            values = [r["rank"], r["agency"], r["name"]]
            values += [r[f"field_{f.code}"] for f in model.fields]
            values += [
                r["appraised"],
                r["survey"],
                r["bonus"],
                r["penalty"],
                r["total"],
                r["applicable_max"],
                r["index"],
                r["band"],
            ]
            ws.append([None] * len(values))
            row = ws.max_row
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row=row, column=col)
                if isinstance(value, str):
                    set_text(cell, value)
                else:
                    cell.value = value
                    if col > 3:
                        cell.number_format = "0.00"
                cell.font = normal
        ws.append([])
        ws.append([tie_rule_text(model)])
        ws.column_dimensions["A"].width = 6
        ws.column_dimensions["B"].width = 22
        ws.column_dimensions["C"].width = 40
        for col in range(4, len(header) + 1):
            ws.column_dimensions[get_column_letter(col)].width = 13
        ws.freeze_panes = "D3"
    notes = wb.create_sheet("Ghi chú")
    notes.append(["Năm", results.year])
    notes.append(
        [
            "Quy tắc làm tròn",
            "Điểm tiêu chí thành phần và Chỉ số: 2 chữ số, làm tròn nửa lên (half up)",
        ]
    )
    notes.append([])
    notes.append(["Mức", "Mã", "Vị trí", "Nội dung"])
    for issue in results.report.issues:
        notes.append([None] * 4)
        row = notes.max_row
        for col, value in enumerate(
            [
                "Lỗi" if issue.severity == "error" else "Cảnh báo",
                issue.code,
                str(issue.location),
                issue.message,
            ],
            start=1,
        ):
            set_text(notes.cell(row=row, column=col), value)
    wb.save(path)
