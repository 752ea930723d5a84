"""Log-in, log-out, throttling, cookies, CSRF."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD, csrf, login, post
from web import create_app
from web.models import User, db


def test_login_and_logout(client: FlaskClient, cycle: dict[str, Any]) -> None:
    r = login(client, "xa-a@thu.vn")
    assert r.status_code == 302 and r.headers["Location"].endswith("/don-vi/")
    page = client.get("/").get_data(as_text=True)
    assert "Cán bộ UBND xã A" in page
    r = post(client, "/dang-xuat")
    assert r.status_code == 302
    assert client.get("/don-vi/").status_code == 302  # back to the log-in page


def test_wrong_password_is_refused_in_vietnamese(
    client: FlaskClient, cycle: dict[str, Any]
) -> None:
    r = login(client, "xa-a@thu.vn", "sai")
    assert r.status_code == 401
    assert "Thư điện tử hoặc mật khẩu không đúng." in r.get_data(as_text=True)
    r = login(client, "khong-co@thu.vn", "sai")
    assert r.status_code == 401  # same answer: no hint that the account exists


def test_repeated_failures_lock_the_account(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "xa-a@thu.vn", "sai")
    r = login(client, "xa-a@thu.vn")  # even the right password is refused for a while
    assert r.status_code == 429
    assert "tạm khóa" in r.get_data(as_text=True)
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        assert user.locked_until is not None


def test_login_without_csrf_token_is_refused(client: FlaskClient, cycle: dict[str, Any]) -> None:
    r = client.post("/dang-nhap", data={"email": "xa-a@thu.vn", "password": PASSWORD})
    assert r.status_code == 400
    assert "CSRF" in r.get_data(as_text=True)


def test_open_redirect_is_refused(client: FlaskClient, cycle: dict[str, Any]) -> None:
    token = csrf(client, "/dang-nhap")
    r = client.post(
        "/dang-nhap?next=//evil.example/",
        data={"email": "xa-a@thu.vn", "password": PASSWORD, "csrf_token": token},
    )
    assert r.status_code == 302 and r.headers["Location"] == "/don-vi/"


def test_session_cookie_flags(tmp_path: Any) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "UPLOAD_FOLDER": str(tmp_path / "u"),
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers(client: FlaskClient) -> None:
    r = client.get("/")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
