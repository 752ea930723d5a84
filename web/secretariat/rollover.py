"""A cycle rolled forward from last year's ("Tạo kỳ đánh giá mới từ năm trước") and a cycle
opened to the agencies ("Mở kỳ đánh giá"), kept out of the views.

Rolling forward plans first (:func:`plan_roll`, shown as a preview that changes nothing), then
creates everything in one transaction (:func:`roll_forward`): the new cycle in preparation, every
criteria set of the source copied byte for byte, and the units active in the new year placed in
blocks. The units are the source cycle's agencies, minus the units that ended on or before the
new year's 1 January, plus the successors that the lineage (:class:`web.models.UnitLink`) created
since the source year began. A successor goes to the block of its predecessors when they agree,
otherwise to the one block in which last year's units of its type were assessed; when neither
decides, the secretariat chooses. Accounts belong to units, so they carry over with them;
submissions, entries, evidence, appraisals, surveys and publications stay with their cycle.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from parindex import dates
from parindex.lineage import DEFAULT_UNIT_TYPE, UNIT_TYPES
from web import workflow
from web.audit import audit
from web.errors import commit_or_conflict
from web.models import (
    Agency,
    CriteriaRecord,
    Cycle,
    Submission,
    Unit,
    UnitLink,
    User,
    db,
    get_cycle,
    utcnow,
)
from web.secretariat.agency_import import slug

#: lineage changes after which the old unit no longer exists (unless a link keeps it: old = new)
_ENDING = ("merged", "split", "renamed", "dissolved")
#: a change in words, as the preview says where a unit comes from
CHANGE_WORDS = {
    "merged": "hợp nhất từ",
    "split": "chia tách từ",
    "renamed": "đổi tên từ",
    "new": "thành lập mới",
}
#: an ended unit's change in words: "hợp nhất vào xa-moi từ 01/07/2025"
_ENDED_WORDS = {"merged": "hợp nhất vào", "split": "chia tách thành", "renamed": "đổi thành"}
#: the form field of the block chosen for a unit the plan cannot place
CHOICE_PREFIX = "khoi-"


def _day(value: dt.date) -> str:
    return dates.day(value)


def default_title(year: int) -> str:
    return f"Chỉ số cải cách hành chính năm {year}"


@dataclass
class Placement:
    """A unit of the new cycle: its block (None until the secretariat chooses) and why."""

    unit: Unit
    block: str | None
    why: str
    #: the plan could not decide the block: the preview asks for it
    asked: bool = False


@dataclass
class Dropped:
    """A unit of the source cycle that the new year no longer assesses, and why."""

    agency: Agency
    why: str


@dataclass
class RollPlan:
    """What "Tạo kỳ đánh giá mới từ năm trước" will create: the typed values (to re-render),
    errors by field, the placements and the units left out; ``cycle`` once created."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    source: Cycle | None = None
    year: int | None = None
    title: str = ""
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (block, its name)
    placed: list[Placement] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    cycle: Cycle | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_block(self) -> list[tuple[str, str, list[Placement]]]:
        """The placements block by block (the source's order), those the secretariat chooses
        last."""
        ordered = sorted(self.placed, key=lambda p: (slug(p.unit.name), p.unit.code))
        out = [
            (b, name, [p for p in ordered if p.block == b and not p.asked])
            for b, name in self.blocks
        ]
        asked = [p for p in ordered if p.asked]
        return out + ([("", "Đơn vị cần chọn khối", asked)] if asked else [])

    @property
    def asked(self) -> list[Placement]:
        return [p for p in self.placed if p.asked]


def sources() -> list[Cycle]:
    """The cycles a new one can be rolled from: every cycle, newest first."""
    return list(db.session.execute(db.select(Cycle).order_by(Cycle.year.desc())).scalars())


def roll_defaults() -> dict[str, str]:
    """The form's defaults: the newest cycle, the year after it, the usual title."""
    cycles = sources()
    if not cycles:
        return {"source": "", "year": "", "title": ""}
    year = cycles[0].year + 1
    return {"source": str(cycles[0].year), "year": str(year), "title": default_title(year)}


def plan_roll(form: Mapping[str, str]) -> RollPlan:
    """Read the form (source year, new year, title, blocks chosen) and plan the new cycle;
    nothing is written."""
    values = {k: str(form.get(k, "")).strip() for k in ("source", "year", "title")}
    plan = RollPlan(values)
    source = get_cycle(int(values["source"])) if values["source"].isdigit() else None
    if source is None:
        plan.errors["source"] = "Chọn kỳ đánh giá năm trước để sao chép."
    plan.source = source
    text = values["year"]
    if not text:
        plan.errors["year"] = "Nhập năm đánh giá."
    elif not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        plan.errors["year"] = "Năm phải là số có 4 chữ số, từ 2000 đến 2100."
    elif get_cycle(int(text)) is not None:
        plan.errors["year"] = f"Năm {text} đã có kỳ đánh giá."
    elif source is not None and int(text) <= source.year:
        plan.errors["year"] = f"Năm mới phải sau năm {source.year} của kỳ được sao chép."
    else:
        plan.year = int(text)
    plan.title = values["title"] or (default_title(plan.year) if plan.year else "")
    if len(plan.title) > 300:
        plan.errors["title"] = "Tiêu đề dài quá 300 ký tự."
    if source is None or plan.year is None:
        return plan
    _place(plan, source, plan.year)
    names = {b: n for b, n in plan.blocks}
    for p in plan.asked:
        chosen = str(form.get(CHOICE_PREFIX + p.unit.code, "")).strip()
        if chosen in names:
            p.block = chosen
    return plan


def _place(plan: RollPlan, source: Cycle, year: int) -> None:
    """The source's blocks, the units it carries over or leaves out, and the successors."""
    records = sorted(source.criteria, key=lambda r: r.block)
    plan.blocks = [(r.block, r.block_name) for r in records]
    known = {b for b, _ in plan.blocks}
    agencies = sorted(source.agencies, key=lambda a: (a.block, slug(a.name), a.code))
    plan.blocks += sorted({(a.block, a.block) for a in agencies if a.block not in known})

    began, starts = dt.date(source.year, 1, 1), dt.date(year, 1, 1)
    links = list(
        db.session.execute(
            db.select(UnitLink)
            .where(UnitLink.effective >= began, UnitLink.effective <= starts)
            .order_by(UnitLink.effective, UnitLink.id)
        ).scalars()
    )
    kept = {ln.old_unit_id for ln in links if ln.old_unit_id == ln.new_unit_id}
    ended_by: dict[int, UnitLink] = {}
    for ln in links:
        if ln.change in _ENDING and ln.old_unit_id is not None and ln.old_unit_id not in kept:
            ended_by.setdefault(ln.old_unit_id, ln)

    def ended(unit: Unit) -> str:
        """Why ``unit`` no longer exists in the new year ("" while it does)."""
        link = ended_by.get(unit.id)
        if link is not None:
            if link.change == "dissolved" or link.new_unit is None:
                return f"giải thể từ {_day(link.effective)}"
            return f"{_ENDED_WORDS[link.change]} {link.new_unit.code} từ {_day(link.effective)}"
        if unit.ended_on is not None and unit.ended_on <= starts:
            return f"kết thúc hoạt động từ {_day(unit.ended_on)}"
        return ""

    block_of: dict[int, str] = {}
    type_blocks: dict[str, set[str]] = {}
    for a in agencies:
        unit = a.unit
        assert unit is not None  # every stored agency row has its unit (web.models)
        type_blocks.setdefault(unit.type, set()).add(a.block)
        block_of[unit.id] = a.block  # ended or not: a successor's predecessors are ended
        why = ended(unit)
        if why:
            plan.dropped.append(Dropped(a, why))
            continue
        plan.placed.append(Placement(unit, a.block, f"đã đánh giá năm {source.year}"))

    into: dict[int, list[UnitLink]] = {}
    for ln in links:
        if ln.new_unit_id is not None and ln.old_unit_id != ln.new_unit_id:
            into.setdefault(ln.new_unit_id, []).append(ln)

    def predecessor_blocks(unit_id: int, seen: set[int]) -> set[str]:
        out: set[str] = set()
        for ln in into.get(unit_id, []):
            old = ln.old_unit_id
            if old is None or old in seen:
                continue
            seen.add(old)
            out |= {block_of[old]} if old in block_of else predecessor_blocks(old, seen)
        return out

    placed_ids = {p.unit.id for p in plan.placed}
    for ln in links:
        unit = ln.new_unit
        if unit is None or ln.change == "dissolved" or unit.id in placed_ids or ended(unit):
            continue
        placed_ids.add(unit.id)
        came = into.get(unit.id, [])
        olds = [c.old_unit.code for c in came if c.old_unit is not None]
        why = (
            f"{CHANGE_WORDS[came[0].change]} {', '.join(olds)} ({_day(came[0].effective)})"
            if olds
            else f"thành lập mới ({_day(ln.effective)})"
        )
        blocks = predecessor_blocks(unit.id, {unit.id})
        if len(blocks) != 1:
            kind = unit.type
            blocks = type_blocks.get(kind, set()) if kind != DEFAULT_UNIT_TYPE else set()
            if len(blocks) == 1:
                why += (
                    f"; xếp theo loại đơn vị ({UNIT_TYPES.get(kind, kind)}) như năm {source.year}"
                )
        if len(blocks) == 1:
            plan.placed.append(Placement(unit, next(iter(blocks)), why))
        else:
            plan.placed.append(Placement(unit, None, why, asked=True))


def roll_forward(form: Mapping[str, str], user: User) -> RollPlan:
    """Create the planned cycle in one transaction (nothing at all when anything fails)."""
    plan = plan_roll(form)
    for p in plan.asked:
        if p.block is None:
            plan.errors[CHOICE_PREFIX + p.unit.code] = f"Chọn khối cho {p.unit.name}."
    if not plan.ok or plan.source is None or plan.year is None:
        return plan
    source, year = plan.source, plan.year
    with commit_or_conflict() as saved:
        cycle = Cycle(year=year, title=plan.title, previous=source, opened_at=None)
        db.session.add(cycle)
        for record in source.criteria:
            db.session.add(
                CriteriaRecord(
                    cycle=cycle,
                    block=record.block,
                    set_id=record.set_id,
                    block_name=record.block_name,
                    file_name=record.file_name,
                    yaml_text=record.yaml_text,
                    sha256=record.sha256,
                    uploaded_at=utcnow(),
                )
            )
        for p in plan.placed:
            assert p.block is not None
            agency = Agency(cycle=cycle, code=p.unit.code, name=p.unit.name, block=p.block)
            agency.unit = p.unit
            db.session.add(agency)
            db.session.add(Submission(agency=agency, state=workflow.DRAFT))
        audit(
            user,
            "cycle",
            str(year),
            "",
            plan.title,
            reason=(
                f"tạo từ kỳ {source.year}: {len(source.criteria)} bộ tiêu chí, "
                f"{len(plan.placed)} đơn vị"
            ),
        )
    if not saved.ok:  # e.g. the same year created by someone else at the same moment
        plan.errors["year"] = (
            f"Năm {year} đã có kỳ đánh giá."
            if get_cycle(year) is not None
            else f"Chưa tạo kỳ đánh giá năm {year}: {saved.why}"
        )
        return plan
    plan.cycle = cycle
    return plan
