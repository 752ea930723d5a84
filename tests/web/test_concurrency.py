"""A double click or two tabs on every state change and on the failed-log-in counter: one
effect, one audit row, a clear Vietnamese answer, never a 500.

Two ways of making requests meet:

- interleaved (deterministic): the first request is stopped after it has read and checked the
  state, just before it writes, and the second request runs whole from another client (in
  another thread: its own session and connection) in that moment; then the first goes on.
  Its conditional ``UPDATE … WHERE state = old`` matches no row (or, on SQLite, the database
  refuses a write from a stale snapshot); it answers that someone changed it meanwhile.
- threads against a live server (waitress): many real requests at once, for the counter.

The suite runs on SQLite and, in CI, on PostgreSQL (PARINDEX_TEST_DATABASE_URL).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import (
    NO_SURVEY_REASON,
    council_approves,
    csrf,
    login,
    post,
    prefill_self_assessment,
)
from tests.web.livesite import live_server
from web import workflow
from web.agency import explaining
from web.models import Agency, Appraisal, AuditEntry, Evidence, Publication, User, db


def _flashes(client: FlaskClient, r: TestResponse) -> str:
    """The messages the person sees after ``r`` (following its redirect)."""
    if r.status_code in (301, 302, 303):
        r = client.get(r.headers["Location"])
    return flash_text(r.get_data(as_text=True))


def flash_text(html: str) -> str:
    return " ".join(re.findall(r'<div class="flash [a-z]+" role="alert">([^<]*)</div>', html))


def _set_state(app: Flask, code: str, state: str) -> int:
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()
        assert agency.submission is not None
        agency.submission.state = state
        db.session.commit()
        return agency.id


def _audit_rows(app: Flask, entity: str) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).filter_by(entity=entity)).scalars()
        return [(r.key, r.old, r.new) for r in rows]


def _state(app: Flask, code: str) -> str:
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()
        assert agency.submission is not None
        return agency.submission.state


@dataclass(frozen=True)
class Action:
    """One state change: who, how it is set up, how it is sent, what it leaves behind."""

    account: str
    prepare: Callable[[Flask], None]
    send: Callable[[FlaskClient], TestResponse]
    entity: str  # the audit rows it writes
    check: Callable[[Flask], None]


def _prepare_submit(app: Flask) -> None:
    prefill_self_assessment(app, "xa-a")


def _prepare_approve(app: Flask) -> None:
    _set_state(app, "xa-a", workflow.APPRAISED_1)


def _prepare_return(app: Flask) -> None:
    _set_state(app, "xa-a", workflow.SUBMITTED)


def _prepare_publish(app: Flask) -> None:
    for code in ("xa-a", "xa-b", "so-a"):
        _set_state(app, code, workflow.APPROVED)
    staff = app.test_client()
    login(staff, "sonoivu@thu.vn")
    assert council_approves(staff).status_code == 302


def _prepare_answer(app: Flask) -> None:
    _set_state(app, "xa-a", workflow.EXPLANATION)
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code="xa-a")).scalar_one()
        assert agency.submission is not None
        db.session.add(
            Appraisal(
                submission_id=agency.submission.id,
                leaf="1.3.1",
                round=1,
                score_c=0,
                flagged=True,
                question="Bổ sung văn bản?",
            )
        )
        db.session.commit()


def _prepare_round_2(app: Flask) -> None:
    _prepare_answer(app)
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code="xa-a")).scalar_one()
        assert agency.submission is not None
        db.session.add(
            Appraisal(submission_id=agency.submission.id, leaf="1.3.1", round=2, score_c=50)
        )
        db.session.commit()


def _agency_id(client: FlaskClient, code: str) -> int:
    with client.application.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()
        return agency.id


def _one_answer(app: Flask) -> None:
    with app.app_context():
        row = db.session.execute(db.select(Appraisal)).scalar_one()
        assert row.answer == "Đã bổ sung quyết định số 12"


def _one_publication(app: Flask) -> None:
    with app.app_context():
        assert len(db.session.execute(db.select(Publication)).scalars().all()) == 1
    assert _state(app, "xa-a") == workflow.PUBLISHED


ACTIONS = {
    "submit": Action(
        "xa-a@thu.vn",
        _prepare_submit,
        lambda c: post(c, "/don-vi/nop"),
        "submission",
        lambda app: _state(app, "xa-a") == workflow.SUBMITTED or pytest.fail("not submitted"),
    ),
    "return-to-agency": Action(
        "sonoivu@thu.vn",
        _prepare_return,
        lambda c: post(
            c, f"/tham-dinh/don-vi/{_agency_id(c, 'xa-a')}/tra-lai", {"reason": "Thiếu hồ sơ"}
        ),
        "submission",
        lambda app: _state(app, "xa-a") == workflow.DRAFT or pytest.fail("not returned"),
    ),
    "approve": Action(
        "sonoivu@thu.vn",
        _prepare_approve,
        lambda c: post(
            c, "/so-noi-vu/ky/2025/phe-duyet", {"agency_id": str(_agency_id(c, "xa-a"))}
        ),
        "submission",
        lambda app: _state(app, "xa-a") == workflow.APPROVED or pytest.fail("not approved"),
    ),
    "publish": Action(
        "sonoivu@thu.vn",
        _prepare_publish,
        lambda c: post(c, "/so-noi-vu/ky/2025/cong-bo", {"survey_reason": NO_SURVEY_REASON}),
        "publication",
        _one_publication,
    ),
    "close-round-2": Action(
        "sonoivu@thu.vn",
        _prepare_round_2,
        lambda c: post(c, f"/tham-dinh/don-vi/{_agency_id(c, 'xa-a')}/hoan-thanh-vong-2"),
        "submission",
        lambda app: _state(app, "xa-a") == workflow.APPRAISED_2 or pytest.fail("not closed"),
    ),
    "explanation-answer": Action(
        "xa-a@thu.vn",
        _prepare_answer,
        lambda c: post(c, "/don-vi/giai-trinh", {"1.3.1-answer": "Đã bổ sung quyết định số 12"}),
        "explanation",
        _one_answer,
    ),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_two_tabs_on_a_state_change_give_one_effect(
    app: Flask, cycle: dict[str, Any], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    action = ACTIONS[name]
    action.prepare(app)
    first, second = app.test_client(), app.test_client()
    login(first, action.account)
    login(second, action.account)
    csrf(first), csrf(second)  # both pages open
    answers: list[TestResponse] = []
    started: list[bool] = []

    # the second tab's request runs whole — in its own thread, so with its own app context,
    # database session and connection — after the first has read and checked the state and
    # before it writes
    def meanwhile() -> None:
        if not started:
            started.append(True)
            thread = threading.Thread(target=lambda: answers.append(action.send(second)))
            thread.start()
            thread.join()

    move = workflow._move
    monkeypatch.setattr(workflow, "_move", lambda *a, **k: (meanwhile(), move(*a, **k))[1])
    window = explaining.window
    monkeypatch.setattr(explaining, "window", lambda *a, **k: (meanwhile(), window(*a, **k))[1])
    r = action.send(first)
    assert answers, "the second request did not run inside the first"
    inner = answers[0]
    for response in (r, inner):
        assert response.status_code < 500, response.status_code
    action.check(app)
    rows = _audit_rows(app, action.entity)
    assert len(rows) == 1, rows  # one move, one publication, one answer
    # the request that lost says so, in Vietnamese
    said = _flashes(first, r)
    assert said, "no message for the refused request"
    assert_vietnamese(said)
    assert re.search(r"vừa được (thay đổi|gửi)", said), said


def test_two_clicks_in_a_row_give_one_effect(app: Flask, cycle: dict[str, Any]) -> None:
    """The second click arrives after the first was answered: refused with the state's words."""
    prefill_self_assessment(app, "xa-a")
    client = app.test_client()
    login(client, "xa-a@thu.vn")
    post(client, "/don-vi/nop")
    r = post(client, "/don-vi/nop")
    assert r.status_code == 302
    said = _flashes(client, r)
    assert "Không nộp được" in said or "đã nộp" in said.lower(), said
    assert_vietnamese(said)
    assert len(_audit_rows(app, "submission")) == 1


def test_failed_log_ins_sent_at_once_are_all_counted_and_lock_once(
    app: Flask, cycle: dict[str, Any]
) -> None:
    """Twice the allowed failures, all at once from threads against a real server: the account
    ends locked, the lock is audited once, every answer is 401 or 429 (never 500), and the
    right password is then refused too."""
    requests = pytest.importorskip("requests")
    n = app.config["LOGIN_MAX_FAILURES"] * 2
    with live_server(app) as url:
        clients = []
        for _ in range(n):
            s = requests.Session()
            page = s.get(url + "/dang-nhap").text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            clients.append((s, token))
        barrier = threading.Barrier(n)
        statuses: list[int] = []
        said: list[str] = []

        def attempt(s: Any, token: str) -> None:
            barrier.wait()
            r = s.post(
                url + "/dang-nhap",
                data={"email": "xa-a@thu.vn", "password": "sai", "csrf_token": token},
                allow_redirects=False,
            )
            statuses.append(r.status_code)
            said.append(flash_text(r.text))

        threads = [threading.Thread(target=attempt, args=c) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c, _ in clients:
            c.close()  # no keep-alive connection left open while the server stops
    assert len(statuses) == n and set(statuses) <= {401, 429, 503}, statuses
    for message in said:
        assert message, "an answer without a message"
        assert_vietnamese(message)
    assert statuses.count(401) >= app.config["LOGIN_MAX_FAILURES"] or 503 in statuses
    locks = [r for r in _audit_rows(app, "account") if r[2] == "tạm khóa"]
    assert len(locks) == 1, locks
    client = app.test_client()
    r = login(client, "xa-a@thu.vn")
    assert r.status_code == 429
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        assert user.locked_until is not None


def _logged_in(requests: Any, url: str) -> tuple[Any, str]:
    """A real HTTP client logged in as xa-a on the live server at ``url``, and its form token."""
    s = requests.Session()
    page = s.get(url + "/dang-nhap").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = s.post(
        url + "/dang-nhap",
        data={"email": "xa-a@thu.vn", "password": "mat-khau-thu-123", "csrf_token": token},
    )
    token = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    return s, token


def test_a_double_click_on_submit_over_http(app: Flask, cycle: dict[str, Any]) -> None:
    """Two real requests at once from two threads (a double click): one submission, one audit
    row, no 500."""
    requests = pytest.importorskip("requests")
    prefill_self_assessment(app, "xa-a")
    with live_server(app) as url:
        s, token = _logged_in(requests, url)
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def click() -> None:
            barrier.wait()
            got = s.post(url + "/don-vi/nop", data={"csrf_token": token}, allow_redirects=False)
            statuses.append(got.status_code)

        threads = [threading.Thread(target=click) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        s.close()
    assert statuses == [302, 302], statuses
    assert _state(app, "xa-a") == workflow.SUBMITTED
    assert len(_audit_rows(app, "submission")) == 1


@pytest.mark.parametrize("first", [True, False], ids=["first-document", "another-document"])
def test_a_double_click_on_add_evidence_over_http(
    app: Flask, cycle: dict[str, Any], first: bool
) -> None:
    """Two real uploads of one document at once (a double click on "Thêm"), for a leaf with no
    entry yet (both would create it) and for one with an entry: one document, one audit row,
    one stored file, no 500."""
    requests = pytest.importorskip("requests")
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    fields = {
        "number": "125/KH-UBND",
        "date": "15/07/2025",
        "issuer": "UBND xã A",
        "title": "Kế hoạch cải cách hành chính năm 2025",
        "location": "toàn văn",
    }
    with live_server(app) as url:
        s, token = _logged_in(requests, url)
        path = url + "/don-vi/tieu-chi/1.1.1/minh-chung"
        if not first:
            other = {**fields, "number": "7/BC-UBND", "csrf_token": token}
            files = {"file": ("bao-cao.pdf", pdf + b"% 7\n", "application/pdf")}
            assert s.post(path, data=other, files=files, allow_redirects=False).status_code == 302
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def click() -> None:
            barrier.wait()
            files = {"file": ("ke-hoach.pdf", pdf, "application/pdf")}
            got = s.post(
                path, data={**fields, "csrf_token": token}, files=files, allow_redirects=False
            )
            statuses.append(got.status_code)

        threads = [threading.Thread(target=click) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        s.close()
    assert sorted(statuses) == [302, 409], statuses
    with app.app_context():
        numbers = db.session.execute(db.select(Evidence.number)).scalars().all()
        assert sorted(numbers) == sorted(["125/KH-UBND"] + ([] if first else ["7/BC-UBND"]))
        audited = db.session.execute(db.select(AuditEntry).filter_by(entity="evidence"))
        assert len(audited.scalars().all()) == len(numbers)
    assert len(list(Path(app.config["UPLOAD_FOLDER"]).iterdir())) == len(numbers)
