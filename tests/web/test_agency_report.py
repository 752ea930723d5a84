"""The agency's self-assessment report (issue 14, item 1): the DOCX opened with python-docx and
checked part by part, its figures against the naive reference scorer (tests/reference.py), the
DOCX rendered by LibreOffice to PDF and read back; the print page; the officer's texts; the
signed scan (after submission only, checked by content, seen by its agency, the panel and the
secretariat only)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import reference
from tests.lo import convert, needs_libreoffice
from tests.web.conftest import REPO, csrf, login, post, prefill_self_assessment
from web import formatting
from web.models import AuditEntry, Entry, Evidence, Submission, SubmissionReport, db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 60
DOCX_PATH = "/don-vi/bao-cao/bao-cao.docx"
DIFFICULTIES = "Thiếu máy quét số hóa tại bộ phận một cửa.\nCán bộ kiêm nhiệm nhiều việc."
PROPOSALS = "Đề nghị tỉnh hỗ trợ trang thiết bị số hóa <script>alert(1)</script>"


def _officer(app: Flask, email: str = "xa-a@thu.vn") -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


@pytest.fixture
def filled(app: Flask, cycle: dict[str, Any]) -> dict[str, Any]:
    """xa-a: every self-scored leaf filled (conftest), then a few changed so the figures are
    not all maxima: 1.1.3 18 of 20 tasks, 3.3.2 did not arise (full points), 1.4.1 did not
    arise (excluded by the set's default), T.1 two initiatives; 1.1.1 with a document that has
    no issuer (incomplete), 1.3.1 with a complete one; 2.2.3's explanation removed."""
    app.config["PROVINCE"] = "Đồng Tháp"
    prefill_self_assessment(app, "xa-a")
    with app.app_context():
        sub = db.session.execute(
            db.select(Submission).filter_by(agency_id=cycle["agency_ids"]["xa-a"])
        ).scalar_one()
        entries = {e.leaf: e for e in sub.entries}
        entries["1.1.3"].data = {"numerator": 18, "denominator": 20}
        entries["3.3.2"].data = {"did_not_arise": "Không có hồ sơ trễ hạn"}
        entries["2.2.3"].data = {"score": "0.5"}
        entries["1.4.1"].data = {"did_not_arise": "Không có văn bản phải ban hành"}
        entries["1.1.1"].evidence.append(
            Evidence(
                number="125/KH-UBND",
                date=dt.date(2025, 1, 10),
                title="Kế hoạch CCHC",
                url="https://xa-a.example.vn/125.pdf",
            )
        )
        entries["1.3.1"].evidence.append(
            Evidence(
                number="12/KH-UBND",
                date=dt.date(2025, 7, 15),
                issuer="UBND xã A",
                title="Kế hoạch tự kiểm tra",
                url="https://xa-a.example.vn/12.pdf",
            )
        )
        db.session.add(Entry(submission=sub, leaf="T.1", data={"count": 2}))
        db.session.commit()
    return cycle


def _save_texts(client: FlaskClient, **values: str) -> Any:
    data = {"difficulties": "", "proposals": "", "signer_title": "", "signer_name": ""}
    data.update(values)
    return post(client, "/don-vi/bao-cao/", data)


def _docx(client: FlaskClient) -> Any:
    r = client.get(DOCX_PATH)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    assert r.mimetype.endswith("wordprocessingml.document")
    assert "bao-cao-tu-danh-gia-2025-xa-a.docx" in r.headers["Content-Disposition"]
    return Document(io.BytesIO(r.data))


def _reference(app: Flask, cycle: dict[str, Any]) -> reference.AgencyResult:
    """xa-a's self-scores by the naive reference scorer, from the stored entries."""
    criteria = yaml.safe_load((REPO / "criteria" / "2025" / "xa.yaml").read_text("utf-8"))
    with app.app_context():
        sub = db.session.execute(
            db.select(Submission).filter_by(agency_id=cycle["agency_ids"]["xa-a"])
        ).scalar_one()
        leaves = {}
        for e in sub.entries:
            data = dict(e.data)
            if "date" in data:
                data["date"] = dt.date.fromisoformat(data["date"])
            leaves[e.leaf] = data
    return reference.score_agency(criteria, {"agency": "xa-a", "leaves": leaves}, {})


def _sums(criteria: dict[str, Any], r: reference.AgencyResult) -> dict[str, Decimal]:
    """Points per field and per criterion: the reference's leaves added up."""
    out: dict[str, Decimal] = {}
    for f in criteria["fields"]:
        for c in f["criteria"]:
            total = sum(
                (
                    r.leaves[leaf["code"]].final
                    for leaf in c["subcriteria"]
                    if r.leaves[leaf["code"]].applicable
                ),
                Decimal(0),
            )
            out[str(c["code"])] = total
            out[str(f["code"])] = out.get(str(f["code"]), Decimal(0)) + total
    return out


def _text(document: Any) -> str:
    return "\n".join(p.text for p in document.paragraphs)


# ====================================================================================== the DOCX
def test_the_docx_has_the_parts_of_an_administrative_report(
    app: Flask, filled: dict[str, Any]
) -> None:
    client = _officer(app)
    assert (
        _save_texts(
            client,
            difficulties=DIFFICULTIES,
            proposals=PROPOSALS,
            signer_title="Chủ tịch",
            signer_name="Nguyễn Văn An",
        ).status_code
        == 302
    )
    document = _docx(client)
    # A4, Times New Roman 14 as the body's font
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 14
    # the heading: the superior and the unit (left), Quốc hiệu and tiêu ngữ (right)
    left, right = (cell.text for cell in document.tables[0].rows[0].cells)
    assert left.splitlines()[:2] == ["TỈNH ĐỒNG THÁP", "UBND XÃ A"]
    assert "Số:" in left and "/BC-" in left
    assert right.splitlines()[:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert "Đồng Tháp, ngày …… tháng …… năm ……" in right
    text = _text(document)
    # a draft says so; title, recipient, the three parts, in order
    assert "DỰ THẢO" in text
    order = [
        "BÁO CÁO",
        "Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2025",
        "Kính gửi: Sở Nội vụ tỉnh Đồng Tháp.",
        "I. KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM",
        "II. GIẢI TRÌNH ĐỐI VỚI CÁC TIÊU CHÍ CHƯA CÓ HOẶC CHƯA ĐỦ TÀI LIỆU KIỂM CHỨNG",
        "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    # the officer's texts, one paragraph per line, the script as plain text
    paragraphs = [p.text for p in document.paragraphs]
    assert "Thiếu máy quét số hóa tại bộ phận một cửa." in paragraphs
    assert "Cán bộ kiêm nhiệm nhiều việc." in paragraphs
    assert PROPOSALS in paragraphs
    # Nơi nhận and the signer's block
    recipients, signer = (cell.text for cell in document.tables[2].rows[0].cells)
    assert recipients.startswith("Nơi nhận:") and "Lưu: VT." in recipients
    assert signer.startswith("CHỦ TỊCH\n(Ký, ghi rõ họ tên, đóng dấu)")
    assert signer.rstrip().endswith("Nguyễn Văn An")


def test_the_docx_figures_are_the_engines(app: Flask, filled: dict[str, Any]) -> None:
    """Every field's and criterion's self-score, the bonus, the total and the index equal the
    naive reference scorer's on the same entries (and a few by hand)."""
    client = _officer(app)
    document = _docx(client)
    criteria = yaml.safe_load((REPO / "criteria" / "2025" / "xa.yaml").read_text("utf-8"))
    ref = _reference(app, filled)
    sums = _sums(criteria, ref)
    table = document.tables[1]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["STT", "Lĩnh vực, tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Ghi chú"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:] if r.cells[0].text}
    survey_only = {"8", "8.1", "8.2"}  # scored by surveys: "—" until their results
    checked = 0
    for f in criteria["fields"]:
        for code, mx in [(str(f["code"]), f["max"])] + [
            (str(c["code"]), c["max"]) for c in f["criteria"]
        ]:
            row = rows[code]
            assert row[2] == formatting.number(Decimal(str(mx))), code
            if code in survey_only:
                assert row[3] == "—", code
            else:
                assert row[3] == formatting.number(sums[code]), code
            checked += 1
    assert checked == len(rows)
    # by hand: 1.1 = 1.1.1 issued on its due date 1 + 1.1.2 "Xác định đầy đủ: 0,5 điểm" 0,5
    # + 1.1.3 18/20 = 90 %, "từ 80% đến dưới 100%: 0,75 điểm" → 2,25 of 3
    assert rows["1.1"][3] == "2,25" and rows["1.1"][2] == "3,00"
    assert ref.leaves["3.3.2"].final == Decimal("1.5") and ref.leaves["1.4.1"].applicable is False
    assert "Không phát sinh: 1.4.1" in rows["1.4"][4]
    total = next(r for r in table.rows if r.cells[1].text == "Tổng điểm tự đánh giá")
    assert total.cells[3].text == formatting.number(ref.achieved)
    assert total.cells[2].text == formatting.number(ref.applicable_max)
    assert total.cells[4].text == f"Chỉ số {formatting.percent(ref.index)}"
    bonus = next(r for r in table.rows if r.cells[1].text == "Điểm thưởng")
    assert bonus.cells[3].text == "1,00" == formatting.number(ref.bonus)  # 2 × 0,5
    summary = f"Tổng điểm tự đánh giá: {formatting.number(ref.achieved)} điểm trên"
    assert summary in _text(document)


def test_the_docx_explains_missing_and_incomplete_evidence(
    app: Flask, filled: dict[str, Any]
) -> None:
    document = _docx(_officer(app))
    text = _text(document)
    part = text[text.index("II. GIẢI TRÌNH") : text.index("III. KHÓ KHĂN")]
    # no document, explained (conftest's explanation) → listed with the explanation
    assert "Tiêu chí 1.2.1" in part and "Chưa có tài liệu kiểm chứng." in part
    assert "Giải trình: Hồ sơ lưu tại bộ phận một cửa" in part
    # a document without its issuer → incomplete
    line = next(p.text for p in document.paragraphs if "Tiêu chí 1.1.1 " in p.text)
    assert "chưa có cơ quan ban hành" in line
    # a complete document: not listed; a leaf scored 0: not listed; no evidence needed: not
    assert "Tiêu chí 1.3.1 " not in part
    assert "Tiêu chí 1.7.1 " not in part  # evidence: none
    # 2.2.3 scored 0,5 without document nor explanation
    line = next(p.text for p in document.paragraphs if "Tiêu chí 2.2.3 " in p.text)
    assert "(đơn vị chưa có giải trình)" in line


def test_text_with_control_characters_does_not_break_the_docx(
    app: Flask, filled: dict[str, Any]
) -> None:
    client = _officer(app)
    pasted = "Dòng một\x0bdòng hai\x00\x1f\x07 hết"
    assert _save_texts(client, difficulties=pasted, signer_name="Trần\x08 B").status_code == 302
    document = _docx(client)
    text = _text(document)
    assert "\x00" not in text and "\x07" not in text
    assert "Trần B" in document.tables[2].rows[0].cells[1].text


@needs_libreoffice
def test_the_docx_renders_through_libreoffice(
    app: Flask, filled: dict[str, Any], tmp_path: Path
) -> None:
    client = _officer(app)
    _save_texts(client, difficulties=DIFFICULTIES, signer_name="Nguyễn Văn An")
    src = tmp_path / "bao-cao.docx"
    src.write_bytes(client.get(DOCX_PATH).data)
    pdf = convert(src, "pdf", tmp_path / "out")
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for part in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND XÃ A",
        "BÁO CÁO",
        "Kính gửi: Sở Nội vụ tỉnh Đồng Tháp",
        "Tổng điểm tự đánh giá",
        "Thiếu máy quét số hóa",
        "Nơi nhận:",
        "Nguyễn Văn An",
    ):
        assert part in text, part
    ref = _reference(app, filled)
    assert formatting.number(ref.achieved) in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    # Times New Roman, or its metric twin where it is not installed (Liberation Serif, Tinos)
    assert any(name in fonts for name in ("Times", "LiberationSerif", "Tinos")), fonts


# =============================================================================== the print page
def test_the_print_page_has_the_same_report_escaped(app: Flask, filled: dict[str, Any]) -> None:
    client = _officer(app)
    _save_texts(client, proposals=PROPOSALS)
    r = client.get("/don-vi/bao-cao/ban-in")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "report.css" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    ref = _reference(app, filled)
    assert f'<td class="n">{formatting.number(ref.achieved)}</td>' in html
    css = client.get("/static/report.css")
    assert "@media print" in css.get_data(as_text=True) and "A4" in css.get_data(as_text=True)
    css.close()


# ==================================================================================== the texts
def test_the_texts_are_stored_audited_and_checked(app: Flask, filled: dict[str, Any]) -> None:
    client = _officer(app)
    r = _save_texts(client, difficulties="x" * 10_001)
    assert r.status_code == 400
    assert "“Khó khăn, vướng mắc” dài 10.001 ký tự, tối đa 10.000 ký tự." in r.get_data(
        as_text=True
    )
    r = _save_texts(client, difficulties=DIFFICULTIES, proposals="Không")
    assert r.status_code == 302
    with app.app_context():
        report = db.session.execute(db.select(SubmissionReport)).scalar_one()
        assert (report.difficulties, report.proposals) == (DIFFICULTIES, "Không")
        audit = db.session.execute(db.select(AuditEntry).filter_by(entity="report")).scalar_one()
        assert "proposals=Không" in audit.new
    page = client.get("/don-vi/bao-cao/").get_data(as_text=True)
    assert "Cán bộ kiêm nhiệm nhiều việc." in page  # in the form and the preview


# ============================================================================ the signed scan
def _upload(client: FlaskClient, content: bytes, name: str) -> Any:
    data = {
        "csrf_token": csrf(client, "/don-vi/bao-cao/"),
        "file": FileStorage(io.BytesIO(content), name),
    }
    boundary, body = encode_multipart(data)
    return client.post(
        "/don-vi/bao-cao/ban-ky",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _submit(app: Flask, agency_id: int) -> None:
    with app.app_context():
        sub = db.session.execute(db.select(Submission).filter_by(agency_id=agency_id)).scalar_one()
        sub.state = "submitted"
        sub.submitted_at = dt.datetime(2026, 1, 20, 2, 0)
        db.session.commit()


def test_the_signed_scan_only_after_submission_and_checked_by_content(
    app: Flask, filled: dict[str, Any]
) -> None:
    client = _officer(app)
    r = _upload(client, PDF, "bao-cao-da-ky.pdf")
    assert r.status_code == 403
    assert "Chỉ tải lên bản báo cáo đã ký sau khi nộp hồ sơ" in r.get_data(as_text=True)
    _submit(app, filled["agency_ids"]["xa-a"])
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = sorted(folder.iterdir()) if folder.exists() else []
    r = _upload(client, EXE, "bao-cao.pdf")  # named .pdf, but a program
    assert r.status_code == 400
    assert (
        "Tệp “bao-cao.pdf” không phải PDF, JPG hoặc PNG (kiểm tra theo nội dung tệp, không theo "
        "đuôi tên); bản báo cáo chưa được lưu."
    ) in r.get_data(as_text=True)
    docx = _docx(client)  # a Word file is evidence, not a signed scan
    buffer = io.BytesIO()
    docx.save(buffer)
    assert _upload(client, buffer.getvalue(), "bao-cao.docx").status_code == 400
    assert (sorted(folder.iterdir()) if folder.exists() else []) == before  # nothing kept
    r = _upload(client, PDF, "Báo cáo đã ký.pdf")
    assert r.status_code == 302
    page = client.get("/don-vi/bao-cao/").get_data(as_text=True)
    assert "Báo cáo đã ký.pdf" in page
    with app.app_context():
        report = db.session.execute(db.select(SubmissionReport)).scalar_one()
        stored = folder / report.scan_stored_name
        assert stored.read_bytes() == PDF and report.scan_content_type == "application/pdf"
    # a new scan replaces the old one and its file
    assert _upload(client, PDF + b"%2\n", "ban-2.pdf").status_code == 302
    assert not stored.exists()


def test_the_signed_scan_is_seen_by_its_agency_and_the_panel_only(
    app: Flask, filled: dict[str, Any]
) -> None:
    agency_id = filled["agency_ids"]["xa-a"]
    _submit(app, agency_id)
    client = _officer(app)
    assert _upload(client, PDF, "ban-ky.pdf").status_code == 302
    path = f"/don-vi/bao-cao/ban-ky/{agency_id}"
    r = client.get(path)
    assert r.status_code == 200 and r.data == PDF and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline")
    r.close()
    other = _officer(app, "xa-b@thu.vn")
    r = other.get(path)
    assert r.status_code == 403 and PDF not in r.data
    for email in ("thamdinh@thu.vn", "sonoivu@thu.vn", "quantri@thu.vn"):
        staff = _officer(app, email)
        r = staff.get(path)
        assert r.status_code == 200 and r.data == PDF, email
        r.close()
    assert app.test_client().get(path).status_code == 302  # to the log-in page
    # the panel's page of the agency links the cover document
    staff = _officer(app, "sonoivu@thu.vn")
    html = staff.get(f"/tham-dinh/don-vi/{agency_id}").get_data(as_text=True)
    assert f'href="{path}"' in html and "ban-ky.pdf" in html
    # an agency without a scan: 404 in words
    r = staff.get(f"/don-vi/bao-cao/ban-ky/{filled['agency_ids']['xa-b']}")
    assert r.status_code == 404


def test_only_the_officer_uses_the_report_pages(app: Flask, filled: dict[str, Any]) -> None:
    for email in ("thamdinh@thu.vn", "sonoivu@thu.vn", "quantri@thu.vn"):
        client = _officer(app, email)
        for path in ("/don-vi/bao-cao/", DOCX_PATH, "/don-vi/bao-cao/ban-in"):
            assert client.get(path).status_code == 403, (email, path)
    anonymous = app.test_client()
    assert anonymous.get(DOCX_PATH).status_code == 302
    # the officer's report is always its own agency's: xa-b's officer gets xa-b's
    other = _officer(app, "xa-b@thu.vn")
    document = _docx_of(other)
    assert "UBND XÃ B" in document.tables[0].rows[0].cells[0].text


def _docx_of(client: FlaskClient) -> Any:
    r = client.get(DOCX_PATH)
    assert r.status_code == 200
    return Document(io.BytesIO(r.data))


def test_a_scan_above_the_upload_limit_is_refused_in_words(
    app: Flask, filled: dict[str, Any]
) -> None:
    _submit(app, filled["agency_ids"]["xa-a"])
    client = _officer(app)
    just_over = PDF + b"0" * (1024 * 1024)  # MAX_UPLOAD_MB is 1 in the tests
    r = _upload(client, just_over, "quet.pdf")
    assert r.status_code == 400
    assert "vượt quá dung lượng cho phép (1 MB); bản báo cáo chưa được lưu" in r.get_data(
        as_text=True
    )
    r = _upload(client, PDF + b"0" * (3 * 1024 * 1024), "quet-lon.pdf")  # beyond the request
    assert r.status_code == 413
    page = r.get_data(as_text=True)
    assert "bản báo cáo chưa được lưu" in page and "Quay lại trang báo cáo" in page
    with app.app_context():
        assert db.session.execute(db.select(SubmissionReport)).scalar_one_or_none() is None
