"""The web app's database: SQLAlchemy 2 models (schema changes go through Alembic)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, event, false
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from parindex.dates import vietnam_now


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def utcnow() -> dt.datetime:
    """When something happened: stored as naive UTC (shown in Vietnam time)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def vn_now() -> dt.datetime:
    """Now in Vietnam time, naive: what deadlines (stored as typed, Vietnam time) compare with."""
    return vietnam_now()


class User(db.Model, UserMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    #: the unit (đơn vị) an officer's account belongs to, across cycles: the account sees every
    #: cycle in which this unit is assessed (the secretariat may move it to a merged unit)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: the password was given by someone else (agency import, a new password from the
    #: secretariat): every page but log-out and the password change waits until it is changed
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the second factor (TOTP, RFC 6238; web/second_factor.py): the shared secret (base32),
    #: set when enrolment begins; in use once ``totp_enrolled_at`` is set
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enrolled_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    #: the time step of the last code accepted: a code is accepted once (no replay)
    totp_last_step: Mapped[int | None] = mapped_column(nullable=True)
    #: the last successful log-in (UTC); None when it never logged in since this was recorded
    last_login_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])

    @property
    def is_active(self) -> bool:
        return self.active


class LoginSession(db.Model):  # type: ignore[name-defined,misc]
    """A session opened by a log-in, kept on the server: the browser's cookie holds only a
    random token whose SHA-256 is stored here. Log-out deletes the row, a password change deletes
    every row of the user; a cookie whose row is gone opens nothing (web/sessions.py)."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RecoveryCode(db.Model):  # type: ignore[name-defined,misc]
    """A single-use recovery code of a user's second factor: only its SHA-256 is kept, and the
    row is deleted when the code is used."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Cycle(db.Model):  # type: ignore[name-defined,misc]
    """One year's assessment: its criteria sets, agencies and deadlines."""

    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300))
    self_deadline: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    explanation_deadline: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: when the secretariat opened the cycle to the agencies; ``None`` while it is being prepared
    #: (its criteria sets may still change; officers do not see it)
    opened_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    #: the cycle it was rolled forward from ("Tạo kỳ đánh giá mới từ năm trước"), if any
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id"), nullable=True)

    criteria: Mapped[list[CriteriaRecord]] = relationship(back_populates="cycle")
    agencies: Mapped[list[Agency]] = relationship(back_populates="cycle")
    previous: Mapped[Cycle | None] = relationship(remote_side=[id])

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None


class CriteriaRecord(db.Model):  # type: ignore[name-defined,misc]
    """A criteria set loaded for a block of a cycle: the YAML text as validated by the engine."""

    __tablename__ = "criteria_sets"
    __table_args__ = (UniqueConstraint("cycle_id", "block"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    block: Mapped[str] = mapped_column(String(50))
    set_id: Mapped[str] = mapped_column(String(100))
    block_name: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(300))
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    cycle: Mapped[Cycle] = relationship(back_populates="criteria")


def get_cycle(year: int) -> Cycle | None:
    """The cycle of ``year``, or None."""
    return db.session.execute(db.select(Cycle).filter_by(year=year)).scalar_one_or_none()


#: the kinds of unit (one home for the codes and labels: parindex.lineage.UNIT_TYPES)
UNIT_TYPE_OTHER = "khac"


class Unit(db.Model):  # type: ignore[name-defined,misc]
    """A unit (đơn vị) that outlives a cycle: a department, a district or commune committee, a
    ward, a special zone. Its code is its stable identity; each cycle assesses it as an
    :class:`Agency` row (the name and block of that year); its lineage (merged from, split into,
    renamed, dissolved) is in :class:`UnitLink`."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    #: the current name (each cycle keeps the name of its year on its Agency row)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(20), default=UNIT_TYPE_OTHER)
    #: the day it ceased to exist (dissolved, merged into another); None while it exists
    ended_on: Mapped[dt.date | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UnitLink(db.Model):  # type: ignore[name-defined,misc]
    """One link of the units' lineage, as the province's reorganisation resolution states it:
    ``old`` → ``new`` by ``change`` (merged, split, renamed, dissolved, new) from ``effective``.
    A merger is one row per old unit; a split one row per new unit; a dissolved unit has no new
    unit, a new one no old unit."""

    __tablename__ = "unit_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    old_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id"), nullable=True, index=True
    )
    new_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id"), nullable=True, index=True
    )
    change: Mapped[str] = mapped_column(String(20))
    effective: Mapped[dt.date] = mapped_column()
    #: the new unit's name from that day, when the resolution gives one
    name: Mapped[str] = mapped_column(String(300), default="")
    #: the legal basis (căn cứ), e.g. "Nghị quyết số 1662/NQ-UBTVQH15"
    basis: Mapped[str] = mapped_column(String(300), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    old_unit: Mapped[Unit | None] = relationship(foreign_keys=[old_unit_id])
    new_unit: Mapped[Unit | None] = relationship(foreign_keys=[new_unit_id])


class Agency(db.Model):  # type: ignore[name-defined,misc]
    """A unit as one cycle assesses it: its code, name and block in that year."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("cycle_id", "code"), UniqueConstraint("cycle_id", "unit_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    #: the unit; set from ``code`` when the row is first written (:func:`_agency_units`)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True, index=True)
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    block: Mapped[str] = mapped_column(String(50))

    cycle: Mapped[Cycle] = relationship(back_populates="agencies")
    unit: Mapped[Unit | None] = relationship()
    submission: Mapped[Submission | None] = relationship(back_populates="agency", uselist=False)


class Submission(db.Model):  # type: ignore[name-defined,misc]
    """An agency's self-assessment for its cycle: draft until submitted, then read-only. Its
    ``state`` moves only through :func:`web.workflow.transition` (docs/web.md, "Appraisal")."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), unique=True)
    state: Mapped[str] = mapped_column(String(30), default="draft")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    #: the last change of state: when (UTC) and by whom (the history is in the audit table)
    state_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    state_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    agency: Mapped[Agency] = relationship(back_populates="submission")
    entries: Mapped[list[Entry]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    appraisals: Mapped[list[Appraisal]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Appraisal.id"
    )


#: the facts an entry's data holds (``Entry.data``; docs/submission-format.md), in form order
ENTRY_DATA_KEYS = (
    "done",
    "date",
    "numerator",
    "denominator",
    "count",
    "level",
    "score",
    "did_not_arise",
    "explanation",
)


class Entry(db.Model):  # type: ignore[name-defined,misc]
    """One leaf of a submission: its facts, "did not arise" reason, explanation (JSON)."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("submission_id", "leaf"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    leaf: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    submission: Mapped[Submission] = relationship(back_populates="entries")
    #: loaded with the entries, one query for all of them (never one query per entry)
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="Evidence.id",
        lazy="selectin",
    )


class SubmissionReport(db.Model):  # type: ignore[name-defined,misc]
    """The agency's self-assessment report (báo cáo tự đánh giá) around its submission: the
    texts the officer writes for it (difficulties and proposals, the signer) and, once
    submitted, the signed scan, which is the submission's cover document. The figures are never
    stored: the report reads them from the engine each time (web/agency/report.py)."""

    __tablename__ = "submission_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), unique=True)
    difficulties: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    signer_title: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    #: the signed scan (PDF or image, checked by content like evidence; a generated name)
    scan_original_name: Mapped[str] = mapped_column(String(300), default="")
    scan_stored_name: Mapped[str] = mapped_column(String(100), default="")
    scan_content_type: Mapped[str] = mapped_column(String(100), default="")
    scan_size: Mapped[int] = mapped_column(default=0)
    scan_uploaded_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    scan_uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    submission: Mapped[Submission] = relationship()


class Evidence(db.Model):  # type: ignore[name-defined,misc]
    """A document cited for a leaf (tài liệu kiểm chứng): metadata plus a stored file or a link."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    number: Mapped[str] = mapped_column(String(100))
    date: Mapped[dt.date | None] = mapped_column(nullable=True)
    issuer: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    original_name: Mapped[str] = mapped_column(String(300), default="")
    stored_name: Mapped[str] = mapped_column(String(100), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    #: added by the agency while answering the panel's questions (giải trình)
    explanation: Mapped[bool] = mapped_column(default=False, server_default=false())

    entry: Mapped[Entry] = relationship(back_populates="evidence")


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """Append-only record of every change: who, when, what, old value, new value, reason."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id"), nullable=True, index=True
    )
    entity: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(200), default="")
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class Appraisal(db.Model):  # type: ignore[name-defined,misc]
    """The panel's score of one leaf of a submission in one round (1 or 2): the current value;
    every change is also in the audit table.

    ``score_c`` is in hundredths of a point; ``None`` only on a leaf the agency declared "did not
    arise" (excluded), meaning the panel accepts it. Round 1 carries the request for an
    explanation (``flagged``, ``question``) and the agency's answer; round 2 settles a flagged
    leaf after the explanation."""

    __tablename__ = "appraisals"
    __table_args__ = (UniqueConstraint("submission_id", "leaf", "round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    leaf: Mapped[str] = mapped_column(String(50))
    round: Mapped[int] = mapped_column()
    score_c: Mapped[int | None] = mapped_column(nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    flagged: Mapped[bool] = mapped_column(default=False)
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="appraisals")
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


class Assignment(db.Model):  # type: ignore[name-defined,misc]
    """Which leaves an appraiser appraises in a cycle: those of a field (``code`` "3"), of a
    criterion ("3.2") or the bonus and penalty items ("thuong-tru"), in one block or, with
    ``block`` "", in every block."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("cycle_id", "user_id", "block", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    block: Mapped[str] = mapped_column(String(50), default="")
    code: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    cycle: Mapped[Cycle] = relationship()


class SurveyResult(db.Model):  # type: ignore[name-defined,misc]
    """A survey's result for an agency of a cycle (SIPAS, the officials' survey), imported by the
    secretariat from a file the engine validated: the survey leaves' points come from here."""

    __tablename__ = "survey_results"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id", "survey"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    survey: Mapped[str] = mapped_column(String(100))
    result_u: Mapped[int] = mapped_column()  # 1/10000 of a percent (87.5 % → 875000)
    sample_size: Mapped[int | None] = mapped_column(nullable=True)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    agency: Mapped[Agency] = relationship()


class Publication(db.Model):  # type: ignore[name-defined,misc]
    """One published version of a cycle's results: never changed after it is written; a
    correction (đính chính) is a new version with its reason."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("cycle_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    version: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    results_json: Mapped[str] = mapped_column(Text)
    decision_xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    #: the council's decision that approved these results (None before the council was recorded)
    council_decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("council_decisions.id"), nullable=True
    )
    #: why it was published while survey results were missing ("" when none was missing)
    survey_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    cycle: Mapped[Cycle] = relationship()
    by: Mapped[User | None] = relationship(foreign_keys=[published_by])
    council: Mapped[CouncilDecision | None] = relationship()


class CouncilDecision(db.Model):  # type: ignore[name-defined,misc]
    """A session of the appraisal council on a cycle's results (:mod:`web.council`): its
    decision number and date, its members and their votes, and the hash of the results it saw.
    Never changed: a new session is a new row."""

    __tablename__ = "council_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[dt.date] = mapped_column()
    snapshot: Mapped[str] = mapped_column(String(64))  # sha256 of the results it approved
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    cycle: Mapped[Cycle] = relationship()
    by: Mapped[User | None] = relationship(foreign_keys=[recorded_by])
    members: Mapped[list[CouncilMember]] = relationship(
        back_populates="decision", order_by="CouncilMember.position"
    )


class CouncilMember(db.Model):  # type: ignore[name-defined,misc]
    """One member of the council at a session: name, role, how they took part (``present``,
    ``written``, ``absent``) and their vote (``agree``, ``disagree``, ``abstain``; "" when
    absent)."""

    __tablename__ = "council_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("council_decisions.id"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    attendance: Mapped[str] = mapped_column(String(20))
    vote: Mapped[str] = mapped_column(String(20))

    decision: Mapped[CouncilDecision] = relationship(back_populates="members")


class Notification(db.Model):  # type: ignore[name-defined,misc]
    """A notification to one user: an entry of the in-app list (/thong-bao) and, in the same
    row, the outbox of its e-mail. It is written in the transaction of the change it tells of
    (web/notify.py), so nothing is lost when the mail server is down: the mail waits here
    (``mail_sent_at`` None) until web/mailer.py sends it, right after the commit or at the next
    ``parindex remind``. ``key`` makes a reminder unique per user: the same one is never written
    twice."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: what it tells of (web.notify.KINDS)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: the page it is about (a path of this site), or ""
    link: Mapped[str] = mapped_column(String(300), default="")
    #: a reminder's key (deadline, unit, days before); None for the notice of a change of state
    key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    #: the outbox: the address when written ("" when the account has none: no mail)
    email: Mapped[str] = mapped_column(String(200), default="")
    mail_sent_at: Mapped[dt.datetime | None] = mapped_column(nullable=True, index=True)
    mail_attempts: Mapped[int] = mapped_column(default=0)
    mail_error: Mapped[str] = mapped_column(Text, default="")
    #: a sender working on it (token, since when): two senders never send the same mail
    mail_claim: Mapped[str | None] = mapped_column(String(32), nullable=True)
    mail_claimed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    user: Mapped[User] = relationship()


class PlanTask(db.Model):  # type: ignore[name-defined,misc]
    """A task of a cycle's yearly CCHC plan, as imported from its appendix (parindex/plan.py):
    its reform area, texts, the due date its time text means and its lead units' text. Each
    lead unit reports it in a :class:`PlanReport`."""

    __tablename__ = "plan_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    #: the task's row in the imported file (its order)
    position: Mapped[int] = mapped_column()
    area: Mapped[str] = mapped_column(String(300), default="")
    stt: Mapped[str] = mapped_column(String(20), default="")
    task: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(Text, default="")
    due_text: Mapped[str] = mapped_column(String(200))
    due: Mapped[dt.date] = mapped_column()
    lead_text: Mapped[str] = mapped_column(Text)
    coordinating: Mapped[str] = mapped_column(Text, default="")

    reports: Mapped[list[PlanReport]] = relationship(back_populates="task")


class PlanReport(db.Model):  # type: ignore[name-defined,misc]
    """One lead unit's report of one plan task: done (its completion date and the product's
    document: number-symbol, date, title), not done, or not yet reported (``status`` "")."""

    __tablename__ = "plan_reports"
    __table_args__ = (UniqueConstraint("task_id", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: "" not reported, "done", "not-done" (web/plan.py STATUS_LABELS)
    status: Mapped[str] = mapped_column(String(20), default="")
    completed_on: Mapped[dt.date | None] = mapped_column(nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    doc_number: Mapped[str] = mapped_column(String(100), default="")
    doc_date: Mapped[dt.date | None] = mapped_column(nullable=True)
    doc_title: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    task: Mapped[PlanTask] = relationship(back_populates="reports")
    agency: Mapped[Agency] = relationship()


def unit_for(code: str, name: str) -> Unit:
    """The unit of ``code``, created (named ``name``) when there is none yet."""
    unit = db.session.execute(db.select(Unit).filter_by(code=code)).scalar_one_or_none()
    if unit is None:
        unit = Unit(code=code, name=name)
        db.session.add(unit)
    return unit


@event.listens_for(Session, "before_flush")
def _agency_units(session: Any, flush_context: Any, instances: Any) -> None:
    """Every agency row written belongs to a unit: the unit of its code (made when new), so
    each way an agency is created (import, demo, roll forward) joins the same identity."""
    made: dict[str, Unit] = {}
    for obj in list(session.new):
        if isinstance(obj, Agency) and obj.unit is None and obj.unit_id is None:
            if obj.code in made:
                obj.unit = made[obj.code]
                continue
            with session.no_autoflush:
                unit = session.execute(
                    db.select(Unit).filter_by(code=obj.code)
                ).scalar_one_or_none()
            if unit is None:
                unit = Unit(code=obj.code, name=obj.name)
                session.add(unit)
            made[obj.code] = unit
            obj.unit = unit


class AuditTampering(RuntimeError):
    """An attempt to change or delete an audit entry (the audit table is append-only)."""


@event.listens_for(Session, "before_flush")
def _audit_append_only(session: Any, flush_context: Any, instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, (AuditEntry, Publication)) and session.is_modified(obj):
            raise AuditTampering(f"{type(obj).__name__} không được sửa (chỉ ghi thêm).")
    for obj in session.deleted:
        if isinstance(obj, (AuditEntry, Publication)):
            raise AuditTampering(f"{type(obj).__name__} không được xóa (chỉ ghi thêm).")
