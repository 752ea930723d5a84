"""The secretariat's accounts page ("Tài khoản"): every account with its role, unit, state and
last log-in; an officer's account linked to a unit or moved to the unit its own was merged into;
a new password (shown once); deactivation and reactivation. Every change is audited (entity
``account``: who and when in the entry, old and new values, never a password); accounts are never
deleted, so what an account did in earlier cycles keeps its author."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from parindex import dates
from web import sessions
from web.audit import audit
from web.errors import commit_or_conflict
from web.models import AuditEntry, Unit, UnitLink, User, db
from web.roles import ADMIN, AGENCY, ROLES
from web.secretariat.agency_import import new_password

#: the lineage changes whose new unit continues the old one's work (a dissolved unit has none)
CONTINUING = ("merged", "split", "renamed")
STATES = {"": "Tất cả", "hoat-dong": "Đang hoạt động", "ngung": "Ngừng hoạt động"}


@dataclass
class AccountFilter:
    """What the list is narrowed to: text in the e-mail, name or unit; a role; a state."""

    text: str = ""
    role: str = ""
    state: str = ""

    @classmethod
    def of(cls, args: Mapping[str, str]) -> AccountFilter:
        role = args.get("vai-tro", "")
        state = args.get("trang-thai", "")
        return cls(
            text=args.get("q", "").strip()[:200],
            role=role if role in ROLES else "",
            state=state if state in STATES else "",
        )


def list_accounts(f: AccountFilter, limit: int = 1000) -> list[User]:
    """The accounts matching ``f``, by role then e-mail, each with its unit."""
    query = db.select(User).outerjoin(User.unit).options(selectinload(User.unit))
    if f.text:
        like = f"%{f.text.lower()}%"
        query = query.where(
            or_(
                db.func.lower(User.email).like(like),
                db.func.lower(User.name).like(like),
                db.func.lower(Unit.code).like(like),
                db.func.lower(Unit.name).like(like),
            )
        )
    if f.role:
        query = query.where(User.role == f.role)
    if f.state:
        query = query.where(User.active.is_(f.state == "hoat-dong"))
    return list(db.session.execute(query.order_by(User.role, User.email).limit(limit)).scalars())


def successors(unit: Unit | None) -> list[Unit]:
    """The units that continue ``unit`` by the lineage (merged into, split into, renamed to),
    chains followed, those still existing, by code: where its officer may be moved."""
    if unit is None:
        return []
    seen = {unit.id}
    frontier = [unit.id]
    found: list[Unit] = []
    while frontier:
        links = db.session.execute(
            db.select(UnitLink)
            .where(UnitLink.old_unit_id.in_(frontier), UnitLink.change.in_(CONTINUING))
            .options(selectinload(UnitLink.new_unit))
        ).scalars()
        frontier = []
        for link in links:
            new = link.new_unit
            if new is None or new.id in seen:
                continue
            seen.add(new.id)
            frontier.append(new.id)
            found.append(new)
    return sorted((u for u in found if u.ended_on is None), key=lambda u: u.code)


def account_history(user: User, limit: int = 50) -> list[AuditEntry]:
    """The audit entries about this account (its e-mail as key), newest first."""
    return list(
        db.session.execute(
            db.select(AuditEntry)
            .filter_by(entity="account", key=user.email)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        ).scalars()
    )


@dataclass
class Outcome:
    ok: bool
    message: str
    #: a new password, shown once on the page that answers the reset; never stored in clear
    password: str = ""
    errors: list[str] = field(default_factory=list)


def _refused(actor: User, target: User) -> str:
    """Why ``actor`` may not change ``target``'s account ("" when they may)."""
    if actor.id == target.id:
        return "Không thể tự thao tác trên tài khoản của chính mình ở trang này."
    if target.role == ADMIN and actor.role != ADMIN:
        return "Chỉ quản trị hệ thống được thay đổi tài khoản quản trị."
    return ""


def _unit_text(unit: Unit | None) -> str:
    return "" if unit is None else f"{unit.code} ({unit.name})"


def link_unit(actor: User, target: User, code: str) -> Outcome:
    """Link an officer's account to the unit ``code`` (a first link, another unit, or the unit
    its own was merged into); the account then sees that unit's cycles."""
    why = _refused(actor, target)
    if not why and target.role != AGENCY:
        why = "Chỉ tài khoản cán bộ đầu mối CCHC được gắn với đơn vị."
    code = code.strip()
    unit = (
        db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one_or_none()
        if code
        else None
    )
    if not why and unit is None:
        why = f"Không có đơn vị mã '{code}'." if code else "Chưa chọn đơn vị."
    if not why and unit is not None and unit.id == target.unit_id:
        why = f"Tài khoản đã thuộc đơn vị '{unit.code}'."
    if not why and unit is not None and unit.ended_on is not None:
        ended = dates.day(unit.ended_on)
        why = f"Đơn vị '{unit.code}' đã kết thúc hoạt động từ {ended}; hãy chọn đơn vị kế thừa."
    if why:
        return Outcome(False, why)
    assert unit is not None
    merged = unit in successors(target.unit)
    with commit_or_conflict() as saved:
        audit(
            actor,
            "account",
            target.email,
            _unit_text(target.unit),
            _unit_text(unit),
            reason="chuyển sang đơn vị kế thừa"
            if merged
            else ("đổi đơn vị" if target.unit else "gắn với đơn vị"),
        )
        target.unit = unit
    if not saved.ok:
        return Outcome(False, f"Chưa lưu: {saved.why}")
    return Outcome(True, f"Tài khoản {target.email} nay thuộc {unit.name} ({unit.code}).")


def reset_password(actor: User, target: User) -> Outcome:
    """A new random password, shown once: the old one stops working, every session of the
    account ends, and the person must change it at the next log-in."""
    why = _refused(actor, target)
    if why:
        return Outcome(False, why)
    password = new_password()
    with commit_or_conflict() as saved:
        target.password_hash = generate_password_hash(password)
        target.must_change_password = True
        target.failed_logins = 0
        target.locked_until = None
        sessions.end_all(target)
        audit(actor, "account", target.email, "", "cấp mật khẩu mới", reason="Sở Nội vụ cấp lại")
    if not saved.ok:
        return Outcome(False, f"Chưa cấp mật khẩu mới: {saved.why}")
    return Outcome(True, f"Đã cấp mật khẩu mới cho {target.email}.", password=password)


def set_active(actor: User, target: User, active: bool) -> Outcome:
    """Deactivate (no log-in, every session ended; the account and its history are kept) or
    reactivate an account."""
    why = _refused(actor, target)
    if not why and target.active == active:
        why = f"Tài khoản {target.email} đã {'đang hoạt động' if active else 'ngừng hoạt động'}."
    if why:
        return Outcome(False, why)
    labels = {True: "đang hoạt động", False: "ngừng hoạt động"}
    with commit_or_conflict() as saved:
        target.active = active
        if not active:
            sessions.end_all(target)
        audit(
            actor,
            "account",
            target.email,
            labels[not active],
            labels[active],
            reason="Sở Nội vụ mở lại tài khoản" if active else "Sở Nội vụ ngừng tài khoản",
        )
    if not saved.ok:
        return Outcome(False, f"Chưa lưu: {saved.why}")
    done = "mở lại" if active else "ngừng hoạt động"
    return Outcome(True, f"Đã {done} tài khoản {target.email}.")


def all_units() -> list[Unit]:
    """The units an account may be linked to (still existing), by code."""
    return list(
        db.session.execute(
            db.select(Unit).where(Unit.ended_on.is_(None)).order_by(Unit.code)
        ).scalars()
    )
