"""Decision table benchmarks (pytest-benchmark): the workbook and its charts for 500–5,000 agencies.

Run: `python3 -m pytest tests/benchmarks/test_decision_bench.py --benchmark-only`; add
`--benchmark-cprofile=tottime` for the profile. Figures in docs/performance.md. Nothing here
asserts a time.

The input is built once per size, in memory and not timed: the three generated blocks of
`parindex generate` (10 % departments, 10 % districts, 80 % communes; 100 sub-criteria each, 95
self-scored and 5 from surveys, one bonus and one penalty item), each agency's submission from
`synthetic_submission` (the same mappings the generated YAML files hold, "did not arise" and
appraisal rounds included) through the bulk path (`records_from_submissions` → `validate_records`
→ `score_leaves` → `aggregate` → `rank`), plus last year's results for the change columns (2 %
renamed, 1 % merged, 1 % new agencies) and one input file hash per submission for the method
sheet — what `parindex rank` would have loaded from files, without the minutes of YAML.

What is timed:

- the workbook (`write_decision_table(..., charts=False)`): ranking, detail, method and notes
  sheets — the appendix of the decision, and exactly what the web app publishes;
- the ranking chart of every block, apart (it is embedded in the chart sheets of `parindex rank`);
- the per-agency profile charts, apart: one PNG and one SVG per agency, a separate output whose
  cost is per agency (`parindex rank` also embeds them in the chart sheets; `--no-charts` skips
  them).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from parindex.charts import profile_charts, profile_data, ranking_chart
from parindex.criteria import criteria_from_dict
from parindex.decision import write_decision_table
from parindex.errors import Report
from parindex.facts import records_from_submissions
from parindex.generate import BLOCKS, SURVEYS, YEAR, synthetic_set, synthetic_submission
from parindex.history import PreviousResult, compare_block
from parindex.ranking import rank
from parindex.results import Results
from parindex.scoring import BlockResult, aggregate, score_leaves
from parindex.validate import validate_records

SIZES = [500, 1_000, 2_000, 5_000]
RUN = dt.datetime(2026, 1, 15, 8, 0, 0)


def block_counts(agencies: int) -> dict[str, int]:
    """Agencies per block, as `parindex generate --agencies N` splits them."""
    counts = {block: max(1, round(agencies * share)) for block, _, share in BLOCKS}
    counts["xa"] = agencies - counts["so-nganh"] - counts["huyen"]
    return counts


def _previous(
    blocks: dict[str, BlockResult], rng: random.Random
) -> tuple[dict[str, PreviousResult], dict[str, tuple[str, list[str]]]]:
    """Last year's results: every agency ±5 points, re-ranked; a few renamed, merged or new."""
    previous: dict[str, PreviousResult] = {}
    mapping: dict[str, tuple[str, list[str]]] = {}
    for block, res in blocks.items():
        rows = []
        for agency, index_u in zip(res.agencies["agency"], res.agencies["index_u"], strict=True):
            draw = rng.random()
            if draw < 0.01:
                mapping[agency] = ("new", [])
                continue
            if draw < 0.02:
                olds = [f"{agency}-cu-1", f"{agency}-cu-2"]
                mapping[agency] = ("merged", olds)
                rows += [(old, f"Đơn vị cũ {old}", int(index_u)) for old in olds]
                continue
            old = agency
            if draw < 0.04:
                old = f"{agency}-cu"
                mapping[agency] = ("renamed", [old])
            rows.append((old, f"Đơn vị cũ {old}", int(index_u) + rng.randint(-500, 500)))
        rows.sort(key=lambda r: -r[2])
        for n, (old, name, index_u) in enumerate(rows, start=1):
            previous[old] = PreviousResult(block, old, name, min(10_000, max(0, index_u)), n)
    return previous, mapping


def synthetic_results(agencies: int, seed: int = 0) -> Results:
    """A year's results for ``agencies`` agencies over the three generated blocks (see above)."""
    rng = random.Random(seed)
    counts = block_counts(agencies)
    blocks: dict[str, BlockResult] = {}
    report = Report()
    inputs: dict[str, str] = {}
    names: dict[str, str] = {}
    for block, block_name, _ in BLOCKS:
        data = synthetic_set(block, block_name, 100, seed)
        path = f"criteria/{YEAR}/{block}.yaml"
        loaded = criteria_from_dict(data, path)
        inputs[path] = loaded.sha256
        ids = [f"{block}-{i + 1:06d}" for i in range(counts[block])]
        for i, agency in enumerate(ids, start=1):
            names[agency] = f"Đơn vị {block} số {i}"
            sub = f"submissions/{YEAR}/{block}/{agency}.yaml"
            inputs[sub] = hashlib.sha256(sub.encode()).hexdigest()
        subs = [synthetic_submission(data, agency, rng) for agency in ids]
        facts, issues = validate_records(loaded, records_from_submissions(subs))
        surveys = pd.DataFrame(
            {
                "agency": np.repeat(np.array(ids, dtype=object), len(SURVEYS)),
                "survey_key": np.tile(np.array(SURVEYS, dtype=object), len(ids)),
                "result_u": [rng.randint(600_000, 1_000_000) for _ in range(len(ids) * 5)],
            }
        )
        leaves, scored = score_leaves(loaded, facts, surveys)
        frame, components = aggregate(loaded, leaves)
        frame.insert(1, "name", frame["agency"].map(names))
        blocks[block] = BlockResult(
            loaded, rank(loaded.model, frame), leaves, components, issues + scored
        )
        report.extend(issues + scored)
    previous, mapping = _previous(blocks, rng)
    comparisons = {
        agency: c
        for res in blocks.values()
        for agency, c in compare_block(
            zip(res.agencies["agency"], res.agencies["index_u"], strict=True),
            previous,
            mapping,
            names,
        ).items()
    }
    return Results(YEAR, blocks, report, inputs, comparisons, YEAR - 1)


@pytest.fixture(scope="module")
def results_for() -> Callable[[int], Results]:
    cache: dict[int, Results] = {}

    def get(agencies: int) -> Results:
        if agencies not in cache:
            cache[agencies] = synthetic_results(agencies)
        return cache[agencies]

    return get


@pytest.mark.parametrize("agencies", SIZES)
def test_decision_table_workbook(
    benchmark: Any, results_for: Callable[[int], Results], tmp_path: Path, agencies: int
) -> None:
    results = results_for(agencies)
    out = tmp_path / f"xep-hang-{YEAR}.xlsx"

    def write() -> None:
        write_decision_table(results, out, charts=False, run_time=RUN)
        gc.collect()  # the workbook's garbage is part of the cost: not left to the next round

    benchmark.pedantic(write, rounds=3, iterations=1)
    benchmark.extra_info["bytes"] = out.stat().st_size
    assert out.stat().st_size > 0


@pytest.mark.parametrize("agencies", SIZES)
def test_ranking_charts(
    benchmark: Any, results_for: Callable[[int], Results], tmp_path: Path, agencies: int
) -> None:
    results = results_for(agencies)

    def draw() -> list[Path]:
        return [
            ranking_chart(res, results.year, tmp_path / f"xep-hang-{block}")
            for block, res in results.blocks.items()
        ]

    pngs = benchmark.pedantic(draw, rounds=3, iterations=1)
    assert all(p.exists() for p in pngs)


@pytest.mark.parametrize("agencies", [100, 400])
def test_profile_charts(
    benchmark: Any, results_for: Callable[[int], Results], tmp_path: Path, agencies: int
) -> None:
    """Profiles of the first ``agencies`` communes (PNG + SVG each), on the process pool."""
    res = results_for(SIZES[0]).blocks["xa"]
    ids = [str(a) for a in res.agencies["agency"][:agencies]]
    jobs = [(*profile_data(res, a), tmp_path / f"xa-{a}") for a in ids]
    pngs = benchmark.pedantic(profile_charts, args=(jobs,), rounds=1, iterations=1)
    assert len(pngs) == agencies


def test_decision_table_with_charts(
    benchmark: Any, results_for: Callable[[int], Results], tmp_path: Path
) -> None:
    """What `parindex rank` writes by default for 500 agencies: the workbook with its chart
    sheets, every block's ranking chart and every agency's profile (PNG + SVG)."""
    results = results_for(SIZES[0])
    out = tmp_path / f"xep-hang-{YEAR}.xlsx"
    benchmark.pedantic(
        write_decision_table,
        args=(results, out),
        kwargs={"charts": True, "run_time": RUN},
        rounds=1,
        iterations=1,
    )
    assert len(list((tmp_path / f"xep-hang-{YEAR}-bieu-do" / "ho-so").glob("*.svg"))) == 500
