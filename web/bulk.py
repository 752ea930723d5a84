"""A whole cycle's submissions straight from the database, column-wise (the bulk path).

:func:`web.services.final_results` rebuilds every agency's submission mapping and runs the
engine's file path on it: clear and exact, but it costs a query per evidence list and a parse
per agency. Here one query per table reads a block's entries, evidence flags, appraisal rounds
and survey results, and the engine's records path (:mod:`parindex.columnar`) validates, scores
and ranks them. A test holds the two to the same results.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from parindex.columnar import RECORD_COLUMNS, as_records, score_records
from parindex.results import Results
from parindex.scoring import BlockResult
from web.models import Agency, Appraisal, Cycle, Entry, Evidence, Submission, SurveyResult, db
from web.services import loaded_set


def _cents(value: Any) -> int | None:
    """A stored score ("1.25") in hundredths; None when absent or not a whole hundredth (the
    web form stores at most 2 decimals; anything else is left for the engine's checks)."""
    if value in (None, ""):
        return None
    try:
        cents = Decimal(str(value)) * 100
    except InvalidOperation:
        return None
    return int(cents) if cents == cents.to_integral_value() else None


def block_records(cycle: Cycle, block: str) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The block's records (see parindex.columnar), its agency codes in order and their names."""
    agencies = db.session.execute(
        db.select(Agency.code, Agency.name)
        .filter_by(cycle_id=cycle.id, block=block)
        .order_by(Agency.code)
    ).all()
    in_block = (Agency.cycle_id == cycle.id) & (Agency.block == block)
    entries = db.session.execute(
        db.select(Entry.id, Agency.code, Entry.leaf, Entry.data)
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block)
        .order_by(Agency.code, Entry.id)
    ).all()
    with_evidence = set(
        db.session.scalars(
            db.select(Evidence.entry_id)
            .join(Entry, Evidence.entry_id == Entry.id)
            .join(Submission, Entry.submission_id == Submission.id)
            .join(Agency, Submission.agency_id == Agency.id)
            .where(in_block)
            .distinct()
        )
    )
    rounds: dict[tuple[str, str], dict[int, int]] = {}
    for code, leaf, rnd, score_c in db.session.execute(
        db.select(Agency.code, Appraisal.leaf, Appraisal.round, Appraisal.score_c)
        .join(Submission, Appraisal.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block, Appraisal.score_c.is_not(None))
    ):
        rounds.setdefault((code, leaf), {})[rnd] = score_c
    cols: dict[str, list[Any]] = {c: [] for c in RECORD_COLUMNS}
    seen: set[tuple[str, str]] = set()
    for entry_id, code, leaf, data in entries:
        data = data or {}
        evidence = entry_id in with_evidence
        if not data and not evidence:
            continue  # an emptied entry: the leaf is empty, as in submission_for_engine
        seen.add((code, leaf))
        _append(cols, code, leaf, data, evidence, rounds.get((code, leaf), {}))
    for (code, leaf), by_round in rounds.items():  # rounds on leaves the agency left empty
        if (code, leaf) not in seen:
            _append(cols, code, leaf, {}, False, by_round)
    codes = [a.code for a in agencies]
    return as_records(pd.DataFrame(cols)), codes, {a.code: a.name for a in agencies}


def _append(
    cols: dict[str, list[Any]],
    agency: str,
    leaf: str,
    data: dict[str, Any],
    evidence: bool,
    rounds: dict[int, int],
) -> None:
    done = data.get("done")
    date = data.get("date")
    cols["agency"].append(agency)
    cols["leaf"].append(leaf)
    cols["done"].append(None if done is None else int(bool(done)))
    cols["date"].append(dt.date.fromisoformat(date) if date else None)
    for key in ("numerator", "denominator", "count"):
        value = data.get(key)
        cols[key].append(None if value in (None, "") else int(value))
    cols["level"].append(data.get("level") or None)
    cols["score_c"].append(_cents(data.get("score")))
    cols["round1_c"].append(rounds.get(1))
    cols["round2_c"].append(rounds.get(2))
    reason = data.get("did_not_arise")
    cols["did_not_arise"].append(None if reason is None else str(reason))
    cols["has_evidence"].append(evidence)
    cols["has_explanation"].append(bool(str(data.get("explanation") or "").strip()))


def block_surveys(cycle: Cycle, block: str) -> pd.DataFrame:
    rows = db.session.execute(
        db.select(Agency.code, SurveyResult.survey, SurveyResult.result_u)
        .join(Agency, SurveyResult.agency_id == Agency.id)
        .where(SurveyResult.cycle_id == cycle.id, Agency.block == block)
        .order_by(SurveyResult.id)
    ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["agency", "survey_key", "result_u"]
    ).astype({"result_u": "int64"})


def bulk_results(cycle: Cycle) -> Results:
    """Every block of the cycle validated, scored and ranked from the database column-wise."""
    from parindex.errors import Report

    report = Report()
    blocks: dict[str, BlockResult] = {}
    inputs: dict[str, str] = {}
    for record in sorted(cycle.criteria, key=lambda r: r.file_name):
        loaded = loaded_set(record)
        inputs[f"criteria/{cycle.year}/{record.file_name}"] = record.sha256
        records, codes, names = block_records(cycle, record.block)
        result = score_records(
            loaded, records, block_surveys(cycle, record.block), names, agencies=codes
        )
        report.extend(result.issues)
        blocks[record.block] = result
    return Results(cycle.year, blocks, report, inputs)
