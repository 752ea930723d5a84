"""Exact, vectorised scoring of one block: leaf points, subtotals, bonus/penalty, the index.

Every amount is an integer number of hundredths of a point ("cents", int64); indices are integer
hundredths of a percent. Leaf points are rounded half up to 2 decimals where the rule computes
them; every later sum is exact. The bulk work runs column-wise in pandas/numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from parindex.criteria import LoadedSet
from parindex.errors import Issue, Location
from parindex.rules import KINDS as RULE_KINDS
from parindex.rules import NA_INT, NAMES, Rows, kind_of
from parindex.rules.base import Kind, Taken
from parindex.survey import SurveyResult
from parindex.units import half_up_div, to_cents

if TYPE_CHECKING:  # the submission parser builds on the validator, which builds on this
    from parindex.submission import Submission

# ------------------------------------------------------------------------------------ codes
#: the small vocabularies the columns use; held as integer codes inside the scorer and as
#: pandas Categoricals in its frames (a million leaf scores carry one byte each, not a string)
KINDS = NAMES  # the rule kinds, as the frames name them
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
    """A criteria set compiled into integer arrays the scorer indexes by leaf position: one
    entry per leaf (tree leaves, then bonus and penalty items, in file order)."""

    index: pd.Index  # leaf codes
    #: per leaf: kind (a position in rules.KINDS), section, policy, field and criterion
    #: (positions in ``fields``/``criteria``), survey_key (a position in ``survey_keys``, -1 for
    #: self-scored leaves), evidence_required, max_c, step (the score step in hundredths) and
    #: every parameter a kind compiles (0 where the leaf's kind has none)
    arrays: dict[str, np.ndarray]
    fields: list[str]  # field codes (then "" for bonus/penalty)
    criteria: list[str]  # criterion codes (then "")
    survey_keys: list[str]
    level_keys: pd.Index  # every level key of the set: the ``level`` fact's codes
    table_a: np.ndarray  # leaves × widest table: a tier's lower bound, a level's code (-1 pad)
    table_b: np.ndarray  # leaves × widest table: its points in hundredths (0 pad)
    codes: list[str] = field(default_factory=list)  # ``index`` as a list (one agency's rows)
    position: dict[str, int] = field(default_factory=dict)  # leaf code → its position
    level_code: dict[str, int] = field(default_factory=dict)  # level key → its code


def rule_tables(loaded: LoadedSet) -> RuleTables:
    """The set's rules compiled by their kinds; computed once per loaded set."""
    cached = loaded.cache.get("rule_tables")
    if cached is None:
        cached = loaded.cache["rule_tables"] = _compile(loaded)
    return cached


def _compile(loaded: LoadedSet) -> RuleTables:
    m = loaded.model
    entries = [("tree", f.code, c.code, leaf) for f, c, leaf in m.leaves()]
    entries += [("bonus", "", "", i) for i in m.bonus.items]
    entries += [("penalty", "", "", i) for i in m.penalty.items]
    kinds = [kind_of(leaf.rule) for *_, leaf in entries]
    level_keys = pd.Index(
        list(
            dict.fromkeys(
                key
                for k, (*_, leaf) in zip(kinds, entries, strict=True)
                for key in k.choices(leaf.rule)
            )
        ),
        dtype=object,
    )
    level_code = {key: i for i, key in enumerate(level_keys)}
    fields = list(dict.fromkeys(f for section, f, _, _ in entries if section == "tree")) + [""]
    crits = list(dict.fromkeys(c for section, _, c, _ in entries if section == "tree")) + [""]
    survey_of = [k.survey_key(leaf.rule) for k, (*_, leaf) in zip(kinds, entries, strict=True)]
    survey_keys = list(dict.fromkeys(key for key in survey_of if key))
    max_c = [to_cents(leaf.max) for *_, leaf in entries]
    compiled = [
        k.compile(leaf.rule, mx, level_code)
        for k, (*_, leaf), mx in zip(kinds, entries, max_c, strict=True)
    ]
    n = len(entries)
    arrays: dict[str, np.ndarray] = {
        "kind": np.array([KIND_CODE[k.name] for k in kinds], dtype=np.int8),
        "section": np.array([SECTION_CODE[e[0]] for e in entries], dtype=np.int8),
        # a bonus/penalty item whose rate has nothing to count simply earns nothing
        "policy": np.array(
            [
                POLICY_CODE[m.policy(leaf) if section == "tree" else "excluded"]
                for section, *_, leaf in entries
            ],
            dtype=np.int8,
        ),
        "field": np.array([fields.index(e[1]) for e in entries], dtype=np.intp),
        "criterion": np.array([crits.index(e[2]) for e in entries], dtype=np.intp),
        "survey_key": np.array(
            [survey_keys.index(key) if key else -1 for key in survey_of], dtype=np.intp
        ),
        "evidence_required": np.array(
            [leaf.evidence == "required" for *_, leaf in entries], dtype=bool
        ),
        "max_c": np.array(max_c, dtype=np.int64),
        "step": np.array(
            [
                to_cents(k.score_step(leaf.rule))
                for k, (*_, leaf) in zip(kinds, entries, strict=True)
            ],
            dtype=np.int64,
        ),
    }
    for name in dict.fromkeys(p for k in RULE_KINDS for p in k.params):
        arrays[name] = np.array([c.params.get(name, 0) for c in compiled], dtype=np.int64)
    width = max([len(c.table) for c in compiled] + [1])
    table_a = np.full((n, width), -1, dtype=np.int64)
    table_b = np.zeros((n, width), dtype=np.int64)
    for i, c in enumerate(compiled):
        for j, (x, y) in enumerate(c.table):
            table_a[i, j], table_b[i, j] = x, y
    codes = [leaf.code for *_, leaf in entries]
    return RuleTables(
        pd.Index(codes, dtype=object),
        arrays,
        fields,
        crits,
        survey_keys,
        level_keys,
        table_a,
        table_b,
        codes,
        {code: i for i, code in enumerate(codes)},
        level_code,
    )


# -------------------------------------------------------------------------------- facts frame
_ROUNDS = ("round1_c", "round2_c")
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


def fact_columns(
    tables: RuleTables, submissions: list[Submission]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Parsed submissions as the scorer's fact columns (one row per agency × leaf of the set,
    agency-major) and their states (codes into STATES): each submission's validated rows
    (:class:`parindex.validate.Checked`) scattered into the grid, a bad row's facts and a
    dropped round left out; ``level`` holds codes into the set's level keys (-1 for none)."""
    n_leaves = len(tables.index)
    n = n_leaves * len(submissions)
    ints = {c: np.full(n, NA_INT, dtype=np.int64) for c in _INT_COLUMNS}
    state = np.zeros(n, dtype=np.int8)  # "empty"
    level = np.full(n, -1, dtype=np.int64)
    evidence = np.zeros(n, dtype=bool)
    explanation = np.zeros(n, dtype=bool)
    for a, sub in enumerate(submissions):
        checked = sub.checked
        if checked is None or not len(checked.pos):
            continue
        at = a * n_leaves + checked.pos
        facts = checked.facts
        state[at] = checked.state
        good = ~checked.bad
        for c in _INT_COLUMNS:
            keep = ~checked.dropped[c] if c in _ROUNDS else good  # a valid round stands
            ints[c][at[keep]] = facts[c][keep]
        level[at[good]] = facts["level"][good]
        evidence[at] = facts["has_evidence"]
        explanation[at] = facts["has_explanation"]
    columns = {**ints, "level": level, "has_evidence": evidence, "has_explanation": explanation}
    return columns, state


def facts_frame(loaded: LoadedSet, submissions: list[Submission]) -> pd.DataFrame:
    """One row per agency × leaf of the set (bonus and penalty items included)."""
    columns, state = fact_columns(rule_tables(loaded), submissions)
    level = columns.pop("level")
    return grid_frame(loaded, [s.agency for s in submissions], columns, state, level)


# ------------------------------------------------------------------------------- the core
@dataclass
class Scored:
    """Every row's points and flags (arrays), and the rows each scoring issue is about."""

    kind: np.ndarray
    max_c: np.ndarray
    state: np.ndarray  # codes into STATES; "survey" where a survey result was found
    self_c: np.ndarray
    round1_c: np.ndarray
    round2_c: np.ndarray
    final_c: np.ndarray  # round 2, else round 1, else the self-score
    applicable: np.ndarray
    did_not_arise: np.ndarray
    survey: np.ndarray
    survey_missing: np.ndarray  # rows, in order
    not_allowed: np.ndarray
    empty: np.ndarray
    evidence_missing: np.ndarray


def score_rows(
    t: RuleTables,
    pos: np.ndarray,
    state: np.ndarray,
    facts: Mapping[str, np.ndarray],
    survey_u: np.ndarray,
) -> Scored:
    """The one scoring core: the points of rows (agency × leaf) from their leaf positions in
    ``t``, their states and fact columns, and each row's survey result (millionths, NA_INT when
    none; read only for survey-scored leaves). A block is many rows; one agency is as many rows
    as its set has leaves. Each kind computes its own points on its rows."""
    a = t.arrays
    n = len(pos)
    kind = a["kind"][pos]
    max_c = a["max_c"][pos]
    has = state == STATE_CODE["facts"]
    self_c = np.zeros(n, dtype=np.int64)
    zero_den = np.zeros(n, dtype=bool)
    survey_leaf = a["survey_key"][pos] >= 0
    columns = {**facts, "survey_u": survey_u}
    rule_columns = {**a, "table_a": t.table_a, "table_b": t.table_b}
    for code, k in enumerate(RULE_KINDS):
        idx = np.flatnonzero((kind == code) & has if k.self_scored else kind == code)
        if not len(idx):
            continue
        params = Taken(rule_columns, pos[idx])
        view = Rows(params, Taken(columns, idx))
        self_c[idx] = k.points(view)
        if type(k).not_arisen is not Kind.not_arisen:
            zero_den[idx] = k.not_arisen(view)

    state = state.copy()
    found = survey_leaf & (survey_u != NA_INT)
    state[found] = STATE_CODE["survey"]

    # did not arise: claimed, or a rate whose denominator is 0
    policy = a["policy"][pos]
    dna = (state == STATE_CODE["dna"]) | zero_den
    not_allowed = zero_den & (policy == POLICY_CODE["not-allowed"])
    dna &= ~not_allowed
    excluded = dna & (policy == POLICY_CODE["excluded"])
    self_c[excluded] = 0
    full = dna & (policy == POLICY_CODE["full-points"])
    self_c[full] = max_c[full]
    applicable = ~excluded

    r1, r2 = facts["round1_c"], facts["round2_c"]
    final_c = np.where(r2 != NA_INT, r2, np.where(r1 != NA_INT, r1, self_c))
    applicable |= (r1 != NA_INT) | (r2 != NA_INT)  # the panel scored it: it counts

    tree = a["section"][pos] == SECTION_CODE["tree"]
    missing_evidence = (
        a["evidence_required"][pos]
        & (self_c > 0)
        & has
        & ~dna
        & ~facts["has_evidence"].astype(bool, copy=False)
        & ~facts["has_explanation"].astype(bool, copy=False)
    )
    return Scored(
        kind,
        max_c,
        state,
        self_c,
        r1,
        r2,
        final_c,
        applicable,
        dna,
        survey_leaf,
        np.flatnonzero(survey_leaf & ~found),
        np.flatnonzero(not_allowed),
        np.flatnonzero((state == STATE_CODE["empty"]) & ~survey_leaf & tree),
        np.flatnonzero(missing_evidence),
    )


def scoring_issues(
    t: RuleTables, pos: np.ndarray, scored: Scored, where: Callable[[int, str], Location]
) -> list[Issue]:
    """The scoring issues of rows, in the engine's order: ``survey-missing``,
    ``did-not-arise-not-allowed``, ``leaf-empty``, ``evidence-missing``; ``where(row, fact)``
    locates a row."""
    codes = np.asarray(t.index, dtype=object)
    issues = [
        Issue.make(
            "survey-missing",
            where(i, ""),
            value=t.survey_keys[t.arrays["survey_key"][pos[i]]],
            severity="warning",
        )
        for i in scored.survey_missing
    ]
    issues += [
        Issue.make("did-not-arise-not-allowed", where(i, "denominator"), value=codes[pos[i]])
        for i in scored.not_allowed
    ]
    issues += [Issue.make("leaf-empty", where(i, ""), severity="warning") for i in scored.empty]
    issues += [
        Issue.make(
            "evidence-missing",
            where(i, "evidence"),
            value=f"{scored.self_c[i] // 100}.{scored.self_c[i] % 100:02d}",
            severity="warning",
        )
        for i in scored.evidence_missing
    ]
    return issues


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
    """Points of every agency × leaf (a facts frame): self, rounds, final; whether the leaf is
    applicable. Frames in and out; the work is :func:`score_rows`."""
    t = rule_tables(loaded)
    a = t.arrays
    pos = positions(facts["leaf"], t.index)
    if (pos < 0).any():
        raise ValueError("the facts name a sub-criterion that is not in the criteria set")
    agency_codes, agency_uniques = pd.factorize(facts["agency"])
    agencies = pd.Index(np.asarray(agency_uniques, dtype=object), dtype=object)
    state = positions(facts["state"], pd.Index(STATES, dtype=object)).astype(np.int8)
    columns = {c: _int_column(facts, c) for c in _INT_COLUMNS}
    columns["level"] = positions(facts["level"], t.level_keys)
    columns["has_evidence"] = facts["has_evidence"].to_numpy(dtype=bool)
    columns["has_explanation"] = facts["has_explanation"].to_numpy(dtype=bool)

    survey_u = np.full(len(pos), NA_INT, dtype=np.int64)
    survey_rows = np.flatnonzero(a["survey_key"][pos] >= 0)
    if len(survey_rows):
        result, found_at = _survey_table(surveys, agencies, t.survey_keys)
        flat = (
            agency_codes[survey_rows] * max(len(t.survey_keys), 1)
            + a["survey_key"][pos[survey_rows]]
        )
        survey_u[survey_rows] = np.where(found_at[flat], result[flat], NA_INT)

    scored = score_rows(t, pos, state, columns, survey_u)
    sources = sources or {}
    leaf_codes = np.asarray(t.index, dtype=object)

    def where(i: int, fact: str) -> Location:
        agency = str(agencies[agency_codes[i]])
        return Location(
            file=sources.get(agency, ""), agency=agency, leaf=str(leaf_codes[pos[i]]), fact=fact
        )

    issues = scoring_issues(t, pos, scored, where)
    section = a["section"][pos]
    out = pd.DataFrame(
        {
            "agency": categorical(agency_codes.astype(np.int32), agencies),
            "leaf": categorical(pos.astype(np.int32), t.index),
            "section": categorical(section, SECTIONS),
            "field": categorical(a["field"][pos].astype(np.int32), t.fields),
            "criterion": categorical(a["criterion"][pos].astype(np.int32), t.criteria),
            "kind": categorical(scored.kind, KINDS),
            "max_c": scored.max_c,
            "state": categorical(scored.state, STATES),
            "self_c": scored.self_c,
            "round1_c": scored.round1_c,
            "round2_c": scored.round2_c,
            "final_c": scored.final_c,
            "applicable": scored.applicable,
            "did_not_arise": scored.did_not_arise,
            "survey": scored.survey,
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
    return np.where(maximum > 0, half_up_div(points * 10_000, safe), 0)


def _sums(keys: np.ndarray, size: int, *values: np.ndarray) -> list[np.ndarray]:
    """Exact int64 sums of each ``values`` array grouped by ``keys`` (0 … size-1)."""
    out = []
    for v in values:
        total = np.zeros(size, dtype=np.int64)
        np.add.at(total, keys, v)
        out.append(total)
    return out


@dataclass
class Totals:
    """Sums of scored rows: per agency (arrays by agency number) and per component (a field's
    or a criterion's rows: agency-major, fields first, codes in file order)."""

    tree_c: np.ndarray  # after weights, when the set has weights
    applicable_c: np.ndarray
    survey_c: np.ndarray
    appraised_c: np.ndarray
    bonus_c: np.ndarray  # capped
    penalty_c: np.ndarray  # capped
    total_c: np.ndarray
    index_u: np.ndarray
    component_level: np.ndarray  # "field" | "criterion"
    component_agency: np.ndarray  # agency numbers
    component_code: np.ndarray
    component_achieved_c: np.ndarray
    component_max_c: np.ndarray
    component_index_u: np.ndarray
    component_weighted_c: np.ndarray | None  # a field's weighted points (-1 for criteria)


def _filled(n: int, value: str) -> np.ndarray:
    """An object array of ``n`` times ``value`` (``np.full`` of an object is a slow loop)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def aggregate_rows(
    loaded: LoadedSet,
    agency: np.ndarray,
    n_agencies: int,
    pos: np.ndarray,
    final_c: np.ndarray,
    applicable: np.ndarray,
    survey: np.ndarray,
) -> Totals:
    """The one aggregation: scored rows (agency numbers, leaf positions, final points, whether
    each counts, whether survey-scored) summed exactly per agency and per component."""
    m = loaded.model
    t = rule_tables(loaded)
    a = t.arrays
    section = a["section"][pos]
    tree = section == SECTION_CODE["tree"]
    counted_rows = tree & applicable
    achieved = np.where(counted_rows, final_c, 0)
    maximum = np.where(counted_rows, a["max_c"][pos], 0)
    in_survey = np.where(survey, achieved, 0)

    # component indices per field and per criterion: agency-major, codes in file order
    parts = []
    for level, names in (("field", t.fields[:-1]), ("criterion", t.criteria[:-1])):
        width = len(names)
        keys = agency[tree] * width + a[level][pos[tree]]
        got, mx, rows = _sums(
            keys,
            n_agencies * width,
            achieved[tree],
            maximum[tree],
            np.ones(int(tree.sum()), np.int64),
        )
        present = np.flatnonzero(rows > 0)
        parts.append(
            (
                _filled(len(present), level),
                present // width,
                np.asarray(names, dtype=object)[present % width],
                got[present],
                mx[present],
            )
        )
    level_of, owner, code_of, got, mx = (np.concatenate(p) for p in zip(*parts, strict=True))

    tree_c, applicable_c, survey_c = _sums(
        agency[tree], n_agencies, achieved[tree], maximum[tree], in_survey[tree]
    )
    appraised_c = tree_c - survey_c
    weighted_c: np.ndarray | None = None
    if m.weighted:
        is_field = level_of == "field"
        weight_of = {f.code: to_cents(f.weight) for f in m.fields if f.weight is not None}
        w = np.array([weight_of[c] for c in code_of[is_field]], dtype=np.int64)
        fmx = mx[is_field]
        pts = np.where(fmx > 0, half_up_div(got[is_field] * w, np.where(fmx > 0, fmx, 1)), 0)
        tree_c, applicable_c = _sums(owner[is_field], n_agencies, pts, np.where(fmx > 0, w, 0))
        weighted_c = np.full(len(level_of), -1, dtype=np.int64)
        weighted_c[is_field] = pts

    capped = []
    for code, cap in (
        (SECTION_CODE["bonus"], m.bonus.cap),
        (SECTION_CODE["penalty"], m.penalty.cap),
    ):
        rows = section == code
        (raw,) = _sums(agency[rows], n_agencies, final_c[rows])
        capped.append(np.minimum(raw, to_cents(cap)))
    bonus_c, penalty_c = capped
    total_c = np.maximum(tree_c + bonus_c - penalty_c, 0)
    return Totals(
        tree_c,
        applicable_c,
        survey_c,
        appraised_c,
        bonus_c,
        penalty_c,
        total_c,
        _index_u(total_c, applicable_c),
        level_of,
        owner,
        code_of,
        got,
        mx,
        _index_u(got, mx),
        weighted_c,
    )


def aggregate(loaded: LoadedSet, leaves: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per agency totals and index, and per field/criterion points, as frames."""
    t = rule_tables(loaded)
    codes, uniques = pd.factorize(leaves["agency"])
    agency_names = np.asarray(uniques, dtype=object)
    s = aggregate_rows(
        loaded,
        codes,
        len(agency_names),
        positions(leaves["leaf"], t.index),
        leaves["final_c"].to_numpy(dtype=np.int64),
        leaves["applicable"].to_numpy(dtype=bool),
        leaves["survey"].to_numpy(dtype=bool),
    )
    components = pd.DataFrame(
        {
            "agency": agency_names[s.component_agency],
            "level": s.component_level,
            "code": s.component_code,
            "achieved_c": s.component_achieved_c,
            "max_c": s.component_max_c,
            "index_u": s.component_index_u,
        }
    )
    if s.component_weighted_c is not None:
        column = s.component_weighted_c.astype(object)
        column[s.component_level != "field"] = pd.NA
        components["weighted_c"] = column
    agencies = pd.DataFrame(
        {
            "agency": agency_names,
            "tree_c": s.tree_c,
            "applicable_c": s.applicable_c,
            "survey_c": s.survey_c,
            "appraised_c": s.appraised_c,
            "bonus_c": s.bonus_c,
            "penalty_c": s.penalty_c,
            "total_c": s.total_c,
            "index_u": s.index_u,
        }
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
