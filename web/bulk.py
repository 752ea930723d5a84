"""A cycle's results from the database, column-wise: the one path by which the web app computes
a cycle's ranking — the preview the secretariat checks, every published version, and any page
that shows a cycle's results.

One query per table and block reads the entries (their facts taken out of the JSON by the
database: ``json_extract`` in SQLite, ``->>`` in PostgreSQL), which entries have documents, the
panel's rounds and the survey results, as the driver's plain rows; the engine's records path
(:func:`parindex.validate.score_records`, the one value validator, then the scoring core)
validates, scores and ranks them; the rounds that change a self-score without a reason are the
validator's too. What a submission mapping would also carry is read here: the documents' own
problems (checked by the engine's file-path parser on the few documents that may have one),
drafts with their self-scores, and agencies without a submission (every leaf 0). A test holds it to hand-worked figures and to the engine's file path on the same data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from parindex.criteria import LoadedSet
from parindex.errors import Issue, Report
from parindex.facts import RECORD_COLUMNS, as_records, score_cents
from parindex.results import Results
from parindex.scoring import BlockResult
from parindex.submission import EVIDENCE_REQUIRED, parse_submission
from parindex.validate import score_records
from web.engine import EVIDENCE_COLUMNS, entry_mapping, loaded_set
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

#: an entry's facts as the query reads them, in order (then the evidence flag and the rounds)
_FACTS = ("done", "date", "numerator", "denominator", "count", "level", "score", "explanation")
_TEXT = ("date", "level", "score", "did_not_arise", "explanation")  # "" is absent, as in a file
_INTEGERS = ("numerator", "denominator", "count")


def _rows(query: Any) -> list[tuple[Any, ...]]:
    """The query's rows as the driver's plain tuples. SQLAlchemy's row objects and type
    processing cost more than the database's own work on a block's entries (1.2 s of 1.8 s for
    400,000 entries); the columns read here need none of it."""
    result = db.session.connection().execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def _columns(rows: list[tuple[Any, ...]], names: Iterable[str]) -> dict[str, np.ndarray]:
    names = list(names)
    table = np.array(rows, dtype=object).reshape(len(rows), len(names))
    return {name: table[:, i] for i, name in enumerate(names)}


def _nullable_ints(values: Any) -> pd.arrays.IntegerArray:
    """Integers with None as a nullable Int64 array (exact: never through floats)."""
    missing = pd.isna(values)
    filled = np.where(missing, 0, values).astype(np.int64)
    return pd.arrays.IntegerArray(filled, missing)


def _in_block(cycle: Cycle, block: str) -> Any:
    return (Agency.cycle_id == cycle.id) & (Agency.block == block)


def block_records(cycle: Cycle, block: str) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """The block's fact records (see parindex.facts), its agency codes in order and their
    names."""
    agencies = db.session.execute(
        db.select(Agency.code, Agency.name)
        .filter_by(cycle_id=cycle.id, block=block)
        .order_by(Agency.code)
    ).all()
    in_block = _in_block(cycle, block)
    facts = Entry.data
    entries = _rows(
        db.select(
            Agency.code,
            Entry.id,
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
        )
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block)
        .order_by(Agency.code, Entry.id)
    )
    with_documents = _rows(
        db.select(Evidence.entry_id)
        .distinct()
        .join(Entry, Evidence.entry_id == Entry.id)
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block)
    )
    rounds = _rows(
        db.select(Agency.code, Appraisal.leaf, Appraisal.round, Appraisal.score_c, Appraisal.reason)
        .join(Submission, Appraisal.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block, Appraisal.score_c.is_not(None))
        .order_by(Agency.code, Appraisal.id)
    )
    names = ("agency", "id", "leaf", *_FACTS[:-2], "score", "did_not_arise", "explanation")
    frame = _entries_frame(_columns(entries, names), {e for (e,) in with_documents})
    records = _with_rounds(frame, rounds)
    codes = [a.code for a in agencies]
    return records, codes, {a.code: a.name for a in agencies}


def _entries_frame(cols: dict[str, np.ndarray], with_documents: set[int]) -> pd.DataFrame:
    """Entries (one row each, facts as columns), emptied entries left out (their leaf is
    empty), as the first columns of the engine's records."""
    n = len(cols["id"])
    for name in _TEXT:
        col = cols[name]
        col[col == ""] = None
    explanation = cols["explanation"]
    has_explanation = np.zeros(n, dtype=bool)
    given = ~pd.isna(explanation)
    has_explanation[given] = [bool(str(t).strip()) for t in explanation[given]]
    has_evidence = np.isin(cols["id"].astype(np.int64), np.fromiter(with_documents, np.int64))
    present = has_evidence | has_explanation | ~pd.isna(cols["did_not_arise"])
    for name in _FACTS[:-1]:
        present |= ~pd.isna(cols[name])
    done = cols["done"]
    score = cols["score"]
    score_c = np.full(n, None, dtype=object)
    scored = ~pd.isna(score)
    score_c[scored] = [score_cents(v) for v in score[scored]]
    frame = pd.DataFrame(
        {
            "agency": cols["agency"],
            "leaf": cols["leaf"],
            "done": _nullable_ints(np.where(pd.isna(done), None, done != 0)),
            "date": cols["date"],
            **{name: _nullable_ints(cols[name]) for name in _INTEGERS},
            "level": cols["level"],
            "score_c": _nullable_ints(score_c),
            "did_not_arise": cols["did_not_arise"],
            "has_evidence": has_evidence,
            "has_explanation": has_explanation,
        }
    )
    return frame[present].reset_index(drop=True)


def _with_rounds(frame: pd.DataFrame, rounds: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The entries with the panel's rounds as ``round1_c`` and ``round2_c`` and whether each
    gives a reason (a round on a leaf without an entry makes a record of its own), as the
    engine's records."""
    table = pd.DataFrame(
        {
            "agency": pd.array([r[0] for r in rounds], dtype=object),
            "leaf": pd.array([r[1] for r in rounds], dtype=object),
            "round": pd.array([r[2] for r in rounds], dtype="Int64"),
            "score_c": pd.array([r[3] for r in rounds], dtype="Int64"),
            "reason": np.array([bool((r[4] or "").strip()) for r in rounds], dtype=bool),
        }
    )
    for rnd in (1, 2):
        part = table[table["round"] == rnd][["agency", "leaf", "score_c", "reason"]]
        names = {"score_c": f"round{rnd}_c", "reason": f"round{rnd}_reason"}
        frame = frame.merge(part.rename(columns=names), on=["agency", "leaf"], how="outer")
    frame["has_evidence"] = frame["has_evidence"].fillna(False).astype(bool)
    frame["has_explanation"] = frame["has_explanation"].fillna(False).astype(bool)
    return as_records(frame[list(RECORD_COLUMNS)])


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


# ------------------------------------------------------------------------- what files would say
def document_issues(cycle: Cycle, block: str, loaded: LoadedSet) -> list[Issue]:
    """The problems of the block's evidence documents (a required detail missing, no file and
    no link, an implausible date), as the engine's file-path parser reports them.

    The parser (:func:`parindex.submission.parse_submission`) reads only the documents of
    entries that have a candidate: a document missing a required detail or a source, or dated
    outside the cycle's years — a wider net than the parser's own date rule, so that nothing it
    would report is missed; what it says is then kept as it says it."""
    year = cycle.year
    required = [
        Evidence.date.is_(None) if key == "date" else getattr(Evidence, key) == ""
        for key in EVIDENCE_REQUIRED
    ]
    candidate = db.or_(
        *required,
        (Evidence.stored_name == "") & (Evidence.url == ""),
        Evidence.date < dt.date(year - 1, 1, 1),
        Evidence.date > dt.date(year + 1, 12, 31),
    )
    entries = (
        db.select(Evidence.entry_id)
        .join(Entry, Evidence.entry_id == Entry.id)
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(_in_block(cycle, block), candidate)
    )
    rows = db.session.execute(
        db.select(Agency.code, Entry.leaf, *EVIDENCE_COLUMNS)
        .join(Entry, Evidence.entry_id == Entry.id)
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(Evidence.entry_id.in_(entries))
        .order_by(Agency.code, Entry.id, Evidence.id)
    ).all()
    documents: dict[str, dict[str, list[Any]]] = {}
    for row in rows:
        documents.setdefault(row.code, {}).setdefault(row.leaf, []).append(row)
    issues: list[Issue] = []
    for agency, leaves in documents.items():
        raw = {
            "agency": agency,
            "year": year,
            "leaves": {leaf: entry_mapping(None, docs) for leaf, docs in leaves.items()},
        }
        for issue in parse_submission(raw, loaded).issues:
            if issue.location.item is not None:  # the documents' own problems only
                issues.append(_readable(issue))
    return issues


def _readable(issue: Issue) -> Issue:
    """The issue located in the domain's words only (agency, leaf, round, document, fact): the
    mapping's path and line mean nothing to a reader of the published notes."""
    return dataclasses.replace(
        issue, location=dataclasses.replace(issue.location, path="", line=None)
    )


def _in_reading_order(result: BlockResult, issues: list[Issue]) -> list[Issue]:
    """A block's issues by agency, then leaf in the criteria's order (stable within a leaf)."""
    leaf_order = {str(code): n for n, code in enumerate(result.leaves["leaf"].cat.categories)}
    return sorted(issues, key=lambda i: (i.location.agency, leaf_order.get(i.location.leaf, -1)))


# ----------------------------------------------------------------------------- a cycle's results
def bulk_results(cycle: Cycle) -> Results:
    """Every block of the cycle validated, scored and ranked from the database column-wise:
    each submission's facts with the panel's rounds (final scores; a draft counts its
    self-scores), agencies without a submission at 0 on every leaf, the survey results the
    secretariat imported (a survey leaf without one scores 0, ``survey-missing``)."""

    def score(record: CriteriaRecord, loaded: LoadedSet) -> tuple[BlockResult, list[Issue]]:
        records, codes, names = block_records(cycle, record.block)
        surveys = block_surveys(cycle, record.block)
        result = score_records(loaded, records, surveys, names, agencies=codes)
        issues = list(result.issues) + document_issues(cycle, record.block, loaded)
        result.issues = _in_reading_order(result, issues)
        return result, result.issues

    return cycle_results(cycle, score)


def cycle_results(
    cycle: Cycle,
    score: Callable[[CriteriaRecord, LoadedSet], tuple[BlockResult, list[Issue]]],
) -> Results:
    """Every block of the cycle, criteria files in name order, scored by ``score`` (a block's
    result and the issues to report), with the criteria's hashes as the inputs."""
    report = Report()
    blocks: dict[str, BlockResult] = {}
    inputs: dict[str, str] = {}
    for record in sorted(cycle.criteria, key=lambda r: r.file_name):
        loaded = loaded_set(record)
        inputs[f"criteria/{cycle.year}/{record.file_name}"] = record.sha256
        result, issues = score(record, loaded)
        report.extend(issues)
        blocks[record.block] = result
    return Results(cycle.year, blocks, report, inputs)
