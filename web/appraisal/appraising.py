"""The panel's work (thẩm định), kept out of the views: who appraises which leaves, the queue,
the page of one field of one agency with the facts, self-score, evidence and explanation beside
the appraised score, saving a round (reason required whenever the score differs from the
self-score; an audit entry per change), finishing round 1 and round 2, returning a submission.

Appraisers see only the leaves assigned to them (:class:`web.models.Assignment`) of agencies
that have submitted; the secretariat and administrators see every leaf and assign appraisers.
A round is written in the state that opens it: round 1 while ``submitted``, round 2 (flagged
leaves only) while ``explanation``. States move only through :func:`web.workflow.transition`.
The inputs of one leaf are :mod:`web.appraisal.forms`; assignments :mod:`web.appraisal.assignments`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from werkzeug.exceptions import Forbidden, NotFound

from parindex.criteria import Leaf, LoadedSet
from parindex.hints import HINT_LABELS
from web import formatting, workflow
from web.appraisal.assignments import assigned_codes, panel_leaves
from web.appraisal.forms import (
    MAX_REASON,
    AppraisalForm,
    describe,
    field_name,
    fingerprint,
    parse_appraisal,
    read_raw,
    step_of,
    stored_form,
)
from web.audit import audit
from web.engine import Evaluation, LeafResult, evaluate, set_for
from web.errors import commit_or_conflict
from web.evidence_hints import agency_hints
from web.formatting import points_text
from web.leafform import Message, describe_data, leaf_messages
from web.models import (
    Agency,
    Appraisal,
    Cycle,
    Entry,
    Evidence,
    Submission,
    User,
    db,
    utcnow,
)
from web.pages import PageRef, SaveOutcome, page_of_leaf, pages_of


@dataclass
class Seen:
    """An agency as the panel member sees it: its set and the leaves assigned to them."""

    agency: Agency
    sub: Submission
    loaded: LoadedSet
    leaves: list[Leaf]


def seen_by(user: User, agency_id: int) -> Seen:
    """The agency for ``user`` of the panel: 404 while it has not submitted (or does not
    exist), 403 for an appraiser with no leaf of it assigned."""
    agency = db.session.get(Agency, agency_id)
    sub = None if agency is None else agency.submission
    if agency is None or sub is None or sub.state not in workflow.SEEN_BY_PANEL:
        raise NotFound("Không tìm thấy hồ sơ đã nộp của đơn vị này.")
    loaded = set_for(agency)
    if loaded is None:
        raise NotFound("Chưa có bộ tiêu chí cho khối của đơn vị.")
    leaves = panel_leaves(loaded, assigned_codes(user, agency))
    if not leaves:
        raise Forbidden("Bạn không được phân công thẩm định đơn vị này.")
    return Seen(agency, sub, loaded, leaves)


# ===================================================================================== rounds
def current_round(sub: Submission) -> int | None:
    """The round being written: 1 while submitted, 2 while the agency explains; else none."""
    return {workflow.SUBMITTED: 1, workflow.EXPLANATION: 2}.get(sub.state)


def settle_wait(cycle: Cycle, row: Appraisal | None, now: dt.datetime | None = None) -> str:
    """Why a flagged leaf cannot be settled in round 2 yet ("" when it can): the agency has
    until its deadline to answer."""
    if row is None or not row.flagged:
        return "Tiêu chí không được yêu cầu giải trình."
    if row.answered_at is not None or not workflow.explanation_open(cycle, now):
        return ""
    when = formatting.deadline(cycle.explanation_deadline)
    return f"Chờ đơn vị giải trình (hạn {when})." if when else "Chờ đơn vị giải trình."


# =================================================================================== the pages
@dataclass
class LeafPanel:
    leaf: Leaf
    section: str  # "tree" | "bonus" | "penalty"
    facts: str  # the agency's facts in words
    explanation: str
    did_not_arise: str
    self_c: int | None  # None: did not arise, excluded
    result: LeafResult | None  # the self-assessment's result
    final: Decimal | None
    messages: list[Message]
    evidence: list[Evidence]
    round1: Appraisal | None
    round2: Appraisal | None
    editing: int | None  # the round its inputs write, or None (read-only)
    waiting: str  # round 2: why it cannot be settled yet
    form: AppraisalForm | None
    #: hints on the documents cited (parindex.hints), as (kind, message): for the panel to
    #: check, never a score
    hints: list[tuple[str, str]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.leaf.code

    @property
    def step(self) -> Decimal:
        return step_of(self.leaf)


@dataclass
class PanelSection:
    heading: str
    leaves: list[LeafPanel]


@dataclass
class PanelPage:
    agency: Agency
    code: str
    title: str
    state: str
    round: int | None
    sections: list[PanelSection]
    pages: list[PageRef]

    @property
    def editable(self) -> int:
        return sum(1 for s in self.sections for v in s.leaves if v.editing)

    @property
    def focus(self) -> str:
        """The id of the input the page opens on: the first one with an error, else the score
        of the first leaf not yet scored in the open round ("" when none)."""
        open_leaves = [v for s in self.sections for v in s.leaves if v.form is not None]
        for v in open_leaves:
            assert v.form is not None
            if v.form.conflict:
                return f"a-{v.code}-score"
            for key in ("score", "reason", "question"):
                if key in v.form.errors:
                    return f"a-{v.code}-{key}"
        for v in open_leaves:
            if (v.round1 if v.editing == 1 else v.round2) is None:
                return f"a-{v.code}-score"
        return ""


def _self_c(result: LeafResult | None) -> int | None:
    if result is None:
        return 0
    if not result.applicable:
        return None
    return int((result.points or Decimal(0)) * 100)


def _pages(seen: Seen) -> list[PageRef]:
    codes = {page_of_leaf(seen.loaded, leaf.code) for leaf in seen.leaves}
    return [p for p in pages_of(seen.loaded) if p.code in codes]


def field_page(
    user: User,
    agency_id: int,
    code: str,
    forms: dict[str, AppraisalForm] | None = None,
    now: dt.datetime | None = None,
) -> PanelPage:
    """The leaves of one field (or of the bonus/penalty page) assigned to ``user``: what the
    agency entered and the engine made of it, the rounds so far, the inputs of the round open
    now. ``forms`` replaces the inputs of leaves whose typed values could not be saved."""
    seen = seen_by(user, agency_id)
    pages = _pages(seen)
    if code not in [p.code for p in pages]:
        if code in [p.code for p in pages_of(seen.loaded)]:
            raise Forbidden("Bạn không được phân công thẩm định lĩnh vực này.")
        raise NotFound(f"Không có lĩnh vực mã {code}.")
    own = evaluate(seen.agency, seen.loaded, appraised=False)
    final = evaluate(seen.agency, seen.loaded)
    entries = {e.leaf: e for e in seen.sub.entries}
    r1s, r2s = workflow.round1_rows(seen.sub), workflow.round2_rows(seen.sub)
    rnd = current_round(seen.sub)
    forms = forms or {}
    hints = agency_hints(seen.agency)  # one query over the cycle's evidence, not one per leaf
    by_section: dict[str, list[LeafPanel]] = {}
    headings: dict[str, str] = {}
    for leaf in seen.leaves:
        if page_of_leaf(seen.loaded, leaf.code) != code:
            continue
        panel = _leaf_panel(seen, leaf, entries.get(leaf.code), own, final, r1s, r2s, rnd, now)
        if panel.form is not None and leaf.code in forms:
            panel.form = forms[leaf.code]
        panel.hints = [(HINT_LABELS[h.code], h.message) for h in hints.get(leaf.code, [])]
        key, heading = _heading(seen.loaded, leaf)
        headings[key] = heading
        by_section.setdefault(key, []).append(panel)
    title = next(p.title for p in pages if p.code == code)
    return PanelPage(
        seen.agency,
        code,
        title,
        workflow.state_label(seen.sub.state),
        rnd,
        [PanelSection(headings[k], v) for k, v in by_section.items()],
        pages,
    )


def _heading(loaded: LoadedSet, leaf: Leaf) -> tuple[str, str]:
    if leaf.code in loaded.leaf_by_code:
        _, criterion, _ = loaded.leaf_by_code[leaf.code]
        return criterion.code, f"{criterion.code}. {criterion.name}"
    section = loaded.extra_by_code[leaf.code][0]
    return section, "Điểm thưởng" if section == "bonus" else "Điểm trừ"


#: entry keys the leaf card shows on their own line, not among the facts
_OWN_LINES = frozenset({"explanation", "did_not_arise"})


def _leaf_panel(
    seen: Seen,
    leaf: Leaf,
    entry: Entry | None,
    own: Evaluation,
    final: Evaluation,
    r1s: dict[str, Appraisal],
    r2s: dict[str, Appraisal],
    rnd: int | None,
    now: dt.datetime | None,
) -> LeafPanel:
    result = own.leaves.get(leaf.code)
    fin = final.leaves.get(leaf.code)
    data = (entry.data if entry is not None else None) or {}
    self_c = _self_c(result)
    r1, r2 = r1s.get(leaf.code), r2s.get(leaf.code)
    editing: int | None = None
    waiting = ""
    if rnd == 1:
        editing = 1
    elif rnd == 2 and r1 is not None and r1.flagged:
        waiting = settle_wait(seen.agency.cycle, r1, now)
        editing = None if waiting else 2
    section = (
        "tree" if leaf.code in seen.loaded.leaf_by_code else seen.loaded.extra_by_code[leaf.code][0]
    )
    return LeafPanel(
        leaf=leaf,
        section=section,
        # the explanation and the "did not arise" reason have their own lines on the card
        facts=describe_data(
            seen.loaded, leaf, {k: v for k, v in data.items() if k not in _OWN_LINES}
        ),
        explanation=str(data.get("explanation") or ""),
        did_not_arise=str(data.get("did_not_arise") or ""),
        self_c=self_c,
        result=result,
        final=None if fin is None else fin.final,
        messages=leaf_messages(result.issues if result else [], leaf),
        evidence=list(entry.evidence) if entry is not None else [],
        round1=r1,
        round2=r2,
        editing=editing,
        waiting=waiting,
        form=stored_form(editing, self_c, r1, r2) if editing else None,
    )


# ====================================================================================== saving
def save_field(
    user: User,
    agency_id: int,
    code: str,
    form: Mapping[str, str],
    now: dt.datetime | None = None,
) -> SaveOutcome:
    """Save the open round's scores of one page: each leaf on its own (bad input or a leaf
    someone else scored since the page was loaded is not saved, and shown again as typed);
    unchanged leaves are not written; every write is audited (old, new, reason)."""
    page = field_page(user, agency_id, code, now=now)
    sub = page.agency.submission
    assert sub is not None
    out = SaveOutcome()
    rnd = page.round
    posted = [v for s in page.sections for v in s.leaves if field_name(v.code, "orig") in form]
    if rnd is None:
        for v in posted:
            out.forms[v.code] = AppraisalForm(read_raw(form, v.code, rnd or 1), "")
        out.flashes.append(
            (
                "danger",
                f"Hồ sơ đang ở trạng thái “{page.state}”: không có tiêu chí nào đang mở để chấm "
                "điểm thẩm định. Điểm bạn nhập chưa được lưu.",
            )
        )
        out.status = 403
        return out
    stamp = now or utcnow()
    with commit_or_conflict() as saved:
        for v in posted:
            if v.editing != rnd:
                continue
            raw = read_raw(form, v.code, rnd)
            orig = str(form.get(field_name(v.code, "orig"), ""))
            parsed, errors = parse_appraisal(v.leaf, raw, v.self_c, rnd)
            if parsed is None:
                out.forms[v.code] = AppraisalForm(raw, orig, errors)
                out.invalid.append(v.code)
                continue
            row = v.round1 if rnd == 1 else v.round2
            if row is not None and (row.score_c, row.reason, row.flagged, row.question) == (
                parsed.score_c,
                parsed.reason,
                parsed.flagged,
                parsed.question,
            ):
                continue  # nothing changed
            if fingerprint(row) != orig:
                who = row.by.name if row is not None and row.by is not None else "người khác"
                when = formatting.datetime(row.at) if row is not None else ""
                out.forms[v.code] = AppraisalForm(
                    raw,
                    fingerprint(row),
                    conflict=(
                        f"Tiêu chí {v.code} vừa được {who} chấm{' lúc ' + when if when else ''} "
                        f"({describe(row) if row is not None else 'đã xóa'}); điểm bạn nhập chưa "
                        "được lưu — hãy xem lại, bấm “Lưu” lần nữa nếu vẫn giữ điểm của bạn."
                    ),
                )
                out.conflicts.append(v.code)
                continue
            old = (
                describe(row)
                if row is not None
                else (
                    f"tự chấm {points_text(v.self_c)}"
                    if rnd == 1
                    else f"vòng 1: {points_text(v.round1.score_c if v.round1 else None)}"
                )
            )
            if row is None:
                row = Appraisal(submission=sub, leaf=v.code, round=rnd)
                db.session.add(row)
            row.score_c = parsed.score_c
            row.reason = parsed.reason
            row.flagged = parsed.flagged
            row.question = parsed.question
            row.by_id = user.id
            row.at = stamp
            audit(
                user,
                "appraisal",
                f"{v.code}/round{rnd}",
                old,
                describe(row),
                agency=page.agency,
                reason=parsed.reason or f"thẩm định vòng {rnd}",
            )
            out.saved.append(v.code)
    if not saved.ok:
        out.forms = {
            v.code: AppraisalForm(
                read_raw(form, v.code, rnd), str(form.get(field_name(v.code, "orig"), ""))
            )
            for v in posted
            if v.editing == rnd
        }
        out.saved, out.invalid, out.conflicts = [], [], []
        out.flashes.append(
            (
                "danger",
                "Chưa lưu được: có người vừa chấm cùng lúc hoặc hệ thống đang bận. Điểm bạn "
                "nhập vẫn còn trên trang; hãy bấm “Lưu” lại.",
            )
        )
        out.status = 409
        return out
    out.flashes.extend(_save_flashes(out, rnd))
    return out


def _save_flashes(out: SaveOutcome, rnd: int) -> list[tuple[str, str]]:
    flashes: list[tuple[str, str]] = []
    if out.saved:
        flashes.append(
            (
                "success",
                f"Đã lưu điểm thẩm định vòng {rnd} của {len(out.saved)} tiêu chí: "
                f"{', '.join(out.saved)}.",
            )
        )
    if out.invalid:
        flashes.append(
            (
                "danger",
                f"Chưa lưu {len(out.invalid)} tiêu chí ({', '.join(out.invalid)}); xem thông báo "
                "bên cạnh từng tiêu chí.",
            )
        )
    for code in out.conflicts:
        flashes.append(("danger", out.forms[code].conflict))
    if not flashes:
        flashes.append(("info", "Không có thay đổi nào cần lưu."))
    return flashes


# ========================================================================= finishing a round
@dataclass
class Outcome:
    ok: bool
    message: str


def complete_round_1(user: User, agency_id: int) -> Outcome:
    """ "Hoàn thành vòng 1": submitted → appraised_1 (every leaf appraised), then → explanation
    when a leaf is flagged; both moves are saved together."""
    seen = seen_by(user, agency_id)
    sub = seen.sub
    with commit_or_conflict(workflow.IllegalTransition) as saved:
        workflow.transition(sub, workflow.APPRAISED_1, user)
        flagged = workflow.flagged_leaves(sub)
        if flagged:
            workflow.transition(
                sub, workflow.EXPLANATION, user, f"{len(flagged)} tiêu chí cần giải trình"
            )
    if not saved.ok:
        return Outcome(False, f"Chưa hoàn thành được vòng 1: {saved.why}")
    if not flagged:
        return Outcome(
            True,
            f"Đã hoàn thành thẩm định vòng 1 của {seen.agency.name}; không có tiêu chí nào "
            "yêu cầu giải trình. Hồ sơ chờ Sở Nội vụ phê duyệt.",
        )
    deadline = formatting.deadline(seen.agency.cycle.explanation_deadline)
    return Outcome(
        True,
        f"Đã hoàn thành thẩm định vòng 1 của {seen.agency.name}; đơn vị được yêu cầu giải trình "
        f"{len(flagged)} tiêu chí ({', '.join(flagged)})"
        + (f", hạn {deadline}." if deadline else "; chưa đặt hạn giải trình."),
    )


#: the audit's reason for a self-score accepted with "accept the remaining self-scores"
ACCEPT_REASON = "chấp nhận điểm tự chấm"
#: the engine's warnings that keep a leaf out of "accept the remaining": points claimed whose
#: evidence is missing or incomplete — the panel reads those one by one (docs/decisions.md)
LEFT_ALONE = frozenset({"evidence-missing", "evidence-incomplete", "evidence-no-source"})


@dataclass
class Accepted(Outcome):
    """What "Chấp nhận điểm tự chấm còn lại" did: the leaves accepted, those left to the
    appraiser because they claim points with evidence missing or incomplete."""

    accepted: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    @property
    def category(self) -> str:
        return "danger" if not self.ok else "success" if self.accepted else "info"


def remaining(seen: Seen, leaves: list[Leaf], own: Evaluation) -> tuple[list[str], list[str]]:
    """Of ``leaves``, those with no round-1 score yet that "accept the remaining" would accept,
    and those it leaves to be read one by one (:data:`LEFT_ALONE`)."""
    done = workflow.round1_rows(seen.sub)
    accept: list[str] = []
    read: list[str] = []
    for leaf in leaves:
        if leaf.code in done:
            continue
        result = own.leaves.get(leaf.code)
        if result is not None and any(i.code in LEFT_ALONE for i in result.issues):
            read.append(leaf.code)
        else:
            accept.append(leaf.code)
    return accept, read


def accept_remaining(
    user: User, agency_id: int, code: str = "", now: dt.datetime | None = None
) -> Accepted:
    """Round 1 of the leaves assigned to ``user`` (of one page ``code``, else of the whole
    agency) that nobody has appraised yet: each gets the self-score as its appraised score,
    with one audit entry per leaf. Leaves already appraised (with or without a request for an
    explanation) are not touched; a leaf that claims points with evidence missing or incomplete
    (:data:`LEFT_ALONE`) is left for the appraiser to read — docs/decisions.md. Only while round 1 is open; all or nothing."""
    seen = seen_by(user, agency_id)
    sub = seen.sub
    if current_round(sub) != 1:
        return Accepted(
            False,
            f"Hồ sơ đang ở trạng thái “{workflow.state_label(sub.state)}”: chỉ chấp nhận điểm "
            "tự chấm được trong vòng 1 (hồ sơ “Đã nộp”). Không có điểm nào được ghi.",
        )
    leaves = seen.leaves
    where = "các tiêu chí được giao"
    if code:
        pages = {p.code: p for p in _pages(seen)}
        if code not in pages:
            if code in [p.code for p in pages_of(seen.loaded)]:
                raise Forbidden("Bạn không được phân công thẩm định lĩnh vực này.")
            raise NotFound(f"Không có lĩnh vực mã {code}.")
        leaves = [lf for lf in leaves if page_of_leaf(seen.loaded, lf.code) == code]
        where = f"“{pages[code].title}”"
    own = evaluate(seen.agency, seen.loaded, appraised=False)
    accept, left = remaining(seen, leaves, own)
    out = Accepted(True, "", left=left)
    stamp = now or utcnow()
    with commit_or_conflict() as saved:
        for code in accept:
            self_c = _self_c(own.leaves.get(code))
            row = Appraisal(
                submission=sub, leaf=code, round=1, score_c=self_c, by_id=user.id, at=stamp
            )
            row.reason, row.flagged, row.question = "", False, ""
            db.session.add(row)
            audit(
                user,
                "appraisal",
                f"{code}/round1",
                f"tự chấm {points_text(self_c)}",
                describe(row),
                agency=seen.agency,
                reason=ACCEPT_REASON,
            )
            out.accepted.append(code)
    if not saved.ok:
        return Accepted(
            False,
            "Chưa ghi được: có người vừa chấm đơn vị này cùng lúc hoặc hệ thống đang bận. "
            "Không có điểm nào được ghi; hãy tải lại trang và thử lại.",
        )
    parts = []
    if out.accepted:
        parts.append(
            f"Đã chấp nhận điểm tự chấm làm điểm thẩm định vòng 1 của {len(out.accepted)} "
            f"tiêu chí trong {where}: {workflow.codes_text(out.accepted)}."
        )
    else:
        parts.append(f"Không còn tiêu chí nào chưa thẩm định vòng 1 trong {where} để chấp nhận.")
    if out.left:
        parts.append(
            f"Còn {len(out.left)} tiêu chí tự chấm điểm mà thiếu hoặc chưa đủ tài liệu kiểm chứng "
            "nên không được chấp nhận tự động; hãy xem và chấm từng tiêu chí: "
            f"{workflow.codes_text(out.left)}."
        )
    out.message = " ".join(parts)
    return out


def complete_round_2(user: User, agency_id: int) -> Outcome:
    """ "Hoàn thành vòng 2": explanation → appraised_2 (every flagged leaf settled)."""
    seen = seen_by(user, agency_id)
    with commit_or_conflict(workflow.IllegalTransition) as saved:
        workflow.transition(seen.sub, workflow.APPRAISED_2, user)
    if not saved.ok:
        return Outcome(False, f"Chưa hoàn thành được vòng 2: {saved.why}")
    return Outcome(True, f"Đã hoàn thành thẩm định vòng 2 của {seen.agency.name}.")


def return_to_agency(user: User, agency_id: int, reason: str) -> Outcome:
    """The secretariat returns a submitted self-assessment to the agency, with a reason."""
    seen = seen_by(user, agency_id)
    with commit_or_conflict(workflow.IllegalTransition) as saved:
        workflow.transition(seen.sub, workflow.DRAFT, user, reason[:MAX_REASON])
    if not saved.ok:
        return Outcome(False, f"Chưa trả lại được: {saved.why}")
    return Outcome(True, f"Đã trả lại hồ sơ cho {seen.agency.name}.")


# ================================================================================ the overview
@dataclass
class Progress:
    assigned: int = 0
    appraised: int = 0  # with a round-1 score, by anyone
    flagged: int = 0
    answered: int = 0
    settled: int = 0  # flagged leaves with a round-2 score

    @property
    def percent(self) -> int:
        return 100 if not self.assigned else self.appraised * 100 // self.assigned


def progress_of(sub: Submission, leaves: list[Leaf]) -> Progress:
    r1s, r2s = workflow.round1_rows(sub), workflow.round2_rows(sub)
    p = Progress(assigned=len(leaves))
    for leaf in leaves:
        row = r1s.get(leaf.code)
        if row is None:
            continue
        p.appraised += 1
        if row.flagged:
            p.flagged += 1
            p.answered += row.answered_at is not None
            p.settled += leaf.code in r2s
    return p


@dataclass
class PageProgress:
    page: PageRef
    progress: Progress
    acceptable: int = 0  # round 1: leaves "accept the remaining" would accept
    to_read: int = 0  # round 1: leaves not scored it leaves to be read one by one


@dataclass
class AgencyView:
    agency: Agency
    sub: Submission
    state: str
    pages: list[PageProgress]
    progress: Progress
    total: Progress  # every leaf of the agency, whoever appraises it
    actions: dict[str, str]  # action → "" when possible now, else why not
    deadline: dt.datetime | None

    @property
    def accepting(self) -> bool:
        """Whether "accept the remaining self-scores" is offered: while round 1 is open."""
        return current_round(self.sub) == 1

    @property
    def acceptable(self) -> int:
        return sum(p.acceptable for p in self.pages)

    @property
    def to_read(self) -> int:
        return sum(p.to_read for p in self.pages)


def agency_view(user: User, agency_id: int) -> AgencyView:
    seen = seen_by(user, agency_id)
    own = (
        evaluate(seen.agency, seen.loaded, appraised=False)
        if current_round(seen.sub) == 1
        else None
    )
    pages = []
    for p in _pages(seen):
        leaves = [lf for lf in seen.leaves if page_of_leaf(seen.loaded, lf.code) == p.code]
        accept, read = remaining(seen, leaves, own) if own is not None else ([], [])
        pages.append(PageProgress(p, progress_of(seen.sub, leaves), len(accept), len(read)))
    sub = seen.sub
    actions: dict[str, str] = {}
    moves = {
        "round1": (workflow.SUBMITTED, workflow.APPRAISED_1),
        "round2": (workflow.EXPLANATION, workflow.APPRAISED_2),
        "return": (workflow.SUBMITTED, workflow.DRAFT),
    }
    for name, (old, new) in moves.items():
        if sub.state == old and user.role in workflow.TRANSITIONS[(old, new)].roles:
            actions[name] = workflow.refusal(sub, new, user, reason="-")
    return AgencyView(
        seen.agency,
        sub,
        workflow.state_label(sub.state),
        pages,
        progress_of(sub, seen.leaves),
        progress_of(sub, panel_leaves(seen.loaded, None)),
        actions,
        seen.agency.cycle.explanation_deadline,
    )
