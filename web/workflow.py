"""The states of an agency's submission and the one way to change them.

::

    draft → submitted → appraised_1 → explanation → appraised_2 → approved → published
                 │              └────────────(no leaf flagged)──────────→ approved
                 └→ draft  (returned to the agency by the secretariat, with a reason)

:data:`TRANSITIONS` is the whole table: (from, to) → who may, what must hold, whether a reason
is required. :func:`transition` (one submission) and :func:`transition_all` (many at once, as
publication moves every approved one) are the only code that writes ``Submission.state``; they
refuse anything else with :class:`IllegalTransition` (a Vietnamese message) and write an audit
entry (old state, new state, reason) for each move, and the notifications it causes
(:func:`web.notify.on_move`: the in-app list and the e-mail outbox). They do not commit: the
caller commits, so that a change of state, the data that justify it and its notifications are
saved together.

No Flask here: only the models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web import accounts, notify, roles
from web.audit import audit
from web.models import Agency, Appraisal, Assignment, Cycle, Submission, User, db, utcnow, vn_now

DRAFT = "draft"
SUBMITTED = "submitted"
APPRAISED_1 = "appraised_1"
EXPLANATION = "explanation"
APPRAISED_2 = "appraised_2"
APPROVED = "approved"
PUBLISHED = "published"

STATES = (DRAFT, SUBMITTED, APPRAISED_1, EXPLANATION, APPRAISED_2, APPROVED, PUBLISHED)
STATE_LABELS = {
    DRAFT: "Bản nháp",
    SUBMITTED: "Đã nộp",
    APPRAISED_1: "Đã thẩm định vòng 1",
    EXPLANATION: "Đang giải trình",
    APPRAISED_2: "Đã thẩm định vòng 2",
    APPROVED: "Đã phê duyệt",
    PUBLISHED: "Đã công bố",
}
#: states in which the panel reads the submission (an appraiser never sees a draft)
SEEN_BY_PANEL = frozenset(STATES) - {DRAFT}
#: states in which the panel's work on the submission is over
PANEL_DONE = frozenset({APPRAISED_2, APPROVED, PUBLISHED})
#: states in which the secretariat has approved the result
APPROVED_STATES = frozenset({APPROVED, PUBLISHED})

STAFF = frozenset(roles.STAFF)
PANEL = frozenset(roles.PANEL)


class IllegalTransition(Exception):
    """A change of state that the table does not allow, or whose conditions do not hold."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    action: str  # what the move is called (the audit reason when none is given)
    roles: frozenset[str]
    reason_required: bool = False
    guard: Callable[[Submission], str] | None = None  # "" when it may happen, else why not


def state_label(state: str | None) -> str:
    return STATE_LABELS.get(state or DRAFT, state or "")


# ------------------------------------------------------------------------------------- guards
def round1_rows(sub: Submission) -> dict[str, Appraisal]:
    return {a.leaf: a for a in sub.appraisals if a.round == 1}


def round2_rows(sub: Submission) -> dict[str, Appraisal]:
    return {a.leaf: a for a in sub.appraisals if a.round == 2}


def flagged_leaves(sub: Submission) -> list[str]:
    return sorted(code for code, a in round1_rows(sub).items() if a.flagged)


def _codes(codes: list[str], most: int = 8) -> str:
    return ", ".join(codes[:most]) + (f" … (cộng {len(codes) - most})" if len(codes) > most else "")


#: a list of leaf codes as messages name them (the first few, then how many more)
codes_text = _codes


def _all_appraised(sub: Submission) -> str:
    from web.engine import appraisable_codes

    done = round1_rows(sub)
    missing = [c for c in appraisable_codes(sub.agency) if c not in done]
    if missing:
        return f"Còn {len(missing)} tiêu chí chưa thẩm định vòng 1: {_codes(missing)}."
    return ""


def _some_flagged(sub: Submission) -> str:
    return "" if flagged_leaves(sub) else "Không có tiêu chí nào được yêu cầu giải trình."


def _none_flagged(sub: Submission) -> str:
    flagged = flagged_leaves(sub)
    if flagged:
        return (
            f"Có {len(flagged)} tiêu chí được yêu cầu giải trình ({_codes(flagged)}); "
            "đơn vị phải giải trình và thẩm định vòng 2 trước khi phê duyệt."
        )
    return ""


def _all_settled(sub: Submission) -> str:
    settled = round2_rows(sub)
    missing = [c for c in flagged_leaves(sub) if c not in settled]
    if missing:
        return (
            f"Còn {len(missing)} tiêu chí yêu cầu giải trình chưa chấm vòng 2: {_codes(missing)}."
        )
    return ""


#: the whole table: (from, to) → who may, and what must hold
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (DRAFT, SUBMITTED): Transition("nộp hồ sơ", frozenset({roles.AGENCY})),
    (SUBMITTED, DRAFT): Transition("trả lại đơn vị", STAFF, reason_required=True),
    (SUBMITTED, APPRAISED_1): Transition(
        "hoàn thành thẩm định vòng 1", PANEL, guard=_all_appraised
    ),
    (APPRAISED_1, EXPLANATION): Transition("yêu cầu giải trình", PANEL, guard=_some_flagged),
    (APPRAISED_1, APPROVED): Transition("phê duyệt", STAFF, guard=_none_flagged),
    (EXPLANATION, APPRAISED_2): Transition(
        "hoàn thành thẩm định vòng 2", PANEL, guard=_all_settled
    ),
    (APPRAISED_2, APPROVED): Transition("phê duyệt", STAFF),
    (APPROVED, PUBLISHED): Transition("công bố", STAFF),
}


# -------------------------------------------------------------------------------- the checks
def refusal(sub: Submission, to_state: str, user: User, reason: str = "") -> str:
    """Why ``user`` may not move ``sub`` to ``to_state`` now ("" when they may)."""
    old = sub.state or DRAFT
    if to_state not in STATE_LABELS:
        return f"Trạng thái “{to_state}” không tồn tại."
    step = TRANSITIONS.get((old, to_state))
    if step is None:
        return f"Không thể chuyển hồ sơ từ “{state_label(old)}” sang “{state_label(to_state)}”."
    if user.role not in step.roles:
        role = roles.role_label(user.role)
        return (
            f"{role} không được chuyển hồ sơ từ “{state_label(old)}” sang "
            f"“{state_label(to_state)}”."
        )
    if user.role == roles.AGENCY and not accounts.owns(user, sub.agency):
        return "Chỉ cán bộ của chính đơn vị được thao tác trên hồ sơ của đơn vị."
    if user.role == roles.APPRAISER and not _assigned(user, sub.agency):
        return "Bạn không được phân công thẩm định đơn vị này."
    if step.reason_required and not reason.strip():
        return f"Phải nêu lý do khi {step.action}."
    return step.guard(sub) if step.guard is not None else ""


def _assigned(user: User, agency: Agency) -> bool:
    return (
        db.session.execute(
            db.select(Assignment.id)
            .filter(
                Assignment.cycle_id == agency.cycle_id,
                Assignment.user_id == user.id,
                Assignment.block.in_(("", agency.block)),
            )
            .limit(1)
        ).first()
        is not None
    )


def allowed(sub: Submission, to_state: str, user: User) -> bool:
    """Whether the move is possible for ``user`` now (a reason, if required, still to give)."""
    return refusal(sub, to_state, user, reason="-") == ""


def transition(
    sub: Submission,
    to_state: str,
    user: User,
    reason: str = "",
    *,
    at: dt.datetime | None = None,
) -> None:
    """Move ``sub`` to ``to_state`` as ``user``, or raise :class:`IllegalTransition`. Records
    when (``at``, UTC, default now) and by whom — also as ``submitted_at``/``submitted_by`` on
    submission — and audits the move. The caller commits."""
    why = refusal(sub, to_state, user, reason)
    if why:
        raise IllegalTransition(why)
    _move([sub], to_state, user, reason, at=at)


def transition_all(
    subs: list[Submission],
    to_state: str,
    user: User,
    reason: str = "",
    *,
    at: dt.datetime | None = None,
) -> None:
    """Move every one of ``subs`` to ``to_state`` as ``user`` — the same checks and the same
    audit entry per submission as :func:`transition`, written as one UPDATE per old state and
    the audit entries inserted together at commit, instead of a flush per submission. Raises
    :class:`IllegalTransition` (nothing written) when any move is refused, or when another
    request changed a state meanwhile. The caller commits."""
    for sub in subs:
        why = refusal(sub, to_state, user, reason)
        if why:
            raise IllegalTransition(f"{sub.agency.code}: {why}")
    _move(subs, to_state, user, reason, at=at)


#: a state changed by another request between reading and writing (a double click, two tabs)
CHANGED_MEANWHILE = "Trạng thái hồ sơ vừa được thay đổi bởi một thao tác khác; hãy tải lại trang."


def _move(
    subs: list[Submission], to_state: str, user: User, reason: str, *, at: dt.datetime | None
) -> None:
    """Write checked moves: one ``UPDATE … WHERE id IN (…) AND state = old`` per old state, so
    that of two requests moving the same submission at once (a double click, two tabs) exactly
    one writes and audits; the other raises :class:`IllegalTransition` (nothing written)."""
    now = at or utcnow()
    reason = reason.strip()
    values = {"state": to_state, "state_at": now, "state_by": user.id}
    if to_state == SUBMITTED:
        values |= {"submitted_at": now, "submitted_by": user.id}
    by_old: dict[str, list[Submission]] = {}
    for sub in subs:
        by_old.setdefault(sub.state or DRAFT, []).append(sub)
    db.session.flush()  # pending changes first, so that the UPDATE sees them
    for old, moving in by_old.items():
        ids = [s.id for s in moving]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            done = db.session.execute(
                db.update(Submission)
                .where(Submission.id.in_(chunk), _in_state(old))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != len(chunk):  # type: ignore[attr-defined]
                raise IllegalTransition(CHANGED_MEANWHILE)
        action = reason or TRANSITIONS[(old, to_state)].action
        for s in moving:  # inserted together when the caller commits
            audit(user, "submission", s.agency.code, old, to_state, agency=s.agency, reason=action)
        # the notices of the move (web/notify.py), committed with it or not at all
        notify.on_move(moving, old, to_state, reason)
    for sub in subs:  # the objects in the session read the new state on next access
        db.session.expire(sub, list(values))


_CHUNK = 5_000  # ids per UPDATE (well under SQLite's limit on bound parameters)


def _in_state(old: str) -> Any:
    """The stored state is ``old`` (a draft may be stored as NULL)."""
    if old == DRAFT:
        return (Submission.state == DRAFT) | Submission.state.is_(None)
    return Submission.state == old


# --------------------------------------------------------------------------------- deadlines
def can_edit(agency: Agency, now: dt.datetime | None = None) -> tuple[bool, str]:
    """Whether the agency may still change its self-assessment, and why not."""
    sub = agency.submission
    if sub is not None and sub.state != DRAFT:
        return False, "Hồ sơ đã nộp; không thể sửa."
    deadline = agency.cycle.self_deadline
    if deadline is not None and (now or vn_now()) > deadline:
        return False, "Đã quá hạn tự đánh giá."
    return True, ""


def explanation_open(cycle: Cycle, now: dt.datetime | None = None) -> bool:
    """Before the explanation deadline (Vietnam time); always, when none is set."""
    deadline = cycle.explanation_deadline
    return deadline is None or (now or vn_now()) <= deadline
