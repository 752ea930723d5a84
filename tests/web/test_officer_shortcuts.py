"""The officer's shortcuts of issue 14: "Không phát sinh" ticked on a leaf that has figures
works in one save (item 2), and the overview links the Excel round trip and the report
(item 3). Points from the wording of criteria/2025/xa.yaml, quoted beside each figure."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import post
from tests.web.test_agency import form_of, leaf_html, officer, page, points_on, save, stored
from web.models import Entry, Submission, db

REASON = "Trong năm không có hồ sơ sai sót, trễ hạn"
WITH_FACTS = "vẫn có dữ kiện"  # the engine's did-not-arise-with-facts warning


@pytest.fixture
def xa_a(app: Flask, cycle: dict[str, Any]) -> FlaskClient:
    return officer(app)


def test_ticking_did_not_arise_clears_the_figures_in_one_save(
    app: Flask, xa_a: FlaskClient
) -> None:
    # 3.3.2 "100% hồ sơ trễ hạn phải ban hành văn bản xin lỗi: 1,5 điểm; dưới 100%: 0 điểm.
    # Không có hồ sơ sai sót, trễ hạn được tính điểm tối đa" (did_not_arise: full-points)
    save(xa_a, "3", {"3.3.2-numerator": "3", "3.3.2-denominator": "4"})  # 75 % → 0
    assert points_on(page(xa_a, "/don-vi/linh-vuc/3"), "3.3.2") == "0,00"
    # the officer ticks "Không phát sinh" and gives the reason, the figures still typed
    r = save(xa_a, "3", {"3.3.2-dna": "1", "3.3.2-dna_reason": REASON})
    assert r.status_code == 302
    entry = stored(app, "xa-a", "3.3.2")
    assert entry is not None and entry.data == {"did_not_arise": REASON}
    html = page(xa_a, "/don-vi/linh-vuc/3")
    assert points_on(html, "3.3.2") == "1,50"  # full points, in one step
    assert WITH_FACTS not in leaf_html(html, "3.3.2")
    # the page said what was cleared (flashed after the save, shown on the page above)
    assert "Tiêu chí 3.3.2 khai “Không phát sinh”: đã xóa số liệu đã nhập" in html
    values = form_of(html).values
    assert values.get("3.3.2-numerator", "") == "" and values["3.3.2-dna"] == "1"


def test_an_unreadable_figure_does_not_stop_the_claim(app: Flask, xa_a: FlaskClient) -> None:
    r = save(
        xa_a,
        "3",
        {"3.3.2-numerator": "ba", "3.3.2-dna": "1", "3.3.2-dna_reason": REASON},
    )
    assert r.status_code == 302
    entry = stored(app, "xa-a", "3.3.2")
    assert entry is not None and entry.data == {"did_not_arise": REASON}


def test_without_a_reason_nothing_is_cleared(app: Flask, xa_a: FlaskClient) -> None:
    save(xa_a, "3", {"3.3.2-numerator": "3", "3.3.2-denominator": "4"})
    r = save(xa_a, "3", {"3.3.2-dna": "1"})
    assert r.status_code != 302  # shown again with the message, not saved
    assert "Đã chọn “Không phát sinh” thì phải nêu lý do." in r.get_data(as_text=True)
    entry = stored(app, "xa-a", "3.3.2")
    assert entry is not None and entry.data == {"numerator": 3, "denominator": 4}


def test_figures_stored_beside_a_claim_are_cleared_by_the_next_save(
    app: Flask, xa_a: FlaskClient, cycle: dict[str, Any]
) -> None:
    """Written together by another front end (a file), the claim and the figures: the form
    shows both; "Lưu nháp" untouched clears the figures, so the claim counts."""
    with app.app_context():
        sub = db.session.execute(
            db.select(Submission).filter_by(agency_id=cycle["agency_ids"]["xa-a"])
        ).scalar_one()
        db.session.add(
            Entry(
                submission=sub,
                leaf="3.3.2",
                data={"numerator": 3, "denominator": 4, "did_not_arise": REASON},
            )
        )
        db.session.commit()
    html = page(xa_a, "/don-vi/linh-vuc/3")
    assert WITH_FACTS in leaf_html(html, "3.3.2")
    assert points_on(html, "3.3.2") == "0,00"
    assert save(xa_a, "3", {}, html).status_code == 302
    entry = stored(app, "xa-a", "3.3.2")
    assert entry is not None and entry.data == {"did_not_arise": REASON}
    assert points_on(page(xa_a, "/don-vi/linh-vuc/3"), "3.3.2") == "1,50"


def test_the_form_says_the_figures_will_be_cleared(xa_a: FlaskClient) -> None:
    html = leaf_html(page(xa_a, "/don-vi/linh-vuc/3"), "3.3.2")
    assert "số liệu đã nhập của tiêu chí này được xóa khi lưu" in html
    r = xa_a.get("/static/form.js")
    script = r.get_data(as_text=True)
    r.close()
    assert '[name$="-dna"]' in script and "el.disabled = box.checked" in script


def test_the_overview_links_the_excel_round_trip_and_the_report(xa_a: FlaskClient) -> None:
    html = page(xa_a, "/don-vi/")
    assert 'href="/don-vi/excel/mau"' in html
    assert 'href="/don-vi/excel/nhap"' in html
    assert 'href="/don-vi/bao-cao/"' in html
    # each link works for the officer
    assert xa_a.get("/don-vi/excel/nhap").status_code == 200
    assert xa_a.get("/don-vi/excel/mau").status_code == 200
    assert xa_a.get("/don-vi/bao-cao/").status_code == 200


def test_a_submitted_overview_offers_the_template_but_not_the_import(
    app: Flask, xa_a: FlaskClient, cycle: dict[str, Any]
) -> None:
    with app.app_context():
        sub = db.session.execute(
            db.select(Submission).filter_by(agency_id=cycle["agency_ids"]["xa-a"])
        ).scalar_one()
        sub.state = "submitted"
        db.session.commit()
    html = page(xa_a, "/don-vi/")
    assert 'href="/don-vi/excel/mau"' in html
    assert 'href="/don-vi/excel/nhap"' not in html


def test_with_the_figures_greyed_out_the_stored_ones_are_cleared_and_named(
    app: Flask, xa_a: FlaskClient
) -> None:
    """With JavaScript the ticked box disables the figures, so the browser does not send them:
    the stored figures are cleared all the same and the message names them."""
    save(xa_a, "3", {"3.3.2-numerator": "3", "3.3.2-denominator": "4"})
    values = form_of(page(xa_a, "/don-vi/linh-vuc/3")).values
    del values["3.3.2-numerator"], values["3.3.2-denominator"]  # disabled: not sent
    values |= {"3.3.2-dna": "1", "3.3.2-dna_reason": REASON}
    assert post(xa_a, "/don-vi/linh-vuc/3", values).status_code == 302
    entry = stored(app, "xa-a", "3.3.2")
    assert entry is not None and entry.data == {"did_not_arise": REASON}
    html = page(xa_a, "/don-vi/linh-vuc/3")
    assert (
        "Tiêu chí 3.3.2 khai “Không phát sinh”: đã xóa số liệu đã nhập (Số hồ sơ sai sót, trễ "
        "hạn có văn bản xin lỗi; Tổng số hồ sơ sai sót, trễ hạn)."
    ) in html
