"""The demo `parindex serve` opens with: 2024 published (the very figures of the sample's
published file), the 2025 reorganisation imported as lineage, and 2025 in progress with work for
every role."""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import REPO
from web import council, publishing
from web.accounts import agencies_of
from web.demo import DEMO_PASSWORD, seed_demo
from web.models import Appraisal, Cycle, Publication, Submission, Unit, User, db


@pytest.fixture
def demo(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return seed_demo(REPO)


def _published_file() -> dict[str, tuple[Decimal, int]]:
    path = REPO / "submissions" / "2024" / "ket-qua-2024.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {r["agency"]: (Decimal(r["index"]), int(r["rank"])) for r in csv.DictReader(f)}


def test_2024_is_published_with_the_figures_of_the_sample_s_published_file(
    app: Flask, demo: Any
) -> None:
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle).filter_by(year=2024)).scalar_one()
        pub = db.session.execute(db.select(Publication).filter_by(cycle_id=cycle.id)).scalar_one()
        data = json.loads(pub.results_json)
    web = {
        a["agency"]: (Decimal(str(a["index"])).quantize(Decimal("0.01")), int(a["rank"]))
        for b in data["blocks"]
        for a in b["agencies"]
    }
    assert web == _published_file()
    page = app.test_client().get("/ket-qua/2024")
    assert page.status_code == 200 and "UBND huyện" in page.get_data(as_text=True)
    # through the council's decision: 6 of its 7 members agree (6 × 2 > 7), on these results
    with app.app_context():
        pub = db.session.merge(pub)
        assert pub.council is not None and council.is_valid(pub.council)
        assert (council.agreeing(pub.council), len(pub.council.members)) == (6, 7)
        cycle = db.session.merge(cycle)
        assert council.approval_refusal(cycle, publishing.current_snapshot(cycle)) == ""
    assert "Quyết định số 05/QĐ-HĐTĐ-2024 ngày 20/01/2025" in page.get_data(as_text=True)


def test_2025_is_in_progress_with_work_for_every_role(app: Flask, demo: Any) -> None:
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        subs = [a.submission for a in cycle.agencies]
        states = Counter(s.state for s in subs if s is not None)
        # officers: drafts to fill; panel: submissions to appraise, one round 1 half done, a
        # second round after explanations; secretariat: approvals and a preview
        assert {"draft", "submitted", "explanation", "approved"} <= set(states)
        half_done = [
            s
            for s in subs
            if s is not None
            and s.state == "submitted"
            and db.session.execute(
                db.select(db.func.count()).select_from(Appraisal).filter_by(submission_id=s.id)
            ).scalar()
        ]
        assert half_done
        waiting = [s for s in subs if s is not None and s.state == "explanation"]
        flagged = db.session.execute(
            db.select(Appraisal).where(
                Appraisal.submission_id.in_([s.id for s in waiting]), Appraisal.flagged
            )
        ).scalars()
        assert any(not row.answer for row in flagged)  # a question waiting for its answer
        assert (
            db.session.execute(db.select(Publication).filter_by(cycle_id=cycle.id)).first() is None
        )


def test_accounts_carry_over_the_reorganisation(app: Flask, demo: Any) -> None:
    """A department kept its account for both years; the officer of a department merged away
    now works for the unit that took it over (and last year's audit still names them); a
    dissolved district's account is closed."""
    emails = {e for e, _, _ in demo}
    assert ("so-tai-chinh@tinhmau.gov.vn", "agency", DEMO_PASSWORD) in demo
    with app.app_context():
        finance = db.session.execute(
            db.select(User).filter_by(email="so-tai-chinh@tinhmau.gov.vn")
        ).scalar_one()
        assert [a.cycle.year for a in agencies_of(finance)] == [2025, 2024]
        planning = db.session.execute(
            db.select(User).filter_by(email="so-ke-hoach-dau-tu@tinhmau.gov.vn")
        ).scalar_one()
        assert planning.unit is not None and planning.unit.code == "so-tai-chinh"
        old = db.session.execute(
            db.select(Submission)
            .join(Submission.agency)
            .where(Submission.submitted_by == planning.id)
        ).scalar_one()
        assert old.agency.code == "so-ke-hoach-dau-tu" and old.agency.cycle.year == 2024
        district = db.session.execute(
            db.select(User).filter_by(email="huyen-tan-thanh@tinhmau.gov.vn")
        ).scalar_one()
        assert not district.active and district.email not in emails
        ended = db.session.execute(db.select(Unit).filter_by(code="xa-quang-an")).scalar_one()
        assert ended.ended_on is not None


def test_the_demo_logs_in_and_shows_the_newest_year(app: Flask, demo: Any) -> None:
    from tests.web.conftest import login

    client = app.test_client()
    assert login(client, "so-ke-hoach-dau-tu@tinhmau.gov.vn", DEMO_PASSWORD).status_code == 302
    page = client.get("/don-vi/", follow_redirects=True).get_data(as_text=True)
    assert "Sở Tài chính" in page and "2025" in page
    # the demo's 2025 survey results are imported: the survey field counts them
    assert "theo kết quả điều tra Sở Nội vụ đã nhập" in page


def test_the_panel_has_evidence_hints_to_check(app: Flask, demo: Any) -> None:
    """The sample's evidence is clean; the demo's questionable documents (web.demo.DOUBTFUL)
    give one hint of each kind, on units the panel can open."""
    from web.evidence_hints import cycle_hints

    with app.app_context():
        cycle = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        found = {(i.location.agency, i.location.leaf, i.code) for i in cycle_hints(cycle)}
        states = {a.code: a.submission.state for a in cycle.agencies if a.submission}
    assert found == {
        ("xa-dinh-an", "1.1.1", "evidence-date-claimed"),
        ("xa-dinh-an", "1.2.1", "evidence-number-format"),
        ("xa-dinh-an", "1.3.1", "evidence-number-type"),
        ("xa-dinh-an", "1.3.2", "evidence-date-window"),
        ("xa-dinh-an", "1.3.3", "evidence-same-number"),
        ("xa-dinh-an", "1.4.1", "evidence-reused"),
        ("xa-dinh-an", "1.4.3", "evidence-link-scheme"),
        ("xa-dinh-an", "2.1.1", "evidence-reused"),
        ("xa-my-an", "1.3.1", "evidence-same-number"),
    }
    assert states["xa-dinh-an"] == states["xa-my-an"] == "submitted"
