"""The decision table's sheet "Độ tin cậy của xếp hạng": each unit's rank interval and band
probabilities (:mod:`parindex.robustness`), the method's note and a rank-interval chart per
block. Written after every official sheet, which it leaves as they are."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from parindex.charts import interval_chart_height
from parindex.export import fit_landscape
from parindex.results import cents
from parindex.robustness import HIGH, LOW, Robustness
from parindex.scoring import BlockResult

SHEET = "Độ tin cậy của xếp hạng"
NOTE_NO_SAMPLE = "Không có cỡ mẫu điều tra: kết quả điều tra giữ nguyên"


def interval_charts(
    robustness: Robustness, blocks: dict[str, BlockResult], year: int, folder: Path
) -> dict[str, Path]:
    """A rank-interval chart per block (PNG and SVG) in ``folder``: block → PNG."""
    from parindex.charts import interval_chart

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for block, b in robustness.blocks.items():
        model = blocks[block].criteria.model
        title = f"Độ tin cậy của xếp hạng năm {year} — {model.block_name}"
        if model.sample:
            title += " (dữ liệu mẫu)"
        out[block] = interval_chart(
            b.names,
            [int(r) for r in b.rank],
            [int(x) for x in b.low],
            [int(x) for x in b.high],
            title,
            folder / f"do-tin-cay-{block}",
        )
    return out


def robustness_sheet(
    wb: Workbook,
    robustness: Robustness,
    blocks: dict[str, BlockResult],
    charts: dict[str, Path] | None = None,
) -> Worksheet:
    """The sheet: a note of the method, then per block its header and one row per unit in
    published rank order; the block's chart to the right of its rows."""
    from parindex.decision import Look, Styles

    styles = Styles(wb)
    ws = wb.create_sheet(SHEET)
    bold = Look(bold=True, vertical="top", border=False)
    wrap = Look(10, italic=True, vertical="top", wrap=True, border=False)
    head = Look(10, bold=True, align="center", wrap=True)
    widest = 7 + max((len(b.bands) for b in robustness.blocks.values()), default=0)
    styles.set(ws, 1, 1, SHEET.upper(), Look(13, bold=True, border=False))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=widest)
    styles.set(ws, 2, 1, robustness.method_text(), wrap)
    ws.row_dimensions[2].height = 90
    row = 4
    for block, b in robustness.blocks.items():
        model = blocks[block].criteria.model
        styles.set(ws, row, 1, f"{model.block_name} ({block})", bold)
        row += 1
        headers = [
            "Khối",
            "Hạng",
            "Đơn vị",
            "Chỉ số CCHC (%)",
            f"Hạng cao nhất (phân vị {LOW} %)",
            f"Hạng thấp nhất (phân vị {HIGH} %)",
            *(f"Xác suất xếp loại {name} (%)" for name in b.bands),
            "Ghi chú",
        ]
        for col, text in enumerate(headers, start=1):
            styles.set(ws, row, col, text, head)
        ws.row_dimensions[row].height = 45
        for i in range(len(b.agencies)):
            row += 1
            values = [
                block,
                int(b.rank[i]),
                b.names[i],
                cents(b.index_u[i]),
                int(b.low[i]),
                int(b.high[i]),
                *(int(c) * 100 / robustness.draws for c in b.band_draws[i]),
                "" if b.varied[i] else NOTE_NO_SAMPLE,
            ]
            for col, value in enumerate(values, start=1):
                look = (
                    Look(fmt="0.00")
                    if col == 4
                    else Look(align="center")
                    if col in (2, 5, 6)
                    else Look(fmt="0.0")
                    if col > 6
                    else Look()
                )
                styles.set(ws, row, col, value, look)
        row += 2
        if charts and block in charts:  # below the block's rows: printed with them
            ws.add_image(Image(str(charts[block])), f"A{row}")
            row += int(interval_chart_height(len(b.agencies)) * 110 / 20) + 2
    for col, width in enumerate([10, 7, 38, 10, 12, 12], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in range(7, widest + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.column_dimensions[get_column_letter(widest)].width = 30
    fit_landscape(ws)
    return ws
