"""The bulk path from the database (web.bulk), the one path of the preview and the publication:
hand-worked figures, and the engine's file path on the same data written as submission
mappings (what ``parindex score`` would read from files)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from parindex.errors import Issue
from parindex.results import Results
from parindex.scoring import score_block
from parindex.submission import parse_submission
from parindex.survey import SurveyResult as EngineSurvey
from tests.web.test_appraisal import XA_A_FACTS, XA_A_ROUNDS, XA_B_FACTS, XA_B_ROUNDS, _store
from web.bulk import bulk_results, cycle_results
from web.demo import seed_demo
from web.engine import submission_for_engine
from web.models import Agency, Cycle, Entry, Evidence, Submission, SurveyResult, db

REPO = Path(__file__).resolve().parents[2]


def file_path_results(cycle: Cycle) -> Results:
    """The engine's file path on the cycle: every agency's submission written as the mapping a
    submission file holds (facts, evidence, rounds; an agency without a submission as an empty
    one), parsed and scored per block by ``score_block`` with the imported surveys — the
    per-agency path the web app used before the bulk path, kept here as the oracle."""
    surveys = [
        EngineSurvey(r.agency.code, r.survey, r.result_u, r.sample_size, n)
        for n, r in enumerate(
            db.session.execute(
                db.select(SurveyResult).filter_by(cycle_id=cycle.id).order_by(SurveyResult.id)
            ).scalars(),
            start=2,
        )
    ]

    def score(record: Any, loaded: Any) -> tuple[Any, list[Issue]]:
        agencies = sorted(
            (a for a in cycle.agencies if a.block == record.block), key=lambda a: a.code
        )
        subs = []
        issues: list[Issue] = []
        for agency in agencies:
            raw = (
                submission_for_engine(agency, agency.submission)
                if agency.submission is not None
                else {"agency": agency.code, "year": cycle.year, "leaves": {}}
            )
            parsed = parse_submission(raw, loaded, source=f"web:{agency.code}")
            issues.extend(parsed.issues)
            subs.append(parsed)
        result = score_block(loaded, subs, surveys, {a.code: a.name for a in agencies})
        return result, issues + list(result.issues)

    return cycle_results(cycle, score)


def _table(results: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {
        b["block"]: [
            (a["agency"], a["name"], a["rank"], a["band"], a["index"], a["total"], a["survey"])
            for a in b["agencies"]
        ]
        for b in results.as_dict()["blocks"]
    }


def test_bulk_results_worked_by_hand(app: Flask, cycle: dict[str, Any]) -> None:
    _store(app, cycle, "xa-a", XA_A_FACTS, XA_A_ROUNDS)
    _store(app, cycle, "xa-b", XA_B_FACTS, XA_B_ROUNDS)
    with app.app_context():
        results = bulk_results(db.session.execute(db.select(Cycle)).scalar_one())
        xa = [(a, r, i, t) for a, _, r, _, i, t, _ in _table(results)["xa"]]
    # as in test_appraisal: xa-a 2,25; xa-b: 1.1.1 round 1 = 1, 1.3.1 not done = 0 → 1,00;
    # so-a has no entry and is still ranked, at 0
    assert xa == [("xa-a", 1, D("2.25"), D("2.25")), ("xa-b", 2, D("1.00"), D("1.00"))]
    assert [a for a, *_ in _table(results)["so-nganh"]] == ["so-a"]
    so_a = results.as_dict()["blocks"][0]["agencies"][0]
    assert (so_a["agency"], so_a["total"], so_a["index"]) == ("so-a", D("0.00"), D("0.00"))


def _located(results: Any) -> set[tuple[str, str, str]]:
    return {
        (i.code, i.location.agency, i.location.leaf)
        for i in results.report.issues
        if i.code in ("leaf-empty", "evidence-missing", "survey-missing") or i.severity == "error"
    }


def _documents(results: Any) -> list[tuple[str, str, str, int | None, str]]:
    return sorted(
        (i.code, i.location.agency, i.location.leaf, i.location.item, i.message)
        for i in results.report.issues
        if i.location.item is not None
    )


@pytest.mark.parametrize(
    ("year", "units"),
    [
        # 2024, published (every leaf appraised, rounds 1 and 2): the 71 agencies of
        # submissions/2024/agencies.csv (20 departments, 10 districts, 41 communes)
        (2024, 71),
        # 2025, in progress: the 39 of submissions/2025/agencies.csv (16 departments, 6 wards,
        # 17 xã and the special zone)
        (2025, 39),
    ],
)
def test_bulk_results_equal_the_file_path_on_the_demo_province(
    app: Flask, year: int, units: int
) -> None:
    with app.app_context():
        seed_demo(REPO)
        db.session.commit()
        cycle = db.session.execute(db.select(Cycle).filter_by(year=year)).scalar_one()
        bulk, files = bulk_results(cycle), file_path_results(cycle)
        assert _table(bulk) == _table(files)
        assert sum(len(rows) for rows in _table(bulk).values()) == units
        for block, res in files.blocks.items():
            cols = ["agency", "leaf", "state", "self_c", "final_c", "applicable"]
            a = res.leaves[cols].astype({"agency": str, "leaf": str, "state": str})
            b = bulk.blocks[block].leaves[cols].astype({"agency": str, "leaf": str, "state": str})
            key = ["agency", "leaf"]
            assert a.sort_values(key).values.tolist() == b.sort_values(key).values.tolist()
        assert _located(bulk) == _located(files)
        assert _located(files)  # the demo has empty leaves and scores without evidence
        assert _documents(bulk) == _documents(files)
        # readable locations only: no mapping paths, no "web:<agency>" sources
        assert all(not i.location.path and not i.location.file for i in bulk.report.issues)
        # a block's issues in reading order: agency by agency
        for res in bulk.blocks.values():
            agencies = [i.location.agency for i in res.issues]
            assert agencies == sorted(agencies)


def _add_document(sub: Submission, leaf: str, **values: Any) -> None:
    entry = db.session.execute(
        db.select(Entry).filter_by(submission_id=sub.id, leaf=leaf)
    ).scalar_one()
    doc = {
        "number": "12/KH-UBND",
        "date": dt.date(2025, 3, 1),
        "issuer": "UBND xã",
        "title": "Kế hoạch",
        "url": "https://example.vn/kh",
    }
    db.session.add(Evidence(entry=entry, **{**doc, **values}))


def test_what_the_file_path_reports_the_bulk_path_reports(
    app: Flask, cycle: dict[str, Any]
) -> None:
    """Documents' own problems, located per agency, leaf and document; a round that changes the
    self-score without a reason (and not one that keeps it); evidence flags; drafts with their
    self-scores."""
    _store(app, cycle, "xa-a", XA_A_FACTS, XA_A_ROUNDS)
    _store(app, cycle, "xa-b", XA_B_FACTS, {**XA_B_ROUNDS, ("1.3.1", 1): ("0", "")})
    with app.app_context():
        sub = db.session.get(Agency, cycle["agency_ids"]["xa-a"]).submission  # type: ignore[union-attr]
        assert sub is not None and sub.state == "draft"
        _add_document(sub, "1.1.1")  # complete: no problem
        _add_document(sub, "1.1.3", title="", url="")  # no title, no file, no link
        _add_document(sub, "1.1.3", date=dt.date(1985, 5, 1))  # implausible date
        db.session.commit()
        cycle_row = db.session.execute(db.select(Cycle)).scalar_one()
        bulk, files = bulk_results(cycle_row), file_path_results(cycle_row)
        assert _table(bulk) == _table(files)
        documents = _documents(bulk)
        assert documents == _documents(files)
        assert [(c, a, leaf, item) for c, a, leaf, item, _ in documents] == [
            ("date-implausible", "xa-a", "1.1.3", 2),
            ("evidence-incomplete", "xa-a", "1.1.3", 1),
            ("evidence-no-source", "xa-a", "1.1.3", 1),
        ]
        unexplained = [
            (i.location.agency, i.location.leaf, i.location.round)
            for i in bulk.report.issues
            if i.code == "appraisal-no-reason"
        ]
        # xa-a's 1.3.1 round 1 keeps the self-score 0,5: no reason needed; xa-b's 1.3.1 round 1
        # gives 0 where the agency scored 0 (not done): kept too — so none is reported …
        assert unexplained == []
        # … and the file path agrees: the engine decides kept scores in one place
        assert (
            sorted(
                (i.location.agency, i.location.leaf, i.location.round)
                for i in files.report.issues
                if i.code == "appraisal-no-reason"
            )
            == []
        )
        notes = {
            i.location.describe({"xa-a": "UBND xã A"})
            for i in bulk.report.issues
            if i.code == "evidence-no-source"
        }
        assert notes == {"UBND xã A, tiêu chí 1.1.3, tài liệu kiểm chứng thứ 1"}


def test_a_changed_score_without_a_reason_is_reported_in_words(
    app: Flask, cycle: dict[str, Any]
) -> None:
    _store(app, cycle, "xa-b", XA_B_FACTS, {("1.1.1", 1): ("1", ""), ("1.3.1", 2): ("0", "")})
    with app.app_context():
        results = bulk_results(db.session.execute(db.select(Cycle)).scalar_one())
        found = [i for i in results.report.issues if i.code == "appraisal-no-reason"]
        # 1.1.1: self-score 0,5 (late), round 1 gives 1 without a reason; 1.3.1 round 2 keeps 0
        assert [(i.location.agency, i.location.leaf, i.location.round) for i in found] == [
            ("xa-b", "1.1.1", 1)
        ]
        assert found[0].location.describe({"xa-b": "UBND xã B"}) == (
            "UBND xã B, tiêu chí 1.1.1, vòng thẩm định 1"
        )
        assert found[0].severity == "warning"


def test_without_documents_the_ranking_is_the_same_and_only_their_issues_go(
    app: Flask, cycle: dict[str, Any]
) -> None:
    """What the preview asks for: the same results, the documents' problems not looked for
    (the rounds changed without a reason are the one validator's, in both)."""
    _store(app, cycle, "xa-b", XA_B_FACTS, {("1.1.1", 1): ("1", "")})
    with app.app_context():
        sub = db.session.get(Agency, cycle["agency_ids"]["xa-b"]).submission  # type: ignore[union-attr]
        assert sub is not None
        _add_document(sub, "1.1.1", title="", url="")
        db.session.commit()
        cycle_row = db.session.execute(db.select(Cycle)).scalar_one()
        full, ranking = bulk_results(cycle_row), bulk_results(cycle_row, documents=False)
        assert _table(full) == _table(ranking)
        left_out = {"evidence-incomplete", "evidence-no-source"}
        assert {i.code for i in full.report.issues} >= left_out | {"appraisal-no-reason"}
        assert [i for i in full.report.issues if i.code not in left_out] == list(
            ranking.report.issues
        )
        assert not {i.code for i in ranking.report.issues} & left_out
