"""The secretariat's accounts page: list and filter, link an officer to a unit or move it to the
unit its own was merged into, a new password shown once, deactivation; every action audited and
refused without CSRF or to officers and appraisers. Passwords changed or reset end every old
session."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import PASSWORD, add_cycle, csrf, login, post
from web.audit import audit_rows
from web.models import AuditEntry, Unit, UnitLink, User, db

SAVE = {
    "1.3.1-version": "0",
    "1.3.1-orig": "",
    "1.3.1-done": "co",
    "1.3.1-explanation": "Kế hoạch năm 2025",
}


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        db.session.expunge(user)
        return user


def _staff(app: Flask) -> FlaskClient:
    c = app.test_client()
    assert login(c, "sonoivu@thu.vn").status_code == 302
    return c


def _officer(app: Flask, email: str = "xa-a@thu.vn", password: str = PASSWORD) -> FlaskClient:
    c = app.test_client()
    assert login(c, email, password).status_code == 302
    return c


def _account_audit(app: Flask, email: str) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEntry, User.email)
            .join(User, User.id == AuditEntry.user_id)
            .filter(AuditEntry.entity == "account", AuditEntry.key == email)
            .order_by(AuditEntry.id)
        ).all()
        return [(who, e.old, e.new, e.reason) for e, who in rows]


def _merge_xa_a_and_xa_b(app: Flask) -> None:
    """2026: xa-a and xa-b merged into xa-ab (from 01/07/2025); xa-ab assessed in 2026."""
    add_cycle(app, 2026, codes=("xa-ab",))
    with app.app_context():
        units = {u.code: u for u in db.session.execute(db.select(Unit)).scalars()}
        for old in ("xa-a", "xa-b"):
            db.session.add(
                UnitLink(
                    old_unit=units[old],
                    new_unit=units["xa-ab"],
                    change="merged",
                    effective=dt.date(2025, 7, 1),
                    basis="Nghị quyết số 1662/NQ-UBTVQH15",
                )
            )
            units[old].ended_on = dt.date(2025, 7, 1)
        db.session.commit()


# ----------------------------------------------------------------------------------- the list
def test_the_list_shows_role_unit_state_and_last_log_in_with_a_filter(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _officer(app)  # xa-a logs in once: its last log-in is known
    staff = _staff(app)
    page = staff.get("/so-noi-vu/tai-khoan/").get_data(as_text=True)
    for email in ("xa-a@thu.vn", "xa-b@thu.vn", "so-a@thu.vn", "thamdinh@thu.vn"):
        assert email in page
    row = re.search(r"xa-a@thu\.vn</a></td>.*?</tr>", page, re.S)
    assert row is not None
    assert "Cán bộ đầu mối CCHC" in row.group(0) and "UBND xã A" in row.group(0)
    assert "Đang hoạt động" in row.group(0) and "chưa ghi nhận" not in row.group(0)
    row_b = re.search(r"xa-b@thu\.vn</a></td>.*?</tr>", page, re.S)
    assert row_b is not None and "chưa ghi nhận" in row_b.group(0)
    page = staff.get("/so-noi-vu/tai-khoan/?q=x%C3%A3+b").get_data(as_text=True)  # "xã b"
    assert "xa-b@thu.vn" in page and "xa-a@thu.vn" not in page
    page = staff.get("/so-noi-vu/tai-khoan/?vai-tro=appraiser").get_data(as_text=True)
    assert "thamdinh@thu.vn" in page and "xa-a@thu.vn" not in page
    page = staff.get("/so-noi-vu/tai-khoan/?trang-thai=ngung").get_data(as_text=True)
    assert "Không có tài khoản nào khớp bộ lọc." in page
    assert_vietnamese(re.sub(r"<[^>]+>", " ", re.split(r"<main[^>]*>", page)[1]))


# ------------------------------------------------------------------------------- the password
def test_a_reset_password_is_shown_once_ends_sessions_and_must_be_changed(
    app: Flask, cycle: dict[str, Any]
) -> None:
    officer = _officer(app)
    token = csrf(officer, "/don-vi/")
    staff = _staff(app)
    target = _user(app, "xa-a@thu.vn")
    r = post(staff, f"/so-noi-vu/tai-khoan/{target.id}/mat-khau")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    shown = re.search(r'<code class="password">([^<]+)</code>', page)
    assert shown is not None
    password = shown.group(1)
    assert "chỉ hiển thị <strong>một lần</strong>" in page
    # not on the account's page afterwards, not in the audit, not stored in clear
    again = staff.get(f"/so-noi-vu/tai-khoan/{target.id}").get_data(as_text=True)
    assert password not in again
    with app.app_context():
        texts = [
            e.old + e.new + e.reason for e in db.session.execute(db.select(AuditEntry)).scalars()
        ]
        stored = db.session.get(User, target.id)
        assert stored is not None and stored.must_change_password
        assert password not in stored.password_hash
    assert not any(password in t for t in texts)
    assert _account_audit(app, "xa-a@thu.vn") == [
        ("sonoivu@thu.vn", "", "cấp mật khẩu mới", "Sở Nội vụ cấp lại")
    ]
    # the officer's open session is refused, for pages and for saves
    r = officer.get("/don-vi/")
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    r = officer.post("/don-vi/linh-vuc/1", data={**SAVE, "csrf_token": token})
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    assert login(app.test_client(), "xa-a@thu.vn", PASSWORD).status_code == 401
    fresh = _officer(app, password=password)
    assert fresh.get("/don-vi/").headers["Location"] == "/doi-mat-khau"


def test_an_officer_s_own_password_change_ends_its_other_sessions(
    app: Flask, cycle: dict[str, Any]
) -> None:
    office, home = _officer(app), _officer(app)
    token = csrf(office, "/don-vi/")
    new = "Ca-phe-sang-thu-2"
    r = post(
        home,
        "/doi-mat-khau",
        {"current": PASSWORD, "new": new, "confirm": new},
    )
    assert r.status_code == 302
    assert home.get("/don-vi/").status_code == 200  # this browser continues in a new session
    r = office.get("/don-vi/")
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    r = office.post("/don-vi/linh-vuc/1", data={**SAVE, "csrf_token": token})
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    assert login(app.test_client(), "xa-a@thu.vn", PASSWORD).status_code == 401
    assert login(app.test_client(), "xa-a@thu.vn", new).status_code == 302


# ----------------------------------------------------------------------------- active or not
def test_deactivation_refuses_log_in_and_ends_sessions_reactivation_restores_log_in(
    app: Flask, cycle: dict[str, Any]
) -> None:
    officer = _officer(app)
    staff = _staff(app)
    target = _user(app, "xa-a@thu.vn")
    r = post(staff, f"/so-noi-vu/tai-khoan/{target.id}/trang-thai", {"active": "0"})
    assert r.status_code == 302
    assert "Đã ngừng hoạt động tài khoản xa-a@thu.vn." in staff.get(r.headers["Location"]).get_data(
        as_text=True
    )
    r = officer.get("/don-vi/")
    assert r.status_code == 302 and "/dang-nhap" in r.headers["Location"]
    r = login(app.test_client(), "xa-a@thu.vn")
    assert r.status_code == 401 and "không đúng" in r.get_data(as_text=True)
    # deactivating again is refused, with the reason
    r = post(staff, f"/so-noi-vu/tai-khoan/{target.id}/trang-thai", {"active": "0"})
    assert r.status_code == 400 and "đã ngừng hoạt động" in r.get_data(as_text=True)
    r = post(staff, f"/so-noi-vu/tai-khoan/{target.id}/trang-thai", {"active": "1"})
    assert r.status_code == 302
    assert login(app.test_client(), "xa-a@thu.vn").status_code == 302
    with app.app_context():
        assert db.session.get(User, target.id) is not None  # never deleted
    assert _account_audit(app, "xa-a@thu.vn") == [
        ("sonoivu@thu.vn", "đang hoạt động", "ngừng hoạt động", "Sở Nội vụ ngừng tài khoản"),
        ("sonoivu@thu.vn", "ngừng hoạt động", "đang hoạt động", "Sở Nội vụ mở lại tài khoản"),
    ]


# ------------------------------------------------------------------------------ unit and merger
def test_an_account_moved_to_the_merged_unit_sees_it_and_the_old_audit_keeps_its_author(
    app: Flask, cycle: dict[str, Any]
) -> None:
    officer = _officer(app)
    assert post(officer, "/don-vi/linh-vuc/1", SAVE).status_code == 302  # 2025, as xa-a
    _merge_xa_a_and_xa_b(app)
    staff = _staff(app)
    target = _user(app, "xa-a@thu.vn")
    page = staff.get(f"/so-noi-vu/tai-khoan/{target.id}").get_data(as_text=True)
    assert "Chuyển sang Đơn vị xa-ab (xa-ab)" in page  # the lineage's successor is offered
    r = post(staff, f"/so-noi-vu/tai-khoan/{target.id}/don-vi", {"unit": "xa-ab"})
    assert r.status_code == 302
    assert _account_audit(app, "xa-a@thu.vn") == [
        (
            "sonoivu@thu.vn",
            "xa-a (UBND xã A)",
            "xa-ab (Đơn vị xa-ab)",
            "chuyển sang đơn vị kế thừa",
        )
    ]
    # the same account, logged in again, works on the merged unit in 2026
    moved = _officer(app)
    page = moved.get("/don-vi/").get_data(as_text=True)
    assert "Kỳ thử 2026" in page and "Đơn vị xa-ab" in page
    assert moved.get("/don-vi/?nam=2025").status_code == 404  # xa-a's row is not xa-ab's
    # 2025's audit still names the original author
    with app.app_context():
        rows = audit_rows(agency_code="xa-a", year=2025)
        saved = [(email, code) for e, email, code in rows if e.key == "1.3.1"]
    assert saved == [("xa-a@thu.vn", "xa-a")]
    log = staff.get("/so-noi-vu/nhat-ky?agency=xa-a&year=2025").get_data(as_text=True)
    assert "xa-a@thu.vn" in log


@pytest.mark.parametrize(
    ("who", "target", "unit", "message"),
    [
        ("sonoivu@thu.vn", "xa-a@thu.vn", "khong-co", "Không có đơn vị mã &#39;khong-co&#39;."),
        ("sonoivu@thu.vn", "xa-a@thu.vn", "", "Chưa chọn đơn vị."),
        ("sonoivu@thu.vn", "xa-a@thu.vn", "xa-a", "Tài khoản đã thuộc đơn vị &#39;xa-a&#39;."),
        (
            "sonoivu@thu.vn",
            "xa-a@thu.vn",
            "xa-b",
            "Đơn vị &#39;xa-b&#39; đã kết thúc hoạt động từ 01/07/2025; hãy chọn đơn vị kế thừa.",
        ),
        (
            "sonoivu@thu.vn",
            "thamdinh@thu.vn",
            "xa-ab",
            "Chỉ tài khoản cán bộ đầu mối CCHC được gắn với đơn vị.",
        ),
        (
            "sonoivu@thu.vn",
            "quantri@thu.vn",
            "xa-ab",
            "Chỉ quản trị hệ thống được thay đổi tài khoản quản trị.",
        ),
        (
            "quantri@thu.vn",
            "quantri@thu.vn",
            "xa-ab",
            "Không thể tự thao tác trên tài khoản của chính mình ở trang này.",
        ),
    ],
)
def test_a_bad_link_is_refused_with_its_reason_and_changes_nothing(
    app: Flask, cycle: dict[str, Any], who: str, target: str, unit: str, message: str
) -> None:
    _merge_xa_a_and_xa_b(app)
    staff = app.test_client()
    assert login(staff, who).status_code == 302
    before = _user(app, target).unit_id
    r = post(staff, f"/so-noi-vu/tai-khoan/{_user(app, target).id}/don-vi", {"unit": unit})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and message in page
    assert_vietnamese(message.replace("&#39;", "'"))
    assert _user(app, target).unit_id == before
    assert _account_audit(app, target) == []


# ------------------------------------------------------------------------- who may, and CSRF
ACTIONS = (("don-vi", {"unit": "xa-b"}), ("mat-khau", {}), ("trang-thai", {"active": "0"}))


@pytest.mark.parametrize("who", ["xa-a@thu.vn", "thamdinh@thu.vn"])
@pytest.mark.parametrize(("action", "form"), ACTIONS)
def test_officers_and_appraisers_are_refused_every_account_action(
    app: Flask, cycle: dict[str, Any], who: str, action: str, form: dict[str, str]
) -> None:
    c = app.test_client()
    assert login(c, who).status_code == 302
    target = _user(app, "xa-b@thu.vn")
    assert c.get("/so-noi-vu/tai-khoan/").status_code == 403
    assert post(c, f"/so-noi-vu/tai-khoan/{target.id}/{action}", form).status_code == 403
    assert _account_audit(app, "xa-b@thu.vn") == []


@pytest.mark.parametrize(("action", "form"), ACTIONS)
def test_every_account_action_needs_the_csrf_token(
    app: Flask, cycle: dict[str, Any], action: str, form: dict[str, str]
) -> None:
    staff = _staff(app)
    target = _user(app, "xa-b@thu.vn")
    r = staff.post(f"/so-noi-vu/tai-khoan/{target.id}/{action}", data=form)
    assert r.status_code == 400
    assert _account_audit(app, "xa-b@thu.vn") == []
    assert _user(app, "xa-b@thu.vn").active
