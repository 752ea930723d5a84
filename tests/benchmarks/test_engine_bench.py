"""Engine benchmarks (pytest-benchmark): run with `python3 -m pytest tests/benchmarks --benchmark-only`.

Figures and the machine are recorded in docs/performance.md. Nothing here asserts a time.
"""

from __future__ import annotations

from typing import Any

import pytest

from parindex.columnar import validate_records
from parindex.criteria import criteria_from_dict
from parindex.generate import synthetic_records, synthetic_set
from parindex.ranking import rank
from parindex.scoring import aggregate, score_leaves


def pipeline(loaded: Any, records: Any, surveys: Any) -> Any:
    """validate + score + rank, from records in memory"""
    facts, _ = validate_records(loaded, records)
    leaves, _ = score_leaves(loaded, facts, surveys)
    agencies, _ = aggregate(loaded, leaves)
    agencies.insert(1, "name", agencies["agency"])
    return rank(loaded.model, agencies)


@pytest.mark.parametrize("agencies", [500, 2_000, 5_000, 20_000])
def test_validate_score_rank_in_memory(benchmark: Any, agencies: int) -> None:
    loaded = criteria_from_dict(synthetic_set("xa", "Xã", 100, 1))
    records, surveys = synthetic_records(loaded, agencies, 1)
    ranked = benchmark.pedantic(pipeline, args=(loaded, records, surveys), rounds=3, iterations=1)
    assert len(ranked) == agencies
