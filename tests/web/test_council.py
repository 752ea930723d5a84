"""Publishing through the appraisal council's decision and the checklist (issue 14, items 11,
12, 14, 15): the majority rule, the snapshot of results an approval is valid for, missing survey
results that need a reason kept in the version, grouped refusals, Vietnamese survey headers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import (
    NO_SURVEY_REASON,
    confirm_publication,
    council_approves,
    login,
    post,
    publish_through_council,
)
from tests.web.test_appraisal import _store
from tests.web.test_publication import data, set_states, staff, states, stored, upload
from web import council
from web.models import AuditEntry, CouncilDecision, Publication, db

__all__ = ["data"]  # the fixture, used by name

YEAR = 2025
#: the six survey keys of each bundled 2025 set (criteria/2025/xa.yaml, so-nganh.yaml)
KEYS = (
    "sipas-tiep-can",
    "sipas-tthc",
    "sipas-cong-chuc",
    "sipas-ket-qua",
    "sipas-phan-anh",
    "khao-sat-lanh-dao",
)


def surveys_for(*codes: str) -> str:
    """A survey file with every survey of each agency in ``codes`` (80 % each)."""
    rows = [f"{code},{key},80,100" for code in codes for key in KEYS]
    return "agency,survey,result,sample_size\n" + "\n".join(rows) + "\n"


def publications(app: Flask) -> list[Publication]:
    with app.app_context():
        pubs = db.session.execute(db.select(Publication).order_by(Publication.version))
        return list(pubs.scalars())


def text(r: Any) -> str:
    return str(r.get_data(as_text=True))


# ============================================================================ the majority rule
@pytest.mark.parametrize(
    ("agree", "members", "valid"),
    [
        (3, 3, True),
        (2, 3, True),  # 4 > 3
        (2, 4, False),  # exactly half: 4 > 4 is false
        (3, 4, True),
        (3, 6, False),  # half of six, the others absent or not agreeing
        (4, 7, True),  # 8 > 7
        (3, 7, False),
        (0, 0, False),  # no council at all
    ],
)
def test_a_decision_is_valid_when_more_than_half_the_members_agree(
    agree: int, members: int, valid: bool
) -> None:
    votes = ["agree"] * agree + ["disagree"] * (members - agree)
    assert council.passes(votes, members) is valid


def _absent_and_written(client: FlaskClient, written_votes: tuple[str, ...]) -> Any:
    """A council of 5: two present agree, two in writing (``written_votes``), one absent."""
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/hoi-dong"))
    snapshot = re.search(r'name="snapshot" value="([0-9a-f]{64})"', page)
    assert snapshot
    rows = [
        ("present", "agree"),
        ("present", "agree"),
        ("written", written_votes[0]),
        ("written", written_votes[1]),
        ("absent", "agree"),  # an absent member's vote is not counted, whatever was chosen
    ]
    form = {"number": "07/QĐ-HĐTĐ", "decided_on": "16/01/2026", "snapshot": snapshot[1]}
    form["rows"] = str(len(rows))
    for i, (attendance, vote) in enumerate(rows):
        form |= {
            f"name-{i}": f"Thành viên {i}",
            f"role-{i}": "Thành viên",
            f"attendance-{i}": attendance,
            f"vote-{i}": vote,
        }
    return post(client, f"/so-noi-vu/ky/{YEAR}/hoi-dong", form)


def test_written_votes_count_and_absent_members_count_in_the_total(
    app: Flask, data: dict[str, Any]
) -> None:
    """Of 5 members, 2 present agree + 1 in writing agrees = 3, 3 × 2 = 6 > 5: valid. With the
    written vote against, 2 × 2 = 4 ≤ 5: not valid, although no one present disagreed."""
    client = staff(app)
    assert _absent_and_written(client, ("disagree", "abstain")).status_code == 302
    with app.app_context():
        decision = db.session.execute(db.select(CouncilDecision)).scalar_one()
        assert [m.vote for m in decision.members] == ["agree", "agree", "disagree", "abstain", ""]
        assert not council.is_valid(decision)
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/hoi-dong"))
    assert "Không thông qua" in page and "cần ít nhất 3" in page
    assert _absent_and_written(client, ("agree", "disagree")).status_code == 302
    with app.app_context():
        latest = council.decisions(db.session.get(CouncilDecision, 1).cycle)[0]
        assert (council.agreeing(latest), len(latest.members), council.is_valid(latest)) == (
            3,
            5,
            True,
        )


# ======================================================= publishing needs a valid approval
def test_no_publication_without_a_council_approval_of_a_majority(
    app: Flask, data: dict[str, Any]
) -> None:
    set_states(app, "approved")
    client = staff(app)
    # no session recorded
    r = confirm_publication(client)
    assert r.status_code == 409 and "Chưa có quyết định phê duyệt của Hội đồng" in text(r)
    # exactly half of four members agree: refused
    assert council_approves(client, agree=2, members=4, number="02/QĐ").status_code == 302
    r = confirm_publication(client)
    assert r.status_code == 409
    assert "không được thông qua: 2/4 thành viên đồng ý, cần quá nửa (ít nhất 3)" in text(r)
    assert publications(app) == [] and set(states(app).values()) == {"approved"}
    # the checklist says so before anyone confirms, and offers no confirmation button
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/cong-bo"))
    assert "Chưa thể công bố" in page and "<button" not in page.split('id="xac-nhan"')[1]
    # three of four: published, the version names the decision
    assert council_approves(client, agree=3, members=4, number="03/QĐ").status_code == 302
    assert confirm_publication(client).status_code == 302
    (pub,) = publications(app)
    with app.app_context():
        pub = db.session.merge(pub)
        assert pub.council is not None and pub.council.number == "03/QĐ"
        record = json.loads(pub.results_json)["publication"]["council"]
    assert record == {"number": "03/QĐ", "date": "2026-01-15", "agree": 3, "members": 4}
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/tien-do"))
    assert "theo Quyết định số 03/QĐ ngày 15/01/2026 của Hội đồng thẩm định" in page


def test_a_change_after_the_approval_makes_it_stale(app: Flask, data: dict[str, Any]) -> None:
    set_states(app, "approved")
    client = staff(app)
    assert council_approves(client).status_code == 302
    # a result changes: a survey result imported after the council's session
    assert upload(client, "agency,survey,result\nxa-a,sipas-tthc,90\n").status_code == 302
    r = confirm_publication(client)
    assert r.status_code == 409 and "Kết quả đã thay đổi sau Quyết định số 01/QĐ-HĐTĐ" in text(r)
    assert publications(app) == []
    council_page = text(client.get(f"/so-noi-vu/ky/{YEAR}/hoi-dong"))
    assert "kết quả đã thay đổi" in council_page
    # approved again on the new results: published
    assert publish_through_council(client).status_code == 302
    assert [p.version for p in publications(app)] == [1]

    # after publication, an appraisal changed for a correction needs a new approval too
    _store(app, data, "so-a", {}, {("1.1.1", 1): ("0", "Văn bản ban hành sau thời hạn")})
    r = confirm_publication(client, reason="Đính chính điểm Sở A")
    assert r.status_code == 409 and "cần Hội đồng phê duyệt lại" in text(r)
    assert publish_through_council(client, reason="Đính chính điểm Sở A").status_code == 302
    assert [p.version for p in publications(app)] == [1, 2]


def test_the_council_records_only_the_results_shown_to_it(app: Flask, data: dict[str, Any]) -> None:
    """The form carries the hash of the results the page showed: when they changed meanwhile,
    the session is not recorded (the council must see the current results)."""
    client = staff(app)
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/hoi-dong"))
    seen = re.search(r'name="snapshot" value="([0-9a-f]{64})"', page)
    assert seen
    assert upload(client, "agency,survey,result\nxa-a,sipas-tthc,90\n").status_code == 302
    form = {
        "number": "04/QĐ",
        "decided_on": "15/01/2026",
        "snapshot": seen[1],
        "rows": "1",
        "name-0": "Trần Văn A",
        "role-0": "Chủ tịch",
        "attendance-0": "present",
        "vote-0": "agree",
    }
    r = post(client, f"/so-noi-vu/ky/{YEAR}/hoi-dong", form)
    assert r.status_code == 409 and "Kết quả đã thay đổi từ khi mở trang này" in text(r)
    assert 'value="04/QĐ"' in text(r) and 'value="Trần Văn A"' in text(r)  # what was typed
    with app.app_context():
        assert db.session.execute(db.select(CouncilDecision)).first() is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"number": ""}, "Nhập số quyết định của Hội đồng."),
        ({"decided_on": "31/02/2026"}, "Ngày quyết định phải có dạng ngày/tháng/năm"),
        ({"decided_on": "2026/01/15x"}, "Ngày quyết định phải có dạng ngày/tháng/năm"),
        ({"role-0": ""}, "Nhập chức danh trong Hội đồng"),
        ({"vote-0": ""}, "Chọn biểu quyết của thành viên."),
        ({"attendance-0": "online"}, "Chọn hình thức tham dự."),
        ({"name-0": ""}, "Nhập ít nhất một thành viên Hội đồng."),
    ],
)
def test_a_wrong_council_form_says_what_and_where_and_saves_nothing(
    app: Flask, data: dict[str, Any], change: dict[str, str], message: str
) -> None:
    client = staff(app)
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/hoi-dong"))
    seen = re.search(r'name="snapshot" value="([0-9a-f]{64})"', page)
    assert seen
    form = {
        "number": "05/QĐ",
        "decided_on": "15/01/2026",
        "snapshot": seen[1],
        "rows": "1",
        "name-0": "Trần Văn A",
        "role-0": "Chủ tịch",
        "attendance-0": "present",
        "vote-0": "agree",
    } | change
    r = post(client, f"/so-noi-vu/ky/{YEAR}/hoi-dong", form)
    assert r.status_code == 400 and message in text(r)
    assert "Traceback" not in text(r)
    with app.app_context():
        assert db.session.execute(db.select(CouncilDecision)).first() is None


def test_the_council_session_is_audited(app: Flask, data: dict[str, Any]) -> None:
    assert council_approves(staff(app), agree=2, members=3).status_code == 302
    with app.app_context():
        (entry,) = db.session.execute(db.select(AuditEntry).filter_by(entity="council")).scalars()
        assert entry.key == f"{YEAR}/01/QĐ-HĐTĐ"
        assert entry.new.startswith("2/3 đồng ý: thông qua; kết quả ")
        assert entry.reason == "Quyết định số 01/QĐ-HĐTĐ ngày 15/01/2026"


# ====================================================================== missing survey results
def test_missing_surveys_block_publication_unless_a_reason_is_recorded(
    app: Flask, data: dict[str, Any]
) -> None:
    """xa-a and xa-b have all six surveys, so-a none: so-a's six are missing."""
    set_states(app, "approved")
    client = staff(app)
    assert upload(client, surveys_for("xa-a", "xa-b")).status_code == 302
    assert len(stored(app)) == 12
    assert council_approves(client).status_code == 302
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/cong-bo"))
    assert "<strong>1</strong> đơn vị chưa có kết quả điều tra" in page
    assert f"<td>so-a</td><td>Sở A</td><td>{', '.join(sorted(KEYS))}</td>" in page
    assert 'id="survey_reason"' in page
    # without a reason: refused, nothing published
    r = confirm_publication(client, survey_reason="  ")
    assert r.status_code == 409
    assert "Còn 1 đơn vị thiếu kết quả điều tra xã hội học: so-a" in text(r)
    assert publications(app) == [] and set(states(app).values()) == {"approved"}
    # with one: published, the reason in the version's record
    reason = "Sở A không tổ chức được điều tra năm 2025 <do sáp nhập>"
    assert confirm_publication(client, survey_reason=reason).status_code == 302
    (pub,) = publications(app)
    assert pub.survey_reason == reason
    record = json.loads(pub.results_json)["publication"]["missing_surveys"]
    assert record == {"reason": reason, "agencies": {"so-a": sorted(KEYS)}}
    with app.app_context():
        entry = db.session.execute(
            db.select(AuditEntry).filter_by(entity="publication")
        ).scalar_one()
        assert reason in entry.reason
    escaped = "Sở A không tổ chức được điều tra năm 2025 &lt;do sáp nhập&gt;"
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/tien-do"))
    assert f"công bố khi thiếu kết quả điều tra — lý do: {escaped}" in page
    public = text(app.test_client().get(f"/ket-qua/{YEAR}"))
    assert escaped in public and "so-a" in public


def test_with_every_survey_no_reason_is_asked_or_kept(app: Flask, data: dict[str, Any]) -> None:
    set_states(app, "approved")
    client = staff(app)
    assert upload(client, surveys_for("xa-a", "xa-b", "so-a")).status_code == 302
    assert council_approves(client).status_code == 302
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/cong-bo"))
    assert "Mọi đơn vị đã có đủ kết quả điều tra." in page and 'id="survey_reason"' not in page
    assert confirm_publication(client, survey_reason="lý do thừa").status_code == 302
    (pub,) = publications(app)
    assert pub.survey_reason == ""
    assert json.loads(pub.results_json)["publication"]["missing_surveys"]["agencies"] == {}


# ============================================================================== the checklist
def test_the_checklist_lists_what_stops_or_needs_a_look_and_publishes_nothing(
    app: Flask, data: dict[str, Any]
) -> None:
    client = staff(app)
    set_states(app, "approved", ("xa-a",))
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/cong-bo"))
    # xa-b and so-a: still drafts (the fixture), grouped under their state
    assert "Còn <strong>2</strong> đơn vị chưa được phê duyệt" in page
    assert "<summary>2 đơn vị: Bản nháp</summary>" in page
    assert "so-a — Sở A; xa-b — UBND xã B" in page
    assert "Chưa có quyết định phê duyệt của Hội đồng" in page
    assert "<strong>3</strong> đơn vị chưa có kết quả điều tra" in page
    assert "Cảnh báo còn mở trong kết quả" in page
    assert "Kỳ này không có kỳ năm trước để so sánh." in page  # the fixture's cycle is alone
    assert "<button" not in page.split('id="xac-nhan"')[1]
    assert publications(app) == []
    # officers may not read it
    officer = app.test_client()
    login(officer, "xa-a@thu.vn")
    assert officer.get(f"/so-noi-vu/ky/{YEAR}/cong-bo").status_code == 403
    assert officer.get(f"/so-noi-vu/ky/{YEAR}/hoi-dong").status_code == 403


def test_the_publication_post_needs_its_csrf_token(app: Flask, data: dict[str, Any]) -> None:
    set_states(app, "approved")
    client = staff(app)
    assert council_approves(client).status_code == 302
    r = client.post(f"/so-noi-vu/ky/{YEAR}/cong-bo", data={"survey_reason": NO_SURVEY_REASON})
    assert r.status_code == 400
    assert publications(app) == []


# ========================================================================== grouped refusals
def test_identical_refusals_are_grouped_on_the_progress_page(
    app: Flask, data: dict[str, Any]
) -> None:
    client = staff(app)
    set_states(app, "submitted", ("xa-a", "xa-b"))
    set_states(app, "approved", ("so-a",))
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/tien-do"))
    assert "từ “Đã phê duyệt”" not in page  # an approved unit is no refusal
    submitted = "Không thể chuyển hồ sơ từ “Đã nộp” sang “Đã phê duyệt”."
    assert page.count(submitted) == 1  # once for the two communes, not once each
    assert f"<summary>2 đơn vị: {submitted}</summary>" in page.replace("&#34;", '"')
    assert "xa-a, xa-b" in page
    # the approval of both at once: one grouped message
    ids = data["agency_ids"]
    r = post(
        client,
        f"/so-noi-vu/ky/{YEAR}/phe-duyet",
        {"agency_id": [str(ids["xa-a"]), str(ids["xa-b"])]},
    )
    assert r.status_code == 302
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/tien-do"))
    assert f"Không phê duyệt được 2 đơn vị (xa-a, xa-b): {submitted}" in page


# ================================================================ Vietnamese survey headers
def test_the_survey_label_and_headers_are_vietnamese(app: Flask, data: dict[str, Any]) -> None:
    client = staff(app)
    page = text(client.get(f"/so-noi-vu/ky/{YEAR}/tien-do"))
    assert "các cột: mã đơn vị, cuộc điều tra, kết quả (%), cỡ mẫu" in page
    assert "agency, survey, result, sample_size" not in page
    vietnamese = 'Mã đơn vị,Cuộc điều tra,Kết quả (%),Cỡ mẫu\nxa-a,sipas-tthc,"87,5",120\n'
    assert upload(client, vietnamese).status_code == 302
    assert stored(app) == [("xa-a", "sipas-tthc", 875000, 120)]


# ===================================================================== the migration (0012)
def test_migration_0012_keeps_the_versions_published_before_it(tmp_path: Any) -> None:
    """A version published before the council was recorded keeps its row: no decision, no
    survey reason; the public page still reads it."""
    from sqlalchemy import text as sql

    from web import create_app
    from web.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
    upgrade(app, "0011")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            sql(
                "INSERT INTO cycles (id, year, title, created_at) VALUES "
                "(1, 2024, 'Kỳ 2024', '2024-01-02 00:00:00')"
            )
        )
        conn.execute(
            sql(
                "INSERT INTO publications (id, cycle_id, version, reason, published_at, "
                "results_json, decision_xlsx) VALUES (1, 1, 1, 'công bố lần đầu', "
                "'2025-01-20 03:00:00', :data, x'')"
            ),
            {"data": json.dumps({"blocks": []})},
        )
    upgrade(app)
    with app.app_context():
        pub = db.session.execute(db.select(Publication)).scalar_one()
        assert (pub.council_decision_id, pub.survey_reason) == (None, "")
    page = app.test_client().get("/ket-qua/2024")
    assert page.status_code == 200 and "Hội đồng thẩm định phê duyệt" not in text(page)
