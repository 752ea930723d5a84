"""The officer's overview: the deadline's countdown and the warnings that do not block
submission, listed beside what remains (issue 14, item 6)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from parindex.dates import vietnam_now
from tests.web.conftest import login, post
from tests.web.test_agency import add_evidence, page, xa_a  # noqa: F401  (fixture)
from web.models import Cycle, db


def _set_deadline(app: Flask, when: dt.datetime) -> None:
    with app.app_context():
        c = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        c.self_deadline = when
        db.session.commit()


def _status(html: str) -> str:
    bar = re.search(r'<div class="status-bar">(.*?)</div>', html, re.S)
    assert bar is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", bar.group(1))).strip()


def test_countdown_in_days_beside_the_deadline(app: Flask, xa_a: FlaskClient) -> None:  # noqa: F811
    today = vietnam_now().date()
    # five calendar days ahead, at 17:00 Vietnam time
    in_five = dt.datetime.combine(today + dt.timedelta(days=5), dt.time(17, 0))
    _set_deadline(app, in_five)
    shown = f"{in_five:%d/%m/%Y} 17:00"
    assert f"Hạn tự đánh giá: {shown} (còn 5 ngày)" in _status(page(xa_a, "/don-vi/"))
    # the field pages carry the same status bar
    assert "(còn 5 ngày)" in _status(page(xa_a, "/don-vi/linh-vuc/1"))
    # 23:59 today: the deadline is today
    _set_deadline(app, dt.datetime.combine(today, dt.time(23, 59)))
    assert "(hạn là hôm nay)" in _status(page(xa_a, "/don-vi/"))
    # two days ago: overdue, in the late colour, and the pages are read-only
    two_ago = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(17, 0))
    _set_deadline(app, two_ago)
    html = page(xa_a, "/don-vi/")
    assert "(quá hạn 2 ngày)" in _status(html)
    assert '<span class="countdown late">' in html
    assert "Đã quá hạn tự đánh giá." in html


def test_no_countdown_without_a_deadline(app: Flask, xa_a: FlaskClient) -> None:  # noqa: F811
    with app.app_context():
        c = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        c.self_deadline = None
        db.session.commit()
    html = page(xa_a, "/don-vi/")
    assert "Hạn tự đánh giá" not in html and "countdown" not in html


def test_warnings_that_do_not_block_are_listed_beside_what_remains(
    app: Flask,
    xa_a: FlaskClient,  # noqa: F811
) -> None:
    html = page(xa_a, "/don-vi/")
    assert "Cảnh báo không chặn việc nộp" not in html  # nothing yet
    # a document without its date and issuer: the panel will see it; submission is not blocked
    r = add_evidence(xa_a, "1.1.3", None, url="https://xa-a.gov.vn/bc", date="", issuer="")
    assert r.status_code == 302
    html = page(xa_a, "/don-vi/")
    remains = html.index("Vấn đề cần xử lý trước khi nộp")
    warned = html.index("Cảnh báo không chặn việc nộp")
    assert remains < warned
    block = html[warned:]
    for text in (
        "Minh chứng thứ 1: chưa có ngày ban hành.",
        "Minh chứng thứ 1: chưa có cơ quan ban hành.",
    ):
        row = block[block.index(text) : block.index("</tr>", block.index(text))]
        assert 'href="/don-vi/linh-vuc/1#tc-1.1.3">1.1.3</a>' in row, text
    # two warnings, each once; not among the problems that block submission
    assert "2 điểm chưa đầy đủ" in block
    assert "chưa có ngày ban hành" not in html[remains:warned]
    # the submission page says the same before the officer submits
    assert "Minh chứng thứ 1: chưa có ngày ban hành." in page(xa_a, "/don-vi/nop")


def test_warnings_of_one_kind_are_one_row(app: Flask, xa_a: FlaskClient) -> None:  # noqa: F811
    for code in ("1.1.3", "1.3.2"):
        add_evidence(xa_a, code, None, url=f"https://xa-a.gov.vn/{code}", issuer="")
    html = page(xa_a, "/don-vi/")
    block = html[html.index("Cảnh báo không chặn việc nộp") :]
    text = "Minh chứng thứ 1: chưa có cơ quan ban hành."
    assert block.count(text) == 1
    row = block[block.index(text) : block.index("</tr>", block.index(text))]
    assert "Tiêu chí (2)" in row and ">1.1.3</a>, <a" in row and ">1.3.2</a>" in row


def test_the_deadline_form_shows_and_takes_dd_mm_yyyy(app: Flask, cycle: dict[str, Any]) -> None:
    client = app.test_client()
    assert login(client, "sonoivu@thu.vn").status_code == 302
    html = page(client, "/so-noi-vu/ky/2025")
    # the cycle's deadline, 31/01/2099 17:00, in text boxes that say their format
    assert re.search(r'name="self_date" value="31/01/2099"[^>]*placeholder="dd/mm/yyyy"', html)
    assert re.search(r'name="self_time" value="17:00"[^>]*placeholder="HH:MM"', html)
    assert 'type="date"' not in html and 'type="time"' not in html
    r = post(
        client,
        "/so-noi-vu/ky/2025/thoi-han",
        {
            "self_date": "02/03/2026",
            "self_time": "16:30",
            "explanation_date": "",
            "explanation_time": "",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        c = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        assert c.self_deadline == dt.datetime(2026, 3, 2, 16, 30)  # 2 March: the day first
