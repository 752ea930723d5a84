"""Part 2 of the appraisal workflow: progress and approval, survey results, the preview ranking,
publication in versions, public results and the append-only audit trail."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from parindex.cli import main
from tests.web.conftest import NO_SURVEY_REASON, REPO, login, post, publish_through_council
from tests.web.test_appraisal import (
    XA_A_FACTS,
    XA_A_ROUNDS,
    XA_B_FACTS,
    XA_B_ROUNDS,
    _export,
    _store,
)
from web import council, publishing
from web.models import (
    Agency,
    AuditEntry,
    AuditTampering,
    Cycle,
    Publication,
    SurveyResult,
    User,
    db,
)

D = Decimal
YEAR = 2025
STAFF = "sonoivu@thu.vn"

SURVEYS_OK = (
    "agency,survey,result,sample_size\n"
    'xa-a,sipas-tiep-can,"87,5",120\n'
    "xa-a,sipas-tthc,90,120\n"
    "xa-b,sipas-tiep-can,60.25,80\n"
    "so-a,khao-sat-lanh-dao,75,30\n"
)
SURVEYS_BAD = (
    "agency,survey,result,sample_size\n"
    "xa-a,sipas-tiep-can,87.5,120\n"
    "xa-z,sipas-tthc,90,120\n"  # row 3: unknown agency
    "xa-b,sipas-khong-co,50,10\n"  # row 4: unknown survey
    "xa-b,sipas-tthc,120,10\n"  # row 5: out of range
    "so-a,sipas-tthc,abc,x\n"  # row 6: result and sample size not numbers
)


def staff(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, STAFF).status_code == 302
    return client


def upload(client: FlaskClient, text: str, name: str = "dieu-tra.csv") -> Any:
    return post(
        client,
        f"/so-noi-vu/ky/{YEAR}/dieu-tra",
        {"survey_file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


def set_states(app: Flask, state: str, codes: tuple[str, ...] = ("xa-a", "xa-b", "so-a")) -> None:
    """Test set-up only: put submissions in a state the earlier rounds would have reached."""
    with app.app_context():
        for agency in db.session.execute(db.select(Agency)).scalars():
            if agency.code in codes:
                assert agency.submission is not None
                agency.submission.state = state
        db.session.commit()


def states(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {a.code: a.submission.state for a in db.session.execute(db.select(Agency)).scalars()}


def audits(app: Flask, entity: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.execute(db.select(AuditEntry).filter_by(entity=entity)).scalars())


def stored(app: Flask) -> list[tuple[str, str, int, int | None]]:
    with app.app_context():
        return sorted(
            (s.agency.code, s.survey, s.result_u, s.sample_size)
            for s in db.session.execute(db.select(SurveyResult)).scalars()
        )


@pytest.fixture
def data(app: Flask, cycle: dict[str, Any]) -> dict[str, Any]:
    _store(app, cycle, "xa-a", XA_A_FACTS, XA_A_ROUNDS)
    _store(app, cycle, "xa-b", XA_B_FACTS, XA_B_ROUNDS)
    _store(app, cycle, "so-a", {"1.1.1": {"date": "2025-01-10"}}, {})
    return cycle


# ======================================================================== survey results
def test_a_valid_survey_file_is_stored_and_audited(app: Flask, data: dict[str, Any]) -> None:
    client = staff(app)
    r = upload(client, SURVEYS_OK)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert stored(app) == [
        ("so-a", "khao-sat-lanh-dao", 750000, 30),
        ("xa-a", "sipas-tiep-can", 875000, 120),
        ("xa-a", "sipas-tthc", 900000, 120),
        ("xa-b", "sipas-tiep-can", 602500, 80),
    ]
    assert len(audits(app, "survey")) == 4
    # the same file again changes nothing; a new value is audited with old and new
    assert upload(client, SURVEYS_OK).status_code == 302
    assert len(audits(app, "survey")) == 4
    assert upload(client, SURVEYS_OK.replace('"87,5"', "88")).status_code == 302
    last = audits(app, "survey")[-1]
    assert (last.key, last.old, last.new) == (
        "sipas-tiep-can",
        "87.5 % (cỡ mẫu 120)",
        "88 % (cỡ mẫu 120)",
    )
    page = client.get(f"/so-noi-vu/ky/{YEAR}/tien-do").get_data(as_text=True)
    assert "88,00 %" in page


def test_a_bad_survey_file_shows_each_problem_by_row_and_column_and_saves_nothing(
    app: Flask, data: dict[str, Any]
) -> None:
    client = staff(app)
    r = upload(client, SURVEYS_BAD)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    cells = re.findall(r"<tr><td>(\d*)</td><td>([a-z_]*)</td><td>([^<]*)</td></tr>", page)
    found = {(row, col) for row, col, _ in cells}
    assert {
        ("3", "agency"),
        ("4", "survey"),
        ("5", "result"),
        ("6", "result"),
        ("6", "sample_size"),
    } <= found
    assert "xa-z" in page and "chưa lưu gì" in page
    assert stored(app) == []
    assert audits(app, "survey") == []
    # a wrong header, a wrong kind of file: refused, nothing saved
    assert upload(client, "ma,ket qua\nxa-a,1\n").status_code == 400
    assert upload(client, SURVEYS_OK, "dieu-tra.txt").status_code == 400
    assert stored(app) == []


def test_an_xlsx_survey_file_is_read(app: Flask, data: dict[str, Any]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (("agency", "survey", "result", "sample_size"), ("xa-a", "sipas-tthc", 91.5, 50)):
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    client = staff(app)
    r = post(
        client,
        f"/so-noi-vu/ky/{YEAR}/dieu-tra",
        {"survey_file": (io.BytesIO(buffer.getvalue()), "dieu-tra.xlsx")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert stored(app) == [("xa-a", "sipas-tthc", 915000, 50)]


# ====================================================================== the preview ranking
def _ranking(page: str) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for block, body in re.findall(r'data-block="([^"]+)">(.*?)</table>', page, re.S):
        rows = re.findall(
            r'<tr><td class="n">(\d+)</td><td>([^<]+)</td><td>[^<]*</td><td class="n">[^<]*</td>'
            r'<td class="n">([^<]+)</td>',
            body,
        )
        out[block] = [(code, rank, index) for rank, code, index in rows]
    return out


def test_the_preview_is_the_engines_ranking_of_the_same_data(
    app: Flask, data: dict[str, Any], tmp_path: Path
) -> None:
    client = staff(app)
    assert upload(client, SURVEYS_OK).status_code == 302
    r = client.get(f"/so-noi-vu/ky/{YEAR}/xep-hang")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Bản xem trước" in page
    web = _ranking(page)
    assert set(web) == {"xa", "so-nganh"}
    # the same data as files, scored by the command line
    root = tmp_path / "data"
    _export(app, root)
    (root / "submissions" / str(YEAR) / "surveys.csv").write_text(SURVEYS_OK, encoding="utf-8")
    out = CliRunner().invoke(main, ["score", "--root", str(root), "--year", str(YEAR), "--json"])
    assert out.exit_code == 0, out.output
    cli = {
        b["block"]: [
            (a["agency"], str(a["rank"]), f"{D(str(a['index'])):.2f}".replace(".", ",") + " %")
            for a in b["agencies"]
        ]
        for b in json.loads(out.stdout)["blocks"]
    }
    assert web == cli
    # the survey points count: xa-a has more than without them
    with app.app_context():
        res = publishing.preview(db.session.execute(db.select(Cycle)).scalar_one())
    xa_a = next(a for b in res["blocks"] for a in b["agencies"] if a["agency"] == "xa-a")
    assert xa_a["survey"] > 0


# ============================================================================== publication
def test_approval_goes_through_the_transition_table(app: Flask, data: dict[str, Any]) -> None:
    client = staff(app)
    ids = data["agency_ids"]
    r = post(client, f"/so-noi-vu/ky/{YEAR}/phe-duyet", {"agency_id": str(ids["xa-a"])})
    assert r.status_code == 302
    page = client.get(f"/so-noi-vu/ky/{YEAR}/tien-do").get_data(as_text=True)
    assert "Không phê duyệt được xa-a" in page  # a draft cannot be approved
    assert states(app)["xa-a"] == "draft"
    set_states(app, "appraised_1")
    r = post(
        client, f"/so-noi-vu/ky/{YEAR}/phe-duyet", {"agency_id": [str(i) for i in ids.values()]}
    )
    assert r.status_code == 302
    assert set(states(app).values()) == {"approved"}
    assert len(audits(app, "submission")) == 3


def test_publication_versions(app: Flask, data: dict[str, Any]) -> None:
    client = staff(app)
    set_states(app, "approved", ("xa-a", "xa-b"))
    r = post(client, f"/so-noi-vu/ky/{YEAR}/cong-bo")
    assert r.status_code == 409
    assert "chưa được phê duyệt: so-a" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Publication)).first() is None
    set_states(app, "approved", ("so-a",))

    assert publish_through_council(client).status_code == 302
    assert set(states(app).values()) == {"published"}
    anon = app.test_client()
    v1 = anon.get(f"/ket-qua/{YEAR}").get_data(as_text=True)
    with app.app_context():
        pub = db.session.execute(db.select(Publication)).scalar_one()
        published = json.loads(pub.results_json)
        assert pub.version == 1
    # the public page shows exactly the published numbers
    for block in published["blocks"]:
        for a in block["agencies"]:
            index = f"{D(str(a['index'])):.2f}".replace(".", ",") + " %"
            assert re.search(
                rf'<td class="n">{a["rank"]}</td><td><a href="/ket-qua/{YEAR}/don-vi/{a["agency"]}">'
                rf'{re.escape(a["name"])}</a></td>\s*<td class="n">{re.escape(index)}</td>',
                v1,
            ), (a, v1)
    # the charts carry no script; the only script is the app's own file (static/a11y.js)
    charts = re.findall(r"<svg.*?</svg>", v1, re.S)
    assert charts and not any("<script" in c for c in charts)
    assert re.findall(r"<script[^>]*>", v1) == ['<script src="/static/a11y.js" defer>']
    assert anon.get("/ket-qua").status_code == 200
    assert str(YEAR) in anon.get("/ket-qua").get_data(as_text=True)
    detail = anon.get(f"/ket-qua/{YEAR}/don-vi/xa-a")
    assert detail.status_code == 200 and "UBND xã A" in detail.get_data(as_text=True)
    xa_a = next(a for b in published["blocks"] for a in b["agencies"] if a["agency"] == "xa-a")
    html = detail.get_data(as_text=True)
    assert f"{D(str(xa_a['index'])):.2f}".replace(".", ",") + " %" in html
    for c in xa_a["components"]:
        if c["level"] == "field":
            points = f"{D(str(c['points'])):.2f}".replace(".", ",")
            assert re.search(rf'<tr><td>{c["code"]}\.[^<]*</td><td class="n">{points}</td>', html)
    assert anon.get(f"/ket-qua/{YEAR}/don-vi/khong-co").status_code == 404

    # a correction needs its reason
    _store(app, data, "so-a", {}, {("1.1.1", 1): ("0", "Văn bản ban hành sau thời hạn")})
    r = post(client, f"/so-noi-vu/ky/{YEAR}/cong-bo", {"reason": "  "})
    assert r.status_code == 409 and "lý do đính chính" in r.get_data(as_text=True)
    r = publish_through_council(client, reason="Đính chính điểm Sở A <b>")
    assert r.status_code == 302
    with app.app_context():
        pubs = (
            db.session.execute(db.select(Publication).order_by(Publication.version)).scalars().all()
        )
        assert [p.version for p in pubs] == [1, 2]
        assert pubs[0].results_json == pub.results_json  # v1 unchanged
        assert pubs[1].reason == "Đính chính điểm Sở A <b>"
    latest = anon.get(f"/ket-qua/{YEAR}").get_data(as_text=True)
    assert "Phiên bản 2" in latest and "Đính chính điểm Sở A &lt;b&gt;" in latest
    assert f"/ket-qua/{YEAR}/v1" in latest
    old = anon.get(f"/ket-qua/{YEAR}/v1")
    assert old.status_code == 200 and "phiên bản cũ" in old.get_data(as_text=True)
    assert anon.get(f"/ket-qua/{YEAR}/v3").status_code == 404
    # the decision tables of both versions download and open
    for n in (1, 2):
        r = anon.get(f"/ket-qua/{YEAR}/v{n}/bang-xep-hang.xlsx")
        assert r.status_code == 200
        wb = load_workbook(io.BytesIO(r.data))
        assert len(wb.sheetnames) >= 3
    assert len(audits(app, "publication")) == 2


# ==================================================================================== audit
def test_the_audit_view_and_export_list_the_changes(app: Flask, data: dict[str, Any]) -> None:
    client = staff(app)
    assert upload(client, SURVEYS_OK.replace("sipas-tthc,90", "sipas-tthc,=1+1")).status_code == 400
    assert upload(client, SURVEYS_OK).status_code == 302
    page = client.get("/so-noi-vu/nhat-ky?agency=xa-a").get_data(as_text=True)
    assert "sipas-tiep-can" in page and "sipas-tthc" in page and STAFF in page
    assert "xa-b" not in page.split("<tbody>")[1]
    only = client.get("/so-noi-vu/nhat-ky?agency=xa-a&leaf=sipas-tthc").get_data(as_text=True)
    assert "sipas-tthc" in only and "sipas-tiep-can" not in only.split("<tbody>")[1]
    assert "sipas-tthc" in client.get(f"/so-noi-vu/nhat-ky?agency=xa-a&year={YEAR}").get_data(
        as_text=True
    )
    other_year = client.get(f"/so-noi-vu/nhat-ky?agency=xa-a&year={YEAR + 1}").get_data(
        as_text=True
    )
    assert "sipas-tthc" not in other_year.split("<tbody>")[1]
    r = client.get("/so-noi-vu/nhat-ky.xlsx?agency=xa-a")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][1] == "Người thực hiện"
    assert {row[4] for row in rows[1:]} == {"sipas-tiep-can", "sipas-tthc"}
    assert all(row[1] == STAFF and row[7] == "dieu-tra.csv" for row in rows[1:])
    # officers and appraisers may not read it
    officer = app.test_client()
    login(officer, "xa-a@thu.vn")
    assert officer.get("/so-noi-vu/nhat-ky").status_code == 403


def test_audit_entries_cannot_be_changed_or_deleted(app: Flask, data: dict[str, Any]) -> None:
    client = staff(app)
    assert upload(client, SURVEYS_OK).status_code == 302
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry)).scalars().first()
        assert entry is not None
        entry.new = "sửa lén"
        with pytest.raises(AuditTampering):
            db.session.flush()
        db.session.rollback()
        entry = db.session.execute(db.select(AuditEntry)).scalars().first()
        db.session.delete(entry)
        with pytest.raises(AuditTampering):
            db.session.commit()
        db.session.rollback()
        assert db.session.execute(db.select(AuditEntry).filter_by(new="sửa lén")).first() is None


def test_no_code_updates_or_deletes_audit_entries() -> None:
    """The web app's source never updates or deletes an AuditEntry (nor a Publication)."""
    bad = re.compile(
        r"(update|delete)\(\s*(AuditEntry|Publication)\b"
        r"|(AuditEntry|Publication)\b[^\n]*\.(update|delete)\("
        r"|session\.delete\([^)]*(audit|publication|entry_row)",
        re.I,
    )
    problems = []
    for path in sorted((REPO / "web").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if bad.search(line):
                problems.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert problems == []


def test_the_change_since_last_years_publication_is_shown(app: Flask, data: dict[str, Any]) -> None:
    with app.app_context():
        before = Cycle(year=YEAR - 1, title="Kỳ 2024")
        db.session.add(before)
        db.session.flush()
        last = {
            "blocks": [
                {
                    "block": "xa",
                    "block_name": "Xã",
                    "agencies": [
                        {"agency": "xa-b", "name": "UBND xã B", "rank": 1, "index": 1.0},
                        {"agency": "xa-a", "name": "UBND xã A", "rank": 2, "index": 0.5},
                    ],
                }
            ]
        }
        db.session.add(
            Publication(
                cycle_id=before.id, version=1, results_json=json.dumps(last), decision_xlsx=b""
            )
        )
        db.session.commit()
        res = publishing.preview(
            db.session.execute(db.select(Cycle).filter_by(year=YEAR)).scalar_one()
        )
    rows = {a["agency"]: a for b in res["blocks"] for a in b["agencies"]}
    # this year xa-a has more points than xa-b (test_appraisal's facts: 2,25 against 1,00), so
    # of the two comparable units xa-a is 1st, xa-b 2nd; last year xa-b (1.00) was above xa-a
    # (0.50): xa-a 2 − 1 = +1, xa-b 1 − 2 = −1
    assert (rows["xa-a"]["previous_rank"], rows["xa-a"]["comparable_rank"]) == (2, 1)
    assert rows["xa-a"]["rank_change"] == 1 and rows["xa-b"]["rank_change"] == -1
    assert rows["xa-a"]["index_change"] == pytest.approx(rows["xa-a"]["index"] - 0.5)
    assert rows["so-a"]["index_change"] is None
    set_states(app, "approved")
    assert publish_through_council(staff(app)).status_code == 302
    page = app.test_client().get(f"/ket-qua/{YEAR}").get_data(as_text=True)
    assert "Thay đổi so với năm trước" in page and "tăng 01 bậc" in page


def test_a_survey_of_another_block_is_refused(
    app: Flask, data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bundled sets share their survey keys: pretend the commune set has only one
    keys = {"xa": {"sipas-tthc"}, "so-nganh": {"sipas-tthc", "khao-sat-lanh-dao"}}
    monkeypatch.setattr(publishing, "block_survey_keys", lambda cycle: keys)
    r = upload(staff(app), "agency,survey,result\nxa-a,sipas-tthc,50\nxa-a,khao-sat-lanh-dao,50\n")
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "<tr><td>3</td><td>survey</td><td>Cuộc điều tra &#39;khao-sat-lanh-dao&#39;" in page
    assert stored(app) == []


# ======================================================= the workbook in a second process
def _cells(xlsx: bytes) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(io.BytesIO(xlsx))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_the_published_workbook_is_the_one_written_here(
    app: Flask, data: dict[str, Any], tmp_path: Path
) -> None:
    """The decision table written in the second process is the one the results give here."""
    from parindex.decision import write_decision_table

    set_states(app, "approved")
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle)).scalar_one()
        user = db.session.execute(db.select(User).filter_by(email=STAFF)).scalar_one()
        council.record(
            cycle,
            council.CouncilForm(
                "01/QĐ-HĐTĐ",
                "15/01/2026",
                [council.MemberRow("Chủ tịch", "Chủ tịch", "present", "agree")],
            ),
            publishing.current_snapshot(cycle),
            user,
        )
        pub = publishing.publish(cycle, user, survey_reason=NO_SURVEY_REASON)
        here = tmp_path / "here.xlsx"
        results = publishing.cycle_results(cycle)
        publishing.decision_table(results, here, pub.published_at)
        published = _cells(pub.decision_xlsx)
        assert published == _cells(here.read_bytes())
        # the official sheets as the plain table has them; the rank intervals' sheet last
        plain = tmp_path / "plain.xlsx"
        write_decision_table(results, plain, charts=False, run_time=pub.published_at)
        assert list(published)[-1] == "Độ tin cậy của xếp hạng"
        assert dict(list(published.items())[:-1]) == _cells(plain.read_bytes())
        assert json.loads(pub.results_json)["blocks"]  # and the JSON beside it


def _pid_writer(path: Path, fail_in_child: bool = False) -> Any:
    parent = os.getpid()

    def write() -> None:
        if fail_in_child and os.getpid() != parent:
            raise RuntimeError("hỏng")
        path.write_text(str(os.getpid()))

    return write


def test_the_second_process_writes_while_the_body_runs(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with publishing._beside(_pid_writer(path)):
        ran = True
    assert ran and path.exists() and int(path.read_text()) != os.getpid()


def test_a_failed_second_process_leaves_the_writing_here(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "out.txt"
    with publishing._beside(_pid_writer(path, fail_in_child=True)):
        pass
    assert int(path.read_text()) == os.getpid()
    assert "RuntimeError: hỏng" in capfd.readouterr().err


def test_a_second_process_that_takes_too_long_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.txt"
    parent = os.getpid()

    def slow() -> None:
        if os.getpid() != parent:
            time.sleep(60)
        path.write_text(str(os.getpid()))

    monkeypatch.setattr(publishing, "BESIDE_TIMEOUT", dt.timedelta(seconds=0.3))
    started = time.monotonic()
    with publishing._beside(slow):
        pass
    assert int(path.read_text()) == parent and time.monotonic() - started < 30


def test_when_the_body_fails_the_second_process_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with pytest.raises(ZeroDivisionError), publishing._beside(_pid_writer(path)):
        1 / 0  # noqa: B018
    # the child may have been killed before, while or after it wrote (an empty file when the
    # kill came between opening and writing): what matters is that this process wrote nothing
    written = path.read_text() if path.exists() else ""
    assert written != str(os.getpid())


def test_a_merged_unit_is_compared_with_its_predecessors_through_the_lineage(
    app: Flask, data: dict[str, Any]
) -> None:
    """Last year's xã C (index 80.00 on 80 applicable points) and xã D (70.00 on 100) merged
    into xã A on 01/07/2025 (the lineage imported here). The previous index xã A is compared
    with is their average weighted by applicable maxima: (80 × 80 + 70 × 100) / 180
    = 13400 / 180 = 74.444… → 74.44. Its previous rank is among this year's comparable units
    of its block (xã A, xã B), not among last year's three communes. The public page states it."""
    from web.models import Unit, UnitLink

    with app.app_context():
        before = Cycle(year=YEAR - 1, title="Kỳ 2024")
        db.session.add(before)
        db.session.flush()
        last = {
            "blocks": [
                {
                    "block": "xa",
                    "block_name": "Xã",
                    "agencies": [
                        {
                            "agency": "xa-c",
                            "name": "UBND xã C",
                            "rank": 1,
                            "index": 80.0,
                            "applicable_max": 80.0,
                        },
                        {
                            "agency": "xa-d",
                            "name": "UBND xã D",
                            "rank": 2,
                            "index": 70.0,
                            "applicable_max": 100.0,
                        },
                        {
                            "agency": "xa-b",
                            "name": "UBND xã B",
                            "rank": 3,
                            "index": 0.5,
                            "applicable_max": 70.0,
                        },
                    ],
                }
            ]
        }
        db.session.add(
            Publication(
                cycle_id=before.id, version=1, results_json=json.dumps(last), decision_xlsx=b""
            )
        )
        xa_a = db.session.execute(db.select(Unit).filter_by(code="xa-a")).scalar_one()
        for code, name in (("xa-c", "UBND xã C"), ("xa-d", "UBND xã D")):
            old = Unit(code=code, name=name, ended_on=dt.date(2025, 7, 1))
            db.session.add(old)
            db.session.add(
                UnitLink(
                    old_unit=old, new_unit=xa_a, change="merged", effective=dt.date(2025, 7, 1)
                )
            )
        db.session.commit()
        res = publishing.preview(
            db.session.execute(db.select(Cycle).filter_by(year=YEAR)).scalar_one()
        )
    rows = {a["agency"]: a for b in res["blocks"] for a in b["agencies"]}
    assert rows["xa-a"]["previous_index"] == pytest.approx(74.44)
    # (80.00 × 80 + 70.00 × 100) / 180 = 13 400 / 180 = 74.444… → 74.44. The ranks are among
    # this year's comparable xa units, xa-a (74.44) and xa-b (0.50): xa-a 1st last year and
    # this year (2,25 points against 1,00), 1 − 1 = 0; xa-b, 3rd of last year's three
    # communes, is 2nd of the two, and 2nd this year: 2 − 2 = 0
    assert (rows["xa-a"]["previous_rank"], rows["xa-a"]["rank_change"]) == (1, 0)
    assert rows["xa-a"]["index_change"] == pytest.approx(rows["xa-a"]["index"] - 74.44)
    assert "Hợp nhất từ UBND xã C, UBND xã D" in rows["xa-a"]["change_note"]
    assert "thứ hạng tương ứng" not in rows["xa-a"]["change_note"]
    assert (rows["xa-b"]["previous_rank"], rows["xa-b"]["rank_change"]) == (2, 0)
    shown = staff(app).get(f"/so-noi-vu/ky/{YEAR}/xep-hang").get_data(as_text=True)
    assert "Hợp nhất từ UBND xã C, UBND xã D" in shown and "Cách so sánh với năm trước" in shown
    set_states(app, "approved")
    assert publish_through_council(staff(app)).status_code == 302
    page = app.test_client().get(f"/ket-qua/{YEAR}").get_data(as_text=True)
    assert "Hợp nhất từ UBND xã C, UBND xã D" in page and "Cách so sánh với năm trước" in page
    page = app.test_client().get(f"/ket-qua/{YEAR}/don-vi/xa-a").get_data(as_text=True)
    assert "So với năm trước" in page and "Hợp nhất từ UBND xã C, UBND xã D" in page
