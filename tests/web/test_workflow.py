"""The states of a submission (web/workflow.py): every (from, to, role) outside the table is
refused with its Vietnamese message; every move in it succeeds when its conditions hold, is
recorded and audited; the conditions themselves (all leaves appraised, flagged or not, settled)
and the agency's own submission go through the same function."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import login, post
from web import workflow
from web.engine import appraisable_codes
from web.models import Agency, Appraisal, Assignment, AuditEntry, Cycle, Submission, User, db
from web.workflow import IllegalTransition, transition

LABELS = {
    "draft": "Bản nháp",
    "submitted": "Đã nộp",
    "appraised_1": "Đã thẩm định vòng 1",
    "explanation": "Đang giải trình",
    "appraised_2": "Đã thẩm định vòng 2",
    "approved": "Đã phê duyệt",
    "published": "Đã công bố",
}
ROLES = ("agency", "appraiser", "secretariat", "admin")
ROLE_NAMES = {
    "agency": "Cán bộ đầu mối CCHC",
    "appraiser": "Thành viên Tổ thẩm định",
    "secretariat": "Sở Nội vụ (thường trực)",
    "admin": "Quản trị hệ thống",
}
PANEL = {"appraiser", "secretariat", "admin"}
STAFF = {"secretariat", "admin"}
#: the specification, written out independently of web/workflow.py
LEGAL: dict[tuple[str, str], set[str]] = {
    ("draft", "submitted"): {"agency"},
    ("submitted", "draft"): STAFF,  # returned to the agency, with a reason
    ("submitted", "appraised_1"): PANEL,
    ("appraised_1", "explanation"): PANEL,  # only when a leaf is flagged
    ("appraised_1", "approved"): STAFF,  # only when no leaf is flagged
    ("explanation", "appraised_2"): PANEL,
    ("appraised_2", "approved"): STAFF,
    ("approved", "published"): STAFF,
}
EMAILS = {
    "agency": "xa-a@thu.vn",
    "appraiser": "thamdinh@thu.vn",
    "secretariat": "sonoivu@thu.vn",
    "admin": "quantri@thu.vn",
}


def test_the_table_is_the_specification() -> None:
    assert list(workflow.STATES) == list(LABELS)
    assert workflow.STATE_LABELS == LABELS
    table = {key: set(t.roles) for key, t in workflow.TRANSITIONS.items()}
    assert table == LEGAL
    assert {k for k, t in workflow.TRANSITIONS.items() if t.reason_required} == {
        ("submitted", "draft")
    }


LEGAL_MOVES = [(old, new, role) for (old, new), roles in LEGAL.items() for role in sorted(roles)]
ILLEGAL = [
    (old, new, role)
    for old, new, role in itertools.product(LABELS, LABELS, ROLES)
    if role not in LEGAL.get((old, new), set())
]


def test_the_live_code_allows_exactly_the_specified_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every (from, to, role) of the product is put to the live :func:`workflow.refusal`, with
    the conditions (guards, assignment) taken as met: it must let through exactly the moves of
    the hand-made table and refuse every other one with one of the table's two messages. The
    allowed set comes from the code, not from the table, so an extra or missing move fails."""
    free = {k: dataclasses.replace(t, guard=None) for k, t in workflow.TRANSITIONS.items()}
    monkeypatch.setattr(workflow, "TRANSITIONS", free)
    monkeypatch.setattr(workflow, "_assigned", lambda user, agency: True)
    allowed, refused = set(), set()
    for old, new, role in itertools.product(LABELS, LABELS, ROLES):
        sub = Submission(state=old, agency=_own_agency())
        why = workflow.refusal(sub, new, User(role=role, unit_id=1), reason="lý do")
        if why == "":
            allowed.add((old, new, role))
        else:
            assert why.startswith((ROLE_NAMES[role], "Không thể chuyển hồ sơ từ")), why
            refused.add((old, new, role))
    assert allowed == set(LEGAL_MOVES)
    assert len(allowed) == 18  # counted by hand: 1 + 2 + 3 + 3 + 2 + 3 + 2 + 2 roles per move
    assert len(refused) == 7 * 7 * 4 - 18


def _own_agency() -> Agency:
    """An agency row of unit 1 in an opened cycle: an officer of unit 1 owns it."""
    cycle = Cycle(year=2025, title="2025", opened_at=dt.datetime(2025, 1, 2))
    return Agency(cycle=cycle, unit_id=1, code="xa-a", name="Xã A", block="xa")


@pytest.mark.parametrize(("old", "new", "role"), ILLEGAL)
def test_every_illegal_move_is_refused_with_its_message(old: str, new: str, role: str) -> None:
    sub = Submission(state=old, agency=_own_agency())
    user = User(role=role, unit_id=1, email=f"{role}@thu.vn")
    if (old, new) in LEGAL:
        expected = (
            f"{ROLE_NAMES[role]} không được chuyển hồ sơ từ “{LABELS[old]}” sang “{LABELS[new]}”."
        )
    else:
        expected = f"Không thể chuyển hồ sơ từ “{LABELS[old]}” sang “{LABELS[new]}”."
    with pytest.raises(IllegalTransition) as e:
        transition(sub, new, user, reason="lý do")
    assert e.value.message == expected
    assert sub.state == old  # nothing changed


def test_an_unknown_state_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="Trạng thái “closed” không tồn tại."):
        transition(Submission(state="submitted"), "closed", User(role="admin"))


# ------------------------------------------------------------------------------- legal moves
def _setup(app: Flask, cycle: dict[str, Any], old: str, new: str, role: str) -> None:
    """xa-a's submission in state ``old`` with what the move to ``new`` needs; the appraiser
    is assigned field 1 of the commune block."""
    with app.app_context():
        agency = db.session.get(Agency, cycle["agency_ids"]["xa-a"])
        assert agency is not None and agency.submission is not None
        sub = agency.submission
        sub.state = old  # test set-up only: the app changes states through transition()
        appraiser = _user("appraiser")
        db.session.add(
            Assignment(cycle_id=agency.cycle_id, user_id=appraiser.id, block="xa", code="1")
        )
        if old in ("submitted", "appraised_1", "explanation", "appraised_2"):
            for code in appraisable_codes(agency):
                db.session.add(Appraisal(submission=sub, leaf=code, round=1, score_c=0))
        if (old, new) in (("appraised_1", "explanation"), ("explanation", "appraised_2")):
            row = next(a for a in sub.appraisals if a.leaf == "1.1.1")
            row.flagged, row.question = True, "Bổ sung kế hoạch"
        if (old, new) == ("explanation", "appraised_2"):
            db.session.add(Appraisal(submission=sub, leaf="1.1.1", round=2, score_c=50, reason="r"))
        db.session.commit()


def _user(role: str) -> User:
    return db.session.execute(db.select(User).filter_by(email=EMAILS[role])).scalar_one()


def _sub(cycle: dict[str, Any], code: str = "xa-a") -> Submission:
    agency = db.session.get(Agency, cycle["agency_ids"][code])
    assert agency is not None and agency.submission is not None
    return agency.submission


@pytest.mark.parametrize(("old", "new", "role"), LEGAL_MOVES)
def test_every_legal_move_succeeds_and_is_audited(
    app: Flask, cycle: dict[str, Any], old: str, new: str, role: str
) -> None:
    _setup(app, cycle, old, new, role)
    with app.app_context():
        sub, user = _sub(cycle), _user(role)
        transition(sub, new, user, reason="Thiếu báo cáo quý IV" if new == "draft" else "")
        db.session.commit()
        sub = _sub(cycle)
        assert sub.state == new and sub.state_by == user.id and sub.state_at is not None
        if new == "submitted":
            assert (sub.submitted_by, sub.submitted_at) == (user.id, sub.state_at)
        [entry] = db.session.execute(db.select(AuditEntry).filter_by(entity="submission")).scalars()
        assert (entry.key, entry.old, entry.new, entry.user_id) == ("xa-a", old, new, user.id)
        assert entry.agency_id == cycle["agency_ids"]["xa-a"]
        assert entry.reason == (
            "Thiếu báo cáo quý IV" if new == "draft" else workflow.TRANSITIONS[(old, new)].action
        )


# -------------------------------------------------------------------------------- conditions
def _refused(app: Flask, cycle: dict[str, Any], new: str, role: str, reason: str = "") -> str:
    with app.app_context():
        sub = _sub(cycle)
        with pytest.raises(IllegalTransition) as e:
            transition(sub, new, _user(role), reason=reason)
        db.session.rollback()
        assert _sub(cycle).state != new
        assert db.session.execute(db.select(AuditEntry)).first() is None
        return e.value.message


def test_returning_to_the_agency_needs_a_reason(app: Flask, cycle: dict[str, Any]) -> None:
    _setup(app, cycle, "submitted", "draft", "secretariat")
    assert (
        _refused(app, cycle, "draft", "secretariat", "  ") == "Phải nêu lý do khi trả lại đơn vị."
    )


def test_round_1_is_complete_only_when_every_leaf_is_appraised(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _setup(app, cycle, "submitted", "appraised_1", "appraiser")
    with app.app_context():
        sub = _sub(cycle)
        for row in [a for a in sub.appraisals if a.leaf in ("1.1.2", "7.1.1", "T.1")]:
            db.session.delete(row)
        db.session.commit()
    message = _refused(app, cycle, "appraised_1", "appraiser")
    assert message == "Còn 3 tiêu chí chưa thẩm định vòng 1: 1.1.2, 7.1.1, T.1."


def test_the_commune_set_has_74_leaves_to_appraise(app: Flask, cycle: dict[str, Any]) -> None:
    """xa.yaml: 74 sub-criteria, 6 of them survey-scored, plus 3 bonus and 3 penalty items."""
    with app.app_context():
        codes = appraisable_codes(db.session.get(Agency, cycle["agency_ids"]["xa-a"]))
        assert len(codes) == 68 + 6 and "8.1.1" not in codes and codes[-1] == "TR.3"


def test_explanation_only_when_flagged_approval_only_when_not(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _setup(app, cycle, "appraised_1", "approved", "secretariat")
    assert _refused(app, cycle, "explanation", "appraiser") == (
        "Không có tiêu chí nào được yêu cầu giải trình."
    )
    with app.app_context():
        row = next(a for a in _sub(cycle).appraisals if a.leaf == "2.1.1")
        row.flagged = True
        db.session.commit()
    assert _refused(app, cycle, "approved", "secretariat") == (
        "Có 1 tiêu chí được yêu cầu giải trình (2.1.1); đơn vị phải giải trình và thẩm định "
        "vòng 2 trước khi phê duyệt."
    )


def test_round_2_is_complete_only_when_every_flagged_leaf_is_settled(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _setup(app, cycle, "explanation", "appraised_2", "appraiser")
    with app.app_context():
        row = next(a for a in _sub(cycle).appraisals if a.leaf == "3.1.1" and a.round == 1)
        row.flagged = True
        db.session.commit()
    assert _refused(app, cycle, "appraised_2", "appraiser") == (
        "Còn 1 tiêu chí yêu cầu giải trình chưa chấm vòng 2: 3.1.1."
    )


def test_an_appraiser_not_assigned_to_the_block_is_refused(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _setup(app, cycle, "submitted", "appraised_1", "appraiser")
    with app.app_context():
        db.session.execute(db.delete(Assignment))
        db.session.add(
            Assignment(
                cycle_id=_sub(cycle).agency.cycle_id,
                user_id=_user("appraiser").id,
                block="so-nganh",
                code="1",
            )
        )
        db.session.commit()
    assert _refused(app, cycle, "appraised_1", "appraiser") == (
        "Bạn không được phân công thẩm định đơn vị này."
    )


def test_an_officer_cannot_submit_another_agency(app: Flask, cycle: dict[str, Any]) -> None:
    with app.app_context():
        sub = _sub(cycle, "xa-b")
        with pytest.raises(IllegalTransition) as e:
            transition(sub, "submitted", _user("agency"))
        assert e.value.message == "Chỉ cán bộ của chính đơn vị được thao tác trên hồ sơ của đơn vị."


def test_the_agency_submits_through_the_workflow(app: Flask, cycle: dict[str, Any]) -> None:
    """A submission refused by the table (already submitted) says so on the overview."""
    client = app.test_client()
    login(client, "xa-a@thu.vn")
    with app.app_context():
        _sub(cycle).state = "appraised_1"
        db.session.commit()
    post(client, "/don-vi/nop")
    html = client.get("/don-vi/").get_data(as_text=True)
    assert "Đã thẩm định vòng 1" in html
    assert "Không nộp được: Hồ sơ đã nộp; không thể sửa." in html
    with app.app_context():
        assert db.session.execute(db.select(AuditEntry)).first() is None


def test_a_returned_submission_is_a_draft_again_with_the_reason(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _setup(app, cycle, "submitted", "draft", "secretariat")
    with app.app_context():
        transition(
            _sub(cycle), "draft", _user("secretariat"), "Thiếu tài liệu kiểm chứng <b>1.1.1</b>"
        )
        db.session.commit()
    client = app.test_client()
    login(client, "xa-a@thu.vn")
    html = client.get("/don-vi/").get_data(as_text=True)
    assert "Bản nháp" in html
    assert "Lý do: Thiếu tài liệu kiểm chứng &lt;b&gt;1.1.1&lt;/b&gt;" in html
    assert "Nộp hồ sơ</a>" in html  # editable again before the deadline


# ---------------------------------------------------------------------------- many at once
def _in_state(app: Flask, cycle: dict[str, Any], state: str, codes: tuple[str, ...]) -> None:
    with app.app_context():
        for code in codes:
            _sub(cycle, code).state = state  # test set-up only
        db.session.commit()


def test_moving_many_at_once_audits_every_agency_as_one_move_would(
    app: Flask, cycle: dict[str, Any]
) -> None:
    codes = ("xa-a", "xa-b", "so-a")
    _in_state(app, cycle, "approved", codes)
    with app.app_context():
        user = _user("secretariat")
        subs = [_sub(cycle, code) for code in codes]
        workflow.transition_all(subs, "published", user, reason="  Công bố lần đầu ")
        assert [s.state for s in subs] == ["published"] * 3  # the session sees the new state
        db.session.commit()
        for code in codes:
            sub = _sub(cycle, code)
            assert (sub.state, sub.state_by) == ("published", user.id)
            assert sub.state_at is not None
        entries = db.session.execute(
            db.select(AuditEntry).filter_by(entity="submission").order_by(AuditEntry.key)
        ).scalars()
        assert [
            (e.key, e.agency_id, e.old, e.new, e.user_id, e.reason, e.at is not None)
            for e in entries
        ] == [
            (
                code,
                cycle["agency_ids"][code],
                "approved",
                "published",
                user.id,
                "Công bố lần đầu",
                True,
            )
            for code in sorted(codes)
        ]


def test_moving_many_at_once_writes_nothing_when_one_is_refused(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _in_state(app, cycle, "approved", ("xa-a", "so-a"))
    with app.app_context():
        subs = [_sub(cycle, code) for code in ("xa-a", "xa-b", "so-a")]  # xa-b is a draft
        with pytest.raises(IllegalTransition, match="^xa-b: Không thể chuyển hồ sơ từ"):
            workflow.transition_all(subs, "published", _user("secretariat"))
        db.session.rollback()
        assert [_sub(cycle, c).state for c in ("xa-a", "xa-b", "so-a")] == [
            "approved",
            "draft",
            "approved",
        ]
        assert (
            db.session.execute(db.select(AuditEntry).filter_by(entity="submission")).first() is None
        )


def test_moving_many_at_once_refuses_a_state_changed_meanwhile(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _in_state(app, cycle, "approved", ("xa-a", "xa-b"))
    with app.app_context():
        subs = [_sub(cycle, code) for code in ("xa-a", "xa-b")]
        # another request returns xa-b to its state before approval, after these were read
        db.session.execute(
            db.update(Submission)
            .where(Submission.id == subs[1].id)
            .values(state="appraised_2")
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(IllegalTransition, match="vừa được thay đổi"):
            workflow.transition_all(subs, "published", _user("secretariat"))
