"""Rank-interval benchmark (pytest-benchmark): one generated block × 1,000 draws.

Run: `python3 -m pytest tests/benchmarks/test_robustness_bench.py --benchmark-only`. Figures
in docs/performance.md. Nothing here asserts a time.

The block is built once, in memory and not timed, as `parindex generate` makes it: the
generated commune set (100 sub-criteria, 5 of them survey-scored), its agencies' records from
`synthetic_records` through the bulk path (`validate_records` → `score_leaves` → `aggregate` →
`rank`), every survey result with a sample size of 30–400 (the generator's range). What is
timed: `block_robustness` — 1,000 draws of every survey result, the points, the index and the
block's ranks per draw, then the percentiles and the band counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from parindex.criteria import criteria_from_dict
from parindex.generate import synthetic_records, synthetic_set
from parindex.ranking import rank
from parindex.robustness import block_robustness
from parindex.scoring import BlockResult, aggregate, score_leaves
from parindex.survey import SurveyResult
from parindex.validate import validate_records


def _block(agencies: int) -> tuple[BlockResult, list[SurveyResult]]:
    loaded = criteria_from_dict(synthetic_set("xa", "Xã", 100, 1))
    records, surveys = synthetic_records(loaded, agencies, 1)
    facts, _ = validate_records(loaded, records)
    leaves, _ = score_leaves(loaded, facts, surveys)
    frame, components = aggregate(loaded, leaves)
    frame.insert(1, "name", frame["agency"])
    sizes = np.random.default_rng(1).integers(30, 401, len(surveys))
    results = [
        SurveyResult(str(a), str(k), int(u), int(n), 0)
        for a, k, u, n in zip(
            surveys["agency"], surveys["survey_key"], surveys["result_u"], sizes, strict=True
        )
    ]
    return BlockResult(loaded, rank(loaded.model, frame), leaves, components), results


@pytest.mark.parametrize("agencies", [500, 5_000])
def test_rank_intervals(benchmark: Any, agencies: int) -> None:
    res, surveys = _block(agencies)
    got = benchmark.pedantic(
        block_robustness, args=(res, surveys), kwargs={"draws": 1_000}, rounds=3, iterations=1
    )
    assert got.varied.all()
    assert (got.low <= got.high).all()
    assert len(got.low) == agencies
