"""The published decision table: the appendix of the People's Committee decision (openpyxl).

One ranking sheet per block laid out as the appendix, whose total and index cells are formulas over
the row (a reader can re-add them; LibreOffice recalculates them in the tests), a detail sheet per
block (every agency × every leaf), a chart sheet per block, a method sheet with everything needed
to re-run and get the same table, and a notes sheet with the input problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from parindex import __version__
from parindex.export import fit_landscape, set_text
from parindex.ranking import tie_rule_text
from parindex.results import Results, cents
from parindex.scoring import BlockResult
from parindex.units import to_cents

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NUMBER = "0.00"
BLOCK_PHRASES = {
    "so-nganh": "các sở, ban, ngành tỉnh",
    "huyen": "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "xa": "Ủy ban nhân dân các xã, phường, thị trấn",
}
TITLE_ROW = 2
HEADER_TOP = 6  # first header row; the header takes rows 6–8 (group, column, number)
FIRST_DATA = 9


def _font(
    size: float = 11, bold: bool = False, italic: bool = False, colour: str = "000000"
) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic, color=colour)


def sheet_name(prefix: str, res: BlockResult) -> str:
    text = f"{prefix} {res.criteria.model.block}"
    return "".join("-" if ch in "[]:*?/\\" else ch for ch in text)[:31]


def field_points(res: BlockResult) -> tuple[list[tuple[str, str, Decimal]], pd.DataFrame]:
    """The field columns: (code, header, max) and a frame agency × field code of points.

    Unweighted sets show each field's appraised points (survey leaves go to the survey column);
    fields made only of survey leaves get no column. Weighted sets show weighted field points.
    """
    model = res.criteria.model
    leaves = res.leaves[(res.leaves["section"] == "tree") & res.leaves["applicable"]]
    if model.weighted:
        comp = res.components[res.components["level"] == "field"]
        frame = comp.pivot(index="agency", columns="code", values="weighted_c").fillna(0)
        cols = [(f.code, f"{f.code}. {f.name}", f.weight or Decimal(0)) for f in model.fields]
        return cols, frame.astype("int64")
    appraised = leaves[~leaves["survey"]]
    frame = appraised.pivot_table(
        index="agency", columns="field", values="final_c", aggfunc="sum", fill_value=0
    )
    cols = []
    for f in model.fields:
        mx = sum(
            (leaf.max for c in f.criteria for leaf in c.subcriteria if not leaf.survey), Decimal(0)
        )
        if mx > 0:
            cols.append((f.code, f"{f.code}. {f.name}", mx))
    return cols, frame


def survey_max(res: BlockResult) -> Decimal:
    return sum((leaf.max for _, _, leaf in res.criteria.model.leaves() if leaf.survey), Decimal(0))


def _set(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    *,
    font: Font | None = None,
    fmt: str | None = None,
    align: str | None = None,
    wrap: bool = False,
    border: bool = True,
) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(cell, MergedCell):
        pass  # covered by a merge: style only
    elif isinstance(value, str) and not value.startswith("="):
        set_text(cell, value)
    else:
        cell.value = value
    cell.font = font or _font()
    if fmt:
        cell.number_format = fmt
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
    if border:
        cell.border = BORDER


def _user_text(ws: Worksheet, row: int, col: int, value: str, **kw: Any) -> None:
    """Text that came from users: always a plain string cell, never a formula."""
    _set(ws, row, col, "", **kw)
    set_text(ws.cell(row=row, column=col), value)


def ranking_sheet(
    wb: Workbook, results: Results, block: str, res: BlockResult, appendix: int
) -> Worksheet:
    model = res.criteria.model
    ws = wb.create_sheet(sheet_name("Xếp hạng", res))
    fcols, fpoints = field_points(res)
    weighted = model.weighted
    has_prev = results.previous_year is not None

    # columns
    headers: list[tuple[str, str | None]] = [("STT", None), ("Đơn vị", None)]
    headers += [(f"{h} (tối đa {_num(mx)})", "Điểm đạt được theo lĩnh vực") for _, h, mx in fcols]
    if not weighted:
        headers.append((f"Điểm điều tra xã hội học (tối đa {_num(survey_max(res))})", None))
    headers += [
        (f"Điểm thưởng (tối đa {_num(model.bonus.cap)})", None),
        (f"Điểm trừ (tối đa {_num(model.penalty.cap)})", None),
        ("Tổng điểm", None),
        ("Điểm tối đa áp dụng", None),
        ("Chỉ số CCHC (%)", None),
        ("Xếp hạng", None),
        ("Xếp loại", None),
    ]
    if has_prev:
        headers += [
            (
                f"Chỉ số tăng (+), giảm (−) so với năm {results.previous_year}",
                f"So với năm {results.previous_year}",
            ),
            ("Thứ hạng tăng (+), giảm (−)", f"So với năm {results.previous_year}"),
            ("Ghi chú", f"So với năm {results.previous_year}"),
        ]
    ncol = len(headers)
    first_pts = 3
    last_pts = first_pts + len(fcols) - 1 + (0 if weighted else 1)
    c_bonus, c_pen = last_pts + 1, last_pts + 2
    c_total, c_max, c_index, c_rank, c_band = (last_pts + i for i in range(3, 8))
    L = get_column_letter

    # title rows
    title = (
        f"KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {results.year} CỦA "
        f"{BLOCK_PHRASES.get(model.block, model.block_name).upper()}"
    )
    lines = [
        (1, f"Phụ lục {_roman(appendix)}", _font(12, bold=True)),
        (TITLE_ROW, title, _font(13, bold=True)),
        (
            3,
            "(Kèm theo Quyết định số        /QĐ-UBND ngày      tháng      năm "
            f"{results.year + 1} của Ủy ban nhân dân tỉnh)",
            _font(12, italic=True),
        ),
    ]
    if model.sample:
        lines.append(
            (
                4,
                "DỮ LIỆU MẪU — tỉnh minh họa, không phải kết quả chính thức",
                _font(12, bold=True, colour="C00000"),
            )
        )
    for row, text, font in lines:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
        _set(ws, row, 1, text, font=font, align="center", wrap=True, border=False)
    ws.row_dimensions[TITLE_ROW].height = 36

    # header: group row, column row, number row
    h1, h2, h3 = HEADER_TOP, HEADER_TOP + 1, HEADER_TOP + 2
    col = 1
    while col <= ncol:
        label, group = headers[col - 1]
        if group is None:
            ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
            _set(ws, h1, col, label, font=_font(10, bold=True), align="center", wrap=True)
            _set(ws, h2, col, None)
            col += 1
            continue
        end = col
        while end + 1 <= ncol and headers[end][1] == group:
            end += 1
        ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=end)
        _set(ws, h1, col, group, font=_font(10, bold=True), align="center", wrap=True)
        for c in range(col, end + 1):
            if c > col:
                _set(ws, h1, c, None)
            _set(ws, h2, c, headers[c - 1][0], font=_font(10, bold=True), align="center", wrap=True)
        col = end + 1
    for c in range(1, ncol + 1):
        _set(ws, h3, c, f"({c})", font=_font(9, italic=True), align="center")
        for r in (h1, h2):
            ws.cell(row=r, column=c).fill = HEADER_FILL
    ws.row_dimensions[h1].height = 30
    ws.row_dimensions[h2].height = 96

    # data rows
    agencies = res.agencies
    row = FIRST_DATA
    for rec in agencies.to_dict("records"):
        agency = str(rec["agency"])
        lines_needed = -(-len(str(rec["name"])) // 34)  # the name column wraps at ~34 characters
        _set(ws, row, 1, row - FIRST_DATA + 1, align="center")
        _user_text(ws, row, 2, str(rec["name"]), wrap=True)
        for i, (code, _, _) in enumerate(fcols):
            value = (
                fpoints.at[agency, code]
                if (agency in fpoints.index and code in fpoints.columns)
                else 0
            )
            _set(ws, row, first_pts + i, cents(value), fmt=NUMBER)
        if not weighted:
            _set(ws, row, last_pts, cents(rec["survey_c"]), fmt=NUMBER)
        _set(ws, row, c_bonus, cents(rec["bonus_c"]), fmt=NUMBER)
        _set(ws, row, c_pen, cents(rec["penalty_c"]), fmt=NUMBER)
        _set(
            ws,
            row,
            c_total,
            f"=MAX(0,SUM({L(first_pts)}{row}:{L(last_pts)}{row})+{L(c_bonus)}{row}"
            f"-{L(c_pen)}{row})",
            fmt=NUMBER,
            font=_font(bold=True),
        )
        _set(ws, row, c_max, cents(rec["applicable_c"]), fmt=NUMBER)
        _set(
            ws,
            row,
            c_index,
            f"=IF({L(c_max)}{row}>0,ROUND({L(c_total)}{row}/{L(c_max)}{row}*100,2),0)",
            fmt=NUMBER,
            font=_font(bold=True),
        )
        _set(ws, row, c_rank, int(rec["rank"]), align="center")
        _set(ws, row, c_band, str(rec["band"]), align="center")
        if has_prev:
            ch = results.change_columns(agency)
            d_index = ch.get("index_change")
            d_rank = ch.get("rank_change")
            _set(ws, row, c_band + 1, d_index, fmt="+0.00;-0.00;0.00")
            _set(ws, row, c_band + 2, d_rank, fmt="+0;-0;0", align="center")
            note = str(ch.get("change_note") or "")
            _user_text(ws, row, c_band + 3, note, wrap=True, font=_font(9))
            lines_needed = max(lines_needed, -(-len(note) // 22))
        ws.row_dimensions[row].height = 15 * max(1, lines_needed) + 2
        row += 1
    last = row - 1

    # average row
    if last >= FIRST_DATA:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        _set(ws, row, 1, "Chỉ số bình quân của khối", font=_font(bold=True), align="center")
        _set(ws, row, 2, None)
        for c in range(3, ncol + 1):
            _set(ws, row, c, None)
        _set(
            ws,
            row,
            c_index,
            f"=ROUND(AVERAGE({L(c_index)}{FIRST_DATA}:{L(c_index)}{last}),2)",
            fmt=NUMBER,
            font=_font(bold=True),
        )
        row += 1

    # notes under the table
    notes = [
        f"Ghi chú: ({c_total}) = tổng từ ({first_pts}) đến ({last_pts}) + ({c_bonus}) − ({c_pen}), "
        f"không âm; ({c_index}) = ({c_total}) / ({c_max}) × 100, làm tròn 2 chữ số thập phân.",
        "Điểm mỗi tiêu chí thành phần được làm tròn đến 2 chữ số thập phân (nửa lên) khi tính; "
        "các tổng được cộng chính xác từ các điểm đó.",
        tie_rule_text(model),
        "Xếp loại: " + "; ".join(f"{b.name}: từ {_num(b.at_least)} %" for b in model.bands) + ".",
    ]
    row += 1
    for text in notes:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
        _set(ws, row, 1, text, font=_font(10, italic=True), wrap=True, border=False)
        ws.row_dimensions[row].height = 28
        row += 1

    # widths, print set-up
    widths: dict[int, float] = {1: 5, 2: 30}
    for c in range(3, ncol + 1):
        widths[c] = 9.5
    widths[c_band] = 11
    if has_prev:
        widths[c_band + 3] = 18
    for c, w in widths.items():
        ws.column_dimensions[L(c)].width = w
    ws.freeze_panes = ws.cell(row=FIRST_DATA, column=3)
    ws.print_title_rows = f"{h1}:{h3}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = FONT
    return ws


def detail_sheet(wb: Workbook, res: BlockResult) -> Worksheet:
    """Every agency × every leaf: final score; the max of each leaf in row 3."""
    model = res.criteria.model
    ws = wb.create_sheet(sheet_name("Chi tiết", res))
    codes = [leaf.code for _, _, leaf in model.leaves()]
    codes += [i.code for i in model.bonus.items] + [i.code for i in model.penalty.items]
    maxima = {leaf.code: leaf.max for _, _, leaf in model.leaves()}
    maxima |= {i.code: i.max for i in (*model.bonus.items, *model.penalty.items)}
    _set(
        ws,
        1,
        1,
        f"Điểm cuối cùng từng tiêu chí thành phần — {model.block_name} ({model.id})",
        font=_font(12, bold=True),
        border=False,
    )
    _set(ws, 2, 1, "Mã đơn vị", font=_font(bold=True))
    _set(ws, 2, 2, "Đơn vị", font=_font(bold=True))
    _set(ws, 3, 1, "", font=_font())
    _set(ws, 3, 2, "Điểm tối đa", font=_font(italic=True))
    for j, code in enumerate(codes, start=3):
        _set(ws, 2, j, code, font=_font(bold=True), align="center")
        _set(ws, 3, j, maxima[code], fmt=NUMBER, font=_font(italic=True))
    pivot = res.leaves.pivot(index="agency", columns="leaf", values="final_c")
    excluded = res.leaves.pivot(index="agency", columns="leaf", values="applicable")
    r = 4
    for rec in res.agencies.to_dict("records"):
        agency = str(rec["agency"])
        _user_text(ws, r, 1, agency)
        _user_text(ws, r, 2, str(rec["name"]))
        for j, code in enumerate(codes, start=3):
            if not bool(excluded.at[agency, code]):
                _set(ws, r, j, "KPS", align="center", font=_font(9, italic=True))
            else:
                _set(ws, r, j, cents(pivot.at[agency, code]), fmt=NUMBER)
        r += 1
    _set(
        ws,
        r + 1,
        1,
        "KPS: không phát sinh, không tính vào điểm tối đa áp dụng.",
        font=_font(10, italic=True),
        border=False,
    )
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 34
    for j in range(3, len(codes) + 3):
        ws.column_dimensions[get_column_letter(j)].width = 7
    ws.freeze_panes = "C4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "2:3"
    ws.print_title_cols = "A:B"
    return ws


def method_sheet(wb: Workbook, results: Results, run_time: dt.datetime) -> Worksheet:
    ws = wb.create_sheet("Phương pháp")
    rows: list[Sequence[Any]] = [
        ("Phương pháp tính và dữ liệu đầu vào",),
        (),
        ("Năm đánh giá", results.year),
        ("Phần mềm", f"parindex {__version__}"),
        ("Thời điểm chạy (UTC)", run_time.strftime("%Y-%m-%d %H:%M:%S")),
        (
            "Làm tròn",
            "Điểm tiêu chí thành phần: 2 chữ số thập phân, nửa lên (half up), ngay khi "
            "tính; Chỉ số: 2 chữ số thập phân, nửa lên",
        ),
        (
            "Điểm đạt được",
            "Tổng điểm cuối cùng các tiêu chí thành phần (vòng 2, nếu không có thì "
            "vòng 1, nếu không có thì điểm tự chấm) + điểm thưởng (tối đa theo trần)"
            " − điểm trừ (tối đa theo trần), không âm",
        ),
        (
            "Chỉ số",
            "Điểm đạt được / điểm tối đa áp dụng × 100; tiêu chí không phát sinh (loại "
            "trừ) không tính vào điểm tối đa áp dụng",
        ),
        (),
        ("Bộ tiêu chí", "Khối", "Tệp", "SHA-256", "Quy tắc đồng hạng", "Xếp loại"),
    ]
    for block, res in results.blocks.items():
        m = res.criteria.model
        bands = "; ".join(f"{b.name} ≥ {_num(b.at_least)}" for b in m.bands)
        rows.append(
            (m.id, block, res.criteria.path.name, res.criteria.sha256, tie_rule_text(m), bands)
        )
    rows += [(), ("Tệp đầu vào", "SHA-256")]
    rows += sorted(results.inputs.items())
    for values in rows:
        ws.append([None] * len(values))
        r = ws.max_row
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(v, str):
                set_text(cell, v)
            else:
                cell.value = v
            cell.font = _font(11, bold=(c == 1))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = _font(13, bold=True)
    for col, w in zip("ABCDEF", (26, 60, 22, 66, 60, 50), strict=True):
        ws.column_dimensions[col].width = w
    fit_landscape(ws)
    return ws


def notes_sheet(wb: Workbook, results: Results) -> Worksheet:
    ws = wb.create_sheet("Ghi chú")
    ws.append(["Mức", "Mã", "Vị trí", "Nội dung"])
    for cell in ws[1]:
        cell.font = _font(bold=True)
    for issue in results.report.issues:
        ws.append([None] * 4)
        r = ws.max_row
        values = [
            "Lỗi" if issue.severity == "error" else "Cảnh báo",
            issue.code,
            str(issue.location),
            issue.message,
        ]
        for c, v in enumerate(values, start=1):
            set_text(ws.cell(row=r, column=c), v)
            ws.cell(row=r, column=c).font = _font(10)
    for col, w in zip("ABCD", (10, 24, 70, 80), strict=True):
        ws.column_dimensions[col].width = w
    ws.print_title_rows = "1:1"
    fit_landscape(ws)
    return ws


def chart_sheets(
    wb: Workbook,
    results: Results,
    charts_dir: Path,
    progress: Callable[[int], None] | None = None,
) -> None:
    """A chart sheet per block: the ranking chart, then every agency's field profile."""
    from parindex.charts import profile_charts, profile_data, ranking_chart

    charts_dir.mkdir(parents=True, exist_ok=True)
    profiles = charts_dir / "ho-so"
    profiles.mkdir(exist_ok=True)
    jobs = []
    for block, res in results.blocks.items():
        for agency in res.agencies["agency"]:
            jobs.append((*profile_data(res, str(agency)), profiles / f"{block}-{agency}"))
    pngs = iter(profile_charts(jobs, progress))
    for block, res in results.blocks.items():
        ws = wb.create_sheet(sheet_name("Biểu đồ", res))
        png = ranking_chart(res, results.year, charts_dir / f"xep-hang-{block}")
        ws.add_image(Image(str(png)), "A1")
        rows_used = int(max(3.0, 0.32 * len(res.agencies) + 1.4) * 110 / 20) + 2
        for i in range(len(res.agencies)):
            anchor = f"{'A' if i % 2 == 0 else 'L'}{rows_used + (i // 2) * 16}"
            ws.add_image(Image(str(next(pngs))), anchor)


def write_decision_table(
    results: Results,
    path: Path,
    *,
    charts: bool = True,
    run_time: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write the decision table workbook; charts (PNG and SVG) go to ``<stem>-bieu-do/``."""
    run_time = run_time or dt.datetime.now(dt.UTC).replace(microsecond=0)
    wb = Workbook()
    wb.remove(wb.active)
    for n, (block, res) in enumerate(results.blocks.items(), start=1):
        ranking_sheet(wb, results, block, res, n)
    for res in results.blocks.values():
        detail_sheet(wb, res)
    if charts:
        chart_sheets(wb, results, path.with_name(path.stem + "-bieu-do"), progress)
    method_sheet(wb, results, run_time)
    notes_sheet(wb, results)
    fixed = dt.datetime(results.year + 1, 1, 1)
    wb.properties.creator = "parindex"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.save(path)
    return path


def _num(value: Decimal | int) -> str:
    d = Decimal(value)
    text = f"{d:.2f}".rstrip("0").rstrip(".") if d != d.to_integral_value() else f"{int(d)}"
    return text.replace(".", ",")


def _roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letter in numerals:
        while n >= value:
            out += letter
            n -= value
    return out


__all__ = ["write_decision_table", "field_points", "to_cents"]
