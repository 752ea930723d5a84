"""Units and their lineage in the web app ("Đơn vị"): the units with the cycles that assessed
them and their lineage in words. The lineage file's import is :func:`web.lineage.import_lineage`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from parindex.lineage import CHANGE_LABELS
from web.formatting import date as _day
from web.models import Agency, Cycle, Unit, UnitLink, db


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
