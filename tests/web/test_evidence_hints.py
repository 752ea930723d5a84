"""Evidence hints in the web app: on the appraiser's leaf card ("Gợi ý kiểm tra minh chứng")
and in the cycle's evidence report (XLSX) for the secretariat. The cases are made by hand on
the bundled commune set (criteria/2025/xa.yaml: 1.1.1 is a deadline leaf, 1.1.2 and 1.1.3 its
neighbours in criterion 1.1, 2.1.1 in another criterion)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from tests.web.test_appraisal import assign, client_for, html_of, submitted
from web.models import Agency, Entry, Evidence, db

D = dt.date
SAME = b"%PDF-1.4 the same scanned plan\n"


def _cite(app: Flask, agency_id: int, leaf: str, data: dict[str, Any], *docs: dict) -> None:
    with app.app_context():
        agency = db.session.get(Agency, agency_id)
        assert agency is not None and agency.submission is not None
        entry = db.session.execute(
            db.select(Entry).filter_by(submission_id=agency.submission.id, leaf=leaf)
        ).scalar_one_or_none()
        if entry is None:
            entry = Entry(submission=agency.submission, leaf=leaf, data=dict(data))
            db.session.add(entry)
        for doc in docs:
            entry.evidence.append(Evidence(**{"issuer": agency.name, **doc}))
        db.session.commit()


def _file(app: Flask, name: str, content: bytes) -> dict[str, Any]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return {
        "stored_name": name,
        "original_name": "ke-hoach.pdf",
        "content_type": "application/pdf",
        "size": len(content),
    }


@pytest.fixture
def hinted(app: Flask, cycle: dict[str, Any]) -> int:
    """xa-a and xa-b submitted, xa-a with one problem per leaf, xa-b holding the same file; so-a,
    a draft, holds it too (a draft is not compared)."""
    xa_a = submitted(app, cycle, "xa-a")
    xa_b = submitted(app, cycle, "xa-b")
    link = {"url": "https://vanban.xa-a.gov.vn/1"}
    # a deadline leaf claiming 20/07 with a plan dated 25/07
    _cite(
        app,
        xa_a,
        "1.1.1",
        {"date": "2025-07-20"},
        {"number": "32/KH-UBND", "date": D(2025, 7, 25), "title": "Kế hoạch CCHC năm 2025", **link},
    )
    # a decision's symbol on a plan's title
    _cite(
        app,
        xa_a,
        "1.1.2",
        {"level": "day-du"},
        {"number": "41/QĐ-UBND", "date": D(2025, 4, 12), "title": "Kế hoạch chi tiết", **link},
    )
    # well-formed: no hint on this card
    _cite(
        app,
        xa_a,
        "1.1.3",
        {"numerator": 9, "denominator": 10},
        {"number": "145/BC-UBND", "date": D(2025, 8, 5), "title": "Báo cáo kết quả", **link},
    )
    # the same file as xa-b's; a title typed as a formula
    _cite(
        app,
        xa_a,
        "2.1.1",
        {"done": True},
        {
            "number": "77/KH-UBND",
            "date": D(2025, 3, 1),
            "title": '=HYPERLINK("http://x.invalid","Kế hoạch")',
            **_file(app, "a" * 32 + ".pdf", SAME),
        },
    )
    _cite(
        app,
        xa_b,
        "3.1.1",
        {"done": True},
        {
            "number": "9/KH-UBND",
            "date": D(2025, 3, 2),
            "title": "Kế hoạch",
            **_file(app, "b" * 32 + ".pdf", SAME),
        },
    )
    # a file of the same size but other content: not the same file
    _cite(
        app,
        xa_b,
        "3.1.2",
        {"done": True},
        {
            "number": "10/KH-UBND",
            "date": D(2025, 3, 3),
            "title": "Kế hoạch",
            **_file(app, "c" * 32 + ".pdf", SAME.replace(b"plan", b"PLAN")),
        },
    )
    _cite(
        app,
        cycle["agency_ids"]["so-a"],
        "1.1.1",
        {"date": "2025-01-10"},
        {
            "number": "9/KH",
            "date": D(2025, 1, 10),
            "title": "Kế hoạch",
            **_file(app, "d" * 32 + ".pdf", SAME),
        },
    )
    assign(app, "1.1", "2")
    return xa_a


def _card(html: str, code: str) -> str:
    start = html.index(f'id="tc-{code}"')
    return html[start : html.index("</section>", start)]


def test_the_leaf_cards_show_the_hints(app: Flask, hinted: int) -> None:
    panel = client_for(app, "thamdinh@thu.vn")
    html = html_of(panel, f"/tham-dinh/don-vi/{hinted}/linh-vuc/1")
    card = _card(html, "1.1.1")
    assert "Gợi ý kiểm tra minh chứng" in card
    assert "Ngày kê khai khác ngày văn bản" in card
    assert "Ngày ban hành kê khai 20/07/2025 khác ngày của văn bản minh chứng 32/KH-UBND" in card
    assert "(25/07/2025)" in card
    card = _card(html, "1.1.2")
    assert "Loại văn bản không khớp trích yếu" in card
    assert "là Quyết định (QĐ) nhưng trích yếu là Kế hoạch" in card
    assert "Gợi ý kiểm tra minh chứng" not in _card(html, "1.1.3")
    html = html_of(panel, f"/tham-dinh/don-vi/{hinted}/linh-vuc/2")
    card = _card(html, "2.1.1")
    assert "Cùng tệp ở đơn vị khác" in card
    assert card.count("giống hệt tệp minh chứng của đơn vị khác: UBND xã B") == 1  # not Sở A


def test_the_cycle_report_is_a_filterable_workbook(app: Flask, hinted: int) -> None:
    staff = client_for(app, "sonoivu@thu.vn")
    html = html_of(staff, "/so-noi-vu/ky/2025/tien-do")
    assert "/so-noi-vu/ky/2025/goi-y-minh-chung.xlsx" in html
    r = staff.get("/so-noi-vu/ky/2025/goi-y-minh-chung.xlsx")
    assert r.status_code == 200
    assert "goi-y-minh-chung-2025.xlsx" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["Đơn vị", "Tiêu chí", "Tài liệu", "Loại gợi ý", "Nội dung"]
    assert ws.auto_filter.ref == f"A1:E{len(rows)}"
    found = sorted((r[0], r[1], r[3]) for r in rows[1:])
    assert found == [
        ("UBND xã A", "1.1.1", "Ngày kê khai khác ngày văn bản"),
        ("UBND xã A", "1.1.2", "Loại văn bản không khớp trích yếu"),
        ("UBND xã A", "2.1.1", "Cùng tệp ở đơn vị khác"),
        ("UBND xã B", "3.1.1", "Cùng tệp ở đơn vị khác"),
    ]
    # the formula-like title stays text
    cell = next(row[2] for row in ws.iter_rows(min_row=2) if row[1].value == "2.1.1")
    assert cell.data_type == "s"
    assert cell.value == '77/KH-UBND — =HYPERLINK("http://x.invalid","Kế hoạch")'


def test_only_staff_download_the_report(app: Flask, hinted: int) -> None:
    assert (
        client_for(app, "thamdinh@thu.vn")
        .get("/so-noi-vu/ky/2025/goi-y-minh-chung.xlsx")
        .status_code
        == 403
    )
    assert (
        client_for(app, "xa-a@thu.vn").get("/so-noi-vu/ky/2025/goi-y-minh-chung.xlsx").status_code
        == 403
    )
    assert (
        client_for(app, "sonoivu@thu.vn")
        .get("/so-noi-vu/ky/2024/goi-y-minh-chung.xlsx")
        .status_code
        == 404
    )


def test_a_cycle_without_problems_has_an_empty_report(app: Flask, cycle: dict[str, Any]) -> None:
    r = client_for(app, "quantri@thu.vn").get("/so-noi-vu/ky/2025/goi-y-minh-chung.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.max_row == 1 and ws.auto_filter.ref == "A1:E1"
