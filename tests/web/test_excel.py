"""The Excel round trip of an agency's self-assessment: template, import, errors by row/column.

Rows are worked out by hand from criteria/2025/xa.yaml: the header is row 3 and the leaves
follow in file order from row 4 — field 1 has 16 leaves (rows 4–19: 1.1.1 row 4, 1.1.3 row 6,
1.3.1 row 9, 1.3.2 row 10), field 2 six (rows 20–25: 2.2.3 row 24), then 3.1.1–3.1.4 (26–29)
and 3.2.1 row 30; the 74 tree leaves end at row 77 (survey leaf 8.1.1, the 69th, is row 72),
then bonus T.1–T.3 (78–80) and penalty TR.1–TR.3 (81–83).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from parindex.export import set_text
from tests.web.conftest import csrf, login
from web.engine import evaluate
from web.models import Agency, AuditEntry, Entry, Evidence, Submission, db

# the template's columns (see web/agency/excel_template.py COLUMNS)
DONE, DATE, NUM, DEN, COUNT, LEVEL, SCORE, DNA, EXPL, HAVE = "JKLMNOPQRS"
EV_NUMBER, EV_DATE, EV_ISSUER, EV_TITLE, EV_LOCATION, EV_URL = "TUVWXY"
CO_BAN = "Đáp ứng cơ bản, còn thiếu thiết bị số hóa hoặc khu vực hướng dẫn"


@pytest.fixture
def filled(app: Flask, cycle: dict[str, Any]) -> dict[str, Any]:
    """xa-a has five leaves filled in (one with a document); xa-b has a secret explanation."""
    with app.app_context():
        subs = {
            code: db.session.execute(
                db.select(Submission).filter_by(agency_id=cycle["agency_ids"][code])
            ).scalar_one()
            for code in ("xa-a", "xa-b")
        }
        for leaf, data in (
            ("1.1.1", {"date": "2025-07-10"}),
            ("1.1.3", {"numerator": 18, "denominator": 20}),
            ("1.3.1", {"done": True, "explanation": "Kế hoạch số 12"}),
            ("2.2.3", {"score": "0.75"}),
            ("3.2.1", {"level": "co-ban"}),
        ):
            entry = Entry(submission=subs["xa-a"], leaf=leaf, data=data)
            db.session.add(entry)
            if leaf == "1.3.1":
                entry.evidence.append(
                    Evidence(
                        number="12/KH-UBND",
                        date=dt.date(2025, 7, 15),
                        issuer="UBND xã A",
                        title="Kế hoạch tự kiểm tra CCHC",
                        url="https://xa-a.example.vn/12.pdf",
                    )
                )
        db.session.add(
            Entry(
                submission=subs["xa-b"],
                leaf="1.3.1",
                data={"done": True, "explanation": "BÍ MẬT CỦA XÃ B"},
            )
        )
        db.session.commit()
    return cycle


def _officer(client: FlaskClient, code: str = "xa-a") -> None:
    assert login(client, f"{code}@thu.vn").status_code == 302


def _template(client: FlaskClient) -> bytes:
    r = client.get("/don-vi/excel/mau")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return r.data


def _edit(data: bytes, cells: dict[str, Any]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Tự đánh giá"]
    for ref, value in cells.items():
        if isinstance(value, str):
            set_text(ws[ref], value)
        else:
            ws[ref].value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(client: FlaskClient, content: bytes, name: str = "tu-danh-gia.xlsx") -> Any:
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf(client, "/don-vi/excel/nhap"),
            "workbook": FileStorage(io.BytesIO(content), name),
        }
    )
    return client.post(
        "/don-vi/excel/nhap", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _entries(app: Flask, agency_id: int) -> dict[str, tuple[int, dict[str, Any], list[str]]]:
    with app.app_context():
        sub = db.session.execute(db.select(Submission).filter_by(agency_id=agency_id)).scalar_one()
        return {
            e.leaf: (e.version, dict(e.data), [ev.number for ev in e.evidence]) for e in sub.entries
        }


def _audit_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(db.select(db.func.count(AuditEntry.id))).scalar() or 0)


def _problems(page: str) -> list[tuple[int, str, str]]:
    """(row, column, code) of each problem in the page's table."""
    rows = re.findall(
        r'<tr><td class="n">(\d+)</td><td>([A-Z]+)[^<]*</td><td>[^<]*</td><td><code>([a-z-]+)</code>',
        page,
    )
    return [(int(r), c, code) for r, c, code in rows]


# -------------------------------------------------------------------------------- the template
def test_template_has_one_row_per_leaf_prefilled(
    client: FlaskClient, filled: dict[str, Any]
) -> None:
    _officer(client)
    wb = load_workbook(io.BytesIO(_template(client)))
    assert wb.sheetnames[:2] == ["Tự đánh giá", "Hướng dẫn"]
    ws = wb["Tự đánh giá"]
    assert ws["A3"].value == "Mã" and ws[f"{DNA}3"].value == "Không phát sinh (lý do)"
    codes = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert len(codes) == 74 + 3 + 3
    assert (codes[0], codes[73], codes[74], codes[-1]) == ("1.1.1", "8.2.1", "T.1", "TR.3")
    assert ws["A6"].value == "1.1.3" and ws["E6"].value == 1.5
    assert ws[f"{DATE}4"].value == "10/07/2025"
    assert (ws[f"{NUM}6"].value, ws[f"{DEN}6"].value) == (18, 20)
    assert (ws[f"{DONE}9"].value, ws[f"{EXPL}9"].value) == ("Có", "Kế hoạch số 12")
    assert ws[f"{HAVE}9"].value == "12/KH-UBND (15/07/2025)"
    assert ws["A24"].value == "2.2.3" and ws[f"{SCORE}24"].value == 0.75
    assert ws["A30"].value == "3.2.1" and ws[f"{LEVEL}30"].value == CO_BAN
    assert ws[f"{NUM}10"].value is None  # 1.3.2 not filled in
    # wording, a survey row marked not self-scored, bonus rows
    assert ws["G4"].value.startswith(
        "Ban hành Kế hoạch CCHC đúng thời hạn (chậm nhất ngày 30/7/2025)"
    )
    assert ws["A72"].value == "8.1.1" and ws["H72"].value.startswith("Không tự chấm")
    assert ws["F72"].value == "Điều tra xã hội học"
    assert (ws["A78"].value, ws["B78"].value) == ("T.1", "Điểm thưởng")
    # codes locked, the rule's inputs open, the others locked; lists for Có/Không and levels
    assert ws.protection.sheet
    assert ws["A4"].protection.locked and not ws[f"{DATE}4"].protection.locked
    assert ws[f"{NUM}4"].protection.locked and not ws[f"{NUM}6"].protection.locked
    assert ws[f"{NUM}72"].protection.locked and ws[f"{EXPL}72"].protection.locked
    lists = {str(dv.formula1): str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert f"{DONE}9" in lists['"Có,Không"'].split()
    level_list = next(f for f, ref in lists.items() if ref == f"{LEVEL}30")
    col = re.search(r"\$([A-Z]+)\$2:\$\1\$(\d+)", level_list)
    assert col is not None and col.group(2) == "4"  # three levels, rows 2–4
    levels = wb["Danh mục"]
    labels = [levels[f"{col.group(1)}{r}"].value for r in (2, 3, 4)]
    assert labels[1] == CO_BAN and wb["Danh mục"].sheet_state == "hidden"
    assert wb["Hướng dẫn"]["B1"].value == "Hướng dẫn nhập tự đánh giá Chỉ số CCHC năm 2025"


def test_another_agencys_data_never_appears(client: FlaskClient, filled: dict[str, Any]) -> None:
    _officer(client)
    wb = load_workbook(io.BytesIO(_template(client)))
    text = " ".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    assert "BÍ MẬT CỦA XÃ B" not in text and "UBND xã B" not in text and "xa-b" not in text
    assert "UBND xã A" in text


def test_a_template_of_another_agency_is_refused(
    app: Flask, client: FlaskClient, filled: dict[str, Any]
) -> None:
    _officer(client, "xa-b")
    theirs = _edit(_template(client), {f"{EXPL}9": "Sửa bởi xã B"})
    mine = app.test_client()
    _officer(mine, "xa-a")
    before = _entries(app, filled["agency_ids"]["xa-a"])
    r = _upload(mine, theirs)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Tệp này là mẫu của đơn vị khác (mã xa-b)" in page
    assert _entries(app, filled["agency_ids"]["xa-a"]) == before


# --------------------------------------------------------------------------------- the import
def test_unchanged_file_changes_nothing(
    app: Flask, client: FlaskClient, filled: dict[str, Any]
) -> None:
    _officer(client)
    before, audits = _entries(app, filled["agency_ids"]["xa-a"]), _audit_count(app)
    r = _upload(client, _template(client))
    assert r.status_code == 200
    assert "Không có thay đổi nào so với dữ liệu đã lưu." in r.get_data(as_text=True)
    assert _entries(app, filled["agency_ids"]["xa-a"]) == before
    assert _audit_count(app) == audits


def test_edited_file_updates_entries_with_version_and_audit(
    app: Flask, client: FlaskClient, filled: dict[str, Any]
) -> None:
    _officer(client)
    edited = _edit(
        _template(client),
        {
            f"{NUM}6": 20,  # 1.1.3: 20 of 20 tasks → 100 % → 1.5 points
            f"{SCORE}24": "1",  # 2.2.3: 0.75 → 1
            f"{NUM}10": 3,  # 1.3.2 (new): 3 of 5 units → 60 % ≥ 50 % → 0.5 points
            f"{DEN}10": "5",
            f"{EXPL}9": None,  # 1.3.1: explanation removed
            f"{EV_NUMBER}4": "125/KH-UBND",  # 1.1.1: a new document
            f"{EV_DATE}4": "10/07/2025",
            f"{EV_ISSUER}4": "UBND xã A",
            f"{EV_TITLE}4": "Kế hoạch CCHC năm 2025",
            f"{EV_LOCATION}4": "toàn văn",
            f"{EV_URL}4": "https://xa-a.example.vn/125.pdf",
            f"{EV_NUMBER}6": "15/BC-UBND",  # 1.1.3: changed facts and a new document
            f"{EV_URL}6": "https://xa-a.example.vn/15.pdf",
            f"{EV_NUMBER}9": "12/kh-ubnd",  # 1.3.1: already there
            f"{EV_URL}9": "https://xa-a.example.vn/12-bis.pdf",
        },
    )
    r = _upload(client, edited)
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert "Đã lưu 4 tiêu chí thay đổi và 2 tài liệu kiểm chứng mới." in page
    assert "Tài liệu đã có, không thêm lại: 1.3.1: 12/kh-ubnd." in page
    entries = _entries(app, filled["agency_ids"]["xa-a"])
    assert entries["1.1.3"] == (2, {"numerator": 20, "denominator": 20}, ["15/BC-UBND"])
    assert entries["2.2.3"][:2] == (2, {"score": "1"})
    assert entries["1.3.2"][:2] == (1, {"numerator": 3, "denominator": 5})
    assert entries["1.3.1"] == (2, {"done": True}, ["12/KH-UBND"])
    assert entries["1.1.1"] == (1, {"date": "2025-07-10"}, ["125/KH-UBND"])
    with app.app_context():
        ev = db.session.execute(db.select(Evidence).filter_by(number="125/KH-UBND")).scalar_one()
        assert (ev.date, ev.issuer, ev.title, ev.location, ev.url) == (
            dt.date(2025, 7, 10),
            "UBND xã A",
            "Kế hoạch CCHC năm 2025",
            "toàn văn",
            "https://xa-a.example.vn/125.pdf",
        )
        audit = {
            a.key: (a.old, a.new)
            for a in db.session.execute(db.select(AuditEntry).filter_by(entity="entry")).scalars()
        }
        assert audit["1.1.3"] == ("denominator=20; numerator=18", "denominator=20; numerator=20")
        assert audit["1.3.1"] == ("done=True; explanation=Kế hoạch số 12", "done=True")
        assert audit["1.3.2"] == ("", "denominator=5; numerator=3")
        assert len(audit) == 4
        assert (
            db.session.execute(
                db.select(db.func.count(AuditEntry.id)).filter_by(entity="evidence")
            ).scalar()
            == 2
        )
        agency = db.session.get(Agency, filled["agency_ids"]["xa-a"])
        assert agency is not None
        points = evaluate(agency).leaves
        assert points["1.1.3"].points == Decimal("1.50")
        assert points["1.3.2"].points == Decimal("0.50")
        assert points["2.2.3"].points == Decimal("1.00")


def test_errors_in_several_rows_are_all_reported_and_nothing_saved(
    app: Flask, client: FlaskClient, filled: dict[str, Any]
) -> None:
    _officer(client)
    before, audits = _entries(app, filled["agency_ids"]["xa-a"]), _audit_count(app)
    edited = _edit(
        _template(client),
        {
            f"{DATE}4": "2025/07/10",  # 1.1.1: neither dd/mm/yyyy nor ISO
            f"{NUM}6": 25,  # 1.1.3: 25 > 20
            f"{NUM}10": 3,  # 1.3.2: valid, but nothing is saved
            f"{DEN}10": 5,
            f"{SCORE}24": "0,6",  # 2.2.3: step 0.25
            f"{LEVEL}30": "Rất tốt",  # 3.2.1: no such level
            f"{NUM}72": 90,  # 8.1.1: survey leaf
            f"{COUNT}78": "hai",  # T.1: not a number
            "A84": "9.9.9",  # below the last leaf: no such code
            f"{COUNT}84": 1,
        },
    )
    r = _upload(client, edited)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Tệp có 7 lỗi; chưa lưu gì." in page
    assert _problems(page) == [
        (4, DATE, "fact-wrong-type"),
        (6, NUM, "numerator-above-denominator"),
        (24, SCORE, "score-off-step"),
        (30, LEVEL, "unknown-level"),
        (72, NUM, "survey-self-score"),
        (78, COUNT, "fact-wrong-type"),
        (84, "A", "unknown-leaf"),
    ]
    assert "Tử số 25 lớn hơn mẫu số 20" in page
    assert "Điểm 0.6 không theo bước 0.25" in page
    assert "cột O (Mức đánh giá)" not in page  # the header is in its own cell: "O (Mức đánh giá)"
    assert "<td>O (Mức đánh giá)</td>" in page
    assert _entries(app, filled["agency_ids"]["xa-a"]) == before
    assert _audit_count(app) == audits


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Ma,Tu so\n1.1.3,20\n", "Tệp không phải bảng tính Excel .xlsx"),
        (b"%PDF-1.7\n", "Tệp không phải bảng tính Excel .xlsx"),
        (b"", "Chưa chọn tệp hoặc tệp rỗng."),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused(
    app: Flask, client: FlaskClient, filled: dict[str, Any], content: bytes, message: str
) -> None:
    _officer(client)
    r = _upload(client, content, "tu-danh-gia.xlsx")
    assert r.status_code == 400 and message in r.get_data(as_text=True)


def test_a_file_above_the_upload_limit_is_refused(
    app: Flask, client: FlaskClient, filled: dict[str, Any]
) -> None:
    _officer(client)
    r = _upload(client, b"PK\x03\x04" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert r.status_code == 413 and "Tệp tải lên quá lớn." in r.get_data(as_text=True)


def test_a_zip_without_a_workbook_is_refused(client: FlaskClient, filled: dict[str, Any]) -> None:
    _officer(client)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    r = _upload(client, buffer.getvalue())
    assert r.status_code == 400 and "không phải bảng tính Excel .xlsx" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    ("closed", "message"),
    [("submitted", "Hồ sơ đã nộp; không thể sửa."), ("late", "Đã quá hạn tự đánh giá.")],
)
def test_import_refused_after_submission_or_deadline(
    app: Flask, client: FlaskClient, filled: dict[str, Any], closed: str, message: str
) -> None:
    _officer(client)
    content = _edit(_template(client), {f"{NUM}6": 20})
    with app.app_context():
        agency = db.session.get(Agency, filled["agency_ids"]["xa-a"])
        assert agency is not None and agency.submission is not None
        if closed == "submitted":
            agency.submission.state = "submitted"
        else:
            agency.cycle.self_deadline = dt.datetime(2020, 1, 31, 17, 0)
        db.session.commit()
    assert message in client.get("/don-vi/excel/nhap").get_data(as_text=True)
    r = _upload(client, content)
    assert r.status_code == 403 and message in r.get_data(as_text=True)
    assert _entries(app, filled["agency_ids"]["xa-a"])["1.1.3"][0] == 1
    assert client.get("/don-vi/excel/mau").status_code == 200  # still readable


def test_only_agency_officers(client: FlaskClient, filled: dict[str, Any]) -> None:
    login(client, "sonoivu@thu.vn")
    assert client.get("/don-vi/excel/mau").status_code == 403
    assert client.get("/don-vi/excel/nhap").status_code == 403


DAY_DU = "Đủ công chức, diện tích, máy quét số hóa, máy tra cứu, khu vực hướng dẫn nộp trực tuyến"


def test_the_result_names_a_level_by_its_wording_not_its_key(
    client: FlaskClient, filled: dict[str, Any]
) -> None:
    """3.2.1 goes from "co-ban" to "day-du": the table of changes says both levels as the
    criteria set words them (issue 14, item 7), never the keys."""
    _officer(client)
    r = _upload(client, _edit(_template(client), {f"{LEVEL}30": DAY_DU}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page
    assert "Đã lưu 1 tiêu chí thay đổi" in page
    row = re.search(r"<tr><td class=\"n\">30</td><td>3\.2\.1</td>.*?</tr>", page, re.S)
    assert row is not None, page
    assert f"{CO_BAN}</td>" in row.group(0)  # before
    assert f"{DAY_DU}</td>" in row.group(0)  # after
    assert "day-du" not in page and "co-ban" not in page
