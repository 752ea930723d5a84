"""A deliberately naive reference scorer: the oracle the engine must match.

It reads the criteria set and the submissions as the plain dicts a test feeds to
``criteria_from_dict`` and ``parse_submission`` and scores them with plain loops and
``decimal.Decimal`` straight from docs (domain.md), one agency and one leaf at a time. It uses no
parindex code, so a shared mistake cannot hide. Inputs are assumed valid (the tests check that).

Every division is a single division of exact decimals, done with 60 significant digits: the exact
quotient has a denominator below 10**25, so when it is not itself a short decimal it lies at least
10**-28 away from any x.xx5 boundary, far more than the 10**-55 the division can be off by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

D = Decimal
ZERO = Decimal(0)
HUNDRED = Decimal(100)
TIE_KEYS = ("appraised_points", "survey_points", "bonus_points", "penalty_points")


def round2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return numerator / denominator


def dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass
class LeafResult:
    code: str
    section: str  # "tree", "bonus", "penalty"
    max: Decimal
    final: Decimal
    applicable: bool
    survey: bool
    did_not_arise: bool  # claimed or a zero denominator, where the policy allows it


@dataclass
class AgencyResult:
    agency: str
    leaves: dict[str, LeafResult] = field(default_factory=dict)
    achieved: Decimal = ZERO  # total, after weights, bonus and penalty
    applicable_max: Decimal = ZERO
    index: Decimal = ZERO  # in %, 2 decimals
    bonus: Decimal = ZERO  # capped
    penalty: Decimal = ZERO  # capped
    survey_points: Decimal = ZERO
    appraised_points: Decimal = ZERO
    rank: int = 0
    band: str = ""
    errors: list[str] = field(default_factory=list)  # leaf codes: did not arise, not allowed


def rule_points(rule: dict[str, Any], mx: Decimal, entry: dict[str, Any]) -> Decimal | None:
    """The self-score a leaf's rule gives for the agency's facts; None when it did not arise.

    An entry without the rule's facts (left empty) scores 0.
    """
    kind = rule["kind"]
    if kind == "yes-no":
        if entry.get("done") is True:
            return mx
        return ZERO
    if kind == "deadline":
        if entry.get("done") is False or entry.get("date") is None:
            return ZERO
        if entry["date"] <= rule["due"]:
            return mx
        return round2(mx * dec(rule["late_share"]))
    if kind in ("tiers", "proportional"):
        if entry.get("denominator") is None:
            return ZERO
        num, den = D(entry["numerator"]), D(entry["denominator"])
        if den == 0:
            return None
        if kind == "tiers":
            rate = divide(num * HUNDRED, den)
            best: dict[str, Any] | None = None
            for tier in rule["tiers"]:
                if dec(tier["at_least"]) <= rate:
                    if best is None or dec(tier["at_least"]) > dec(best["at_least"]):
                        best = tier
            return ZERO if best is None else dec(best["points"])
        lower = dec(rule.get("lower", 0))
        upper = dec(rule.get("upper", 100))
        # max × (rate − lower) / (upper − lower), with rate = num / den × 100, as one fraction
        value = round2(divide(mx * (num * HUNDRED - lower * den), (upper - lower) * den))
        if value < 0:
            return ZERO
        if value > mx:
            return mx
        return value
    if kind == "per-item":
        if entry.get("count") is None:
            return ZERO
        return min(entry["count"] * dec(rule["points_each"]), mx)
    if kind == "deduction":
        if entry.get("count") is None:
            return ZERO
        return max(mx - entry["count"] * dec(rule["points_each"]), dec(rule.get("floor", 0)))
    if kind == "graded":
        if entry.get("level") is None:
            return ZERO
        for level in rule["levels"]:
            if level["key"] == str(entry["level"]):
                return round2(mx * dec(level["share"]))
        raise AssertionError(f"unknown level {entry['level']!r}")
    if kind == "manual":
        if entry.get("score") is None:
            return ZERO
        return dec(entry["score"])
    raise AssertionError(f"rule kind {kind!r} is not self-scored")


def leaf_result(
    criteria: dict[str, Any],
    leaf: dict[str, Any],
    section: str,
    agency: str,
    entry: dict[str, Any],
    surveys: dict[tuple[str, str], Decimal],
    errors: list[str],
) -> LeafResult:
    mx = dec(leaf["max"])
    rule = leaf["rule"]
    policy = leaf.get("did_not_arise") or criteria.get("did_not_arise") or "excluded"
    applicable = True
    if rule["kind"] == "survey":
        result = surveys.get((agency, rule["survey"]))
        points: Decimal | None = ZERO if result is None else round2(mx * dec(result) / HUNDRED)
    elif entry.get("did_not_arise") is not None:
        points = None
    else:
        points = rule_points(rule, mx, entry)
    did_not_arise = points is None and policy != "not-allowed"
    if points is None and section != "tree":
        # a bonus or penalty item has no policy (the format forbids one): nothing arose, so it
        # adds or takes off nothing
        points, did_not_arise = ZERO, True
    if points is None:  # did not arise
        if policy == "excluded":
            points, applicable = ZERO, False
        elif policy == "full-points":
            points = mx
        else:
            points = ZERO
            errors.append(leaf["code"])
    appraisal = entry.get("appraisal") or {}
    final = points
    for rnd in ("round1", "round2"):  # the last round the panel scored wins
        scored = (appraisal.get(rnd) or {}).get("score")
        if scored is not None:
            final = dec(scored)
            applicable = True
    return LeafResult(
        leaf["code"], section, mx, final, applicable, rule["kind"] == "survey", did_not_arise
    )


def score_agency(
    criteria: dict[str, Any], sub: dict[str, Any], surveys: dict[tuple[str, str], Decimal]
) -> AgencyResult:
    agency = sub["agency"]
    out = AgencyResult(agency)
    entries = sub.get("leaves") or {}

    def entry_of(code: str) -> dict[str, Any]:
        return entries.get(code) or {}

    tree_achieved = ZERO
    tree_max = ZERO
    weighted = any(f.get("weight") is not None for f in criteria["fields"])
    weighted_achieved = ZERO
    weighted_max = ZERO
    for f in criteria["fields"]:
        field_achieved = ZERO
        field_max = ZERO
        for c in f["criteria"]:
            for leaf in c["subcriteria"]:
                r = leaf_result(
                    criteria, leaf, "tree", agency, entry_of(leaf["code"]), surveys, out.errors
                )
                out.leaves[r.code] = r
                if r.applicable:
                    field_achieved += r.final
                    field_max += r.max
                    if r.survey:
                        out.survey_points += r.final
                    else:
                        out.appraised_points += r.final
        tree_achieved += field_achieved
        tree_max += field_max
        if weighted and field_max > 0:
            weight = dec(f["weight"])
            weighted_achieved += round2(divide(field_achieved * weight, field_max))
            weighted_max += weight

    extra_totals = {}
    for section in ("bonus", "penalty"):
        block = criteria.get(section) or {"cap": 0, "items": []}
        total = ZERO
        for item in block.get("items", []):
            r = leaf_result(
                criteria, item, section, agency, entry_of(item["code"]), surveys, out.errors
            )
            out.leaves[r.code] = r
            total += r.final
        extra_totals[section] = min(total, dec(block["cap"]))
    out.bonus, out.penalty = extra_totals["bonus"], extra_totals["penalty"]

    achieved, maximum = (weighted_achieved, weighted_max) if weighted else (tree_achieved, tree_max)
    achieved = achieved + out.bonus - out.penalty
    if achieved < 0:
        achieved = ZERO
    out.achieved = achieved
    out.applicable_max = maximum
    out.index = round2(divide(achieved * HUNDRED, maximum)) if maximum > 0 else ZERO

    bands = sorted(criteria["bands"], key=lambda b: dec(b["at_least"]), reverse=True)
    for band in bands:
        if dec(band["at_least"]) <= out.index:
            out.band = band["name"]
            break
    return out


def tie_values(criteria: dict[str, Any], r: AgencyResult) -> list[Decimal]:
    """What an agency is ranked on, each one "higher is better"."""
    values = [r.index]
    for key in criteria.get("tie_break") or []:
        if key == "appraised_points":
            values.append(r.appraised_points)
        elif key == "survey_points":
            values.append(r.survey_points)
        elif key == "bonus_points":
            values.append(r.bonus)
        elif key == "penalty_points":
            values.append(-r.penalty)  # less penalty is better
        else:
            raise AssertionError(key)
    return values


def score(
    criteria: dict[str, Any],
    submissions: list[dict[str, Any]],
    surveys: dict[tuple[str, str], Any] | None = None,
) -> dict[str, AgencyResult]:
    """Score every submission of a block; ``surveys`` maps (agency, survey key) → result in %."""
    results_pct = {k: dec(v) for k, v in (surveys or {}).items()}
    results = {s["agency"]: score_agency(criteria, s, results_pct) for s in submissions}
    for a in results.values():
        # rank = 1 + how many agencies are strictly better on (index, then the tie-break chain)
        better = 0
        for b in results.values():
            if tie_values(criteria, b) > tie_values(criteria, a):
                better += 1
        a.rank = better + 1
    return results
