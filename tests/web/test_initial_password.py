"""ASVS 2.3.1: a password given by someone else (the agency import's initial password, or the
new one it issues when an officer's e-mail changes) must be changed at first log-in: every page
but log-out and ``/doi-mat-khau`` leads there, every API call is refused, until it is changed.
The demo accounts (``parindex serve``'s sample province) are not flagged: their password is
published in the docs on purpose, for trying the app on one machine."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import PASSWORD, csrf, login
from tests.web.test_secretariat import _passwords, _secretariat, _upload
from web.auth.routes import MUST_CHANGE_MESSAGE
from web.models import AuditEntry, User, db

NEW = "một câu mật khẩu đủ dài"


def _import(app: Flask, rows: str, header: str = "Tên đơn vị,Khối,Thư điện tử") -> dict[str, str]:
    staff = app.test_client()
    _secretariat(staff)
    body = (header + "\n" + rows).encode()
    r = _upload(staff, "/so-noi-vu/ky/2025/don-vi", "agencies_file", "ds.csv", body)
    assert r.status_code == 200
    return _passwords(r.get_data(as_text=True))


def _flag(app: Flask, email: str) -> bool:
    with app.app_context():
        return bool(
            db.session.execute(
                db.select(User.must_change_password).filter_by(email=email)
            ).scalar_one()
        )


def _officer(app: Flask) -> tuple[FlaskClient, str]:
    password = _import(app, "UBND xã Tà Đùng,xa,tadung@thu.vn\n")["tadung@thu.vn"]
    c = app.test_client()
    assert login(c, "tadung@thu.vn", password).status_code == 302
    return c, password


@pytest.mark.parametrize(
    "path", ["/don-vi/", "/don-vi/linh-vuc/1", "/don-vi/nop", "/", "/ket-qua", "/so-noi-vu/"]
)
def test_every_page_leads_to_the_password_change(
    app: Flask, cycle: dict[str, Any], path: str
) -> None:
    c, _ = _officer(app)
    r = c.get(path)
    assert r.status_code == 302 and r.headers["Location"] == "/doi-mat-khau", path
    page = c.get("/doi-mat-khau")
    assert page.status_code == 200
    assert MUST_CHANGE_MESSAGE in page.get_data(as_text=True)
    assert_vietnamese(MUST_CHANGE_MESSAGE)


def test_api_calls_and_form_posts_are_refused_until_changed(
    app: Flask, cycle: dict[str, Any]
) -> None:
    c, _ = _officer(app)
    api = c.post(
        "/don-vi/api/tinh-diem",
        data={"leaf": "1.3.1", "1.3.1-done": "1"},
        headers={"X-CSRFToken": csrf(c, "/doi-mat-khau"), "Accept": "application/json"},
    )
    assert api.status_code == 403
    message = api.get_json()["error"]["message"]
    assert message == MUST_CHANGE_MESSAGE
    assert_vietnamese(message)
    save = c.post(
        "/don-vi/linh-vuc/1", data={"1.3.1-done": "1", "csrf_token": csrf(c, "/doi-mat-khau")}
    )
    assert save.status_code == 302 and save.headers["Location"] == "/doi-mat-khau"
    with app.app_context():
        assert db.session.execute(db.select(AuditEntry).filter_by(entity="entry")).first() is None


def test_log_out_stays_open(app: Flask, cycle: dict[str, Any]) -> None:
    c, _ = _officer(app)
    r = c.post("/dang-xuat", data={"csrf_token": csrf(c, "/doi-mat-khau")})
    assert r.status_code == 302 and r.headers["Location"] == "/dang-nhap"
    assert c.get("/don-vi/").headers["Location"].startswith("/dang-nhap")


def test_the_change_clears_the_flag_and_opens_the_pages(app: Flask, cycle: dict[str, Any]) -> None:
    c, password = _officer(app)
    assert _flag(app, "tadung@thu.vn")
    r = c.post(
        "/doi-mat-khau",
        data={
            "current": password,
            "new": NEW,
            "confirm": NEW,
            "csrf_token": csrf(c, "/doi-mat-khau"),
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "/don-vi/"
    assert not _flag(app, "tadung@thu.vn")
    assert c.get("/don-vi/").status_code == 200
    fresh = app.test_client()
    assert login(fresh, "tadung@thu.vn", NEW).status_code == 302
    assert fresh.get("/don-vi/").status_code == 200


def test_a_refused_change_keeps_the_flag(app: Flask, cycle: dict[str, Any]) -> None:
    c, password = _officer(app)
    r = c.post(
        "/doi-mat-khau",
        data={
            "current": password,
            "new": "ngắn",
            "confirm": "ngắn",
            "csrf_token": csrf(c, "/doi-mat-khau"),
        },
    )
    assert r.status_code == 400
    assert _flag(app, "tadung@thu.vn")
    assert c.get("/don-vi/").status_code == 302


def test_a_new_password_issued_by_the_import_is_flagged_again(
    app: Flask, cycle: dict[str, Any]
) -> None:
    """A changed officer e-mail gets a new password from the secretariat: a reset."""
    assert not _flag(app, "xa-a@thu.vn")
    passwords = _import(
        app, "xa-a,UBND xã A,xa,moi@thu.vn\n", "Mã đơn vị,Tên đơn vị,Khối,Thư điện tử"
    )
    assert list(passwords) == ["moi@thu.vn"]
    assert _flag(app, "moi@thu.vn")
    c = app.test_client()
    assert login(c, "moi@thu.vn", passwords["moi@thu.vn"]).status_code == 302
    assert c.get("/don-vi/").headers["Location"] == "/doi-mat-khau"


def test_accounts_made_elsewhere_are_not_flagged(app: Flask, cycle: dict[str, Any]) -> None:
    """Accounts not given a password by someone else (the fixtures, the demo) log in freely."""
    c = app.test_client()
    assert login(c, "xa-a@thu.vn", PASSWORD).status_code == 302
    assert c.get("/don-vi/").status_code == 200


def test_demo_accounts_are_not_flagged(app: Flask) -> None:
    from parindex.dataset import default_root
    from web.demo import seed_demo

    with app.app_context():
        accounts = seed_demo(default_root())
        assert accounts
        flagged = db.session.execute(db.select(User).filter_by(must_change_password=True)).first()
    assert flagged is None
