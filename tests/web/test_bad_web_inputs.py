"""The web app's bad-input corpus: one defect per case, in a form field or a URL (numeric ids
beyond any row, signs and look-alike digits, impossible dates, a bad e-mail, a weak or mistyped
new password, a missing token, a wrong method…). Each is answered with its HTTP status and a
Vietnamese message the person sees — never a 500, never library English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import PASSWORD, csrf, login
from web.models import Agency, db

BIG = "9" * 25  # beyond a 64-bit integer: overflowed SQLite's INTEGER (a 500) before


@dataclass(frozen=True)
class Bad:
    account: str  # "" for anonymous
    method: str
    path: str  # "{so_a}" is so-a's agency id
    status: int
    says: str  # part of the message shown
    data: dict[str, str] = field(default_factory=dict)
    token: bool = True  # send the session's CSRF token


CASES = {
    "url-year-too-long": Bad("", "GET", f"/ket-qua/{BIG}", 404, "Không tìm thấy"),
    "url-year-not-a-number": Bad("", "GET", "/ket-qua/hai-nghin", 404, "Không tìm thấy"),
    "url-version-zero": Bad("", "GET", "/ket-qua/2025/v0", 404, "Không tìm thấy"),
    "url-version-negative": Bad("", "GET", "/ket-qua/2025/v-1", 404, "Không tìm thấy"),
    "url-agency-id-too-long": Bad(
        "thamdinh@thu.vn", "GET", f"/tham-dinh/don-vi/{BIG}", 404, "Không tìm thấy"
    ),
    "url-evidence-id-too-long": Bad(
        "xa-a@thu.vn", "GET", f"/don-vi/minh-chung/{BIG}/tep", 404, "Không tìm thấy"
    ),
    "url-unknown-field": Bad(
        "xa-a@thu.vn", "GET", "/don-vi/linh-vuc/khong-co", 404, "Không tìm thấy"
    ),
    "url-cycle-year-too-long": Bad(
        "sonoivu@thu.vn", "GET", f"/so-noi-vu/ky/{BIG}", 404, "Không tìm thấy"
    ),
    "form-approve-id-superscript-digit": Bad(
        "sonoivu@thu.vn",
        "POST",
        "/so-noi-vu/ky/2025/phe-duyet",
        302,
        "Chưa chọn đơn vị nào",
        {"agency_id": "²"},
    ),
    "form-approve-id-too-long": Bad(
        "sonoivu@thu.vn",
        "POST",
        "/so-noi-vu/ky/2025/phe-duyet",
        302,
        "Chưa chọn đơn vị nào",
        {"agency_id": BIG},
    ),
    "form-approve-unknown-id": Bad(
        "sonoivu@thu.vn",
        "POST",
        "/so-noi-vu/ky/2025/phe-duyet",
        302,
        "không có đơn vị này trong kỳ 2025",
        {"agency_id": "424242"},
    ),
    "form-cycle-year-with-letter": Bad(
        "sonoivu@thu.vn", "POST", "/so-noi-vu/", 400, "Năm", {"year": "20x6", "title": ""}
    ),
    "form-cycle-year-out-of-range": Bad(
        "sonoivu@thu.vn", "POST", "/so-noi-vu/", 400, "2000", {"year": "1999", "title": ""}
    ),
    "form-deadline-30-february": Bad(
        "sonoivu@thu.vn",
        "POST",
        "/so-noi-vu/ky/2025/thoi-han",
        400,
        "Ngày không hợp lệ",
        {
            "self_date": "30/02/2026",
            "self_time": "",
            "explanation_date": "",
            "explanation_time": "",
        },
    ),
    "form-assign-user-id-too-long": Bad(
        "sonoivu@thu.vn",
        "POST",
        "/tham-dinh/phan-cong/2025",
        400,
        "Chọn một thành viên Tổ thẩm định",
        {"user_id": BIG, "block": "xa", "codes": "1"},
    ),
    "form-login-not-an-email": Bad(
        "", "POST", "/dang-nhap", 400, "không hợp lệ", {"email": "xa-a", "password": "x"}
    ),
    "form-login-no-password": Bad(
        "", "POST", "/dang-nhap", 400, "Nhập mật khẩu", {"email": "xa-a@thu.vn", "password": ""}
    ),
    "form-password-too-short": Bad(
        "xa-a@thu.vn",
        "POST",
        "/doi-mat-khau",
        400,
        "từ 12 đến 128 ký tự",
        {"current": PASSWORD, "new": "ngan-qua", "confirm": "ngan-qua"},
    ),
    "form-password-too-long": Bad(
        "xa-a@thu.vn",
        "POST",
        "/doi-mat-khau",
        400,
        "từ 12 đến 128 ký tự",
        {"current": PASSWORD, "new": "d" * 129, "confirm": "d" * 129},
    ),
    "form-password-confirm-differs": Bad(
        "xa-a@thu.vn",
        "POST",
        "/doi-mat-khau",
        400,
        "không khớp",
        {"current": PASSWORD, "new": "một câu đủ dài để nhớ", "confirm": "một câu đủ dài để nhớ!"},
    ),
    "form-password-wrong-current": Bad(
        "xa-a@thu.vn",
        "POST",
        "/doi-mat-khau",
        400,
        "Mật khẩu hiện tại không đúng",
        {
            "current": "sai-mat-khau",
            "new": "một câu đủ dài để nhớ",
            "confirm": "một câu đủ dài để nhớ",
        },
    ),
    "form-password-common": Bad(
        "xa-a@thu.vn",
        "POST",
        "/doi-mat-khau",
        400,
        "quá phổ biến",
        {"current": PASSWORD, "new": "password1234", "confirm": "password1234"},
    ),
    "form-password-holds-the-email": Bad(
        "xa-a@thu.vn",
        "POST",
        "/doi-mat-khau",
        400,
        "thư điện tử",
        {"current": PASSWORD, "new": "xa-a@thu.vn-2026", "confirm": "xa-a@thu.vn-2026"},
    ),
    "form-without-csrf-token": Bad(
        "xa-a@thu.vn", "POST", "/don-vi/linh-vuc/1", 400, "CSRF", {"1.3.1-done": "1"}, False
    ),
    "method-put-on-a-form": Bad("", "PUT", "/dang-nhap", 405, "Phương thức không được hỗ trợ"),
    "form-return-without-reason": Bad(
        "sonoivu@thu.vn", "POST", "/tham-dinh/don-vi/{so_a}/tra-lai", 302, "lý do", {"reason": " "}
    ),
}

_FLASH = re.compile(r'<div class="flash [a-z]+" role="alert">(.*?)</div>', re.S)
_MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S)
_TAG = re.compile(r"<[^>]+>")


def visible(html: str) -> str:
    """The text of the page's <main> (flash messages, errors, the page), without tags."""
    match = _MAIN.search(html)
    return " ".join(unescape(_TAG.sub(" ", match.group(1) if match else html)).split())


def _messages(html: str) -> str:
    """What the person is told: the flash messages, the field errors and the error page."""
    parts = [unescape(m) for m in _FLASH.findall(html)]
    parts += [unescape(m) for m in re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', html, re.S)]
    parts += [unescape(m) for m in re.findall(r'<li class="error">(.*?)</li>', html, re.S)]
    parts += [
        unescape(m) for m in re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', html, re.S)
    ]
    return " ".join(_TAG.sub(" ", p).strip() for p in parts)


@pytest.fixture
def submitted(app: Flask, cycle: dict[str, Any]) -> dict[str, Any]:
    with app.app_context():
        so_a = db.session.get(Agency, cycle["agency_ids"]["so-a"])
        assert so_a is not None and so_a.submission is not None
        so_a.submission.state = "submitted"
        db.session.commit()
    return cycle


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(app: Flask, submitted: dict[str, Any], name: str) -> None:
    case = CASES[name]
    client: FlaskClient = app.test_client()
    if case.account:
        assert login(client, case.account).status_code == 302
    data = dict(case.data)
    if case.method == "POST" and case.token:
        data["csrf_token"] = csrf(client, "/dang-nhap" if not case.account else "/")
    path = case.path.format(so_a=submitted["agency_ids"]["so-a"])
    r = client.open(path, method=case.method, data=data)
    assert r.status_code == case.status, (r.status_code, visible(r.get_data(as_text=True))[:300])
    html = r.get_data(as_text=True)
    if r.status_code in (301, 302, 303):
        html = client.get(r.headers["Location"]).get_data(as_text=True)
    said = _messages(html)
    assert said, visible(html)[:400]
    assert case.says in said, said
    assert_vietnamese(said)
