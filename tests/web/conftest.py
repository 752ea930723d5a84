"""Web app fixtures: a fresh database per test (SQLite file, or the PostgreSQL server named by
PARINDEX_TEST_DATABASE_URL — CI runs the suite once on each), built by the Alembic migrations."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from web import create_app
from web.migrate import upgrade
from web.models import Agency, CriteriaRecord, Cycle, Submission, User, db, unit_for

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-thu-123"
_HASH = generate_password_hash(PASSWORD)  # hashed once: scrypt is slow on purpose


_MIGRATED: set[str] = set()  # PostgreSQL databases the migrations have built in this run


def _reset_postgres(url: str) -> None:
    """An empty database: the first time in a run, a new schema (the migrations then build it);
    after that every table emptied and its ids restarted (the schema stays the migrations' own:
    building it again for each of the web tests was most of the PostgreSQL pass)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        if url not in _MIGRATED:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            _MIGRATED.add(url)
        else:
            tables = (
                conn.execute(
                    text(
                        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                )
                .scalars()
                .all()
            )
            if tables:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    url = os.environ.get("PARINDEX_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"
    if url.startswith("postgresql"):
        _reset_postgres(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "tests-only",
            "DATABASE_URL": url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SESSION_COOKIE_SECURE": False,
            "MAX_UPLOAD_MB": 1,
            # staff need not enrol a second factor here (tests/web/test_second_factor.py turns
            # it on)
            "STAFF_SECOND_FACTOR": False,
        }
    )
    upgrade(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the client's session, read from a page's <meta name="csrf-token">."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf(client, "/dang-nhap")
    return client.post(
        "/dang-nhap", data={"email": email, "password": password, "csrf_token": token}
    )


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST with the session's CSRF token, as the browser's forms do."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf(client))
    return client.post(path, data=payload, **kw)


@pytest.fixture
def cycle(app: Flask) -> dict[str, Any]:
    """Cycle 2025 with the bundled commune and department sets, three agencies and one account
    per role: agency officers xa-a@…, xa-b@…, so-a@…; thamdinh@…, sonoivu@…, quantri@…"""
    with app.app_context():
        c = Cycle(
            year=2025,
            title="Kỳ thử 2025",
            self_deadline=dt.datetime(2099, 1, 31, 17, 0),
            explanation_deadline=dt.datetime(2099, 2, 28, 17, 0),
            opened_at=dt.datetime(2025, 1, 2, 8, 0),  # open: the officers see it
        )
        db.session.add(c)
        for block in ("xa", "so-nganh"):
            path = REPO / "criteria" / "2025" / f"{block}.yaml"
            from parindex.criteria import load_criteria

            loaded = load_criteria(path)
            db.session.add(
                CriteriaRecord(
                    cycle=c,
                    block=block,
                    set_id=loaded.model.id,
                    block_name=loaded.model.block_name,
                    file_name=path.name,
                    yaml_text=path.read_text(encoding="utf-8"),
                    sha256=loaded.sha256,
                )
            )
        agencies = {}
        for code, name, block in (
            ("xa-a", "UBND xã A", "xa"),
            ("xa-b", "UBND xã B", "xa"),
            ("so-a", "Sở A", "so-nganh"),
        ):
            unit = unit_for(code, name)
            a = Agency(cycle=c, unit=unit, code=code, name=name, block=block)
            db.session.add(a)
            db.session.add(Submission(agency=a, state="draft"))
            db.session.add(
                User(
                    email=f"{code}@thu.vn",
                    name=f"Cán bộ {name}",
                    role="agency",
                    password_hash=_HASH,
                    unit=unit,
                )
            )
            agencies[code] = a
        for email, role in (
            ("thamdinh@thu.vn", "appraiser"),
            ("sonoivu@thu.vn", "secretariat"),
            ("quantri@thu.vn", "admin"),
        ):
            db.session.add(User(email=email, name=role, role=role, password_hash=_HASH))
        db.session.commit()
        return {"year": 2025, "agency_ids": {k: a.id for k, a in agencies.items()}}


def prefill_self_assessment(app: Flask, code: str, skip_field: str | None = None) -> None:
    """Fill every self-scored leaf of agency ``code`` (but those of ``skip_field``) through the
    database with valid facts and an explanation instead of evidence."""
    from web.engine import set_for
    from web.models import Entry

    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(code=code)).scalar_one()
        sub = db.session.execute(db.select(Submission).filter_by(agency_id=agency.id)).scalar_one()
        loaded = set_for(agency)
        assert loaded is not None
        for f, _, leaf in loaded.model.leaves():
            if f.code == skip_field or leaf.rule.kind == "survey":
                continue
            rule = leaf.rule
            data: dict[str, Any] = {"explanation": "Hồ sơ lưu tại bộ phận một cửa"}
            if rule.kind == "yes-no":
                data["done"] = True
            elif rule.kind == "deadline":
                data["date"] = rule.due.isoformat()  # type: ignore[union-attr]
            elif rule.kind in ("tiers", "proportional"):
                data |= {"numerator": 10, "denominator": 10}
            elif rule.kind in ("per-item", "deduction"):
                data["count"] = 1
            elif rule.kind == "graded":
                data["level"] = rule.levels[0].key  # type: ignore[union-attr]
            elif rule.kind == "manual":
                data["score"] = str(leaf.max)
            db.session.add(Entry(submission=sub, leaf=leaf.code, data=data))
        db.session.commit()


def add_cycle(
    app: Flask, year: int, codes: tuple[str, ...] = ("xa-a", "xa-b"), *, opened: bool = True
) -> dict[str, int]:
    """Another cycle beside the fixture's 2025 (its criteria sets copied), assessing the units
    ``codes`` (their agency rows join the units of the fixture's agencies), each with a draft;
    opened to the officers unless ``opened`` is False. Returns code → agency id."""
    with app.app_context():
        base = db.session.execute(db.select(Cycle).filter_by(year=2025)).scalar_one()
        c = Cycle(
            year=year,
            title=f"Kỳ thử {year}",
            self_deadline=dt.datetime(2099, 1, 31, 17, 0),
            explanation_deadline=dt.datetime(2099, 2, 28, 17, 0),
            opened_at=dt.datetime(year, 1, 2, 8, 0) if opened else None,
        )
        db.session.add(c)
        for r in base.criteria:
            db.session.add(
                CriteriaRecord(
                    cycle=c,
                    block=r.block,
                    set_id=r.set_id,
                    block_name=r.block_name,
                    file_name=r.file_name,
                    yaml_text=r.yaml_text,
                    sha256=r.sha256,
                )
            )
        made = {}
        for code in codes:
            old = db.session.execute(
                db.select(Agency).filter_by(cycle_id=base.id, code=code)
            ).scalar_one_or_none()
            name = f"{old.name} ({year})" if old else f"Đơn vị {code}"
            block = old.block if old else "xa"
            a = Agency(cycle=c, unit=unit_for(code, name), code=code, name=name, block=block)
            db.session.add(a)
            db.session.add(Submission(agency=a, state="draft"))
            made[code] = a
        db.session.commit()
        return {code: a.id for code, a in made.items()}


# ============================================================ the council, then the checklist
#: the reason the tests give for publishing without survey results (their cycles have none)
NO_SURVEY_REASON = "Chưa tổ chức điều tra xã hội học ở kỳ thử"


def council_approves(
    client: FlaskClient,
    year: int = 2025,
    *,
    agree: int = 3,
    members: int = 3,
    number: str = "01/QĐ-HĐTĐ",
) -> Any:
    """The secretariat (``client``, logged in) records a council session on the cycle's results
    as they now are, through the council page: ``agree`` of ``members`` present agree, the
    others disagree."""
    page = client.get(f"/so-noi-vu/ky/{year}/hoi-dong").get_data(as_text=True)
    match = re.search(r'name="snapshot" value="([0-9a-f]{64})"', page)
    assert match, page
    data = {"number": number, "decided_on": "15/01/2026", "snapshot": match[1]}
    data["rows"] = str(members)
    for i in range(members):
        data |= {
            f"name-{i}": f"Thành viên {i + 1}",
            f"role-{i}": "Chủ tịch Hội đồng" if i == 0 else "Thành viên",
            f"attendance-{i}": "present",
            f"vote-{i}": "agree" if i < agree else "disagree",
        }
    return post(client, f"/so-noi-vu/ky/{year}/hoi-dong", data)


def confirm_publication(
    client: FlaskClient, year: int = 2025, reason: str = "", survey_reason: str = NO_SURVEY_REASON
) -> Any:
    """The confirmation of the checklist page (after reading it): the publication's POST."""
    assert client.get(f"/so-noi-vu/ky/{year}/cong-bo").status_code == 200
    return post(
        client, f"/so-noi-vu/ky/{year}/cong-bo", {"reason": reason, "survey_reason": survey_reason}
    )


def publish_through_council(client: FlaskClient, year: int = 2025, **kw: Any) -> Any:
    """Publish as the secretariat does: the council approves the current results (a valid
    decision), then the checklist is confirmed; returns the publication's answer."""
    assert council_approves(client, year).status_code == 302
    return confirm_publication(client, year, **kw)
