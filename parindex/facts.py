"""The fact record: what every front end (a YAML file, the web form, the Excel template, the
database's JSON) parses an agency's entry for one leaf into, and what the one value validator
(:mod:`parindex.validate`) checks.

One row per agency × leaf; a block's rows are *records*, a frame with these columns (absent
values are NA):

=======================  ===================================================================
agency, leaf             str
done                     nullable Int64 (1 true, 0 false)
date                     datetime64 (NaT when absent)
numerator,               nullable Int64
denominator, count
level                    str or None
score_c                  nullable Int64: a self-score in hundredths of a point
round1_c, round2_c       nullable Int64: the panel's scores in hundredths
did_not_arise            str or None: the reason when "did not arise" is claimed
has_evidence,            bool
has_explanation
round1_reason,           bool: the round gives a reason (a round that changes the self-score
round2_reason            needs one); true where the front end does not know
=======================  ===================================================================

A front end says *where* each value came from itself; the validator locates an issue by agency,
leaf, fact and round, and the front end maps that back to its line, input or cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from operator import attrgetter
from typing import Any

import pandas as pd

from parindex.units import to_cents

#: the facts a leaf's rule reads, as record columns (the ``score`` fact is ``score_c``)
FACT_COLUMNS = ("done", "date", "numerator", "denominator", "count", "level", "score_c")
INT_COLUMNS = ("done", "numerator", "denominator", "count", "score_c", "round1_c", "round2_c")
ROUND_COLUMNS = ("round1_c", "round2_c")


@dataclass
class FactRow:
    """One agency × one leaf as a front end read it. Points are integer hundredths."""

    agency: str
    leaf: str
    done: bool | None = None
    date: dt.date | None = None
    numerator: int | None = None
    denominator: int | None = None
    count: int | None = None
    level: str | None = None
    score_c: int | None = None
    round1_c: int | None = None
    round2_c: int | None = None
    did_not_arise: str | None = None
    has_evidence: bool = False
    has_explanation: bool = False
    round1_reason: bool = True
    round2_reason: bool = True


RECORD_COLUMNS = tuple(f.name for f in fields(FactRow))


def records(rows: Iterable[FactRow]) -> pd.DataFrame:
    """Fact rows as records (the block boundary: the only place they become a frame)."""
    row_of = attrgetter(*RECORD_COLUMNS)
    frame = pd.DataFrame([row_of(r) for r in rows], columns=list(RECORD_COLUMNS), dtype=object)
    return as_records(frame)


def as_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a records frame its column types; rounds without reason flags have reasons."""
    frame = frame.copy()
    for c in INT_COLUMNS:
        frame[c] = frame[c].astype("Int64")
    frame["date"] = pd.to_datetime(frame["date"])
    frame["level"] = frame["level"].astype(object)
    frame["did_not_arise"] = frame["did_not_arise"].astype(object)
    for c in ("round1_reason", "round2_reason"):
        frame[c] = frame[c].fillna(True).astype(bool) if c in frame else True
    return frame[list(RECORD_COLUMNS)]


def score_cents(value: Any) -> int | None:
    """A score (1.25, "1.25") as integer hundredths, None when absent. Records hold hundredths:
    a score with more decimals cannot be one, and is refused rather than cut (the file path
    reports it as an error with its line)."""
    if value is None or value == "" or value != value:  # absent, empty or NaN
        return None
    try:
        return to_cents(Decimal(str(value)))
    except (ValueError, ArithmeticError) as e:
        raise ValueError(f"điểm “{value}” không phải là số có tối đa 2 chữ số thập phân") from e


def records_from_submissions(subs: list[dict[str, Any]]) -> pd.DataFrame:
    """Submission mappings (as in the YAML files) as records — for tests and loaders."""
    rows: list[FactRow] = []
    for sub in subs:
        agency = sub["agency"]
        for code, entry in (sub.get("leaves") or {}).items():
            get = (entry or {}).get
            appraisal = get("appraisal") or {}
            r1, r2 = (appraisal.get(r) or {} for r in ("round1", "round2"))
            given = get("done")
            rows.append(
                FactRow(
                    agency,
                    str(code),
                    None if given is None else bool(given),
                    get("date"),
                    get("numerator"),
                    get("denominator"),
                    get("count"),
                    get("level"),
                    score_cents(get("score")),
                    score_cents(r1.get("score")),
                    score_cents(r2.get("score")),
                    get("did_not_arise"),
                    bool(get("evidence")),
                    bool(str(get("explanation") or "").strip()),
                    bool(str(r1.get("reason") or "").strip()),
                    bool(str(r2.get("reason") or "").strip()),
                )
            )
    return records(rows)
