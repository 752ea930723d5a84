"""Notifications (web/notify.py, web/mailer.py, /thong-bao, `parindex remind`), against a REAL
SMTP server started on loopback (aiosmtpd), never a mock: each event of the workflow gives its
recipient one mail and one in-app entry; reminders go once (running the command twice sends
nothing twice) and only to units that still have to act; a mail server that is down loses
nothing (the outbox keeps the mail, the next run sends it); an officer sees only their own."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from tests.web.conftest import login, post, prefill_self_assessment, publish_through_council
from web import mailer, notify, workflow
from web.cli import cli
from web.models import (
    Agency,
    Appraisal,
    Assignment,
    Cycle,
    Notification,
    User,
    db,
    utcnow,
    vn_now,
)

SENDER = "cchc@sonoivu.thu.vn"


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """What the loopback SMTP server received: (envelope recipients, parsed message)."""

    mails: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        self.mails.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.mails if address in rcpt]


class SmtpServer:
    """aiosmtpd on 127.0.0.1:``port``, started and stopped by the test."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mail_settings(port: int) -> dict[str, Any]:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_TLS": "none",
        "SMTP_SENDER": SENDER,
        "SMTP_TIMEOUT": 5,
        "BASE_URL": "https://cchc.thu.vn",
    }


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    app.config.update(mail_settings(server.port))
    yield server
    server.stop()


def client_for(app: Flask, email_: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email_).status_code == 302
    return client


def agency_id(app: Flask, code: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(Agency.id).filter_by(code=code)).scalar_one()


def entries(app: Flask, email_: str) -> list[Notification]:
    with app.app_context():
        return list(
            db.session.execute(
                db.select(Notification)
                .join(User, User.id == Notification.user_id)
                .where(User.email == email_)
                .order_by(Notification.id)
            ).scalars()
        )


def body(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def set_state(app: Flask, code: str, state: str) -> None:
    """Test set-up only: a submission put in a state the earlier steps would have reached."""
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()
        assert agency.submission is not None
        agency.submission.state = state
        db.session.commit()


def appraise_all(app: Flask, code: str, flags: dict[str, str]) -> None:
    """Every appraisable leaf scored in round 1 (``flags``: leaf → the question)."""
    from web.engine import appraisable_codes

    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()
        for leaf in appraisable_codes(agency):
            db.session.add(
                Appraisal(
                    submission=agency.submission,
                    leaf=leaf,
                    round=1,
                    score_c=0,
                    reason="thử",
                    flagged=leaf in flags,
                    question=flags.get(leaf, ""),
                )
            )
        db.session.commit()


# ================================================================== one mail per event
def test_submitting_tells_the_assigned_appraiser(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    with app.app_context():
        appraiser = db.session.execute(db.select(User).filter_by(role="appraiser")).scalar_one()
        c = db.session.execute(db.select(Cycle)).scalar_one()
        db.session.add(Assignment(cycle_id=c.id, user_id=appraiser.id, block="xa", code="1"))
        db.session.commit()
    prefill_self_assessment(app, "xa-a")
    officer = client_for(app, "xa-a@thu.vn")
    r = post(officer, "/don-vi/nop")
    assert r.status_code == 302 and r.headers["Location"].endswith("/don-vi/")
    # sent right after the commit, in the same request
    assert len(smtp.inbox.mails) == 1
    rcpt, msg = smtp.inbox.mails[0]
    assert rcpt == ["thamdinh@thu.vn"]
    assert msg["Subject"] == "UBND xã A đã nộp hồ sơ tự đánh giá năm 2025"
    assert msg["From"] == SENDER
    assert "Xem chi tiết: https://cchc.thu.vn/tham-dinh/" in body(msg)
    (entry,) = entries(app, "thamdinh@thu.vn")
    assert entry.kind == "submitted" and entry.mail_sent_at is not None
    assert entries(app, "xa-a@thu.vn") == []  # the officer did it: nobody tells them
    assert entries(app, "sonoivu@thu.vn") == []  # an appraiser is assigned: not the secretariat


def test_a_submission_nobody_appraises_yet_tells_the_secretariat(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    with app.app_context():
        sub = db.session.get(Agency, cycle["agency_ids"]["so-a"]).submission
        officer = db.session.execute(db.select(User).filter_by(email="so-a@thu.vn")).scalar_one()
        workflow.transition(sub, workflow.SUBMITTED, officer)
        db.session.commit()
    assert [n.subject for n in entries(app, "sonoivu@thu.vn")] == [
        "Sở A đã nộp hồ sơ tự đánh giá năm 2025"
    ]
    assert entries(app, "thamdinh@thu.vn") == []


def test_returning_to_draft_mails_the_officer_the_reason_and_deadline(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    set_state(app, "xa-a", "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    aid = agency_id(app, "xa-a")
    r = post(staff, f"/tham-dinh/don-vi/{aid}/tra-lai", {"reason": "Thiếu báo cáo quý IV"})
    assert r.status_code == 302
    assert [rcpt for rcpt, _ in smtp.inbox.mails] == [["xa-a@thu.vn"]]
    msg = smtp.inbox.to("xa-a@thu.vn")[0]
    assert msg["Subject"] == "Hồ sơ tự đánh giá năm 2025 của UBND xã A được trả lại để chỉnh sửa"
    text = body(msg)
    assert "Lý do: Thiếu báo cáo quý IV" in text
    assert "Hạn tự đánh giá: 31/01/2099 17:00." in text  # the fixture's deadline, dd/mm/yyyy
    (entry,) = entries(app, "xa-a@thu.vn")
    assert entry.kind == "returned" and entry.read_at is None
    # the same in the app: the list and the header's count
    officer = client_for(app, "xa-a@thu.vn")
    page = officer.get("/thong-bao/").get_data(as_text=True)
    assert "Thiếu báo cáo quý IV" in page and "Mới" in page
    assert re.search(r"Thông báo <span class=\"badge warn\">1<", page)


def test_round_1_with_flags_asks_for_explanations_once(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    set_state(app, "xa-a", "submitted")
    appraise_all(app, "xa-a", {"1.1.3": "Danh mục?", "1.1.2": "Phụ lục?"})
    staff = client_for(app, "sonoivu@thu.vn")
    aid = agency_id(app, "xa-a")
    assert post(staff, f"/tham-dinh/don-vi/{aid}/hoan-thanh-vong-1").status_code == 302
    # two moves in one save (appraised_1, explanation): one notice, the request
    mails = smtp.inbox.to("xa-a@thu.vn")
    assert len(mails) == 1 and len(smtp.inbox.mails) == 1
    assert mails[0]["Subject"] == "Yêu cầu giải trình: hồ sơ năm 2025 của UBND xã A"
    text = body(mails[0])
    assert "giải trình 2 tiêu chí: 1.1.2, 1.1.3." in text
    assert "Hạn giải trình: 28/02/2099 17:00." in text
    assert "https://cchc.thu.vn/don-vi/giai-trinh?nam=2025" in text
    assert [n.kind for n in entries(app, "xa-a@thu.vn")] == ["explanation"]


def test_round_1_without_flags_and_round_2_tell_the_round_finished(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    set_state(app, "xa-a", "submitted")
    appraise_all(app, "xa-a", {})
    staff = client_for(app, "sonoivu@thu.vn")
    aid = agency_id(app, "xa-a")
    assert post(staff, f"/tham-dinh/don-vi/{aid}/hoan-thanh-vong-1").status_code == 302
    (msg,) = smtp.inbox.to("xa-a@thu.vn")
    assert msg["Subject"] == "Đã hoàn thành thẩm định vòng 1 hồ sơ năm 2025 của UBND xã A"
    assert "Không có tiêu chí nào yêu cầu giải trình" in body(msg)
    # round 2 of another unit, after its explanation round
    set_state(app, "xa-b", "explanation")
    bid = agency_id(app, "xa-b")
    assert post(staff, f"/tham-dinh/don-vi/{bid}/hoan-thanh-vong-2").status_code == 302
    (msg,) = smtp.inbox.to("xa-b@thu.vn")
    assert msg["Subject"] == "Đã hoàn thành thẩm định vòng 2 hồ sơ năm 2025 của UBND xã B"
    assert len(smtp.inbox.mails) == 2
    assert [n.kind for n in entries(app, "xa-b@thu.vn")] == ["round-finished"]


def test_publication_tells_each_unit(app: Flask, cycle: dict[str, Any], smtp: SmtpServer) -> None:
    for code in ("xa-a", "xa-b", "so-a"):
        set_state(app, code, "approved")
    staff = client_for(app, "sonoivu@thu.vn")
    assert publish_through_council(staff).status_code == 302
    assert sorted(r for rcpt, _ in smtp.inbox.mails for r in rcpt) == [
        "so-a@thu.vn",
        "xa-a@thu.vn",
        "xa-b@thu.vn",
    ]
    msg = smtp.inbox.to("so-a@thu.vn")[0]
    assert msg["Subject"] == "Đã công bố kết quả Chỉ số CCHC năm 2025"
    assert "https://cchc.thu.vn/ket-qua/2025" in body(msg)
    for code in ("xa-a", "xa-b", "so-a"):
        assert [n.kind for n in entries(app, f"{code}@thu.vn")] == ["published"]


def test_the_panel_is_told_once_when_every_question_is_answered(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    set_state(app, "xa-a", "submitted")
    appraise_all(app, "xa-a", {"1.1.3": "Danh mục?", "1.1.2": "Phụ lục?"})
    staff = client_for(app, "sonoivu@thu.vn")
    assert (
        post(staff, f"/tham-dinh/don-vi/{agency_id(app, 'xa-a')}/hoan-thanh-vong-1").status_code
        == 302
    )
    smtp.inbox.mails.clear()  # the request for explanations, tested above
    officer = client_for(app, "xa-a@thu.vn")
    # one of two answered: nobody is told yet
    assert (
        post(officer, "/don-vi/giai-trinh", {"1.1.3-answer": "Danh mục kèm theo"}).status_code
        == 302
    )
    assert smtp.inbox.mails == []
    # the second one: the panel (nobody assigned: the secretariat) is told
    assert post(officer, "/don-vi/giai-trinh", {"1.1.2-answer": "Có phụ lục"}).status_code == 302
    (msg,) = smtp.inbox.to("sonoivu@thu.vn")
    assert len(smtp.inbox.mails) == 1
    assert msg["Subject"] == "UBND xã A đã giải trình đủ 2 tiêu chí (năm 2025)"
    assert "đến hạn 28/02/2099 17:00" in body(msg)
    # an answer edited afterwards tells nobody again
    assert post(officer, "/don-vi/giai-trinh", {"1.1.2-answer": "Có phụ lục 2"}).status_code == 302
    assert len(smtp.inbox.mails) == 1
    assert [n.kind for n in entries(app, "sonoivu@thu.vn")] == ["answered"]


def test_every_active_account_of_the_unit_is_told(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    with app.app_context():
        unit = db.session.execute(db.select(Agency).filter_by(code="xa-a")).scalar_one().unit
        for mail, active in (("pho-xa-a@thu.vn", True), ("cu-xa-a@thu.vn", False)):
            db.session.add(
                User(
                    email=mail,
                    name=mail,
                    role="agency",
                    password_hash=generate_password_hash("x", method="pbkdf2:sha256:1"),
                    unit=unit,
                    active=active,
                )
            )
        db.session.commit()
    set_state(app, "xa-a", "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    post(staff, f"/tham-dinh/don-vi/{agency_id(app, 'xa-a')}/tra-lai", {"reason": "Thiếu"})
    assert sorted(r for rcpt, _ in smtp.inbox.mails for r in rcpt) == [
        "pho-xa-a@thu.vn",
        "xa-a@thu.vn",
    ]
    assert entries(app, "cu-xa-a@thu.vn") == []  # a deactivated account: nothing


def test_a_mail_claimed_by_another_sender_is_not_sent_twice(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    app.config["MAIL_AFTER_COMMIT"] = 0  # only the explicit runs below send
    set_state(app, "xa-a", "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    post(staff, f"/tham-dinh/don-vi/{agency_id(app, 'xa-a')}/tra-lai", {"reason": "Thiếu"})
    assert smtp.inbox.mails == []
    with app.app_context():
        row = db.session.execute(db.select(Notification)).scalar_one()
        row.mail_claim, row.mail_claimed_at = "another-run", utcnow()  # being sent elsewhere
        db.session.commit()
        assert mailer.flush(db.engine, app.config).sent == 0
        assert smtp.inbox.mails == []
        # that sender died 20 minutes ago: its claim is abandoned, this run sends
        row = db.session.execute(db.select(Notification)).scalar_one()
        row.mail_claimed_at = utcnow() - dt.timedelta(minutes=20)
        db.session.commit()
        assert mailer.flush(db.engine, app.config).sent == 1
        assert mailer.flush(db.engine, app.config).sent == 0
    assert len(smtp.inbox.mails) == 1


def test_a_refused_move_writes_no_notification(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    set_state(app, "xa-a", "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    aid = agency_id(app, "xa-a")
    post(staff, f"/tham-dinh/don-vi/{aid}/hoan-thanh-vong-1")  # nothing appraised: refused
    with app.app_context():
        assert db.session.execute(db.select(Notification)).first() is None
    assert smtp.inbox.mails == []


def test_notification_links_open(app: Flask, cycle: dict[str, Any]) -> None:
    """The pages a notification points to exist (an officer's; the panel's; the public one)."""
    officer = client_for(app, "xa-a@thu.vn")
    for path in (notify.OVERVIEW_PATH, notify.EXPLANATION_PATH):
        assert officer.get(path + "?nam=2025").status_code == 200, path
    assert client_for(app, "thamdinh@thu.vn").get(notify.QUEUE_PATH).status_code == 200
    assert app.test_client().get(notify.RESULTS_PATH).status_code == 200


# ======================================================================== the in-app list
def test_an_officer_sees_only_their_own_notifications(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    for code in ("xa-a", "xa-b"):
        set_state(app, code, "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    post(staff, f"/tham-dinh/don-vi/{agency_id(app, 'xa-a')}/tra-lai", {"reason": "Lý do của A"})
    post(staff, f"/tham-dinh/don-vi/{agency_id(app, 'xa-b')}/tra-lai", {"reason": "Lý do của B"})
    a = client_for(app, "xa-a@thu.vn")
    page = a.get("/thong-bao/").get_data(as_text=True)
    assert "Lý do của A" in page and "Lý do của B" not in page and "UBND xã B" not in page
    page_b = client_for(app, "xa-b@thu.vn").get("/thong-bao/").get_data(as_text=True)
    assert "Lý do của B" in page_b and "Lý do của A" not in page_b
    # nothing for so-a, whose submission did not move
    page_so = client_for(app, "so-a@thu.vn").get("/thong-bao/").get_data(as_text=True)
    assert "Chưa có thông báo nào." in page_so and "badge warn" not in page_so
    # marking read is the user's own: B's stays unread
    assert post(a, "/thong-bao/da-doc").status_code == 302
    assert all(n.read_at is not None for n in entries(app, "xa-a@thu.vn"))
    assert all(n.read_at is None for n in entries(app, "xa-b@thu.vn"))
    assert "badge warn" not in a.get("/thong-bao/").get_data(as_text=True)


def test_the_list_needs_a_log_in_and_marking_read_needs_the_token(
    app: Flask, cycle: dict[str, Any]
) -> None:
    anon = app.test_client()
    assert anon.get("/thong-bao/").status_code == 302
    officer = client_for(app, "xa-a@thu.vn")
    assert officer.post("/thong-bao/da-doc").status_code == 400  # no CSRF token


# ============================================================================== reminders
def remind(app: Flask, port: int, *args: str) -> Any:
    env = {k: str(v) for k, v in mail_settings(port).items()}
    url = app.config["DATABASE_URL"]
    return CliRunner().invoke(cli, ["remind", "--database", url, *args], env=env)


def set_self_deadline(app: Flask, days_ahead: int) -> dt.datetime:
    deadline = dt.datetime.combine(vn_now().date() + dt.timedelta(days=days_ahead), dt.time(17))
    with app.app_context():
        db.session.execute(db.select(Cycle)).scalar_one().self_deadline = deadline
        db.session.commit()
    return deadline


def test_remind_twice_sends_once_and_skips_units_that_submitted(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    deadline = set_self_deadline(app, 3)
    set_state(app, "xa-b", "submitted")  # xa-b has submitted: no reminder
    first = remind(app, smtp.port, "--days", "7,3,1")
    assert first.exit_code == 0, first.output
    assert "Đã ghi 2 thông báo nhắc hạn." in first.output
    assert "Đã gửi 2 thư; 0 thư đang chờ trong hàng đợi." in first.output
    assert sorted(r for rcpt, _ in smtp.inbox.mails for r in rcpt) == ["so-a@thu.vn", "xa-a@thu.vn"]
    msg = smtp.inbox.to("xa-a@thu.vn")[0]
    due = deadline.strftime("%d/%m/%Y")  # dd/mm/yyyy, worked out here
    assert msg["Subject"] == f"Nhắc hạn tự đánh giá năm 2025: còn 3 ngày (hạn {due} 17:00)"
    assert "UBND xã A chưa nộp hồ sơ tự đánh giá" in body(msg)
    second = remind(app, smtp.port, "--days", "7,3,1")
    assert second.exit_code == 0, second.output
    assert "Đã ghi 0 thông báo nhắc hạn." in second.output
    assert len(smtp.inbox.mails) == 2  # nothing twice
    assert [n.kind for n in entries(app, "xa-a@thu.vn")] == ["reminder"]
    assert entries(app, "xa-b@thu.vn") == []


def test_the_next_threshold_sends_the_next_reminder(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    set_self_deadline(app, 5)  # within 7 days: the 7-day reminder
    assert remind(app, smtp.port, "--days", "7,3,1").exit_code == 0
    assert [m["Subject"][:41] for m in smtp.inbox.to("xa-a@thu.vn")] == [
        "Nhắc hạn tự đánh giá năm 2025: còn 5 ngày"
    ]
    set_self_deadline(app, 8)  # the deadline moved 3 days later: beyond 7, nothing due
    assert remind(app, smtp.port, "--days", "7,3,1").exit_code == 0
    assert len(smtp.inbox.to("xa-a@thu.vn")) == 1
    set_self_deadline(app, 1)  # the 1-day reminder (not the 3-day one as well)
    assert remind(app, smtp.port, "--days", "7,3,1").exit_code == 0
    subjects = [m["Subject"][:41] for m in smtp.inbox.to("xa-a@thu.vn")]
    assert subjects == [
        "Nhắc hạn tự đánh giá năm 2025: còn 5 ngày",
        "Nhắc hạn tự đánh giá năm 2025: còn 1 ngày",
    ]


def test_explanation_reminders_go_to_units_still_explaining(
    app: Flask, cycle: dict[str, Any], smtp: SmtpServer
) -> None:
    set_state(app, "xa-a", "explanation")
    set_state(app, "xa-b", "appraised_2")
    with app.app_context():
        c = db.session.execute(db.select(Cycle)).scalar_one()
        c.self_deadline = None
        c.explanation_deadline = dt.datetime.combine(
            vn_now().date() + dt.timedelta(days=7), dt.time(17)
        )
        db.session.commit()
    assert remind(app, smtp.port, "--days", "7").exit_code == 0
    assert [r for rcpt, _ in smtp.inbox.mails for r in rcpt] == ["xa-a@thu.vn"]
    assert smtp.inbox.mails[0][1]["Subject"].startswith("Nhắc hạn giải trình năm 2025: còn 7 ngày")


@pytest.mark.parametrize(
    ("left", "expected"),
    [(10, None), (8, None), (7, 7), (5, 7), (3, 3), (2, 3), (1, 1), (0, 1)],
)
def test_which_reminder_is_due(left: int, expected: int | None) -> None:
    now = dt.datetime(2025, 1, 20, 9, 0)
    deadline = dt.datetime(2025, 1, 20, 17, 0) + dt.timedelta(days=left)
    # on the deadline's day (before its hour) the 1-day reminder is still due: a run missed
    # yesterday catches up (once: its key)
    assert notify.due_threshold(deadline, now, [7, 3, 1]) == expected


def test_a_deadline_gone_is_not_reminded() -> None:
    now = dt.datetime(2025, 1, 20, 18, 0)
    assert notify.due_threshold(dt.datetime(2025, 1, 20, 17, 0), now, [7, 3, 1, 0]) is None


def test_bad_reminder_days_are_refused_in_words(app: Flask, cycle: dict[str, Any]) -> None:
    r = remind(app, free_port(), "--days", "7,ba,1")
    assert r.exit_code == 1
    assert "Số ngày nhắc hạn “ba” không hợp lệ" in r.output
    assert "Traceback" not in r.output


# ====================================================================== a mail server down
def test_smtp_down_keeps_the_mail_and_the_next_run_sends_it(
    app: Flask, cycle: dict[str, Any]
) -> None:
    port = free_port()  # nothing listens there yet
    app.config.update(mail_settings(port))
    set_state(app, "xa-a", "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    aid = agency_id(app, "xa-a")
    r = post(staff, f"/tham-dinh/don-vi/{aid}/tra-lai", {"reason": "Thiếu báo cáo"})
    assert r.status_code == 302  # the request is not failed by the mail server
    with app.app_context():
        assert db.session.get(Agency, aid).submission.state == "draft"  # the move is saved
    (entry,) = entries(app, "xa-a@thu.vn")  # the in-app entry is there
    assert entry.mail_sent_at is None and entry.mail_attempts == 1
    assert "Không kết nối được máy chủ thư 127.0.0.1" in entry.mail_error
    # a run while it is still down: kept, said in words, exit 1
    down = remind(app, port)
    assert down.exit_code == 1
    assert "Chưa gửi được 1 thư: Không kết nối được máy chủ thư" in down.output
    assert "Traceback" not in down.output
    # the server comes up: the next run sends it, once
    server = SmtpServer(port)
    server.start()
    try:
        up = remind(app, port)
        assert up.exit_code == 0, up.output
        assert "Đã gửi 1 thư; 0 thư đang chờ trong hàng đợi." in up.output
        (msg,) = server.inbox.to("xa-a@thu.vn")
        assert "Lý do: Thiếu báo cáo" in body(msg)
        assert remind(app, port).exit_code == 0
        assert len(server.inbox.mails) == 1
    finally:
        server.stop()
    (entry,) = entries(app, "xa-a@thu.vn")
    assert entry.mail_sent_at is not None and entry.mail_error == ""


def test_without_a_mail_server_configured_only_the_app_tells(
    app: Flask, cycle: dict[str, Any]
) -> None:
    set_state(app, "xa-a", "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    aid = agency_id(app, "xa-a")
    assert app.config["SMTP_HOST"] == ""
    assert post(staff, f"/tham-dinh/don-vi/{aid}/tra-lai", {"reason": "X"}).status_code == 302
    (entry,) = entries(app, "xa-a@thu.vn")
    assert entry.mail_sent_at is None and entry.mail_attempts == 0  # waits, not tried


def test_the_mail_is_vietnamese_utf8(app: Flask, cycle: dict[str, Any], smtp: SmtpServer) -> None:
    set_state(app, "xa-a", "submitted")
    staff = client_for(app, "sonoivu@thu.vn")
    post(staff, f"/tham-dinh/don-vi/{agency_id(app, 'xa-a')}/tra-lai", {"reason": "Thiếu"})
    (msg,) = smtp.inbox.to("xa-a@thu.vn")
    assert msg.get_content_charset() == "utf-8"
    assert "xin đừng trả lời thư này" in body(msg)


def test_remind_without_a_mail_server_writes_the_entries_and_says_so(
    app: Flask, cycle: dict[str, Any]
) -> None:
    set_self_deadline(app, 1)
    url = app.config["DATABASE_URL"]
    r = CliRunner().invoke(cli, ["remind", "--database", url, "--days", "1"], env={"SMTP_HOST": ""})
    assert r.exit_code == 0, r.output
    assert "Đã ghi 3 thông báo nhắc hạn." in r.output  # xa-a, xa-b, so-a: all in draft
    assert "Chưa đặt máy chủ thư (SMTP_HOST): không gửi thư; 3 thư đang chờ" in r.output
    assert [n.kind for n in entries(app, "xa-b@thu.vn")] == ["reminder"]
