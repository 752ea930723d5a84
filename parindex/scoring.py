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


# ------------------------------------------------------------------------------ rule parameters
@dataclass
class RuleTables:
    """A criteria set flattened into columns: one row per leaf, plus tier and level tables."""

    leaves: pd.DataFrame
    tiers: pd.DataFrame
    levels: pd.DataFrame


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
    tables = RuleTables(
        pd.DataFrame(rows),
        pd.DataFrame(tiers, columns=["leaf", "at_least_u", "points_c"]),
        pd.DataFrame(levels, columns=["leaf", "level", "points_c"]),
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


def facts_frame(loaded: LoadedSet, submissions: list[Submission]) -> pd.DataFrame:
    """One row per agency × leaf of the set (bonus and penalty items included)."""
    codes = list(rule_tables(loaded).leaves["leaf"])
    n = len(codes)
    cols: dict[str, list[Any]] = {c: [] for c in ("agency", "leaf", *_FACT_COLUMNS)}
    for sub in submissions:
        cols["agency"].extend([sub.agency] * n)
        cols["leaf"].extend(codes)
        for code in codes:
            f = sub.facts.get(code)
            if f is None:
                cols["state"].append("empty")
                for c in _INT_COLUMNS:
                    cols[c].append(NA_INT)
                cols["level"].append("")
                cols["has_evidence"].append(False)
                cols["has_explanation"].append(False)
                continue
            cols["state"].append(f.state)
            cols["done"].append(NA_INT if f.done is None else int(f.done))
            cols["date"].append(NA_INT if f.date is None else f.date.toordinal())
            for c in _INT_COLUMNS[2:]:
                v = getattr(f, c)
                cols[c].append(NA_INT if v is None else v)
            cols["level"].append(f.level or "")
            cols["has_evidence"].append(f.has_evidence)
            cols["has_explanation"].append(f.has_explanation)
    frame = pd.DataFrame(cols)
    for c in _INT_COLUMNS:
        frame[c] = frame[c].astype("int64")
    for c in ("has_evidence", "has_explanation"):  # typed even when there is no agency
        frame[c] = frame[c].astype(bool)
    return frame


# ------------------------------------------------------------------------------------ scoring
def _half_up(num: Any, den: Any) -> Any:
    """Element-wise ``num / den`` rounded half up, on int64 arrays (den > 0)."""
    return (2 * num + den) // (2 * den)


def score_leaves(
    loaded: LoadedSet,
    facts: pd.DataFrame,
    surveys: list[SurveyResult] | pd.DataFrame | None = None,
    sources: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Points of every agency × leaf: self, rounds, final; whether the leaf is applicable."""
    tables = rule_tables(loaded)
    df = facts.merge(tables.leaves, on="leaf", how="left", sort=False)
    n = len(df)
    kind = df["kind"].to_numpy()
    state = df["state"].to_numpy()
    max_c = df["max_c"].to_numpy(dtype="int64")
    has = state == "facts"
    self_c = np.zeros(n, dtype="int64")

    m = has & (kind == "yes-no")
    self_c[m] = np.where(df["done"].to_numpy()[m] == 1, max_c[m], 0)

    m = has & (kind == "deadline")
    date = df["date"].to_numpy()
    on_time = date <= df["due"].to_numpy()
    self_c[m] = np.where(
        date[m] == NA_INT, 0, np.where(on_time[m], max_c[m], df["late_c"].to_numpy()[m])
    )

    num = df["numerator"].to_numpy()
    den = df["denominator"].to_numpy()
    rate_kind = (kind == "tiers") | (kind == "proportional")
    zero_den = has & rate_kind & (den == 0)

    m = has & (kind == "tiers") & (den > 0)
    if m.any() and len(tables.tiers):
        idx = np.flatnonzero(m)
        sub = pd.DataFrame(
            {"i": idx, "leaf": df["leaf"].to_numpy()[idx], "num": num[idx], "den": den[idx]}
        )
        sub = sub.merge(tables.tiers, on="leaf", how="inner")
        sub = sub[sub["num"] * 10_000 >= sub["at_least_u"] * sub["den"]]
        best = sub.groupby("i")["points_c"].max()
        self_c[best.index.to_numpy()] = best.to_numpy()

    m = has & (kind == "proportional") & (den > 0)
    if m.any():
        lo, hi = df["lower_u"].to_numpy()[m], df["upper_u"].to_numpy()[m]
        # Python integers here: max × numerator × 10⁴ can pass 2⁶³ for large maxima and counts
        nu, de, mx = (a.astype(object) for a in (num[m], den[m], max_c[m]))
        lo, hi = lo.astype(object), hi.astype(object)
        part = _half_up(mx * (nu * 10_000 - lo * de), (hi - lo) * de)  # rate × 100 × den
        self_c[m] = np.clip(part, 0, mx).astype("int64")

    count = df["count"].to_numpy()
    each = df["each_c"].to_numpy()
    m = has & (kind == "per-item")
    self_c[m] = np.minimum(count[m] * each[m], max_c[m])
    m = has & (kind == "deduction")
    self_c[m] = np.maximum(max_c[m] - count[m] * each[m], df["floor_c"].to_numpy()[m])

    m = has & (kind == "graded")
    if m.any() and len(tables.levels):
        idx = np.flatnonzero(m)
        sub = pd.DataFrame(
            {"i": idx, "leaf": df["leaf"].to_numpy()[idx], "level": df["level"].to_numpy()[idx]}
        )
        sub = sub.merge(tables.levels, on=["leaf", "level"], how="inner")
        self_c[sub["i"].to_numpy()] = sub["points_c"].to_numpy()

    m = has & (kind == "manual")
    self_c[m] = df["score_c"].to_numpy()[m]

    sources = sources or {}
    agency_col, leaf_col = df["agency"].to_numpy(), df["leaf"].to_numpy()

    def where(i: Any, fact: str = "") -> Location:
        agency = str(agency_col[i])
        return Location(
            file=sources.get(agency, ""), agency=agency, leaf=str(leaf_col[i]), field=fact
        )

    issues: list[Issue] = []
    survey_leaf = kind == "survey"
    if survey_leaf.any():
        if isinstance(surveys, pd.DataFrame):
            sframe = surveys
        else:
            sframe = pd.DataFrame(
                [(r.agency, r.survey, r.result_u) for r in (surveys or [])],
                columns=["agency", "survey_key", "result_u"],
            )
        idx = np.flatnonzero(survey_leaf)
        sub = pd.DataFrame(
            {
                "i": idx,
                "agency": df["agency"].to_numpy()[idx],
                "survey_key": df["survey_key"].to_numpy()[idx],
                "max_c": max_c[idx],
            }
        )
        sub = sub.merge(sframe, on=["agency", "survey_key"], how="left")
        found = sub["result_u"].notna().to_numpy()
        res = sub["result_u"].fillna(0).to_numpy(dtype="int64")
        self_c[sub["i"].to_numpy()] = np.where(
            found, _half_up(sub["max_c"].to_numpy() * res, np.int64(1_000_000)), 0
        )
        state = state.copy()
        state[sub["i"].to_numpy()[found]] = "survey"
        missing = sub[~found]
        for i, key in zip(missing["i"].to_numpy(), missing["survey_key"], strict=True):
            issues.append(Issue.make("survey-missing", where(i), value=key, severity="warning"))

    # did not arise: claimed, or a rate whose denominator is 0
    policy = df["policy"].to_numpy()
    dna = (state == "dna") | zero_den
    not_allowed = zero_den & (policy == "not-allowed")
    for i in np.flatnonzero(not_allowed):
        issues.append(
            Issue.make(
                "did-not-arise-not-allowed",
                where(i, "denominator"),
                value=leaf_col[i],
            )
        )
    dna &= ~not_allowed
    self_c[dna & (policy == "excluded")] = 0
    full = dna & (policy == "full-points")
    self_c[full] = max_c[full]
    applicable = ~(dna & (policy == "excluded"))

    r1 = df["round1_c"].to_numpy()
    r2 = df["round2_c"].to_numpy()
    final_c = np.where(r2 != NA_INT, r2, np.where(r1 != NA_INT, r1, self_c))
    applicable |= (r1 != NA_INT) | (r2 != NA_INT)  # the panel scored it: it counts

    tree = df["section"].to_numpy() == "tree"
    for i in np.flatnonzero((state == "empty") & ~survey_leaf & tree):
        issues.append(Issue.make("leaf-empty", where(i), severity="warning"))
    missing_evidence = (
        df["evidence_required"].to_numpy()
        & (self_c > 0)
        & has
        & ~dna
        & ~df["has_evidence"].to_numpy()
        & ~df["has_explanation"].to_numpy()
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

    out = df[["agency", "leaf", "section", "field", "criterion", "kind", "max_c"]].copy()
    out["state"] = state
    out["self_c"] = self_c
    out["round1_c"] = r1
    out["round2_c"] = r2
    out["final_c"] = final_c
    out["applicable"] = applicable
    out["did_not_arise"] = dna
    out["survey"] = survey_leaf
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


def aggregate(loaded: LoadedSet, leaves: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    m = loaded.model
    tree = leaves[leaves["section"] == "tree"]
    counted = tree["final_c"].where(tree["applicable"], 0)
    max_counted = tree["max_c"].where(tree["applicable"], 0)
    work = pd.DataFrame(
        {
            "agency": tree["agency"],
            "field": tree["field"],
            "criterion": tree["criterion"],
            "achieved_c": counted,
            "max_c": max_counted,
            "survey_c": counted.where(tree["survey"], 0),
        }
    )

    # component indices per field and per criterion
    parts = []
    for level in ("field", "criterion"):
        g = work.groupby(["agency", level], sort=False)[["achieved_c", "max_c"]].sum()
        g = g.reset_index().rename(columns={level: "code"})
        g.insert(1, "level", level)
        parts.append(g)
    components = pd.concat(parts, ignore_index=True)
    components["index_u"] = _index_u(
        components["achieved_c"].to_numpy(), components["max_c"].to_numpy()
    )

    agencies = work.groupby("agency", sort=False)[["achieved_c", "max_c", "survey_c"]].sum()
    agencies = agencies.rename(columns={"max_c": "applicable_c", "achieved_c": "tree_c"})
    agencies["appraised_c"] = agencies["tree_c"] - agencies["survey_c"]

    if m.weighted:
        fields = components[components["level"] == "field"]
        weight_c = {f.code: to_cents(f.weight) for f in m.fields if f.weight is not None}
        w = fields["code"].map(weight_c).to_numpy(dtype="int64")
        mx = fields["max_c"].to_numpy()
        pts = np.where(
            mx > 0, _half_up(fields["achieved_c"].to_numpy() * w, np.where(mx > 0, mx, 1)), 0
        )
        wf = pd.DataFrame(
            {
                "agency": fields["agency"].to_numpy(),
                "weighted_c": pts,
                "weight_c": np.where(mx > 0, w, 0),
            }
        )
        wsum = wf.groupby("agency", sort=False)[["weighted_c", "weight_c"]].sum()
        agencies["tree_c"] = wsum["weighted_c"]
        agencies["applicable_c"] = wsum["weight_c"]
        fields_weighted = pd.Series(
            pts, index=[fields["agency"].to_numpy(), fields["code"].to_numpy()]
        )
        components["weighted_c"] = [
            fields_weighted.get((a, c), pd.NA) if lv == "field" else pd.NA
            for a, lv, c in zip(
                components["agency"], components["level"], components["code"], strict=True
            )
        ]

    for section, cap in (("bonus", m.bonus.cap), ("penalty", m.penalty.cap)):
        part = leaves[leaves["section"] == section]
        total = part.groupby("agency", sort=False)["final_c"].sum()
        raw = total.reindex(agencies.index, fill_value=0).to_numpy(dtype="int64")
        agencies[f"{section}_c"] = np.minimum(raw, to_cents(cap))
    total = agencies["tree_c"] + agencies["bonus_c"] - agencies["penalty_c"]
    agencies["total_c"] = total.clip(lower=0)
    agencies["index_u"] = _index_u(
        agencies["total_c"].to_numpy(dtype="int64"),
        agencies["applicable_c"].to_numpy(dtype="int64"),
    )
    return agencies.reset_index(), components


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
