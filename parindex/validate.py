"""The one value validator: every value check on fact records (:mod:`parindex.facts`), for every
front end — the YAML files (:func:`parindex.submission.parse_submission` maps its issues back to
lines), the database (web/bulk.py, web/engine.py), the Excel import and the benchmarks.

The checks run column-wise on numpy arrays of integer codes (a leaf's position in the set, its rule
kind, the agency's number): counts, plausible dates, facts the leaf's kind does not take, missing
facts, "did not arise" rules, scores on the step and within the maximum, each kind's own value
checks (through the registry), duplicate records, and appraisal rounds that change the self-score
without a reason. An issue is located by agency, leaf, fact and round only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from parindex.criteria import LoadedSet
from parindex.errors import MESSAGES, Issue, Location
from parindex.facts import FACT_COLUMNS, ROUND_COLUMNS
from parindex.ranking import rank
from parindex.rules import KINDS as RULE_KINDS
from parindex.rules import NA_INT, Rows
from parindex.rules.base import UNKNOWN_CHOICE, Kind, Taken
from parindex.scoring import (
    KIND_CODE,
    KINDS,
    POLICY_CODE,
    STATE_CODE,
    BlockResult,
    aggregate,
    grid_frame,
    positions,
    rule_tables,
    score_leaves,
    score_rows,
)
from parindex.units import points_of

MAX_COUNT = 10**9  # counts and amounts above this are refused (keeps integer maths in int64)
FACTS = FACT_COLUMNS
_FACT_NAME = {"score_c": "score", "round1_c": "score", "round2_c": "score"}
_ROUND_OF = {"round1_c": 1, "round2_c": 2}
_POINTS = {"score_c", "round1_c", "round2_c", "max_c", "step"}  # hundredths, shown as points


def _of_kinds(kind: np.ndarray, which: Callable[[Kind], bool]) -> np.ndarray:
    """Which rows (``kind``: codes into the registry) are of a kind ``which`` picks."""
    out = np.zeros(len(kind), dtype=bool)
    for code, k in enumerate(RULE_KINDS):
        if which(k):
            out |= kind == code
    return out


def _present(column: pd.Series) -> np.ndarray:
    return column.notna().to_numpy(dtype=bool)


def validate_records(
    loaded: LoadedSet,
    records: pd.DataFrame,
    year: int | None = None,
    agencies: list[str] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Check every record against its leaf's rule; return the scorer's facts frame (one row per
    agency × leaf of the set, absent leaves empty) and the issues, as the file path would.
    ``agencies`` lists every agency of the block in order, those without a record included
    (they score as empty); by default the agencies are those of the records.

    The work runs on numpy arrays of integer codes (a leaf's position in the set, its rule kind,
    the agency's number); the record's own values are looked at only where a check failed."""
    year = year or loaded.model.year
    tables = rule_tables(loaded)
    leaf_kind = tables.arrays["kind"]
    issues: list[Issue] = []

    # each record's leaf as a position in the rule table (-1: not in the set)
    pos_all = positions(records["leaf"], tables.index)
    if agencies is None:
        agency_all, agency_index = pd.factorize(records["agency"])
    else:
        agency_index = pd.Index(agencies, dtype=object)
        agency_all = positions(records["agency"], agency_index)
        if (agency_all < 0).any():
            raise ValueError("records name an agency that is not in the agencies given")
    known = pos_all >= 0
    if not known.all():
        for i in np.flatnonzero(~known):
            row = records.iloc[int(i)]
            issues.append(
                Issue.make(
                    "unknown-leaf",
                    Location(agency=str(row["agency"]), leaf=str(row["leaf"])),
                    value=str(row["leaf"]),
                )
            )
        df = records[known].reset_index(drop=True)
    else:
        df = records
    pos = pos_all[known]
    agency_codes = agency_all[known]
    n_leaves = len(tables.index)
    n = len(df)
    # the grid slot (agency × leaf) of each record, and for each slot the first record that
    # fills it (n: none); a record that is not the first for its slot is a duplicate
    flat = agency_codes.astype(np.int64) * n_leaves + pos
    rows = np.arange(n, dtype=np.int64)
    source = np.full(len(agency_index) * n_leaves, n, dtype=np.int64)
    np.minimum.at(source, flat, rows)
    dup = source[flat] != rows
    del flat, rows
    kind = leaf_kind[pos]
    max_c = tables.arrays["max_c"][pos]
    steps = tables.arrays["step"][pos]
    present = {c: _present(df[c]) for c in FACTS}
    bad = np.zeros(n, dtype=bool)
    extra: dict[str, np.ndarray] = {"kind": kind, "max_c": max_c, "step": steps}

    def cell(name: str, i: int) -> Any:
        """Row ``i``'s value of a record column or a rule parameter, as a person reads it."""
        if name == "leaf" or name not in extra and name not in df:
            return df["leaf"].iat[i] if name == "leaf" else name  # a fixed text
        value: Any = extra[name][i] if name in extra else df[name].iat[i]
        if name == "kind":
            return KINDS[value]
        if name in _POINTS:
            return points_of(int(value))
        if name == "date":
            return pd.Timestamp(value).date()
        return value

    def flag(
        code: str,
        mask: np.ndarray,
        fact: str = "",
        severity: str = "error",
        value: str | None = None,
        detail: str | None = None,
        invalidates: bool = True,
        rnd: int | None = None,
        **more: Any,
    ) -> None:
        """Report ``code`` on the rows of ``mask``; ``value`` and ``detail`` name a column (or a
        rule parameter) whose row value the issue carries, or are a fixed text."""
        nonlocal bad
        if not mask.any():
            return
        if severity == "error" and invalidates:
            bad |= mask
        name = _FACT_NAME.get(fact, fact)
        key = name if "{key}" in MESSAGES[code] else None
        for i in (int(j) for j in np.flatnonzero(mask)):
            issues.append(
                Issue.make(
                    code,
                    Location(
                        agency=str(df["agency"].iat[i]),
                        leaf=str(df["leaf"].iat[i]),
                        fact=name,
                        round=_ROUND_OF.get(fact, rnd),
                    ),
                    key=key,
                    value=None if value is None else cell(value, i),
                    detail=None if detail is None else cell(detail, i),
                    severity=severity,  # type: ignore[arg-type]
                    **more,
                )
            )

    flag("duplicate-key", dup)

    # facts the leaf's rule does not take
    survey_kind = _of_kinds(kind, lambda k: not k.self_scored)
    any_fact = np.zeros(n, dtype=bool)
    for fact in FACTS:
        name = _FACT_NAME.get(fact, fact)
        takes = [KIND_CODE[k.name] for k in RULE_KINDS if name in k.facts]
        allowed = np.isin(np.arange(len(KINDS)), takes)[kind]  # per kind, then per record
        unexpected = present[fact] & ~allowed
        if unexpected.any():
            flag("survey-self-score", unexpected & survey_kind, fact, value="leaf")
            flag("fact-unexpected", unexpected & ~survey_kind, fact, detail="kind")
        any_fact |= present[fact] & allowed

    # counts
    ints = {
        c: df[c].to_numpy(dtype=np.int64, na_value=NA_INT)
        for c in ("done", "numerator", "denominator", "count", "score_c", "round1_c", "round2_c")
    }
    for fact in ("numerator", "denominator", "count"):
        values = ints[fact]
        flag("negative-count", present[fact] & (values < 0), fact, value=fact)
        flag("count-too-large", present[fact] & (values > MAX_COUNT), fact, value=fact)
    # dates
    lo, hi = np.datetime64(dt.date(year - 1, 1, 1)), np.datetime64(dt.date(year + 1, 3, 31))
    dates = df["date"].to_numpy(dtype="datetime64[D]")
    flag(
        "date-implausible",
        present["date"] & ((dates < lo) | (dates > hi)),
        "date",
        value="date",
        detail=f"{year - 1}-01-01 – {year + 1}-03-31",
        low=dt.date(year - 1, 1, 1),
        high=dt.date(year + 1, 3, 31),
    )

    # each kind's own value checks, on the rows whose facts are otherwise fine
    level_codes = positions(df["level"], tables.level_keys)
    level_codes[present["level"] & (level_codes < 0)] = UNKNOWN_CHOICE
    date_ord = np.where(
        present["date"], (dates - np.datetime64("0001-01-01")).astype("int64") + 1, NA_INT
    )
    fact_columns = {**ints, "date": date_ord, "level": level_codes}
    kind_of_good = np.where(bad, -1, kind)
    rule_columns = {**tables.arrays, "table_a": tables.table_a, "table_b": tables.table_b}
    for code, k in enumerate(RULE_KINDS):
        if type(k).value_checks is Kind.value_checks:
            continue  # the kind has none
        rows = np.flatnonzero(kind_of_good == code)
        if not len(rows):
            continue
        params = Taken(rule_columns, pos[rows])
        view = Rows(params, Taken(fact_columns, rows))
        for problem in k.value_checks(view):
            if not problem.mask.any():
                continue
            mask = np.zeros(n, dtype=bool)
            mask[rows[problem.mask]] = True
            column = "score_c" if problem.fact == "score" else problem.fact
            flag(
                problem.code,
                mask,
                column,
                value=problem.value or None,
                detail=problem.detail or None,
            )

    # scores
    takes_score = _of_kinds(kind, lambda k: "score" in k.facts)
    dropped_rounds: dict[str, np.ndarray] = {}
    for fact in ("score_c", "round1_c", "round2_c"):
        p = _present(df[fact]) & (takes_score | (fact != "score_c"))
        v = ints[fact]
        step = steps  # a self-score and an appraised score are on the same step
        negative = p & (v < 0)
        above = p & (v > max_c)
        off = p & (v >= 0) & (v <= max_c) & (v % step != 0)
        # a bad self-score makes the leaf invalid; a bad appraisal round is only dropped
        invalidates = fact == "score_c"
        flag("score-negative", negative, fact, value=fact, invalidates=invalidates)
        flag("score-above-max", above, fact, value=fact, detail="max_c", invalidates=invalidates)
        flag("score-off-step", off, fact, value=fact, detail="step", invalidates=invalidates)
        dropped_rounds[fact] = negative | above | off

    # did not arise
    reason = df["did_not_arise"]
    claimed = _present(reason)
    empty_reason = np.zeros(n, dtype=bool)
    if claimed.any():  # string work only on the claims
        idx = np.flatnonzero(claimed)
        texts = reason.to_numpy()[idx]
        empty_reason[idx] = [not str(t).strip() for t in texts]
    policy = tables.arrays["policy"][pos]
    not_allowed = (
        claimed
        & ~empty_reason
        & (
            (policy == POLICY_CODE["not-allowed"])
            | survey_kind
            | (tables.arrays["section"][pos] != 0)
        )
    )
    flag("did-not-arise-no-reason", empty_reason, "did_not_arise")
    flag("did-not-arise-not-allowed", not_allowed, "did_not_arise", value="leaf")
    flag(
        "did-not-arise-with-facts",
        claimed & ~empty_reason & ~not_allowed & any_fact,
        "did_not_arise",
    )

    # required facts missing when others are given
    for k in RULE_KINDS:
        for name in k.required:
            col = "score_c" if name == "score" else name
            missing = (kind == KIND_CODE[k.name]) & any_fact & ~present[col] & ~bad
            flag("fact-missing", missing, col, detail="kind")

    state = np.where(
        bad,
        STATE_CODE["invalid"],
        np.where(
            claimed, STATE_CODE["dna"], np.where(any_fact, STATE_CODE["facts"], STATE_CODE["empty"])
        ),
    )

    # a round without a reason: a warning where it changes the self-score (a panel that keeps
    # the agency's score has nothing to explain; a survey leaf has no self-score to keep)
    unreasoned = {
        c: _present(df[c]) & ~df[f"{c[:6]}_reason"].to_numpy(dtype=bool)
        for c in ROUND_COLUMNS
        if f"{c[:6]}_reason" in df
    }
    if any(m.any() for m in unreasoned.values()):
        rows = np.flatnonzero(np.logical_or.reduce(list(unreasoned.values())))
        facts = {c: v[rows] for c, v in fact_columns.items()}
        facts["has_evidence"] = df["has_evidence"].to_numpy(dtype=bool)[rows]
        facts["has_explanation"] = df["has_explanation"].to_numpy(dtype=bool)[rows]
        no_survey = np.full(len(rows), NA_INT, dtype=np.int64)
        self_c = score_rows(tables, pos[rows], state[rows], facts, no_survey).self_c
        self_scored = _of_kinds(kind[rows], lambda k: k.self_scored)
        for c, mask in unreasoned.items():
            changed = np.zeros(n, dtype=bool)
            changed[rows] = mask[rows] & ~(self_scored & (ints[c][rows] == self_c))
            flag("appraisal-no-reason", changed, severity="warning", rnd=_ROUND_OF[c])

    # every agency × every leaf of the set, absent leaves empty: scatter the kept rows into
    # full-length columns at position agency × number of leaves + leaf
    def scatter(values: np.ndarray, default: Any, dtype: Any, clear: Any = None) -> np.ndarray:
        """A record column spread over the grid (``default`` in empty slots and, when given,
        where ``clear`` is true): one sequential copy and one take."""
        extended = np.empty(n + 1, dtype=dtype)
        extended[:n] = values
        if clear is not None:
            extended[:n][clear] = default
        extended[n] = default
        return extended.take(source)

    ints["date"] = date_ord
    columns: dict[str, np.ndarray] = {
        "has_evidence": scatter(df["has_evidence"].to_numpy(dtype=bool), False, bool),
        "has_explanation": scatter(df["has_explanation"].to_numpy(dtype=bool), False, bool),
    }
    for c in ("done", "date", "numerator", "denominator", "count", "score_c"):
        columns[c] = scatter(ints.pop(c), NA_INT, np.int64, bad)
    for c in ("round1_c", "round2_c"):  # a valid round stands even when the facts are bad
        columns[c] = scatter(ints.pop(c), NA_INT, np.int64, dropped_rounds[c])
    frame = grid_frame(
        loaded,
        np.asarray(agency_index, dtype=object),
        columns,
        scatter(state.astype(np.int8), STATE_CODE["empty"], np.int8),
        scatter(np.maximum(level_codes, -1).astype(np.int32), -1, np.int32),
    )
    return frame, issues


def score_records(
    loaded: LoadedSet,
    records: pd.DataFrame,
    surveys: pd.DataFrame | None = None,
    names: dict[str, str] | None = None,
    agencies: list[str] | None = None,
) -> BlockResult:
    """Validate, score and rank one block from records (the bulk path of
    :func:`parindex.scoring.score_block`). ``surveys``: agency, survey_key, result_u."""
    facts, issues = validate_records(loaded, records, agencies=agencies)
    leaves, more = score_leaves(loaded, facts, surveys)
    totals, components = aggregate(loaded, leaves)
    totals.insert(1, "name", [(names or {}).get(a, a) for a in totals["agency"]])
    return BlockResult(loaded, rank(loaded.model, totals), leaves, components, issues + more)
