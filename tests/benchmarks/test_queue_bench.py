"""The appraisal panel's queue (`/tham-dinh/`) for a national-scale cycle (pytest-benchmark). Run

    python3 -m pytest tests/benchmarks/test_queue_bench.py --benchmark-only

Figures and the machine are in docs/performance.md. Nothing here asserts a time; the asserts
check that each page is the whole answer (its count of matching agencies, worked out from the
seeded data by plain loops here, not by the code under test).

The cycle: the three blocks that `parindex generate` writes (10 % departments, 10 % districts,
80 % communes; 100 sub-criteria each, 95 of them plus a bonus and a penalty item appraised),
``N`` agencies with Vietnamese names, every one submitted and somewhere in the appraisal: 40 %
in round 1 (a random share of their leaves scored), 20 % asked for explanations (round 1
complete, 1–5 leaves flagged, some answered), 20 % in round 2 done, 20 % approved — a few
hundred thousand round scores for 5 000 agencies. Built once per size, not timed.

Timed, each a whole GET through the app (routing, log-in session, queries, template), with a
fresh database session as any request has:

- **default**: the secretariat's first page, sorted by state then name (every leaf counted);
- **filtered**: the secretariat searching "duc pho" without diacritics, in the commune block,
  round 1 under way, sorted by last change (newest first);
- **appraiser**: an appraiser assigned fields 1 and 2 of every block, same filters.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest

SIZES = [1_000, 5_000]
SEED = 14
PASSWORD = "do-hieu-nang-123"
STAFF = "sonoivu@bench.vn"
APPRAISER = "thamdinh@bench.vn"
PLACES = ["Đức Phổ", "An Bình", "Hòa Thuận", "Tân Lập", "Quảng Điền", "Ea Kar", "Nghĩa Đàn"]
FILTERED = "?q=duc+pho&khoi=xa&tien_do=dang-tham-dinh&sap_xep=cap-nhat&giam=1"


def _app(url: str) -> Any:
    from web import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "UPLOAD_FOLDER": "/nonexistent",
            "SESSION_COOKIE_SECURE": False,
            "STAFF_SECOND_FACTOR": False,
        }
    )


def seed_cycle(url: str, agencies: int, seed: int = SEED) -> int:
    """The cycle described above in the database at ``url``; returns how many agencies the
    filtered page must find (communes named "Đức Phổ" with round 1 under way)."""
    import yaml
    from werkzeug.security import generate_password_hash

    from parindex.criteria import criteria_from_dict
    from parindex.generate import BLOCKS, YEAR, _Dumper, synthetic_set
    from web.migrate import upgrade
    from web.models import (
        Agency,
        Appraisal,
        Assignment,
        CriteriaRecord,
        Cycle,
        Submission,
        User,
        db,
    )

    app = _app(url)
    upgrade(app)
    rng = random.Random(seed)
    counts = {block: max(1, round(agencies * share)) for block, _, share in BLOCKS}
    counts["xa"] = agencies - counts["so-nganh"] - counts["huyen"]
    start = dt.datetime(YEAR + 1, 1, 10, 1, 0)
    expected = 0
    with app.app_context():
        cycle = Cycle(year=YEAR, title="Đo hiệu năng danh sách thẩm định")
        hashed = generate_password_hash(PASSWORD)
        staff = User(email=STAFF, name="Sở Nội vụ", role="secretariat", password_hash=hashed)
        panel = User(email=APPRAISER, name="Tổ thẩm định", role="appraiser", password_hash=hashed)
        db.session.add_all([cycle, staff, panel])
        db.session.flush()
        for code in ("1", "2"):
            db.session.add(Assignment(cycle_id=cycle.id, user_id=panel.id, block="", code=code))
        agency_rows: list[dict[str, Any]] = []
        sub_rows: list[dict[str, Any]] = []
        rounds: list[dict[str, Any]] = []
        agency_id = 0
        for block, block_name, _ in BLOCKS:
            data = synthetic_set(block, block_name, 100, seed)
            loaded = criteria_from_dict(data)
            db.session.add(
                CriteriaRecord(
                    cycle=cycle,
                    block=block,
                    set_id=loaded.model.id,
                    block_name=loaded.model.block_name,
                    file_name=f"{block}.yaml",
                    yaml_text=yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False),
                    sha256=loaded.sha256,
                )
            )
            m = loaded.model
            leaves = [lf.code for _, _, lf in m.leaves() if not lf.survey]
            leaves += [lf.code for lf in (*m.bonus.items, *m.penalty.items)]
            for i in range(counts[block]):
                agency_id += 1
                place = rng.choice(PLACES)
                kind = {"xa": "UBND xã", "huyen": "UBND huyện", "so-nganh": "Sở"}[block]
                agency_rows.append(
                    {
                        "id": agency_id,
                        "cycle_id": cycle.id,
                        "code": f"{block}-{i + 1:05d}",
                        "name": f"{kind} {place} {i + 1}",
                        "block": block,
                    }
                )
                at = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60))
                draw = rng.random()
                if draw < 0.4:
                    state, scored = "submitted", rng.sample(leaves, rng.randint(0, len(leaves)))
                    in_progress = 0 < len(scored) < len(leaves)
                    expected += block == "xa" and place == "Đức Phổ" and in_progress
                else:
                    state = (
                        "explanation" if draw < 0.6 else "appraised_2" if draw < 0.8 else "approved"
                    )
                    scored = leaves
                flagged = (
                    set() if state == "submitted" else set(rng.sample(leaves, rng.randint(0, 5)))
                )
                for leaf in scored:
                    answered = leaf in flagged and rng.random() < 0.6
                    rounds.append(
                        {
                            "submission_id": agency_id,
                            "leaf": leaf,
                            "round": 1,
                            "score_c": 50,
                            "flagged": leaf in flagged,
                            "question": "Bổ sung tài liệu" if leaf in flagged else "",
                            "answered_at": at if answered else None,
                            "at": at,
                        }
                    )
                    if leaf in flagged and state in ("appraised_2", "approved"):
                        rounds.append(
                            {
                                "submission_id": agency_id,
                                "leaf": leaf,
                                "round": 2,
                                "score_c": 25,
                                "at": at,
                            }
                        )
                sub_rows.append(
                    {
                        "id": agency_id,
                        "agency_id": agency_id,
                        "state": state,
                        "submitted_at": start,
                        "state_at": at,
                    }
                )
        db.session.flush()
        for model, values in ((Agency, agency_rows), (Submission, sub_rows)):
            db.session.execute(db.insert(model), values)
        for part in range(0, len(rounds), 50_000):
            db.session.execute(db.insert(Appraisal), rounds[part : part + 50_000])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return expected


@pytest.fixture(scope="module")
def database(tmp_path_factory: Any) -> Callable[[int], tuple[str, int]]:
    """The database URL of the cycle of ``agencies`` agencies (built once per size) and the
    number of agencies the filtered page finds."""
    made: dict[int, tuple[str, int]] = {}

    def get(agencies: int) -> tuple[str, int]:
        if agencies not in made:
            path = tmp_path_factory.mktemp(f"queue{agencies}") / "bench.db"
            url = f"sqlite:///{path}"
            made[agencies] = (url, seed_cycle(url, agencies))
        return made[agencies]

    return get


def _client(url: str, email: str) -> Any:
    import re

    client = _app(url).test_client()
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    r = client.post(
        "/dang-nhap", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert r.status_code == 302, r.status_code
    return client


def _get(client: Any, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    return str(r.get_data(as_text=True))


@pytest.mark.parametrize("agencies", SIZES)
def test_queue_default(
    benchmark: Any, database: Callable[[int], tuple[str, int]], agencies: int
) -> None:
    url, _ = database(agencies)
    client = _client(url, STAFF)
    html = benchmark(_get, client, "/tham-dinh/")
    assert f"Đơn vị 1–50 trong {agencies} đơn vị" in html


@pytest.mark.parametrize("agencies", SIZES)
def test_queue_filtered(
    benchmark: Any, database: Callable[[int], tuple[str, int]], agencies: int
) -> None:
    url, expected = database(agencies)
    client = _client(url, STAFF)
    html = benchmark(_get, client, "/tham-dinh/" + FILTERED)
    assert f"trong {expected} đơn vị khớp bộ lọc (tổng {agencies})" in html
    benchmark.extra_info["matched"] = expected


@pytest.mark.parametrize("agencies", SIZES)
def test_queue_appraiser(
    benchmark: Any, database: Callable[[int], tuple[str, int]], agencies: int
) -> None:
    url, expected = database(agencies)
    client = _client(url, APPRAISER)
    html = benchmark(_get, client, "/tham-dinh/" + FILTERED)
    # the same agencies: fields 1 and 2 of a 0 < n < all share are seldom all or none scored,
    # so only the total is checked here
    assert f"(tổng {agencies})" in html
