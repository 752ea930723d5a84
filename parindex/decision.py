"""The published decision table: the appendix of the People's Committee decision (openpyxl).

One ranking sheet per block laid out as the appendix, whose total and index cells are formulas over
the row (a reader can re-add them; LibreOffice recalculates them in the tests), a detail sheet per
block (every agency × every leaf), a chart sheet per block, a method sheet with everything needed
to re-run and get the same table, and a notes sheet with the input problems.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from parindex import __version__, dates
from parindex.dataset import collector_paused
from parindex.diff import changes_since
from parindex.export import cell_text, fit_landscape, set_text
from parindex.ranking import tie_rule_text
from parindex.results import Results, cents
from parindex.robustness import Robustness
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
#: from 2025 local government has two tiers: no district, no thị trấn; wards and communes
#: (with the special zones) may be ranked apart
TWO_TIER_FROM = 2025
BLOCK_PHRASES_TWO_TIER = {
    "so-nganh": BLOCK_PHRASES["so-nganh"],
    "phuong": "Ủy ban nhân dân các phường",
    "xa": "Ủy ban nhân dân các xã, đặc khu",
}
TITLE_ROW = 2
#: on every sheet of a table built from invalid inputs or with an agency missing (`rank --draft`)
DRAFT_MARK = "BẢN NHÁP — KHÔNG CÔNG BỐ (dữ liệu đầu vào còn lỗi hoặc thiếu hồ sơ)"
#: in the row of an agency in the list that sent no submission
MISSING_NOTE = "Chưa nộp hồ sơ tự đánh giá: mọi tiêu chí tính 0 điểm."
HEADER_TOP = 6  # first header row; the header takes rows 6–8 (group, column, number)
FIRST_DATA = 9


def _block_phrase(year: int, block: str, block_name: str) -> str:
    """Whose ranking a sheet is, in the title's words: by the block's key, in the words of the
    year's local government; an unknown block by its name."""
    phrases = BLOCK_PHRASES_TWO_TIER if year >= TWO_TIER_FROM else BLOCK_PHRASES
    return phrases.get(block, block_name)


def _font(
    size: float = 11, bold: bool = False, italic: bool = False, colour: str = "000000"
) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic, color=colour)


@dataclass(frozen=True)
class Look:
    """How a cell looks: its font, number format, alignment (``vertical=None``: none set) and
    thin border."""

    size: float = 11
    bold: bool = False
    italic: bool = False
    colour: str = "000000"
    fmt: str | None = None
    align: str | None = None
    vertical: str | None = "center"
    wrap: bool = False
    border: bool = True

    def apply(self, cell: Any) -> None:
        cell.font = _font(self.size, self.bold, self.italic, self.colour)
        if self.fmt:
            cell.number_format = self.fmt
        if self.vertical is not None:
            cell.alignment = Alignment(
                horizontal=self.align, vertical=self.vertical, wrap_text=self.wrap
            )
        if self.border:
            cell.border = BORDER


PLAIN = Look()
NUMBER_LOOK = Look(fmt=NUMBER)
BOLD_NUMBER = Look(bold=True, fmt=NUMBER)
CENTRED = Look(align="center")


class Styles:
    """A workbook's cell looks, each built once.

    Giving every cell its own Font, Alignment and Border objects made openpyxl build, hash and
    look each of them up again for every cell — most of the time of a large table. Here each
    look is applied once, through openpyxl's public attributes, to a scratch cell; later cells
    with that look get a copy of the resulting style array (``cell._style``), as openpyxl's own
    worksheet copier copies styles. The workbook is the same, style for style.
    """

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._arrays: dict[Look, Any] = {}

    def array(self, ws: Worksheet, look: Look) -> Any:
        arr = self._arrays.get(look)
        if arr is None:
            assert ws.parent is self.wb, "a style array belongs to one workbook"
            scratch = Cell(ws)
            look.apply(scratch)
            arr = self._arrays[look] = scratch._style
        return arr

    def style(self, cell: Any, look: Look) -> None:
        if cell.has_style:  # styled before: change only what the look sets
            look.apply(cell)
        else:
            cell._style = copy(self.array(cell.parent, look))

    def set(self, ws: Worksheet, row: int, col: int, value: Any, look: Look = PLAIN) -> None:
        """A value (text is typed text unless it is one of our formulas) and its look."""
        cell = ws.cell(row=row, column=col)
        if isinstance(cell, MergedCell):
            pass  # covered by a merge: style only
        elif isinstance(value, str) and not value.startswith("="):
            set_text(cell, value)
        else:
            cell.value = value
        self.style(cell, look)

    def new(self, ws: Worksheet, value: Any, look: Look = PLAIN, *, text: bool = False) -> Cell:
        """A cell for ``ws.append``, as ``set`` makes it; ``text``: text that came from users,
        always a plain string cell, never a formula."""
        if isinstance(value, str):
            value = cell_text(value)
        cell = Cell(ws, value=value, style_array=self.array(ws, look))
        if text or (isinstance(value, str) and not value.startswith("=")):
            cell.data_type = "s"
        return cell


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


def ranking_sheet(
    wb: Workbook,
    results: Results,
    block: str,
    res: BlockResult,
    appendix: int,
    styles: Styles | None = None,
    *,
    draft: bool = False,
) -> Worksheet:
    styles = styles or Styles(wb)
    put = styles.set
    model = res.criteria.model
    ws = wb.create_sheet(sheet_name("Xếp hạng", res))
    fcols, fpoints = field_points(res)
    weighted = model.weighted
    has_prev = results.previous_year is not None
    missing = results.missing_submissions()
    # a note for an agency without a submission: in the year-over-year note column, or its own
    missing_col = bool(missing) and not has_prev

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
                f"Chỉ số năm {results.previous_year} được so sánh",
                f"So với năm {results.previous_year}",
            ),
            (
                f"Hạng năm {results.previous_year} giữa các đơn vị so sánh được của khối",
                f"So với năm {results.previous_year}",
            ),
            (
                f"Hạng năm {results.year} giữa các đơn vị so sánh được của khối",
                f"So với năm {results.previous_year}",
            ),
            (
                f"Chỉ số tăng (+), giảm (−) so với năm {results.previous_year}",
                f"So với năm {results.previous_year}",
            ),
            ("Thứ hạng tăng (+), giảm (−)", f"So với năm {results.previous_year}"),
            ("Ghi chú", f"So với năm {results.previous_year}"),
        ]
    if missing_col:
        headers.append(("Ghi chú", None))
    ncol = len(headers)
    first_pts = 3
    last_pts = first_pts + len(fcols) - 1 + (0 if weighted else 1)
    c_bonus, c_pen = last_pts + 1, last_pts + 2
    c_total, c_max, c_index, c_rank, c_band = (last_pts + i for i in range(3, 8))
    L = get_column_letter

    # title rows
    title = (
        f"KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {results.year} CỦA "
        f"{_block_phrase(results.year, model.block, model.block_name).upper()}"
    )
    heading = Look(12, bold=True, align="center", wrap=True, border=False)
    lines = [
        (1, f"Phụ lục {_roman(appendix)}", heading),
        (TITLE_ROW, title, Look(13, bold=True, align="center", wrap=True, border=False)),
        (
            3,
            "(Kèm theo Quyết định số        /QĐ-UBND ngày      tháng      năm "
            f"{results.year + 1} của Ủy ban nhân dân tỉnh)",
            Look(12, italic=True, align="center", wrap=True, border=False),
        ),
    ]
    if model.sample:
        lines.append(
            (
                4,
                "DỮ LIỆU MẪU — tỉnh minh họa, không phải kết quả chính thức",
                Look(12, bold=True, colour="C00000", align="center", wrap=True, border=False),
            )
        )
    if draft:
        lines.append(
            (5, DRAFT_MARK, Look(12, bold=True, colour="C00000", align="center", border=False))
        )
    for row, line, look in lines:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
        put(ws, row, 1, line, look)
    ws.row_dimensions[TITLE_ROW].height = 36

    # header: group row, column row, number row
    h1, h2, h3 = HEADER_TOP, HEADER_TOP + 1, HEADER_TOP + 2
    head = Look(10, bold=True, align="center", wrap=True)
    col = 1
    while col <= ncol:
        label, group = headers[col - 1]
        if group is None:
            ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
            put(ws, h1, col, label, head)
            put(ws, h2, col, None)
            col += 1
            continue
        end = col
        while end + 1 <= ncol and headers[end][1] == group:
            end += 1
        ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=end)
        put(ws, h1, col, group, head)
        for c in range(col, end + 1):
            if c > col:
                put(ws, h1, c, None)
            put(ws, h2, c, headers[c - 1][0], head)
        col = end + 1
    for c in range(1, ncol + 1):
        put(ws, h3, c, f"({c})", Look(9, italic=True, align="center"))
        for r in (h1, h2):
            ws.cell(row=r, column=c).fill = HEADER_FILL
    ws.row_dimensions[h1].height = 30
    ws.row_dimensions[h2].height = 96

    # data rows
    agencies = res.agencies
    # each agency's field points in the columns' order, looked up once per block (not per cell)
    points = fpoints.reindex(
        index=agencies["agency"], columns=[code for code, _, _ in fcols], fill_value=0
    ).to_numpy()
    name_look = Look(wrap=True)
    change_look = Look(fmt="+0.00;-0.00;0.00")
    rank_change_look = Look(fmt="+0;-0;0", align="center")
    note_look = Look(9, wrap=True)
    L_first, L_last, L_bonus, L_pen = L(first_pts), L(last_pts), L(c_bonus), L(c_pen)
    L_total, L_max = L(c_total), L(c_max)
    new = styles.new
    assert ws.max_row == FIRST_DATA - 1  # data rows are appended below the header
    row = FIRST_DATA
    for rec, field_values in zip(agencies.to_dict("records"), points, strict=True):
        agency = str(rec["agency"])
        lines_needed = -(-len(str(rec["name"])) // 34)  # the name column wraps at ~34 characters
        cells = [
            new(ws, row - FIRST_DATA + 1, CENTRED),
            new(ws, str(rec["name"]), name_look, text=True),
        ]
        cells += [new(ws, cents(value), NUMBER_LOOK) for value in field_values]
        if not weighted:
            cells.append(new(ws, cents(rec["survey_c"]), NUMBER_LOOK))
        cells += [
            new(ws, cents(rec["bonus_c"]), NUMBER_LOOK),
            new(ws, cents(rec["penalty_c"]), NUMBER_LOOK),
            new(
                ws,
                f"=MAX(0,SUM({L_first}{row}:{L_last}{row})+{L_bonus}{row}-{L_pen}{row})",
                BOLD_NUMBER,
            ),
            new(ws, cents(rec["applicable_c"]), NUMBER_LOOK),
            new(
                ws,
                f"=IF({L_max}{row}>0,ROUND({L_total}{row}/{L_max}{row}*100,2),0)",
                BOLD_NUMBER,
            ),
            new(ws, int(rec["rank"]), CENTRED),
            new(ws, str(rec["band"]), CENTRED),
        ]
        no_submission = MISSING_NOTE if agency in missing else ""
        if has_prev:
            ch = results.change_columns(agency)
            note = " ".join(filter(None, [no_submission, str(ch.get("change_note") or "")]))
            cells += [
                new(ws, ch.get("previous_index"), NUMBER_LOOK),
                new(ws, ch.get("previous_rank"), CENTRED),
                new(ws, ch.get("comparable_rank"), CENTRED),
                new(ws, ch.get("index_change"), change_look),
                new(ws, ch.get("rank_change"), rank_change_look),
                new(ws, note, note_look, text=True),
            ]
            lines_needed = max(lines_needed, -(-len(note) // 22))
        elif missing_col:
            cells.append(new(ws, no_submission, note_look, text=True))
            lines_needed = max(lines_needed, -(-len(no_submission) // 22))
        assert len(cells) == ncol
        ws.append(cells)
        ws.row_dimensions[row].height = 15 * max(1, lines_needed) + 2
        row += 1
    last = row - 1

    # average row
    if last >= FIRST_DATA:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        put(ws, row, 1, "Chỉ số bình quân của khối", Look(bold=True, align="center"))
        put(ws, row, 2, None)
        for c in range(3, ncol + 1):
            put(ws, row, c, None)
        put(
            ws,
            row,
            c_index,
            f"=ROUND(AVERAGE({L(c_index)}{FIRST_DATA}:{L(c_index)}{last}),2)",
            BOLD_NUMBER,
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
    if has_prev:
        notes.append(results.method)
    row += 1
    for line in notes:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
        put(ws, row, 1, line, Look(10, italic=True, wrap=True, border=False))
        ws.row_dimensions[row].height = 14 * max(2, -(-len(line) // 160))
        row += 1

    # widths, print set-up
    widths: dict[int, float] = {1: 5, 2: 30}
    for c in range(3, ncol + 1):
        widths[c] = 9.5
    widths[c_band] = 11
    if has_prev:
        widths[c_band + 6] = 18
    if missing_col:
        widths[ncol] = 18
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


#: the detail sheets' rows written as XML (:class:`SheetRows`); off, openpyxl writes every cell
#: (the tests compare the two files)
ROWS_AS_XML = True


class SheetRows:
    """A sheet's agency × leaf rows, written as the sheet's XML into the saved file
    (:func:`_put_rows_in`) rather than as openpyxl cells: the same cells, byte for byte, as
    openpyxl writes them — inline strings, the workbook's style ids, a number's text
    exact text of its integer hundredths — without a cell object per value. The detail sheets are most of
    the cells of the table, and openpyxl's cell objects and writer most of its time.

    The first rows, up to the first that holds each of the rows' looks (text, number, KPS),
    are openpyxl's own cells: openpyxl numbers the looks as it meets them while saving, so they
    get the ids they always had, and the rows written here read the ids from those cells. A
    test compares the sheets with the ones openpyxl writes alone."""

    def __init__(
        self,
        ws: Worksheet,
        first: int,
        rows: list[tuple[str, str, list[int], list[Any]]],
        looks: dict[str, Cell],
    ) -> None:
        self.ws = ws
        self.first = first  # the first row written here
        self.rows = rows  # (agency, name, points, counted) per row
        self.looks = looks  # a cell of the sheet with each look: "text", "number", "KPS"

    def xml(self) -> bytes:
        """The rows' XML, once the workbook is saved (the looks' ids are then fixed)."""
        ids = {key: _style_attribute(cell) for key, cell in self.looks.items()}
        text_id = ids["text"]
        number_cell = f'{ids.get("number", "")} t="n"><v>'
        kps_cell = f'{ids.get("KPS", "")} t="inlineStr"><is><t>KPS</t></is></c>'
        width = max((len(points) for _, _, points, _ in self.rows), default=0)
        letters = [get_column_letter(j) for j in range(3, 3 + width)]
        parts: list[str] = []
        add = parts.append
        for r, (agency, name, points, counted) in enumerate(self.rows, start=self.first):
            add(f'<row r="{r}">')
            add(_text_cell(f"A{r}", text_id, agency))
            add(_text_cell(f"B{r}", text_id, name))
            for letter, value, counts in zip(letters, points, counted, strict=False):
                if counts:
                    add(f'<c r="{letter}{r}"{number_cell}{_number(value)}</v></c>')
                else:
                    add(f'<c r="{letter}{r}"{kps_cell}')
            add("</row>")
        return "".join(parts).encode("ascii", "xmlcharrefreplace")

    def put_in(self, sheet_xml: bytes) -> bytes:
        """The saved sheet's XML with these rows in their place: before the first row below
        them that openpyxl wrote, else at the end of the sheet's data."""
        if not self.rows:
            return sheet_xml
        last = self.first + len(self.rows) - 1
        at = -1
        for row in re.finditer(rb'<row r="(\d+)"', sheet_xml):
            number = int(row[1])
            if self.first <= number <= last:
                raise ValueError(f"sheet {self.ws.title}: row {number} written twice")
            if number > last:
                at = row.start()
                break
        if at < 0:
            at = sheet_xml.find(b"</sheetData>")
        if at < 0:
            raise ValueError(f"sheet {self.ws.title}: no sheet data")
        return sheet_xml[:at] + self.xml() + sheet_xml[at:]


def _style_attribute(cell: Cell) -> str:
    """What follows a ``c`` element's reference for the cell's look, as openpyxl writes it."""
    return f' s="{cell.style_id}"' if cell.has_style else ""


def _text_cell(ref: str, style: str, text: str) -> str:
    if text == "":
        return f'<c r="{ref}"{style} t="inlineStr"></c>'
    text = cell_text(text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace("\r", "&#13;")
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _number(cents: int) -> str:
    """A number cell's text from its exact integer hundredths, as openpyxl writes the same
    point given as a Decimal (the shortest decimal: 1.50 → "1.5", 2.00 → "2"); no float."""
    whole, part = divmod(abs(cents), 100)
    text = f"{whole}.{part:02d}".rstrip("0").rstrip(".")
    return ("-" + text) if cents < 0 else text


def detail_sheet(
    wb: Workbook, res: BlockResult, styles: Styles | None = None
) -> tuple[Worksheet, SheetRows]:
    """Every agency × every leaf: final score; the max of each leaf in row 3. The agencies'
    rows are returned as XML, to be put in the saved file (:meth:`SheetRows.put_in`)."""
    styles = styles or Styles(wb)
    put = styles.set
    model = res.criteria.model
    ws = wb.create_sheet(sheet_name("Chi tiết", res))
    codes = [leaf.code for _, _, leaf in model.leaves()]
    codes += [i.code for i in model.bonus.items] + [i.code for i in model.penalty.items]
    maxima = {leaf.code: leaf.max for _, _, leaf in model.leaves()}
    maxima |= {i.code: i.max for i in (*model.bonus.items, *model.penalty.items)}
    put(
        ws,
        1,
        1,
        f"Điểm cuối cùng từng tiêu chí thành phần — {model.block_name} ({model.id})",
        Look(12, bold=True, border=False),
    )
    bold, italic = Look(bold=True), Look(italic=True)
    put(ws, 2, 1, "Mã đơn vị", bold)
    put(ws, 2, 2, "Đơn vị", bold)
    put(ws, 3, 1, "")
    put(ws, 3, 2, "Điểm tối đa", italic)
    for j, code in enumerate(codes, start=3):
        put(ws, 2, j, code, Look(bold=True, align="center"))
        put(ws, 3, j, maxima[code], Look(italic=True, fmt=NUMBER))
    # agency × leaf as arrays in the sheet's order: one lookup per block, not one per cell
    order = res.agencies["agency"]
    final = res.leaves.pivot(index="agency", columns="leaf", values="final_c")
    applicable = res.leaves.pivot(index="agency", columns="leaf", values="applicable")
    # points as integer hundredths: exact, written as their decimal text (see _number)
    points = final.reindex(index=order, columns=codes).to_numpy(dtype="int64").tolist()
    counts = applicable.reindex(index=order, columns=codes).to_numpy().astype(bool)
    kps = Look(9, italic=True, align="center")
    new = styles.new
    assert ws.max_row == 3  # data rows are appended below the maxima
    # openpyxl's own cells up to the first row with each look, the rest as XML (SheetRows)
    head = 1 if len(order) else 0
    if not ROWS_AS_XML:
        head = len(order)
    for has in (counts.any(axis=1), (~counts).any(axis=1)):
        if has.any():
            head = max(head, int(has.argmax()) + 1)
    looks: dict[str, Cell] = {}
    rows = []
    for n, (agency, name, values, applies) in enumerate(
        zip(
            res.agencies["agency"].tolist(),
            res.agencies["name"].tolist(),
            points,
            counts.tolist(),
            strict=True,
        )
    ):
        text = [new(ws, str(agency), text=True), new(ws, str(name), text=True)]
        if n >= head:
            rows.append((str(text[0].value), str(text[1].value), values, applies))
            continue
        cells = text + [
            new(ws, cents(value), NUMBER_LOOK) if counted else new(ws, "KPS", kps)
            for value, counted in zip(values, applies, strict=True)
        ]
        ws.append(cells)
        looks.setdefault("text", cells[0])
        for cell, counted in zip(cells[2:], applies, strict=True):
            looks.setdefault("number" if counted else "KPS", cell)
    later = SheetRows(ws, 4 + head, rows, looks)
    r = 4 + len(order)
    put(
        ws,
        r + 1,
        1,
        "KPS: không phát sinh, không tính vào điểm tối đa áp dụng.",
        Look(10, italic=True, border=False),
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
    return ws, later


def method_sheet(
    wb: Workbook, results: Results, run_time: dt.datetime, styles: Styles | None = None
) -> Worksheet:
    styles = styles or Styles(wb)
    ws = wb.create_sheet("Phương pháp")
    rows: list[Sequence[Any]] = [
        ("Phương pháp tính và dữ liệu đầu vào",),
        (),
        ("Năm đánh giá", results.year),
        ("Phần mềm", f"parindex {__version__}"),
        ("Thời điểm chạy (giờ Việt Nam)", dates.moment(run_time)),
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
    if results.previous_year is not None:
        rows += [(), ("So sánh với năm trước", results.method)]
    if results.previous_sets:
        rows += [(), (f"Thay đổi bộ tiêu chí so với năm {results.year - 1}", "")]
        for block, res in results.blocks.items():
            for i, line in enumerate(changes_since(res.criteria.model, results.previous_sets)):
                rows.append(("" if i else block, line))
    rows += [(), ("Tệp đầu vào", "SHA-256")]
    rows += sorted(results.inputs.items())
    looks = {
        bold: Look(bold=bold, vertical="top", wrap=True, border=False) for bold in (True, False)
    }
    for values in rows:
        ws.append(
            [
                styles.new(ws, v, looks[c == 1], text=isinstance(v, str))
                for c, v in enumerate(values, start=1)
            ]
        )
    ws["A1"].font = _font(13, bold=True)
    for col, w in zip("ABCDEF", (26, 60, 22, 66, 60, 50), strict=True):
        ws.column_dimensions[col].width = w
    fit_landscape(ws)
    return ws


def notes_sheet(wb: Workbook, results: Results, styles: Styles | None = None) -> Worksheet:
    styles = styles or Styles(wb)
    ws = wb.create_sheet("Ghi chú")
    ws.append(["Mức", "Mã", "Vị trí", "Nội dung"])
    for cell in ws[1]:
        styles.style(cell, Look(bold=True, vertical=None, border=False))
    look = Look(10, vertical=None, border=False)
    names = {
        str(a): str(n)
        for res in results.blocks.values()
        for a, n in zip(res.agencies["agency"], res.agencies["name"], strict=True)
    }
    for issue in results.report.issues:
        values = [
            "Lỗi" if issue.severity == "error" else "Cảnh báo",
            issue.code,
            issue.location.describe(names) or str(issue.location),
            issue.message,
        ]
        ws.append([styles.new(ws, v, look, text=True) for v in values])
    for col, w in zip("ABCD", (10, 24, 70, 80), strict=True):
        ws.column_dimensions[col].width = w
    ws.print_title_rows = "1:1"
    fit_landscape(ws)
    return ws


def draw_charts(
    results: Results, charts_dir: Path, progress: Callable[[int], None] | None = None
) -> dict[str, tuple[Path, list[Path]]]:
    """Every block's ranking chart and its agencies' profiles (PNG + SVG): block → PNG paths."""
    from parindex.charts import block_profiles, profile_charts, ranking_chart

    charts_dir.mkdir(parents=True, exist_ok=True)
    profiles = charts_dir / "ho-so"
    profiles.mkdir(exist_ok=True)
    jobs = []
    for block, res in results.blocks.items():
        for agency, data in block_profiles(res).items():
            jobs.append((*data, profiles / f"{block}-{agency}"))
    pngs = iter(profile_charts(jobs, progress))
    return {
        block: (
            ranking_chart(res, results.year, charts_dir / f"xep-hang-{block}"),
            [next(pngs) for _ in range(len(res.agencies))],
        )
        for block, res in results.blocks.items()
    }


def chart_sheets(
    wb: Workbook, results: Results, charts: dict[str, tuple[Path, list[Path]]]
) -> None:
    """A chart sheet per block: the ranking chart, then every agency's field profile."""
    from parindex.charts import ranking_chart_height

    for block, res in results.blocks.items():
        ws = wb.create_sheet(sheet_name("Biểu đồ", res))
        ranking, profiles = charts[block]
        ws.add_image(Image(str(ranking)), "A1")
        rows_used = int(ranking_chart_height(len(res.agencies)) * 110 / 20) + 2
        for i, png in enumerate(profiles):
            anchor = f"{'A' if i % 2 == 0 else 'L'}{rows_used + (i // 2) * 16}"
            ws.add_image(Image(str(png)), anchor)


def charts_dir(path: Path) -> Path:
    """The folder of the charts written beside the decision table ``path``."""
    return path.with_name(path.stem + "-bieu-do")


def clear_charts(folder: Path) -> None:
    """Remove the charts an earlier run wrote into ``folder`` (its ``xep-hang-*`` and
    ``ho-so/*`` PNG and SVG files), so that none is left beside a new table; anything else a
    person put there stays, and the folders are removed only when that leaves them empty."""
    stale = [*folder.glob("xep-hang-*.png"), *folder.glob("xep-hang-*.svg")]
    stale += [*folder.glob("do-tin-cay-*.png"), *folder.glob("do-tin-cay-*.svg")]
    stale += [*folder.glob("ho-so/*.png"), *folder.glob("ho-so/*.svg")]
    for file in stale:
        if file.is_file():
            file.unlink()
    for empty in (folder / "ho-so", folder):
        if empty.is_dir() and not any(empty.iterdir()):
            empty.rmdir()


def mark_draft(ws: Worksheet) -> None:
    """A sheet of a draft table says so on screen (its tab) and on every printed page."""
    ws.oddHeader.center.text = DRAFT_MARK
    ws.oddHeader.center.color = "C00000"
    ws.oddHeader.center.font = FONT + ",Bold"
    ws.oddFooter.left.text = DRAFT_MARK
    ws.oddFooter.left.font = FONT
    ws.sheet_properties.tabColor = "C00000"


def write_decision_table(
    results: Results,
    path: Path,
    *,
    charts: bool = True,
    run_time: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
    draft: bool = False,
    robustness: Robustness | None = None,
) -> Path:
    """Write the decision table workbook; charts (PNG and SVG) go to ``<stem>-bieu-do/``, and
    the charts of an earlier run there are removed first (:func:`clear_charts`). ``draft``:
    every sheet is marked :data:`DRAFT_MARK` (a table that must not be published).
    ``robustness``: the rank intervals, in a last sheet after every official one
    (:mod:`parindex.robustness_table`), with their charts when ``charts``."""
    run_time = run_time or dt.datetime.now(dt.UTC).replace(microsecond=0)
    clear_charts(charts_dir(path))
    drawn = draw_charts(results, charts_dir(path), progress) if charts else {}
    with collector_paused():
        wb = Workbook()
        wb.remove(wb.active)
        styles = Styles(wb)
        for n, (block, res) in enumerate(results.blocks.items(), start=1):
            ranking_sheet(wb, results, block, res, n, styles, draft=draft)
        written_here = [detail_sheet(wb, res, styles)[1] for res in results.blocks.values()]
        if charts:
            chart_sheets(wb, results, drawn)
        method_sheet(wb, results, run_time, styles)
        notes_sheet(wb, results, styles)
        if robustness is not None:
            from parindex.robustness_table import interval_charts, robustness_sheet

            intervals = (
                interval_charts(robustness, results.blocks, results.year, charts_dir(path))
                if charts
                else None
            )
            robustness_sheet(wb, robustness, results.blocks, intervals)
        if draft:
            for ws in wb.worksheets:
                mark_draft(ws)
            wb.properties.title = DRAFT_MARK
        fixed = dt.datetime(results.year + 1, 1, 1)
        wb.properties.creator = "parindex"
        wb.properties.created = fixed
        wb.properties.modified = fixed
        wb.save(path)
        _put_rows_in(path, written_here)
    return path


def _put_rows_in(path: Path, rows: list[SheetRows]) -> None:
    """Rewrite the saved workbook with each sheet's rows written here put in (every other
    part as openpyxl wrote it, in its order, compressed alike)."""
    by_part = {r.ws.path.lstrip("/"): r for r in rows}
    with zipfile.ZipFile(path) as saved:
        parts = [(info, saved.read(info)) for info in saved.infolist()]
    with zipfile.ZipFile(path, "w") as out:
        for info, data in parts:
            if info.filename in by_part:
                data = by_part.pop(info.filename).put_in(data)
            out.writestr(info, data)
    assert not by_part, f"sheets not found in the workbook: {sorted(by_part)}"


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
