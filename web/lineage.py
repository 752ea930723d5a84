"""The units' lineage in the database: the lineage file imported (the contract of
docs/submission-format.md, "Lineage") and the links read back as the engine's
:class:`parindex.lineage.Lineage` for year over year.

The file is read by the engine's reader (:func:`parindex.lineage.read_lineage`): every problem
is shown with its row and column and nothing is saved unless the whole file is valid. A valid
file adds its links; codes not yet known become units (named from the row's ``name``, else the
code); a unit merged away, split up, renamed to another code or dissolved gets its end date;
importing the same file again changes nothing. Every change is audited. Shared by the
secretariat's page (web/secretariat/unit_routes.py) and the demo (web/demo.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import aliased

from parindex.errors import Issue
from parindex.lineage import CARRIES, CHANGE_LABELS, Lineage, LineageRow, read_lineage
from web.audit import audit
from web.errors import commit_or_conflict
from web.formatting import date as _day
from web.models import Unit, UnitLink, User, db

#: the largest lineage file accepted (a province's resolution lists a few thousand links)
MAX_LINEAGE_BYTES = 5 * 1024 * 1024


def stored_lineage() -> Lineage:
    """The units' lineage as the engine reads it (:class:`parindex.lineage.Lineage`), from the
    links the secretariat imported (web.models.UnitLink), in the order they were imported."""
    old, new = aliased(Unit), aliased(Unit)
    rows = db.session.execute(
        db.select(UnitLink, old.code, new.code)
        .outerjoin(old, UnitLink.old_unit_id == old.id)
        .outerjoin(new, UnitLink.new_unit_id == new.id)
        .order_by(UnitLink.id)
    ).all()
    return Lineage(
        tuple(
            LineageRow(o or "", n or "", link.change, link.effective, link.name, link.basis)
            for link, o, n in rows
        )
    )


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
        units: dict[str, Unit] = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}

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
