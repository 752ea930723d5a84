"""The agency list of a cycle, imported by the secretariat from XLSX or CSV: every problem by row
and column, nothing saved unless the whole file is valid; each new agency gets its draft
submission and an officer's account with a random password, shown once and stored only hashed."""

from __future__ import annotations

import base64
import csv
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from werkzeug.security import generate_password_hash

from parindex.export import safe_text
from web import sessions, workflow
from web.audit import audit
from web.errors import commit_or_conflict
from web.models import Agency, Cycle, Submission, Unit, User, db
from web.roles import AGENCY, role_label
from web.tabular import CellProblem, TableError, letter, normalise, read_table

COLUMNS = ("code", "name", "block", "email")
COLUMN_LABELS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "block": "Khối",
    "email": "Thư điện tử",
}
HEADER_ALIASES = {
    **{normalise(v): k for k, v in COLUMN_LABELS.items()},
    "code": "code",
    "id": "code",
    "mã": "code",
    "name": "name",
    "tên": "name",
    "đơn vị": "name",
    "tên cơ quan, đơn vị": "name",
    "block": "block",
    "mã khối": "block",
    "email": "email",
    "e-mail": "email",
    "thư điện tử cán bộ đầu mối": "email",
    "thư điện tử của cán bộ đầu mối": "email",
    "địa chỉ thư điện tử": "email",
}
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class ImportedRow:
    row: int
    code: str
    name: str
    block: str
    email: str
    action: str  # "Tạo mới", "Cập nhật: …", "Không đổi"
    password: str = ""  # only for a new account (or a new officer e-mail); never stored


@dataclass
class AgencyImport:
    file_name: str
    problems: list[CellProblem] = field(default_factory=list)
    rows: list[ImportedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def accounts(self) -> list[ImportedRow]:
        return [r for r in self.rows if r.password]

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.action == "Tạo mới")

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.action.startswith("Cập nhật"))


def slug(name: str) -> str:
    """``UBND xã Tà Đùng`` → ``ubnd-xa-ta-dung``: the agency code made from its name."""
    s = name.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:100].strip("-")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def import_agencies(cycle: Cycle, file_name: str, data: bytes, user: User) -> AgencyImport:
    """Read an agency list (XLSX or CSV) and, only if every row is valid, create or update each
    agency with its draft submission and its officer's account."""
    result = AgencyImport((file_name or "").replace("\\", "/").rsplit("/", 1)[-1])
    if not data.strip():
        result.problems.append(
            CellProblem(None, "", "", "file-empty", "Chưa chọn tệp hoặc tệp rỗng.")
        )
        return result
    try:
        table = read_table(data)
    except TableError as e:
        result.problems.append(CellProblem(e.row, "", "", e.code, e.message))
        return result
    if not table.rows:
        result.problems.append(CellProblem(None, "", "", "file-empty", "Tệp không có dữ liệu."))
        return result
    header_row, header = table.rows[0]
    index: dict[str, int] = {}
    for i, text in enumerate(header):
        key = HEADER_ALIASES.get(normalise(text))
        if key and key not in index:
            index[key] = i
    for key in ("name", "block", "email"):
        if key not in index:
            result.problems.append(
                CellProblem(
                    header_row,
                    "",
                    "",
                    "missing-column",
                    f"Thiếu cột '{COLUMN_LABELS[key]}' ở dòng tiêu đề "
                    "(cần các cột: Tên đơn vị, Khối, Thư điện tử; tùy chọn: Mã đơn vị).",
                )
            )
    if result.problems:
        return result
    headers = {k: _cell_text(header[i]) for k, i in index.items()}
    records = {r.block: r for r in cycle.criteria}
    block_names = {normalise(r.block_name): r.block for r in records.values()}
    block_keys = {normalise(b): b for b in records}
    existing = {a.code: a for a in cycle.agencies}
    unit_ids = {code: id_ for code, id_ in db.session.execute(db.select(Unit.code, Unit.id))}
    seen_code: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    parsed: list[ImportedRow] = []

    for r, c in sorted(table.uncomputed):
        result.problems.append(
            CellProblem(
                r, letter(c), "", "formula", "Ô chứa công thức chưa có kết quả; hãy nhập giá trị."
            )
        )
    for n, row in table.rows[1:]:

        def cell(key: str, row: list[Any] = row) -> str:
            i = index.get(key)
            return _cell_text(row[i]) if i is not None and i < len(row) else ""

        def problem(key: str, code: str, text: str, n: int = n) -> None:
            col = letter(index[key]) if key in index else ""
            result.problems.append(
                CellProblem(n, col, headers.get(key, COLUMN_LABELS[key]), code, text)
            )

        name, block_text, email, code = cell("name"), cell("block"), cell("email"), cell("code")
        if not name:
            problem("name", "missing-value", "Thiếu tên đơn vị.")
        elif len(name) > 300:
            problem("name", "too-long", "Tên đơn vị dài quá 300 ký tự.")
        block = block_keys.get(normalise(block_text)) or block_names.get(normalise(block_text))
        if not block_text:
            problem("block", "missing-value", "Thiếu khối.")
        elif block is None:
            known = ", ".join(f"{r.block} ({r.block_name})" for r in records.values()) or "chưa có"
            problem(
                "block",
                "unknown-block",
                f"Khối '{block_text}' chưa có bộ tiêu chí trong kỳ {cycle.year} "
                f"(các khối đã có: {known}).",
            )
        if not email:
            problem("email", "missing-value", "Thiếu thư điện tử của cán bộ đầu mối.")
        else:
            try:
                email = validate_email(email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                problem("email", "bad-email", f"Thư điện tử '{email}' không hợp lệ.")
                email = ""
            if email and len(email) > 200:
                problem("email", "too-long", "Thư điện tử dài quá 200 ký tự.")
            elif email in seen_email:
                problem(
                    "email", "duplicate-email", f"Thư điện tử trùng với dòng {seen_email[email]}."
                )
            elif email:
                seen_email[email] = n
        if code:
            if not CODE_PATTERN.fullmatch(code) or len(code) > 100:
                problem(
                    "code",
                    "bad-code",
                    f"Mã đơn vị '{code}' chỉ được gồm chữ không dấu, số, dấu '-', '_', '.' "
                    "(tối đa 100 ký tự).",
                )
                code = ""
        elif name:
            code = slug(name)
            if not code:
                problem("name", "bad-code", "Không tạo được mã từ tên; hãy ghi cột 'Mã đơn vị'.")
        if code:
            if code in seen_code:
                where = "code" if "code" in index and cell("code") else "name"
                problem(
                    where,
                    "duplicate-code",
                    f"Mã đơn vị '{code}' trùng với dòng {seen_code[code]}"
                    + ("" if where == "code" else " (mã tạo từ tên; hãy ghi cột 'Mã đơn vị')")
                    + ".",
                )
            else:
                seen_code[code] = n
        agency = existing.get(code)
        if email and seen_email.get(email) == n:
            owner = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
            if owner is not None and not (
                owner.role == AGENCY
                and owner.unit_id is not None
                and owner.unit_id == unit_ids.get(code)
            ):
                problem(
                    "email",
                    "email-taken",
                    f"Thư điện tử '{email}' đã là tài khoản của người dùng khác ({_owner(owner)})"
                    + (
                        "; nếu cán bộ này chuyển sang đơn vị mới, hãy chuyển tài khoản ở trang "
                        "Tài khoản trước khi nhập."
                        if owner.role == AGENCY
                        else "."
                    ),
                )
        if agency is not None and block is not None and agency.block != block:
            sub = agency.submission
            if (sub is not None and sub.state != workflow.DRAFT) or (
                sub is not None and sub.entries
            ):
                problem(
                    "block",
                    "block-locked",
                    f"Đơn vị '{code}' đã kê khai ở khối '{agency.block}'; không thể chuyển khối.",
                )
        parsed.append(ImportedRow(n, code, name, block or "", email, ""))

    if len(table.rows) < 2:
        result.problems.append(
            CellProblem(None, "", "", "file-empty", "Tệp không có dòng đơn vị nào.")
        )
    if result.problems:
        result.problems.sort(key=lambda p: (p.row or 0, p.column))
        return result
    with commit_or_conflict() as saved:
        for item in parsed:
            _apply_row(cycle, existing.get(item.code), item, user)
            result.rows.append(item)
    if not saved.ok:
        result.rows = []
        result.problems.append(
            CellProblem(
                None,
                "",
                "",
                "conflict",
                "Dữ liệu vừa được thay đổi bởi thao tác khác; chưa lưu gì, hãy thử lại.",
            )
        )
    return result


def _owner(user: User) -> str:
    if user.unit is not None:
        return user.unit.name
    return role_label(user.role)


def new_password() -> str:
    """16 random URL-safe characters, the first a letter or digit (a leading ``-`` would make
    a spreadsheet read the password as a formula)."""
    while True:
        password = secrets.token_urlsafe(12)
        if password[0].isalnum():
            return password


def _apply_row(cycle: Cycle, agency: Agency | None, item: ImportedRow, user: User) -> None:
    changes: list[str] = []
    if agency is None:
        agency = Agency(cycle=cycle, code=item.code, name=item.name, block=item.block)
        db.session.add(agency)
        db.session.add(Submission(agency=agency, state=workflow.DRAFT))
        db.session.flush()  # the agency joins the unit of its code (web.models._agency_units)
        audit(
            user,
            "agency",
            f"{cycle.year}/{item.code}",
            "",
            {"name": item.name, "block": item.block},
            agency=agency,
            reason="nhập danh sách đơn vị",
        )
        item.action = "Tạo mới"
    else:
        if agency.name != item.name:
            audit(
                user,
                "agency",
                f"{cycle.year}/{item.code}",
                agency.name,
                item.name,
                agency=agency,
                reason="nhập danh sách đơn vị: đổi tên",
            )
            agency.name = item.name
            changes.append("tên")
        if agency.block != item.block:
            audit(
                user,
                "agency",
                f"{cycle.year}/{item.code}",
                f"khối {agency.block}",
                f"khối {item.block}",
                agency=agency,
                reason="nhập danh sách đơn vị: đổi khối",
            )
            agency.block = item.block
            changes.append("khối")
        if agency.submission is None:
            db.session.add(Submission(agency=agency, state=workflow.DRAFT))
    if _officer_of(agency, item, user):
        changes.append("thư điện tử")
    if not item.action:
        item.action = ("Cập nhật " + ", ".join(changes)) if changes else "Không đổi"


def _officer_of(agency: Agency, item: ImportedRow, user: User) -> bool:
    """The unit's officer account is the row's e-mail: kept when it is already the unit's (an
    account outlives its cycle); else a new account, its password shown once, and the unit's
    earlier accounts deactivated, never renamed (what they did keeps its author). True when an
    account was made."""
    officers = (
        db.session.execute(
            db.select(User).filter_by(unit_id=agency.unit_id, role=AGENCY).order_by(User.id)
        )
        .scalars()
        .all()
    )
    if any(u.email == item.email for u in officers):
        return False
    item.password = new_password()
    db.session.add(_officer(item, agency))
    audit(
        user,
        "account",
        item.email,
        "",
        "tạo tài khoản cán bộ đầu mối",
        agency=agency,
        reason="nhập danh sách đơn vị",
    )
    for old in officers:
        if old.active:
            old.active = False
            sessions.end_all(old)  # the replaced account's open sessions end now
            audit(
                user,
                "account",
                old.email,
                "đang hoạt động",
                "ngừng hoạt động",
                agency=agency,
                reason=f"nhập danh sách đơn vị: thay bằng tài khoản {item.email}",
            )
    return True


def accounts_csv(result: AgencyImport) -> str:
    """The new accounts as CSV text (UTF-8 with BOM for Excel); text cannot start a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Mã đơn vị", "Tên đơn vị", "Khối", "Thư điện tử", "Mật khẩu"])
    for r in result.accounts:
        writer.writerow([safe_text(v) for v in (r.code, r.name, r.block, r.email)] + [r.password])
    return "\ufeff" + buffer.getvalue()


def accounts_data_uri(result: AgencyImport) -> str:
    """The accounts CSV as a ``data:`` link: offered in the result page only, stored nowhere."""
    payload = base64.b64encode(accounts_csv(result).encode("utf-8")).decode("ascii")
    return "data:text/csv;charset=utf-8;base64," + payload


def _officer(item: Any, agency: Agency) -> User:
    """A new agency-officer account for an imported row (its password is shown once)."""
    return User(
        email=item.email,
        name=f"Cán bộ đầu mối CCHC — {item.name}"[:200],
        role=AGENCY,
        password_hash=generate_password_hash(item.password),
        must_change_password=True,  # an initial password: changed at first log-in
        unit_id=agency.unit_id,
    )
