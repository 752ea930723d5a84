"""The panel's daily work (issue 14, items 8–10): "accept the remaining self-scores" per field
and per agency, keyboard-friendly scoring, the queue's search, filters, sort and pages, and the
agency's explanation shown once on a leaf card.

Expected figures are worked out by hand from the bundled commune criteria
(criteria/2025/xa.yaml) and the fixture's data, quoted beside each figure.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import post
from tests.web.test_appraisal import (
    XA_A_FACTS,
    appraise_page,
    assign,
    audits,
    client_for,
    html_of,
    rows,
    submitted,
)
from web import workflow
from web.appraisal.appraising import ACCEPT_REASON
from web.appraisal.queue import PAGE_SIZE
from web.engine import appraisable_codes
from web.models import Agency, Appraisal, Cycle, Submission, db


def _accept(client: Any, agency_id: int, field: str = "") -> Any:
    data = {"linh_vuc": field} if field else {}
    return post(client, f"/tham-dinh/don-vi/{agency_id}/chap-nhan-tu-cham", data)


def _flag(app: Flask, agency_id: int, leaf: str, score_c: int, question: str) -> None:
    """A round-1 score with a request for an explanation, as the field page writes it."""
    with app.app_context():
        sub = db.session.get(Agency, agency_id).submission  # type: ignore[union-attr]
        db.session.add(
            Appraisal(
                submission=sub,
                leaf=leaf,
                round=1,
                score_c=score_c,
                reason="Cần xem lại",
                flagged=True,
                question=question,
            )
        )
        db.session.commit()


def _state(app: Flask, agency_id: int) -> str:
    with app.app_context():
        sub = db.session.get(Agency, agency_id).submission  # type: ignore[union-attr]
        return str(sub.state)


# ================================================================ item 8: accept the remaining
def test_accept_remaining_of_one_field(app: Flask, cycle: dict[str, Any]) -> None:
    """The appraiser (criterion 1.1 and field 2 assigned) accepts what remains of field 1:
    1.1.1 is accepted at its self-score; 1.1.2, already scored with a request for an
    explanation, is left as it is; 1.1.3 claims 0,75 with no document and no explanation, so
    it is left for the appraiser to read; field 2 is not touched."""
    facts = {
        # deadline 30/7/2025, issued 20/7: on time → 1 point; an explanation stands for a document
        "1.1.1": {"date": "2025-07-20", "explanation": "Bản giấy lưu tại xã"},
        # 9 of 10 = 90 % → 0,75 point, with neither a document nor an explanation
        "1.1.3": {"numerator": 9, "denominator": 10},
    }
    agency_id = submitted(app, cycle, "xa-a", facts)
    assign(app, "1.1", "2")
    _flag(app, agency_id, "1.1.2", 0, "Gửi kế hoạch đã ký")
    panel = client_for(app, "thamdinh@thu.vn")
    r = _accept(panel, agency_id, "1")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/tham-dinh/don-vi/{agency_id}")
    stored = rows(app, agency_id)
    assert sorted(stored) == ["1.1.1/1", "1.1.2/1"]
    assert (stored["1.1.1/1"].score_c, stored["1.1.1/1"].reason) == (100, "")
    assert not stored["1.1.1/1"].flagged
    assert (stored["1.1.2/1"].score_c, stored["1.1.2/1"].flagged) == (0, True)  # untouched
    assert stored["1.1.2/1"].question == "Gửi kế hoạch đã ký"
    assert audits(app, "appraisal") == [("1.1.1/round1", "tự chấm 1,00", "1,00", ACCEPT_REASON)]
    html = html_of(panel, f"/tham-dinh/don-vi/{agency_id}")
    assert "Đã chấp nhận điểm tự chấm làm điểm thẩm định vòng 1 của 1 tiêu chí" in html
    assert ": 1.1.1." in html
    assert "Còn 1 tiêu chí tự chấm điểm mà thiếu hoặc chưa đủ tài liệu kiểm chứng" in html
    assert "từng tiêu chí: 1.1.3." in html
    # field 1's row now says what is left to read, with no button
    assert "1 tiêu chí thiếu minh chứng</a>: chấm từng tiêu chí" in html
    # field 2 (6 leaves: 2.1.1, 2.1.2, 2.2.1–2.2.4) still offers its own acceptance
    assert "Chấp nhận 6 điểm còn lại" in html
    # pressing again accepts nothing more and writes nothing
    _accept(panel, agency_id, "1")
    assert len(audits(app, "appraisal")) == 1


def test_accept_remaining_of_an_agency_then_finish_round_1(
    app: Flask, cycle: dict[str, Any]
) -> None:
    """The secretariat (every leaf) accepts all that remains: one audit entry per accepted
    leaf, each the self-score; then round 1 can be finished."""
    facts = dict(XA_A_FACTS)
    facts["1.4.3"] = {"did_not_arise": "Xã chưa có trang thông tin"}  # excluded when accepted
    agency_id = submitted(app, cycle, "xa-a", facts)
    _flag(app, agency_id, "1.1.3", 50, "Gửi báo cáo 12/BC-UBND")
    staff = client_for(app, "sonoivu@thu.vn")
    with app.app_context():
        leaves = appraisable_codes(db.session.get(Agency, agency_id))  # type: ignore[arg-type]
    assert len(leaves) == 74  # the commune set's self-scored leaves (docs/web.md)
    assert _accept(staff, agency_id).status_code == 302
    entries = audits(app, "appraisal")
    expected = {f"{c}/round1" for c in leaves if c != "1.1.3"}
    assert len(entries) == 73 and {key for key, *_ in entries} == expected  # once each
    assert {reason for *_, reason in entries} == {ACCEPT_REASON}
    by_key = {key: (old, new) for key, old, new, _ in entries}
    # figures from XA_A_FACTS (tests/web/test_appraisal.py): 7/8 × 0,5 = 0,4375 → 0,44 …
    assert by_key["1.4.2/round1"] == ("tự chấm 0,44", "0,44")
    assert by_key["1.3.3/round1"] == ("tự chấm 0,50", "0,50")  # did not arise, full points
    assert by_key["T.1/round1"] == ("tự chấm 0,50", "0,50")  # 1 initiative × 0,5
    assert by_key["2.1.1/round1"] == ("tự chấm 0,00", "0,00")  # left empty: 0
    assert by_key["1.4.3/round1"] == ("tự chấm không phát sinh", "không phát sinh")
    stored = rows(app, agency_id, 1)
    assert stored["1.4.3/1"].score_c is None and stored["1.4.2/1"].score_c == 44
    assert stored["1.1.3/1"].flagged and stored["1.1.3/1"].score_c == 50  # untouched
    r = post(staff, f"/tham-dinh/don-vi/{agency_id}/hoan-thanh-vong-1")
    assert r.status_code == 302
    assert _state(app, agency_id) == workflow.EXPLANATION  # 1.1.3 asks for an explanation
    # round 1 is over: nothing more is accepted, and the page says why
    _accept(staff, agency_id)
    assert len(audits(app, "appraisal")) == 73
    html = html_of(staff, f"/tham-dinh/don-vi/{agency_id}")
    assert "chỉ chấp nhận điểm tự chấm được trong vòng 1" in html
    assert 'id="accept-form"' not in html


def test_accept_remaining_is_refused_to_others(app: Flask, cycle: dict[str, Any]) -> None:
    agency_id = submitted(app, cycle, "xa-a", XA_A_FACTS)
    assign(app, "1.1")
    ids = cycle["agency_ids"]
    officer = client_for(app, "xa-a@thu.vn")
    assert _accept(officer, agency_id).status_code == 403
    panel = client_for(app, "thamdinh@thu.vn")
    assert _accept(panel, agency_id, "3").status_code == 403  # field 3 not assigned
    assert _accept(panel, agency_id, "99").status_code == 404
    assert _accept(panel, ids["xa-b"]).status_code == 404  # a draft
    assert _accept(panel, ids["so-a"]).status_code == 404  # a draft too
    # without the form's CSRF token
    r = panel.post(f"/tham-dinh/don-vi/{agency_id}/chap-nhan-tu-cham", data={})
    assert r.status_code == 400
    assert audits(app, "appraisal") == [] and rows(app, agency_id) == {}


def test_the_agency_page_offers_acceptance_per_field_and_for_all(
    app: Flask, cycle: dict[str, Any]
) -> None:
    agency_id = submitted(app, cycle, "xa-a", XA_A_FACTS)
    assign(app, "1.1", "2")
    html = html_of(client_for(app, "thamdinh@thu.vn"), f"/tham-dinh/don-vi/{agency_id}")
    # criterion 1.1: 3 leaves on field 1's page; field 2: 6 leaves
    assert "Chấp nhận 3 điểm còn lại" in html and "Chấp nhận 6 điểm còn lại" in html
    assert 'id="accept-form"' in html and 'accesskey="a"' in html
    assert "Chấp nhận 9 điểm tự chấm còn lại" in html
    assert "<kbd>Alt</kbd>+<kbd>A</kbd>" in html  # the shortcut is written on the page
    assert html.count('name="csrf_token"') >= 3


# ================================================================ item 8: keyboard-friendly
def _autofocus(html: str) -> list[str]:
    return re.findall(r'id="([^"]+)"[^>]*\bautofocus\b', html)


def test_the_field_page_opens_on_the_first_leaf_not_scored(
    app: Flask, cycle: dict[str, Any]
) -> None:
    agency_id = submitted(app, cycle, "xa-a", XA_A_FACTS)
    assign(app, "1.1")
    panel = client_for(app, "thamdinh@thu.vn")
    path = f"/tham-dinh/don-vi/{agency_id}/linh-vuc/1"
    html = html_of(panel, path)
    assert _autofocus(html) == ["a-1.1.1-score"]
    _flag(app, agency_id, "1.1.1", 100, "?")
    assert _autofocus(html_of(panel, path)) == ["a-1.1.2-score"]
    # a save with an error: the page opens on the input in error (1.1.3 changed, no reason)
    r = appraise_page(panel, agency_id, "1", {"1.1.3-score": "0,5"})
    assert "phải nêu lý do" in r.get_data(as_text=True)
    assert _autofocus(r.get_data(as_text=True)) == ["a-1.1.3-reason"]
    # Enter in a score input submits: the form's first button is "Lưu", a submit button
    form = html[html.index('id="appraisal-form"') :]
    first_button = re.search(r"<button[^>]*>", form)
    assert first_button and 'type="submit"' in first_button.group(0)
    assert 'accesskey="s"' in first_button.group(0)
    assert "Dùng bàn phím" in html and "<kbd>Enter</kbd> trong ô điểm" in html
    assert "tabindex" not in form  # the tab order is the page's order


# ======================================================= item 10: the explanation shown once
def test_the_explanation_is_shown_once_on_a_leaf_card(app: Flask, cycle: dict[str, Any]) -> None:
    facts = {
        "1.1.3": {"numerator": 9, "denominator": 10, "explanation": "Báo cáo 12/BC-UBND"},
        "1.3.3": {"did_not_arise": "Không phát hiện vấn đề qua kiểm tra"},
    }
    agency_id = submitted(app, cycle, "xa-a", facts)
    html = html_of(client_for(app, "sonoivu@thu.vn"), f"/tham-dinh/don-vi/{agency_id}/linh-vuc/1")
    card = html[html.index('id="tc-1.1.3"') : html.index('id="tc-1.2.1"')]
    assert card.count("Báo cáo 12/BC-UBND") == 1
    assert "Số nhiệm vụ, sản phẩm đã hoàn thành: 9" in card  # the facts are still there
    card = html[html.index('id="tc-1.3.3"') : html.index('id="tc-1.4.1"')]
    assert card.count("Không phát hiện vấn đề qua kiểm tra") == 1


# ===================================================================== item 9: the queue
NAMES = [
    # (code, name, block, state)
    ("so-noi-vu", "Sở Nội vụ", "so-nganh", "submitted"),
    ("so-tu-phap", "Sở Tư pháp", "so-nganh", "explanation"),
    ("xa-duc-pho", "UBND xã Đức Phổ", "xa", "submitted"),
    ("xa-an-binh", "UBND xã An Bình", "xa", "appraised_2"),
]


@pytest.fixture
def queue_cycle(app: Flask, cycle: dict[str, Any]) -> dict[str, int]:
    """Four more submitted agencies beside the fixture's (xa-a, xa-b, so-a stay drafts):
    Sở Nội vụ with two leaves scored in round 1, Sở Tư pháp with one leaf flagged and answered
    and one flagged waiting, xã Đức Phổ untouched, xã An Bình with every leaf scored."""
    with app.app_context():
        c = db.session.execute(db.select(Cycle)).scalar_one()
        ids = {}
        for code, name, block, state in NAMES:
            a = Agency(cycle=c, code=code, name=name, block=block)
            db.session.add(a)
            db.session.add(
                Submission(
                    agency=a,
                    state=state,
                    submitted_at=dt.datetime(2025, 8, 1, 1, 0),
                    state_at=dt.datetime(2025, 8, 1, 1, 0),
                )
            )
            db.session.flush()
            ids[code] = a.id
        subs = {code: db.session.get(Agency, i).submission for code, i in ids.items()}
        at = dt.datetime(2025, 8, 5, 2, 30)  # 09:30 Vietnam time

        def score(code: str, leaf: str, **kw: Any) -> None:
            db.session.add(Appraisal(submission=subs[code], leaf=leaf, round=1, score_c=0, **kw))

        score("so-noi-vu", "1.1.1", at=at)
        score("so-noi-vu", "1.1.2", at=at)
        late = dt.datetime(2025, 8, 9, 3, 0)
        score("so-tu-phap", "1.1.1", flagged=True, question="?", answered_at=late, at=at)
        score("so-tu-phap", "1.1.2", flagged=True, question="?", at=at)
        agency = db.session.get(Agency, ids["xa-an-binh"])
        for leaf in appraisable_codes(agency):  # type: ignore[arg-type]
            score("xa-an-binh", leaf, at=dt.datetime(2025, 8, 3, 2, 0))
        db.session.commit()
        return ids


def _names(html: str) -> list[str]:
    table = html[html.index('id="queue-2025"') : html.index("</table>")]
    return re.findall(r'<td><a href="/tham-dinh/don-vi/\d+">([^<]+)</a>', table)


def _queue(app: Flask, query: str = "") -> list[str]:
    html = html_of(client_for(app, "sonoivu@thu.vn"), "/tham-dinh/" + query)
    return _names(html) if 'id="queue-2025"' in html else []


def test_the_queue_searches_names_without_diacritics(app: Flask, queue_cycle: Any) -> None:
    assert _queue(app, "?q=so+noi+vu") == ["Sở Nội vụ"]
    assert _queue(app, "?q=SỞ+NỘI+VỤ") == ["Sở Nội vụ"]
    assert _queue(app, "?q=duc+pho") == ["UBND xã Đức Phổ"]  # đ typed as d
    assert _queue(app, "?q=xa-an") == ["UBND xã An Bình"]  # by code
    assert _queue(app, "?q=so+noi+vu+x") == []
    html = html_of(client_for(app, "sonoivu@thu.vn"), "/tham-dinh/?q=khong+co")
    assert "Không có đơn vị nào khớp bộ lọc (tổng 4 đơn vị)" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # block
        ("khoi=so-nganh", ["Sở Nội vụ", "Sở Tư pháp"]),
        ("khoi=xa", ["UBND xã Đức Phổ", "UBND xã An Bình"]),
        # state (sorted by state first: submitted before appraised_2)
        ("trang_thai=submitted", ["Sở Nội vụ", "UBND xã Đức Phổ"]),
        ("trang_thai=explanation", ["Sở Tư pháp"]),
        ("trang_thai=draft", ["Sở Nội vụ", "UBND xã Đức Phổ", "Sở Tư pháp", "UBND xã An Bình"]),
        # progress of round 1 (the secretariat's leaves: all of them)
        ("tien_do=chua-bat-dau", ["UBND xã Đức Phổ"]),
        ("tien_do=dang-tham-dinh", ["Sở Nội vụ", "Sở Tư pháp"]),
        ("tien_do=xong-vong-1", ["UBND xã An Bình"]),
        # flagged leaves
        ("giai_trinh=co", ["Sở Tư pháp"]),
        ("giai_trinh=cho-giai-trinh", ["Sở Tư pháp"]),
        ("giai_trinh=khong", ["Sở Nội vụ", "UBND xã Đức Phổ", "UBND xã An Bình"]),
        # filters together
        ("khoi=xa&tien_do=chua-bat-dau", ["UBND xã Đức Phổ"]),
        ("khoi=so-nganh&giai_trinh=co&q=noi+vu", []),
    ],
)
def test_the_queue_filters(app: Flask, queue_cycle: Any, query: str, expected: list[str]) -> None:
    """("draft" is not a state the panel sees: the filter is dropped, everything is shown.)"""
    assert _queue(app, "?" + query) == expected


def test_the_queue_counts_progress_and_last_change(app: Flask, queue_cycle: Any) -> None:
    html = html_of(client_for(app, "sonoivu@thu.vn"), "/tham-dinh/?khoi=so-nganh&sap_xep=ten")
    row = html[html.index(">Sở Tư pháp<") :]
    row = row[: row.index("</tr>")]
    # the department set's self-scored leaves: 2 of them scored, 2 flagged, 1 answered
    cells = re.findall(r'<td class="n">(\d+)', row)
    assert cells[1:] == ["2", "1", "0"]
    assert re.search(r'<td class="n">2/\d+', row)
    # the last change: the answer on 09/08/2025 at 10:00 Vietnam time (03:00 UTC)
    assert "09/08/2025" in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sap_xep=ten", ["Sở Nội vụ", "Sở Tư pháp", "UBND xã An Bình", "UBND xã Đức Phổ"]),
        ("sap_xep=ten&giam=1", ["UBND xã Đức Phổ", "UBND xã An Bình", "Sở Tư pháp", "Sở Nội vụ"]),
        # the default: by state (submitted, explanation, appraised_2), then name
        ("", ["Sở Nội vụ", "UBND xã Đức Phổ", "Sở Tư pháp", "UBND xã An Bình"]),
        # progress: 0 %, then 2 leaves, 2 leaves (by name), then all
        ("sap_xep=tien-do", ["UBND xã Đức Phổ", "Sở Nội vụ", "Sở Tư pháp", "UBND xã An Bình"]),
        (
            "sap_xep=giai-trinh&giam=1",
            ["Sở Tư pháp", "UBND xã Đức Phổ", "UBND xã An Bình", "Sở Nội vụ"],
        ),
        # last change: 01/08 (Đức Phổ), 03/08 (An Bình), 05/08 (Nội vụ), 09/08 (Tư pháp)
        ("sap_xep=cap-nhat", ["UBND xã Đức Phổ", "UBND xã An Bình", "Sở Nội vụ", "Sở Tư pháp"]),
        # block: "Sở, ban, ngành" before "Xã…" (by the block's name), then the name
        ("sap_xep=khoi", ["Sở Nội vụ", "Sở Tư pháp", "UBND xã An Bình", "UBND xã Đức Phổ"]),
    ],
)
def test_the_queue_sorts(app: Flask, queue_cycle: Any, query: str, expected: list[str]) -> None:
    assert _queue(app, "?" + query) == expected


def test_the_queue_is_cut_into_pages(app: Flask, cycle: dict[str, Any]) -> None:
    """PAGE_SIZE + 5 submitted communes: two pages, the filters kept in the page links."""
    total = PAGE_SIZE + 5
    with app.app_context():
        c = db.session.execute(db.select(Cycle)).scalar_one()
        for i in range(total):
            a = Agency(cycle=c, code=f"xa-{i:03d}", name=f"UBND xã Số {i:03d}", block="xa")
            db.session.add_all([a, Submission(agency=a, state="submitted")])
        db.session.commit()
    client = client_for(app, "sonoivu@thu.vn")
    html = html_of(client, "/tham-dinh/?q=so&sap_xep=ten")
    names = _names(html)
    assert names == [f"UBND xã Số {i:03d}" for i in range(PAGE_SIZE)]
    assert f"Đơn vị 1–{PAGE_SIZE} trong {total} đơn vị khớp bộ lọc" in html
    assert 'aria-label="Các trang của danh sách"' in html
    assert "/tham-dinh/?nam=2025&amp;q=so&amp;sap_xep=ten&amp;trang=2" in html
    html = html_of(client, "/tham-dinh/?nam=2025&q=so&sap_xep=ten&trang=2")
    assert _names(html) == [f"UBND xã Số {i:03d}" for i in range(PAGE_SIZE, total)]
    assert f"Đơn vị {PAGE_SIZE + 1}–{total} trong {total}" in html
    # past the last page: the last page; nonsense: the first
    assert _names(html_of(client, "/tham-dinh/?q=so&sap_xep=ten&trang=9")) == _names(html)
    assert _names(html_of(client, "/tham-dinh/?q=so&sap_xep=ten&trang=x"))[0] == "UBND xã Số 000"


def test_an_appraiser_queue_counts_only_assigned_leaves(app: Flask, queue_cycle: Any) -> None:
    assign(app, "1.1", block="so-nganh")  # criterion 1.1 of departments only
    html = html_of(client_for(app, "thamdinh@thu.vn"), "/tham-dinh/")
    assert _names(html) == ["Sở Nội vụ", "Sở Tư pháp"]  # no commune: nothing assigned there
    # both departments scored leaves 1.1.1 and 1.1.2; criterion 1.1 of so-nganh.yaml
    assert html.count('<td class="n">2/') == 2


# ============================================================ in a real browser, by keyboard
@pytest.mark.browser
def test_scoring_by_keyboard_in_a_real_browser(app: Flask, cycle: dict[str, Any]) -> None:
    """Chromium: the field page opens with the cursor in 1.1.1's score; Enter saves the page
    (the three leaves of criterion 1.1 at their self-scores); the agency page's "accept all"
    then accepts field 2's six leaves; the queue finds the agency typed without diacritics."""
    from tests.web.conftest import PASSWORD
    from tests.web.livesite import browser, live_server

    agency_id = submitted(app, cycle, "xa-a", XA_A_FACTS)
    assign(app, "1.1", "2")
    dialogs: list[str] = []
    with live_server(app) as url, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
        page.goto(url + "/dang-nhap")
        page.fill("#email", "thamdinh@thu.vn")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(f"{url}/tham-dinh/don-vi/{agency_id}/linh-vuc/1")
        assert page.evaluate("document.activeElement.id") == "a-1.1.1-score"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "a-1.1.1-reason"
        page.keyboard.press("Shift+Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Đã lưu điểm thẩm định vòng 1 của 3 tiêu chí" in page.inner_text("main")
        assert page.evaluate("document.activeElement.tagName") == "BODY"  # nothing left
        page.goto(f"{url}/tham-dinh/don-vi/{agency_id}")
        with page.expect_navigation():
            page.click("#accept-form button")
        assert dialogs and "điểm tự chấm" in dialogs[-1]
        assert "vòng 1 của 6 tiêu chí" in page.inner_text("main")
        page.goto(url + "/tham-dinh/")
        page.fill("#q", "ubnd xa a")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "UBND xã A" in page.inner_text("#queue-2025")
        assert "9/9" in page.inner_text("#queue-2025")
    assert sorted(rows(app, agency_id)) == sorted(
        f"{c}/1"
        for c in ("1.1.1", "1.1.2", "1.1.3", "2.1.1", "2.1.2")
        + ("2.2.1", "2.2.2", "2.2.3", "2.2.4")
    )
