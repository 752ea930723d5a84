"""Opening a cycle ("Mở kỳ đánh giá"): the checklist (units, a set per block with units, the
sets' year, deadlines), then ``opened_at`` set once and audited; a blank new cycle starts in
preparation too."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import login, post
from tests.web.rolling import put_set, small_set
from web.models import Agency, AuditEntry, Cycle, Submission, db, get_cycle

OPEN = "/so-noi-vu/ky/2026/mo-ky"


@pytest.fixture
def copied(app: Flask, cycle: dict[str, Any]) -> None:
    """Cycle 2026 as a roll forward leaves it: in preparation, previous 2025, block xa's set
    copied (still saying year 2025), two units in xa, one in so-nganh (no set), no deadlines."""
    with app.app_context():
        old = get_cycle(2025)
        new = Cycle(year=2026, title="Kỳ 2026", previous=old)
        db.session.add(new)
        db.session.flush()
        put_set(new, "xa", small_set("xa", 2025))
        for code, block in (("xa-a", "xa"), ("xa-b", "xa"), ("so-a", "so-nganh")):
            a = Agency(cycle=new, code=code, name=code.upper(), block=block)
            db.session.add_all([a, Submission(agency=a, state="draft")])
        db.session.commit()


def _checks(page: str) -> list[tuple[str, str, str]]:
    """(Đạt / Chưa đạt, item, detail) of each checklist row."""
    rows = re.findall(
        r'<tr class="(?:ok|not-ok)">\s*<td><span class="badge \w+">([^<]+)</span></td>\s*'
        r"<td>([^<]+)</td>\s*<td>([^<]*)</td>",
        page,
    )
    return [(a, b, c.replace("&#39;", "'")) for a, b, c in rows]


def _secretariat(client: FlaskClient) -> None:
    assert login(client, "sonoivu@thu.vn").status_code == 302


def _opened(app: Flask) -> dt.datetime | None:
    with app.app_context():
        c = get_cycle(2026)
        assert c is not None
        return c.opened_at


def _audits(app: Flask) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEntry).filter_by(entity="cycle").order_by(AuditEntry.id)
        ).scalars()
        return [(a.key, a.old, a.new, a.reason) for a in rows]


def test_the_checklist_says_what_is_missing_and_opening_is_refused(
    app: Flask, client: FlaskClient, copied: None
) -> None:
    _secretariat(client)
    page = client.get(OPEN).get_data(as_text=True)
    assert _checks(page) == [
        ("Đạt", "Có đơn vị được đánh giá", "3 đơn vị trong 2 khối"),
        (
            "Chưa đạt",
            "Mỗi khối có đơn vị đều có bộ tiêu chí",
            "Khối chưa có bộ tiêu chí: so-nganh (1 đơn vị)",
        ),
        (
            "Chưa đạt",
            "Mọi bộ tiêu chí đọc được và ghi năm 2026",
            "UBND cấp xã (xa): ghi năm 2025",
        ),
        ("Chưa đạt", "Đã đặt thời hạn", "Chưa đặt hạn tự đánh giá và hạn giải trình."),
        ("Chưa đạt", "Hạn tự đánh giá chưa qua", "Chưa đặt hạn tự đánh giá."),
    ]
    for row in _checks(page):
        assert_vietnamese(" ".join(row))
    assert '<button type="submit" disabled>Mở kỳ đánh giá</button>' in page
    r = post(client, OPEN)
    assert r.status_code == 400
    said = "Chưa mở được kỳ đánh giá: còn mục chưa đạt trong danh sách kiểm tra."
    assert said in r.get_data(as_text=True)
    assert _opened(app) is None and _audits(app) == []
    cycle_page = client.get("/so-noi-vu/ky/2026").get_data(as_text=True)
    assert "Đang chuẩn bị" in cycle_page and "(tạo từ kỳ 2025)" in cycle_page
    assert "ghi năm 2025: sửa thành 2026 trước khi mở kỳ" in cycle_page


def test_a_ready_cycle_opens_once_and_is_audited(
    app: Flask, client: FlaskClient, copied: None
) -> None:
    with app.app_context():
        c = get_cycle(2026)
        assert c is not None
        put_set(c, "xa", small_set("xa", 2026))
        put_set(c, "so-nganh", small_set("so-nganh", 2026))
        c.self_deadline = dt.datetime(2099, 1, 31, 17, 0)
        c.explanation_deadline = dt.datetime(2099, 2, 28, 17, 0)
        db.session.commit()
    _secretariat(client)
    page = client.get(OPEN).get_data(as_text=True)
    assert [ok for ok, _, _ in _checks(page)] == ["Đạt"] * 5
    assert "Tự đánh giá đến 31/01/2099 17:00, giải trình đến 28/02/2099 17:00." in page
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    r = post(client, OPEN)
    assert r.status_code == 302 and r.headers["Location"].endswith("/so-noi-vu/ky/2026")
    opened = _opened(app)
    assert opened is not None and before <= opened
    assert _audits(app) == [("2026", "đang chuẩn bị", "đã mở", "mở kỳ đánh giá")]
    page = client.get("/so-noi-vu/ky/2026").get_data(as_text=True)
    assert "Đã mở kỳ đánh giá năm 2026: các đơn vị thấy kỳ này từ bây giờ." in page
    assert "Đang chuẩn bị" not in page and 'id="criteria_file"' not in page
    r = post(client, OPEN)
    assert r.status_code == 400 and "Kỳ đánh giá năm 2026 đã mở rồi." in r.get_data(as_text=True)
    assert _opened(app) == opened and len(_audits(app)) == 1


def test_a_passed_deadline_keeps_the_cycle_closed(
    app: Flask, client: FlaskClient, copied: None
) -> None:
    with app.app_context():
        c = get_cycle(2026)
        assert c is not None
        c.self_deadline = dt.datetime(2026, 1, 31, 17, 0)  # before today (the tests run later)
        c.explanation_deadline = dt.datetime(2026, 2, 28, 17, 0)
        db.session.commit()
    _secretariat(client)
    rows = _checks(client.get(OPEN).get_data(as_text=True))
    assert rows[-1] == (
        "Chưa đạt",
        "Hạn tự đánh giá chưa qua",
        "Hạn tự đánh giá 31/01/2026 17:00 đã qua.",
    )


def test_a_blank_new_cycle_starts_in_preparation(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    r = post(client, "/so-noi-vu/", {"year": "2026", "title": ""})
    assert r.status_code == 302
    assert _opened(app) is None
    rows = _checks(client.get(OPEN).get_data(as_text=True))
    assert rows[0] == (
        "Chưa đạt",
        "Có đơn vị được đánh giá",
        "Chưa có đơn vị nào: nhập danh sách đơn vị.",
    )
    page = client.get("/so-noi-vu/").get_data(as_text=True)
    assert re.search(r'2026</a></td>.*?<span class="badge warn">Đang chuẩn bị</span>', page, re.S)


def test_opening_needs_the_csrf_token_and_the_secretariat(
    app: Flask, client: FlaskClient, copied: None
) -> None:
    _secretariat(client)
    assert client.post(OPEN, data={}).status_code == 400
    for email in ("xa-a@thu.vn", "thamdinh@thu.vn"):
        other = app.test_client()
        assert login(other, email).status_code == 302
        assert post(other, OPEN).status_code == 403
        assert other.get(OPEN).status_code == 403
    assert _opened(app) is None
