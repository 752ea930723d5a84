"""A whole cycle's submissions straight from the database, column-wise (the bulk path).

:func:`web.engine.final_results` rebuilds every agency's submission mapping and runs the
engine's file path on it: clear and exact, but it costs a query per evidence list and a parse
per agency. Here one query per table reads a block's entries, evidence flags, appraisal rounds
and survey results, and the engine's records path (:mod:`parindex.columnar`) validates, scores
and ranks them. A test holds the two to the same results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from parindex.columnar import RECORD_COLUMNS, as_records, score_cents, score_records
from parindex.criteria import LoadedSet
from parindex.errors import Issue
from parindex.results import Results
from parindex.scoring import BlockResult
from web.engine import cycle_results
from web.models import (
    Agency,
    Appraisal,
    CriteriaRecord,
    Cycle,
    Entry,
    Evidence,
    Submission,
    SurveyResult,
    db,
)


def block_records(cycle: Cycle, block: str) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The block's records (see parindex.columnar), its agency codes in order and their names."""
    agencies = db.session.execute(
        db.select(Agency.code, Agency.name)
        .filter_by(cycle_id=cycle.id, block=block)
        .order_by(Agency.code)
    ).all()
    in_block = (Agency.cycle_id == cycle.id) & (Agency.block == block)
    # the facts are read out of each entry's JSON by the database (json_extract, ->>), not
    # decoded row by row in Python
    facts = Entry.data
    has_evidence = db.exists().where(Evidence.entry_id == Entry.id)
    query = (
        db.select(
            Agency.code,
            Entry.leaf,
            facts["done"].as_boolean(),
            facts["date"].as_string(),
            facts["numerator"].as_integer(),
            facts["denominator"].as_integer(),
            facts["count"].as_integer(),
            facts["level"].as_string(),
            facts["score"].as_string(),
            facts["did_not_arise"].as_string(),
            facts["explanation"].as_string(),
            has_evidence,
        )
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block)
        .order_by(Agency.code, Entry.id)
    )
    names = [
        "agency",
        "leaf",
        "done",
        "date",
        "numerator",
        "denominator",
        "count",
        "level",
        "score",
        "did_not_arise",
        "explanation",
        "has_evidence",
    ]
    frame = _frame(db.session.connection().execute(query).all(), names)
    rounds = _frame(
        db.session.connection()
        .execute(
            db.select(Agency.code, Appraisal.leaf, Appraisal.round, Appraisal.score_c)
            .join(Submission, Appraisal.submission_id == Submission.id)
            .join(Agency, Submission.agency_id == Agency.id)
            .where(in_block, Appraisal.score_c.is_not(None))
        )
        .all(),
        ["agency", "leaf", "round", "score_c"],
    )
    codes = [a.code for a in agencies]
    return _records(frame, rounds), codes, {a.code: a.name for a in agencies}


_INTEGERS = ("numerator", "denominator", "count", "round", "score_c")


def _frame(rows: Sequence[Any], names: list[str]) -> pd.DataFrame:
    """Result rows as columns; integers stay exact integers (nullable Int64), never floats."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pd.DataFrame(
        {
            name: pd.array(list(col), dtype="Int64" if name in _INTEGERS else object)
            for name, col in zip(names, columns, strict=True)
        }
    )


def _records(frame: pd.DataFrame, rounds: pd.DataFrame) -> pd.DataFrame:
    """Entries (one row each, facts as columns) and appraisal rounds as the engine's records."""
    text = frame["explanation"].astype(object)
    frame = frame.assign(
        has_evidence=frame["has_evidence"].astype(bool),
        has_explanation=text.notna() & (text.fillna("").astype(str).str.strip() != ""),
    )
    given = (
        frame[list(_FACTS)].notna().any(axis=1) | frame["has_evidence"] | frame["has_explanation"]
    )
    frame = frame[given | frame["did_not_arise"].notna()]  # an emptied entry: the leaf is empty
    score = frame["score"]
    done: list[Any] = [None if pd.isna(v) else int(bool(v)) for v in frame["done"].tolist()]
    score_c: list[Any] = [score_cents(v) for v in score.tolist()]
    frame = frame.assign(done=done, score_c=score_c)
    for rnd in (1, 2):
        part = rounds[rounds["round"] == rnd][["agency", "leaf", "score_c"]]
        frame = frame.merge(
            part.rename(columns={"score_c": f"round{rnd}_c"}), on=["agency", "leaf"], how="outer"
        )
    frame["has_evidence"] = frame["has_evidence"].fillna(False).astype(bool)
    frame["has_explanation"] = frame["has_explanation"].fillna(False).astype(bool)
    return as_records(frame[list(RECORD_COLUMNS)])


_FACTS = ("done", "date", "numerator", "denominator", "count", "level", "score", "explanation")


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

    def score(record: CriteriaRecord, loaded: LoadedSet) -> tuple[BlockResult, list[Issue]]:
        records, codes, names = block_records(cycle, record.block)
        surveys = block_surveys(cycle, record.block)
        result = score_records(loaded, records, surveys, names, agencies=codes)
        return result, list(result.issues)

    return cycle_results(cycle, score)
