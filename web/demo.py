"""The demo province: the bundled sample (cycle 2025, its criteria sets, agencies with their
officers' accounts, draft self-assessments) loaded into an empty database for `parindex serve`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from web import workflow
from web.models import (
    Agency,
    Assignment,
    CriteriaRecord,
    Cycle,
    Entry,
    Evidence,
    Submission,
    User,
    db,
    unit_for,
    utcnow,
    vn_now,
)
from web.pages import EXTRA_PAGE
from web.roles import ADMIN, AGENCY, APPRAISER, SECRETARIAT

DEMO_PASSWORD = "parindex-demo"


def seed_demo(root: Path) -> list[tuple[str, str, str]]:
    """Load the bundled sample province (cycle 2025, criteria, agencies, drafts) into an empty
    database; returns the demo accounts (e-mail, role, password)."""
    from werkzeug.security import generate_password_hash

    from parindex.dataset import load_year

    if db.session.execute(db.select(Cycle)).first() is not None:
        return []
    ds = load_year(root, 2025)
    # the usual 31 January deadline, or 30 days from today when that has passed, so the demo
    # can always be filled in
    usual = dt.datetime(ds.year + 1, 1, 31, 17, 0)
    later = dt.datetime.combine(vn_now().date() + dt.timedelta(days=30), dt.time(17, 0))
    demo_deadline = max(usual, later)
    cycle = Cycle(
        year=ds.year,
        title=f"Chỉ số CCHC năm {ds.year} — tỉnh mẫu (dữ liệu minh họa)",
        self_deadline=demo_deadline,
        explanation_deadline=demo_deadline + dt.timedelta(days=28),
        opened_at=utcnow(),  # open to the officers from the start
    )
    db.session.add(cycle)
    for block, loaded in ds.sets.items():
        db.session.add(
            CriteriaRecord(
                cycle=cycle,
                block=block,
                set_id=loaded.model.id,
                block_name=loaded.model.block_name,
                file_name=loaded.path.name,
                yaml_text=loaded.path.read_text(encoding="utf-8"),
                sha256=loaded.sha256,
            )
        )
    password = generate_password_hash(DEMO_PASSWORD)
    accounts: list[tuple[str, str, str]] = []
    for email, name, role in (
        ("quantri@tinhmau.gov.vn", "Quản trị hệ thống", ADMIN),
        ("sonoivu@tinhmau.gov.vn", "Phòng CCHC, Sở Nội vụ", SECRETARIAT),
        ("thamdinh@tinhmau.gov.vn", "Tổ công tác thẩm định", APPRAISER),
    ):
        db.session.add(User(email=email, name=name, role=role, password_hash=password))
        accounts.append((email, role, DEMO_PASSWORD))
    # the demo appraiser appraises every field (and the bonus and penalty items) of every block
    appraiser = db.session.execute(db.select(User).filter_by(role=APPRAISER)).scalar_one()
    codes = {f.code for loaded in ds.sets.values() for f in loaded.model.fields}
    for code in sorted(codes) + [EXTRA_PAGE]:
        db.session.add(Assignment(cycle=cycle, user=appraiser, block="", code=code))
    subs = {s.agency: s for block_subs in ds.submissions.values() for s in block_subs}
    for a in ds.agencies.values():
        unit = unit_for(a.id, a.name)
        agency = Agency(cycle=cycle, unit=unit, code=a.id, name=a.name, block=a.block)
        db.session.add(agency)
        email = f"{a.id}@tinhmau.gov.vn"
        db.session.add(
            User(
                email=email,
                name=f"Cán bộ CCHC — {a.name}",
                role=AGENCY,
                password_hash=password,
                unit=unit,
            )
        )
        accounts.append((email, AGENCY, DEMO_PASSWORD))
        sub = Submission(agency=agency, state=workflow.DRAFT)
        db.session.add(sub)
        raw = subs[a.id].raw if a.id in subs else {}
        for code, value in (raw.get("leaves") or {}).items():
            db.session.add(_entry_from_sample(sub, str(code), value or {}))
    db.session.commit()
    return accounts


def stored_data(value: dict[str, Any]) -> dict[str, Any]:
    """A leaf entry of a submission mapping as ``Entry.data`` holds it: dates and decimals as
    text; evidence and rounds left out (they have their own tables)."""
    data: dict[str, Any] = {}
    for key, v in value.items():
        if key in ("evidence", "appraisal"):
            continue
        data[key] = (
            v.isoformat() if isinstance(v, dt.date) else (str(v) if isinstance(v, Decimal) else v)
        )
    return data


def _entry_from_sample(sub: Submission, code: str, value: dict[str, Any]) -> Entry:
    entry = Entry(submission=sub, leaf=code, data=stored_data(value))
    for item in value.get("evidence") or []:
        entry.evidence.append(
            Evidence(
                number=str(item.get("number", "")),
                date=item.get("date"),
                issuer=str(item.get("issuer", "")),
                title=str(item.get("title", "")),
                location=str(item.get("location", "")),
                url=str(item.get("url", "")),
                original_name=Path(str(item.get("file", ""))).name if item.get("file") else "",
            )
        )
    return entry
