"""A year's results over every block, and their plain-data form (JSON, CSV rows)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parindex import __version__
from parindex.dataset import Dataset
from parindex.errors import Report
from parindex.ranking import tie_rule_text
from parindex.scoring import BlockResult, score_block


def cents(value: int) -> Decimal:
    """Integer hundredths → exact 2-decimal Decimal."""
    return Decimal(int(value)).scaleb(-2)


@dataclass
class Results:
    year: int
    blocks: dict[str, BlockResult]
    report: Report
    inputs: dict[str, str]

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per agency, blocks in file order, agencies by rank (CSV / table)."""
        out: list[dict[str, Any]] = []
        for block, res in self.blocks.items():
            model = res.criteria.model
            comp = res.components[res.components["level"] == "field"]
            field_pts = {
                (a, c): p
                for a, c, p in zip(comp["agency"], comp["code"], comp["achieved_c"], strict=True)
            }
            for r in res.agencies.itertuples(index=False):
                row: dict[str, Any] = {
                    "year": self.year,
                    "block": block,
                    "criteria_set": model.id,
                    "rank": int(r.rank),
                    "agency": r.agency,
                    "name": r.name,
                }
                for f in model.fields:
                    row[f"field_{f.code}"] = cents(field_pts.get((r.agency, f.code), 0))
                row.update(
                    {
                        "appraised": cents(r.appraised_c),
                        "survey": cents(r.survey_c),
                        "bonus": cents(r.bonus_c),
                        "penalty": cents(r.penalty_c),
                        "total": cents(r.total_c),
                        "applicable_max": cents(r.applicable_c),
                        "index": cents(r.index_u),
                        "band": r.band,
                    }
                )
                out.append(row)
        return out

    def as_dict(self) -> dict[str, Any]:
        blocks = []
        for block, res in self.blocks.items():
            model = res.criteria.model
            comp = res.components
            by_agency: dict[str, list[dict[str, Any]]] = {}
            for c in comp.itertuples(index=False):
                by_agency.setdefault(c.agency, []).append(
                    {
                        "level": c.level,
                        "code": c.code,
                        "points": cents(c.achieved_c),
                        "max": cents(c.max_c),
                        "index": cents(c.index_u),
                    }
                )
            agencies = []
            for r in res.agencies.itertuples(index=False):
                agencies.append(
                    {
                        "rank": int(r.rank),
                        "agency": r.agency,
                        "name": r.name,
                        "band": r.band,
                        "index": cents(r.index_u),
                        "total": cents(r.total_c),
                        "applicable_max": cents(r.applicable_c),
                        "appraised": cents(r.appraised_c),
                        "survey": cents(r.survey_c),
                        "bonus": cents(r.bonus_c),
                        "penalty": cents(r.penalty_c),
                        "components": by_agency.get(r.agency, []),
                    }
                )
            blocks.append(
                {
                    "block": block,
                    "block_name": model.block_name,
                    "criteria_set": model.id,
                    "criteria_sha256": res.criteria.sha256,
                    "sample": model.sample,
                    "tie_rule": tie_rule_text(model),
                    "bands": [{"name": b.name, "at_least": b.at_least} for b in model.bands],
                    "agencies": agencies,
                }
            )
        return {
            "year": self.year,
            "engine": f"parindex {__version__}",
            "rounding": "Điểm mỗi tiêu chí thành phần làm tròn 2 chữ số (half up) khi tính; "
            "Chỉ số làm tròn 2 chữ số (half up)",
            "inputs": self.inputs,
            "blocks": blocks,
            "report": self.report.as_dict(),
        }


def score_dataset(ds: Dataset) -> Results:
    """Score and rank every block of a loaded year."""
    names = {a.id: a.name for a in ds.agencies.values()}
    report = Report(list(ds.report.issues))
    blocks: dict[str, BlockResult] = {}
    for block, loaded in ds.sets.items():
        res = score_block(loaded, ds.submissions[block], ds.surveys, names)
        report.extend(res.issues)
        blocks[block] = res
    return Results(ds.year, blocks, report, ds.inputs)
