"""The agency officer's self-assessment, kept out of the views: the pages' contents, saving a
field page (per-leaf conflict detection, audit), live points, the overview and submission.
The form of one leaf is :mod:`web.leafform`; documents and uploads are :mod:`web.agency.evidence`.

Every function takes the officer's own agency (the view passes ``current_user.agency``); nothing
here reads an agency id from a request. Points and issues always come from the engine
(:func:`web.engine.evaluate`, :func:`web.engine.score_leaf`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import lazyload
from werkzeug.exceptions import NotFound

from parindex import dates
from parindex.criteria import FieldArea, Leaf, LoadedSet
from parindex.errors import Issue
from parindex.rules import FACTS, Input, kind_of
from parindex.units import half_up_div, to_cents
from web import formatting, workflow
from web.audit import audit
from web.engine import (
    Evaluation,
    LeafResult,
    evaluate,
    score_leaf,
    set_for,
    stored_entries,
    submission_of,
)
from web.errors import commit_or_conflict
from web.leafform import (
    SELF_KEYS,
    LeafForm,
    Message,
    cleared_by_claim,
    describe_data,
    dna_allowed,
    fact_inputs,
    field_name,
    fingerprint,
    form_fingerprint,
    input_rows,
    issue_text,
    leaf_messages,
    parse_leaf,
    read_raw,
    rule_labels,
    self_data,
    self_scored,
    stored_form,
)
from web.models import Agency, AuditEntry, Entry, Submission, User, db, utcnow
from web.pages import EXTRA_PAGE, PageRef, SaveOutcome, find_leaf, page_of_leaf, pages_of
from web.workflow import can_edit

POLICY_LABELS = {
    "excluded": "không tính tiêu chí này vào điểm tối đa",
    "full-points": "được tính điểm tối đa",
}
EVIDENCE_LABELS = {
    "required": "Bắt buộc có tài liệu kiểm chứng (hoặc giải trình)",
    "optional": "Tài liệu kiểm chứng: không bắt buộc",
    "none": "Không cần tài liệu kiểm chứng",
}


# ==================================================================================== the agency
def loaded_set(agency: Agency) -> LoadedSet:
    loaded = set_for(agency)
    if loaded is None:
        raise NotFound("Chưa có bộ tiêu chí cho khối của đơn vị; hãy liên hệ Sở Nội vụ.")
    return loaded


def state_label(sub: Submission | None) -> str:
    return workflow.state_label(None if sub is None else sub.state)


@dataclass
class Status:
    """Whether the agency may still change its self-assessment, and the facts shown about it."""

    editable: bool
    reason: str
    state: str
    deadline: dt.datetime | None
    submitted_at: dt.datetime | None
    submitted: bool
    returned: str = ""  # why the secretariat returned the submission, while it is a draft again
    explaining: bool = False  # the panel asked for explanations (state "explanation")
    countdown: str = ""  # "còn 5 ngày", "quá hạn 2 ngày" while the unit has not submitted
    overdue: bool = False


def status_of(agency: Agency, now: dt.datetime | None = None) -> Status:
    ok, why = can_edit(agency, now)
    sub = agency.submission
    state = workflow.DRAFT if sub is None else sub.state
    return Status(
        ok,
        why,
        state_label(sub),
        agency.cycle.self_deadline,
        None if sub is None else sub.submitted_at,
        state != workflow.DRAFT,
        _returned_reason(agency) if sub is not None and state == workflow.DRAFT else "",
        state == workflow.EXPLANATION,
        "" if state != workflow.DRAFT else dates.countdown(agency.cycle.self_deadline, now),
        dates.countdown_overdue(agency.cycle.self_deadline, now),
    )


def _returned_reason(agency: Agency) -> str:
    """The reason of the last change of state, when it returned the submission to the agency."""
    if agency.submission is None or agency.submission.state_at is None:
        return ""  # its state never changed: nothing to look up in the audit table
    last = db.session.execute(
        db.select(AuditEntry)
        .filter_by(entity="submission", agency_id=agency.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if last is None or (last.old, last.new) != (workflow.SUBMITTED, workflow.DRAFT):
        return ""
    reason: str = last.reason
    return reason


# ==================================================================================== the pages
@dataclass
class LeafView:
    leaf: Leaf
    labels: dict[str, str]
    section: str  # "tree" | "bonus" | "penalty"
    dna_policy: str  # "" when "did not arise" cannot be claimed
    evidence_label: str
    result: LeafResult | None
    messages: list[Message]
    evidence: list[Any]  # documents: ORM objects or rows with their columns
    form: LeafForm | None  # None for survey leaves

    @property
    def code(self) -> str:
        return self.leaf.code

    @property
    def rows(self) -> list[tuple[bool, tuple[Input, ...]]]:
        """The fact inputs as the page lays them out (:func:`web.leafform.input_rows`)."""
        return input_rows(fact_inputs(self.leaf))

    @property
    def step(self) -> Decimal:
        """The step a typed score is on."""
        return kind_of(self.leaf.rule).score_step(self.leaf.rule)

    @property
    def levels(self) -> list[tuple[str, str]]:
        return list(kind_of(self.leaf.rule).choice_labels(self.leaf.rule).items())

    @property
    def note(self) -> str:
        return kind_of(self.leaf.rule).note(self.leaf.rule)


@dataclass
class Section:
    heading: str
    max: Decimal
    leaves: list[LeafView]
    note: str = ""


@dataclass
class FieldPage:
    agency: Agency
    code: str
    title: str
    sections: list[Section]
    pages: list[PageRef]
    status: Status
    editable_leaves: int

    @property
    def previous(self) -> PageRef | None:
        i = [p.code for p in self.pages].index(self.code)
        return self.pages[i - 1] if i > 0 else None

    @property
    def next(self) -> PageRef | None:
        i = [p.code for p in self.pages].index(self.code)
        return self.pages[i + 1] if i + 1 < len(self.pages) else None


def _page_leaves(loaded: LoadedSet, code: str) -> list[tuple[str, Any, list[Leaf]]]:
    """(section, heading node, leaves) of one page: a field's criteria, or bonus and penalty."""
    if code == EXTRA_PAGE:
        m = loaded.model
        parts = [("bonus", m.bonus, list(m.bonus.items)), ("penalty", m.penalty, m.penalty.items)]
        return [(s, node, list(items)) for s, node, items in parts if items]
    fields: dict[str, FieldArea] = {f.code: f for f in loaded.model.fields}
    if code not in fields:
        raise NotFound(f"Không có lĩnh vực mã {code}.")
    return [("tree", c, list(c.subcriteria)) for c in fields[code].criteria]


def entries_of(
    agency: Agency, codes: Collection[str] | None = None, *, documents: bool = True
) -> dict[str, Entry]:
    """The agency's entries by leaf code; only those of ``codes`` when given (a page needs its
    own leaves, not the whole submission). Their documents come along in one more query, or,
    without ``documents``, only if something reads them."""
    sub = submission_of(agency)
    if codes is None:
        return {e.leaf: e for e in sub.entries}
    if not codes:
        return {}
    query = db.select(Entry).filter(Entry.submission_id == sub.id, Entry.leaf.in_(list(codes)))
    if not documents:
        query = query.options(lazyload(Entry.evidence))
    return {e.leaf: e for e in db.session.execute(query).scalars()}


def field_page(
    agency: Agency,
    code: str,
    forms: dict[str, LeafForm] | None = None,
    now: dt.datetime | None = None,
) -> FieldPage:
    """Everything the field page shows; ``forms`` replaces the stored values of leaves whose
    typed values could not be saved (they are shown again as typed)."""
    loaded = loaded_set(agency)
    parts = _page_leaves(loaded, code)
    entries = stored_entries(submission_of(agency))  # read once: for the points and the page
    evaluation = evaluate(agency, loaded, appraised=False, stored=entries)
    forms = forms or {}
    sections = []
    editable = 0
    for section, node, leaves in parts:
        views = []
        for leaf in leaves:
            entry = entries.get(leaf.code)
            result = evaluation.leaves.get(leaf.code)
            survey = not self_scored(leaf)
            form = None if survey else forms.get(leaf.code) or stored_form(loaded, leaf, entry)
            editable += not survey
            views.append(
                LeafView(
                    leaf=leaf,
                    labels=rule_labels(leaf),
                    section=section,
                    dna_policy=(
                        POLICY_LABELS.get(loaded.model.policy(leaf), "")
                        if dna_allowed(loaded, leaf)
                        else ""
                    ),
                    evidence_label=EVIDENCE_LABELS[leaf.evidence],
                    result=result,
                    messages=leaf_messages(result.issues if result else [], leaf),
                    evidence=entry.evidence if entry is not None else [],
                    form=form,
                )
            )
        if section == "tree":
            heading = f"{node.code}. {node.name}"
            note = ""
        elif section == "bonus":
            heading, note = (
                "Điểm thưởng",
                f"Tổng điểm thưởng tối đa {formatting.number(node.cap)} điểm.",
            )
        else:
            heading, note = "Điểm trừ", f"Tổng điểm trừ tối đa {formatting.number(node.cap)} điểm."
        sections.append(Section(heading, node.max if section == "tree" else node.cap, views, note))
    pages = pages_of(loaded)
    title = next(p.title for p in pages if p.code == code)
    return FieldPage(agency, code, title, sections, pages, status_of(agency, now), editable)


# ====================================================================================== saving
def _int(text: Any) -> int:
    try:
        return int(str(text))
    except ValueError:
        return -1


def _posted_leaves(loaded: LoadedSet, code: str, form: Mapping[str, str]) -> list[Leaf]:
    """The page's leaves that the form carries (each has its hidden version field)."""
    return [
        leaf
        for _, _, leaves in _page_leaves(loaded, code)
        for leaf in leaves
        if self_scored(leaf) and field_name(leaf.code, "version") in form
    ]


def _posted_form(loaded: LoadedSet, leaf: Leaf, form: Mapping[str, str]) -> LeafForm:
    return LeafForm(
        read_raw(form, loaded, leaf),
        _int(form.get(field_name(leaf.code, "version"))),
        str(form.get(field_name(leaf.code, "orig"), "")),
    )


def conflict_message(code: str, entry: Entry | None) -> str:
    when = formatting.datetime(entry.updated_at) if entry is not None else ""
    at = f" lúc {when}" if when else ""
    return (
        f"Tiêu chí {code} vừa được người khác sửa{at}; dữ liệu bạn nhập chưa được lưu — "
        "hãy xem lại."
    )


def save_field(
    agency: Agency,
    user: User,
    code: str,
    form: Mapping[str, str],
    now: dt.datetime | None = None,
) -> SaveOutcome:
    """Save the leaves of one page ("Lưu nháp"). Each leaf is judged on its own: typed values
    that cannot be read, or a leaf someone else changed since the page was loaded, are not saved
    (and are shown again as typed); leaves whose values did not change are not written; every
    write bumps the entry's version and is audited."""
    loaded = loaded_set(agency)
    leaves = _posted_leaves(loaded, code, form)
    out = SaveOutcome()
    ok, why = can_edit(agency, now)
    if not ok:
        out.forms = {leaf.code: _posted_form(loaded, leaf, form) for leaf in leaves}
        out.flashes.append(("danger", f"{why} Dữ liệu bạn nhập chưa được lưu."))
        out.status = 403
        return out
    sub = submission_of(agency)
    entries = entries_of(agency, [leaf.code for leaf in leaves], documents=False)
    stamp = now or utcnow()
    with commit_or_conflict() as saved:
        for leaf in leaves:
            posted = _posted_form(loaded, leaf, form)
            data, errors = parse_leaf(loaded, leaf, posted.raw)
            if errors:
                posted.errors = errors
                out.forms[leaf.code] = posted
                out.invalid.append(leaf.code)
                continue
            new_fp = fingerprint(data)
            entry = entries.get(leaf.code)
            stored = None if entry is None else entry.data
            if new_fp == posted.orig and not _claim_clears(data, stored):
                continue  # the officer did not change this leaf
            if fingerprint(stored) == new_fp:
                continue  # already stored as typed
            version = 0 if entry is None else entry.version
            if version != posted.version and form_fingerprint(loaded, leaf, stored) != posted.orig:
                out.forms[leaf.code] = _conflict(loaded, leaf, posted, entry)
                out.conflicts.append(leaf.code)
                continue
            if not _write(sub, entry, user, leaf.code, data, stamp):
                db.session.expire(entry)
                out.forms[leaf.code] = _conflict(loaded, leaf, posted, entry)
                out.conflicts.append(leaf.code)
                continue
            audit(
                user,
                "entry",
                leaf.code,
                self_data(stored),
                self_data(data),
                agency=agency,
                reason="tự đánh giá: lưu nháp",
            )
            out.saved.append(leaf.code)
            cleared = cleared_by_claim(leaf, posted.raw, stored)
            if cleared:
                out.cleared[leaf.code] = cleared
    if not saved.ok:
        out.forms = {leaf.code: _posted_form(loaded, leaf, form) for leaf in leaves}
        out.saved, out.invalid, out.conflicts = [], [], []
        out.flashes.append(
            (
                "danger",
                "Chưa lưu được: có người vừa lưu cùng lúc hoặc hệ thống đang bận. "
                "Dữ liệu bạn nhập vẫn còn trên trang; hãy bấm “Lưu nháp” lại.",
            )
        )
        out.status = 409
        return out
    out.flashes.extend(_save_flashes(out))
    return out


def _claim_clears(data: Mapping[str, Any], stored: Mapping[str, Any] | None) -> bool:
    """Whether saving ``data`` clears figures stored beside a "did not arise" claim (written
    together by an import): the form shows them, and the claim saved again removes them."""
    return "did_not_arise" in data and any(
        stored.get(k) not in (None, "") for k in FACTS if stored is not None
    )


def _conflict(loaded: LoadedSet, leaf: Leaf, posted: LeafForm, entry: Entry | None) -> LeafForm:
    """Keep what was typed; take the stored version so that a deliberate second save wins."""
    posted.conflict = conflict_message(leaf.code, entry)
    posted.stored = describe_data(loaded, leaf, None if entry is None else entry.data)
    posted.version = 0 if entry is None else entry.version
    posted.orig = form_fingerprint(loaded, leaf, None if entry is None else entry.data)
    return posted


def _write(
    sub: Submission,
    entry: Entry | None,
    user: User,
    code: str,
    data: dict[str, Any],
    stamp: dt.datetime,
) -> bool:
    """Store a leaf's data, bumping its version only if nobody wrote it meanwhile."""
    if entry is None:
        db.session.add(
            Entry(
                submission=sub,
                leaf=code,
                data=data,
                version=1,
                updated_at=stamp,
                updated_by=user.id,
            )
        )
        return True
    kept = {k: v for k, v in (entry.data or {}).items() if k not in SELF_KEYS}
    result = db.session.execute(
        update(Entry)
        .where(Entry.id == entry.id, Entry.version == entry.version)
        .values(
            data={**kept, **data},
            version=entry.version + 1,
            updated_at=stamp,
            updated_by=user.id,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(entry)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _save_flashes(out: SaveOutcome) -> list[tuple[str, str]]:
    flashes: list[tuple[str, str]] = []
    if out.saved:
        flashes.append(("success", f"Đã lưu {len(out.saved)} tiêu chí: {', '.join(out.saved)}."))
    for code, labels in out.cleared.items():
        flashes.append(
            (
                "info",
                f"Tiêu chí {code} khai “Không phát sinh”: đã xóa số liệu đã nhập "
                f"({'; '.join(labels)}).",
            )
        )
    if out.invalid:
        flashes.append(
            (
                "danger",
                f"Chưa lưu {len(out.invalid)} tiêu chí có dữ liệu nhập chưa hợp lệ "
                f"({', '.join(out.invalid)}); xem thông báo bên cạnh từng tiêu chí. "
                + ("Các tiêu chí khác đã được lưu." if out.saved else ""),
            )
        )
    for code in out.conflicts:
        flashes.append(("danger", out.forms[code].conflict))
    if not flashes:
        flashes.append(("info", "Không có thay đổi nào cần lưu."))
    return flashes


# ================================================================================== live score
def live_score(agency: Agency, form: Mapping[str, str]) -> dict[str, Any]:
    """The engine's points for one leaf's typed values, nothing saved (the page's live points)."""
    loaded = loaded_set(agency)
    code = str(form.get("leaf", ""))
    leaf = find_leaf(loaded, code)
    if not self_scored(leaf):
        return {
            "leaf": code,
            "points": None,
            "max": formatting.number(leaf.max),
            "messages": ["Tiêu chí chấm qua điều tra xã hội học; đơn vị không tự chấm."],
            "severities": ["warning"],
            "errors": {},
        }
    data, errors = parse_leaf(loaded, leaf, read_raw(form, loaded, leaf))
    if errors:
        return {
            "leaf": code,
            "points": None,
            "max": formatting.number(leaf.max),
            "messages": list(errors.values()),
            "severities": ["error"] * len(errors),
            "errors": errors,
        }
    result = score_leaf(agency, code, data, loaded)
    messages = leaf_messages(result.issues, leaf)
    return {
        "leaf": code,
        "points": formatting.number(result.points),
        "max": formatting.number(leaf.max),
        "messages": [m.text for m in messages],
        "severities": [m.severity for m in messages],
        "errors": {},
    }


# ==================================================================================== overview
@dataclass
class LeafRow:
    code: str
    name: str
    max: Decimal
    points: Decimal | None
    state: str  # the label shown
    badge: str  # css class


@dataclass
class FieldRow:
    code: str
    name: str
    max: Decimal
    filled: int
    total: int
    points: Decimal
    applicable_max: Decimal
    index: Decimal | None
    survey: bool
    leaves: list[LeafRow]


@dataclass
class Problem:
    leaf: str
    page: str
    text: str
    severity: str


@dataclass
class Overview:
    agency: Agency
    status: Status
    evaluation: Evaluation
    fields: list[FieldRow]
    extras: list[LeafRow]
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def progress(self) -> int:
        """Leaves filled, in whole percent (for the progress bar)."""
        e = self.evaluation
        return half_up_div(100 * e.filled, e.total_leaves) if e.total_leaves else 100


def _leaf_row(leaf: Leaf, result: LeafResult | None) -> LeafRow:
    state = "empty" if result is None else result.state
    has_error = result is not None and any(i.severity == "error" for i in result.issues)
    if has_error:
        label, badge = "Có lỗi", "err"
    elif state == "dna":
        label, badge = "Không phát sinh", "ok"
    elif state == "facts":
        label, badge = "Đã kê khai", "ok"
    elif not self_scored(leaf):
        label, badge = "Điều tra xã hội học", ""
    else:
        label, badge = "Chưa kê khai", "warn"
    return LeafRow(
        leaf.code, leaf.name, leaf.max, None if result is None else result.points, label, badge
    )


def problems_of(loaded: LoadedSet, evaluation: Evaluation) -> list[Problem]:
    """What blocks submission, each with the page where it is fixed."""
    return _problems(loaded, evaluation.blocking())


def warnings_of(loaded: LoadedSet, evaluation: Evaluation) -> list[Problem]:
    """What does not block submission but the panel will see (an evidence item without its
    date or issuer, an implausible date...), each with the page where it is fixed. Survey
    results are the secretariat's to import, not the unit's to fix: left out."""
    blocking = evaluation.blocking()
    return _problems(
        loaded,
        [
            i
            for i in evaluation.issues
            if i.severity == "warning" and i not in blocking and not i.code.startswith("survey")
        ],
    )


def _problems(loaded: LoadedSet, issues: list[Issue]) -> list[Problem]:
    out = []
    for issue in issues:
        code = issue.location.leaf
        leaf = None
        if code in loaded.leaf_by_code or code in loaded.extra_by_code:
            leaf = find_leaf(loaded, code)
        out.append(
            Problem(
                code,
                page_of_leaf(loaded, code) if leaf is not None else "",
                issue_text(issue, leaf),
                issue.severity,
            )
        )
    return out


def overview(agency: Agency, now: dt.datetime | None = None) -> Overview:
    loaded = loaded_set(agency)
    evaluation = evaluate(agency, loaded, appraised=False)
    rows = []
    for f in loaded.model.fields:
        leaves = [leaf for c in f.criteria for leaf in c.subcriteria]
        results = [evaluation.leaves.get(leaf.code) for leaf in leaves]
        self_scored = [r for leaf, r in zip(leaves, results, strict=True) if not leaf.survey]
        # sums of the engine's 2-decimal leaf points in integer hundredths: exact
        points_c = sum(to_cents(r.points or 0) for r in results if r is not None and r.applicable)
        max_c = sum(
            to_cents(leaf.max)
            for leaf, r in zip(leaves, results, strict=True)
            if r is None or r.applicable
        )
        rows.append(
            FieldRow(
                code=f.code,
                name=f.name,
                max=f.max,
                filled=sum(1 for r in self_scored if r is not None and r.state in ("facts", "dna")),
                total=len(self_scored),
                points=Decimal(points_c).scaleb(-2),
                applicable_max=Decimal(max_c).scaleb(-2),
                index=Decimal(half_up_div(points_c * 10_000, max_c)).scaleb(-2) if max_c else None,
                survey=not self_scored,
                leaves=[_leaf_row(leaf, r) for leaf, r in zip(leaves, results, strict=True)],
            )
        )
    m = loaded.model
    extras = [
        _leaf_row(item, evaluation.leaves.get(item.code))
        for item in list(m.bonus.items) + list(m.penalty.items)
    ]
    return Overview(
        agency,
        status_of(agency, now),
        evaluation,
        rows,
        extras,
        problems_of(loaded, evaluation),
        warnings_of(loaded, evaluation),
    )


# ================================================================================== submission
@dataclass
class SubmitOutcome:
    ok: bool
    message: str


def submit(agency: Agency, user: User, now: dt.datetime | None = None) -> SubmitOutcome:
    """Submit the self-assessment: only before the deadline, with nothing blocking it."""
    ok, why = can_edit(agency, now)
    if not ok:
        return SubmitOutcome(False, f"Không nộp được: {why}")
    loaded = loaded_set(agency)
    blocking = evaluate(agency, loaded, appraised=False).blocking()
    if blocking:
        return SubmitOutcome(
            False,
            f"Chưa nộp được: còn {len(blocking)} vấn đề phải xử lý (danh sách bên dưới).",
        )
    sub = submission_of(agency)
    stamp = now or utcnow()
    with commit_or_conflict(workflow.IllegalTransition) as saved:
        workflow.transition(sub, workflow.SUBMITTED, user, at=stamp)
    if not saved.ok:
        return SubmitOutcome(False, f"Không nộp được: {saved.why}")
    return SubmitOutcome(
        True,
        f"Đã nộp hồ sơ tự đánh giá lúc {formatting.datetime(stamp)}. "
        "Hồ sơ đã khóa; mọi trang chỉ còn để xem.",
    )
