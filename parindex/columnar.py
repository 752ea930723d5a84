"""Column-wise validation of submissions held in memory (the bulk path).

The file path (parindex.submission) checks one YAML mapping at a time, which reads naturally and
locates problems by line. For hundreds of thousands of agencies the same checks run here on whole
columns: the input is one row per agency × leaf with the facts as typed columns, the output is
the facts frame the scorer takes, plus the same issue codes. A test holds the two paths to the
same results on generated data.

Records columns (absent values are NA):

=================  ======================================================================
agency, leaf       str
done               nullable Int64 (1 true, 0 false)
date               datetime64 (NaT when absent)
numerator,         nullable Int64
denominator, count
level              str or None
score_c            nullable Int64: a manual score in hundredths of a point
round1_c, round2_c nullable Int64: appraised scores in hundredths
did_not_arise      str or None: the reason when "did not arise" is claimed
has_evidence,      bool
has_explanation
=================  ======================================================================
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from parindex.criteria import LoadedSet, ManualRule
from parindex.errors import Issue, Location
from parindex.scoring import NA_INT, rule_tables
from parindex.submission import KIND_FACTS, MAX_COUNT
from parindex.units import to_cents

FACTS = ("done", "date", "numerator", "denominator", "count", "level", "score_c")
_FACT_NAME = {"score_c": "score"}
RECORD_COLUMNS = (
    "agency",
    "leaf",
    *FACTS,
    "round1_c",
    "round2_c",
    "did_not_arise",
    "has_evidence",
    "has_explanation",
)


def _steps(loaded: LoadedSet) -> dict[str, int]:
    m = loaded.model
    items = [leaf for _, _, leaf in m.leaves()] + list(m.bonus.items) + list(m.penalty.items)
    return {
        leaf.code: to_cents(leaf.rule.step) if isinstance(leaf.rule, ManualRule) else 1
        for leaf in items
    }


def validate_records(
    loaded: LoadedSet, records: pd.DataFrame, year: int | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Check every record against its leaf's rule; return the scorer's facts frame (one row per
    agency × leaf of the set, absent leaves empty) and the issues, as the file path would."""
    year = year or loaded.model.year
    tables = rule_tables(loaded)
    leaves = tables.leaves
    issues: list[Issue] = []
    flagged: dict[str, np.ndarray] = {}

    # each record's leaf as a position in the rule table (-1: not in the set)
    pos_all = pd.Index(leaves["leaf"]).get_indexer(records["leaf"])
    known = pos_all >= 0
    for i in np.flatnonzero(~known):
        row = records.iloc[int(i)]
        issues.append(
            Issue.make(
                "unknown-leaf", Location(agency=row["agency"], leaf=row["leaf"]), value=row["leaf"]
            )
        )
    df = records[known].reset_index(drop=True) if not known.all() else records
    pos = pos_all[known]
    step_of = _steps(loaded)
    for col in ("kind", "max_c", "policy", "section"):
        df = df.assign(**{col: leaves[col].to_numpy()[pos]})
    steps = np.array([step_of[c] for c in leaves["leaf"]], dtype="int64")[pos]
    dup = df.duplicated(["agency", "leaf"], keep="first").to_numpy()
    n = len(df)
    kind = df["kind"].to_numpy()
    present = {c: df[c].notna().to_numpy() for c in FACTS}
    bad = np.zeros(n, dtype=bool)

    def flag(
        code: str,
        mask: np.ndarray,
        fact: str = "",
        severity: str = "error",
        value: Any = None,
        detail: Any = None,
        invalidates: bool = True,
    ) -> None:
        nonlocal bad
        if not mask.any():
            return
        if severity == "error" and invalidates:
            bad |= mask
        flagged[code] = mask
        for i in (int(j) for j in np.flatnonzero(mask)):
            issues.append(
                Issue.make(
                    code,
                    Location(
                        agency=str(df["agency"].iat[i]),
                        leaf=str(df["leaf"].iat[i]),
                        field=_FACT_NAME.get(fact, fact),
                    ),
                    key=_FACT_NAME.get(fact, fact),
                    value=df[value].iat[i]
                    if isinstance(value, str) and value in df
                    else (df["leaf"].iat[i] if value == "leaf" else ""),
                    detail=df[detail].iat[i]
                    if isinstance(detail, str) and detail in df
                    else (detail or ""),
                    severity=severity,  # type: ignore[arg-type]
                )
            )

    flag("duplicate-key", dup)

    # facts the leaf's rule does not take
    any_fact = np.zeros(n, dtype=bool)
    for fact in FACTS:
        name = _FACT_NAME.get(fact, fact)
        allowed = np.isin(kind, [k for k, (req, opt) in KIND_FACTS.items() if name in req + opt])
        unexpected = present[fact] & ~allowed
        flag("survey-self-score", unexpected & (kind == "survey"), fact, value="leaf")
        flag("fact-unexpected", unexpected & (kind != "survey"), fact, detail="kind")
        any_fact |= present[fact] & allowed

    # counts
    for fact in ("numerator", "denominator", "count"):
        values = df[fact].to_numpy(dtype="float64", na_value=np.nan)
        flag("negative-count", present[fact] & (values < 0), fact, value=fact)
        flag("count-too-large", present[fact] & (values > MAX_COUNT), fact, value=fact)
    num = df["numerator"].to_numpy(dtype="int64", na_value=-1)
    den = df["denominator"].to_numpy(dtype="int64", na_value=-1)
    flag(
        "numerator-above-denominator",
        present["numerator"] & present["denominator"] & (num > den) & (den >= 0),
        "numerator",
        value="numerator",
        detail="denominator",
    )

    # dates
    lo, hi = np.datetime64(dt.date(year - 1, 1, 1)), np.datetime64(dt.date(year + 1, 3, 31))
    dates = df["date"].to_numpy(dtype="datetime64[D]")
    flag(
        "date-implausible",
        present["date"] & ((dates < lo) | (dates > hi)),
        "date",
        detail=f"{year - 1}-01-01 – {year + 1}-03-31",
    )
    done = df["done"].to_numpy(dtype="int64", na_value=NA_INT)
    flag(
        "fact-wrong-type",
        present["date"] & (done == 0) & (kind == "deadline"),
        "date",
        detail="đã khai 'done: false' thì không ghi ngày",
    )
    flag(
        "fact-missing", (kind == "deadline") & (done == 1) & ~present["date"], "date", detail="kind"
    )

    # levels
    graded = present["level"] & (kind == "graded")
    if graded.any():
        pairs = pd.MultiIndex.from_frame(tables.levels[["leaf", "level"]])
        ok = pd.MultiIndex.from_arrays([df["leaf"], df["level"]]).isin(pairs)
        flag("unknown-level", graded & ~ok, "level", value="level")

    # scores
    max_c = df["max_c"].to_numpy(dtype="int64")
    dropped_rounds: dict[str, np.ndarray] = {}
    for fact in ("score_c", "round1_c", "round2_c"):
        p = df[fact].notna().to_numpy() & ((kind == "manual") | (fact != "score_c"))
        v = df[fact].to_numpy(dtype="int64", na_value=0)
        step = steps if fact == "score_c" else np.where(kind == "manual", steps, 1)
        negative = p & (v < 0)
        above = p & (v > max_c)
        off = p & (v >= 0) & (v <= max_c) & (v % step != 0)
        # a bad self-score makes the leaf invalid; a bad appraisal round is only dropped
        invalidates = fact == "score_c"
        flag("score-negative", negative, fact, value=fact, invalidates=invalidates)
        flag("score-above-max", above, fact, value=fact, detail="max_c", invalidates=invalidates)
        flag("score-off-step", off, fact, value=fact, invalidates=invalidates)
        dropped_rounds[fact] = negative | above | off

    # did not arise
    reason = df["did_not_arise"]
    claimed = reason.notna().to_numpy()
    empty_reason = np.zeros(n, dtype=bool)
    if claimed.any():  # string work only on the claims
        idx = np.flatnonzero(claimed)
        texts = reason.to_numpy()[idx]
        empty_reason[idx] = [not str(t).strip() for t in texts]
    policy = df["policy"].to_numpy()
    not_allowed = (
        claimed
        & ~empty_reason
        & ((policy == "not-allowed") | (kind == "survey") | (df["section"].to_numpy() != "tree"))
    )
    flag("did-not-arise-no-reason", empty_reason, "did_not_arise")
    flag("did-not-arise-not-allowed", not_allowed, "did_not_arise", value="leaf")
    flag(
        "did-not-arise-with-facts",
        claimed & ~empty_reason & ~not_allowed & any_fact,
        "did_not_arise",
    )

    # required facts missing when others are given
    for k, (required, _) in KIND_FACTS.items():
        for name in required:
            col = "score_c" if name == "score" else name
            missing = (kind == k) & any_fact & ~present[col] & ~bad
            flag("fact-missing", missing, col, detail="kind")

    state = np.where(bad, "invalid", np.where(claimed, "dna", np.where(any_fact, "facts", "empty")))
    # every agency × every leaf of the set, absent leaves empty: scatter the kept rows into
    # full-length columns at position agency × number of leaves + leaf
    codes = leaves["leaf"].to_numpy()
    agency_codes, agencies = pd.factorize(records["agency"])
    keep = ~dup
    flat = agency_codes[known][keep] * len(codes) + pos[keep]
    size = len(agencies) * len(codes)

    def scatter(values: np.ndarray, default: Any, dtype: Any) -> np.ndarray:
        full = np.full(size, default, dtype=dtype)
        full[flat] = values[keep]
        return full

    def ints(col: str) -> np.ndarray:
        return df[col].to_numpy(dtype="int64", na_value=NA_INT)

    date_ord = np.where(
        present["date"], (dates - np.datetime64("0001-01-01")).astype("int64") + 1, NA_INT
    )
    columns: dict[str, np.ndarray] = {
        "agency": np.repeat(np.asarray(agencies, dtype=object), len(codes)),
        "leaf": np.tile(codes, len(agencies)),
        "state": scatter(state.astype(object), "empty", object),
        "level": scatter(df["level"].to_numpy(dtype=object, na_value=""), "", object),
        "has_evidence": scatter(df["has_evidence"].to_numpy(dtype=bool), False, bool),
        "has_explanation": scatter(df["has_explanation"].to_numpy(dtype=bool), False, bool),
        "done": scatter(np.where(bad, NA_INT, done), NA_INT, "int64"),
        "date": scatter(np.where(bad, NA_INT, date_ord), NA_INT, "int64"),
    }
    for c in ("numerator", "denominator", "count", "score_c"):
        columns[c] = scatter(np.where(bad, NA_INT, ints(c)), NA_INT, "int64")
    for c in ("round1_c", "round2_c"):  # a valid round stands even when the facts are bad
        columns[c] = scatter(np.where(dropped_rounds[c], NA_INT, ints(c)), NA_INT, "int64")
    return pd.DataFrame(columns), issues


def records_from_submissions(loaded: LoadedSet, subs: list[dict[str, Any]]) -> pd.DataFrame:
    """Submission mappings (as in the YAML files) as records — for tests and loaders."""
    rows: list[dict[str, Any]] = []
    for sub in subs:
        for code, entry in (sub.get("leaves") or {}).items():
            entry = entry or {}
            appraisal = entry.get("appraisal") or {}
            score = entry.get("score")
            rows.append(
                {
                    "agency": sub["agency"],
                    "leaf": str(code),
                    "done": None if entry.get("done") is None else int(bool(entry["done"])),
                    "date": entry.get("date"),
                    "numerator": entry.get("numerator"),
                    "denominator": entry.get("denominator"),
                    "count": entry.get("count"),
                    "level": entry.get("level"),
                    "score_c": None if score is None else int(score * 100),
                    "round1_c": _round(appraisal, "round1"),
                    "round2_c": _round(appraisal, "round2"),
                    "did_not_arise": entry.get("did_not_arise"),
                    "has_evidence": bool(entry.get("evidence")),
                    "has_explanation": bool(str(entry.get("explanation") or "").strip()),
                }
            )
    return as_records(pd.DataFrame(rows, columns=list(RECORD_COLUMNS)))


def _round(appraisal: dict[str, Any], key: str) -> int | None:
    value = (appraisal.get(key) or {}).get("score")
    return None if value is None else int(value * 100)


def as_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a records frame its column types."""
    frame = frame.copy()
    for c in ("done", "numerator", "denominator", "count", "score_c", "round1_c", "round2_c"):
        frame[c] = frame[c].astype("Int64")
    frame["date"] = pd.to_datetime(frame["date"])
    frame["level"] = frame["level"].astype(object)
    frame["did_not_arise"] = frame["did_not_arise"].astype(object)
    return frame
