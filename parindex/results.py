"""A year's results over every block, and their plain-data form (JSON, CSV rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from parindex import __version__
from parindex.criteria import CriteriaSet
from parindex.dataset import Dataset
from parindex.errors import Issue, Location, Report
from parindex.history import Comparison, compare_block, describe, method_text
from parindex.ranking import tie_rule_text
from parindex.scoring import BlockResult, score_block
from parindex.survey import SurveyResult


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")  # type: ignore[return-value]


def cents(value: Any) -> Decimal:
    """Integer hundredths → exact 2-decimal Decimal."""
    return Decimal(int(value)).scaleb(-2)


@dataclass
class Results:
    year: int
    blocks: dict[str, BlockResult]
    report: Report
    inputs: dict[str, str]
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    previous_year: int | None = None
    #: last year's criteria sets by block (the criteria-set diff of the method sheet)
    previous_sets: dict[str, CriteriaSet] = field(default_factory=dict)
    #: the survey results with their sample sizes (the rank intervals of parindex.robustness)
    surveys: list[SurveyResult] = field(default_factory=list)

    @property
    def method(self) -> str:
        """How this year is compared with last year, in words ("" when it is not)."""
        return "" if self.previous_year is None else method_text(self.previous_year)

    def missing_submissions(self) -> dict[str, str]:
        """The agencies in the list that sent no submission (ranked with 0 points): id → name."""
        missing = {
            str(i.location.agency)
            for i in self.report.issues
            if i.code == "submission-missing" and i.location.agency
        }
        return {
            str(a): str(n)
            for res in self.blocks.values()
            for a, n in zip(res.agencies["agency"], res.agencies["name"], strict=True)
            if str(a) in missing
        }

    @property
    def publishable(self) -> bool:
        """Whether a table of these results may be published: valid inputs, every agency in
        the list with its submission (warnings alone do not stop publication)."""
        return self.report.valid and not self.missing_submissions()

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per agency, blocks in file order, agencies by rank (CSV / table)."""
        out: list[dict[str, Any]] = []
        for block, res in self.blocks.items():
            model = res.criteria.model
            comp = res.components[res.components["level"] == "field"]
            # a weighted set's fields add up to the total by their weighted points (as in the
            # decision table); an unweighted set's by their points
            points = comp["weighted_c"] if model.weighted else comp["achieved_c"]
            field_pts = {
                (a, c): p for a, c, p in zip(comp["agency"], comp["code"], points, strict=True)
            }
            for r in _records(res.agencies):
                row: dict[str, Any] = {
                    "year": self.year,
                    "block": block,
                    "criteria_set": model.id,
                    "rank": int(r["rank"]),
                    "agency": r["agency"],
                    "name": r["name"],
                }
                for f in model.fields:
                    row[f"field_{f.code}"] = cents(field_pts.get((r["agency"], f.code), 0))
                row.update(
                    {
                        "appraised": cents(r["appraised_c"]),
                        "survey": cents(r["survey_c"]),
                        "bonus": cents(r["bonus_c"]),
                        "penalty": cents(r["penalty_c"]),
                        "total": cents(r["total_c"]),
                        "applicable_max": cents(r["applicable_c"]),
                        "index": cents(r["index_u"]),
                        "band": r["band"],
                    }
                )
                row.update(self.change_columns(r["agency"]))
                out.append(row)
        return out

    def change_columns(self, agency: str, *, plain: bool = False) -> dict[str, Any]:
        """Change since last year (empty when there is no previous result to compare);
        ``plain``: numbers as in :meth:`as_dict`."""
        if self.previous_year is None:
            return {}
        c = self.comparisons.get(agency)
        if c is None:
            return {
                "index_change": None,
                "rank_change": None,
                "change_note": "",
                "compared_with": "",
            }
        number = _float if plain else cents
        return {
            "previous_index": None if c.previous_index_u is None else number(c.previous_index_u),
            "previous_rank": c.previous_rank,
            "comparable_rank": c.comparable_rank,
            "index_change": None if c.index_change_u is None else number(c.index_change_u),
            "rank_change": c.rank_change,
            "change_note": c.note,
            "change_text": describe(c),
            "compared_with": "; ".join(c.predecessors),
        }

    def as_dict(self, *, plain: bool = False) -> dict[str, Any]:
        """The results as a mapping: every block with its agencies by rank, each with its
        per-field and per-criterion points (``components``), and the report. Points are exact
        Decimals, or with ``plain`` JSON numbers: the float whose text is the 2-decimal value,
        what :func:`parindex.export.json_default` writes for the Decimal (the stored JSON's data,
        built column by column without a Decimal per number)."""
        numbers = _floats if plain else _decimals
        blocks = []
        for block, res in self.blocks.items():
            model = res.criteria.model
            comp = res.components
            by_agency: dict[str, list[dict[str, Any]]] = {}
            for agency, level, code, points, top, index in zip(
                comp["agency"].tolist(),
                comp["level"].tolist(),
                comp["code"].tolist(),
                numbers(comp["achieved_c"]),
                numbers(comp["max_c"]),
                numbers(comp["index_u"]),
                strict=True,
            ):
                by_agency.setdefault(agency, []).append(
                    {"level": level, "code": code, "points": points, "max": top, "index": index}
                )
            a = res.agencies
            agencies = []
            for row in zip(
                a["rank"].tolist(),
                a["agency"].tolist(),
                a["name"].tolist(),
                a["band"].tolist(),
                numbers(a["index_u"]),
                numbers(a["total_c"]),
                numbers(a["applicable_c"]),
                numbers(a["appraised_c"]),
                numbers(a["survey_c"]),
                numbers(a["bonus_c"]),
                numbers(a["penalty_c"]),
                strict=True,
            ):
                agency = row[1]
                agencies.append(
                    {
                        **dict(zip(_AGENCY_KEYS, row, strict=True)),
                        **self.change_columns(agency, plain=plain),
                        "components": by_agency.get(agency, []),
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
                    "compare_with": model.compared_blocks,
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
            "comparison_method": self.method,
            "blocks": blocks,
            "report": self.report.as_dict(),
        }


_AGENCY_KEYS = (
    "rank",
    "agency",
    "name",
    "band",
    "index",
    "total",
    "applicable_max",
    "appraised",
    "survey",
    "bonus",
    "penalty",
)


def _decimals(column: pd.Series) -> list[Decimal]:
    return [cents(v) for v in column.tolist()]


def _floats(column: pd.Series) -> list[float]:
    """Hundredths as the floats nearest to the exact values (an integer's true division by 100
    is correctly rounded, as is ``float(Decimal)``: the same float, the same JSON text)."""
    return (column.to_numpy(dtype=np.int64) / 100).tolist()  # type: ignore[no-any-return]


def _float(value: int) -> float:
    return int(value) / 100


def _needs_maxima(c: Comparison) -> bool:
    """Whether ``c`` was not made for want of last year's applicable maxima."""
    return c.previous_index_u is None and len(c.predecessors) > 1


def score_dataset(ds: Dataset) -> Results:
    """Score and rank every block of a loaded year."""
    names = {a.id: a.name for a in ds.agencies.values()}
    report = Report(list(ds.report.issues))
    blocks: dict[str, BlockResult] = {}
    for block, loaded in ds.sets.items():
        res = score_block(loaded, ds.submissions[block], ds.surveys, names)
        report.extend(res.issues)
        blocks[block] = res
    comparisons: dict[str, Comparison] = {}
    if ds.previous:
        for res in blocks.values():
            comparisons.update(
                compare_block(
                    zip(res.agencies["agency"], res.agencies["index_u"], strict=True),
                    ds.previous,
                    ds.lineage,
                    names,
                    year=ds.year,
                    blocks=res.criteria.model.compared_blocks,
                )
            )
        if any(_needs_maxima(c) for c in comparisons.values()):
            where = Location(file=ds.previous_file)
            report.add(Issue.make("history-no-applicable-max", where, severity="warning"))
    return Results(
        ds.year,
        blocks,
        report,
        ds.inputs,
        comparisons,
        ds.year - 1 if ds.previous else None,
        {block: loaded.model for block, loaded in ds.previous_sets.items()},
        list(ds.surveys),
    )
