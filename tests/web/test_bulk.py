"""The bulk path from the database (web.bulk) gives the results the per-agency path gives."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

from flask import Flask

from tests.web.test_appraisal import XA_A_FACTS, XA_A_ROUNDS, XA_B_FACTS, XA_B_ROUNDS, _store
from web.bulk import bulk_results
from web.demo import seed_demo
from web.engine import final_results
from web.models import Cycle, db

REPO = Path(__file__).resolve().parents[2]


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


def test_bulk_results_equal_final_results_on_the_demo_province(app: Flask) -> None:
    with app.app_context():
        seed_demo(REPO)
        db.session.commit()
        cycle = db.session.execute(db.select(Cycle)).scalar_one()
        bulk, each = bulk_results(cycle), final_results(cycle)
        assert _table(bulk) == _table(each)
        assert sum(len(rows) for rows in _table(bulk).values()) == 65
        for block, res in each.blocks.items():
            cols = ["agency", "leaf", "state", "self_c", "final_c", "applicable"]
            a = res.leaves[cols].astype({"agency": str, "leaf": str, "state": str})
            b = bulk.blocks[block].leaves[cols].astype({"agency": str, "leaf": str, "state": str})
            key = ["agency", "leaf"]
            assert a.sort_values(key).values.tolist() == b.sort_values(key).values.tolist()

        def located(results: Any) -> set[tuple[str, str, str]]:
            return {
                (i.code, i.location.agency, i.location.leaf)
                for i in results.report.issues
                if i.code in ("leaf-empty", "evidence-missing", "survey-missing")
                or i.severity == "error"
            }

        assert located(bulk) == located(each)
        assert located(each)  # the demo has empty leaves and scores without evidence
