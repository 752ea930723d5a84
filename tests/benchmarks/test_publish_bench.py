"""What the secretariat waits for: the preview ranking and the publication of a version, from the
web app's database (pytest-benchmark). Run

    python3 -m pytest tests/benchmarks/test_publish_bench.py --benchmark-only

Figures, the machine and the old code's figures beside them are in docs/performance.md. Nothing
here asserts a time; the asserts check that each run did the whole job.

The cycle is what `parindex generate --agencies N` writes, stored in a SQLite database as the
web app stores it: the three generated blocks (10 % departments, 10 % districts, 80 % communes;
100 sub-criteria each, 95 self-scored and 5 from surveys, a bonus and a penalty item), every
agency's entries (facts as JSON, evidence documents, "did not arise", explanations), the panel's
appraisal rounds, the imported survey results, every submission approved, and last year's
results published (so that the change columns are filled). Built once per size, not timed.

What is timed, each round in a fresh database session (as a request has):

- **preview**: ``web.publishing.preview`` — the ranking the secretariat checks before publishing;
- **publish**: ``web.publishing.publish`` — results, the decision table workbook, the stored JSON,
  every submission moved to ``published`` with its audit entry, committed. Before each round the
  submissions are set back to ``approved`` (not timed), so every round does the same work.

The peak memory of a publishing process (``VmHWM``) is measured apart, in a fresh Python process
that opens the database and publishes once (imports included): the timed rounds run in the test
process, whose heap already holds the generated cycle. The peak resident size of the process it
forks to write the workbook is reported beside it.

The benchmark uses only ``web.publishing.preview`` and ``publish``, so it also runs against an
older checkout: ``PYTHONPATH=<checkout>`` with this file copied outside the tests folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

SIZES = [500, 1_000, 2_000, 5_000]
SEED = 11
REASON = "đo hiệu năng"
SECRETARIAT = "sonoivu@bench.vn"


def _block_counts(agencies: int) -> dict[str, int]:
    """Agencies per block, as `parindex generate --agencies N` splits them."""
    from parindex.generate import BLOCKS

    counts = {block: max(1, round(agencies * share)) for block, _, share in BLOCKS}
    counts["xa"] = agencies - counts["so-nganh"] - counts["huyen"]
    return counts


def _stored(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry of a submission mapping as the web app stores its data (dates and decimals as
    text; evidence and rounds in their own tables)."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key in ("evidence", "appraisal"):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[key] = value
    return out


def seed_cycle(url: str, agencies: int, seed: int = SEED) -> None:
    """The generated cycle of ``agencies`` agencies in the database at ``url`` (see above)."""
    import yaml

    from parindex.criteria import criteria_from_dict
    from parindex.generate import BLOCKS, SURVEYS, YEAR, _Dumper, synthetic_set
    from parindex.generate import synthetic_submission as submission
    from parindex.units import to_cents
    from web import create_app
    from web.migrate import upgrade
    from web.models import (
        Agency,
        Appraisal,
        CriteriaRecord,
        Cycle,
        Entry,
        Evidence,
        Publication,
        Submission,
        SurveyResult,
        User,
        db,
    )

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "UPLOAD_FOLDER": "/nonexistent"})
    upgrade(app)
    rng = random.Random(seed)
    counts = _block_counts(agencies)
    rows: dict[Any, list[dict[str, Any]]] = {
        m: [] for m in (Agency, Submission, Entry, Evidence, Appraisal, SurveyResult)
    }
    previous: list[dict[str, Any]] = []
    with app.app_context():
        before = Cycle(year=YEAR - 1, title="Năm trước")
        cycle = Cycle(year=YEAR, title="Đo hiệu năng công bố")
        db.session.add_all([before, cycle])
        db.session.add(
            User(email=SECRETARIAT, name="Sở Nội vụ", role="secretariat", password_hash="-")
        )
        db.session.flush()
        agency_id = entry_id = 0
        for block, block_name, _ in BLOCKS:
            data = synthetic_set(block, block_name, 100, seed)
            text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
            loaded = criteria_from_dict(data)
            db.session.add(
                CriteriaRecord(
                    cycle=cycle,
                    block=block,
                    set_id=loaded.model.id,
                    block_name=loaded.model.block_name,
                    file_name=f"{block}.yaml",
                    yaml_text=text,
                    sha256=loaded.sha256,
                )
            )
            last_year = []
            for i in range(counts[block]):
                agency_id += 1
                code = f"{block}-{i + 1:06d}"
                sub = submission(data, code, rng)
                rows[Agency].append(
                    {
                        "id": agency_id,
                        "cycle_id": cycle.id,
                        "code": code,
                        "name": f"Đơn vị {block} số {i + 1}",
                        "block": block,
                    }
                )
                rows[Submission].append(
                    {"id": agency_id, "agency_id": agency_id, "state": "approved"}
                )
                for leaf, entry in sub["leaves"].items():
                    entry_id += 1
                    rows[Entry].append(
                        {
                            "id": entry_id,
                            "submission_id": agency_id,
                            "leaf": leaf,
                            "data": _stored(entry),
                        }
                    )
                    for ev in entry.get("evidence", []):
                        rows[Evidence].append(
                            {
                                "entry_id": entry_id,
                                "number": ev["number"],
                                "date": ev["date"],
                                "issuer": ev["issuer"],
                                "title": ev["title"],
                                "location": ev["location"],
                                "original_name": ev["file"],
                                "stored_name": f"{entry_id}.pdf",
                            }
                        )
                    for rnd, value in (entry.get("appraisal") or {}).items():
                        rows[Appraisal].append(
                            {
                                "submission_id": agency_id,
                                "leaf": leaf,
                                "round": int(rnd[-1]),
                                "score_c": to_cents(value["score"]),
                                "reason": value.get("reason", ""),
                            }
                        )
                for key in SURVEYS:
                    rows[SurveyResult].append(
                        {
                            "cycle_id": cycle.id,
                            "agency_id": agency_id,
                            "survey": key,
                            "result_u": rng.randint(600_000, 1_000_000),
                            "sample_size": rng.randint(30, 400),
                        }
                    )
                if rng.random() > 0.02:  # a few agencies are new this year
                    last_year.append(
                        (code, f"Đơn vị {block} số {i + 1}", rng.randint(60_00, 99_00))
                    )
            last_year.sort(key=lambda r: -r[2])
            previous.append(
                {
                    "block": block,
                    "agencies": [
                        {"agency": c, "name": n, "index": i / 100, "rank": r}
                        for r, (c, n, i) in enumerate(last_year, start=1)
                    ],
                }
            )
        db.session.add(
            Publication(
                cycle=before,
                version=1,
                reason="công bố lần đầu",
                results_json=json.dumps({"year": YEAR - 1, "blocks": previous}, ensure_ascii=False),
                decision_xlsx=b"",
            )
        )
        for model, values in rows.items():
            db.session.execute(db.insert(model), values)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _app(url: str) -> Any:
    from web import create_app

    return create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "UPLOAD_FOLDER": "/nonexistent"})


@pytest.fixture(scope="module")
def database(tmp_path_factory: Any) -> Callable[[int], str]:
    """The database URL of the generated cycle of ``agencies`` agencies (built once per size)."""
    made: dict[int, str] = {}

    def get(agencies: int) -> str:
        if agencies not in made:
            path = tmp_path_factory.mktemp(f"publish{agencies}") / "bench.db"
            made[agencies] = f"sqlite:///{path}"
            seed_cycle(made[agencies], agencies)
        return made[agencies]

    return get


def _blocks_ranked(data: dict[str, Any]) -> int:
    return sum(len(b["agencies"]) for b in data["blocks"])


@pytest.mark.parametrize("agencies", SIZES)
def test_preview_ranking(benchmark: Any, database: Callable[[int], str], agencies: int) -> None:
    from web import publishing
    from web.models import Cycle, db

    app = _app(database(agencies))
    with app.app_context():

        def run() -> dict[str, Any]:
            db.session.remove()  # a fresh session, as a request has
            cycle = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
            return publishing.preview(cycle)

        data = benchmark.pedantic(run, rounds=3 if agencies < 5_000 else 2, iterations=1)
        assert _blocks_ranked(data) == agencies
        assert any("index_change" in a for b in data["blocks"] for a in b["agencies"])
        db.session.remove()
        db.engine.dispose()


_PUBLISH_ONCE = """
import os, sys
from web import create_app
from web.models import Cycle, User, db
from web import publishing

app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": sys.argv[1], "UPLOAD_FOLDER": "/nonexistent"})
with app.app_context():
    cycle = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
    user = db.session.execute(db.select(User).filter_by(email=sys.argv[2])).scalar_one()
    pub = publishing.publish(cycle, user, sys.argv[3], survey_reason=sys.argv[3])
    assert pub.decision_xlsx
import resource
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(child, int(line.split()[1]) // 1024)
"""


def council_approves(cycle: Any, user: Any) -> None:
    """The council's valid decision on the cycle's results as they are (publishing needs it;
    recorded once, outside the timed part)."""
    from web import council, publishing
    from web.models import db

    form = council.CouncilForm(
        "01/QĐ-HĐTĐ", "15/01/2026", [council.MemberRow("Chủ tịch", "Chủ tịch", "present", "agree")]
    )
    council.record(cycle, form, publishing.current_snapshot(cycle), user)
    db.session.commit()


def _reset_states(url: str) -> None:
    """Every submission back to ``approved`` (what a round of publishing changes)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE submissions SET state = 'approved'"))
    engine.dispose()


def peak_memory_of_publishing(url: str) -> tuple[int, int]:
    """VmHWM in MiB of a fresh process that publishes the cycle once (imports included), and
    the peak resident size of the second process it forks to write the workbook (0 if none;
    its pages are the parent's until written, so the two overlap)."""
    _reset_states(url)
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_PUBLISH_ONCE), url, SECRETARIAT, REASON],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    child, parent = out.stdout.split()[-2:]
    return int(parent), int(child)


@pytest.mark.parametrize("agencies", SIZES)
def test_publish_version(benchmark: Any, database: Callable[[int], str], agencies: int) -> None:
    from web import publishing
    from web.models import Cycle, Publication, User, db

    url = database(agencies)
    app = _app(url)
    with app.app_context():
        council_approves(
            db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one(),
            db.session.execute(db.select(User).filter_by(email=SECRETARIAT)).scalar_one(),
        )

        def setup() -> None:
            db.session.remove()
            _reset_states(url)

        def run() -> Any:
            cycle = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
            user = db.session.execute(db.select(User).filter_by(email=SECRETARIAT)).scalar_one()
            return publishing.publish(cycle, user, REASON, survey_reason=REASON)

        rounds = 3 if agencies < 5_000 else 2
        pub = benchmark.pedantic(run, setup=setup, rounds=rounds, iterations=1)
        data = json.loads(pub.results_json)
        assert _blocks_ranked(data) == agencies and pub.decision_xlsx[:2] == b"PK"
        states = db.session.execute(db.text("SELECT DISTINCT state FROM submissions")).all()
        assert [s for (s,) in states] == ["published"]
        assert db.session.execute(db.select(db.func.count(Publication.id))).scalar_one() > rounds
        db.session.remove()
        db.engine.dispose()
    benchmark.extra_info["agencies"] = agencies
    parent, child = peak_memory_of_publishing(url)
    benchmark.extra_info["peak_rss_mib"] = parent
    benchmark.extra_info["peak_rss_workbook_process_mib"] = child
    print(
        f"\n{agencies} agencies: peak memory of a publishing process {parent} MiB "
        f"(its workbook process {child} MiB)"
    )
