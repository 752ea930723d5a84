"""Units and their lineage in the web app ("Đơn vị"): the units with the cycles that assessed
them, and the lineage file (the contract of docs/submission-format.md, "Lineage") imported from
XLSX or CSV. The file is read by the engine's reader (:func:`parindex.lineage.read_lineage`):
every problem is shown with its row and column and nothing is saved unless the whole file is
valid. A valid file adds its links; codes not yet known become units (named from the row's
``name``, else the code); a unit merged away, split up, renamed to another code or dissolved
gets its end date; importing the same file again changes nothing. Every change is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from parindex.errors import Issue
from parindex.lineage import CARRIES, CHANGE_LABELS, LineageRow, read_lineage
from web.audit import audit
from web.errors import commit_or_conflict
from web.models import Agency, Cycle, Unit, UnitLink, User, db

#: the largest lineage file accepted (a province's resolution lists a few thousand links)
MAX_LINEAGE_BYTES = 5 * 1024 * 1024


# ---------------------------------------------------------------------------------- the page
@dataclass
class LinkView:
    """One line of a unit's lineage, in words: "Hợp nhất vào xa-ab (UBND xã An Bình) từ
    01/07/2025" with its legal basis."""

    text: str
    basis: str


@dataclass
class UnitView:
    unit: Unit
    #: (year, block, the name it had that year) of every cycle that assessed it, newest first
    cycles: list[tuple[int, str, str]]
    before: list[LinkView]  # how it came to be (merged from, split from, renamed from, new)
    after: list[LinkView]  # what became of it (merged into, split into, renamed, dissolved)


def _day(d: dt.date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def _named(unit: Unit | None) -> str:
    return "" if unit is None else f"{unit.code} ({unit.name})"


def _after(link: UnitLink) -> str:
    when = f"từ {_day(link.effective)}"
    if link.change == "dissolved":
        return f"Giải thể {when}"
    if link.change == "renamed" and link.new_unit_id == link.old_unit_id:
        return f"Đổi tên thành “{link.name}” {when}" if link.name else f"Đổi tên {when}"
    verb = {"merged": "Hợp nhất vào", "split": "Chia tách, một phần thành", "renamed": "Đổi tên"}
    return f"{verb.get(link.change, CHANGE_LABELS[link.change])} {_named(link.new_unit)} {when}"


def _before(link: UnitLink) -> str:
    when = f"từ {_day(link.effective)}"
    if link.change == "new":
        return f"Thành lập mới {when}"
    if link.change == "renamed" and link.new_unit_id == link.old_unit_id:
        return ""  # said once, on the "after" side
    verb = {"merged": "Hợp nhất từ", "split": "Chia tách từ", "renamed": "Đổi tên từ"}
    return f"{verb.get(link.change, CHANGE_LABELS[link.change])} {_named(link.old_unit)} {when}"


def unit_views(text: str = "") -> list[UnitView]:
    """Every unit (or those whose code or name holds ``text``), by code: its type, the cycles
    that assessed it with their block, and its lineage both ways."""
    query = db.select(Unit).order_by(Unit.code)
    if text:
        like = f"%{text.lower()}%"
        query = query.where(
            db.func.lower(Unit.code).like(like) | db.func.lower(Unit.name).like(like)
        )
    units = list(db.session.execute(query).scalars())
    ids = [u.id for u in units]
    cycles: dict[int, list[tuple[int, str, str]]] = {i: [] for i in ids}
    before: dict[int, list[LinkView]] = {i: [] for i in ids}
    after: dict[int, list[LinkView]] = {i: [] for i in ids}
    if ids:
        rows = db.session.execute(
            db.select(Agency.unit_id, Cycle.year, Agency.block, Agency.name)
            .join(Cycle, Cycle.id == Agency.cycle_id)
            .where(Agency.unit_id.in_(ids))
            .order_by(Cycle.year.desc())
        )
        for unit_id, year, block, name in rows:
            cycles[unit_id].append((year, block, name))
        links = db.session.execute(
            db.select(UnitLink)
            .where(UnitLink.old_unit_id.in_(ids) | UnitLink.new_unit_id.in_(ids))
            .options(selectinload(UnitLink.old_unit), selectinload(UnitLink.new_unit))
            .order_by(UnitLink.effective, UnitLink.id)
        ).scalars()
        for link in links:
            if link.old_unit_id in after:
                after[link.old_unit_id].append(LinkView(_after(link), link.basis))
            text_before = _before(link)
            if link.new_unit_id in before and text_before:
                before[link.new_unit_id].append(LinkView(text_before, link.basis))
    return [UnitView(u, cycles[u.id], before[u.id], after[u.id]) for u in units]


# ------------------------------------------------------------------------- the lineage import
@dataclass
class LineageImport:
    file_name: str
    problems: list[Issue] = field(default_factory=list)
    #: what the import did, one Vietnamese line each ("" changes: the file was already known)
    changes: list[str] = field(default_factory=list)
    links: int = 0
    #: why a valid file was still not saved (a concurrent change)
    refused: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.refused


def _ends(rows: Iterable[LineageRow]) -> dict[str, dt.date]:
    """The units the file ends, with their day: dissolved, or carried on by a merger, split or
    rename into other codes — unless the file carries the unit on itself from that day
    (``so-tai-chinh → so-tai-chinh`` in a merger: the receiving unit continues)."""
    rows = list(rows)
    ends: dict[str, dt.date] = {}
    for r in rows:
        if r.change == "dissolved" or (r.change in CARRIES and r.old != r.new):
            continues = any(o.new == r.old and o.date >= r.date for o in rows)
            if not continues:
                ends[r.old] = min(r.date, ends.get(r.old, r.date))
    return ends


def import_lineage(file_name: str, data: bytes, user: User) -> LineageImport:
    """Read a lineage file with the engine's reader and, only if it has no problem, save its
    units and links (idempotent: a link already known with the same values is left alone)."""
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    result = LineageImport(name)
    lineage, issues = read_lineage(data, name or "lich-su-sap-xep.csv")
    result.problems = [i for i in issues if i.severity == "error"]
    if result.problems:
        return result
    rows = list(lineage.rows)
    result.links = len(rows)
    reason = f"nhập lịch sử sắp xếp đơn vị ({name})"
    with commit_or_conflict() as saved:
        units = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}

        def unit(code: str, label: str) -> Unit:
            if code not in units:
                units[code] = Unit(code=code, name=label or code)
                db.session.add(units[code])
                audit(user, "unit", code, "", units[code].name, reason=reason)
                result.changes.append(f"Thêm đơn vị {code} ({units[code].name}).")
            return units[code]

        for r in rows:
            old = unit(r.old, "") if r.old else None
            new = unit(r.new, r.name) if r.new else None
            _save_link(r, old, new, user, reason, result)
            if new is not None and r.name and new.name != r.name and r.change != "dissolved":
                audit(user, "unit", new.code, new.name, r.name, reason=reason)
                result.changes.append(f"Đổi tên đơn vị {new.code}: “{new.name}” → “{r.name}”.")
                new.name = r.name
        for code, day in _ends(rows).items():
            u = units[code]
            if u.ended_on != day:
                audit(user, "unit", code, _day(u.ended_on), f"kết thúc {_day(day)}", reason=reason)
                result.changes.append(f"Đơn vị {code} kết thúc hoạt động từ {_day(day)}.")
                u.ended_on = day
    if not saved.ok:
        result.changes = []
        result.refused = f"Chưa lưu gì: {saved.why}"
    return result


def _save_link(
    r: LineageRow,
    old: Unit | None,
    new: Unit | None,
    user: User,
    reason: str,
    result: LineageImport,
) -> None:
    """The link of row ``r``: added, corrected (its change, date, name or basis differ from
    the one already known for the same old → new pair), or left alone."""
    db.session.flush()  # the new units get their ids
    link = db.session.execute(
        db.select(UnitLink).where(
            _same(UnitLink.old_unit_id, old), _same(UnitLink.new_unit_id, new)
        )
    ).scalar_one_or_none()
    values = {"change": r.change, "effective": r.date, "name": r.name, "basis": r.basis}
    key = f"{r.old or '…'} → {r.new or '…'}"
    shown = f"{CHANGE_LABELS[r.change]} {_day(r.date)}" + (f"; {r.basis}" if r.basis else "")
    if link is None:
        db.session.add(UnitLink(old_unit=old, new_unit=new, imported_by=user.id, **values))
        audit(user, "lineage", key, "", shown, reason=reason)
        result.changes.append(f"Thêm liên kết {key}: {shown}.")
        return
    before = {k: getattr(link, k) for k in values}
    if before == values:
        return
    was = f"{CHANGE_LABELS[link.change]} {_day(link.effective)}" + (
        f"; {link.basis}" if link.basis else ""
    )
    for k, v in values.items():
        setattr(link, k, v)
    link.imported_by = user.id
    audit(user, "lineage", key, was, shown, reason=reason)
    result.changes.append(f"Sửa liên kết {key}: {was} → {shown}.")


def _same(column: object, unit: Unit | None) -> object:
    return column.is_(None) if unit is None else column == unit.id  # type: ignore[attr-defined]
