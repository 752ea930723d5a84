"""The agency officer's self-assessment: the field forms, saving, conflicts, live points,
evidence uploads, submission and the deadline.

Expected points are worked out by hand from the wording of the bundled commune criteria
(criteria/2025/xa.yaml), quoted beside each figure.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.web.conftest import csrf, login, post
from web.models import AuditEntry, Cycle, Entry, Evidence, Submission, db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 60


# ------------------------------------------------------------------------------------ helpers
class _Form(HTMLParser):
    """The values a browser would send for one form of a page (disabled controls left out)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.disabled_depth = 0
        self.values: dict[str, str] = {}
        self.controls: list[tuple[str, bool]] = []  # (name, disabled)
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
            return
        if not self.inside:
            return
        if tag == "fieldset":
            self._depth += 1
            if "disabled" in a or self.disabled_depth:
                self.disabled_depth += 1
        disabled = bool(self.disabled_depth) or "disabled" in a
        name = a.get("name", "")
        if tag == "input" and name:
            self.controls.append((name, disabled))
            kind = a.get("type", "text")
            if disabled or kind in ("submit", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self.controls.append((name, disabled))
            self._select = None if disabled else name
            if self._select:
                self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self.controls.append((name, disabled))
            self._textarea = None if disabled else name
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "form":
            self.inside = False
        elif tag == "fieldset" and self.disabled_depth:
            self.disabled_depth -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values[self._textarea] = "".join(self._text)
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def form_of(html: str, form_id: str = "self-form") -> _Form:
    parser = _Form(form_id)
    parser.feed(html)
    return parser


def page(client: FlaskClient, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def save(client: FlaskClient, field: str, changes: dict[str, str], html: str | None = None) -> Any:
    """Load the field page (or use ``html``), change some inputs, press "Lưu nháp"."""
    values = form_of(html or page(client, f"/don-vi/linh-vuc/{field}")).values
    values.update(changes)
    return post(client, f"/don-vi/linh-vuc/{field}", values)


def points_on(html: str, code: str) -> str:
    match = re.search(
        rf'id="tc-{re.escape(code)}".*?class="points-value">([^<]*)<', html, flags=re.S
    )
    assert match, f"no points for {code}"
    return match.group(1).strip()


def leaf_html(html: str, code: str) -> str:
    start = html.index(f'id="tc-{code}"')
    end = html.find("</section>", start)
    return html[start:end]


def stored(app: Flask, agency: str, code: str) -> Entry | None:
    with app.app_context():
        return db.session.execute(
            db.select(Entry)
            .join(Submission)
            .join(Submission.agency)
            .where(Entry.leaf == code, Submission.agency.has(code=agency))
        ).scalar_one_or_none()


def _submission_of(agency: str) -> Any:
    return db.select(Submission).where(Submission.agency.has(code=agency))


def officer(app: Flask, email: str = "xa-a@thu.vn") -> FlaskClient:
    client = app.test_client()
    r = login(client, email)
    assert r.status_code == 302
    return client


@pytest.fixture
def xa_a(app: Flask, cycle: dict[str, Any]) -> FlaskClient:
    return officer(app)


def uploads(app: Flask) -> list[Path]:
    return sorted(Path(app.config["UPLOAD_FOLDER"]).iterdir())


def add_evidence(
    client: FlaskClient, code: str, file: tuple[bytes, str] | None, **fields: str
) -> Any:
    data: dict[str, Any] = {
        "number": "125/KH-UBND",
        "date": "15/07/2025",
        "issuer": "UBND xã A",
        "title": "Kế hoạch cải cách hành chính năm 2025",
        "location": "toàn văn",
        **fields,
    }
    path = f"/don-vi/tieu-chi/{code}/minh-chung"
    if file is None:
        return post(client, path, data)
    data["file"] = FileStorage(io.BytesIO(file[0]), file[1], content_type="application/pdf")
    data["csrf_token"] = csrf(client)
    # encoded in memory: the test client spools large bodies to a file it never closes
    boundary, body = encode_multipart(data)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def office_zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in names:
            zf.writestr(name, "<xml/>")
    return buffer.getvalue()


# ----------------------------------------------------------------------------------- overview
def test_overview_shows_state_deadline_progress_and_fields(xa_a: FlaskClient) -> None:
    html = page(xa_a, "/don-vi/")
    assert "UBND xã A" in html and "Bản nháp" in html
    assert "31/01/2099 17:00" in html  # the cycle's self-assessment deadline
    # 74 sub-criteria in xa.yaml, 6 of them (8.1.1–8.1.5, 8.2.1) scored by surveys
    assert "0/68" in html
    assert "Cải cách thủ tục hành chính" in html and "Điểm thưởng, điểm trừ" in html
    assert 'href="/don-vi/linh-vuc/3"' in html and "Nộp hồ sơ" in html
    assert "Tiêu chí chưa được kê khai; tính 0 điểm" in html  # what blocks submission
    assert "tính 0 cho đến khi Sở Nội vụ nhập kết quả điều tra" in html  # none imported yet


def test_only_agency_officers_use_the_self_assessment(app: Flask, cycle: dict[str, Any]) -> None:
    for email in ("sonoivu@thu.vn", "thamdinh@thu.vn", "quantri@thu.vn"):
        assert officer(app, email).get("/don-vi/").status_code == 403
    assert app.test_client().get("/don-vi/linh-vuc/1").status_code == 302  # to the log-in page


def test_field_page_shows_every_leaf_with_its_input(xa_a: FlaskClient) -> None:
    html = page(xa_a, "/don-vi/linh-vuc/1")
    for code in ("1.1.1", "1.1.2", "1.1.3", "1.2.1", "1.4.2", "1.7.2"):
        assert f'id="tc-{code}"' in html
    assert "Kế hoạch CCHC năm" in html  # a criterion heading
    one = leaf_html(html, "1.1.1")  # deadline
    assert (
        'placeholder="dd/mm/yyyy"' in one and 'type="date"' not in one
    )  # dd/mm/yyyy in any browser
    assert "Chưa ban hành" in one and "Hạn: 30/07/2025" in one
    assert "Không phát sinh" not in one  # did_not_arise: not-allowed
    rate = leaf_html(html, "1.1.3")  # tiers: the rule's own labels
    assert "Số nhiệm vụ, sản phẩm đã hoàn thành" in rate
    assert "Tổng số nhiệm vụ, sản phẩm đề ra trong Kế hoạch CCHC năm" in rate
    assert "Hoàn thành 100% kế hoạch: 1,5 điểm" in rate  # the official wording
    assert "Số báo cáo chậm hoặc không đúng đề cương" in leaf_html(html, "1.2.1")
    assert "Còn thiếu nhiệm vụ hoặc chưa xác định sản phẩm, thời hạn" in leaf_html(html, "1.1.2")
    yes_no = leaf_html(html, "1.3.1")
    assert 'type="radio" name="1.3.1-done" value="co"' in yes_no and "> Có</label>" in yes_no
    assert 'value="khong"' in yes_no and "> Không</label>" in yes_no
    assert "Không phát sinh" in leaf_html(html, "1.3.3")  # full-points policy
    assert "được tính điểm tối đa" in leaf_html(html, "1.3.3")
    manual = leaf_html(page(xa_a, "/don-vi/linh-vuc/2"), "2.2.3")
    assert "bước 0,25 điểm" in manual
    survey = leaf_html(page(xa_a, "/don-vi/linh-vuc/8"), "8.1.1")
    assert "chấm qua điều tra xã hội học" in survey and "<input" not in survey
    assert xa_a.get("/don-vi/linh-vuc/99").status_code == 404


# -------------------------------------------------------------------------------------- saving
def test_save_facts_of_several_rule_kinds(app: Flask, xa_a: FlaskClient) -> None:
    r = save(
        xa_a,
        "1",
        {
            "1.1.1-date": "2025-07-30",  # deadline, due 30/7/2025 (on the day is on time): 1
            "1.1.2-level": "chua-day-du",  # graded "chưa đầy đủ: 0,25 điểm"
            "1.1.3-numerator": "8",  # tiers: 8/10 = 80 %, "từ 80% đến dưới 100%: 0,75"
            "1.1.3-denominator": "10",
            "1.2.1-count": "1",  # deduction: 1 − 1 × 0,5 = 0,5
            "1.3.1-done": "co",  # yes-no: 0,5
            "1.4.1-date": "01/08/2025",  # two days late: "ban hành chậm: 0,25 điểm"
            "1.4.2-numerator": "7",  # proportional: 7/9 × 0,5 = 0,3888… → 0,39
            "1.4.2-denominator": "9",
            "1.4.3-count": "7",  # per item: 7 × 0,1 capped at "tối đa 0,5 điểm"
        },
    )
    assert r.status_code == 302
    html = page(xa_a, "/don-vi/linh-vuc/1")
    assert "Đã lưu 8 tiêu chí" in html
    expected = {
        "1.1.1": "1,00",
        "1.1.2": "0,25",
        "1.1.3": "0,75",
        "1.2.1": "0,50",
        "1.3.1": "0,50",
        "1.4.1": "0,25",
        "1.4.2": "0,39",
        "1.4.3": "0,50",
        "1.2.2": "0,00",  # left empty
    }
    for code, points in expected.items():
        assert points_on(html, code) == points, code
    assert stored(app, "xa-a", "1.1.3").data == {"numerator": 8, "denominator": 10}
    assert stored(app, "xa-a", "1.4.1").data == {"date": "2025-08-01"}
    assert stored(app, "xa-a", "1.3.1").data == {"done": True}
    assert stored(app, "xa-a", "1.1.2").data == {"level": "chua-day-du"}
    assert stored(app, "xa-a", "1.2.2") is None  # left empty: nothing written
    entry = stored(app, "xa-a", "1.1.3")
    assert entry is not None and entry.version == 1
    with app.app_context():
        audit = db.session.execute(
            db.select(AuditEntry).filter_by(entity="entry", key="1.1.3")
        ).scalar_one()
        assert audit.old == "" and audit.new == "denominator=10; numerator=8"
    # the typed values come back in the form; a date as people write it (typed ISO here)
    values = form_of(html).values
    assert values["1.1.3-numerator"] == "8" and values["1.1.1-date"] == "30/07/2025"
    assert values["1.3.1-done"] == "co" and values["1.1.2-level"] == "chua-day-du"


def test_tiers_bounds_manual_score_and_did_not_arise(app: Flask, xa_a: FlaskClient) -> None:
    # 3.3.1 tiers: "từ 98% đến dưới 100%: 2 điểm; từ 95% đến dưới 98%: 1 điểm"
    # 3.3.2 "Không có hồ sơ sai sót, trễ hạn được tính điểm tối đa" (1,5)
    save(
        xa_a,
        "3",
        {
            "3.3.1-numerator": "4.900",  # Vietnamese thousands: 4 900 / 5 000 = 98 % → 2
            "3.3.1-denominator": "5000",
            "3.3.3-numerator": "94",  # 3.3.3: 94/100 just under 95 % → "từ 85%…: 0,5"
            "3.3.3-denominator": "100",
            "3.3.2-dna": "1",
            "3.3.2-dna_reason": "Trong năm không có hồ sơ trễ hạn",
        },
    )
    html = page(xa_a, "/don-vi/linh-vuc/3")
    assert points_on(html, "3.3.1") == "2,00"
    assert points_on(html, "3.3.3") == "0,50"
    assert points_on(html, "3.3.2") == "1,50"
    assert stored(app, "xa-a", "3.3.1").data == {"numerator": 4900, "denominator": 5000}
    assert stored(app, "xa-a", "3.3.2").data == {
        "did_not_arise": "Trong năm không có hồ sơ trễ hạn"
    }
    # manual, step 0,25: "1,25" and "1.25" are the same score; 0,3 is off the step
    save(xa_a, "2", {"2.2.3-score": "0,75", "2.1.1-numerator": "9", "2.1.1-denominator": "10"})
    html = page(xa_a, "/don-vi/linh-vuc/2")
    assert points_on(html, "2.2.3") == "0,75"
    assert stored(app, "xa-a", "2.2.3").data == {"score": "0.75"}
    assert form_of(html).values["2.2.3-score"] == "0,75"
    save(xa_a, "2", {"2.2.3-score": "0.3"})
    html = page(xa_a, "/don-vi/linh-vuc/2")
    assert "Điểm 0,30 không theo bước 0,25 điểm" in leaf_html(html, "2.2.3")
    # 2.1.1: 9/10 = 90 %, "từ 90% đến dưới 100%: 0,5 điểm"
    assert points_on(html, "2.1.1") == "0,50"


def test_bonus_and_penalty_items_have_their_own_page(app: Flask, xa_a: FlaskClient) -> None:
    html = page(xa_a, "/don-vi/linh-vuc/thuong-tru")
    assert "Điểm thưởng" in html and "Điểm trừ" in html
    assert "Số sáng kiến được công nhận" in leaf_html(html, "T.1")
    assert "Không phát sinh" not in leaf_html(html, "TR.1")
    save(xa_a, "thuong-tru", {"T.1-count": "3", "TR.1-count": "1"}, html)
    html = page(xa_a, "/don-vi/linh-vuc/thuong-tru")
    assert points_on(html, "T.1") == "1,00"  # 3 × 0,5 capped at "tối đa 1 điểm"
    assert points_on(html, "TR.1") == "0,50"  # "trừ 0,5 điểm" per case


# ------------------------------------------------------------------------- nothing is lost
BAD_INPUTS = [
    ("1", "1.2.1-count", "abc", "“abc” không phải là số nguyên không âm"),
    ("1", "1.2.1-count", "1,5", "“1,5” không phải là số nguyên không âm"),
    ("1", "1.2.1-count", "-3", "“-3” không phải là số nguyên không âm"),
    ("1", "1.1.3-numerator", "mười", "“mười” không phải là số nguyên không âm"),
    ("1", "1.1.1-date", "31/13/2025", "“31/13/2025” không phải là ngày hợp lệ"),
    ("1", "1.1.1-date", "hôm qua", "nhập theo dạng ngày/tháng/năm"),
    ("2", "2.2.3-score", "abc", "“abc” không phải là số điểm; nhập ví dụ 1,25 hoặc 1.25."),
    ("1", "1.1.2-level", "xuat-sac", "Mức đánh giá đã chọn không có trong tiêu chí"),
    ("1", "1.3.1-done", "maybe", "hãy chọn Có hoặc Không"),
    ("1", "1.2.1-count", "1" * 16, "Số có quá 15 chữ số; hãy kiểm tra lại."),
    ("1", "1.3.3-dna", "1", "Đã chọn “Không phát sinh” thì phải nêu lý do."),
    ("1", "1.3.3-dna_reason", "Không có", "chưa chọn “Không phát sinh”"),
]


@pytest.mark.parametrize(("field", "name", "typed", "message"), BAD_INPUTS)
def test_bad_input_is_kept_with_its_message_and_not_saved(
    app: Flask, xa_a: FlaskClient, field: str, name: str, typed: str, message: str
) -> None:
    code = name.rsplit("-", 1)[0]
    r = save(xa_a, field, {name: typed})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert message in leaf_html(html, code)  # beside the leaf
    assert f"Chưa lưu 1 tiêu chí có dữ liệu nhập chưa hợp lệ ({code})" in html
    if name.endswith(("-count", "-numerator", "-date", "-score", "-dna_reason")):
        assert form_of(html).values[name] == typed  # what was typed is still there
    assert stored(app, "xa-a", code) is None


def test_form_error_saves_the_other_leaves(app: Flask, xa_a: FlaskClient) -> None:
    r = save(
        xa_a,
        "1",
        {
            "1.2.1-count": "abc",
            "1.2.1-explanation": "Báo cáo quý III gửi chậm",
            "1.1.1-date": "30/02/2025",
            "1.3.1-done": "co",
        },
    )
    html = r.get_data(as_text=True)
    assert "Đã lưu 1 tiêu chí: 1.3.1." in html
    assert "Chưa lưu 2 tiêu chí có dữ liệu nhập chưa hợp lệ (1.1.1, 1.2.1)" in html
    assert "Các tiêu chí khác đã được lưu." in html
    values = form_of(html).values
    assert values["1.2.1-count"] == "abc"
    assert values["1.2.1-explanation"] == "Báo cáo quý III gửi chậm"
    assert values["1.1.1-date"] == "30/02/2025"
    assert 'type="text" id="f-1.1.1-date"' in html  # shown as typed, not as an empty date picker
    assert stored(app, "xa-a", "1.3.1").data == {"done": True}
    assert stored(app, "xa-a", "1.2.1") is None and stored(app, "xa-a", "1.1.1") is None
    # fixing the input and saving the re-shown form stores it
    values["1.2.1-count"] = "2"
    values["1.1.1-date"] = "2025-07-15"
    r = post(xa_a, "/don-vi/linh-vuc/1", values)
    assert r.status_code == 302
    assert stored(app, "xa-a", "1.2.1").data == {
        "count": 2,
        "explanation": "Báo cáo quý III gửi chậm",
    }
    assert stored(app, "xa-a", "1.3.1").version == 1  # unchanged: not written again


def test_engine_problems_are_shown_beside_the_leaf(app: Flask, xa_a: FlaskClient) -> None:
    save(
        xa_a,
        "1",
        {"1.1.3-numerator": "12", "1.1.3-denominator": "10", "1.3.2-numerator": "3"},
    )
    html = page(xa_a, "/don-vi/linh-vuc/1")
    rate = leaf_html(html, "1.1.3")
    assert "“Số nhiệm vụ, sản phẩm đã hoàn thành” (12) không được lớn hơn" in rate
    assert points_on(html, "1.1.3") == "0,00"
    half = leaf_html(html, "1.3.2")
    assert "Chưa nhập “Tổng số phòng chuyên môn, đơn vị thuộc UBND xã" in half
    # a score above 0 on a leaf that needs evidence, with neither evidence nor explanation
    save(xa_a, "1", {"1.3.1-done": "co"})
    html = page(xa_a, "/don-vi/linh-vuc/1")
    assert "Tự chấm 0,50 điểm nhưng chưa có tài liệu kiểm chứng và chưa có giải trình" in leaf_html(
        html, "1.3.1"
    )


# ---------------------------------------------------------------------------------- conflicts
def test_conflict_between_two_officers_on_the_same_leaf(app: Flask, cycle: dict[str, Any]) -> None:
    first, second = officer(app), officer(app)
    html_first = page(first, "/don-vi/linh-vuc/1")
    html_second = page(second, "/don-vi/linh-vuc/1")
    assert (
        save(
            second, "1", {"1.1.3-numerator": "10", "1.1.3-denominator": "10"}, html_second
        ).status_code
        == 302
    )
    r = save(
        first,
        "1",
        {"1.1.3-numerator": "8", "1.1.3-denominator": "10", "1.3.1-done": "co"},
        html_first,
    )
    html = r.get_data(as_text=True)
    assert "Tiêu chí 1.1.3 vừa được người khác sửa lúc" in html
    assert "dữ liệu bạn nhập chưa được lưu — hãy xem lại" in html
    assert "Giá trị đang lưu: Số nhiệm vụ, sản phẩm đã hoàn thành: 10" in leaf_html(html, "1.1.3")
    values = form_of(html).values
    assert values["1.1.3-numerator"] == "8"  # what the first officer typed is kept
    entry = stored(app, "xa-a", "1.1.3")
    assert entry.data == {"numerator": 10, "denominator": 10} and entry.version == 1
    assert stored(app, "xa-a", "1.3.1").data == {"done": True}  # the other leaf was saved
    # having seen the stored value, the first officer saves again on purpose
    assert post(first, "/don-vi/linh-vuc/1", values).status_code == 302
    entry = stored(app, "xa-a", "1.1.3")
    assert entry.data == {"numerator": 8, "denominator": 10} and entry.version == 2
    with app.app_context():
        audits = (
            db.session.execute(
                db.select(AuditEntry).filter_by(entity="entry", key="1.1.3").order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        assert [(a.old, a.new) for a in audits] == [
            ("", "denominator=10; numerator=10"),
            ("denominator=10; numerator=10", "denominator=10; numerator=8"),
        ]


def test_a_leaf_changed_elsewhere_but_untouched_here_is_not_overwritten(
    app: Flask, cycle: dict[str, Any]
) -> None:
    first, second = officer(app), officer(app)
    html_first = page(first, "/don-vi/linh-vuc/1")
    save(second, "1", {"1.2.1-count": "2"})
    r = save(first, "1", {"1.3.1-done": "khong"}, html_first)
    assert r.status_code == 302  # no conflict: the first officer did not touch 1.2.1
    assert stored(app, "xa-a", "1.2.1").data == {"count": 2}
    assert stored(app, "xa-a", "1.3.1").data == {"done": False}


def test_adding_evidence_elsewhere_does_not_make_the_form_conflict(
    app: Flask, xa_a: FlaskClient
) -> None:
    html = page(xa_a, "/don-vi/linh-vuc/1")  # 1.1.1 has no entry yet
    add_evidence(xa_a, "1.1.1", (PDF, "ke-hoach.pdf"))  # creates it, with no facts
    r = save(xa_a, "1", {"1.1.1-date": "2025-07-20"}, html)
    assert r.status_code == 302
    assert stored(app, "xa-a", "1.1.1").data == {"date": "2025-07-20"}


def test_a_write_racing_another_one_is_refused(app: Flask, xa_a: FlaskClient) -> None:
    """The version check is part of the UPDATE itself, so two saves that both read version 1
    cannot both win."""
    from sqlalchemy import update

    from web.agency.selfassessment import _write
    from web.models import User

    save(xa_a, "1", {"1.2.1-count": "1"})
    with app.app_context():
        entry = db.session.execute(db.select(Entry).filter_by(leaf="1.2.1")).scalar_one()
        user = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        assert entry.version == 1
        db.session.execute(  # someone else's write lands between our read and our write
            update(Entry)
            .where(Entry.id == entry.id)
            .values(version=2, data={"count": 3})
            .execution_options(synchronize_session=False)
        )
        stamp = dt.datetime(2025, 12, 1)
        assert _write(entry.submission, entry, user, "1.2.1", {"count": 2}, stamp) is False
        db.session.commit()
    assert stored(app, "xa-a", "1.2.1").data == {"count": 3}


def test_saving_an_unchanged_page_writes_nothing(app: Flask, xa_a: FlaskClient) -> None:
    save(xa_a, "1", {"1.3.1-done": "co"})
    # data the form cannot show, as an import might write it: "done" without a date
    with app.app_context():
        sub = db.session.execute(_submission_of("xa-a")).scalar_one()
        db.session.add(Entry(submission=sub, leaf="1.1.1", data={"done": True}))
        db.session.commit()
    html = page(xa_a, "/don-vi/linh-vuc/1")
    assert "Chưa nhập “Ngày ban hành, thực hiện”; tiêu chí tính 0 điểm." in leaf_html(html, "1.1.1")
    r = save(xa_a, "1", {}, html)
    assert r.status_code == 302
    assert "Không có thay đổi nào cần lưu." in page(xa_a, "/don-vi/linh-vuc/1")
    assert stored(app, "xa-a", "1.3.1").version == 1
    assert stored(app, "xa-a", "1.1.1").data == {"done": True}  # left as it was


# ------------------------------------------------------------------------------- live points
def test_live_points_come_from_the_engine_and_save_nothing(app: Flask, xa_a: FlaskClient) -> None:
    token = re.search(r'name="csrf-token" content="([^"]+)"', page(xa_a, "/don-vi/")).group(1)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    data = {"leaf": "1.1.3", "1.1.3-numerator": "8", "1.1.3-denominator": "10"}
    r = xa_a.post("/don-vi/api/tinh-diem", data=data, headers=headers)
    assert r.status_code == 200
    assert r.get_json()["leaf"] == "1.1.3" and r.get_json()["points"] == "0,75"
    r = xa_a.post(
        "/don-vi/api/tinh-diem",
        data={"leaf": "1.4.2", "1.4.2-numerator": "7", "1.4.2-denominator": "9"},
        headers=headers,
    )
    assert r.get_json()["points"] == "0,39"
    r = xa_a.post(
        "/don-vi/api/tinh-diem", data={"leaf": "1.2.1", "1.2.1-count": "abc"}, headers=headers
    )
    body = r.get_json()
    assert body["points"] is None
    assert any("“abc” không phải là số nguyên không âm" in m for m in body["messages"])
    assert stored(app, "xa-a", "1.1.3") is None and stored(app, "xa-a", "1.2.1") is None
    # no CSRF token, no answer
    r = xa_a.post("/don-vi/api/tinh-diem", data=data, headers={"Accept": "application/json"})
    assert r.status_code == 400 and "CSRF" in r.get_json()["error"]["message"]


def test_the_page_loads_its_script_without_inline_code(xa_a: FlaskClient) -> None:
    html = page(xa_a, "/don-vi/linh-vuc/1")
    assert '<script src="/static/form.js" defer></script>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert 'data-score-url="/don-vi/api/tinh-diem"' in html
    with xa_a.get("/static/form.js") as r:
        assert r.status_code == 200 and b"X-CSRFToken" in r.data


# ---------------------------------------------------------------------- agencies are separate
def test_an_officer_never_sees_or_changes_another_agency(app: Flask, cycle: dict[str, Any]) -> None:
    a, b = officer(app, "xa-a@thu.vn"), officer(app, "xa-b@thu.vn")
    save(a, "1", {"1.2.1-count": "1", "1.2.1-explanation": "Ghi chú riêng của xã A"})
    assert "Ghi chú riêng của xã A" not in page(b, "/don-vi/linh-vuc/1")
    assert "UBND xã B" in page(b, "/don-vi/")
    # an agency id slipped into the form is ignored: the officer's own agency is written
    save(b, "1", {"1.2.1-count": "3", "agency_id": str(cycle["agency_ids"]["xa-a"])})
    assert stored(app, "xa-a", "1.2.1").data["count"] == 1
    assert stored(app, "xa-b", "1.2.1").data == {"count": 3}
    add_evidence(a, "1.1.1", (PDF, "ke-hoach.pdf"))
    with app.app_context():
        ev = db.session.execute(db.select(Evidence)).scalar_one()
    assert b.get(f"/don-vi/minh-chung/{ev.id}/tep").status_code == 403
    assert post(b, f"/don-vi/minh-chung/{ev.id}/xoa").status_code == 404
    assert "ke-hoach.pdf" not in page(b, "/don-vi/tieu-chi/1.1.1/minh-chung")
    with a.get(f"/don-vi/minh-chung/{ev.id}/tep") as r:
        assert r.status_code == 200 and r.data == PDF
    assert len(uploads(app)) == 1


# ------------------------------------------------------------------------------------ evidence
def test_a_valid_pdf_is_stored_and_downloadable_by_owner_and_panel(
    app: Flask, xa_a: FlaskClient
) -> None:
    r = add_evidence(xa_a, "1.1.1", (PDF, "Kế hoạch CCHC 125.pdf"))
    assert r.status_code == 302
    html = page(xa_a, "/don-vi/tieu-chi/1.1.1/minh-chung")
    assert "Đã thêm minh chứng 125/KH-UBND cho tiêu chí 1.1.1." in html
    assert "Kế hoạch CCHC 125.pdf" in html and "15/07/2025" in html
    [path] = uploads(app)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", path.name) and path.read_bytes() == PDF
    with app.app_context():
        ev = db.session.execute(db.select(Evidence)).scalar_one()
        assert (ev.number, ev.issuer, ev.date) == ("125/KH-UBND", "UBND xã A", dt.date(2025, 7, 15))
        assert (ev.original_name, ev.content_type, ev.size) == (
            "Kế hoạch CCHC 125.pdf",
            "application/pdf",
            len(PDF),
        )
        audit = db.session.execute(db.select(AuditEntry).filter_by(entity="evidence")).scalar_one()
        assert audit.key == f"1.1.1#{ev.id}" and "number=125/KH-UBND" in audit.new
        ev_id = ev.id
    for client in (
        xa_a,
        officer(app, "sonoivu@thu.vn"),
        officer(app, "thamdinh@thu.vn"),
        officer(app, "quantri@thu.vn"),
    ):
        with client.get(f"/don-vi/minh-chung/{ev_id}/tep") as r:
            assert r.status_code == 200 and r.data == PDF
            assert r.headers["Content-Type"] == "application/pdf"
            assert r.headers["Content-Disposition"].startswith("attachment;")
            assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch" in r.headers["Content-Disposition"]
    assert officer(app, "so-a@thu.vn").get(f"/don-vi/minh-chung/{ev_id}/tep").status_code == 403
    assert app.test_client().get(f"/don-vi/minh-chung/{ev_id}/tep").status_code == 302
    assert xa_a.get("/don-vi/minh-chung/9999/tep").status_code == 404
    # the leaf now has evidence: the field page lists it
    assert "125/KH-UBND" in leaf_html(page(xa_a, "/don-vi/linh-vuc/1"), "1.1.1")


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_written(
    app: Flask, xa_a: FlaskClient
) -> None:
    r = add_evidence(xa_a, "1.1.1", (EXE, "ke-hoach.pdf"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Tệp “ke-hoach.pdf” không phải PDF, DOCX, XLSX, JPG hoặc PNG" in html
    assert "kiểm tra theo nội dung tệp" in html
    assert form_of(html, "evidence-form").values["number"] == "125/KH-UBND"  # metadata kept
    assert uploads(app) == []
    with app.app_context():
        assert db.session.execute(db.select(Evidence)).first() is None


def test_a_png_named_pdf_is_stored_as_what_it_is(app: Flask, xa_a: FlaskClient) -> None:
    assert add_evidence(xa_a, "1.4.4", (PNG, "khau-hieu.pdf")).status_code == 302
    html = page(xa_a, "/don-vi/tieu-chi/1.4.4/minh-chung")
    assert "Tệp “khau-hieu.pdf” có nội dung là ảnh PNG; đã lưu với tên “khau-hieu.png”." in html
    [path] = uploads(app)
    assert path.suffix == ".png"
    with app.app_context():
        ev = db.session.execute(db.select(Evidence)).scalar_one()
        assert (ev.original_name, ev.content_type) == ("khau-hieu.png", "image/png")
    with xa_a.get(f"/don-vi/minh-chung/{ev.id}/tep") as r:
        assert r.headers["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("content", "name", "accepted"),
    [
        (office_zip("[Content_Types].xml", "word/document.xml"), "bao-cao.docx", "docx"),
        (office_zip("[Content_Types].xml", "xl/workbook.xml"), "so-lieu.xlsx", "xlsx"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "anh.jpg", "jpg"),
        (office_zip("word/document.xml"), "thieu-content-types.docx", None),
        (office_zip("[Content_Types].xml", "other/x.xml"), "khong-phai-office.docx", None),
        (b"PK\x03\x04 not really a zip", "hong.xlsx", None),
        (b"<html><script>alert(1)</script>", "trang.pdf", None),
    ],
)
def test_office_files_and_images_are_checked_by_content(
    app: Flask, xa_a: FlaskClient, content: bytes, name: str, accepted: str | None
) -> None:
    r = add_evidence(xa_a, "1.1.1", (content, name))
    if accepted:
        assert r.status_code == 302
        [path] = uploads(app)
        assert path.suffix == f".{accepted}"
    else:
        assert r.status_code == 400 and "không phải PDF, DOCX, XLSX, JPG hoặc PNG" in r.get_data(
            as_text=True
        )
        assert uploads(app) == []


def test_oversize_uploads_are_refused(app: Flask, xa_a: FlaskClient) -> None:
    limit = app.config["MAX_UPLOAD_MB"] * 1024 * 1024  # 1 MB in the tests
    # just over the limit: the form comes back with the message beside the file
    r = add_evidence(xa_a, "1.1.1", (PDF + b"0" * (limit - len(PDF) + 10), "lon.pdf"))
    assert r.status_code == 400
    assert "Tệp “lon.pdf” vượt quá dung lượng cho phép (1 MB)" in r.get_data(as_text=True)
    # far over: the request itself is refused before it is read
    r = add_evidence(xa_a, "1.1.1", (PDF + b"0" * (2 * limit), "rat-lon.pdf"))
    assert r.status_code == 413
    html = r.get_data(as_text=True)
    assert "Tệp tải lên vượt quá dung lượng cho phép (1 MB); minh chứng chưa được lưu." in html
    assert 'href="/don-vi/tieu-chi/1.1.1/minh-chung"' in html
    assert uploads(app) == []


def test_a_path_in_the_file_name_is_dropped(app: Flask, xa_a: FlaskClient) -> None:
    assert add_evidence(xa_a, "1.1.1", (PDF, "../../../etc/ke hoach.pdf")).status_code == 302
    [path] = uploads(app)
    assert path.parent == Path(app.config["UPLOAD_FOLDER"])
    assert not list(Path(app.config["UPLOAD_FOLDER"]).parent.glob("**/ke hoach.pdf"))
    with app.app_context():
        assert db.session.execute(db.select(Evidence.original_name)).scalar_one() == "ke hoach.pdf"
    assert add_evidence(xa_a, "1.1.1", (PDF, "..\\\\..\\\\x.pdf")).status_code == 302
    with app.app_context():
        names = db.session.execute(db.select(Evidence.original_name)).scalars().all()
        assert names == ["ke hoach.pdf", "x.pdf"]


def test_a_failed_database_write_leaves_no_orphan_file(
    app: Flask, xa_a: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_commit() -> None:
        raise OperationalError("INSERT INTO evidence", {}, Exception("ổ đĩa đầy"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    r = add_evidence(xa_a, "1.1.1", (PDF, "ke-hoach.pdf"))
    assert r.status_code == 500
    assert "Lỗi hệ thống khi lưu minh chứng; minh chứng chưa được lưu." in r.get_data(as_text=True)
    assert uploads(app) == []
    monkeypatch.undo()
    with app.app_context():
        assert db.session.execute(db.select(Evidence)).first() is None


def test_evidence_fields_are_checked(app: Flask, xa_a: FlaskClient) -> None:
    r = add_evidence(xa_a, "1.1.1", None, number="", url="javascript:alert(1)", date="32/01/2025")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Nhập số, ký hiệu của văn bản (ví dụ 125/KH-UBND)." in html
    assert "Đường dẫn phải bắt đầu bằng http:// hoặc https://" in html
    assert "“32/01/2025” không phải là ngày hợp lệ" in html
    r = add_evidence(xa_a, "1.1.1", None)
    assert "Hãy tải tệp minh chứng lên hoặc nhập đường dẫn (http/https)." in r.get_data(
        as_text=True
    )
    r = add_evidence(xa_a, "1.1.1", (PDF, "a.pdf"), url="https://xa-a.gov.vn/kh")
    assert "Chỉ chọn một: tải tệp lên hoặc nhập đường dẫn" in r.get_data(as_text=True)
    assert uploads(app) == []
    assert add_evidence(xa_a, "1.1.1", None, url="https://xa-a.gov.vn/kh-125").status_code == 302
    html = page(xa_a, "/don-vi/tieu-chi/1.1.1/minh-chung")
    assert 'href="https://xa-a.gov.vn/kh-125"' in html
    # what the engine finds missing in a document is said in the form's words
    add_evidence(xa_a, "1.1.3", None, url="https://xa-a.gov.vn/bc", date="", issuer="")
    html = leaf_html(page(xa_a, "/don-vi/linh-vuc/1"), "1.1.3")
    assert "Minh chứng thứ 1: chưa có ngày ban hành." in html
    assert "Minh chứng thứ 1: chưa có cơ quan ban hành." in html


def test_deleting_evidence_removes_its_file_and_is_audited(app: Flask, xa_a: FlaskClient) -> None:
    add_evidence(xa_a, "1.1.1", (PDF, "ke-hoach.pdf"))
    with app.app_context():
        ev_id = db.session.execute(db.select(Evidence.id)).scalar_one()
    r = post(xa_a, f"/don-vi/minh-chung/{ev_id}/xoa")
    assert r.status_code == 302 and r.headers["Location"].endswith(
        "/don-vi/tieu-chi/1.1.1/minh-chung"
    )
    assert "Đã xóa minh chứng 125/KH-UBND của tiêu chí 1.1.1." in page(
        xa_a, "/don-vi/tieu-chi/1.1.1/minh-chung"
    )
    assert uploads(app) == []
    with app.app_context():
        assert db.session.execute(db.select(Evidence)).first() is None
        audit = (
            db.session.execute(
                db.select(AuditEntry).filter_by(entity="evidence").order_by(AuditEntry.id.desc())
            )
            .scalars()
            .first()
        )
        assert audit.new == "" and "number=125/KH-UBND" in audit.old
    assert post(xa_a, "/don-vi/minh-chung/9999/xoa").status_code == 404


def test_evidence_page_links_back_and_refuses_survey_leaves(xa_a: FlaskClient) -> None:
    html = page(xa_a, "/don-vi/tieu-chi/1.1.3/minh-chung")
    assert 'href="/don-vi/linh-vuc/1#tc-1.1.3"' in html
    assert "Mức độ hoàn thành Kế hoạch CCHC năm" in html
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    assert xa_a.get("/don-vi/tieu-chi/8.1.1/minh-chung").status_code == 404
    assert xa_a.get("/don-vi/tieu-chi/9.9.9/minh-chung").status_code == 404


# ---------------------------------------------------------------------------------- submission
def _value_for(leaf: Any) -> dict[str, str]:
    """Facts that earn a leaf its maximum, by its rule (read from the criteria set)."""
    rule, c = leaf.rule, leaf.code
    kind = rule.kind
    if kind == "yes-no":
        return {f"{c}-done": "co"}
    if kind == "deadline":
        return {f"{c}-date": rule.due.isoformat()}
    if kind in ("tiers", "proportional"):
        return {f"{c}-numerator": "10", f"{c}-denominator": "10"}
    if kind == "per-item":
        return {f"{c}-count": "100"}
    if kind == "deduction":
        return {f"{c}-count": "0"}
    if kind == "graded":
        return {f"{c}-level": max(rule.levels, key=lambda lv: lv.share).key}
    assert kind == "manual"
    return {f"{c}-score": str(leaf.max).replace(".", ",")}


def fill_everything(client: FlaskClient) -> None:
    """The whole commune self-assessment through the field forms: every self-scored leaf at its
    maximum, with an explanation where evidence is required."""
    from parindex.criteria import load_criteria
    from tests.web.conftest import REPO

    loaded = load_criteria(REPO / "criteria" / "2025" / "xa.yaml")
    for f in loaded.model.fields:
        changes: dict[str, str] = {}
        for c in f.criteria:
            for leaf in c.subcriteria:
                if leaf.survey:
                    continue
                changes.update(_value_for(leaf))
                if leaf.evidence == "required":
                    changes[f"{leaf.code}-explanation"] = "Hồ sơ giấy lưu tại UBND xã"
        if changes:
            r = save(client, f.code, changes)
            assert r.status_code == 302, r.get_data(as_text=True)[:500]


def test_submission_is_refused_while_problems_remain(app: Flask, xa_a: FlaskClient) -> None:
    save(xa_a, "1", {"1.3.1-done": "co"})
    html = page(xa_a, "/don-vi/nop")
    assert "Chưa thể nộp" in html
    assert 'href="/don-vi/linh-vuc/1#tc-1.1.1"' in html  # each problem links to its leaf
    assert "Tự chấm 0,50 điểm nhưng chưa có tài liệu kiểm chứng" in html
    assert form_of(html, "submit-form").values == {}  # no submit form
    r = post(xa_a, "/don-vi/nop")
    assert r.status_code == 302
    html = page(xa_a, "/don-vi/nop")
    assert "Chưa nộp được: còn " in html and "vấn đề phải xử lý" in html
    with app.app_context():
        assert db.session.execute(_submission_of("xa-a")).scalar_one().state == "draft"


def test_a_complete_self_assessment_is_submitted_then_read_only(
    app: Flask, xa_a: FlaskClient
) -> None:
    fill_everything(xa_a)
    html = page(xa_a, "/don-vi/")
    assert "68/68" in html
    # fields 1–7 are worth 70 points ("lĩnh vực 1–7 thẩm định 70 điểm"), all earned; the 30
    # survey points count 0 until the survey results are imported: 70 / 100 = 70,00 %
    assert "70,00 %" in html and "70,00" in html
    assert "Không còn vấn đề nào chặn việc nộp hồ sơ." in html
    html = page(xa_a, "/don-vi/nop")
    assert 'id="submit-form"' in html
    r = post(xa_a, "/don-vi/nop")
    assert r.status_code == 302 and r.headers["Location"].endswith("/don-vi/")
    html = page(xa_a, "/don-vi/")
    assert "Đã nộp hồ sơ tự đánh giá lúc" in html and "Đã nộp" in html
    assert "Hồ sơ đã nộp; không thể sửa." in html
    with app.app_context():
        sub = db.session.execute(_submission_of("xa-a")).scalar_one()
        assert sub.state == "submitted" and sub.submitted_at is not None
        assert sub.submitted_by is not None
        assert (
            db.session.execute(db.select(AuditEntry).filter_by(entity="submission", key="xa-a"))
            .scalar_one()
            .new
            == "submitted"
        )
    # every page is read-only: inputs disabled, no save button, POSTs refused
    html = page(xa_a, "/don-vi/linh-vuc/1")
    form = form_of(html)
    assert form.controls and all(
        disabled for name, disabled in form.controls if name != "csrf_token"
    )
    assert "Lưu nháp</button>" not in html
    r = save(xa_a, "1", {"1.2.1-version": "1", "1.2.1-count": "2"})  # as a hand-made POST
    assert r.status_code == 403
    assert "Hồ sơ đã nộp; không thể sửa. Dữ liệu bạn nhập chưa được lưu." in r.get_data(
        as_text=True
    )
    assert stored(app, "xa-a", "1.2.1").data == {
        "count": 0,
        "explanation": "Hồ sơ giấy lưu tại UBND xã",
    }
    ev_page = page(xa_a, "/don-vi/tieu-chi/1.1.1/minh-chung")
    assert "Thêm minh chứng</button>" not in ev_page
    r = add_evidence(xa_a, "1.1.1", (PDF, "muon.pdf"))
    assert r.status_code == 403 and uploads(app) == []
    assert "Minh chứng chưa được lưu." in r.get_data(as_text=True)
    r = post(xa_a, "/don-vi/nop")
    assert "Không nộp được: Hồ sơ đã nộp" in page(xa_a, "/don-vi/")
    r = xa_a.post(
        "/don-vi/api/tinh-diem",
        data={"leaf": "1.2.1", "1.2.1-count": "1"},
        headers={"X-CSRFToken": csrf(xa_a), "Accept": "application/json"},
    )
    assert r.get_json()["points"] == "0,50"  # live points still answer; nothing is saved
    assert stored(app, "xa-a", "1.2.1").data["count"] == 0


def test_saving_after_the_deadline_is_refused(app: Flask, xa_a: FlaskClient) -> None:
    add_evidence(xa_a, "1.1.1", (PDF, "ke-hoach.pdf"))
    html = page(xa_a, "/don-vi/linh-vuc/1")  # loaded before the deadline passed
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle)).scalar_one()
        cycle.self_deadline = dt.datetime(2026, 1, 31, 17, 0)
        db.session.commit()
    r = save(xa_a, "1", {"1.2.1-count": "1"}, html)
    body = r.get_data(as_text=True)
    assert r.status_code == 403
    assert "Đã quá hạn tự đánh giá. Dữ liệu bạn nhập chưa được lưu." in body
    assert stored(app, "xa-a", "1.2.1") is None
    assert "31/01/2026" in page(xa_a, "/don-vi/")
    r = post(xa_a, "/don-vi/nop")
    assert "Không nộp được: Đã quá hạn tự đánh giá." in page(xa_a, "/don-vi/")
    with app.app_context():
        ev_id = db.session.execute(db.select(Evidence.id)).scalar_one()
    post(xa_a, f"/don-vi/minh-chung/{ev_id}/xoa")
    html = page(xa_a, "/don-vi/tieu-chi/1.1.1/minh-chung")
    assert "Đã quá hạn tự đánh giá. Minh chứng chưa bị xóa." in html
    assert len(uploads(app)) == 1
    assert "Thêm minh chứng</button>" not in html and ">Xóa</button>" not in html


def test_a_document_added_twice_is_kept_once(app: Flask, xa_a: FlaskClient) -> None:
    """A double click on "Thêm" (or the same document sent from a second tab): one document,
    one audit row, one stored file, and a clear answer; another file or link is another
    document."""
    assert add_evidence(xa_a, "1.1.1", (PDF, "ke-hoach.pdf")).status_code == 302
    r = add_evidence(xa_a, "1.1.1", (PDF, "ke-hoach.pdf"))
    assert r.status_code == 409
    assert "Tài liệu này đã có trong minh chứng của tiêu chí 1.1.1" in r.get_data(as_text=True)
    assert len(uploads(app)) == 1
    assert add_evidence(xa_a, "1.1.1", (PDF + b"% 2\n", "ke-hoach.pdf")).status_code == 302
    link = "https://xa-a.gov.vn/kh-125"
    assert add_evidence(xa_a, "1.1.1", None, url=link).status_code == 302
    assert add_evidence(xa_a, "1.1.1", None, url=link).status_code == 409
    with app.app_context():
        assert len(db.session.execute(db.select(Evidence)).scalars().all()) == 3
        audited = db.session.execute(db.select(AuditEntry).filter_by(entity="evidence"))
        assert len(audited.scalars().all()) == 3
    assert len(uploads(app)) == 2
