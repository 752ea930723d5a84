"""The secretariat's cycle set-up: cycles, criteria sets, the agency list and accounts, deadlines."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from parindex.export import set_text
from tests.web.conftest import REPO, csrf, login, post
from tests.web.rolling import set_opened
from web.models import Agency, AuditEntry, CriteriaRecord, Cycle, Submission, User, db

DATA = REPO / "tests" / "data"
CRITERIA = REPO / "criteria" / "2025"


def _secretariat(client: FlaskClient) -> None:
    assert login(client, "sonoivu@thu.vn").status_code == 302


def _upload(client: FlaskClient, path: str, field: str, name: str, content: bytes) -> Any:
    """A multipart upload encoded in memory (the test client's own encoder leaves a temporary
    file open for bodies above 500 KB)."""
    boundary, body = encode_multipart(
        {"csrf_token": csrf(client), field: FileStorage(io.BytesIO(content), name)}
    )
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _audit(app: Flask, entity: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).filter_by(entity=entity)).scalars()
        return list(rows)


# -------------------------------------------------------------------------------------- cycles
def test_create_cycle(app: Flask, client: FlaskClient, cycle: dict[str, Any]) -> None:
    _secretariat(client)
    r = post(client, "/so-noi-vu/", {"year": "2026", "title": "Chỉ số CCHC năm 2026"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/so-noi-vu/ky/2026")
    page = client.get("/so-noi-vu/").get_data(as_text=True)
    assert "Chỉ số CCHC năm 2026" in page and "Kỳ thử 2025" in page
    with app.app_context():
        c = db.session.execute(db.select(Cycle).filter_by(year=2026)).scalar_one()
        assert c.title == "Chỉ số CCHC năm 2026" and c.self_deadline is None
    assert [(a.key, a.new) for a in _audit(app, "cycle")] == [("2026", "Chỉ số CCHC năm 2026")]
    page = client.get("/so-noi-vu/ky/2026").get_data(as_text=True)
    assert "Chưa có bộ tiêu chí nào." in page and "Chưa có đơn vị nào." in page
    assert "Hạn tự đánh giá: <strong>chưa đặt</strong>" in page


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2025", "Năm 2025 đã có kỳ đánh giá."),
        ("", "Nhập năm đánh giá."),
        ("20x5", "Năm phải là số có 4 chữ số, từ 2000 đến 2100."),
        ("1999", "Năm phải là số có 4 chữ số, từ 2000 đến 2100."),
    ],
)
def test_bad_year_is_shown_beside_the_field_and_input_kept(
    app: Flask, client: FlaskClient, cycle: dict[str, Any], year: str, message: str
) -> None:
    _secretariat(client)
    r = post(client, "/so-noi-vu/", {"year": year, "title": "Tiêu đề đã gõ <b>"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert f'<p class="field-error" id="year-error">{message}</p>' in page
    assert 'value="Tiêu đề đã gõ &lt;b&gt;"' in page
    assert f'name="year" min="2000" max="2100" value="{year}"' in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Cycle.id))).scalar() == 1


# ------------------------------------------------------------------------------- criteria sets
@pytest.fixture
def in_preparation(app: Flask, cycle: dict[str, Any]) -> dict[str, Any]:
    """The fixture's cycle 2025, being prepared: its criteria sets may still change."""
    set_opened(app, 2025, None)
    return cycle


def test_criteria_upload_valid(app: Flask, client: FlaskClient, in_preparation: None) -> None:
    _secretariat(client)
    content = (CRITERIA / "phuong.yaml").read_bytes()
    r = _upload(client, "/so-noi-vu/ky/2025/bo-tieu-chi", "criteria_file", "phuong.yaml", content)
    assert r.status_code == 302
    page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert "Đã tải bộ tiêu chí phuong-2025 cho khối Phường." in page
    assert "phuong.yaml" in page
    with app.app_context():
        rec = db.session.execute(db.select(CriteriaRecord).filter_by(block="phuong")).scalar_one()
        assert rec.set_id == "phuong-2025" and rec.yaml_text == content.decode("utf-8")
    [entry] = _audit(app, "criteria")
    assert entry.key == "2025/phuong" and entry.old == "" and entry.new.startswith("phuong-2025")


def test_criteria_upload_invalid_lists_each_problem_and_saves_nothing(
    app: Flask, client: FlaskClient, in_preparation: None
) -> None:
    _secretariat(client)
    content = (DATA / "criteria-tiers-not-ordered.yaml").read_bytes()
    r = _upload(client, "/so-noi-vu/ky/2025/bo-tieu-chi", "criteria_file", "sai.yaml", content)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Tệp “sai.yaml” có 1 lỗi; chưa lưu gì." in page
    # tiers[1] (at_least 100, line 77) comes after tiers[0] (at_least 80): not decreasing
    row = re.search(r'<tr><td class="n">77</td>(.*?)</tr>', page)
    assert row is not None
    assert "fields[0].criteria[0].subcriteria[2].rule.tiers[1].at_least" in row.group(1)
    assert "Các mức tỷ lệ phải giảm dần nghiêm ngặt: 100 sau 80" in row.group(1)
    assert "tiers-not-ordered" in row.group(1)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(CriteriaRecord.id))).scalar() == 2
    assert _audit(app, "criteria") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Chưa chọn tệp hoặc tệp rỗng."),
        (b"id: x\ntitle: B\xf4 ti\xeau ch\xed\n", "Tệp không phải văn bản UTF-8"),
        (b"# " + b"x" * (1024 * 1024), "Tệp bộ tiêu chí lớn quá 1 MB."),
    ],
)
def test_criteria_upload_refused_whole(
    client: FlaskClient, in_preparation: None, content: bytes, message: str
) -> None:
    _secretariat(client)
    r = _upload(client, "/so-noi-vu/ky/2025/bo-tieu-chi", "criteria_file", "a.yaml", content)
    assert r.status_code == 400 and message in r.get_data(as_text=True)


def test_criteria_upload_not_utf8_names_line_and_column(
    client: FlaskClient, in_preparation: None
) -> None:
    # issue 12: the codec's position became a line and column, and no English ("byte")
    from tests.vietnamese import assert_vietnamese

    _secretariat(client)
    content = b"id: x\ntitle: B\xf4 ti\xeau ch\xed\n"  # code page 1258/1252: ô at line 2
    r = _upload(client, "/so-noi-vu/ky/2025/bo-tieu-chi", "criteria_file", "a.yaml", content)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    said = "Tệp không phải văn bản UTF-8 (dòng 2, cột 9); hãy mở tệp và lưu lại với bảng mã UTF-8."
    assert said in page
    assert_vietnamese(said)


def test_criteria_of_another_year_is_refused(client: FlaskClient, in_preparation: None) -> None:
    _secretariat(client)
    # last year's district set (the sample's 2024) uploaded into the 2025 cycle
    text = (CRITERIA.parent / "2024" / "huyen.yaml").read_text(encoding="utf-8")
    r = _upload(client, "/so-noi-vu/ky/2025/bo-tieu-chi", "criteria_file", "h.yaml", text.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Năm của bộ tiêu chí (2024) khác năm của kỳ đánh giá (2025)" in page


def test_criteria_replaced_while_drafts_refused_after_a_submission(
    app: Flask, client: FlaskClient, in_preparation: dict[str, Any]
) -> None:
    cycle = in_preparation
    _secretariat(client)
    xa = (CRITERIA / "xa.yaml").read_text(encoding="utf-8")
    changed = xa.replace('block_name: "Xã và đặc khu"', 'block_name: "UBND xã, đặc khu"')
    r = _upload(
        client, "/so-noi-vu/ky/2025/bo-tieu-chi", "criteria_file", "xa-v2.yaml", changed.encode()
    )
    assert r.status_code == 302  # every xa agency is still a draft
    [entry] = _audit(app, "criteria")
    assert entry.reason == "thay bộ tiêu chí" and entry.old.startswith("xa-2025 (xa.yaml")
    assert "xa-v2.yaml" in entry.new

    with app.app_context():
        sub = db.session.execute(
            db.select(Submission).filter_by(agency_id=cycle["agency_ids"]["so-a"])
        ).scalar_one()
        sub.state = "submitted"
        db.session.commit()
    so = (CRITERIA / "so-nganh.yaml").read_text(encoding="utf-8")
    r = _upload(
        client,
        "/so-noi-vu/ky/2025/bo-tieu-chi",
        "criteria_file",
        "so.yaml",
        so.replace("sample: true", "sample: false").encode(),
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Khối &#39;so-nganh&#39; đã có 1 đơn vị nộp hồ sơ tự đánh giá (Sở A)" in page
    with app.app_context():
        rec = db.session.execute(db.select(CriteriaRecord).filter_by(block="so-nganh")).scalar_one()
        assert rec.yaml_text == so
    assert len(_audit(app, "criteria")) == 1


# ------------------------------------------------------------------------------- agency import
def _passwords(page: str) -> dict[str, str]:
    """e-mail → password, as shown on the import result page."""
    rows = re.findall(
        r"<td>([^<]+@[^<]+)</td>\s*<td>[^<]*</td>\s*<td><code class=\"password\">([^<]+)</code>",
        page,
    )
    return dict(rows)


def test_import_agencies_from_csv_creates_accounts_that_can_log_in(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    csv_text = (
        "Tên đơn vị,Khối,Thư điện tử\n"
        "UBND xã Tà Đùng,xa,TaDung@Thu.vn\n"
        "Sở Tư pháp,Sở, ban, ngành tỉnh,sotp@thu.vn\n"
    )
    # the second row's block has commas: quote it as a CSV writer would
    csv_text = csv_text.replace("Sở, ban, ngành tỉnh", '"Sở, ban, ngành tỉnh"')
    r = _upload(client, "/so-noi-vu/ky/2025/don-vi", "agencies_file", "ds.csv", csv_text.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert r.headers["Cache-Control"] == "no-store"
    assert "2 đơn vị tạo mới, 0 đơn vị cập nhật" in page
    passwords = _passwords(page)
    assert sorted(passwords) == ["sotp@thu.vn", "tadung@thu.vn"]
    with app.app_context():
        a = db.session.execute(db.select(Agency).filter_by(code="ubnd-xa-ta-dung")).scalar_one()
        assert (a.name, a.block, a.submission.state) == ("UBND xã Tà Đùng", "xa", "draft")
        b = db.session.execute(db.select(Agency).filter_by(code="so-tu-phap")).scalar_one()
        assert b.block == "so-nganh"
        user = db.session.execute(db.select(User).filter_by(email="tadung@thu.vn")).scalar_one()
        assert user.role == "agency" and user.unit_id == a.unit_id
        assert passwords["tadung@thu.vn"] not in user.password_hash
    # the CSV offered in the page holds the same accounts
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page)
    assert link is not None
    offered = base64.b64decode(link.group(1)).decode("utf-8-sig")
    assert f"tadung@thu.vn,{passwords['tadung@thu.vn']}" in offered
    # nothing of the password in the audit
    with app.app_context():
        texts = [
            a.old + a.new + a.reason for a in db.session.execute(db.select(AuditEntry)).scalars()
        ]
    assert not any(passwords["tadung@thu.vn"] in t for t in texts)

    other = app.test_client()
    r = login(other, "tadung@thu.vn", passwords["tadung@thu.vn"])
    assert r.status_code == 302 and r.headers["Location"].endswith("/don-vi/")


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                set_text(ws.cell(r, c), value)
            else:
                ws.cell(r, c).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_import_agencies_from_xlsx_keeps_formula_looking_names_as_text(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    content = _xlsx(
        [
            ["STT", "Mã đơn vị", "Tên đơn vị", "Khối", "Thư điện tử"],
            [1, "xa-cong-thuc", "=1+1", "Xã và đặc khu", "congthuc@thu.vn"],
            [2, "", "<b>UBND phường Đậm</b>", "xa", "dam@thu.vn"],
        ]
    )
    r = _upload(client, "/so-noi-vu/ky/2025/don-vi", "agencies_file", "ds.xlsx", content)
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert set(_passwords(page)) == {"congthuc@thu.vn", "dam@thu.vn"}
    with app.app_context():
        a = db.session.execute(db.select(Agency).filter_by(code="xa-cong-thuc")).scalar_one()
        assert a.name == "=1+1"
        b = db.session.execute(db.select(Agency).filter_by(code="b-ubnd-phuong-dam-b")).scalar_one()
        assert b.name == "<b>UBND phường Đậm</b>"
    page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert "<td>=1+1</td>" in page
    assert "&lt;b&gt;UBND phường Đậm&lt;/b&gt;" in page and "<b>UBND" not in page
    # in the accounts CSV a formula-looking name gets a leading apostrophe
    link = re.search(r"base64,([^\"]+)\"", r.get_data(as_text=True))
    assert link is not None
    assert "'=1+1" in base64.b64decode(link.group(1)).decode("utf-8-sig")


def test_import_with_bad_rows_reports_each_and_creates_nothing(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    csv_text = (
        "Mã đơn vị;Tên đơn vị;Khối;Thư điện tử\n"
        "xa-moi;UBND xã Mới;huyen;moi@thu.vn\n"  # 2: no criteria set for huyen
        "xa-hai;UBND xã Hai;xa;khong-phai-email\n"  # 3: bad e-mail
        "xa-ba;;xa;ba@thu.vn\n"  # 4: no name
        "xa-bon;UBND xã Bốn;xa;xa-a@thu.vn\n"  # 5: xa-a's officer
        "xa-hai;UBND xã Hai bis;xa;hai2@thu.vn\n"  # 6: code of row 3
        "xa-bay;UBND xã Bảy;xa;ba@thu.vn\n"  # 7: e-mail of row 4
        "xa-tam;UBND xã Tám;xa;tam@thu.vn\n"  # 8: fine, still not saved
    )
    r = _upload(client, "/so-noi-vu/ky/2025/don-vi", "agencies_file", "ds.csv", csv_text.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "có 6 lỗi; chưa tạo hoặc sửa đơn vị nào" in page
    found = re.findall(
        r'<tr><td class="n">(\d+)</td><td>([A-Z]) \(([^)]*)\)</td><td>([^<]*)</td>', page
    )
    assert [(int(r), c, h) for r, c, h, _ in found] == [
        (2, "C", "Khối"),
        (3, "D", "Thư điện tử"),
        (4, "B", "Tên đơn vị"),
        (5, "D", "Thư điện tử"),
        (6, "A", "Mã đơn vị"),
        (7, "D", "Thư điện tử"),
    ]
    messages = [m for *_, m in found]
    assert messages[0].startswith("Khối &#39;huyen&#39; chưa có bộ tiêu chí trong kỳ 2025")
    assert messages[1] == "Thư điện tử &#39;khong-phai-email&#39; không hợp lệ."
    assert messages[2] == "Thiếu tên đơn vị."
    assert "đã là tài khoản của người dùng khác (UBND xã A); nếu cán bộ này chuyển" in messages[3]
    assert messages[4] == "Mã đơn vị &#39;xa-hai&#39; trùng với dòng 3."
    assert messages[5] == "Thư điện tử trùng với dòng 4."
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Agency.id))).scalar() == 3
        assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Ten;Khoi\nA;xa\n", "Thiếu cột &#39;Tên đơn vị&#39; ở dòng tiêu đề"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "Tệp .xls (Excel 97–2003) không được hỗ trợ"),
        (b"T\xean \xf0\xf4n v\xec,Kh\xf4i,Email\nX\xe3,xa,a@thu.vn\n", "phải mã hóa UTF-8"),
    ],
)
def test_unreadable_agency_files(
    client: FlaskClient, cycle: dict[str, Any], content: bytes, message: str
) -> None:
    _secretariat(client)
    r = _upload(client, "/so-noi-vu/ky/2025/don-vi", "agencies_file", "x.csv", content)
    assert r.status_code == 400 and message in r.get_data(as_text=True)


def test_reimport_updates_name_and_email_with_audit(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    csv_text = (
        "Mã đơn vị,Tên đơn vị,Khối,Thư điện tử\n"
        "xa-a,UBND xã A (sau sắp xếp),xa,xa-a@thu.vn\n"
        "xa-b,UBND xã B,xa,canbo-moi@thu.vn\n"
        "so-a,Sở A,so-nganh,so-a@thu.vn\n"
    )
    r = _upload(client, "/so-noi-vu/ky/2025/don-vi", "agencies_file", "ds.csv", csv_text.encode())
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert "0 đơn vị tạo mới, 2 đơn vị cập nhật" in page
    assert "Cập nhật tên" in page and "Cập nhật thư điện tử" in page and "Không đổi" in page
    passwords = _passwords(page)
    assert list(passwords) == ["canbo-moi@thu.vn"]  # a new officer e-mail gets a new password
    with app.app_context():
        a = db.session.get(Agency, cycle["agency_ids"]["xa-a"])
        assert a is not None and a.name == "UBND xã A (sau sắp xếp)"
        xa_b = db.session.get(Agency, cycle["agency_ids"]["xa-b"])
        assert xa_b is not None
        accounts = db.session.execute(
            db.select(User.email, User.active).filter_by(unit_id=xa_b.unit_id).order_by(User.id)
        ).all()
        # the earlier account is kept (what it did keeps its author) but can no longer log in
        assert [tuple(a) for a in accounts] == [
            ("xa-b@thu.vn", False),
            ("canbo-moi@thu.vn", True),
        ]
        assert db.session.execute(db.select(db.func.count(Agency.id))).scalar() == 3
    renamed = [(e.key, e.old, e.new) for e in _audit(app, "agency")]
    assert renamed == [("2025/xa-a", "UBND xã A", "UBND xã A (sau sắp xếp)")]
    assert sorted((e.key, e.old, e.new) for e in _audit(app, "account")) == [
        ("canbo-moi@thu.vn", "", "tạo tài khoản cán bộ đầu mối"),
        ("xa-b@thu.vn", "đang hoạt động", "ngừng hoạt động"),
    ]
    assert login(app.test_client(), "xa-b@thu.vn").status_code == 401
    r = login(app.test_client(), "canbo-moi@thu.vn", passwords["canbo-moi@thu.vn"])
    assert r.status_code == 302


# ----------------------------------------------------------------------------------- deadlines
def test_deadlines_saved_and_shown_in_vietnamese(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _secretariat(client)
    r = post(
        client,
        "/so-noi-vu/ky/2025/thoi-han",
        {
            "self_date": "2026-01-31",
            "self_time": "17:00",
            "explanation_date": "28/02/2026",
            "explanation_time": "",
        },
    )
    assert r.status_code == 302
    page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert "Hạn tự đánh giá: <strong>31/01/2026 17:00</strong>" in page
    assert "hạn giải trình: <strong>28/02/2026 17:00</strong>" in page
    with app.app_context():
        c = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        assert c.self_deadline == dt.datetime(2026, 1, 31, 17, 0)
        assert c.explanation_deadline == dt.datetime(2026, 2, 28, 17, 0)
    audit = sorted((e.key, e.old, e.new) for e in _audit(app, "deadline"))
    assert audit == [
        ("2025/explanation_deadline", "28/02/2099 17:00", "28/02/2026 17:00"),
        ("2025/self_deadline", "31/01/2099 17:00", "31/01/2026 17:00"),
    ]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {
                "self_date": "2026-02-10",
                "explanation_date": "2026-02-10",
                "explanation_time": "08:00",
            },
            "explanation_date",
            "Hạn giải trình phải sau hạn tự đánh giá (10/02/2026 17:00).",
        ),
        ({"self_date": "31/02/2026"}, "self_date", "Ngày không hợp lệ"),
        ({"self_date": "2026-01-31", "self_time": "25:00"}, "self_time", "Giờ không hợp lệ"),
        (
            {"self_date": "2031-01-31"},
            "self_date",
            "Ngày phải trong khoảng 01/01/2025 – 31/12/2027",
        ),
        (
            {"explanation_date": "2026-02-28"},
            "self_date",
            "Đặt hạn tự đánh giá trước hạn giải trình.",
        ),
        ({"self_time": "17:00"}, "self_date", "Nhập ngày cho giờ đã chọn."),
    ],
)
def test_bad_deadlines_are_refused_and_typed_values_kept(
    app: Flask,
    client: FlaskClient,
    cycle: dict[str, Any],
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    _secretariat(client)
    r = post(client, "/so-noi-vu/ky/2025/thoi-han", form)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    html_field = re.search(
        rf'name="{field}" value="[^"]*"[^>]* aria-invalid="true" aria-describedby="{field}-error">\s*'
        rf'<p class="field-error" id="{field}-error">([^<]*)</p>',
        page,
    )
    assert html_field is not None and html_field.group(1).startswith(message)
    for key, value in form.items():
        assert f'name="{key}" value="{value}"' in page
    with app.app_context():
        c = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        assert c.self_deadline == dt.datetime(2099, 1, 31, 17, 0)
    assert _audit(app, "deadline") == []


# -------------------------------------------------------------------------------------- access
ROUTES = [
    ("GET", "/so-noi-vu/"),
    ("POST", "/so-noi-vu/"),
    ("GET", "/so-noi-vu/ky/2025"),
    ("POST", "/so-noi-vu/ky/2025/bo-tieu-chi"),
    ("POST", "/so-noi-vu/ky/2025/don-vi"),
    ("POST", "/so-noi-vu/ky/2025/thoi-han"),
]


@pytest.mark.parametrize("email", ["xa-a@thu.vn", "thamdinh@thu.vn"])
def test_agency_and_appraiser_get_403_on_every_secretariat_route(
    app: Flask, client: FlaskClient, cycle: dict[str, Any], email: str
) -> None:
    login(client, email)
    for method, path in ROUTES:
        r = client.get(path) if method == "GET" else post(client, path, {"year": "2030"})
        assert r.status_code == 403, (method, path)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Cycle.id))).scalar() == 1


def test_anonymous_is_sent_to_log_in(client: FlaskClient, cycle: dict[str, Any]) -> None:
    pages = {path for method, path in ROUTES if method == "GET"}
    for _, path in ROUTES:
        r = client.get(path)
        # a page sends to the log-in; a GET on a POST-only address is not allowed at all
        assert r.status_code == (302 if path in pages else 405), path
    assert client.get("/so-noi-vu/ky/2025").headers["Location"].startswith("/dang-nhap")


def test_admin_sees_the_cycle_page(client: FlaskClient, cycle: dict[str, Any]) -> None:
    login(client, "quantri@thu.vn")
    page = client.get("/so-noi-vu/ky/2025").get_data(as_text=True)
    assert "xa-2025" in page and "so-nganh-2025" in page
    assert "2 đơn vị: 2 bản nháp, 0 đã nộp." in page and "xa-a@thu.vn" in page
    assert client.get("/so-noi-vu/ky/2031").status_code == 404
