"""The audit trail as a person reads it (issue 14, item 13): Vietnamese names of entities,
fields and states; dates dd/mm/yyyy; documents by name; stored-file hashes shortened; pages of
100 entries. Expected texts written by hand from what each writer stores (web/audit.py _text)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import login
from tests.web.test_agency import PDF, add_evidence, save, xa_a  # noqa: F401  (fixture)
from web.audit import AUDIT_PAGE
from web.audit_text import entity_label, key_text, value_parts
from web.models import AuditEntry, db

HASH = "3f2a9c0d7e61b5a48c2d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"


@pytest.mark.parametrize(
    ("entity", "text", "parts"),
    [
        # a state of the submission, by its name
        ("submission", "appraised_2", [("", "Đã thẩm định vòng 2")]),
        ("submission", "approved", [("", "Đã phê duyệt")]),
        # a document: labelled in the form's words, number first, its date day first, the file by
        # its name and the stored copy by the hash's first ten characters
        (
            "evidence",
            f"date=2025-07-20; file=ke-hoach.pdf; number=125/KH-UBND; stored={HASH}.pdf",
            [
                ("Số, ký hiệu", "125/KH-UBND"),
                ("Ngày ban hành", "20/07/2025"),
                ("Tệp", "ke-hoach.pdf"),
                ("Lưu trữ", "3f2a9c0d7e….pdf"),
            ],
        ),
        # a title containing "; " stays whole
        (
            "evidence",
            "number=1/KH; title=Kế hoạch; phụ lục",
            [("Số, ký hiệu", "1/KH"), ("Trích yếu", "Kế hoạch; phụ lục")],
        ),
        # self-assessment facts: a yes/no as Có/Không, a rate's two numbers named
        ("entry", "done=True", [("Kết quả", "Có")]),
        ("entry", "denominator=10; numerator=8", [("Tử số", "8"), ("Mẫu số", "10")]),
        ("entry", "date=2025-08-01", [("Ngày ban hành, thực hiện", "01/08/2025")]),
        # plain texts stay as written
        ("survey", "87.5 % (cỡ mẫu 120)", [("", "87.5 % (cỡ mẫu 120)")]),
        ("deadline", "31/01/2026 17:00", [("", "31/01/2026 17:00")]),
        ("entry", "", []),
    ],
)
def test_values_in_words(entity: str, text: str, parts: list[tuple[str, str]]) -> None:
    assert value_parts(entity, text) == parts


def test_whole_hash_on_request() -> None:
    assert value_parts("evidence", f"stored={HASH}.pdf", full_hash=True) == [
        ("Lưu trữ", f"{HASH}.pdf")
    ]


@pytest.mark.parametrize(
    ("entity", "key", "label", "text"),
    [
        ("submission", "xa-a", "Hồ sơ tự đánh giá", "xa-a"),
        ("appraisal", "1.1.1/round2", "Điểm thẩm định", "1.1.1, vòng 2"),
        ("evidence", "1.1.1#12", "Tài liệu kiểm chứng", "1.1.1, tài liệu số 12"),
        ("deadline", "2025/self_deadline", "Thời hạn", "2025, hạn tự đánh giá"),
        ("entry", "1.3.1", "Số liệu tự đánh giá", "1.3.1"),
        ("something-new", "k", "something-new", "k"),  # an unknown entity: its own name
    ],
)
def test_entities_and_keys(entity: str, key: str, label: str, text: str) -> None:
    assert entity_label(entity) == label
    assert key_text(entity, key) == text


def _staff(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, "sonoivu@thu.vn").status_code == 302
    return client


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("</tr>")][
        :-1
    ]


def test_the_audit_page_reads_in_vietnamese(app: Flask, xa_a: FlaskClient) -> None:  # noqa: F811
    assert add_evidence(xa_a, "1.1.1", (PDF, "ke-hoach-cchc.pdf")).status_code == 302
    assert save(xa_a, "1", {"1.3.1-done": "co"}).status_code == 302
    html = _staff(app).get("/so-noi-vu/nhat-ky?agency=xa-a").get_data(as_text=True)
    for raw in ("stored=", "file=", "date=", "done=True", ">evidence<", ">entry<"):
        assert raw not in html, raw
    evidence, entry = (
        next(r for r in _rows(html) if "Tài liệu kiểm chứng" in r),
        next(r for r in _rows(html) if "Số liệu tự đánh giá" in r),
    )
    assert "Ngày ban hành: 15/07/2025" in evidence  # add_evidence types 15/07/2025
    assert "Tệp: ke-hoach-cchc.pdf" in evidence and "Số, ký hiệu: 125/KH-UBND" in evidence
    stored = re.search(r"Lưu trữ: ([0-9a-f]+)…\.pdf", evidence)
    assert stored is not None and len(stored.group(1)) == 10
    assert "1.1.1, tài liệu số" in evidence
    assert "Kết quả: Có" in entry and "1.3.1" in entry


def test_the_audit_page_is_paged(app: Flask, xa_a: FlaskClient) -> None:  # noqa: F811
    with app.app_context():
        for n in range(AUDIT_PAGE * 2 + 5):  # 205 entries: three pages, the last of 5
            db.session.add(
                AuditEntry(
                    entity="submission",
                    key=f"don-vi-{n:03d}",
                    old="submitted",
                    new="appraised_1",
                    at=dt.datetime(2026, 12, 2, 17, 0),  # midnight in Vietnam
                )
            )
        db.session.commit()
    client = _staff(app)
    first = client.get("/so-noi-vu/nhat-ky").get_data(as_text=True)
    assert "205 mục" in first and "mục 1–100" in first and "Trang 1/3" in first
    rows = _rows(first)
    assert len(rows) == AUDIT_PAGE
    assert rows[0].startswith("03/12/2026 00:00")  # newest first, in Vietnam time
    assert "don-vi-204" in rows[0] and "Đã nộp" in rows[0] and "Đã thẩm định vòng 1" in rows[0]
    assert "trang=2" in first and 'rel="prev"' not in first
    last = client.get("/so-noi-vu/nhat-ky?trang=3").get_data(as_text=True)
    assert len(_rows(last)) == 5 and "don-vi-000" in last and "mục 201–205" in last
    assert 'rel="next"' not in last
    # a page past the end shows the last; a page that is not a number, the first
    assert "Trang 3/3" in client.get("/so-noi-vu/nhat-ky?trang=99").get_data(as_text=True)
    assert "Trang 1/3" in client.get("/so-noi-vu/nhat-ky?trang=abc").get_data(as_text=True)
    # the filters follow the pages
    one = client.get("/so-noi-vu/nhat-ky?leaf=don-vi-007").get_data(as_text=True)
    assert "1 mục" in one and "Trang 1/" not in one
