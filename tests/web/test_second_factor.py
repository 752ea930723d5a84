"""ASVS 4.3.1: a second factor for the accounts with administrative powers (secretariat,
admin): TOTP (RFC 6238) enrolled with the secret as text and as a QR code, asked after the
password, each code accepted once, single-use recovery codes, failed codes counted with the
same lock as passwords; audited. Codes come from pyotp, at a fixed time (no timing)."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import PASSWORD, csrf, login
from web import second_factor
from web.auth.routes import (
    ENROL_FIRST_MESSAGE,
    PENDING_GONE_MESSAGE,
    REPLAYED_MESSAGE,
    WRONG_CODE_MESSAGE,
)
from web.models import AuditEntry, RecoveryCode, User, db

T0 = 1_790_000_000.0  # a fixed moment: step 59_666_666 (+ 20 s into it)
STAFF = "sonoivu@thu.vn"


@pytest.fixture
def required(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    app.config["STAFF_SECOND_FACTOR"] = True
    monkeypatch.setattr(second_factor, "clock", lambda: T0)
    return app


def _code(secret: str, at: float = T0) -> str:
    return pyotp.TOTP(secret).at(at)


def _enrol_page(c: FlaskClient) -> tuple[str, str]:
    """The enrolment page and the secret it shows (as text, without its spaces)."""
    html = c.get("/xac-thuc-hai-buoc").get_data(as_text=True)
    match = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html)
    assert match, html
    return html, match.group(1).replace(" ", "")


def _send(c: FlaskClient, path: str, code: str) -> Any:
    return c.post(path, data={"code": code, "csrf_token": csrf(c, path)})


def _enrolled(app: Flask, email: str = STAFF) -> tuple[str, list[str]]:
    """Enrol ``email`` through the pages; its secret and recovery codes."""
    c = app.test_client()
    assert login(c, email).status_code == 302
    _, secret = _enrol_page(c)
    r = _send(c, "/xac-thuc-hai-buoc", _code(secret))
    assert r.status_code == 200
    codes = re.findall(r'<code class="recovery-code">([0-9a-f]{5}-[0-9a-f]{5})</code>', r.text)
    return secret, codes


def _password_step(app: Flask, email: str = STAFF) -> FlaskClient:
    c = app.test_client()
    r = login(c, email)
    assert r.status_code == 302 and r.headers["Location"] == "/dang-nhap/ma-xac-thuc"
    return c


def _audits(app: Flask, new: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.execute(db.select(AuditEntry).filter_by(new=new)).scalars())


def test_staff_must_enrol_at_their_next_log_in(required: Flask, cycle: dict[str, Any]) -> None:
    for email in (STAFF, "quantri@thu.vn"):
        c = required.test_client()
        assert login(c, email).status_code == 302
        for path in ("/so-noi-vu/", "/tham-dinh/", "/"):
            r = c.get(path)
            assert r.status_code == 302 and r.headers["Location"] == "/xac-thuc-hai-buoc", path
        page = c.get("/xac-thuc-hai-buoc").get_data(as_text=True)
        assert ENROL_FIRST_MESSAGE in page
        assert c.get("/doi-mat-khau").status_code == 200
    assert_vietnamese(ENROL_FIRST_MESSAGE)


def test_other_roles_and_the_optional_setting_are_not_forced(
    app: Flask, required: Flask, cycle: dict[str, Any]
) -> None:
    for email, home in (("xa-a@thu.vn", "/don-vi/"), ("thamdinh@thu.vn", "/tham-dinh/")):
        c = required.test_client()
        assert login(c, email).status_code == 302
        assert c.get(home).status_code == 200, email
    required.config["STAFF_SECOND_FACTOR"] = False
    c = required.test_client()
    assert login(c, STAFF).status_code == 302
    assert c.get("/so-noi-vu/").status_code == 200


def test_enrolment_shows_the_secret_as_text_and_as_a_qr_code(
    required: Flask, cycle: dict[str, Any]
) -> None:
    c = required.test_client()
    login(c, STAFF)
    html, secret = _enrol_page(c)
    assert len(secret) == 32  # 160 bits, base32
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="Mã QR', html)
    assert "Quét mã QR" in html
    _, again = _enrol_page(c)
    assert again == secret  # the same secret until enrolment is confirmed
    r = c.get("/xac-thuc-hai-buoc")
    assert r.headers["Cache-Control"] == "no-store"
    csp = r.headers["Content-Security-Policy"]
    assert "img-src 'self' data:" in csp  # the QR code's data: URI is allowed, nothing more
    with required.app_context():
        user = db.session.execute(db.select(User).filter_by(email=STAFF)).scalar_one()
        assert user.totp_secret == secret and user.totp_enrolled_at is None
        uri = second_factor.provisioning_uri(user, secret)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri


def test_a_wrong_code_does_not_enrol(required: Flask, cycle: dict[str, Any]) -> None:
    c = required.test_client()
    login(c, STAFF)
    _, secret = _enrol_page(c)
    r = _send(c, "/xac-thuc-hai-buoc", _code(secret, T0 + 120))  # four steps away
    assert r.status_code == 400 and WRONG_CODE_MESSAGE in r.text
    assert_vietnamese(WRONG_CODE_MESSAGE)
    assert c.get("/so-noi-vu/").status_code == 302
    with required.app_context():
        assert (
            db.session.execute(db.select(User.totp_enrolled_at).filter_by(email=STAFF)).scalar()
            is None
        )


def test_enrolment_gives_recovery_codes_once_and_is_audited(
    required: Flask, cycle: dict[str, Any]
) -> None:
    secret, codes = _enrolled(required)
    assert len(codes) == second_factor.RECOVERY_CODES == len(set(codes))
    assert len(_audits(required, "bật xác thực hai bước")) == 1
    with required.app_context():
        stored = list(db.session.execute(db.select(RecoveryCode.code_sha256)).scalars())
    assert len(stored) == 10 and not any(c.replace("-", "") in s for c in codes for s in stored)
    c = _password_step(required)
    assert _second(c, _code(secret, T0 + 30)).status_code == 302
    page = c.get("/xac-thuc-hai-buoc").get_data(as_text=True)
    assert "Còn 10 mã khôi phục chưa dùng" in page and "recovery-code" not in page


def _second(c: FlaskClient, code: str) -> Any:
    return _send(c, "/dang-nhap/ma-xac-thuc", code)


def test_the_code_is_asked_after_the_password(required: Flask, cycle: dict[str, Any]) -> None:
    secret, _ = _enrolled(required)
    c = _password_step(required)
    assert c.get("/so-noi-vu/").status_code == 302  # no session before the code
    assert c.get("/so-noi-vu/").headers["Location"].startswith("/dang-nhap")
    page = c.get("/dang-nhap/ma-xac-thuc")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    r = _second(c, _code(secret, T0 + 30))
    assert r.status_code == 302 and r.headers["Location"] == "/so-noi-vu/"
    assert c.get("/so-noi-vu/").status_code == 200
    with required.app_context():
        failed = db.session.execute(db.select(User.failed_logins).filter_by(email=STAFF))
        assert failed.scalar() == 0  # the whole log-in succeeded: the counter starts again


def test_a_local_next_is_kept_through_the_second_step(
    required: Flask, cycle: dict[str, Any]
) -> None:
    secret, _ = _enrolled(required)
    c = required.test_client()
    token = csrf(c, "/dang-nhap")
    r = c.post(
        "/dang-nhap?next=/so-noi-vu/ky/2025",
        data={"email": STAFF, "password": PASSWORD, "csrf_token": token},
    )
    assert r.headers["Location"] == "/dang-nhap/ma-xac-thuc"
    assert _second(c, _code(secret, T0 + 30)).headers["Location"] == "/so-noi-vu/ky/2025"


def test_a_code_is_accepted_once(required: Flask, cycle: dict[str, Any]) -> None:
    secret, _ = _enrolled(required)  # enrolled with the code of T0's step
    c = _password_step(required)
    r = _second(c, _code(secret, T0))  # the enrolment's own code again
    assert r.status_code == 401 and REPLAYED_MESSAGE in r.text
    assert_vietnamese(REPLAYED_MESSAGE)
    assert _second(c, _code(secret, T0 + 30)).status_code == 302
    other = _password_step(required)
    r = _second(other, _code(secret, T0 + 30))  # the same code in a second browser
    assert r.status_code == 401 and REPLAYED_MESSAGE in r.text
    assert other.get("/so-noi-vu/").status_code == 302


def test_codes_outside_the_window_are_refused(required: Flask, cycle: dict[str, Any]) -> None:
    secret, _ = _enrolled(required)
    required.config["LOGIN_MAX_FAILURES"] = 100  # more wrong codes than the lock allows
    c = _password_step(required)
    for at in (T0 - 60, T0 + 60, T0 + 3600):
        r = _second(c, _code(secret, at))
        assert r.status_code == 401 and WRONG_CODE_MESSAGE in r.text, at
    for typed in ("abcdef", "12345", "1234567", "'; --", "x" * 40):
        assert _second(c, typed).status_code == 401, typed
    assert _second(c, "x" * 41).status_code == 400


def test_recovery_codes_work_once(required: Flask, cycle: dict[str, Any]) -> None:
    _, codes = _enrolled(required)
    c = _password_step(required)
    r = _second(c, " " + codes[0].upper() + " ")  # spaces and capitals as typed
    assert r.status_code == 302
    assert "còn 9 mã" in c.get("/so-noi-vu/").get_data(as_text=True)
    assert len(_audits(required, "đăng nhập bằng mã khôi phục")) == 1
    again = _password_step(required)
    r = _second(again, codes[0])
    assert r.status_code == 401 and WRONG_CODE_MESSAGE in r.text
    assert _second(again, codes[1].replace("-", "")).status_code == 302


def test_failed_codes_lock_the_account_like_passwords(
    required: Flask, cycle: dict[str, Any]
) -> None:
    secret, _ = _enrolled(required)
    limit = required.config["LOGIN_MAX_FAILURES"]
    assert limit == 5
    c = _password_step(required)  # the password attempt counts until the code is right: 1
    for _ in range(limit - 2):
        assert _second(c, "000000").status_code == 401  # 2, 3, 4
    assert _audits(required, "tạm khóa") == []
    assert _second(c, "000000").status_code == 401  # 5: locked
    assert len(_audits(required, "tạm khóa")) == 1
    r = _second(c, _code(secret, T0 + 30))  # the right code, too late
    assert r.status_code == 303 and r.headers["Location"] == "/dang-nhap"
    r = login(required.test_client(), STAFF)
    assert r.status_code == 429
    assert "tạm khóa" in r.get_data(as_text=True)
    assert len(_audits(required, "tạm khóa")) == 1


def test_a_new_password_step_does_not_reset_the_code_counter(
    required: Flask, cycle: dict[str, Any]
) -> None:
    """Typing the password again (right) does not buy more code guesses."""
    _enrolled(required)
    for _ in range(2):
        c = _password_step(required)  # +1 each
        assert _second(c, "000000").status_code == 401  # +1 each
    c = _password_step(required)  # 5th attempt in a row: still not locked (locked on failure)
    assert _second(c, "000000").status_code == 401  # 6 ≥ 5: locked
    assert login(required.test_client(), STAFF).status_code == 429


def test_the_second_step_needs_a_fresh_password_step(
    required: Flask, cycle: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret, _ = _enrolled(required)
    c = required.test_client()
    r = c.get("/dang-nhap/ma-xac-thuc")  # no password step in this browser
    assert r.status_code == 302 and r.headers["Location"] == "/dang-nhap"
    assert PENDING_GONE_MESSAGE in c.get("/dang-nhap").get_data(as_text=True)
    assert_vietnamese(PENDING_GONE_MESSAGE)
    c = _password_step(required)
    import datetime as dt

    from web.auth import routes

    token = csrf(c, "/dang-nhap/ma-xac-thuc")
    later = routes.utcnow() + dt.timedelta(minutes=6)
    monkeypatch.setattr(routes, "utcnow", lambda: later)
    r = c.post("/dang-nhap/ma-xac-thuc", data={"code": _code(secret, T0 + 30), "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == "/dang-nhap"
    assert c.get("/so-noi-vu/").status_code == 302


def test_one_code_sent_twice_at_once_logs_in_once(required: Flask, cycle: dict[str, Any]) -> None:
    """Two browsers send the same code at the same moment to a real server: one log-in, the
    other refused (401, or 503 when the database made it wait too long), never a 500."""
    import threading

    requests = pytest.importorskip("requests")
    from tests.web.livesite import live_server

    secret, _ = _enrolled(required)
    code = _code(secret, T0 + 30)
    with live_server(required) as url:
        clients = []
        for _ in range(2):
            s = requests.Session()
            page = s.get(url + "/dang-nhap").text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            r = s.post(
                url + "/dang-nhap",
                data={"email": STAFF, "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
            )
            assert r.headers["Location"] == "/dang-nhap/ma-xac-thuc"
            page = s.get(url + "/dang-nhap/ma-xac-thuc").text
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            clients.append((s, token))
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def attempt(s: Any, token: str) -> None:
            barrier.wait()
            r = s.post(
                url + "/dang-nhap/ma-xac-thuc",
                data={"code": code, "csrf_token": token},
                allow_redirects=False,
            )
            statuses.append(r.status_code)

        threads = [threading.Thread(target=attempt, args=c) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c, _ in clients:
            c.close()
    assert sorted(statuses)[0] == 302 and sorted(statuses)[1] in (401, 503), statuses


@pytest.mark.browser
def test_the_qr_code_shows_under_the_csp_in_chromium(
    required: Flask, cycle: dict[str, Any]
) -> None:
    """The QR code is drawn by Chromium under the app's CSP, and enrolment works there."""
    from tests.web.livesite import browser, live_server

    with live_server(required) as url, browser() as b:
        page = b.new_page(locale="vi-VN")
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(url + "/dang-nhap")
        page.fill("#email", STAFF)
        page.fill("#password", PASSWORD)
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(re.compile(r".*/xac-thuc-hai-buoc$"))
        width = page.eval_on_selector("img.qr", "i => i.complete ? i.naturalWidth : 0")
        assert width > 100
        secret = page.inner_text("code.totp-secret").replace(" ", "")
        page.fill("#code", _code(secret))
        page.click("#two-factor-form button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("code.recovery-code").count() == 10
        assert problems == []
