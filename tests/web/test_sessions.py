"""Sessions end on the server: a session cookie copied before log-out (or before a password
change, or older than the session's lifetime) opens nothing and saves nothing afterwards."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD, csrf, login, post
from tests.web.livesite import browser, live_server
from web import sessions
from web.models import Entry, LoginSession, User, db

SAVE = {"1.3.1-done": "1"}  # a yes-no leaf of field 1, ticked


def _copy(app: Flask, source: FlaskClient) -> FlaskClient:
    """A second client holding a copy of ``source``'s session cookie (as an attacker would)."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _entries(app: Flask) -> int:
    with app.app_context():
        return len(db.session.execute(db.select(Entry)).scalars().all())


def test_a_copied_cookie_is_refused_after_log_out(app: Flask, cycle: dict[str, Any]) -> None:
    officer = app.test_client()
    assert login(officer, "xa-a@thu.vn").status_code == 302
    token = csrf(officer, "/don-vi/")
    thief = _copy(app, officer)
    assert thief.get("/don-vi/").status_code == 200  # the copy works while the session lives
    assert post(officer, "/dang-xuat").status_code == 302
    r = thief.get("/don-vi/")
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    # the copy still carries a valid CSRF token: the save is refused for the session alone
    r = thief.post("/don-vi/linh-vuc/1", data={**SAVE, "csrf_token": token})
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    assert _entries(app) == 0
    with app.app_context():
        assert db.session.execute(db.select(LoginSession)).first() is None


def test_log_out_ends_only_this_browsers_session(app: Flask, cycle: dict[str, Any]) -> None:
    office, home = app.test_client(), app.test_client()
    login(office, "xa-a@thu.vn")
    login(home, "xa-a@thu.vn")
    post(office, "/dang-xuat")
    assert office.get("/don-vi/").status_code == 302
    assert home.get("/don-vi/").status_code == 200


def test_a_password_change_ends_every_session(app: Flask, cycle: dict[str, Any]) -> None:
    office, home = app.test_client(), app.test_client()
    login(office, "xa-a@thu.vn")
    login(home, "xa-a@thu.vn")
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        sessions.end_all(user)  # what a new password (agency import) does
        db.session.commit()
    assert office.get("/don-vi/").status_code == 302
    assert home.get("/don-vi/").status_code == 302
    assert login(home, "xa-a@thu.vn").status_code == 302  # a new log-in opens a new session
    assert home.get("/don-vi/").status_code == 200


def test_a_session_ends_after_its_absolute_lifetime(app: Flask, cycle: dict[str, Any]) -> None:
    officer = app.test_client()
    login(officer, "xa-a@thu.vn")
    with app.app_context():
        row = db.session.execute(db.select(LoginSession)).scalar_one()
        row.created_at -= sessions.ABSOLUTE_LIFETIME + dt.timedelta(minutes=1)
        db.session.commit()
    assert officer.get("/don-vi/").status_code == 302


def test_log_in_issues_a_new_session_and_stores_only_a_digest(
    app: Flask, cycle: dict[str, Any]
) -> None:
    client = app.test_client()
    csrf(client, "/dang-nhap")
    before = client.get_cookie("session")
    login(client, "xa-a@thu.vn")
    after = client.get_cookie("session")
    assert before is not None and after is not None and before.value != after.value
    with app.app_context():
        row = db.session.execute(db.select(LoginSession)).scalar_one()
    assert re.fullmatch(r"[0-9a-f]{64}", row.token_sha256)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == sessions.IDLE_LIFETIME


def test_a_copied_cookie_is_refused_after_log_out_over_http(
    app: Flask, cycle: dict[str, Any]
) -> None:
    """The same with a real HTTP client against a real server (waitress on loopback)."""
    requests = pytest.importorskip("requests")
    with live_server(app) as url:
        officer = requests.Session()
        page = officer.get(url + "/dang-nhap").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        r = officer.post(
            url + "/dang-nhap",
            data={"email": "xa-a@thu.vn", "password": PASSWORD, "csrf_token": token},
        )
        assert r.url.endswith("/don-vi/")
        token = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
        thief = requests.Session()
        thief.cookies.set("session", officer.cookies["session"])
        assert thief.get(url + "/don-vi/", allow_redirects=False).status_code == 200
        officer.post(url + "/dang-xuat", data={"csrf_token": token})
        r = thief.get(url + "/don-vi/", allow_redirects=False)
        assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
        r = thief.post(
            url + "/don-vi/linh-vuc/1",
            data={**SAVE, "csrf_token": token},
            allow_redirects=False,
        )
        assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
        officer.close(), thief.close()
    assert _entries(app) == 0


def test_a_copied_cookie_is_refused_after_log_out_in_the_browser(
    app: Flask, cycle: dict[str, Any]
) -> None:
    """Chromium: the officer logs out by the page's button; a second browser context holding a
    copy of the cookie is sent to the log-in page."""
    pytest.importorskip("playwright")
    with live_server(app) as url, browser() as b:
        office = b.new_context()
        page = office.new_page()
        page.goto(url + "/dang-nhap")
        page.fill("input[name=email]", "xa-a@thu.vn")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.narrow button[type=submit]")
        page.wait_for_url(url + "/don-vi/")
        copied = office.cookies()
        other = b.new_context()
        other.add_cookies(copied)  # type: ignore[arg-type]
        stolen = other.new_page()
        stolen.goto(url + "/don-vi/")
        assert stolen.url == url + "/don-vi/"
        page.click("form[action='/dang-xuat'] button")
        page.wait_for_url(re.compile(r".*/dang-nhap.*"))
        stolen.goto(url + "/don-vi/")
        assert "/dang-nhap" in stolen.url
        assert "Vui lòng đăng nhập" in stolen.inner_text("body")


def test_an_active_session_is_signed_again_every_few_minutes_not_every_request(
    app: Flask, cycle: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The idle clock restarts when a request comes 5 minutes or more after the cookie was last
    signed (a new Set-Cookie); requests in between are not re-signed (no Set-Cookie)."""
    minute = [1_000_000]
    monkeypatch.setattr(sessions, "_minute", lambda: minute[0])
    officer = app.test_client()
    assert login(officer, "xa-a@thu.vn").status_code == 302
    officer.get("/don-vi/")  # the first page stores the form token in the session (a change)
    minute[0] += 4
    r = officer.get("/don-vi/")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    minute[0] += 1  # 5 minutes after log-in
    r = officer.get("/don-vi/")
    assert r.status_code == 200 and "session=" in r.headers.get("Set-Cookie", "")
    r = officer.get("/don-vi/")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers


def test_a_session_idle_longer_than_its_bound_is_refused(
    app: Flask, cycle: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cookie last signed more than IDLE_LIFETIME ago opens nothing (its signature is too
    old for Flask's check), whatever the server-side row says."""
    import itsdangerous.timed

    officer = app.test_client()
    assert login(officer, "xa-a@thu.vn").status_code == 302
    assert officer.get("/don-vi/").status_code == 200
    later = itsdangerous.timed.time.time() + sessions.IDLE_LIFETIME.total_seconds() + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    r = officer.get("/don-vi/")
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
