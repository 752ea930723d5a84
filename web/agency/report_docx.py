"""The self-assessment report as a DOCX (python-docx), laid out as a Vietnamese administrative
document (Nghị định 30/2020/NĐ-CP): A4, Times New Roman 13–14, the heading in two columns (the
superior and the issuing unit, số/ký hiệu; Quốc hiệu, tiêu ngữ, place and date), the title, the
recipient, the three parts, then "Nơi nhận" and the signer's block. Number and date are left
blank for the office to fill in when it signs. Text typed by people goes through
:func:`parindex.export.cell_text` (no character an XML document cannot hold)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from parindex.export import cell_text
from web import formatting
from web.agency.report import ReportData

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
#: the summary table's columns: STT, content, maximum, self-score, note (A4, margins 3 + 2 cm)
WIDTHS = (Cm(1.3), Cm(7.2), Cm(2.2), Cm(2.3), Cm(3.0))
#: the heading's two columns: the unit, Quốc hiệu and tiêu ngữ
HEAD_WIDTHS = (Cm(6.0), Cm(10.0))
HEADERS = ("STT", "Lĩnh vực, tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Ghi chú")


def _text(value: str) -> str:
    return cell_text(value or "")


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, pt: int = 0) -> Any:
    run = p.add_run(_text(text))
    run.bold = bold
    run.italic = italic
    if pt:
        run.font.size = Pt(pt)
    return run


def _para(
    where: DocxDocument | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    pt: int = 0,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    after: int = 6,
) -> Paragraph:
    p = where.add_paragraph()
    if text:
        _run(p, text, bold=bold, italic=italic, pt=pt)
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Cm(1)
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(0)
    return p


def _cell_para(cell: _Cell, text: str = "", **kw: Any) -> Paragraph:
    """A line in a table cell: the cell's own empty paragraph for its first line, a new one
    after that."""
    kw.setdefault("after", 0)
    first: Paragraph = cell.paragraphs[0]
    # a new cell's paragraph has no run and no spacing yet: it is this cell's first line
    if len(cell.paragraphs) == 1 and not first.runs and first.paragraph_format.space_after is None:
        if text:
            _run(
                first,
                text,
                bold=kw.get("bold", False),
                italic=kw.get("italic", False),
                pt=kw.get("pt", 0),
            )
        if kw.get("align") is not None:
            first.alignment = kw["align"]
        first.paragraph_format.space_after = Pt(kw["after"])
        first.paragraph_format.space_before = Pt(0)
        return first
    paragraph: Paragraph = _para(cell, text, **kw)
    return paragraph


def _rule(cell: _Cell, cell_width: Cm, length: Cm) -> None:
    """A short centred rule in a heading cell (under the unit's name, under the tiêu ngữ): an
    empty paragraph as wide as the rule, with a bottom border."""
    p = _cell_para(cell, "", pt=2)
    side = Cm((cell_width.cm - length.cm) / 2)
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    p_pr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p_pr.append(border)
    p.paragraph_format.line_spacing = Pt(3)  # exactly: the rule sits under the text above


def _fonts(document: object) -> None:
    style = document.styles["Normal"]  # type: ignore[attr-defined]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)


def _widths(table: Any, widths: tuple[Any, ...]) -> None:
    """Fixed column widths (the grid, each cell, a fixed layout): Word and LibreOffice then
    agree on them."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _number(value: object) -> str:
    return "—" if value is None else formatting.number(value)  # type: ignore[arg-type]


def report_docx(data: ReportData) -> bytes:
    """The report's DOCX bytes."""
    document = Document()
    _fonts(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)

    # ---- the heading: the unit (left), Quốc hiệu and tiêu ngữ (right)
    head = document.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    left_w, right_w = HEAD_WIDTHS
    _cell_para(left, data.superior, pt=13, align=center)
    _cell_para(left, data.unit, bold=True, pt=13, align=center)
    _rule(left, left_w, Cm(2.5))
    _cell_para(left, "", pt=6, align=center)
    _cell_para(left, f"Số:      /BC-{'…' * 4}", pt=13, align=center)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, pt=12, align=center)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, pt=14, align=center)
    _rule(right, right_w, Cm(6))
    _cell_para(right, "", pt=6, align=center)
    _cell_para(
        right,
        f"{data.place}, ngày …… tháng …… năm ……",
        italic=True,
        pt=14,
        align=center,
    )
    _widths(head, HEAD_WIDTHS)

    if data.draft:
        _para(
            document,
            "DỰ THẢO — hồ sơ tự đánh giá chưa nộp; số liệu có thể còn thay đổi",
            bold=True,
            pt=12,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            after=0,
        )

    # ---- title and recipient
    _para(document, "", after=0)
    _para(document, "BÁO CÁO", bold=True, pt=14, align=center, after=0)
    _para(document, data.title, bold=True, pt=14, align=center, after=0)
    _para(document, f"của {data.agency.name}", bold=True, pt=14, align=center, after=12)
    _para(document, f"Kính gửi: {data.recipient}.", pt=14, align=center, after=12)
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    _para(document, data.intro, align=justify, indent=True)

    # ---- I. the summary table
    _para(document, "I. KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM", bold=True, align=justify)
    _para(document, data.summary, align=justify, indent=True)
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        _cell_para(cell, text, bold=True, pt=TABLE_PT, align=center)
    _repeat_header(table.rows[0])
    right_align = WD_ALIGN_PARAGRAPH.RIGHT
    for row in data.rows:
        cells = table.add_row().cells
        strong = row.kind in ("field", "total")
        italic = row.kind in ("bonus", "penalty")
        _cell_para(cells[0], row.number, bold=strong, pt=TABLE_PT, align=center)
        _cell_para(cells[1], row.name, bold=strong, italic=italic, pt=TABLE_PT)
        _cell_para(cells[2], _number(row.max), bold=strong, pt=TABLE_PT, align=right_align)
        _cell_para(cells[3], _number(row.points), bold=strong, pt=TABLE_PT, align=right_align)
        _cell_para(cells[4], row.note, italic=True, pt=11)
    _widths(table, WIDTHS)
    _para(document, "", after=6)

    # ---- II. explanations
    _para(
        document,
        "II. GIẢI TRÌNH ĐỐI VỚI CÁC TIÊU CHÍ CHƯA CÓ HOẶC CHƯA ĐỦ TÀI LIỆU KIỂM CHỨNG",
        bold=True,
        align=justify,
    )
    if not data.explained:
        _para(
            document,
            "Các tiêu chí đơn vị tự chấm điểm đều có đủ tài liệu kiểm chứng.",
            align=justify,
            indent=True,
        )
    for n, item in enumerate(data.explained, start=1):
        p = _para(document, "", align=justify, indent=True)
        _run(p, f"{n}. Tiêu chí {item.code} ({item.name}): ", bold=True)
        _run(p, f"tự chấm {formatting.number(item.points)} điểm. {item.problem} ")
        _run(p, "Giải trình: ", italic=True)
        _run(p, item.explanation or "(đơn vị chưa có giải trình).")

    # ---- III. difficulties and proposals
    _para(
        document,
        "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ",
        bold=True,
        align=justify,
    )
    for heading, text in (
        ("1. Khó khăn, vướng mắc", data.difficulties),
        ("2. Đề xuất, kiến nghị", data.proposals),
    ):
        _para(document, heading, bold=True, align=justify, indent=True)
        lines = [line.strip() for line in _text(text).splitlines() if line.strip()]
        for line in lines or ["Không có."]:
            _para(document, line, align=justify, indent=True)
    _para(
        document,
        f"Trên đây là báo cáo kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm "
        f"{data.year} của {data.agency.name}./.",
        align=justify,
        indent=True,
        after=12,
    )

    # ---- Nơi nhận and the signer
    foot = document.add_table(rows=1, cols=2)
    recipients, signer = foot.rows[0].cells
    _cell_para(recipients, "Nơi nhận:", bold=True, italic=True, pt=12)
    _cell_para(recipients, "- Như trên;", pt=11)
    _cell_para(recipients, "- Lưu: VT.", pt=11)
    _cell_para(signer, data.signer, bold=True, pt=14, align=center)
    _cell_para(signer, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, pt=13, align=center)
    for _ in range(4):
        _cell_para(signer, "", pt=14, align=center)
    _cell_para(signer, data.signer_name, bold=True, pt=14, align=center)
    _widths(foot, (Cm(7.5), Cm(8.5)))

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
