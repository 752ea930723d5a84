"""The Excel round trip of an agency's self-assessment, part 1: the workbook's layout and the
template. ``template(agency)`` writes one row per leaf of the agency's criteria set, prefilled
with what the agency has entered; :mod:`web.agency.excel_import` reads it back. Text from users is
always written as typed strings, never as formulas.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from parindex import dates
from parindex.criteria import EVIDENCE_NEED_LABELS, Leaf, LoadedSet
from parindex.export import set_text
from parindex.rules import kind_of
from parindex.text import number_text
from web.engine import set_for, submission_of
from web.leafform import SELF_KEYS
from web.models import Agency
from web.tabular import letter, normalise

SHEET = "Tự đánh giá"
GUIDE = "Hướng dẫn"
LISTS = "Danh mục"
META = "_parindex"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
MANAGED = SELF_KEYS  # the entry keys the workbook reads and writes: the same as the form
MAX_TEXT = {"did_not_arise": 1000, "explanation": 5000}  # as the web form
EVIDENCE_MAX = {"number": 100, "issuer": 300, "title": 500, "location": 200, "url": 1000}
EVIDENCE_LABELS = EVIDENCE_NEED_LABELS
YES, NO = "Có", "Không"
NEEDS_DATE = "Ngày ban hành"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    input: bool = False


COLUMNS = (
    Column("code", "Mã", 9),
    Column("field", "Lĩnh vực", 22),
    Column("criterion", "Tiêu chí", 26),
    Column("leaf", "Tiêu chí thành phần", 42),
    Column("max", "Điểm tối đa", 9),
    Column("kind", "Cách chấm", 14),
    Column("wording", "Nội dung chấm điểm", 50),
    Column("needs", "Cần nhập", 34),
    Column("evidence_need", "Tài liệu kiểm chứng", 13),
    Column("done", "Có/Không", 10, True),
    Column("date", "Ngày ban hành (dd/mm/yyyy)", 14, True),
    Column("numerator", "Tử số", 11, True),
    Column("denominator", "Mẫu số", 11, True),
    Column("count", "Số lượng", 10, True),
    Column("level", "Mức đánh giá", 34, True),
    Column("score", "Điểm tự chấm", 10, True),
    Column("did_not_arise", "Không phát sinh (lý do)", 28, True),
    Column("explanation", "Giải trình", 32, True),
    Column("evidence_have", "Tài liệu đã có", 26),
    Column("ev_number", "Số, ký hiệu văn bản", 16, True),
    Column("ev_date", "Ngày văn bản (dd/mm/yyyy)", 14, True),
    Column("ev_issuer", "Cơ quan ban hành", 22, True),
    Column("ev_title", "Trích yếu", 32, True),
    Column("ev_location", "Trang, mục", 12, True),
    Column("ev_url", "Đường dẫn", 32, True),
)
COL = {c.key: i for i, c in enumerate(COLUMNS)}
EVIDENCE_COLUMNS = ("ev_number", "ev_date", "ev_issuer", "ev_title", "ev_location", "ev_url")
INPUTS = tuple(c.key for c in COLUMNS if c.input)


# ------------------------------------------------------------------------------- the leaf rows
@dataclass(frozen=True)
class LeafRow:
    leaf: Leaf
    field: str
    criterion: str
    extra: bool  # a bonus or penalty item

    @property
    def survey(self) -> bool:
        return not kind_of(self.leaf.rule).self_scored


def leaf_rows(loaded: LoadedSet) -> list[LeafRow]:
    """The set's leaves in file order: the tree, then bonus and penalty items."""
    m = loaded.model
    rows = [LeafRow(leaf, f.name, c.name, False) for f, c, leaf in m.leaves()]
    rows += [LeafRow(i, "Điểm thưởng", "", True) for i in m.bonus.items]
    rows += [LeafRow(i, "Điểm trừ", "", True) for i in m.penalty.items]
    return rows


def _dna_allowed(loaded: LoadedSet, row: LeafRow) -> bool:
    return not row.extra and not row.survey and loaded.model.policy(row.leaf) != "not-allowed"


def _open_inputs(loaded: LoadedSet, row: LeafRow) -> set[str]:
    """The input columns that mean something for this leaf (the others are locked, grey)."""
    if row.survey:
        return set()
    keys = set(kind_of(row.leaf.rule).facts) | {"explanation", *EVIDENCE_COLUMNS}
    if _dna_allowed(loaded, row):
        keys.add("did_not_arise")
    return keys


def _needs(loaded: LoadedSet, row: LeafRow) -> str:
    """The "Cần nhập" cell: what to type in which column, from the rule's inputs."""
    if row.survey:
        return "Không tự chấm: điểm lấy từ kết quả điều tra xã hội học."
    leaf, kind = row.leaf, kind_of(row.leaf.rule)
    parts = []
    for i in kind.form_inputs(leaf.rule):
        if i.widget == "co-khong":
            parts.append(f"Chọn {YES} hoặc {NO}")
        elif i.widget == "date":
            parts.append(NEEDS_DATE)
        elif i.widget == "not-issued":
            parts.append(f"{i.label.lower()}: chọn {NO}")
        elif i.widget == "level":
            parts.append("Chọn một mức đánh giá trong danh sách")
        elif i.widget == "score":
            step = kind.score_step(leaf.rule)
            parts.append(f"Điểm từ 0 đến {number_text(leaf.max)}, bước {number_text(step)}")
        else:
            parts.append(f"{COLUMNS[COL[i.fact]].header}: {i.label}")
    text = "; ".join(parts)
    if kind.note(leaf.rule):
        text += ". " + kind.note(leaf.rule).rstrip(".")
    policy = loaded.model.policy(row.leaf)
    if row.extra:
        pass
    elif policy == "not-allowed":
        text += ". Không được khai không phát sinh"
    elif policy == "full-points":
        text += ". Không phát sinh: được tính điểm tối đa"
    else:
        text += ". Không phát sinh: không tính vào điểm tối đa"
    return text + "."


def levels_of(leaf: Leaf) -> tuple[dict[str, str], dict[str, str]]:
    """key → label shown, and normalised label or key → key (a label two levels share is not
    accepted as a label: the key is shown instead)."""
    labels = kind_of(leaf.rule).choice_labels(leaf.rule)
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[normalise(label)] = counts.get(normalise(label), 0) + 1
    shown = {key: label if counts[normalise(label)] == 1 else key for key, label in labels.items()}
    back = {normalise(label): key for key, label in labels.items() if counts[normalise(label)] == 1}
    back.update({normalise(key): key for key in labels})
    return shown, back


# --------------------------------------------------------------------------------- the template
def _stored_cells(leaf: Leaf, data: dict[str, Any]) -> dict[str, Any]:
    """An entry's data as the template's cell values."""
    cells: dict[str, Any] = {}
    if isinstance(data.get("done"), bool):
        cells["done"] = YES if data["done"] else NO
    if data.get("date"):
        try:
            cells["date"] = dates.day(dt.date.fromisoformat(str(data["date"])))
        except ValueError:
            cells["date"] = str(data["date"])
    for key in ("numerator", "denominator", "count"):
        if data.get(key) not in (None, ""):
            cells[key] = data[key]
    if data.get("level"):
        shown, _ = levels_of(leaf)
        cells["level"] = shown.get(str(data["level"]), str(data["level"]))
    if data.get("score") not in (None, ""):
        try:
            cells["score"] = Decimal(str(data["score"]))
        except InvalidOperation:
            cells["score"] = str(data["score"])
    for key in ("did_not_arise", "explanation"):
        if data.get(key):
            cells[key] = str(data[key])
    return cells


def template(agency: Agency) -> bytes:
    """The agency's workbook: instructions, one row per leaf prefilled, lists for the dropdowns,
    and the agency's code and year in a hidden sheet (checked on import)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    loaded = set_for(agency)
    if loaded is None:
        raise LookupError(agency.block)
    entries = {e.leaf: e for e in submission_of(agency).entries}
    rows = leaf_rows(loaded)
    year = agency.cycle.year

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    guide = wb.create_sheet(GUIDE)
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    meta = wb.create_sheet(META)
    meta.sheet_state = "veryHidden"
    for r, (key, value) in enumerate(
        (
            ("agency", agency.code),
            ("year", str(year)),
            ("criteria", loaded.model.id),
            ("sha256", loaded.sha256),
        ),
        start=1,
    ):
        set_text(meta.cell(r, 1), key)
        set_text(meta.cell(r, 2), value)

    thin = Side(style="thin", color="A6B4C8")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="1F4E79")
    locked_fill = PatternFill("solid", fgColor="E7ECF2")
    survey_fill = PatternFill("solid", fgColor="D9D9D9")
    input_fill = PatternFill("solid", fgColor="FFFFFF")
    wrap = Alignment(wrap_text=True, vertical="top")

    title = ws.cell(1, 1)
    set_text(title, f"Tự đánh giá Chỉ số CCHC năm {year} — {agency.name} (mã {agency.code})")
    title.font = Font(bold=True, size=13, color="1F4E79")
    set_text(
        ws.cell(2, 1),
        f"Bộ tiêu chí {loaded.model.id}: {loaded.model.block_name}. Chỉ nhập vào các ô màu trắng; "
        f"xem trang “{GUIDE}”. Không đổi tên trang tính, không thêm hoặc xóa cột.",
    )
    ws.cell(2, 1).font = Font(italic=True, color="555555")
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, i)
        set_text(cell, col.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = border
        ws.column_dimensions[letter(i - 1)].width = col.width
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = ws.cell(FIRST_ROW, COL["max"] + 1)

    yes_no = DataValidation(
        type="list",
        formula1=f'"{YES},{NO}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Có/Không",
        error="Chọn Có hoặc Không.",
    )
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Số nguyên",
        error="Nhập số nguyên không âm.",
    )
    ws.add_data_validation(yes_no)
    ws.add_data_validation(whole)
    list_col = 0

    for n, row in enumerate(rows):
        r = FIRST_ROW + n
        leaf = row.leaf
        entry = entries.get(leaf.code)
        stored = _stored_cells(leaf, entry.data or {}) if entry is not None else {}
        have = (
            "; ".join(
                ev.number + (f" ({dates.day(ev.date)})" if ev.date else "") for ev in entry.evidence
            )
            if entry is not None
            else ""
        )
        fixed: dict[str, Any] = {
            "code": leaf.code,
            "field": row.field,
            "criterion": row.criterion,
            "leaf": leaf.name,
            "max": leaf.max,
            "kind": kind_of(leaf.rule).title,
            "wording": leaf.rule.wording,
            "needs": _needs(loaded, row),
            "evidence_need": EVIDENCE_LABELS[leaf.evidence],
            "evidence_have": have,
        }
        open_keys = _open_inputs(loaded, row)
        ws.row_dimensions[r].height = 15 * _lines({**stored, **fixed})
        for key, i in COL.items():
            cell = ws.cell(r, i + 1)
            content = fixed.get(key, stored.get(key))
            if isinstance(content, str):
                set_text(cell, content)
            elif content is not None:
                cell.value = content
            cell.border = border
            cell.alignment = wrap
            if key in open_keys:
                cell.protection = Protection(locked=False)
                cell.fill = input_fill
            else:
                cell.fill = survey_fill if row.survey else locked_fill
            if key in ("date", "ev_date"):
                cell.number_format = "@"  # typed dates stay text: no locale guessing
        if "done" in open_keys:
            yes_no.add(ws.cell(r, COL["done"] + 1))
        for key in ("numerator", "denominator", "count"):
            if key in open_keys:
                whole.add(ws.cell(r, COL[key] + 1))
        shown, _ = levels_of(leaf)
        if "level" in open_keys and shown:
            list_col += 1
            set_text(lists.cell(1, list_col), leaf.code)
            for k, label in enumerate(shown.values(), start=2):
                set_text(lists.cell(k, list_col), label)
            col_letter = letter(list_col - 1)
            dv = DataValidation(
                type="list",
                formula1=f"'{LISTS}'!${col_letter}$2:${col_letter}${len(shown) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Mức đánh giá",
                error="Chọn một mức trong danh sách.",
            )
            ws.add_data_validation(dv)
            dv.add(ws.cell(r, COL["level"] + 1))
        if "score" in open_keys:
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1="0",
                formula2=str(leaf.max),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Điểm tự chấm",
                error=f"Điểm từ 0 đến {number_text(leaf.max)}.",
            )
            ws.add_data_validation(dv)
            dv.add(ws.cell(r, COL["score"] + 1))
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _write_guide(guide, agency, loaded)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _lines(values: dict[str, Any]) -> int:
    """Lines the row needs for its wrapped text (Excel does not size rows it did not write)."""
    most = 1
    for key, value in values.items():
        if isinstance(value, str) and value:
            width = max(COLUMNS[COL[key]].width - 1, 4)
            most = max(most, sum(-(-len(part) // width) or 1 for part in value.split("\n")))
    return min(most, 15)


GUIDE_LINES = (
    "Mỗi dòng của trang “Tự đánh giá” là một tiêu chí thành phần (kể cả các mục điểm thưởng, "
    "điểm trừ). Chỉ nhập vào các ô màu trắng; ô màu xám không dùng cho tiêu chí đó.",
    "Có/Không: chọn trong danh sách. Với tiêu chí “Đúng thời hạn”: ghi ngày ban hành; "
    "chưa ban hành thì chọn Không.",
    "Ngày: nhập dạng ngày/tháng/năm, ví dụ 30/07/2025 (cũng nhận 2025-07-30).",
    "Tử số, Mẫu số, Số lượng: số nguyên không âm; tử số không lớn hơn mẫu số; số tiền tính bằng "
    "triệu đồng. Mẫu số bằng 0 nghĩa là tiêu chí không phát sinh.",
    "Mức đánh giá: chọn một mức trong danh sách của ô.",
    "Điểm tự chấm (tiêu chí chấm theo bước): số từ 0 đến điểm tối đa, đúng bước ghi ở cột "
    "“Cần nhập”; dùng dấu phẩy hoặc dấu chấm thập phân.",
    "Không phát sinh: ghi lý do, để trống các ô dữ kiện; chỉ dùng cho tiêu chí cho phép.",
    "Giải trình: ghi khi tự chấm điểm mà chưa có tài liệu kiểm chứng, hoặc khi cần nói rõ.",
    "Tài liệu kiểm chứng: cột “Tài liệu đã có” liệt kê tài liệu đã lưu. Mỗi dòng thêm được một "
    "tài liệu: số, ký hiệu văn bản, ngày, cơ quan ban hành, trích yếu, trang/mục và đường dẫn "
    "(http/https). Tài liệu có số, ký hiệu đã có thì không thêm lại. Tệp đính kèm thì tải lên "
    "trên trang tự đánh giá.",
    "Tiêu chí điều tra xã hội học (dòng màu xám đậm): đơn vị không tự chấm điểm.",
    "Xóa nội dung một ô là xóa dữ kiện đó khi nhập lại tệp.",
    "Nhập tệp tại trang “Nhập từ Excel”: hệ thống kiểm tra toàn bộ tệp; nếu có lỗi, mọi lỗi "
    "được liệt kê theo dòng và cột và chưa có gì được lưu. Sửa rồi tải lên lại.",
    "Không đổi tên trang tính, không thêm hoặc xóa cột, không dùng công thức. Tệp chỉ dùng "
    "cho đơn vị của mình.",
)


def _write_guide(ws: Any, agency: Agency, loaded: LoadedSet) -> None:
    from openpyxl.styles import Alignment, Font

    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 110
    set_text(ws.cell(1, 2), f"Hướng dẫn nhập tự đánh giá Chỉ số CCHC năm {agency.cycle.year}")
    ws.cell(1, 2).font = Font(bold=True, size=13, color="1F4E79")
    set_text(ws.cell(2, 2), f"Đơn vị: {agency.name} (mã {agency.code})")
    set_text(ws.cell(3, 2), f"Bộ tiêu chí: {loaded.model.title}")
    deadline = agency.cycle.self_deadline
    if deadline is not None:
        set_text(ws.cell(4, 2), f"Hạn tự đánh giá: {dates.local(deadline)}")
    for n, line in enumerate(GUIDE_LINES, start=6):
        ws.cell(n, 1).value = n - 5
        set_text(ws.cell(n, 2), line)
        ws.cell(n, 2).alignment = Alignment(wrap_text=True, vertical="top")
