"""A cycle's results from the database, column-wise: the one path by which the web app computes
a cycle's ranking — the preview the secretariat checks, every published version, and any page
that shows a cycle's results.

One query per table and block reads the entries (their facts taken out of the JSON by the
database: ``json_extract`` in SQLite, ``->>`` in PostgreSQL), which entries have documents, the
panel's rounds and the survey results, as the driver's plain rows; the engine's records path
(:func:`parindex.validate.score_records`: the one value validator, then the scoring core)
validates, scores and ranks them; the rounds that change a self-score without a reason are the
validator's too. What a submission
mapping would also carry is read here too: the documents' own problems (checked by the engine's
file-path parser on the few documents that may have one), the rounds that change a self-score
without a reason, drafts with their self-scores, and agencies without a submission (every leaf
0). A test holds it to hand-worked figures and to the engine's file path on the same data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from parindex.criteria import LoadedSet
from parindex.dataset import collector_paused
from parindex.errors import Issue, Report
from parindex.facts import RECORD_COLUMNS, as_records, score_cents
from parindex.results import Results
from parindex.scoring import BlockResult
from parindex.submission import EVIDENCE_REQUIRED, parse_submission
from parindex.survey import SurveyResult as SurveyRow
from parindex.validate import score_records
from web.engine import EVIDENCE_COLUMNS, entry_mapping, loaded_set
from web.models import (
    ENTRY_DATA_KEYS,
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

#: an entry's facts, as ``Entry.data`` holds them
_FACTS = ENTRY_DATA_KEYS
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


def _nullable_ints(values: Any, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    """Integers with None (or where ``missing``) as a nullable Int64 array (exact: never
    through floats)."""
    if missing is None:
        missing = pd.isna(values)
    filled = np.where(missing, 0, values).astype(np.int64)
    return pd.arrays.IntegerArray(filled, missing)


def _objects(values: np.ndarray) -> pd.Series:
    """An object column as it is (no string inference)."""
    return pd.Series(values, dtype=object, copy=False)


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
    codes, ids, leaves, data = _entries(in_block)
    with_documents = _with_documents(in_block)
    rounds = _rows(
        db.select(
            Agency.code,
            Appraisal.leaf,
            Appraisal.round,
            Appraisal.score_c,
            Appraisal.reason,
            Entry.id,
        )
        .join(Submission, Appraisal.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .outerjoin(
            Entry,
            (Entry.submission_id == Appraisal.submission_id) & (Entry.leaf == Appraisal.leaf),
        )
        .where(in_block, Appraisal.score_c.is_not(None))
        .order_by(Agency.code, Appraisal.id)
    )
    frame, kept = _entries_frame(codes, ids, leaves, data, with_documents)
    records = _with_rounds(frame, kept, rounds)
    return records, [a.code for a in agencies], {a.code: a.name for a in agencies}


def _entries(in_block: Any) -> tuple[list[str], list[int], list[str], list[Any]]:
    """The block's entries as columns: agency code, entry id, leaf, ``Entry.data`` decoded.

    SQLite hands each column over as one JSON array (one row in all, ``json_group_array``, the
    stored data texts joined by ``group_concat``) decoded by one ``json.loads`` each: a row per
    entry costs the driver more than the database's own work, and reading the facts out of the
    JSON in SQL (``json_extract`` per fact) costs it more still. The arrays are built in one
    pass over the same rows, so they stay aligned. Other databases hand over one row per
    entry (the data decoded by the driver)."""
    query = (
        db.select(Agency.code.label("agency"), Entry.id, Entry.leaf, Entry.data)
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block)
        .order_by(Agency.code, Entry.leaf)  # the order of the indexes: no sorting
    )
    if db.session.get_bind().dialect.name == "sqlite":
        q = query.subquery()
        [columns] = _rows(
            db.select(
                db.func.json_group_array(q.c.agency),
                db.func.json_group_array(q.c.id),
                db.func.json_group_array(q.c.leaf),
                "[" + db.func.coalesce(db.func.group_concat(q.c.data, ","), "") + "]",
            )
        )
        codes, ids, leaves, data = (json.loads(c) for c in columns)
        return codes, ids, leaves, data
    rows = _rows(query)
    if not rows:
        return [], [], [], []
    codes, ids, leaves, data = (list(c) for c in zip(*rows, strict=True))
    return codes, ids, leaves, [json.loads(d) if isinstance(d, str) else d for d in data]


def _with_documents(in_block: Any) -> np.ndarray:
    """The ids of the block's entries that have a document. SQLite hands them over as one text
    of comma-separated ids (a row per id cost more than the database's work)."""
    query = (
        db.select(Evidence.entry_id)
        .distinct()
        .join(Entry, Evidence.entry_id == Entry.id)
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(in_block)
    )
    if db.session.get_bind().dialect.name == "sqlite":
        q = query.subquery()
        [(text,)] = _rows(db.select(db.func.coalesce(db.func.group_concat(q.c.entry_id, ","), "")))
        return np.array(text.split(",") if text else [], dtype=np.int64)
    return np.array([e for (e,) in _rows(query)], dtype=np.int64)


def _entries_frame(
    codes: list[str],
    ids: list[int],
    leaves: list[str],
    data: list[Any],
    with_documents: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Entries (one row each, facts as columns), emptied entries left out (their leaf is
    empty), as the first columns of the engine's records; and the kept entries' ids."""
    n = len(ids)
    cols, absent = _fact_columns(data)
    explanation = cols["explanation"]
    has_explanation = np.zeros(n, dtype=bool)
    given = ~absent["explanation"]
    has_explanation[given] = [bool(t.strip()) for t in explanation[given]]
    entry_ids = np.array(ids, dtype=np.int64)
    has_evidence = np.isin(entry_ids, with_documents)
    present = has_evidence | has_explanation | ~absent["did_not_arise"]
    for name in _FACTS[:-2]:
        present |= ~absent[name]
    score_c = np.zeros(n, dtype=np.int64)
    scored = ~absent["score"]
    score_c[scored] = np.array([score_cents(v) for v in cols["score"][scored]], dtype=np.int64)
    frame = pd.DataFrame(
        {
            # categoricals: a block has a few thousand agencies and a hundred leaves, so the
            # validator finds each row's agency and leaf through its categories; text columns
            # stay object (pandas would otherwise infer and check 400,000 strings each)
            "agency": pd.Categorical(codes),
            "leaf": pd.Categorical(leaves),
            "done": _nullable_ints(cols["done"] != 0, absent["done"]),
            "date": _objects(cols["date"]),
            **{name: _nullable_ints(cols[name], absent[name]) for name in _INTEGERS},
            "level": _objects(cols["level"]),
            "score_c": _nullable_ints(score_c, absent["score"]),
            "did_not_arise": _objects(cols["did_not_arise"]),
            "has_evidence": has_evidence,
            "has_explanation": has_explanation,
        }
    )
    return frame[present].reset_index(drop=True), entry_ids[present]


def _fact_columns(data: list[Any]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The facts of each entry's data (a mapping, or None) as one column per fact (other keys
    ignored), None where absent — "" counts as absent for text, and a number where text is
    stored becomes its text — and each column's mask of absent values."""
    table = pd.DataFrame([d or {} for d in data], columns=list(_FACTS), dtype=object)
    cols = {name: table[name].to_numpy(dtype=object, copy=True) for name in _FACTS}
    absent = {}
    for name, col in cols.items():
        missing = pd.isna(col)
        if name in _TEXT:
            missing |= col == ""
            held = np.flatnonzero(~missing)
            odd = held[np.array([not isinstance(v, str) for v in col[held]], dtype=bool)]
            col[odd] = [str(v) for v in col[odd]]
        col[missing] = None
        absent[name] = missing
    return cols, absent


def _with_rounds(
    frame: pd.DataFrame, entry_ids: np.ndarray, rounds: list[tuple[Any, ...]]
) -> pd.DataFrame:
    """The entries with the panel's rounds as ``round1_c`` and ``round2_c`` and whether each
    gives a reason (``round1_reason``, ``round2_reason``; a round on a leaf without a kept entry
    makes a record of its own), as the engine's records. A round finds its
    entry by the entry's id (the query's join on submission and leaf)."""
    n = len(frame)
    at = pd.Index(entry_ids).get_indexer(
        np.array([-1 if r[5] is None else r[5] for r in rounds], dtype=np.int64)
    )
    own: dict[tuple[str, str], int] = {}  # (agency, leaf) of a round without an entry → row
    for i, r in enumerate(rounds):
        if at[i] < 0:
            at[i] = own.setdefault((r[0], r[1]), n + len(own))
    if own:
        extra = pd.DataFrame(
            {"agency": [a for a, _ in own], "leaf": [leaf for _, leaf in own]}, dtype=object
        )
        frame = pd.concat([frame, extra], ignore_index=True)
        frame["has_evidence"] = frame["has_evidence"].fillna(False).astype(bool)
        frame["has_explanation"] = frame["has_explanation"].fillna(False).astype(bool)
    for rnd in (1, 2):
        column = np.full(len(frame), None, dtype=object)
        mine = [i for i, r in enumerate(rounds) if r[2] == rnd]
        column[at[mine]] = [rounds[i][3] for i in mine]
        frame[f"round{rnd}_c"] = _nullable_ints(column)
        reason = np.ones(len(frame), dtype=bool)  # no round: nothing to explain
        reason[at[mine]] = [bool((rounds[i][4] or "").strip()) for i in mine]
        frame[f"round{rnd}_reason"] = reason
    return as_records(frame[list(RECORD_COLUMNS)])


def block_surveys(cycle: Cycle, block: str) -> pd.DataFrame:
    rows = _rows(
        db.select(Agency.code, SurveyResult.survey, SurveyResult.result_u, SurveyResult.sample_size)
        .join(Agency, SurveyResult.agency_id == Agency.id)
        .where(SurveyResult.cycle_id == cycle.id, Agency.block == block)
        .order_by(SurveyResult.id)
    )
    return pd.DataFrame(rows, columns=["agency", "survey_key", "result_u", "sample_size"]).astype(
        {"result_u": "int64"}
    )


def survey_rows(frame: pd.DataFrame) -> list[SurveyRow]:
    """A block's survey results with their sample sizes, as the engine's survey reader gives
    them (the rank intervals of parindex.robustness read the sample sizes)."""
    return [
        SurveyRow(str(a), str(k), int(u), None if pd.isna(n) else int(n), 0)
        for a, k, u, n in zip(
            frame["agency"],
            frame["survey_key"],
            frame["result_u"],
            frame["sample_size"],
            strict=True,
        )
    ]


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
def bulk_results(cycle: Cycle, *, documents: bool = True) -> Results:
    """Every block of the cycle validated, scored and ranked from the database column-wise:
    each submission's facts with the panel's rounds (final scores; a draft counts its
    self-scores), agencies without a submission at 0 on every leaf, the survey results the
    secretariat imported (a survey leaf without one scores 0, ``survey-missing``).
    ``documents=False``: the report leaves out the evidence documents' own problems, which
    only the report shows — for a caller that shows
    the ranking alone (the preview), they are not looked for."""

    samples: list[SurveyRow] = []

    def score(record: CriteriaRecord, loaded: LoadedSet) -> tuple[BlockResult, list[Issue]]:
        records, codes, names = block_records(cycle, record.block)
        surveys = block_surveys(cycle, record.block)
        samples.extend(survey_rows(surveys))
        result = score_records(loaded, records, surveys, names, agencies=codes)
        issues = list(result.issues)
        if documents:
            issues += document_issues(cycle, record.block, loaded)
        result.issues = _in_reading_order(result, issues)
        return result, result.issues

    with collector_paused():  # half a million decoded entries, made and dropped
        results = cycle_results(cycle, score)
    results.surveys = samples
    return results


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
