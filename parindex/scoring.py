"""Exact, vectorised scoring of one block: leaf points, subtotals, bonus/penalty, the index.

Every amount is an integer number of hundredths of a point ("cents", int64); indices are integer
hundredths of a percent. Leaf points are rounded half up to 2 decimals where the rule computes
them; every later sum is exact. The bulk work runs column-wise in pandas/numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from parindex.criteria import (
    DeadlineRule,
    DeductionRule,
    GradedRule,
    LoadedSet,
    ManualRule,
    PerItemRule,
    ProportionalRule,
    SurveyRule,
    TiersRule,
)
from parindex.errors import Issue, Location
from parindex.submission import Submission
from parindex.survey import SurveyResult
from parindex.units import half_up_div, to_cents, to_units

NA_INT = -1  # sentinel for "no value" in int64 fact columns


# ------------------------------------------------------------------------------------ codes
#: the small vocabularies the columns use; held as integer codes inside the scorer and as
#: pandas Categoricals in its frames (a million leaf scores carry one byte each, not a string)
KINDS = (
    "yes-no",
    "deadline",
    "tiers",
    "proportional",
    "per-item",
    "deduction",
    "graded",
    "manual",
    "survey",
)
STATES = ("empty", "facts", "dna", "invalid", "survey")
POLICIES = ("excluded", "full-points", "not-allowed")
SECTIONS = ("tree", "bonus", "penalty")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
STATE_CODE = {s: i for i, s in enumerate(STATES)}
POLICY_CODE = {p: i for i, p in enumerate(POLICIES)}
SECTION_CODE = {s: i for i, s in enumerate(SECTIONS)}


def positions(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Each value's position in ``index`` (-1 when absent); a Categorical maps its few
    categories instead of hashing every row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.intp)
        cats = values.cat.categories
        if cats.equals(index):
            return codes
        mapped = np.append(index.get_indexer(cats), -1)  # code -1 (NaN) → the appended -1
        return mapped[codes]
    return index.get_indexer(pd.Index(values))


def categorical(codes: np.ndarray, categories: Any) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))


# ------------------------------------------------------------------------------ rule parameters
@dataclass
class RuleTables:
    """A criteria set flattened into columns: one row per leaf, plus tier and level tables,
    and the same as numpy arrays the scorer indexes by leaf position."""

    leaves: pd.DataFrame
    tiers: pd.DataFrame
    levels: pd.DataFrame
    index: pd.Index  # leaf codes, file order (tree, bonus, penalty)
    arrays: dict[str, np.ndarray]  # per leaf: kind, section, policy, field, criterion codes …
    fields: list[str]  # field codes (then "" for bonus/penalty)
    criteria: list[str]  # criterion codes (then "")
    survey_keys: list[str]
    tier_at_least: np.ndarray  # leaves × most tiers: percent in hundredths (0 padding)
    tier_points: np.ndarray  # leaves × most tiers: points in hundredths (0 padding)
    level_keys: pd.Index  # every level key of the set
    level_points: np.ndarray  # leaves × level keys: points in hundredths, -1 where none


def rule_tables(loaded: LoadedSet) -> RuleTables:
    cached = getattr(loaded, "_rule_tables", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    m = loaded.model
    rows: list[dict[str, Any]] = []
    tiers: list[tuple[str, int, int]] = []
    levels: list[tuple[str, str, int]] = []
    entries = [("tree", f.code, c.code, leaf) for f, c, leaf in m.leaves()]
    entries += [("bonus", "", "", i) for i in m.bonus.items]
    entries += [("penalty", "", "", i) for i in m.penalty.items]
    for section, fcode, ccode, leaf in entries:
        rule = leaf.rule
        max_c = to_cents(leaf.max)
        row: dict[str, Any] = {
            "leaf": leaf.code,
            "section": section,
            "field": fcode,
            "criterion": ccode,
            "kind": rule.kind,
            "max_c": max_c,
            # a bonus/penalty item whose rate has nothing to count simply earns nothing
            "policy": m.policy(leaf) if section == "tree" else "excluded",
            "evidence_required": leaf.evidence == "required",
            "survey_key": rule.survey if isinstance(rule, SurveyRule) else "",
            "due": NA_INT,
            "late_c": 0,
            "each_c": 0,
            "floor_c": 0,
            "lower_u": 0,
            "upper_u": 0,
        }
        if isinstance(rule, DeadlineRule):
            row["due"] = rule.due.toordinal()
            row["late_c"] = half_up_div(max_c * to_units(rule.late_share, 4), 10**4)
        elif isinstance(rule, TiersRule):
            for t in rule.tiers:
                tiers.append((leaf.code, to_units(t.at_least, 2), to_cents(t.points)))
        elif isinstance(rule, ProportionalRule):
            row["lower_u"] = to_units(rule.lower, 2)
            row["upper_u"] = to_units(rule.upper, 2)
        elif isinstance(rule, PerItemRule):
            row["each_c"] = to_cents(rule.points_each)
        elif isinstance(rule, DeductionRule):
            row["each_c"] = to_cents(rule.points_each)
            row["floor_c"] = to_cents(rule.floor)
        elif isinstance(rule, GradedRule):
            for lv in rule.levels:
                levels.append(
                    (leaf.code, lv.key, half_up_div(max_c * to_units(lv.share, 4), 10**4))
                )
        rows.append(row)
    leaves = pd.DataFrame(rows)
    codes = [r["leaf"] for r in rows]
    index = pd.Index(codes, dtype=object)
    n = len(rows)
    fields = list(dict.fromkeys([r["field"] for r in rows if r["section"] == "tree"])) + [""]
    crits = list(dict.fromkeys([r["criterion"] for r in rows if r["section"] == "tree"])) + [""]
    survey_keys = list(dict.fromkeys(r["survey_key"] for r in rows if r["survey_key"]))
    arrays: dict[str, np.ndarray] = {
        "kind": np.array([KIND_CODE[r["kind"]] for r in rows], dtype=np.int8),
        "section": np.array([SECTION_CODE[r["section"]] for r in rows], dtype=np.int8),
        "policy": np.array([POLICY_CODE[r["policy"]] for r in rows], dtype=np.int8),
        "field": np.array([fields.index(r["field"]) for r in rows], dtype=np.intp),
        "criterion": np.array([crits.index(r["criterion"]) for r in rows], dtype=np.intp),
        "survey_key": np.array(
            [survey_keys.index(r["survey_key"]) if r["survey_key"] else -1 for r in rows],
            dtype=np.intp,
        ),
        "evidence_required": np.array([r["evidence_required"] for r in rows], dtype=bool),
        # a manual score's step in hundredths (1 for every other rule)
        "step": np.array(
            [
                to_cents(leaf.rule.step) if isinstance(leaf.rule, ManualRule) else 1
                for *_, leaf in entries
            ],
            dtype=np.int64,
        ),
    }
    for col in ("max_c", "due", "late_c", "each_c", "floor_c", "lower_u", "upper_u"):
        arrays[col] = np.array([r[col] for r in rows], dtype=np.int64)
    width = max([sum(1 for t in tiers if t[0] == c) for c in codes] + [1])
    tier_at = np.zeros((n, width), dtype=np.int64)
    tier_pts = np.zeros((n, width), dtype=np.int64)
    filled = [0] * n
    where = {c: i for i, c in enumerate(codes)}
    for code, at_least, points in tiers:
        i = where[code]
        tier_at[i, filled[i]], tier_pts[i, filled[i]] = at_least, points
        filled[i] += 1
    level_keys = pd.Index(list(dict.fromkeys(key for _, key, _ in levels)), dtype=object)
    level_pts = np.full((n, max(len(level_keys), 1)), -1, dtype=np.int64)
    for code, key, points in levels:
        level_pts[where[code], level_keys.get_loc(key)] = points
    tables = RuleTables(
        leaves,
        pd.DataFrame(tiers, columns=["leaf", "at_least_u", "points_c"]),
        pd.DataFrame(levels, columns=["leaf", "level", "points_c"]),
        index,
        arrays,
        fields,
        crits,
        survey_keys,
        tier_at,
        tier_pts,
        level_keys,
        level_pts,
    )
    loaded._rule_tables = tables  # type: ignore[attr-defined]
    return tables


# -------------------------------------------------------------------------------- facts frame
_FACT_COLUMNS = (
    "state",
    "done",
    "date",
    "numerator",
    "denominator",
    "count",
    "level",
    "score_c",
    "round1_c",
    "round2_c",
    "has_evidence",
    "has_explanation",
)


#: integer fact columns, NA_INT where absent; done and date first (they are converted)
_INT_COLUMNS = (
    "done",
    "date",
    "numerator",
    "denominator",
    "count",
    "score_c",
    "round1_c",
    "round2_c",
)


def grid_frame(
    loaded: LoadedSet,
    agencies: list[str] | np.ndarray,
    columns: dict[str, np.ndarray],
    state: np.ndarray,
    level: np.ndarray,
) -> pd.DataFrame:
    """The scorer's facts frame: one row per agency × leaf of the set (agency-major, leaves in
    file order); ``agency``, ``leaf``, ``state`` and ``level`` as Categoricals. ``state`` holds
    codes into STATES; ``level`` codes into the set's level keys (-1 for none)."""
    tables = rule_tables(loaded)
    n_leaves, n_agencies = len(tables.index), len(agencies)
    frame = pd.DataFrame(
        {
            "agency": categorical(
                np.repeat(np.arange(n_agencies, dtype=np.int32), n_leaves), agencies
            ),
            "leaf": categorical(
                np.tile(np.arange(n_leaves, dtype=np.int32), n_agencies), tables.index
            ),
            "state": categorical(state.astype(np.int8), STATES),
            "level": categorical(level.astype(np.int32), tables.level_keys),
            **{c: columns[c].astype(np.int64, copy=False) for c in _INT_COLUMNS},
            "has_evidence": columns["has_evidence"].astype(bool, copy=False),
            "has_explanation": columns["has_explanation"].astype(bool, copy=False),
        },
        copy=False,
    )
    return frame


def facts_frame(loaded: LoadedSet, submissions: list[Submission]) -> pd.DataFrame:
    """One row per agency × leaf of the set (bonus and penalty items included)."""
    tables = rule_tables(loaded)
    codes = list(tables.index)
    level_at = {key: i for i, key in enumerate(tables.level_keys)}
    n = len(codes) * len(submissions)
    ints = {c: np.full(n, NA_INT, dtype=np.int64) for c in _INT_COLUMNS}
    state = np.zeros(n, dtype=np.int8)  # "empty"
    level = np.full(n, -1, dtype=np.int32)
    evidence = np.zeros(n, dtype=bool)
    explanation = np.zeros(n, dtype=bool)
    i = 0
    for sub in submissions:
        for code in codes:
            f = sub.facts.get(code)
            if f is not None:
                state[i] = STATE_CODE[f.state]
                if f.done is not None:
                    ints["done"][i] = int(f.done)
                if f.date is not None:
                    ints["date"][i] = f.date.toordinal()
                for c in _INT_COLUMNS[2:]:
                    v = getattr(f, c)
                    if v is not None:
                        ints[c][i] = v
                if f.level:
                    level[i] = level_at.get(f.level, -1)
                evidence[i] = f.has_evidence
                explanation[i] = f.has_explanation
            i += 1
    columns = {**ints, "has_evidence": evidence, "has_explanation": explanation}
    return grid_frame(loaded, [s.agency for s in submissions], columns, state, level)


# ------------------------------------------------------------------------------------ scoring
def _half_up(num: Any, den: Any) -> Any:
    """Element-wise ``num / den`` rounded half up, on int64 arrays (den > 0)."""
    return (2 * num + den) // (2 * den)


def _int_column(frame: pd.DataFrame, col: str) -> np.ndarray:
    return frame[col].to_numpy(dtype=np.int64)


def _survey_table(
    surveys: list[SurveyResult] | pd.DataFrame | None,
    agencies: pd.Index,
    keys: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Survey results as a flat table indexed by agency position × survey key position:
    (result in millionths, found?)."""
    if isinstance(surveys, pd.DataFrame):
        frame = surveys
    else:
        frame = pd.DataFrame(
            [(r.agency, r.survey, r.result_u) for r in (surveys or [])],
            columns=["agency", "survey_key", "result_u"],
        )
    size = len(agencies) * max(len(keys), 1)
    result = np.zeros(size, dtype=np.int64)
    found = np.zeros(size, dtype=bool)
    if len(frame) and keys:
        a = agencies.get_indexer(pd.Index(frame["agency"]))
        k = pd.Index(keys, dtype=object).get_indexer(pd.Index(frame["survey_key"]))
        ok = (a >= 0) & (k >= 0)
        flat = a[ok] * len(keys) + k[ok]
        result[flat] = frame["result_u"].to_numpy(dtype=np.int64)[ok]
        found[flat] = True
    return result, found


def score_leaves(
    loaded: LoadedSet,
    facts: pd.DataFrame,
    surveys: list[SurveyResult] | pd.DataFrame | None = None,
    sources: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Points of every agency × leaf: self, rounds, final; whether the leaf is applicable."""
    t = rule_tables(loaded)
    a = t.arrays
    pos = positions(facts["leaf"], t.index)
    if (pos < 0).any():
        raise ValueError("the facts name a sub-criterion that is not in the criteria set")
    agency_codes, agency_uniques = pd.factorize(facts["agency"])
    agencies = pd.Index(np.asarray(agency_uniques, dtype=object), dtype=object)
    n = len(facts)
    kind = a["kind"][pos]
    state = positions(facts["state"], pd.Index(STATES, dtype=object)).astype(np.int8)
    max_c = a["max_c"][pos]
    has = state == STATE_CODE["facts"]
    self_c = np.zeros(n, dtype=np.int64)

    m = has & (kind == KIND_CODE["yes-no"])
    self_c[m] = np.where(_int_column(facts, "done")[m] == 1, max_c[m], 0)

    m = has & (kind == KIND_CODE["deadline"])
    if m.any():
        date = _int_column(facts, "date")[m]
        on_time = date <= a["due"][pos[m]]
        self_c[m] = np.where(date == NA_INT, 0, np.where(on_time, max_c[m], a["late_c"][pos[m]]))

    num = _int_column(facts, "numerator")
    den = _int_column(facts, "denominator")
    rate_kind = (kind == KIND_CODE["tiers"]) | (kind == KIND_CODE["proportional"])
    zero_den = has & rate_kind & (den == 0)

    m = has & (kind == KIND_CODE["tiers"]) & (den > 0)
    if m.any():
        idx = np.flatnonzero(m)
        p = pos[idx]
        # every tier the rate reaches (num / den ≥ at_least %), the best of them; padding
        # tiers are (0 %, 0 points) and never beat a real one
        met = num[idx, None] * 10_000 >= t.tier_at_least[p] * den[idx, None]
        self_c[idx] = np.where(met, t.tier_points[p], 0).max(axis=1)

    m = has & (kind == KIND_CODE["proportional"]) & (den > 0)
    if m.any():
        lo, hi = a["lower_u"][pos[m]], a["upper_u"][pos[m]]
        nu, de, mx = num[m], den[m], max_c[m]
        # max × (numerator × 10⁴ + lower × denominator) can pass 2⁶³ for large maxima and
        # counts: then Python integers
        bound = int(mx.max()) * (int(nu.max()) * 10_000 + int(lo.max()) * int(de.max()))
        if 4 * bound >= 2**63:
            nu, de, mx, lo, hi = (x.astype(object) for x in (nu, de, mx, lo, hi))
        part = _half_up(mx * (nu * 10_000 - lo * de), (hi - lo) * de)  # rate × 100 × den
        self_c[m] = np.clip(part, 0, mx).astype(np.int64)

    count = _int_column(facts, "count")
    m = has & (kind == KIND_CODE["per-item"])
    if m.any():
        self_c[m] = np.minimum(count[m] * a["each_c"][pos[m]], max_c[m])
    m = has & (kind == KIND_CODE["deduction"])
    if m.any():
        p = pos[m]
        self_c[m] = np.maximum(max_c[m] - count[m] * a["each_c"][p], a["floor_c"][p])

    m = has & (kind == KIND_CODE["graded"])
    if m.any():
        idx = np.flatnonzero(m)
        level = positions(facts["level"], t.level_keys)[idx]
        known = level >= 0
        points = np.where(known, t.level_points[pos[idx], np.where(known, level, 0)], -1)
        self_c[idx] = np.where(points >= 0, points, self_c[idx])

    m = has & (kind == KIND_CODE["manual"])
    self_c[m] = _int_column(facts, "score_c")[m]

    sources = sources or {}
    leaf_codes = np.asarray(t.index, dtype=object)

    def where(i: Any, fact: str = "") -> Location:
        agency = str(agencies[agency_codes[i]])
        return Location(
            file=sources.get(agency, ""), agency=agency, leaf=str(leaf_codes[pos[i]]), fact=fact
        )

    issues: list[Issue] = []
    survey_leaf = kind == KIND_CODE["survey"]
    if survey_leaf.any():
        idx = np.flatnonzero(survey_leaf)
        result, found_at = _survey_table(surveys, agencies, t.survey_keys)
        flat = agency_codes[idx] * max(len(t.survey_keys), 1) + a["survey_key"][pos[idx]]
        found = found_at[flat]
        self_c[idx] = np.where(found, _half_up(max_c[idx] * result[flat], np.int64(1_000_000)), 0)
        state = state.copy()
        state[idx[found]] = STATE_CODE["survey"]
        for i in idx[~found]:
            key = t.survey_keys[a["survey_key"][pos[i]]]
            issues.append(Issue.make("survey-missing", where(i), value=key, severity="warning"))

    # did not arise: claimed, or a rate whose denominator is 0
    policy = a["policy"][pos]
    dna = (state == STATE_CODE["dna"]) | zero_den
    not_allowed = zero_den & (policy == POLICY_CODE["not-allowed"])
    for i in np.flatnonzero(not_allowed):
        issues.append(
            Issue.make(
                "did-not-arise-not-allowed",
                where(i, "denominator"),
                value=leaf_codes[pos[i]],
            )
        )
    dna &= ~not_allowed
    excluded = dna & (policy == POLICY_CODE["excluded"])
    self_c[excluded] = 0
    full = dna & (policy == POLICY_CODE["full-points"])
    self_c[full] = max_c[full]
    applicable = ~excluded

    r1 = _int_column(facts, "round1_c")
    r2 = _int_column(facts, "round2_c")
    final_c = np.where(r2 != NA_INT, r2, np.where(r1 != NA_INT, r1, self_c))
    applicable |= (r1 != NA_INT) | (r2 != NA_INT)  # the panel scored it: it counts

    section = a["section"][pos]
    tree = section == SECTION_CODE["tree"]
    for i in np.flatnonzero((state == STATE_CODE["empty"]) & ~survey_leaf & tree):
        issues.append(Issue.make("leaf-empty", where(i), severity="warning"))
    missing_evidence = (
        a["evidence_required"][pos]
        & (self_c > 0)
        & has
        & ~dna
        & ~facts["has_evidence"].to_numpy(dtype=bool)
        & ~facts["has_explanation"].to_numpy(dtype=bool)
    )
    for i in np.flatnonzero(missing_evidence):
        issues.append(
            Issue.make(
                "evidence-missing",
                where(i, "evidence"),
                value=f"{self_c[i] // 100}.{self_c[i] % 100:02d}",
                severity="warning",
            )
        )

    out = pd.DataFrame(
        {
            "agency": categorical(agency_codes.astype(np.int32), agencies),
            "leaf": categorical(pos.astype(np.int32), t.index),
            "section": categorical(section, SECTIONS),
            "field": categorical(a["field"][pos].astype(np.int32), t.fields),
            "criterion": categorical(a["criterion"][pos].astype(np.int32), t.criteria),
            "kind": categorical(kind, KINDS),
            "max_c": max_c,
            "state": categorical(state, STATES),
            "self_c": self_c,
            "round1_c": r1,
            "round2_c": r2,
            "final_c": final_c,
            "applicable": applicable,
            "did_not_arise": dna,
            "survey": survey_leaf,
        },
        copy=False,
    )
    return out, issues


# --------------------------------------------------------------------------------- aggregation
@dataclass
class BlockResult:
    """A block's result: per agency totals and index, per leaf points, per field/criterion."""

    criteria: LoadedSet
    agencies: pd.DataFrame
    leaves: pd.DataFrame
    components: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    submissions: dict[str, Submission] = field(default_factory=dict)


def _index_u(points: np.ndarray, maximum: np.ndarray) -> np.ndarray:
    """Index in hundredths of a percent, half up; 0 where nothing was applicable."""
    safe = np.where(maximum > 0, maximum, 1)
    return np.where(maximum > 0, _half_up(points * 10_000, safe), 0)


def _sums(keys: np.ndarray, size: int, *values: np.ndarray) -> list[np.ndarray]:
    """Exact int64 sums of each ``values`` array grouped by ``keys`` (0 … size-1)."""
    out = []
    for v in values:
        total = np.zeros(size, dtype=np.int64)
        np.add.at(total, keys, v)
        out.append(total)
    return out


def aggregate(loaded: LoadedSet, leaves: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    m = loaded.model
    t = rule_tables(loaded)
    a = t.arrays
    pos = positions(leaves["leaf"], t.index)
    codes, uniques = pd.factorize(leaves["agency"])
    agency_names = np.asarray(uniques, dtype=object)
    n_agencies = len(agency_names)
    section = a["section"][pos]
    tree = section == SECTION_CODE["tree"]
    counted_rows = tree & leaves["applicable"].to_numpy(dtype=bool)
    final = leaves["final_c"].to_numpy(dtype=np.int64)
    achieved = np.where(counted_rows, final, 0)
    maximum = np.where(counted_rows, leaves["max_c"].to_numpy(dtype=np.int64), 0)
    survey = np.where(leaves["survey"].to_numpy(dtype=bool), achieved, 0)

    # component indices per field and per criterion: agency-major, codes in file order
    parts = []
    for level, names in (("field", t.fields[:-1]), ("criterion", t.criteria[:-1])):
        width = len(names)
        keys = codes[tree] * width + a[level][pos[tree]]
        got, mx, rows = _sums(
            keys,
            n_agencies * width,
            achieved[tree],
            maximum[tree],
            np.ones(int(tree.sum()), np.int64),
        )
        present = np.flatnonzero(rows > 0)
        parts.append(
            pd.DataFrame(
                {
                    "agency": agency_names[present // width],
                    "level": level,
                    "code": np.asarray(names, dtype=object)[present % width],
                    "achieved_c": got[present],
                    "max_c": mx[present],
                    "_order": present // width,
                }
            )
        )
    components = pd.concat(parts, ignore_index=True)
    components["index_u"] = _index_u(
        components["achieved_c"].to_numpy(), components["max_c"].to_numpy()
    )

    tree_c, applicable_c, survey_c = _sums(
        codes[tree], n_agencies, achieved[tree], maximum[tree], survey[tree]
    )
    agencies = pd.DataFrame(
        {
            "agency": agency_names,
            "tree_c": tree_c,
            "applicable_c": applicable_c,
            "survey_c": survey_c,
            "appraised_c": tree_c - survey_c,
        }
    )

    if m.weighted:
        fields = components[components["level"] == "field"]
        weight_c = {f.code: to_cents(f.weight) for f in m.fields if f.weight is not None}
        w = fields["code"].map(weight_c).to_numpy(dtype="int64")
        mx = fields["max_c"].to_numpy()
        pts = np.where(
            mx > 0, _half_up(fields["achieved_c"].to_numpy() * w, np.where(mx > 0, mx, 1)), 0
        )
        owner = fields["_order"].to_numpy()
        weighted, weights = _sums(owner, n_agencies, pts, np.where(mx > 0, w, 0))
        agencies["tree_c"] = weighted
        agencies["applicable_c"] = weights
        column = np.full(len(components), pd.NA, dtype=object)
        column[np.flatnonzero(components["level"].to_numpy() == "field")] = pts.astype(object)
        components["weighted_c"] = column
    components = components.drop(columns="_order")

    for name, code, cap in (
        ("bonus", SECTION_CODE["bonus"], m.bonus.cap),
        ("penalty", SECTION_CODE["penalty"], m.penalty.cap),
    ):
        rows = section == code
        (raw,) = _sums(codes[rows], n_agencies, final[rows])
        agencies[f"{name}_c"] = np.minimum(raw, to_cents(cap))
    total = agencies["tree_c"] + agencies["bonus_c"] - agencies["penalty_c"]
    agencies["total_c"] = total.clip(lower=0)
    agencies["index_u"] = _index_u(
        agencies["total_c"].to_numpy(dtype="int64"),
        agencies["applicable_c"].to_numpy(dtype="int64"),
    )
    return agencies, components


def score_block(
    loaded: LoadedSet,
    submissions: list[Submission],
    surveys: list[SurveyResult] | None = None,
    names: dict[str, str] | None = None,
) -> BlockResult:
    """Score and rank every submission of one block."""
    from parindex.ranking import rank

    facts = facts_frame(loaded, submissions)
    sources = {s.agency: s.source for s in submissions if s.source}
    leaves, issues = score_leaves(loaded, facts, surveys, sources)
    agencies, components = aggregate(loaded, leaves)
    agencies.insert(1, "name", agencies["agency"].map(lambda a: (names or {}).get(a, a)))
    agencies = rank(loaded.model, agencies)
    return BlockResult(
        loaded, agencies, leaves, components, issues, {s.agency: s for s in submissions}
    )
