"""The yearly CCHC plan in the web app (docs/plan.md): a cycle's plan appendix imported through
the engine's reader (:func:`parindex.plan.read_plan`: every problem by row and column, nothing
saved unless the whole file is valid, audited), each lead unit's reports of its tasks, the
plan's progress per unit and per reform area, and the facts the plan gives the plan-completion
leaf (``plan: cchc``). Shared by the secretariat's page, the officer's page, the leaf form, the
appraiser's leaf card and the demo (web/demo.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import selectinload

from parindex.criteria import Leaf, LoadedSet
from parindex.errors import Issue
from parindex.plan import Plan, completion, on_time, read_plan
from parindex.plan import PlanTask as EngineTask
from parindex.text import TextError, clean, is_blank, parse_date
from web.audit import audit
from web.errors import commit_or_conflict
from web.formatting import date as _day
from web.models import Agency, Cycle, Evidence, PlanReport, PlanTask, User, db, utcnow

#: the largest plan appendix accepted (a province's plan is a few hundred tasks)
MAX_PLAN_BYTES = 5 * 1024 * 1024
#: a report's status in words ("" not yet reported)
STATUS_LABELS = {"": "Chưa báo cáo", "done": "Đã hoàn thành", "not-done": "Chưa hoàn thành"}
#: the longest text of a report's inputs (the evidence document's limits)
REPORT_MAX = {"doc_number": 100, "doc_title": 500, "reason": 2000}


@dataclass(frozen=True)
class _Unit:
    id: str
    name: str
    type: str


def _units(cycle: Cycle) -> dict[str, Agency]:
    return {a.code: a for a in cycle.agencies}


# ---------------------------------------------------------------------------------- import
@dataclass
class PlanImport:
    file_name: str
    problems: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    tasks: int = 0
    #: why a valid file was still not saved (reports already given, a concurrent change)
    refused: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.refused


def has_reports(cycle: Cycle) -> bool:
    """Whether a lead unit has reported a task of the cycle's plan."""
    count: int = db.session.execute(
        db.select(db.func.count(PlanReport.id))
        .join(PlanTask, PlanTask.id == PlanReport.task_id)
        .where(PlanTask.cycle_id == cycle.id, PlanReport.status != "")
    ).scalar_one()
    return count > 0


def import_plan(cycle: Cycle, file_name: str, data: bytes, user: User) -> PlanImport:
    """Read a plan appendix with the engine's reader against the cycle's units and, only if it
    has no error, replace the cycle's plan with it (a task and a report row per lead unit).
    Refused once a unit has reported: its reports would be lost."""
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    result = PlanImport(name)
    agencies = _units(cycle)
    units = [
        _Unit(a.code, a.name, a.unit.type if a.unit is not None else "khac")
        for a in agencies.values()
    ]
    plan, issues = read_plan(data, name or "ke-hoach.xlsx", units=units, year=cycle.year)
    result.problems = [i for i in issues if i.severity == "error"]
    result.warnings = [i for i in issues if i.severity == "warning"]
    if result.problems:
        return result
    if has_reports(cycle):
        result.refused = (
            "Các đơn vị đã báo cáo kết quả thực hiện kế hoạch; nhập lại sẽ làm mất các báo cáo "
            "đó nên tệp chưa được lưu."
        )
        return result
    with commit_or_conflict() as saved:
        _replace(cycle, plan, agencies)
        audit(
            user,
            "plan",
            str(cycle.year),
            "",
            f"{len(plan.tasks)} nhiệm vụ",
            reason=f"nhập Kế hoạch CCHC năm {cycle.year} ({name})",
        )
    if not saved.ok:
        result.refused = "Có người vừa thay đổi dữ liệu cùng lúc; tệp chưa được lưu, hãy thử lại."
        return result
    result.tasks = len(plan.tasks)
    return result


def _replace(cycle: Cycle, plan: Plan, agencies: Mapping[str, Agency]) -> None:
    old = db.session.execute(db.select(PlanTask).filter_by(cycle_id=cycle.id)).scalars().all()
    for task in old:
        for report in task.reports:
            db.session.delete(report)
        db.session.delete(task)
    db.session.flush()
    for t in plan.tasks:
        row = PlanTask(
            cycle_id=cycle.id,
            position=t.row,
            area=t.area[:300],
            stt=t.stt[:20],
            task=t.task,
            product=t.product,
            due_text=t.due_text[:200],
            due=t.due,
            lead_text=t.lead_text,
            coordinating=t.coordinating,
        )
        db.session.add(row)
        for code in t.leads:
            db.session.add(PlanReport(task=row, agency_id=agencies[code].id))


# -------------------------------------------------------------------------------- reading
def tasks_of(cycle: Cycle) -> list[PlanTask]:
    """The cycle's plan tasks in file order, their reports loaded."""
    return list(
        db.session.execute(
            db.select(PlanTask)
            .filter_by(cycle_id=cycle.id)
            .options(selectinload(PlanTask.reports).selectinload(PlanReport.agency))
            .order_by(PlanTask.position)
        ).scalars()
    )


def reports_of(agency: Agency) -> list[PlanReport]:
    """The agency's reports (one per task it leads), in the plan's order."""
    return list(
        db.session.execute(
            db.select(PlanReport)
            .join(PlanTask, PlanTask.id == PlanReport.task_id)
            .where(PlanReport.agency_id == agency.id)
            .options(selectinload(PlanReport.task))
            .order_by(PlanTask.position)
        ).scalars()
    )


def _engine_task(task: PlanTask) -> EngineTask:
    return EngineTask(
        task.position,
        task.area,
        task.stt,
        task.task,
        task.product,
        task.due_text,
        task.due,
        (),
        task.lead_text,
    )


def is_on_time(report: PlanReport) -> bool:
    """Done, on or before the task's due date (parindex.plan.on_time)."""
    done = report.completed_on if report.status == "done" else None
    return on_time(_engine_task(report.task), done)


@dataclass
class Progress:
    """A count of tasks × lead units: assigned, reported done (on time among them), reported not
    done, not reported."""

    assigned: int = 0
    done: int = 0
    on_time: int = 0
    not_done: int = 0

    @property
    def unreported(self) -> int:
        return self.assigned - self.done - self.not_done

    def add(self, report: PlanReport) -> None:
        self.assigned += 1
        if report.status == "done":
            self.done += 1
            self.on_time += is_on_time(report)
        elif report.status == "not-done":
            self.not_done += 1

    @property
    def percent(self) -> str:
        """The on-time completion rate as people read it ("87,5 %"), "—" with no task."""
        if not self.assigned:
            return "—"
        tenths = (self.on_time * 1000 * 2 + self.assigned) // (self.assigned * 2)
        whole, part = divmod(tenths, 10)
        return f"{whole},{part} %" if part else f"{whole} %"


@dataclass
class PlanProgress:
    tasks: int
    per_unit: list[tuple[Agency, Progress]]
    per_area: list[tuple[str, Progress]]
    total: Progress


def progress(cycle: Cycle) -> PlanProgress:
    """The plan's progress per unit (the cycle's order of units) and per reform area."""
    tasks = tasks_of(cycle)
    units: dict[int, tuple[Agency, Progress]] = {}
    areas: dict[str, Progress] = {}
    total = Progress()
    for t in tasks:
        for r in t.reports:
            units.setdefault(r.agency_id, (r.agency, Progress()))[1].add(r)
            areas.setdefault(t.area, Progress()).add(r)
            total.add(r)
    per_unit = sorted(units.values(), key=lambda pair: (pair[0].block, pair[0].name))
    return PlanProgress(len(tasks), per_unit, list(areas.items()), total)


# ------------------------------------------------------------------------------ reporting
@dataclass
class ReportForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def report_values(report: PlanReport) -> dict[str, str]:
    return {
        "status": report.status,
        "completed_on": _day(report.completed_on) if report.completed_on else "",
        "reason": report.reason,
        "doc_number": report.doc_number,
        "doc_date": _day(report.doc_date) if report.doc_date else "",
        "doc_title": report.doc_title,
    }


def _date(values: dict[str, str], key: str, errors: dict[str, str]) -> dt.date | None:
    if is_blank(values[key]):
        return None
    parsed = parse_date(values[key])
    if isinstance(parsed, TextError):
        errors[key] = f"{parsed.message}."
        return None
    return parsed


def check_report(
    form: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str], dt.date | None, dt.date | None]:
    """A report's inputs, read and checked: (values, errors by input, completion date, the
    document's date). Done needs its completion date and the product document's number and
    symbol (as an evidence document does); not done needs its reason."""
    values = {
        k: clean(form.get(k, ""))
        for k in ("status", "completed_on", "doc_number", "doc_date", "doc_title")
    }
    values["reason"] = (form.get("reason", "") or "").strip()
    errors: dict[str, str] = {}
    if values["status"] not in ("done", "not-done"):
        errors["status"] = "Chọn “Đã hoàn thành” hoặc “Chưa hoàn thành”."
    for key, most in REPORT_MAX.items():
        if len(values[key]) > most:
            errors[key] = f"Dài quá {most} ký tự."
    completed = _date(values, "completed_on", errors)
    doc_date = _date(values, "doc_date", errors)
    if values["status"] == "done":
        if completed is None and "completed_on" not in errors:
            errors["completed_on"] = (
                "Nhập ngày hoàn thành theo dạng ngày/tháng/năm, ví dụ 30/06/2025."
            )
        if not values["doc_number"] and "doc_number" not in errors:
            errors["doc_number"] = (
                "Nhập số, ký hiệu của văn bản là sản phẩm của nhiệm vụ (ví dụ 125/KH-UBND)."
            )
    if values["status"] == "not-done" and not values["reason"]:
        errors["reason"] = "Nêu lý do chưa hoàn thành."
    return values, errors, completed, doc_date


@dataclass
class SaveOutcome:
    ok: bool
    message: str
    form: ReportForm
    status: int = 200


def own_report(agency: Agency, report_id: int) -> PlanReport | None:
    """The report ``report_id`` when it is ``agency``'s, else None (another unit's task)."""
    report = db.session.get(PlanReport, report_id)
    return report if report is not None and report.agency_id == agency.id else None


def save_report(
    agency: Agency, report: PlanReport, form: Mapping[str, str], user: User
) -> SaveOutcome:
    """Save one report of the agency's own task (the caller checked it is its own), audited."""
    values, errors, completed, doc_date = check_report(form)
    if errors:
        return SaveOutcome(
            False,
            "Báo cáo chưa được lưu; hãy sửa các ô được đánh dấu.",
            ReportForm(values, errors),
            400,
        )
    before = report_values(report)
    done = values["status"] == "done"
    with commit_or_conflict() as saved:
        report.status = values["status"]
        report.completed_on = completed if done else None
        report.reason = "" if done else values["reason"]
        report.doc_number = values["doc_number"] if done else ""
        report.doc_date = doc_date if done else None
        report.doc_title = values["doc_title"] if done else ""
        report.updated_at = utcnow()
        report.updated_by = user.id
        after = report_values(report)
        audit(
            user,
            "plan-report",
            f"{report.task.stt} {report.task.task}"[:200],
            _describe(before),
            _describe(after),
            agency=agency,
        )
    if not saved.ok:
        return SaveOutcome(
            False, "Có người vừa lưu cùng lúc; báo cáo chưa được lưu.", ReportForm(values, {}), 409
        )
    return SaveOutcome(True, "Đã lưu báo cáo nhiệm vụ.", ReportForm())


def _describe(values: Mapping[str, str]) -> str:
    parts = [STATUS_LABELS.get(values["status"], values["status"])]
    if values["completed_on"]:
        parts.append(f"ngày {values['completed_on']}")
    if values["doc_number"]:
        parts.append(f"văn bản {values['doc_number']}")
    if values["reason"]:
        parts.append(f"lý do: {values['reason']}")
    return "; ".join(parts)


# ------------------------------------------------------------------------ the plan's leaf
def plan_leaf(loaded: LoadedSet) -> Leaf | None:
    """The leaf of the set whose facts the plan gives (``plan: cchc``), or None."""
    return next((leaf for _, _, leaf in loaded.model.leaves() if leaf.plan == "cchc"), None)


@dataclass
class PlanFacts:
    """What the tracked plan says for the plan-completion leaf: the facts and the task list
    that is their evidence."""

    numerator: int
    denominator: int
    reports: list[PlanReport]

    @property
    def text(self) -> str:
        return f"{self.numerator}/{self.denominator} nhiệm vụ của kế hoạch hoàn thành đúng hạn"


def plan_facts(agency: Agency) -> PlanFacts | None:
    """The plan's facts for the agency (tasks completed on time, tasks it leads), or None when
    its cycle has no plan or the agency leads no task."""
    reports = reports_of(agency)
    if not reports:
        return None
    completed = {r.task.position: (r.completed_on if r.status == "done" else None) for r in reports}
    plan = Plan(agency.cycle.year, tuple(_lead(r, agency.code) for r in reports))
    numerator, denominator = completion(plan, agency.code, completed)
    return PlanFacts(numerator, denominator, reports)


def _lead(report: PlanReport, code: str) -> EngineTask:
    t = _engine_task(report.task)
    return EngineTask(
        t.row, t.area, t.stt, t.task, t.product, t.due_text, t.due, (code,), t.lead_text
    )


def evidence_text(facts: PlanFacts, year: int) -> str:
    """The task list as the leaf's explanation (its evidence): each task, its due date and what
    the unit reported, within the explanation's limit (web.leafform.MAX_EXPLANATION)."""
    from web.leafform import MAX_EXPLANATION

    lines = [f"Số liệu lấy từ Kế hoạch CCHC năm {year} đã theo dõi: {facts.text}."]
    for r in facts.reports:
        t = r.task
        done = STATUS_LABELS[r.status]
        if r.status == "done" and r.completed_on is not None:
            done += f" ngày {_day(r.completed_on)}"
            if not is_on_time(r):
                done += " (trễ hạn)"
            if r.doc_number:
                done += f", văn bản {r.doc_number}"
        elif r.reason:
            done += f": {r.reason}"
        lines.append(f"- {t.stt}. {t.task} (hạn {_day(t.due)}): {done}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_EXPLANATION else text[: MAX_EXPLANATION - 1] + "…"


def prefill(page: Any, agency: Agency) -> bool:
    """ "Lấy từ kế hoạch": the plan-completion leaf's numerator and denominator inputs on a
    field page filled with the plan's facts, to be confirmed by the officer's own save (nothing
    is saved here; what the officer typed and saved stays until then). False when the page has
    no such leaf or the plan gives no facts."""
    facts = plan_facts(agency)
    if facts is None:
        return False
    filled = False
    for section in page.sections:
        for view in section.leaves:
            if view.leaf.plan == "cchc" and view.form is not None:
                view.form.raw["numerator"] = str(facts.numerator)
                view.form.raw["denominator"] = str(facts.denominator)
                if not view.form.raw.get("explanation", "").strip():
                    view.form.raw["explanation"] = evidence_text(facts, agency.cycle.year)
                filled = True
    return filled


# ----------------------------------------------------- confirming the facts as the evidence
#: the location of a document the plan gives (the marker of a plan-derived document, with no
#: file and no link: a document the officer adds always has one or the other)
PLAN_LOCATION = "Kế hoạch CCHC, nhiệm vụ STT "


def is_plan_document(ev: Evidence) -> bool:
    """Whether the document came from the plan's task list (replaced on each confirmation)."""
    return ev.location.startswith(PLAN_LOCATION) and not ev.stored_name and not ev.url


def plan_documents(agency: Agency, reports: list[PlanReport], user: User) -> list[Evidence]:
    """One document per task reported done with its product document: number and symbol,
    date, title, the unit as issuer, the task as location."""
    return [
        Evidence(
            number=r.doc_number[:100],
            date=r.doc_date,
            issuer=agency.name[:300],
            title=(r.doc_title or r.task.product or r.task.task)[:500],
            location=f"{PLAN_LOCATION}{r.task.stt}"[:200],
            uploaded_at=utcnow(),
            uploaded_by=user.id,
        )
        for r in reports
        if r.status == "done" and r.doc_number
    ]
