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
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from parindex.criteria import LoadedSet
from parindex.errors import MESSAGES, Issue, Location
from parindex.facts import FACT_COLUMNS, INT_COLUMNS, ROUND_COLUMNS, FactRow
from parindex.ranking import rank
from parindex.rules import KINDS as RULE_KINDS
from parindex.rules import NA_INT, Rows, kind_of
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


def _kind_table(which: Callable[[Kind], bool]) -> np.ndarray:
    """For each kind of the registry (by code), whether ``which`` picks it."""
    return np.array([which(k) for k in RULE_KINDS], dtype=bool)


#: per kind code: self-scored, and for each fact whether the kind takes it (rows pick from
#: these tables by their kind code: one take, not a loop over kinds per row set)
_SELF_SCORED = _kind_table(lambda k: k.self_scored)
_TAKES = {
    fact: _kind_table(lambda k: fact in k.facts)  # noqa: B023 (called at once)
    for fact in ("done", "date", "numerator", "denominator", "count", "level", "score")
}


def _present(column: pd.Series) -> np.ndarray:
    return column.notna().to_numpy(dtype=bool)


@dataclass
class Columns:
    """Fact rows as the validator reads them: numpy arrays of equal length.

    ``ints``: done, numerator, denominator, count, score_c, round1_c, round2_c as int64
    (``NA_INT`` where absent, ``present`` says which); ``date`` datetime64[D] (NaT); ``level`` codes
    into the set's level keys (-1 absent, ``UNKNOWN_CHOICE`` a key the set does not have);
    ``flags``: has_evidence, has_explanation, round1_reason, round2_reason, unreadable (bool);
    ``did_not_arise`` object (None absent). ``raw(column, row)`` gives a row's value as the
    front end read it (for messages); ``agency``/``leaf`` each row's codes."""

    ints: dict[str, np.ndarray]
    present: dict[str, np.ndarray]
    date: np.ndarray
    level: np.ndarray
    did_not_arise: np.ndarray
    flags: dict[str, np.ndarray]
    raw: Callable[[str, int], Any]


@dataclass
class Checked:
    """What the checks found, per row: its leaf's position in the set's rule table, its state
    (codes into STATES), whether its facts are bad (cleared before scoring), which rounds are
    dropped, and the fact columns the scorer takes (dates as day ordinals, levels as codes, -1
    for none; ``has_evidence`` and ``has_explanation`` as booleans)."""

    pos: np.ndarray
    state: np.ndarray
    bad: np.ndarray
    dropped: dict[str, np.ndarray]
    facts: dict[str, np.ndarray]
    issues: list[Issue]


def _check(
    loaded: LoadedSet,
    cols: Columns,
    pos: np.ndarray,
    dup: np.ndarray,
    year: int,
) -> Checked:
    """Every value check on rows whose leaves are at ``pos`` in the set's rule table."""
    tables = rule_tables(loaded)
    issues: list[Issue] = []
    n = len(pos)
    kind = tables.arrays["kind"][pos]
    max_c = tables.arrays["max_c"][pos]
    steps = tables.arrays["step"][pos]
    present = cols.present
    ints = cols.ints
    bad = cols.flags["unreadable"].copy()
    extra: dict[str, np.ndarray] = {"kind": kind, "max_c": max_c, "step": steps}

    def cell(name: str, i: int) -> Any:
        """Row ``i``'s value of a fact or a rule parameter, as a person reads it (else
        ``name`` itself: a fixed text)."""
        if name == "leaf":
            return cols.raw("leaf", i)
        if name == "levels":
            return ", ".join(_kind_and_rule(loaded, cols.raw("leaf", i)))
        if name in extra:
            value: Any = extra[name][i]
            return KINDS[value] if name == "kind" else points_of(int(value))
        if name in _POINTS:
            return points_of(int(ints[name][i]))
        if name in present or name == "did_not_arise":
            return cols.raw(name, i)
        return name

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
        """Report ``code`` on the rows of ``mask``; ``value`` and ``detail`` name a fact (or a
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
                        agency=str(cols.raw("agency", i)),
                        leaf=str(cols.raw("leaf", i)),
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
    survey_kind = ~_SELF_SCORED[kind]
    any_fact = np.zeros(n, dtype=bool)
    for fact in FACTS:
        name = _FACT_NAME.get(fact, fact)
        allowed = _TAKES[name][kind]
        unexpected = present[fact] & ~allowed
        if unexpected.any():
            flag("survey-self-score", unexpected & survey_kind, fact, value="leaf")
            flag("fact-unexpected", unexpected & ~survey_kind, fact, detail="kind")
        any_fact |= present[fact] & allowed

    # counts
    for fact in ("numerator", "denominator", "count"):
        values = ints[fact]
        if not (present[fact] & ((values < 0) | (values > MAX_COUNT))).any():
            continue  # the common case: one test for both bounds
        flag("negative-count", present[fact] & (values < 0), fact, value=fact)
        flag("count-too-large", present[fact] & (values > MAX_COUNT), fact, value=fact)
    # dates
    low, high = dt.date(year - 1, 1, 1), dt.date(year + 1, 3, 31)
    dates = cols.date
    flag(
        "date-implausible",
        present["date"] & ((dates < np.datetime64(low)) | (dates > np.datetime64(high))),
        "date",
        value="date",
        detail=f"{low.isoformat()} – {high.isoformat()}",
        low=low,
        high=high,
    )

    # each kind's own value checks, on the rows whose facts are otherwise fine
    date_ord = np.where(
        present["date"], (dates - np.datetime64("0001-01-01")).astype("int64") + 1, NA_INT
    )
    facts = {**ints, "date": date_ord, "level": cols.level}
    kind_of_good = np.where(bad, -1, kind)
    rule_columns = {**tables.arrays, "table_a": tables.table_a, "table_b": tables.table_b}
    for code, k in enumerate(RULE_KINDS):
        if type(k).value_checks is Kind.value_checks:
            continue  # the kind has none
        rows = np.flatnonzero(kind_of_good == code)
        if not len(rows):
            continue
        view = Rows(Taken(rule_columns, pos[rows]), Taken(facts, rows))
        for problem in k.value_checks(view):
            if not problem.mask.any():
                continue
            mask = np.zeros(n, dtype=bool)
            mask[rows[problem.mask]] = True
            detail = problem.detail or ("levels" if problem.code == "unknown-level" else None)
            flag(
                problem.code,
                mask,
                "score_c" if problem.fact == "score" else problem.fact,
                value=problem.value or None,
                detail=detail,
            )

    # scores: a bad self-score makes the leaf invalid; a bad appraisal round is only dropped
    takes_score = _TAKES["score"][kind]
    dropped: dict[str, np.ndarray] = {}
    for fact in ("score_c", *ROUND_COLUMNS):
        p = present[fact] & (takes_score | (fact != "score_c"))
        dropped[fact] = np.zeros(n, dtype=bool)
        if not p.any():
            continue  # no such score (a page's rounds before the appraisal)
        v = ints[fact]
        negative = p & (v < 0)
        above = p & (v > max_c)
        off = p & (v >= 0) & (v <= max_c) & (v % steps != 0)  # a round is on the same step
        invalidates = fact == "score_c"
        flag("score-negative", negative, fact, value=fact, invalidates=invalidates)
        flag("score-above-max", above, fact, value=fact, detail="max_c", invalidates=invalidates)
        flag("score-off-step", off, fact, value=fact, detail="step", invalidates=invalidates)
        dropped[fact] = negative | above | off

    # did not arise
    claimed = present["did_not_arise"]
    empty_reason = np.zeros(n, dtype=bool)
    if claimed.any():  # string work only on the claims
        idx = np.flatnonzero(claimed)
        empty_reason[idx] = [not str(t).strip() for t in cols.did_not_arise[idx]]
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
    given = any_fact & ~bad
    for k in RULE_KINDS:
        if not k.required:
            continue
        of_kind = given & (kind == KIND_CODE[k.name])
        if not of_kind.any():
            continue
        for name in k.required:
            col = "score_c" if name == "score" else name
            flag("fact-missing", of_kind & ~present[col] & ~bad, col, detail="kind")

    state = np.where(
        bad,
        STATE_CODE["invalid"],
        np.where(
            claimed, STATE_CODE["dna"], np.where(any_fact, STATE_CODE["facts"], STATE_CODE["empty"])
        ),
    ).astype(np.int8)

    # a round without a reason: a warning where it changes the self-score (a panel that keeps
    # the agency's score has nothing to explain; a survey leaf has no self-score to keep)
    unreasoned = {c: present[c] & ~cols.flags[f"{c[:6]}_reason"] for c in ROUND_COLUMNS}
    if any(m.any() for m in unreasoned.values()):
        rows = np.flatnonzero(np.logical_or.reduce(list(unreasoned.values())))
        some = {c: v[rows] for c, v in facts.items()}
        some["has_evidence"] = cols.flags["has_evidence"][rows]
        some["has_explanation"] = cols.flags["has_explanation"][rows]
        no_survey = np.full(len(rows), NA_INT, dtype=np.int64)
        self_c = score_rows(tables, pos[rows], state[rows], some, no_survey).self_c
        self_scored = _SELF_SCORED[kind[rows]]
        for c, mask in unreasoned.items():
            changed = np.zeros(n, dtype=bool)
            changed[rows] = mask[rows] & ~(self_scored & (ints[c][rows] == self_c))
            flag("appraisal-no-reason", changed, severity="warning", rnd=_ROUND_OF[c])

    facts["level"] = np.maximum(cols.level, -1)
    facts["has_evidence"] = cols.flags["has_evidence"]
    facts["has_explanation"] = cols.flags["has_explanation"]
    return Checked(pos, state, bad, dropped, facts, issues)


def _kind_and_rule(loaded: LoadedSet, code: str) -> list[str]:
    """The level keys of leaf ``code``'s rule."""
    found = loaded.leaf_by_code.get(code)
    leaf = found[2] if found else loaded.extra_by_code[code][1]
    return list(kind_of(leaf.rule).choices(leaf.rule))


# ------------------------------------------------------------------------------- front doors
def _frame_columns(loaded: LoadedSet, df: pd.DataFrame) -> Columns:
    """Records (a frame) as the validator's columns."""
    tables = rule_tables(loaded)
    present = {c: _present(df[c]) for c in (*FACTS, *ROUND_COLUMNS, "did_not_arise")}
    ints = {c: df[c].to_numpy(dtype=np.int64, na_value=NA_INT) for c in INT_COLUMNS}
    level = positions(df["level"], tables.level_keys)
    level[present["level"] & (level < 0)] = UNKNOWN_CHOICE
    n = len(df)
    flags = {
        c: df[c].to_numpy(dtype=bool) if c in df else np.full(n, c != "unreadable")
        for c in ("has_evidence", "has_explanation", "round1_reason", "round2_reason")
    }
    flags["unreadable"] = np.zeros(n, dtype=bool)

    def raw(name: str, i: int) -> Any:
        value: Any = df[name].iat[i]
        return pd.Timestamp(value).date() if name == "date" else value

    return Columns(
        ints,
        present,
        df["date"].to_numpy(dtype="datetime64[D]"),
        level,
        df["did_not_arise"].to_numpy(dtype=object),
        flags,
        raw,
    )


_FLAGS = ("has_evidence", "has_explanation", "round1_reason", "round2_reason")


def row_columns(loaded: LoadedSet, rows: list[FactRow], unreadable: set[int]) -> Columns:
    """Fact rows (one agency's, from a front end) as the validator's columns; the rows at
    ``unreadable`` had a fact the front end could not read (and reported): they are invalid."""
    level_at = rule_tables(loaded).level_code
    n = len(rows)
    names = (*INT_COLUMNS, "date", "level", "did_not_arise", *_FLAGS)
    table = list(zip(*map(attrgetter(*names), rows), strict=True)) if rows else [()] * len(names)
    values = dict(zip(names, table, strict=True))
    present = {c: np.array([v is not None for v in values[c]], dtype=bool) for c in names[:-4]}
    ints = {
        c: np.array([NA_INT if v is None else _clamp(int(v)) for v in values[c]], dtype=np.int64)
        for c in INT_COLUMNS
    }
    dna = np.array([*values["did_not_arise"], None], dtype=object)[:n]
    flags = {c: np.array(values[c], dtype=bool) for c in _FLAGS}
    flags["unreadable"] = np.zeros(n, dtype=bool)
    flags["unreadable"][list(unreadable)] = True
    return Columns(
        ints,
        present,
        np.array(values["date"], dtype="datetime64[D]"),
        np.array(
            [-1 if v is None else level_at.get(v, UNKNOWN_CHOICE) for v in values["level"]],
            dtype=np.int64,
        ),
        dna,
        flags,
        lambda name, i: getattr(rows[i], name),
    )


def _clamp(value: int) -> int:
    """A huge number held as one still too large (int64 columns; the checks refuse it)."""
    return max(-(2**62), min(value, 2**62))


def validate_rows(
    loaded: LoadedSet,
    rows: list[FactRow],
    unreadable: set[int] | None = None,
    year: int | None = None,
) -> Checked:
    """Check one front end's fact rows (each leaf of the set at most once; the front end
    reports the leaves the set does not have)."""
    tables = rule_tables(loaded)
    try:
        pos = np.array([tables.position[r.leaf] for r in rows], dtype=np.intp)
    except KeyError:
        raise ValueError("fact rows name a sub-criterion that is not in the criteria set") from None
    cols = row_columns(loaded, rows, unreadable or set())
    return _check(loaded, cols, pos, np.zeros(len(rows), dtype=bool), year or loaded.model.year)


def validate_records(
    loaded: LoadedSet,
    records: pd.DataFrame,
    year: int | None = None,
    agencies: list[str] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Check every record against its leaf's rule; return the scorer's facts frame (one row per
    agency × leaf of the set, absent leaves empty) and the issues.
    ``agencies`` lists every agency of the block in order, those without a record included
    (they score as empty); by default the agencies are those of the records.

    The work runs on numpy arrays of integer codes (a leaf's position in the set, its rule kind,
    the agency's number); the record's own values are looked at only where a check failed."""
    tables = rule_tables(loaded)
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
    checked = _check(loaded, _frame_columns(loaded, df), pos, dup, year or loaded.model.year)
    issues += checked.issues

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

    facts, bad = checked.facts, checked.bad
    columns: dict[str, np.ndarray] = {
        "has_evidence": scatter(facts.pop("has_evidence"), False, bool),
        "has_explanation": scatter(facts.pop("has_explanation"), False, bool),
    }
    for c in ("done", "date", "numerator", "denominator", "count", "score_c"):
        columns[c] = scatter(facts.pop(c), NA_INT, np.int64, bad)
    for c in ROUND_COLUMNS:  # a valid round stands even when the facts are bad
        columns[c] = scatter(facts.pop(c), NA_INT, np.int64, checked.dropped[c])
    frame = grid_frame(
        loaded,
        np.asarray(agency_index, dtype=object),
        columns,
        scatter(checked.state, STATE_CODE["empty"], np.int8),
        scatter(facts["level"].astype(np.int32), -1, np.int32),
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
