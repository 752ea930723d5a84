"""The appraisal council's decision on a cycle's results (Hội đồng thẩm định).

A decision is valid when more than half of the council's members agree, present or in
writing: ``agree × 2 > members`` (:func:`passes`; exactly half is not a majority). Each session
is recorded with the hash of the results the council saw (:func:`snapshot`); publishing needs
the cycle's latest session to have passed on exactly the current results
(:func:`approval_refusal`): a later change to any result makes the approval stale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from parindex.export import json_default
from parindex.text import TextError, parse_date
from web.audit import audit
from web.formatting import date as vn_date
from web.models import CouncilDecision, CouncilMember, Cycle, User, db

#: how a member took part in the session
ATTENDANCE = {"present": "Có mặt", "written": "Biểu quyết bằng văn bản", "absent": "Vắng mặt"}
#: a member's vote
VOTES = {"agree": "Đồng ý", "disagree": "Không đồng ý", "abstain": "Không biểu quyết"}
#: how many member rows the form offers
FORM_ROWS = 12


def passes(votes: list[str], members: int) -> bool:
    """Whether a session's votes make a valid decision: more than half of the ``members``
    agree (present or in writing).

    >>> passes(["agree", "agree", "disagree"], 3)
    True
    >>> passes(["agree", "agree", "disagree", "abstain"], 4)
    False
    """
    return members > 0 and votes.count("agree") * 2 > members


def needed(members: int) -> int:
    """The fewest agreeing votes that are more than half of ``members``."""
    return members // 2 + 1


def snapshot(blocks: list[dict[str, Any]]) -> str:
    """The hash (sha256, hex) of a cycle's results: the ``blocks`` of a results mapping (every
    agency's rank, index, totals and per-field and per-criterion points, each block's criteria
    hash and the change since last year), written canonically."""
    text = json.dumps(blocks, ensure_ascii=False, sort_keys=True, default=json_default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_valid(decision: CouncilDecision) -> bool:
    return passes([m.vote for m in decision.members], len(decision.members))


def agreeing(decision: CouncilDecision) -> int:
    return sum(m.vote == "agree" for m in decision.members)


def decisions(cycle: Cycle) -> list[CouncilDecision]:
    """The cycle's council sessions, the newest first."""
    return list(
        db.session.execute(
            db.select(CouncilDecision)
            .filter_by(cycle_id=cycle.id)
            .order_by(CouncilDecision.id.desc())
        ).scalars()
    )


def latest(cycle: Cycle) -> CouncilDecision | None:
    found = decisions(cycle)
    return found[0] if found else None


def title(decision: CouncilDecision) -> str:
    return f"Quyết định số {decision.number} ngày {vn_date(decision.decided_on)}"


def approval_refusal(cycle: Cycle, current: str) -> str:
    """Why the council's approval does not allow publishing the results whose hash is
    ``current`` ("" when it does): the cycle's latest session must have passed on them."""
    decision = latest(cycle)
    if decision is None:
        return (
            f"Chưa có quyết định phê duyệt của Hội đồng thẩm định cho kết quả năm {cycle.year}: "
            "hãy ghi nhận phiên họp của Hội đồng trước khi công bố."
        )
    if not is_valid(decision):
        members = len(decision.members)
        return (
            f"{title(decision)} của Hội đồng không được thông qua: {agreeing(decision)}/{members} "
            f"thành viên đồng ý, cần quá nửa (ít nhất {needed(members)})."
        )
    if decision.snapshot != current:
        return (
            f"Kết quả đã thay đổi sau {title(decision)} của Hội đồng thẩm định: "
            "cần Hội đồng phê duyệt lại kết quả hiện tại."
        )
    return ""


# ------------------------------------------------------------------------------ recording
@dataclass
class MemberRow:
    name: str = ""
    role: str = ""
    attendance: str = "present"
    vote: str = ""
    error: str = ""


@dataclass
class CouncilForm:
    """What the secretariat typed, and each problem beside the input that caused it."""

    number: str = ""
    decided_on: str = ""
    rows: list[MemberRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.error for r in self.rows)


def blank_form(cycle: Cycle) -> CouncilForm:
    """An empty form, its member rows filled with the names and roles of the last session
    recorded (of any cycle: a council changes little from year to year)."""
    last = db.session.execute(
        db.select(CouncilDecision).order_by(CouncilDecision.id.desc()).limit(1)
    ).scalar_one_or_none()
    rows = [MemberRow(m.name, m.role) for m in last.members] if last is not None else []
    rows += [MemberRow() for _ in range(max(3, FORM_ROWS - len(rows)))]
    return CouncilForm(rows=rows)


def read_form(form: Mapping[str, str], count: int) -> CouncilForm:
    """The form's values (``count`` member rows), checked. A row with no name is left out."""
    out = CouncilForm(number=form.get("number", "").strip(), decided_on=form.get("decided_on", ""))
    if not out.number:
        out.errors["number"] = "Nhập số quyết định của Hội đồng."
    elif len(out.number) > 60:
        out.errors["number"] = "Số quyết định dài quá 60 ký tự."
    when = parse_date(out.decided_on)
    if isinstance(when, TextError):
        out.errors["decided_on"] = "Ngày quyết định phải có dạng ngày/tháng/năm, ví dụ 15/01/2025."
    elif when > dt.date.today() + dt.timedelta(days=1):
        out.errors["decided_on"] = "Ngày quyết định ở tương lai."
    for i in range(count):
        row = MemberRow(
            form.get(f"name-{i}", "").strip(),
            form.get(f"role-{i}", "").strip(),
            form.get(f"attendance-{i}", ""),
            form.get(f"vote-{i}", ""),
        )
        out.rows.append(row)
        if not row.name:
            continue
        if len(row.name) > 200 or len(row.role) > 200:
            row.error = "Họ tên và chức danh không quá 200 ký tự."
        elif not row.role:
            row.error = "Nhập chức danh trong Hội đồng (ví dụ Chủ tịch, Thành viên)."
        elif row.attendance not in ATTENDANCE:
            row.error = "Chọn hình thức tham dự."
        elif row.attendance == "absent":
            row.vote = ""
        elif row.vote not in VOTES:
            row.error = "Chọn biểu quyết của thành viên."
    if not any(r.name for r in out.rows):
        out.errors["members"] = "Nhập ít nhất một thành viên Hội đồng."
    return out


def record(cycle: Cycle, form: CouncilForm, seen: str, user: User) -> CouncilDecision:
    """Save a session whose ``form`` is valid, with the hash of the results it saw; audited.
    The caller commits."""
    when = parse_date(form.decided_on)
    assert not isinstance(when, TextError)
    decision = CouncilDecision(
        cycle_id=cycle.id, number=form.number, decided_on=when, snapshot=seen, recorded_by=user.id
    )
    members = [r for r in form.rows if r.name]
    for i, row in enumerate(members):
        decision.members.append(
            CouncilMember(
                position=i, name=row.name, role=row.role, attendance=row.attendance, vote=row.vote
            )
        )
    db.session.add(decision)
    verdict = "thông qua" if is_valid(decision) else "không thông qua"
    audit(
        user,
        "council",
        f"{cycle.year}/{form.number}",
        "",
        f"{agreeing(decision)}/{len(members)} đồng ý: {verdict}; kết quả {seen[:12]}",
        reason=title(decision),
    )
    return decision
