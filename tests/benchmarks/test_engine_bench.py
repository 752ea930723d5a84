"""Engine benchmarks (pytest-benchmark). Run every benchmark with

    python3 -m pytest tests/benchmarks --benchmark-only

Figures, the machine and how they grow are recorded in docs/performance.md. Nothing here asserts
a time; the asserts check that each run did the whole job (and, against the reference scorer,
that both give the same indices).

- validate + score + rank from records in memory, 500 to 100,000 agencies × 100 leaves
  (50,000 to 10 million leaf scores), with the peak memory of the process;
- the same data as submission mappings, scored by the engine and by the naive reference scorer
  from the tests (tests/reference.py);
- one agency of 100 leaves, as the web page scores it (``single.score_agency``) and through the
  block's frames (``score_block`` of one submission);
- the same from submission files on disk (`parindex score`'s path: criteria, agencies, one YAML
  file per agency, surveys) and from the web app's database (web.bulk).
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from parindex.criteria import criteria_from_dict
from parindex.facts import records_from_submissions
from parindex.generate import synthetic_records, synthetic_set, synthetic_submission
from parindex.ranking import rank
from parindex.scoring import aggregate, score_leaves
from parindex.validate import score_records, validate_records
from tests import reference
from web.demo import stored_data

LEAVES = 100


def pipeline(loaded: Any, records: Any, surveys: Any) -> Any:
    """validate + score + rank, from records in memory"""
    facts, _ = validate_records(loaded, records)
    leaves, _ = score_leaves(loaded, facts, surveys)
    agencies, _ = aggregate(loaded, leaves)
    agencies.insert(1, "name", agencies["agency"])
    return rank(loaded.model, agencies)


def _status(key: str) -> int:
    """A /proc/self/status figure in MiB (VmRSS: now; VmHWM: the peak since the last reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return 0


def _reset_peak() -> None:
    """Start measuring the peak resident memory afresh (Linux: clear_refs 5 resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


# ------------------------------------------------------------------------------ in memory
@pytest.mark.parametrize("agencies", [500, 2_000, 5_000, 20_000, 100_000])
def test_validate_score_rank_in_memory(benchmark: Any, agencies: int) -> None:
    loaded = criteria_from_dict(synthetic_set("xa", "Xã", LEAVES, 1))
    records, surveys = synthetic_records(loaded, agencies, 1)
    benchmark.extra_info["leaf_scores"] = agencies * LEAVES
    benchmark.extra_info["input_mib"] = int(records.memory_usage(deep=True).sum()) // 2**20
    benchmark.extra_info["rss_before_mib"] = _status("VmRSS")
    _reset_peak()
    rounds = 3 if agencies < 100_000 else 2
    ranked = benchmark.pedantic(pipeline, args=(loaded, records, surveys), rounds=rounds)
    benchmark.extra_info["peak_rss_mib"] = _status("VmHWM")
    assert len(ranked) == agencies


# --------------------------------------------------------------- against the reference scorer
def _same_input(agencies: int) -> tuple[dict[str, Any], list[dict[str, Any]], dict[Any, Any]]:
    data = synthetic_set("xa", "Xã", LEAVES, 2)
    rng = random.Random(2)
    subs = [synthetic_submission(data, f"a{i:06d}", rng) for i in range(agencies)]
    keys = [
        leaf["rule"]["survey"]
        for f in data["fields"]
        for c in f["criteria"]
        for leaf in c["subcriteria"]
        if leaf["rule"]["kind"] == "survey"
    ]
    surveys = {
        (s["agency"], key): Decimal(rng.randint(6000, 10000)) / 100 for s in subs for key in keys
    }
    return data, subs, surveys


def _survey_frame(surveys: dict[Any, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [(a, k, int(v * 10_000)) for (a, k), v in surveys.items()],
        columns=["agency", "survey_key", "result_u"],
    )


def _engine_from_mappings(
    data: dict[str, Any], subs: list[dict[str, Any]], surveys: dict[Any, Any]
) -> pd.DataFrame:
    """The engine from the same submission mappings: records, validate, score, rank."""
    loaded = criteria_from_dict(data)
    records = records_from_submissions(subs)
    return score_records(loaded, records, _survey_frame(surveys)).agencies


@pytest.mark.parametrize("agencies", [500, 1_000, 2_000, 5_000])
@pytest.mark.parametrize("scorer", ["engine-columns", "engine-mappings", "reference"])
def test_same_input_engine_and_reference(benchmark: Any, scorer: str, agencies: int) -> None:
    """engine-columns: the data already as columns (converted before the clock starts);
    engine-mappings: from the same mappings the reference reads, the conversion timed too."""
    data, subs, surveys = _same_input(agencies)
    benchmark.extra_info["leaf_scores"] = agencies * LEAVES
    if scorer == "reference":
        ref = benchmark.pedantic(reference.score, args=(data, subs, surveys), rounds=1)
        assert len(ref) == agencies
        return
    if scorer == "engine-mappings":
        ranked = benchmark.pedantic(_engine_from_mappings, args=(data, subs, surveys), rounds=3)
    else:
        loaded = criteria_from_dict(data)
        records, frame = records_from_submissions(subs), _survey_frame(surveys)
        ranked = benchmark.pedantic(
            lambda: score_records(loaded, records, frame).agencies, rounds=3
        )
    got = {a: int(i) for a, i in zip(ranked["agency"], ranked["index_u"], strict=True)}
    ref = reference.score(data, subs[:200], {k: v for k, v in surveys.items() if k[0] in got})
    # the same answer (checked on the first 200 agencies: the reference ranks in n²)
    assert {a: int(r.index * 100) for a, r in ref.items()} == {a: got[a] for a in ref}


# ------------------------------------------------------------------------------ one agency
@pytest.mark.parametrize("path", ["score-agency", "score-block"])
def test_one_agency_of_100_leaves(benchmark: Any, path: str) -> None:
    """score-agency: the web page's path (the scoring core on the agency's arrays, no frames);
    score-block: the same agency through the block path's pandas frames."""
    from parindex.generate import SURVEYS
    from parindex.scoring import score_block
    from parindex.single import score_agency
    from parindex.submission import parse_submission
    from parindex.survey import SurveyResult

    data = synthetic_set("xa", "Xã", LEAVES, 4)
    loaded = criteria_from_dict(data)
    parsed = parse_submission(synthetic_submission(data, "a0000001", random.Random(4)), loaded)
    surveys = [SurveyResult("a0000001", key, 850_000, None, 2) for key in SURVEYS]
    if path == "score-agency":
        result = benchmark(score_agency, loaded, parsed, surveys)
        assert len(result.leaves) == LEAVES + 2  # and the bonus and penalty items
    else:
        block = benchmark(score_block, loaded, [parsed], surveys)
        assert len(block.leaves) == LEAVES + 2


# ---------------------------------------------------------------------------- from files on disk
@pytest.mark.parametrize("agencies", [500, 1_000, 2_000, 5_000])
def test_from_files_on_disk(benchmark: Any, agencies: int, tmp_path_factory: Any) -> None:
    from parindex.dataset import load_year
    from parindex.generate import write_dataset
    from parindex.results import score_dataset

    root = tmp_path_factory.mktemp(f"files{agencies}")
    write_dataset(root, agencies, seed=3, leaves=LEAVES)
    benchmark.extra_info["leaf_scores"] = agencies * LEAVES
    benchmark.extra_info["yaml_mib"] = round(
        sum(p.stat().st_size for p in (root / "submissions").rglob("*.yaml")) / 2**20, 1
    )

    def run() -> Any:
        return score_dataset(load_year(root, 2025))

    results = benchmark.pedantic(run, rounds=3 if agencies <= 1_000 else 1)
    assert sum(len(r.agencies) for r in results.blocks.values()) == agencies


# ------------------------------------------------------------------------------ from the database
def _seed_database(app: Any, agencies: int) -> None:
    """A cycle with one block of ``agencies`` agencies, their entries, evidence, rounds and
    survey results, inserted in bulk."""
    import yaml

    from parindex.generate import _Dumper
    from parindex.units import to_cents
    from web.models import (
        Agency,
        Appraisal,
        CriteriaRecord,
        Cycle,
        Entry,
        Evidence,
        Submission,
        SurveyResult,
        db,
    )

    data, subs, surveys = _same_input(agencies)
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    loaded = criteria_from_dict(data)
    with app.app_context():
        cycle = Cycle(year=2025, title="Đo hiệu năng")
        db.session.add(cycle)
        db.session.add(
            CriteriaRecord(
                cycle=cycle,
                block="xa",
                set_id=loaded.model.id,
                block_name=loaded.model.block_name,
                file_name="xa.yaml",
                yaml_text=text,
                sha256=loaded.sha256,
            )
        )
        db.session.flush()
        agency_rows, sub_rows, entry_rows, evidence_rows, round_rows, survey_rows = (
            [] for _ in range(6)
        )
        entry_id = 0
        for n, sub in enumerate(subs, start=1):
            agency_rows.append(
                {
                    "id": n,
                    "cycle_id": cycle.id,
                    "code": sub["agency"],
                    "name": sub["agency"],
                    "block": "xa",
                }
            )
            sub_rows.append({"id": n, "agency_id": n, "state": "submitted"})
            for leaf, entry in sub["leaves"].items():
                entry_id += 1
                stored = stored_data(entry)
                entry_rows.append(
                    {"id": entry_id, "submission_id": n, "leaf": leaf, "data": stored}
                )
                for ev in entry.get("evidence", []):
                    evidence_rows.append(
                        {
                            "entry_id": entry_id,
                            "number": ev["number"],
                            "date": ev["date"],
                            "issuer": ev["issuer"],
                            "title": ev["title"],
                            "location": ev["location"],
                        }
                    )
                for rnd, value in (entry.get("appraisal") or {}).items():
                    round_rows.append(
                        {
                            "submission_id": n,
                            "leaf": leaf,
                            "round": int(rnd[-1]),
                            "score_c": to_cents(value["score"]),
                            "reason": value.get("reason", ""),
                        }
                    )
        for (code, key), value in surveys.items():
            survey_rows.append(
                {
                    "cycle_id": cycle.id,
                    "agency_id": int(code[1:]) + 1,
                    "survey": key,
                    "result_u": int(value * 10_000),
                }
            )
        for model, rows in (
            (Agency, agency_rows),
            (Submission, sub_rows),
            (Entry, entry_rows),
            (Evidence, evidence_rows),
            (Appraisal, round_rows),
            (SurveyResult, survey_rows),
        ):
            if rows:
                db.session.execute(db.insert(model), rows)
        db.session.commit()


@pytest.mark.parametrize("agencies", [500, 1_000, 2_000, 5_000])
def test_from_the_database(benchmark: Any, agencies: int, tmp_path_factory: Any) -> None:
    from web import create_app
    from web.bulk import bulk_results
    from web.migrate import upgrade
    from web.models import Cycle, db

    tmp = tmp_path_factory.mktemp(f"db{agencies}")
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "UPLOAD_FOLDER": str(tmp / "u"),
        }
    )
    upgrade(app)
    _seed_database(app, agencies)
    benchmark.extra_info["leaf_scores"] = agencies * LEAVES
    with app.app_context():
        cycle = db.session.execute(db.select(Cycle)).scalar_one()

        def run() -> Any:
            db.session.expire_all()  # read the rows again each round
            return bulk_results(cycle)

        results = benchmark.pedantic(run, rounds=3)
        assert len(results.blocks["xa"].agencies) == agencies
