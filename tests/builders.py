"""Small builders of criteria sets and submissions as plain dicts, for the scoring tests.

A tree is given as ``[field, ...]``, a field as ``[criterion, ...]``, a criterion as
``[leaf, ...]``; codes (``1``, ``1.1``, ``1.1.1``) and every parent's max are filled in, so a test
only states the leaves it cares about. Numbers are ``Decimal`` (or int), as the YAML loader gives.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from parindex.criteria import LoadedSet, criteria_from_dict
from parindex.scoring import BlockResult, score_block
from parindex.submission import parse_submission
from parindex.survey import SurveyResult

D = Decimal
YEAR = 2025
DUE = dt.date(2025, 3, 31)


def leaf(max: Any, kind: str, **rule: Any) -> dict[str, Any]:
    """A leaf (no code yet). Leaf-level keys may be passed with a ``leaf_`` prefix."""
    extra = {k[5:]: rule.pop(k) for k in list(rule) if k.startswith("leaf_")}
    node: dict[str, Any] = {
        "name": f"Tiêu chí {kind}",
        "max": D(max),
        "rule": {"kind": kind, "wording": f"Quy tắc {kind}", **rule},
    }
    if kind == "survey":
        node.update(survey=True, evidence="none")
    node.update(extra)
    return node


def build_set(
    tree: list[list[list[dict[str, Any]]]],
    *,
    weights: list[Any] | None = None,
    bands: list[tuple[str, Any]] | None = None,
    **top: Any,
) -> dict[str, Any]:
    """A criteria set dict: codes, parents' max and the set's max computed from the leaves."""
    fields = []
    for fi, criteria in enumerate(tree, start=1):
        crits = []
        for ci, leaves in enumerate(criteria, start=1):
            subs = [{"code": f"{fi}.{ci}.{li}", **lf} for li, lf in enumerate(leaves, start=1)]
            crits.append(
                {
                    "code": f"{fi}.{ci}",
                    "name": f"Tiêu chí {fi}.{ci}",
                    "max": sum((s["max"] for s in subs), D(0)),
                    "subcriteria": subs,
                }
            )
        field: dict[str, Any] = {
            "code": str(fi),
            "name": f"Lĩnh vực {fi}",
            "max": sum((c["max"] for c in crits), D(0)),
            "criteria": crits,
        }
        if weights is not None:
            field["weight"] = D(weights[fi - 1])
        fields.append(field)
    data: dict[str, Any] = {
        "id": "test-set",
        "year": YEAR,
        "block": "so",
        "block_name": "Sở, ban, ngành",
        "title": "Bộ tiêu chí thử",
        "max": sum((f["max"] for f in fields), D(0)),
        "bands": [{"name": n, "at_least": D(a)} for n, a in (bands or [("Tất cả", 0)])],
        "fields": fields,
    }
    data.update(top)
    return data


def extras(cap: Any, *items: dict[str, Any], prefix: str = "T") -> dict[str, Any]:
    """A bonus or penalty block; items are leaves, coded ``T1``, ``T2`` … (or ``D1`` …)."""
    coded = [{"code": f"{prefix}{i}", **item} for i, item in enumerate(items, start=1)]
    return {"cap": D(cap), "items": coded}


def submission(agency: str, leaves: dict[str, Any]) -> dict[str, Any]:
    return {"agency": agency, "year": YEAR, "leaves": leaves}


def survey(agency: str, key: str, result: Any) -> SurveyResult:
    """A survey result as the survey reader returns it (result in 1/10000 of a percent)."""
    return SurveyResult(agency, key, int(D(result) * 10_000), None, 2)


def score(
    data: dict[str, Any], subs: list[dict[str, Any]], surveys: list[SurveyResult] | None = None
) -> BlockResult:
    """Validate the set, parse the submissions (which must have no errors) and score them."""
    loaded: LoadedSet = criteria_from_dict(data)
    parsed = [parse_submission(s, loaded) for s in subs]
    for p in parsed:
        errors = [i for i in p.issues if i.severity == "error"]
        assert not errors, errors
    # names passed explicitly: see test_rules.test_score_block_without_names
    return score_block(loaded, parsed, surveys, {s["agency"]: s["agency"] for s in subs})


def points(result: BlockResult, agency: str, code: str) -> Decimal:
    """A leaf's final points, as a 2-decimal Decimal."""
    rows = result.leaves[(result.leaves["agency"] == agency) & (result.leaves["leaf"] == code)]
    assert len(rows) == 1
    return D(int(rows["final_c"].iloc[0])) / 100


def row(result: BlockResult, agency: str) -> dict[str, Any]:
    """An agency's totals row, amounts as Decimals (``index`` in %)."""
    r = result.agencies[result.agencies["agency"] == agency].iloc[0]
    out: dict[str, Any] = {"rank": int(r["rank"]), "band": r["band"]}
    for col in (
        "tree_c",
        "applicable_c",
        "survey_c",
        "appraised_c",
        "bonus_c",
        "penalty_c",
        "total_c",
    ):
        out[col[:-2]] = D(int(r[col])) / 100
    out["index"] = D(int(r["index_u"])) / 100
    return out
