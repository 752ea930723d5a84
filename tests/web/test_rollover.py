"""A cycle rolled forward from last year's ("Tạo kỳ đánh giá mới từ năm trước"): the preview,
the sets copied byte for byte, the units of the new year in their blocks through the lineage
(the province of tests/web/rolling.py), nothing of last year's work copied, one transaction.

  2026 expected: so-a in so-nganh; xa-ab, xa-moi in xa; dk-z where chosen; no xa-a, xa-b, huyen-h.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.vietnamese import assert_vietnamese
from tests.web.conftest import login, post, prefill_self_assessment
from tests.web.rolling import reorganise
from web.models import (
    Agency,
    Appraisal,
    AuditEntry,
    CriteriaRecord,
    Cycle,
    Entry,
    Evidence,
    Submission,
    Unit,
    UnitLink,
    db,
    get_cycle,
)

PREVIEW = "/so-noi-vu/tao-tu-nam-truoc?source=2025&year=2026&title="
ROLL = "/so-noi-vu/tao-tu-nam-truoc"


def _secretariat(client: FlaskClient) -> None:
    assert login(client, "sonoivu@thu.vn").status_code == 302


def _placed(app: Flask, year: int) -> set[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(Agency.code, Agency.name, Agency.block)
            .join(Cycle, Cycle.id == Agency.cycle_id)
            .filter(Cycle.year == year)
        ).all()
        return {tuple(r) for r in rows}  # type: ignore[misc]


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.execute(db.select(db.func.count(model.id))).scalar_one())


def test_the_dashboard_offers_the_newest_cycle_and_the_year_after(
    client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    page = client.get("/so-noi-vu/").get_data(as_text=True)
    assert "Tạo kỳ đánh giá mới từ năm trước" in page
    assert '<option value="2025" selected>' in page
    assert 'id="roll-year" name="year" min="2000" max="2100" value="2026"' in page


def test_the_preview_places_each_unit_and_writes_nothing(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    reorganise(app)
    _secretariat(client)
    r = client.get(PREVIEW)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    placed, dropped = page.split("Không còn đánh giá năm 2026", 1)
    sections = re.findall(r'<h3 class="block" id="xep-([^"]+)">(.*?)(?=<h3|$)', placed, re.S)
    assert {
        block: re.findall(r"<td><code>([^<]+)</code></td>", html) for block, html in sections
    } == {
        "huyen": [],  # its only unit dissolved
        "so-nganh": ["so-a"],
        "xa": ["xa-ab", "xa-moi"],  # the merged commune and the new one ("An Bình" < "Mới")
        "can-chon": ["dk-z"],
    }
    assert "Đơn vị cần chọn khối" in page and 'name="khoi-dk-z"' in page
    # by its predecessors (both in xa), not by its type
    assert "<td>hợp nhất từ xa-a, xa-b (01/07/2025)</td>" in page
    assert "thành lập mới (01/07/2025); xếp theo loại đơn vị (UBND xã) như năm 2025" in page
    assert re.findall(r"<td><code>([^<]+)</code></td>", dropped) == ["huyen-h", "xa-a", "xa-b"]
    assert "giải thể từ 01/07/2025" in dropped and "hợp nhất vào xa-ab từ 01/07/2025" in dropped
    assert _count(app, Cycle) == 1


def test_roll_forward_copies_sets_byte_identical_and_places_units(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    reorganise(app)
    prefill_self_assessment(app, "so-a")  # last year's work: must not be copied
    entries_before = _count(app, Entry)
    assert entries_before > 0
    _secretariat(client)
    r = post(client, ROLL, {"source": "2025", "year": "2026", "title": "", "khoi-dk-z": "xa"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/so-noi-vu/ky/2026")
    assert _placed(app, 2026) == {
        ("so-a", "Sở A", "so-nganh"),
        ("xa-ab", "UBND xã An Bình", "xa"),
        ("xa-moi", "UBND xã Mới", "xa"),
        ("dk-z", "UBND đặc khu Z", "xa"),
    }
    with app.app_context():
        old, new = get_cycle(2025), get_cycle(2026)
        assert old is not None and new is not None
        assert new.previous_id == old.id and new.opened_at is None
        assert new.title == "Chỉ số cải cách hành chính năm 2026"
        assert new.self_deadline is None and new.explanation_deadline is None
        copied = {(r.block, r.set_id, r.file_name, r.yaml_text, r.sha256) for r in new.criteria}
        assert copied == {
            (r.block, r.set_id, r.file_name, r.yaml_text, r.sha256) for r in old.criteria
        }
        assert len(copied) == 3
        # the same units (identity), each a fresh empty draft
        for a in new.agencies:
            assert a.unit is not None and a.unit.code == a.code
            assert a.submission is not None and a.submission.state == "draft"
            assert a.submission.entries == []
        [entry] = db.session.execute(db.select(AuditEntry).filter_by(entity="cycle")).scalars()
        assert entry.key == "2026" and entry.reason == "tạo từ kỳ 2025: 3 bộ tiêu chí, 4 đơn vị"
    assert _count(app, Entry) == entries_before
    assert _count(app, Evidence) == 0 and _count(app, Appraisal) == 0
    page = client.get("/so-noi-vu/ky/2026").get_data(as_text=True)
    assert "Đã tạo kỳ đánh giá năm 2026 từ kỳ 2025: 3 bộ tiêu chí, 4 đơn vị." in page


def test_a_unit_without_a_block_must_be_chosen_and_nothing_is_created(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    reorganise(app)
    _secretariat(client)
    r = post(client, ROLL, {"source": "2025", "year": "2026", "title": "Kỳ 2026"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(
        r'<p class="field-error" id="[^"]+-error">Chọn khối cho UBND đặc khu Z\.</p>', page
    )
    assert 'value="Kỳ 2026"' in page
    assert _count(app, Cycle) == 1 and _placed(app, 2026) == set()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"year": "2025"}, "year", "Năm 2025 đã có kỳ đánh giá."),
        ({"year": "2024"}, "year", "Năm 2024 đã có kỳ đánh giá."),
        ({"year": "2023"}, "year", "Năm mới phải sau năm 2025 của kỳ được sao chép."),
        ({"year": "26"}, "year", "Năm phải là số có 4 chữ số, từ 2000 đến 2100."),
        ({"year": ""}, "year", "Nhập năm đánh giá."),
        ({"source": "2019"}, "source", "Chọn kỳ đánh giá năm trước để sao chép."),
        ({"title": "x" * 301}, "title", "Tiêu đề dài quá 300 ký tự."),
    ],
)
def test_bad_roll_forward_values_are_refused_in_vietnamese(
    app: Flask,
    client: FlaskClient,
    cycle: dict[str, Any],
    values: dict[str, str],
    field: str,
    message: str,
) -> None:
    with app.app_context():
        db.session.add(Cycle(year=2024, title="Kỳ 2024"))
        db.session.commit()
    _secretariat(client)
    form = {"source": "2025", "year": "2026", "title": ""} | values
    r = post(client, ROLL, form)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in page
    assert_vietnamese(message)
    assert _count(app, Cycle) == 2


def test_an_error_while_creating_leaves_nothing_half_created(
    app: Flask, client: FlaskClient, cycle: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses the last write (the audit entry): the cycle, its sets and its
    agencies, written before it in the same transaction, are all rolled back."""
    from sqlalchemy.exc import IntegrityError

    from web.secretariat import rollover

    def refused(*args: Any, **kwargs: Any) -> None:
        db.session.flush()  # the cycle, sets and agencies reach the database first
        raise IntegrityError("INSERT INTO audit", {}, Exception("refused"))

    monkeypatch.setattr(rollover, "audit", refused)
    _secretariat(client)
    r = post(client, ROLL, {"source": "2025", "year": "2026", "title": ""})
    assert r.status_code == 400
    assert "Chưa tạo kỳ đánh giá năm 2026: " in r.get_data(as_text=True)
    assert _count(app, Cycle) == 1
    assert _count(app, CriteriaRecord) == 2
    assert _placed(app, 2026) == set()
    assert _count(app, Agency) == 3 and _count(app, Submission) == 3


def test_roll_forward_needs_the_csrf_token_and_the_secretariat(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    r = client.post(ROLL, data={"source": "2025", "year": "2026"})
    assert r.status_code == 400
    client.post("/dang-xuat", data={})
    for email in ("xa-a@thu.vn", "thamdinh@thu.vn"):
        other = app.test_client()
        assert login(other, email).status_code == 302
        assert post(other, ROLL, {"source": "2025", "year": "2026"}).status_code == 403
        assert other.get(PREVIEW).status_code == 403
    assert _count(app, Cycle) == 1


def test_predecessors_in_two_blocks_place_the_successor_by_its_type(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    """huyen-h merged into xa-ab with xa-a and xa-b (instead of dissolved): the predecessors'
    blocks are xa and huyen, so xa-ab goes by its type: last year's UBND xã units were all in xa."""
    reorganise(app)
    with app.app_context():
        link = db.session.execute(db.select(UnitLink).filter_by(change="dissolved")).scalar_one()
        link.change = "merged"
        link.new_unit = db.session.execute(db.select(Unit).filter_by(code="xa-ab")).scalar_one()
        db.session.commit()
    _secretariat(client)
    page = client.get(PREVIEW).get_data(as_text=True)
    assert (
        "<td>hợp nhất từ xa-a, xa-b, huyen-h (01/07/2025); "
        "xếp theo loại đơn vị (UBND xã) như năm 2025</td>"
    ) in page
    assert "<td>hợp nhất vào xa-ab từ 01/07/2025</td>" in page.split("Không còn đánh giá")[1]
