"""The secretariat's set-up of a yearly cycle, kept out of the views: cycles, criteria sets per
block, deadlines (the agency list with its officers' accounts is :mod:`web.secretariat.agency_import`).
Each action validates everything first and changes nothing unless all of it is valid; every
change is audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, func
from sqlalchemy.orm import selectinload

from parindex import dates
from parindex.criteria import LoadedSet, criteria_from_text
from parindex.errors import CriteriaError, Issue
from parindex.text import TextError, parse_date
from parindex.yamlio import YamlLoadError, decode_yaml, load_yaml_text
from web import workflow
from web.audit import audit
from web.engine import leaves_of, loaded_set
from web.errors import commit_or_conflict
from web.models import (
    Agency,
    CriteriaRecord,
    Cycle,
    Entry,
    Submission,
    User,
    db,
    get_cycle,
    utcnow,
)
from web.roles import AGENCY
from web.secretariat.agency_import import slug

MAX_CRITERIA_BYTES = 1024 * 1024
DEFAULT_TIME = dt.time(17, 0)  # a deadline typed without a time closes at the end of office hours


def when(value: dt.datetime | None) -> str:
    """``31/01/2026 17:00``: a deadline, stored as the Vietnam local time the secretariat typed."""
    return dates.local(value)


def when_utc(value: dt.datetime | None) -> str:
    """A moment the app recorded (stored in UTC), shown in Vietnam local time."""
    return dates.moment(value)


# ------------------------------------------------------------------------------------- cycles
@dataclass
class CycleSummary:
    cycle: Cycle
    blocks: int
    agencies: int
    submitted: int


def list_cycles() -> list[CycleSummary]:
    cycles = db.session.execute(db.select(Cycle).order_by(Cycle.year.desc())).scalars().all()
    counts = {
        cycle_id: (int(n or 0), int(done or 0))
        for cycle_id, n, done in db.session.execute(
            db.select(
                Agency.cycle_id,
                func.count(Agency.id),
                func.sum(case((Submission.state != workflow.DRAFT, 1), else_=0)),
            )
            .outerjoin(Submission, Submission.agency_id == Agency.id)
            .group_by(Agency.cycle_id)
        )
    }
    return [CycleSummary(c, len(c.criteria), *counts.get(c.id, (0, 0))) for c in cycles]


@dataclass
class FormResult:
    """A submitted form: the values as typed (to re-render), errors by field, what was done."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    cycle: Cycle | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def create_cycle(form: Mapping[str, str], user: User) -> FormResult:
    values = {k: str(form.get(k, "")).strip() for k in ("year", "title")}
    result = FormResult(values)
    year: int | None = None
    if not values["year"]:
        result.errors["year"] = "Nhập năm đánh giá."
    elif not re.fullmatch(r"\d{4}", values["year"]) or not 2000 <= int(values["year"]) <= 2100:
        result.errors["year"] = "Năm phải là số có 4 chữ số, từ 2000 đến 2100."
    else:
        year = int(values["year"])
        if get_cycle(year) is not None:
            result.errors["year"] = f"Năm {year} đã có kỳ đánh giá."
    title = values["title"] or (f"Chỉ số cải cách hành chính năm {year}" if year else "")
    if len(title) > 300:
        result.errors["title"] = "Tiêu đề dài quá 300 ký tự."
    if result.errors or year is None:
        return result
    with commit_or_conflict() as saved:
        cycle = Cycle(year=year, title=title)
        db.session.add(cycle)
        audit(user, "cycle", str(year), "", title, reason="tạo kỳ đánh giá")
    if not saved.ok:  # created by someone else at the same moment
        result.errors["year"] = f"Năm {year} đã có kỳ đánh giá."
        return result
    result.cycle = cycle
    return result


# ------------------------------------------------------------------------------- the overview
@dataclass
class AgencyRow:
    agency: Agency
    emails: list[str]
    state: str
    filled: int


@dataclass
class BlockView:
    block: str
    record: CriteriaRecord | None
    loaded: LoadedSet | None
    agencies: list[AgencyRow]

    @property
    def leaves(self) -> int:
        return 0 if self.loaded is None else len(leaves_of(self.loaded))

    @property
    def submitted(self) -> int:
        return sum(1 for a in self.agencies if a.state != workflow.DRAFT)

    @property
    def drafts(self) -> int:
        return len(self.agencies) - self.submitted


def cycle_blocks(cycle: Cycle) -> list[BlockView]:
    """The cycle's blocks (those with a criteria set, then any other agencies' blocks), each
    with its set and its agencies: officer e-mails, submission state, leaves filled in."""
    records = {r.block: r for r in cycle.criteria}
    agency_ids = [a.id for a in cycle.agencies]
    emails: dict[int, list[str]] = {}
    filled: dict[int, int] = {}
    if agency_ids:
        by_unit = {a.unit_id: a.id for a in cycle.agencies}
        users = db.session.execute(
            db.select(User)
            .filter(User.unit_id.in_(by_unit), User.role == AGENCY, User.active.is_(True))
            .order_by(User.id)
        ).scalars()
        for u in users:
            emails.setdefault(by_unit[u.unit_id], []).append(u.email)
        counts = db.session.execute(
            db.select(Submission.agency_id, func.count(Entry.id))
            .join(Entry, Entry.submission_id == Submission.id)
            .filter(Submission.agency_id.in_(agency_ids))
            .group_by(Submission.agency_id)
        )
        filled = {agency_id: n for agency_id, n in counts}
    agencies = db.session.execute(
        db.select(Agency).filter_by(cycle_id=cycle.id).options(selectinload(Agency.submission))
    ).scalars()
    by_block: dict[str, list[AgencyRow]] = {}
    for a in sorted(agencies, key=lambda a: (slug(a.name), a.code)):  # Đ sorts as D
        state = a.submission.state if a.submission is not None else workflow.DRAFT
        by_block.setdefault(a.block, []).append(
            AgencyRow(a, emails.get(a.id, []), state, filled.get(a.id, 0))
        )
    blocks = sorted(records) + sorted(b for b in by_block if b not in records)
    return [
        BlockView(
            b,
            records.get(b),
            _loaded(records[b]) if b in records else None,
            by_block.get(b, []),
        )
        for b in blocks
    ]


def _loaded(record: CriteriaRecord) -> LoadedSet | None:
    """The stored set as the engine reads it now (None if this engine version refuses it)."""
    try:
        return loaded_set(record)
    except CriteriaError:
        return None


# ---------------------------------------------------------------------------- criteria upload
@dataclass
class CriteriaProblem:
    line: int | None
    path: str
    code: str
    message: str


@dataclass
class CriteriaUpload:
    file_name: str
    problems: list[CriteriaProblem] = field(default_factory=list)
    error: str = ""  # refused as a whole (not UTF-8, too large, block already submitted)
    record: CriteriaRecord | None = None
    replaced: bool = False
    unchanged: bool = False
    orphans: list[str] = field(default_factory=list)  # leaves filled in drafts, gone from the set
    text: str = ""  # the text typed in the editor (to re-render it)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.error


def closed_to_changes(cycle: Cycle) -> str:
    """Why the cycle's criteria sets can no longer change ("" while it is being prepared)."""
    if cycle.opened_at is None:
        return ""
    return (
        f"Kỳ đánh giá năm {cycle.year} đã mở ngày {when_utc(cycle.opened_at)[:10]}: "
        "không thay, không sửa bộ tiêu chí được nữa."
    )


def upload_criteria(cycle: Cycle, file_name: str, data: bytes, user: User) -> CriteriaUpload:
    """Validate an uploaded criteria YAML with the engine and store it as its block's set."""
    name = (file_name or "bo-tieu-chi.yaml").replace("\\", "/").rsplit("/", 1)[-1][:300]
    result = CriteriaUpload(name)
    result.error = closed_to_changes(cycle)
    if result.error:
        return result
    if not data.strip():
        result.error = "Chưa chọn tệp hoặc tệp rỗng."
        return result
    if len(data) > MAX_CRITERIA_BYTES:
        result.error = "Tệp bộ tiêu chí lớn quá 1 MB."
        return result
    try:
        text = decode_yaml(data, name)  # UTF-8 (BOM or not) or UTF-16 with its BOM
    except YamlLoadError as e:
        where = e.issue.location.line, e.issue.params.get("column")
        result.error = (
            f"Tệp không phải văn bản UTF-8 (dòng {where[0]}, cột {where[1]}); "
            "hãy mở tệp và lưu lại với bảng mã UTF-8."
        )
        return result
    return _save_criteria(cycle, result, text, user)


def edit_criteria(cycle: Cycle, record: CriteriaRecord, typed: str, user: User) -> CriteriaUpload:
    """Validate the text typed in the page's editor with the engine and store it as the set of
    ``record``'s block (the same checks as an upload; nothing saved when anything is wrong)."""
    text = typed.replace("\r\n", "\n")  # a browser sends a textarea's lines with CR LF
    result = CriteriaUpload(record.file_name, text=text)
    result.error = closed_to_changes(cycle)
    if result.error:
        return result
    if not text.strip():
        result.error = "Nội dung bộ tiêu chí trống; chưa lưu gì."
        return result
    if len(text.encode("utf-8")) > MAX_CRITERIA_BYTES:
        result.error = "Bộ tiêu chí lớn quá 1 MB."
        return result
    if text == record.yaml_text.replace("\r\n", "\n"):  # saved as it was: the bytes stay
        result.unchanged, result.record = True, record
        return result
    return _save_criteria(cycle, result, text, user, block=record.block)


def _save_criteria(
    cycle: Cycle, result: CriteriaUpload, text: str, user: User, block: str | None = None
) -> CriteriaUpload:
    """Check ``text`` (a set for the cycle's year; for ``block`` when one is being edited) and
    store it as its block's set."""
    name = result.file_name
    try:
        loaded = criteria_from_text(text, name)
    except CriteriaError as e:
        result.problems = sorted(
            (_criteria_problem(i) for i in e.issues), key=lambda p: (p.line or 0, p.path)
        )
        return result
    model = loaded.model
    if model.year != cycle.year:
        line = _line_of_key(text, name, "year")
        result.problems.append(
            CriteriaProblem(
                line,
                "year",
                "year-mismatch",
                f"Năm của bộ tiêu chí ({model.year}) khác năm của kỳ đánh giá ({cycle.year})",
            )
        )
    if block is not None and model.block != block:
        result.problems.append(
            CriteriaProblem(
                _line_of_key(text, name, "block"),
                "block",
                "block-changed",
                f"Khối của bộ tiêu chí đang sửa là '{block}': giữ nguyên khóa block "
                "(bộ của khối khác thì tải tệp lên)",
            )
        )
    for key, value, limit in (
        ("block", model.block, 50),
        ("id", model.id, 100),
        ("block_name", model.block_name, 200),
    ):
        if len(value) > limit:
            result.problems.append(
                CriteriaProblem(
                    _line_of_key(text, name, key),
                    key,
                    "bad-value",
                    f"Giá trị không hợp lệ: {key} dài quá {limit} ký tự",
                )
            )
    if result.problems:
        return result
    record = db.session.execute(
        db.select(CriteriaRecord).filter_by(cycle_id=cycle.id, block=model.block)
    ).scalar_one_or_none()
    agencies = [a for a in cycle.agencies if a.block == model.block]
    if record is not None:
        done = [
            a for a in agencies if a.submission is not None and a.submission.state != workflow.DRAFT
        ]
        if done:
            names = ", ".join(a.name for a in done[:5]) + (" …" if len(done) > 5 else "")
            result.error = (
                f"Khối '{model.block}' đã có {len(done)} đơn vị nộp hồ sơ tự đánh giá ({names}); "
                "không thể thay bộ tiêu chí của khối này."
            )
            return result
        if record.sha256 == loaded.sha256:
            result.unchanged = True
            result.record = record
            return result
        old = f"{record.set_id} ({record.file_name}, sha256 {record.sha256[:12]})"
        result.replaced = True
    else:
        record = CriteriaRecord(cycle=cycle, block=model.block)
        db.session.add(record)
        old = ""
    record.set_id = model.id
    record.block_name = model.block_name
    record.file_name = name
    record.yaml_text = text
    record.sha256 = loaded.sha256
    record.uploaded_at = utcnow()
    audit(
        user,
        "criteria",
        f"{cycle.year}/{model.block}",
        old,
        f"{model.id} ({name}, sha256 {loaded.sha256[:12]})",
        reason=(
            "sửa bộ tiêu chí trên trang"
            if block is not None
            else "thay bộ tiêu chí"
            if old
            else "tải bộ tiêu chí"
        ),
    )
    codes = set(loaded.leaf_by_code) | set(loaded.extra_by_code)
    result.orphans = sorted(
        {
            e.leaf
            for a in agencies
            if a.submission is not None
            for e in a.submission.entries
            if e.leaf not in codes
        }
    )
    with commit_or_conflict() as saved:  # a second upload at the same moment (two tabs)
        pass
    if not saved.ok:
        result.error = f"Bộ tiêu chí chưa được lưu: {saved.why}"
        return result
    result.record = record
    return result


def _criteria_problem(issue: Issue) -> CriteriaProblem:
    loc = issue.location
    return CriteriaProblem(loc.line, loc.path, issue.code, issue.message)


def _line_of_key(text: str, name: str, key: str) -> int | None:
    try:
        _, lines = load_yaml_text(text, name)
    except YamlLoadError:
        return None
    return lines.get((key,))


# ---------------------------------------------------------------------------------- deadlines
DEADLINE_FIELDS = ("self_date", "self_time", "explanation_date", "explanation_time")


def deadline_values(cycle: Cycle) -> dict[str, str]:
    """The deadline form's values for the cycle as stored (ISO date, HH:MM time)."""
    values = {}
    for prefix, value in (
        ("self", cycle.self_deadline),
        ("explanation", cycle.explanation_deadline),
    ):
        values[f"{prefix}_date"] = dates.day(value)
        values[f"{prefix}_time"] = value.strftime("%H:%M") if value else ""
    return values


def _parse_date(text: str) -> dt.date | None:
    date = parse_date(text)  # the one reading of dates (parindex.text)
    return None if isinstance(date, TextError) else date


def _parse_time(text: str) -> dt.time | None:
    m = re.fullmatch(r"(\d{1,2})[:hg](\d{2})", text.lower())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return dt.time(int(m[1]), int(m[2]))


def set_deadlines(cycle: Cycle, form: Mapping[str, str], user: User) -> FormResult:
    """Self-assessment and explanation deadlines (date + time, Vietnam local time)."""
    values = {k: str(form.get(k, "")).strip() for k in DEADLINE_FIELDS}
    result = FormResult(values, cycle=cycle)
    lo, hi = dt.date(cycle.year, 1, 1), dt.date(cycle.year + 2, 12, 31)
    parsed: dict[str, dt.datetime | None] = {}
    for prefix in ("self", "explanation"):
        date_text, time_text = values[f"{prefix}_date"], values[f"{prefix}_time"]
        parsed[prefix] = None
        if not date_text:
            if time_text:
                result.errors[f"{prefix}_date"] = "Nhập ngày cho giờ đã chọn."
            continue
        day = _parse_date(date_text)
        if day is None:
            result.errors[f"{prefix}_date"] = (
                "Ngày không hợp lệ; nhập dạng dd/mm/yyyy, ví dụ 31/01/2026."
            )
            continue
        if not lo <= day <= hi:
            result.errors[f"{prefix}_date"] = (
                f"Ngày phải trong khoảng {dates.day(lo)} – {dates.day(hi)} (kỳ {cycle.year})."
            )
            continue
        clock = _parse_time(time_text) if time_text else DEFAULT_TIME
        if clock is None:
            result.errors[f"{prefix}_time"] = "Giờ không hợp lệ; nhập dạng HH:MM, ví dụ 17:00."
            continue
        parsed[prefix] = dt.datetime.combine(day, clock)
    own, expl = parsed["self"], parsed["explanation"]
    if not result.errors and expl is not None:
        if own is None:
            result.errors["self_date"] = "Đặt hạn tự đánh giá trước hạn giải trình."
        elif expl <= own:
            result.errors["explanation_date"] = (
                f"Hạn giải trình phải sau hạn tự đánh giá ({when(own)})."
            )
    if result.errors:
        return result
    for attr, label, new in (
        ("self_deadline", "hạn tự đánh giá", own),
        ("explanation_deadline", "hạn giải trình", expl),
    ):
        old = getattr(cycle, attr)
        if old != new:
            audit(
                user,
                "deadline",
                f"{cycle.year}/{attr}",
                when(old),
                when(new),
                reason=f"đặt {label}",
            )
            setattr(cycle, attr, new)
    with commit_or_conflict() as saved:  # a second save at the same moment (two tabs)
        pass
    if not saved.ok:
        result.errors["self_date"] = f"Thời hạn chưa được lưu: {saved.why}"
    return result
