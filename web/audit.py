"""The audit log: every change of a score, a state, an account or a setting, by anyone, is one
entry appended here (who, when, old value, new value, reason); entries are never updated nor
deleted (``web.models`` refuses it). Also the secretariat's reading of the log."""

from __future__ import annotations

import io
from typing import Any

from parindex.export import set_text
from web.models import Agency, AuditEntry, Cycle, User, db


def audit(
    user: User | None,
    entity: str,
    key: str,
    old: Any,
    new: Any,
    *,
    agency: Agency | None = None,
    reason: str = "",
) -> None:
    """Append one audit entry (never updated, never deleted)."""
    db.session.add(
        AuditEntry(
            user_id=None if user is None else user.id,
            agency_id=None if agency is None else agency.id,
            entity=entity,
            key=key,
            old=_text(old),
            new=_text(new),
            reason=reason,
        )
    )


def _text(value: Any) -> str:
    if value in (None, "", {}):
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in sorted(value.items()) if v not in (None, ""))
    return str(value)


#: entries on one page of the audit trail
AUDIT_PAGE = 100


def audit_rows(
    agency_code: str = "",
    leaf: str = "",
    year: int | None = None,
    limit: int = 2000,
    offset: int = 0,
) -> list[tuple[AuditEntry, str, str]]:
    """Audit entries (newest first) with the user's e-mail and the agency code, filtered by
    agency code and leaf (the entry's key, or a key that names it: ``1.1.1``, ``1.1.1/round1``);
    ``limit`` entries from the ``offset``-th."""
    query = _filtered(
        db.select(AuditEntry, User.email, Agency.code)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .outerjoin(Agency, Agency.id == AuditEntry.agency_id)
        .order_by(AuditEntry.id.desc()),
        agency_code,
        leaf,
        year,
    )
    return [
        (e, email or "", code or "")
        for e, email, code in db.session.execute(query.limit(limit).offset(offset))
    ]


def audit_count(agency_code: str = "", leaf: str = "", year: int | None = None) -> int:
    """How many entries the same filter finds (for the pages)."""
    query = _filtered(
        db.select(db.func.count(AuditEntry.id)).outerjoin(
            Agency, Agency.id == AuditEntry.agency_id
        ),
        agency_code,
        leaf,
        year,
    )
    return int(db.session.execute(query).scalar_one())


def _filtered(query: Any, agency_code: str, leaf: str, year: int | None) -> Any:
    if agency_code:
        query = query.where(Agency.code == agency_code)
    if year is not None:
        query = query.where(
            (Agency.cycle_id == db.select(Cycle.id).filter_by(year=year).scalar_subquery())
            | (AuditEntry.agency_id.is_(None))
        )
    if leaf:
        query = query.where(
            (AuditEntry.key == leaf)
            | AuditEntry.key.startswith(leaf + "/")
            | AuditEntry.key.startswith(leaf + " ")
            | AuditEntry.key.startswith(leaf + ":")
            | AuditEntry.key.startswith(leaf + "#")  # a document of the leaf
        )
    return query


AUDIT_COLUMNS = (
    "Thời gian (giờ Việt Nam)",
    "Người thực hiện",
    "Đơn vị",
    "Đối tượng",
    "Khóa",
    "Giá trị cũ",
    "Giá trị mới",
    "Lý do",
)


def audit_xlsx(rows: list[tuple[AuditEntry, str, str]]) -> bytes:
    """The audit rows as a workbook; every user text is a plain string cell."""
    from openpyxl import Workbook

    from web.audit_text import parts_text, readable  # it reads the workflow, which audits

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhật ký"
    for col, title in enumerate(AUDIT_COLUMNS, start=1):
        set_text(ws.cell(row=1, column=col), title)
    for n, (e, email, code) in enumerate(rows, start=2):
        line = readable(e, email, code, full_hash=True)  # the file: whole stored names
        values = (
            line.at,
            line.who,
            line.agency,
            line.entity,
            line.key,
            parts_text(line.old),
            parts_text(line.new),
            line.reason,
        )
        for col, value in enumerate(values, start=1):
            set_text(ws.cell(row=n, column=col), value or "")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
