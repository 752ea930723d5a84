"""Accounts that outlive a cycle: an officer's account belongs to its unit and sees every opened
cycle in which that unit is assessed (web/accounts.py) — the newest by default, an earlier one by
``?nam=``; a cycle being prepared is never seen; an earlier year is read-only once submitted or
published (the workflow's own rule)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import add_cycle, login, post
from web import accounts, workflow
from web.models import Agency, Entry, Submission, Unit, User, db

FIELD_FORM = {
    "1.3.1-version": "0",
    "1.3.1-orig": "",
    "1.3.1-done": "co",
    "1.3.1-explanation": "Kế hoạch CCHC năm",
}


def _state(app: Flask, agency_id: int, state: str) -> None:
    with app.app_context():
        sub = db.session.execute(db.select(Submission).filter_by(agency_id=agency_id)).scalar_one()
        sub.state = state
        db.session.commit()


def _entries(app: Flask, agency_id: int) -> dict[str, Any]:
    with app.app_context():
        rows = db.session.execute(
            db.select(Entry).join(Submission).filter(Submission.agency_id == agency_id)
        ).scalars()
        return {e.leaf: e.data.get("explanation") for e in rows}


def test_the_same_account_sees_both_years_the_newest_first(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    earlier = add_cycle(app, 2024)
    _state(app, earlier["xa-a"], workflow.PUBLISHED)
    assert login(client, "xa-a@thu.vn").status_code == 302
    page = client.get("/don-vi/").get_data(as_text=True)
    assert "Kỳ thử 2025" in page and "Kỳ thử 2024" not in page
    assert "Năm đánh giá" in page and 'href="/don-vi/?nam=2024"' in page
    # the newest year's own pages keep the year in their addresses (two years to tell apart)
    assert 'href="/don-vi/linh-vuc/1?nam=2025"' in page
    page = client.get("/don-vi/?nam=2024").get_data(as_text=True)
    assert "Kỳ thử 2024" in page and "UBND xã A (2024)" in page
    assert 'href="/don-vi/linh-vuc/1?nam=2024"' in page
    assert '<strong aria-current="page">2024</strong>' in page


def test_writes_land_in_the_newest_open_year_and_a_published_year_is_read_only(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    earlier = add_cycle(app, 2024)
    _state(app, earlier["xa-a"], workflow.PUBLISHED)
    login(client, "xa-a@thu.vn")
    assert post(client, "/don-vi/linh-vuc/1", FIELD_FORM).status_code == 302
    assert _entries(app, cycle["agency_ids"]["xa-a"]) == {"1.3.1": "Kế hoạch CCHC năm"}
    r = post(client, "/don-vi/linh-vuc/1?nam=2024", {**FIELD_FORM, "1.3.1-explanation": "Sửa"})
    assert r.status_code in (403, 409), r.status_code
    assert _entries(app, earlier["xa-a"]) == {}
    page = client.get("/don-vi/linh-vuc/1?nam=2024").get_data(as_text=True)
    assert "Hồ sơ đã nộp; không thể sửa." in page


def test_an_earlier_year_still_in_draft_is_written_when_named(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    earlier = add_cycle(app, 2024)
    login(client, "xa-a@thu.vn")
    r = post(client, "/don-vi/linh-vuc/1?nam=2024", FIELD_FORM)
    assert r.status_code == 302 and r.headers["Location"] == "/don-vi/linh-vuc/1?nam=2024"
    assert _entries(app, earlier["xa-a"]) == {"1.3.1": "Kế hoạch CCHC năm"}
    assert _entries(app, cycle["agency_ids"]["xa-a"]) == {}


def test_a_cycle_being_prepared_is_never_seen(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    add_cycle(app, 2026, opened=False)
    login(client, "xa-a@thu.vn")
    page = client.get("/don-vi/").get_data(as_text=True)
    assert "Kỳ thử 2025" in page
    assert "Năm đánh giá" not in page  # one year seen: no switcher, addresses unchanged
    assert 'href="/don-vi/linh-vuc/1"' in page
    assert client.get("/don-vi/?nam=2026").status_code == 404
    assert client.get("/don-vi/?nam=2023").status_code == 404
    assert client.get("/don-vi/?nam=abc").status_code == 404


def test_an_account_whose_unit_is_not_assessed_in_an_open_cycle_is_refused(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    with app.app_context():
        unit = Unit(code="xa-moi", name="Xã mới")
        user = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        user.unit = unit
        db.session.commit()
    login(client, "xa-a@thu.vn")
    assert client.get("/don-vi/").status_code == 403


def test_the_rule_in_one_place(app: Flask, cycle: dict[str, Any]) -> None:
    """agencies_of / agency_of / owns: the officer's unit's rows in opened cycles only."""
    earlier = add_cycle(app, 2024)
    add_cycle(app, 2026, opened=False)
    with app.app_context():
        a = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        b = db.session.execute(db.select(User).filter_by(email="xa-b@thu.vn")).scalar_one()
        staff = db.session.execute(db.select(User).filter_by(email="sonoivu@thu.vn")).scalar_one()
        assert [x.cycle.year for x in accounts.agencies_of(a)] == [2025, 2024]
        assert accounts.agency_of(a).id == cycle["agency_ids"]["xa-a"]  # type: ignore[union-attr]
        assert accounts.agency_of(a, 2024).id == earlier["xa-a"]  # type: ignore[union-attr]
        assert accounts.agency_of(a, 2026) is None
        assert accounts.agencies_of(staff) == []
        old_a = db.session.get(Agency, earlier["xa-a"])
        assert old_a is not None
        assert accounts.owns(a, old_a) and not accounts.owns(b, old_a)
        # the workflow asks the same rule: xa-b's officer may not submit xa-a's 2024 draft
        sub = old_a.submission
        assert sub is not None
        why = workflow.refusal(sub, workflow.SUBMITTED, b)
        assert why == "Chỉ cán bộ của chính đơn vị được thao tác trên hồ sơ của đơn vị."


def test_the_year_switcher_is_vietnamese(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    from tests.vietnamese import assert_vietnamese

    add_cycle(app, 2024)
    login(client, "xa-a@thu.vn")
    page = client.get("/don-vi/?nam=2024").get_data(as_text=True)
    nav = re.search(r'<nav class="years".*?</nav>', page, re.S)
    assert nav is not None
    assert_vietnamese(re.sub(r"<[^>]+>", " ", nav.group(0)))
