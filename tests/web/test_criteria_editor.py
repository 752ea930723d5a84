"""Editing a block's criteria set in the browser while its cycle is being prepared: checked by
the engine like an upload (errors by line, nothing saved), refused once the cycle is open."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import login, post
from tests.web.rolling import B1_MAX, put_set, set_opened, small_set
from tests.web.test_secretariat import _upload
from web.models import AuditEntry, CriteriaRecord, db, get_cycle

EDIT = "/so-noi-vu/ky/2025/bo-tieu-chi/xa/sua"


@pytest.fixture
def preparing(app: Flask, cycle: dict[str, Any]) -> str:
    """Cycle 2025 in preparation, its block xa holding the small set; returns that text."""
    text = small_set("xa")
    with app.app_context():
        c = get_cycle(2025)
        assert c is not None
        put_set(c, "xa", text)
        db.session.commit()
    set_opened(app, 2025, None)
    return text


def _stored(app: Flask) -> tuple[str, str]:
    with app.app_context():
        rec = db.session.execute(db.select(CriteriaRecord).filter_by(block="xa")).scalar_one()
        return rec.yaml_text, rec.sha256


def _audits(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).filter_by(entity="criteria")).scalars()
        return [(a.key, a.reason) for a in rows]


def _secretariat(client: FlaskClient) -> None:
    assert login(client, "sonoivu@thu.vn").status_code == 302


def test_the_editor_shows_the_stored_text(client: FlaskClient, preparing: str) -> None:
    _secretariat(client)
    page = client.get(EDIT).get_data(as_text=True)
    shown = re.search(r'<textarea id="yaml_text"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert shown is not None
    assert shown.group(1).replace("&#34;", '"').replace("&#39;", "'") == preparing
    assert "Kiểm tra và lưu" in page
    cycle_page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert 'href="/so-noi-vu/ky/2025/bo-tieu-chi/xa/sua">Sửa</a>' in cycle_page


def test_an_edit_is_saved_with_its_new_hash_and_audited(
    app: Flask, client: FlaskClient, preparing: str
) -> None:
    _secretariat(client)
    edited = preparing.replace(B1_MAX, B1_MAX.replace("max: 2", "max: 1"))
    r = post(client, EDIT, {"yaml_text": edited.replace("\n", "\r\n")})  # as a browser sends it
    assert r.status_code == 302 and r.headers["Location"].endswith("/so-noi-vu/ky/2025")
    text, sha = _stored(app)
    assert text == edited
    from parindex.criteria import criteria_from_text

    assert sha == criteria_from_text(edited, "xa.yaml").sha256
    assert _audits(app) == [("2025/xa", "sửa bộ tiêu chí trên trang")]
    page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert "Đã lưu bộ tiêu chí test-xa-2025 của khối UBND cấp xã." in page


def test_saving_the_text_unchanged_keeps_the_bytes(
    app: Flask, client: FlaskClient, preparing: str
) -> None:
    _secretariat(client)
    before = _stored(app)
    r = post(client, EDIT, {"yaml_text": preparing.replace("\n", "\r\n")})
    assert r.status_code == 302
    assert _stored(app) == before and _audits(app) == []


@pytest.mark.parametrize(
    ("old", "new", "line", "code", "message"),
    [
        # a negative maximum for bonus item B.1 (line 25 of the small set)
        (B1_MAX, B1_MAX.replace("max: 2", "max: -1"), 25, "", ""),
        ("year: 2025\n", "year: 2024\n", 3, "year-mismatch", "Năm của bộ tiêu chí (2024)"),
        ("block: xa\n", "block: phuong\n", 4, "block-changed", "Khối của bộ tiêu chí đang sửa"),
        ("bands:\n", "bands: [\n", None, "", ""),
    ],
)
def test_an_invalid_edit_names_its_line_and_saves_nothing(
    app: Flask,
    client: FlaskClient,
    preparing: str,
    old: str,
    new: str,
    line: int | None,
    code: str,
    message: str,
) -> None:
    _secretariat(client)
    before = _stored(app)
    typed = preparing.replace(old, new, 1)
    assert typed != preparing
    r = post(client, EDIT, {"yaml_text": typed})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(r"Nội dung đã sửa có \d+ lỗi; chưa lưu gì\.", page)
    rows = re.findall(
        r'<tr><td class="n">(\d*)</td><td><code>[^<]*</code></td><td>([^<]*)</td>'
        r"<td><code>([^<]*)</code></td></tr>",
        page,
    )
    assert rows
    if line is not None:
        assert str(line) in [r[0] for r in rows]
    if code:
        assert code in [r[2] for r in rows] and any(message in r[1] for r in rows)
    for _, said, _ in rows:
        assert_vietnamese(said)
    assert new.strip() in page  # the typed text is kept in the editor
    assert _stored(app) == before and _audits(app) == []


def test_an_open_cycle_refuses_the_editor_and_the_upload(
    app: Flask, client: FlaskClient, preparing: str
) -> None:
    set_opened(app, 2025, dt.datetime(2025, 2, 3, 1, 0))  # 08:00 in Vietnam
    _secretariat(client)
    before = _stored(app)
    said = "Kỳ đánh giá năm 2025 đã mở ngày 03/02/2025: không thay, không sửa bộ tiêu chí được nữa."
    page = client.get(EDIT).get_data(as_text=True)
    assert said in page and "readonly" in page and "Kiểm tra và lưu" not in page
    edited = preparing.replace(B1_MAX, B1_MAX.replace("max: 2", "max: 1"))
    r = post(client, EDIT, {"yaml_text": edited})
    assert r.status_code == 400 and said in r.get_data(as_text=True)
    r = _upload(
        client, "/so-noi-vu/ky/2025/bo-tieu-chi", "criteria_file", "xa.yaml", edited.encode()
    )
    assert r.status_code == 400 and said in r.get_data(as_text=True)
    assert _stored(app) == before and _audits(app) == []
    assert_vietnamese(said)
    page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert 'id="criteria_file"' not in page and ">Xem</a>" in page


def test_an_unknown_block_is_404(client: FlaskClient, preparing: str) -> None:
    _secretariat(client)
    assert client.get("/so-noi-vu/ky/2025/bo-tieu-chi/khong-co/sua").status_code == 404


def test_the_editor_needs_the_csrf_token_and_the_secretariat(
    app: Flask, client: FlaskClient, preparing: str
) -> None:
    _secretariat(client)
    assert client.post(EDIT, data={"yaml_text": "x: 1"}).status_code == 400
    for email in ("xa-a@thu.vn", "thamdinh@thu.vn"):
        other = app.test_client()
        assert login(other, email).status_code == 302
        assert post(other, EDIT, {"yaml_text": "x: 1"}).status_code == 403
        assert other.get(EDIT).status_code == 403
    assert _audits(app) == []
