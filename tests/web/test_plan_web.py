"""The yearly CCHC plan in the web app: the secretariat imports it (errors by row and column,
nothing saved unless valid), each lead unit reports its own tasks (never another unit's; CSRF),
the secretariat sees the progress, the plan-completion leaf is offered the plan's facts and the
appraiser sees the task list beside it."""

from __future__ import annotations

import io
from typing import Any

from conftest import login, post
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook

from web.models import AuditEntry, PlanReport, PlanTask, db

HEADER = [
    "STT",
    "Nhiệm vụ",
    "Sản phẩm cụ thể",
    "Thời gian thực hiện",
    "Cơ quan chủ trì",
    "Phối hợp",
]


def xlsx(*rows: list[Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["PHỤ LỤC KẾ HOẠCH CCHC NĂM 2025"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = xlsx(
    ["I", "CẢI CÁCH THỂ CHẾ"],
    [1, "Rà soát văn bản", "Báo cáo rà soát", "Quý I/2025", "UBND xã A, Sở A", ""],
    ["II", "CẢI CÁCH TTHC"],
    [1, "Công bố TTHC", "Quyết định", "Tháng 6/2025", "UBND xã A", ""],
    [2, "Số hóa hồ sơ", "Báo cáo", "Thường xuyên", "UBND xã B", ""],
)


def upload(client: FlaskClient, data: bytes, name: str = "ke-hoach.xlsx") -> Any:
    return post(
        client,
        "/so-noi-vu/ke-hoach/2025/nhap",
        {"plan_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def imported(client: FlaskClient) -> None:
    login(client, "sonoivu@thu.vn")
    assert upload(client, GOOD).status_code == 200
    client.post("/dang-xuat", data={"csrf_token": ""})
    client.delete_cookie("session")


def report_id(app: Flask, code: str, task: str) -> int:
    with app.app_context():
        return db.session.execute(
            db.select(PlanReport.id)
            .join(PlanTask, PlanTask.id == PlanReport.task_id)
            .join(PlanReport.agency)
            .where(PlanTask.task == task)
            .where(PlanReport.agency.has(code=code))
        ).scalar_one()


# ----------------------------------------------------------------------------------- import
def test_import_saves_tasks_and_a_report_row_per_lead_unit(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    login(client, "sonoivu@thu.vn")
    response = upload(client, GOOD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 nhiệm vụ" in page
    with app.app_context():
        tasks = db.session.execute(db.select(PlanTask).order_by(PlanTask.position)).scalars().all()
        assert [(t.area, t.task, t.due.isoformat()) for t in tasks] == [
            ("I. CẢI CÁCH THỂ CHẾ", "Rà soát văn bản", "2025-03-31"),
            ("II. CẢI CÁCH TTHC", "Công bố TTHC", "2025-06-30"),
            ("II. CẢI CÁCH TTHC", "Số hóa hồ sơ", "2025-12-31"),
        ]
        assert [sorted(r.agency.code for r in t.reports) for t in tasks] == [
            ["so-a", "xa-a"],
            ["xa-a"],
            ["xa-b"],
        ]
        assert db.session.execute(db.select(AuditEntry).filter_by(entity="plan")).scalar_one()
    page = client.get("/so-noi-vu/ke-hoach/2025").get_data(as_text=True)
    assert "Tiến độ theo đơn vị" in page and "UBND xã A" in page


def test_a_bad_file_shows_row_and_column_errors_and_saves_nothing(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    login(client, "sonoivu@thu.vn")
    bad = xlsx(
        [1, "Tốt", "", "Quý I/2025", "UBND xã A", ""],
        [2, "Lạ", "", "Khi có yêu cầu", "UBND xã Không Có", ""],
    )
    response = upload(client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-code="plan-bad-time"' in page and 'data-code="plan-unknown-unit"' in page
    assert '<td class="n">4</td><td>Thời gian thực hiện</td>' in page
    assert "UBND xã Không Có" in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(PlanTask.id))).scalar_one() == 0


def test_import_is_for_the_secretariat_only(client: FlaskClient, cycle: dict[str, Any]) -> None:
    login(client, "xa-a@thu.vn")
    assert client.get("/so-noi-vu/ke-hoach/2025").status_code == 403
    assert upload(client, GOOD).status_code == 403


def test_import_without_csrf_is_refused(client: FlaskClient, cycle: dict[str, Any]) -> None:
    login(client, "sonoivu@thu.vn")
    response = client.post(
        "/so-noi-vu/ke-hoach/2025/nhap",
        data={"plan_file": (io.BytesIO(GOOD), "k.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


# ---------------------------------------------------------------------------------- reports
def test_officer_reports_own_task_but_never_another_units(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    imported(client)
    login(client, "xa-a@thu.vn")
    page = client.get("/don-vi/ke-hoach/").get_data(as_text=True)
    assert "Rà soát văn bản" in page and "Công bố TTHC" in page
    assert "Số hóa hồ sơ" not in page  # xã B's task
    own = report_id(app, "xa-a", "Rà soát văn bản")
    done = {
        "status": "done",
        "completed_on": "20/03/2025",
        "doc_number": "12/BC-UBND",
        "doc_date": "20/03/2025",
        "doc_title": "Báo cáo rà soát văn bản",
    }
    response = post(client, f"/don-vi/ke-hoach/{own}", done)
    assert response.status_code == 302
    other = report_id(app, "xa-b", "Số hóa hồ sơ")
    assert post(client, f"/don-vi/ke-hoach/{other}", done).status_code == 404
    # without the CSRF token: refused, nothing saved
    late = report_id(app, "xa-a", "Công bố TTHC")
    assert client.post(f"/don-vi/ke-hoach/{late}", data=done).status_code == 400
    with app.app_context():
        saved = db.session.get(PlanReport, own)
        assert (saved.status, saved.doc_number, saved.completed_on.isoformat()) == (
            "done",
            "12/BC-UBND",
            "2025-03-20",
        )
        assert db.session.get(PlanReport, other).status == ""
        assert db.session.get(PlanReport, late).status == ""
        assert db.session.execute(
            db.select(AuditEntry).filter_by(entity="plan-report")
        ).scalar_one()


def test_a_report_missing_its_document_or_reason_is_refused_with_the_message(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    imported(client)
    login(client, "xa-a@thu.vn")
    rid = report_id(app, "xa-a", "Rà soát văn bản")
    response = post(
        client, f"/don-vi/ke-hoach/{rid}", {"status": "done", "completed_on": "32/01/2025"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "không phải là ngày hợp lệ" in page
    assert "Nhập số, ký hiệu của văn bản là sản phẩm" in page
    response = post(client, f"/don-vi/ke-hoach/{rid}", {"status": "not-done"})
    assert response.status_code == 400
    assert "Nêu lý do chưa hoàn thành." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PlanReport, rid).status == ""


def test_secretariat_progress_per_unit_and_area(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    imported(client)
    login(client, "xa-a@thu.vn")
    base = {"doc_number": "1/BC-UBND"}
    post(
        client,
        f"/don-vi/ke-hoach/{report_id(app, 'xa-a', 'Rà soát văn bản')}",
        {**base, "status": "done", "completed_on": "31/03/2025"},  # on the due date
    )
    post(
        client,
        f"/don-vi/ke-hoach/{report_id(app, 'xa-a', 'Công bố TTHC')}",
        {**base, "status": "done", "completed_on": "01/07/2025"},  # a day late
    )
    client.delete_cookie("session")
    login(client, "sonoivu@thu.vn")
    page = client.get("/so-noi-vu/ke-hoach/2025").get_data(as_text=True)
    # xã A: 2 tasks, 2 done, 1 on time → 50 %
    row = page.split('data-unit="xa-a"')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split('<td class="n">')[1:]]
    assert cells == ["2", "2", "1", "0", "0", "50 %"]
    # area I: xã A on time, Sở A not reported → 1 of 2 on time
    assert '<td>I. CẢI CÁCH THỂ CHẾ</td><td class="n">2</td><td class="n">1</td>' in page


# ------------------------------------------------------------- the leaf and the appraiser
def test_the_plan_leaf_is_offered_the_plans_facts_and_the_appraiser_sees_the_tasks(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    imported(client)
    login(client, "xa-a@thu.vn")
    post(
        client,
        f"/don-vi/ke-hoach/{report_id(app, 'xa-a', 'Rà soát văn bản')}",
        {"status": "done", "completed_on": "15/03/2025", "doc_number": "5/BC-UBND"},
    )
    page = client.get("/don-vi/linh-vuc/1").get_data(as_text=True)
    assert "Lấy từ kế hoạch" in page
    assert "1/2 nhiệm vụ của kế hoạch hoàn thành đúng hạn" in page
    assert 'data-plan-numerator="1"' in page and 'data-plan-denominator="2"' in page


def test_the_appraisal_leaf_card_shows_the_task_list(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    from web import workflow
    from web.models import Agency, User

    imported(client)
    login(client, "xa-a@thu.vn")
    post(
        client,
        f"/don-vi/ke-hoach/{report_id(app, 'xa-a', 'Công bố TTHC')}",
        {"status": "not-done", "reason": "Chờ hướng dẫn của Bộ"},
    )
    with app.app_context():
        agency = db.session.get(Agency, cycle["agency_ids"]["xa-a"])
        officer = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        workflow.transition(agency.submission, "submitted", officer)
        db.session.commit()
    client.delete_cookie("session")
    login(client, "sonoivu@thu.vn")  # the secretariat sees every leaf
    response = client.get(f"/tham-dinh/don-vi/{cycle['agency_ids']['xa-a']}/linh-vuc/1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Theo Kế hoạch CCHC đã theo dõi" in page
    assert "0/2 nhiệm vụ của kế hoạch hoàn thành đúng hạn" in page
    assert "Rà soát văn bản" in page and "Lý do: Chờ hướng dẫn của Bộ" in page


def test_lay_tu_ke_hoach_fills_the_inputs_without_saving(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    from web.models import Entry

    imported(client)
    login(client, "xa-a@thu.vn")
    post(
        client,
        f"/don-vi/ke-hoach/{report_id(app, 'xa-a', 'Rà soát văn bản')}",
        {"status": "done", "completed_on": "15/03/2025", "doc_number": "5/BC-UBND"},
    )
    page = client.get("/don-vi/linh-vuc/1?ke-hoach=1").get_data(as_text=True)
    assert 'name="1.1.3-numerator" value="1"' in page
    assert 'name="1.1.3-denominator" value="2"' in page
    assert "Đã điền tử số, mẫu số" in page
    # the task list as the leaf's explanation (its evidence), the officer's to keep or change
    assert "Số liệu lấy từ Kế hoạch CCHC năm 2025 đã theo dõi: 1/2 nhiệm vụ" in page
    assert (
        "1. Rà soát văn bản (hạn 31/03/2025): Đã hoàn thành ngày 15/03/2025, văn bản 5/BC-UBND"
        in page
    )
    assert "1. Công bố TTHC (hạn 30/06/2025): Chưa báo cáo" in page
    with app.app_context():  # nothing saved until the officer saves
        assert db.session.execute(db.select(Entry).filter_by(leaf="1.1.3")).first() is None


def test_seven_of_eight_on_time_confirmed_by_the_officer_scores_0_75(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    # worked by hand: xã A leads 8 tasks (due 31/03), completes 7 on 31/03 and the 8th on
    # 01/04 (a day late): 7/8 = 87,5 % → the commune set's 1.1.3 tier "từ 80% đến dưới 100%":
    # 0,75 of 1,5 points
    from test_agency import form_of, points_on

    rows = [[n, f"Nhiệm vụ số {n}", "", "Quý I/2025", "UBND xã A", ""] for n in range(1, 9)]
    login(client, "sonoivu@thu.vn")
    assert upload(client, xlsx(["I", "CHỈ ĐẠO"], *rows)).status_code == 200
    client.delete_cookie("session")
    login(client, "xa-a@thu.vn")
    for n in range(1, 9):
        day = "31/03/2025" if n < 8 else "01/04/2025"
        rid = report_id(app, "xa-a", f"Nhiệm vụ số {n}")
        form = {"status": "done", "completed_on": day, "doc_number": f"{n}/BC-UBND"}
        assert post(client, f"/don-vi/ke-hoach/{rid}", form).status_code == 302
    html = client.get("/don-vi/linh-vuc/1?ke-hoach=1").get_data(as_text=True)
    values = form_of(html).values
    assert (values["1.1.3-numerator"], values["1.1.3-denominator"]) == ("7", "8")
    response = post(client, "/don-vi/linh-vuc/1", values)  # the officer confirms: "Lưu nháp"
    assert response.status_code == 302
    html = client.get("/don-vi/linh-vuc/1").get_data(as_text=True)
    assert points_on(html, "1.1.3") == "0,75"


def test_a_damaged_or_missing_file_is_one_sentence_and_nothing_saved(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    login(client, "sonoivu@thu.vn")
    response = upload(client, b"STT,Nhiem vu\n1,A\n", "ke-hoach.xlsx")  # a CSV renamed
    assert response.status_code == 400
    assert 'data-code="table-not-xlsx"' in response.get_data(as_text=True)
    response = post(client, "/so-noi-vu/ke-hoach/2025/nhap", {})
    assert response.status_code == 400
    assert "Hãy chọn tệp phụ lục kế hoạch" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(PlanTask.id))).scalar_one() == 0


def test_a_new_import_is_refused_once_a_unit_has_reported(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    imported(client)
    login(client, "xa-a@thu.vn")
    rid = report_id(app, "xa-a", "Công bố TTHC")
    post(client, f"/don-vi/ke-hoach/{rid}", {"status": "not-done", "reason": "Chưa đủ kinh phí"})
    client.delete_cookie("session")
    login(client, "sonoivu@thu.vn")
    response = upload(client, GOOD)
    assert response.status_code == 409
    assert "nhập lại sẽ làm mất các báo cáo" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PlanReport, rid).reason == "Chưa đủ kinh phí"


# ------------------------------------------- confirming the facts with the task list as evidence
def _eight_tasks_reported(app: Flask, client: FlaskClient) -> None:
    """xã A leads 8 tasks due 31/03/2025 (Quý I): tasks 1–7 done on 31/03, task 8 on 01/04 (a
    day late), each with its product document (a done report needs one). 7 of 8 on time."""
    rows = [[n, f"Nhiệm vụ số {n}", "", "Quý I/2025", "UBND xã A", ""] for n in range(1, 9)]
    login(client, "sonoivu@thu.vn")
    assert upload(client, xlsx(["I", "CHỈ ĐẠO"], *rows)).status_code == 200
    client.delete_cookie("session")
    login(client, "xa-a@thu.vn")
    for n in range(1, 9):
        day = "31/03/2025" if n < 8 else "01/04/2025"
        rid = report_id(app, "xa-a", f"Nhiệm vụ số {n}")
        form = {
            "status": "done",
            "completed_on": day,
            "doc_number": f"{n}/BC-UBND",
            "doc_date": day,
            "doc_title": f"Báo cáo nhiệm vụ {n}",
        }
        assert post(client, f"/don-vi/ke-hoach/{rid}", form).status_code == 302


def _leaf_entry(app: Flask, agency_id: int, leaf: str = "1.1.3") -> Any:
    from web.models import Entry, Submission

    with app.app_context():
        entry = db.session.execute(
            db.select(Entry)
            .join(Submission, Submission.id == Entry.submission_id)
            .where(Submission.agency_id == agency_id, Entry.leaf == leaf)
        ).scalar_one_or_none()
        if entry is None:
            return None
        docs = sorted(
            (e.number, e.date.isoformat() if e.date else "", e.title, e.issuer, e.location, e.url)
            for e in entry.evidence
        )
        return dict(entry.data), docs


def test_confirming_saves_the_facts_and_the_task_documents_as_evidence(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    # worked by hand: 7 of 8 on time = 87,5 % → the commune set's 1.1.3 tier "từ 80% đến dưới
    # 100%": 0,75 of 1,5 points; 8 tasks done with a document → 8 documents
    from test_agency import points_on

    _eight_tasks_reported(app, client)
    page = client.get("/don-vi/linh-vuc/1").get_data(as_text=True)
    assert "Xác nhận số liệu từ Kế hoạch CCHC" in page
    assert "Lưu tử số 7, mẫu số 8 và đính kèm 8 văn bản" in page
    assert 'id="plan-confirm" action="/don-vi/ke-hoach/xac-nhan"' in page  # its own CSRF form
    assert 'id="plan-confirm"' not in client.get("/don-vi/linh-vuc/2").get_data(as_text=True)
    response = post(client, "/don-vi/ke-hoach/xac-nhan", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/don-vi/linh-vuc/1#tc-1.1.3")
    data, docs = _leaf_entry(app, cycle["agency_ids"]["xa-a"])
    assert (data["numerator"], data["denominator"]) == (7, 8)
    assert len(docs) == 8
    assert docs[0] == (
        "1/BC-UBND",
        "2025-03-31",
        "Báo cáo nhiệm vụ 1",
        "UBND xã A",
        "Kế hoạch CCHC, nhiệm vụ STT 1",
        "",
    )
    assert docs[7][:2] == ("8/BC-UBND", "2025-04-01")
    html = client.get("/don-vi/linh-vuc/1").get_data(as_text=True)
    assert points_on(html, "1.1.3") == "0,75"
    assert "Đã lưu số liệu tiêu chí 1.1.3" in html
    assert "8/BC-UBND ngày 01/04/2025 — Báo cáo nhiệm vụ 8" in html  # the leaf's evidence list
    with app.app_context():
        audits = db.session.execute(
            db.select(AuditEntry).where(AuditEntry.reason.like("xác nhận số liệu%"))
        ).scalars()
        entities = sorted(a.entity for a in audits)
    assert entities == ["entry"] + ["evidence"] * 8
    evidence_page = client.get("/don-vi/tieu-chi/1.1.3/minh-chung")
    assert evidence_page.status_code == 200
    assert "Kế hoạch CCHC, nhiệm vụ STT 8" in evidence_page.get_data(as_text=True)
    # the appraiser's leaf card shows them like any evidence
    from web import workflow
    from web.models import Agency, User

    with app.app_context():
        agency = db.session.get(Agency, cycle["agency_ids"]["xa-a"])
        officer = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        workflow.transition(agency.submission, "submitted", officer)
        db.session.commit()
    client.delete_cookie("session")
    login(client, "sonoivu@thu.vn")
    card = client.get(f"/tham-dinh/don-vi/{cycle['agency_ids']['xa-a']}/linh-vuc/1")
    assert card.status_code == 200
    assert (
        "1/BC-UBND ngày 31/03/2025, UBND xã A — Báo cáo nhiệm vụ 1 "
        "(Kế hoạch CCHC, nhiệm vụ STT 1)" in card.get_data(as_text=True)
    )


def test_confirming_twice_replaces_only_the_plans_documents(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    _eight_tasks_reported(app, client)
    assert post(client, "/don-vi/ke-hoach/xac-nhan", {}).status_code == 302
    # the officer adds a document by hand (a link), then reports task 8 with another document
    added = post(
        client,
        "/don-vi/tieu-chi/1.1.3/minh-chung",
        {"number": "99/QĐ-UBND", "title": "Quyết định ban hành kế hoạch", "url": "https://x.vn/a"},
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    rid = report_id(app, "xa-a", "Nhiệm vụ số 8")
    form = {"status": "done", "completed_on": "01/04/2025", "doc_number": "80/BC-UBND"}
    assert post(client, f"/don-vi/ke-hoach/{rid}", form).status_code == 302
    assert post(client, "/don-vi/ke-hoach/xac-nhan", {}).status_code == 302
    data, docs = _leaf_entry(app, cycle["agency_ids"]["xa-a"])
    numbers = sorted(d[0] for d in docs)
    assert len(docs) == 9  # 8 from the plan, not duplicated, and the officer's own
    assert "99/QĐ-UBND" in numbers and "80/BC-UBND" in numbers and "8/BC-UBND" not in numbers
    # the entry's other leaves untouched
    assert _leaf_entry(app, cycle["agency_ids"]["xa-a"], "1.1.1") is None


def test_confirming_is_refused_without_csrf_for_others_and_after_submission(
    app: Flask, client: FlaskClient, cycle: dict[str, Any]
) -> None:
    from web import workflow
    from web.engine import submission_of
    from web.models import Agency, User

    _eight_tasks_reported(app, client)
    assert client.post("/don-vi/ke-hoach/xac-nhan", data={}).status_code == 400  # no CSRF
    assert _leaf_entry(app, cycle["agency_ids"]["xa-a"]) is None
    client.delete_cookie("session")
    login(client, "xa-b@thu.vn")  # xã B leads no task: nothing to confirm, xã A untouched
    assert post(client, "/don-vi/ke-hoach/xac-nhan", {}).status_code == 404
    assert _leaf_entry(app, cycle["agency_ids"]["xa-a"]) is None
    client.delete_cookie("session")
    login(client, "sonoivu@thu.vn")  # not an officer
    assert post(client, "/don-vi/ke-hoach/xac-nhan", {}).status_code == 403
    with app.app_context():
        agency = db.session.get(Agency, cycle["agency_ids"]["xa-a"])
        officer = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        workflow.transition(submission_of(agency), "submitted", officer)
        db.session.commit()
    client.delete_cookie("session")
    login(client, "xa-a@thu.vn")
    assert "Xác nhận số liệu từ Kế hoạch CCHC" not in client.get("/don-vi/linh-vuc/1").get_data(
        as_text=True
    )
    response = post(client, "/don-vi/ke-hoach/xac-nhan", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/don-vi/linh-vuc/1#tc-1.1.3")
    assert "Hồ sơ đã nộp" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _leaf_entry(app, cycle["agency_ids"]["xa-a"]) is None
