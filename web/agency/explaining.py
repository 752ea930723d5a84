"""The agency's explanation round (giải trình), kept out of the views: while its submission is
``explanation`` and before the cycle's explanation deadline (Vietnam time), the officer sees
only the leaves the panel flagged, with the question, answers each with text and extra
documents (the upload rules of :mod:`web.agency.evidence`), and sends the answers. A leaf the panel has
settled in round 2 is closed. The state does not change here: the panel finishes round 2.

Nothing of round 1 is shown before the panel finishes it (the state then is ``explanation``).
Every function takes the officer's own agency; nothing reads an agency id from a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from parindex.criteria import Leaf
from web import formatting, notify, workflow
from web.agency import evidence as ev
from web.agency.selfassessment import entries_of, loaded_set
from web.audit import audit
from web.engine import evaluate
from web.errors import commit_or_conflict
from web.models import Agency, Appraisal, Evidence, User, db, utcnow
from web.pages import find_leaf
from web.workflow import explanation_open

MAX_ANSWER = 5000
#: states in which the agency sees the panel's questions (and its answers)
QUESTIONS_SHOWN = frozenset(
    {workflow.EXPLANATION, workflow.APPRAISED_2, workflow.APPROVED, workflow.PUBLISHED}
)


def window(agency: Agency, now: dt.datetime | None = None) -> tuple[bool, str]:
    """Whether the agency may answer now, and why not."""
    sub = agency.submission
    if sub is None or sub.state != workflow.EXPLANATION:
        return False, "Hồ sơ không ở giai đoạn giải trình."
    if not explanation_open(agency.cycle, now):
        when = formatting.deadline(agency.cycle.explanation_deadline)
        return False, f"Đã quá hạn giải trình ({when})."
    return True, ""


@dataclass
class Question:
    leaf: Leaf
    round1: Appraisal
    self_points: Decimal | None
    settled: bool  # scored in round 2: closed
    evidence: list[Evidence]
    answer: str  # as shown (typed, when it could not be saved)
    error: str = ""

    @property
    def code(self) -> str:
        return self.leaf.code


@dataclass
class ExplanationPage:
    agency: Agency
    state: str
    open: bool
    why: str
    deadline: dt.datetime | None
    questions: list[Question]

    @property
    def answerable(self) -> int:
        return sum(1 for q in self.questions if not q.settled) if self.open else 0


def _flagged(agency: Agency) -> list[Appraisal]:
    sub = agency.submission
    if sub is None or sub.state not in QUESTIONS_SHOWN:
        return []
    rows = workflow.round1_rows(sub)
    return [rows[code] for code in workflow.flagged_leaves(sub)]


def explanation_page(
    agency: Agency,
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> ExplanationPage:
    """The flagged leaves with the panel's question and the answer so far; ``typed`` and
    ``errors`` show answers that could not be saved as they were typed."""
    ok, why = window(agency, now)
    loaded = loaded_set(agency)
    rows = _flagged(agency)
    own = evaluate(agency, loaded, appraised=False) if rows else None
    entries = entries_of(agency, [row.leaf for row in rows])
    settled = workflow.round2_rows(agency.submission) if rows and agency.submission else {}
    questions = []
    for row in rows:
        result = own.leaves.get(row.leaf) if own else None
        entry = entries.get(row.leaf)
        questions.append(
            Question(
                find_leaf(loaded, row.leaf),
                row,
                result.points if result else None,
                row.leaf in settled,
                list(entry.evidence) if entry is not None else [],
                (typed or {}).get(row.leaf, row.answer),
                (errors or {}).get(row.leaf, ""),
            )
        )
    sub = agency.submission
    return ExplanationPage(
        agency,
        workflow.state_label(None if sub is None else sub.state),
        ok,
        why,
        agency.cycle.explanation_deadline,
        questions,
    )


ANSWERED_MEANWHILE = (
    "Giải trình vừa được gửi từ một thẻ khác hoặc bởi người khác; chưa gửi gì, hãy tải lại "
    "trang rồi gửi lại nếu cần."
)


class _AnsweredMeanwhile(Exception):
    """An answer changed between reading the page and writing it."""


@dataclass
class AnswerOutcome:
    ok: bool
    message: str
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200


def save_answers(
    agency: Agency, user: User, form: Mapping[str, str], now: dt.datetime | None = None
) -> AnswerOutcome:
    """Send the answers typed for the flagged leaves ("Gửi giải trình"); each change is
    audited. Nothing is saved when one answer is refused."""
    rows = [r for r in _flagged(agency) if f"{r.leaf}-answer" in form]
    typed = {r.leaf: str(form.get(f"{r.leaf}-answer", "")).strip() for r in rows}
    ok, why = window(agency, now)
    if not ok:
        return AnswerOutcome(False, f"{why} Giải trình chưa được gửi.", typed, {}, 403)
    settled = workflow.round2_rows(agency.submission) if agency.submission else {}
    errors: dict[str, str] = {}
    changed: list[tuple[Appraisal, str]] = []
    for row in rows:
        text = typed[row.leaf]
        if row.leaf in settled:
            continue  # closed: the panel has decided
        if len(text) > MAX_ANSWER:
            errors[row.leaf] = (
                f"Nội dung dài {formatting.number(len(text), 0)} ký tự, tối đa "
                f"{formatting.number(MAX_ANSWER, 0)} ký tự."
            )
        elif not text and row.answer:
            errors[row.leaf] = "Không được để trống nội dung giải trình đã gửi."
        elif text and text != row.answer:
            changed.append((row, text))
    if errors:
        return AnswerOutcome(
            False,
            "Giải trình chưa được gửi; xem thông báo bên cạnh từng tiêu chí.",
            typed,
            errors,
            200,
        )
    if not changed:
        return AnswerOutcome(True, "Không có thay đổi nào cần gửi.")
    stamp = utcnow()
    with commit_or_conflict(_AnsweredMeanwhile) as saved:
        for row, text in changed:
            # written only if the answer is still the one this page read: of two tabs (or a
            # double click) sending at once, one is saved and audited
            still = (
                Appraisal.answer.is_(None) if row.answer is None else Appraisal.answer == row.answer
            )
            done = db.session.execute(
                db.update(Appraisal)
                .where(Appraisal.id == row.id, still)
                .values(answer=text, answered_at=stamp, answered_by=user.id)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise _AnsweredMeanwhile
            audit(
                user, "explanation", row.leaf, row.answer, text, agency=agency, reason="giải trình"
            )
        now_answered = {row.leaf: text for row, text in changed}
        flagged = _flagged(agency)
        if flagged and all(now_answered.get(r.leaf) or r.answer for r in flagged):
            # every question answered: the panel is told once (web/notify.py)
            notify.explanations_answered(agency, len(flagged))
        for row, _ in changed:
            db.session.expire(row)
    if not saved.ok:
        return AnswerOutcome(False, ANSWERED_MEANWHILE, typed, {}, 409)
    codes = ", ".join(row.leaf for row, _ in changed)
    return AnswerOutcome(True, f"Đã gửi giải trình {len(changed)} tiêu chí: {codes}.")


# ================================================================================== documents
def question_of(agency: Agency, code: str, now: dt.datetime | None = None) -> Question:
    """One flagged leaf of the agency (404 for any other leaf)."""
    for q in explanation_page(agency, now=now).questions:
        if q.code == code:
            return q
    raise NotFound("Tiêu chí này không được yêu cầu giải trình.")


def _gate(code: str) -> ev.Gate:
    """Documents of a flagged leaf may change while the agency may answer and the panel has not
    settled the leaf."""

    def gate(agency: Agency, now: dt.datetime | None) -> tuple[bool, str]:
        ok, why = window(agency, now)
        if not ok:
            return ok, why
        if agency.submission is not None and code in workflow.round2_rows(agency.submission):
            return False, "Tổ thẩm định đã chấm vòng 2 tiêu chí này."
        return True, ""

    return gate


def add_document(
    agency: Agency,
    user: User,
    code: str,
    form: Mapping[str, str],
    upload: FileStorage | None,
    folder: str | Path,
    max_mb: int,
    now: dt.datetime | None = None,
) -> ev.EvidenceOutcome:
    question_of(agency, code, now)
    return ev.add_evidence(
        agency, user, code, form, upload, folder, max_mb, now, gate=_gate(code), explanation=True
    )


def delete_document(
    agency: Agency, user: User, evidence_id: int, folder: str | Path, now: dt.datetime | None = None
) -> tuple[bool, str, str]:
    """Delete a document the agency added while explaining (never one of the self-assessment)."""
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.entry.submission.agency_id != agency.id or not item.explanation:
        raise NotFound("Không tìm thấy minh chứng bổ sung.")
    code = item.entry.leaf
    question_of(agency, code, now)
    return ev.delete_evidence(agency, user, evidence_id, folder, now, gate=_gate(code))
