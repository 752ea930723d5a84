"""The evidence hints of a cycle (:mod:`parindex.hints`) read from the database: every document
the cycle's agencies cite, in one query, as the engine's records; the hints of one agency for
the appraiser's leaf cards; the cycle's report for the secretariat (XLSX).

Evidence files are stored under random names without a hash (docs/decisions.md, "Evidence
hints"): files are compared by their stored size first, and only the files whose size another
file shares are read and hashed; a stored file never changes, so its hash is kept in memory by
its stored name."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.orm import defer

from parindex.errors import Issue
from parindex.hints import Cited, evidence_hints, hints_xlsx
from web import workflow
from web.engine import loaded_set
from web.models import Agency, CriteriaRecord, Cycle, Entry, Evidence, Submission, db

#: stored name → the content's sha256 (stored files are written once and never changed)
_HASHES: dict[str, str] = {}
_HASHES_MAX = 100_000


def _file_hash(folder: Path, stored: str) -> str:
    cached = _HASHES.get(stored)
    if cached is not None:
        return cached
    if Path(stored).name != stored:  # a generated name, never a path
        return ""
    path = folder / stored
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:  # the file is gone: nothing to compare
        return ""
    if len(_HASHES) >= _HASHES_MAX:
        _HASHES.clear()
    _HASHES[stored] = digest.hexdigest()
    return _HASHES[stored]


def _claimed(value: Any) -> dt.date | None:
    """The leaf's issue-date fact as ``Entry.data`` stores it (ISO text), or None."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def cycle_cited(cycle: Cycle, folder: str | Path | None = None) -> list[Cited]:
    """Every document the cycle's agencies cite once they have submitted (a draft is neither
    shown to the panel nor compared), as records: one query over the cycle's evidence
    (documents numbered within their leaf in the order they were added, as the engine counts
    them)."""
    base = Path(folder or current_app.config["UPLOAD_FOLDER"])
    rows = db.session.execute(
        db.select(
            Agency.code,
            Entry.id,
            Entry.leaf,
            Entry.data["date"].as_string().label("claimed"),  # not the whole JSON
            Evidence.number,
            Evidence.date,
            Evidence.title,
            Evidence.issuer,
            Evidence.url,
            Evidence.stored_name,
            Evidence.size,
        )
        .join(Entry, Evidence.entry_id == Entry.id)
        .join(Submission, Entry.submission_id == Submission.id)
        .join(Agency, Submission.agency_id == Agency.id)
        .where(Agency.cycle_id == cycle.id, Submission.state != workflow.DRAFT)
        .order_by(Agency.code, Entry.id, Evidence.id)
    ).all()
    shared = Counter(r.size for r in rows if r.stored_name)
    out: list[Cited] = []
    item, entry = 0, None
    for r in rows:
        item = item + 1 if r.id == entry else 1
        entry = r.id
        same_size = r.stored_name and r.size and shared[r.size] > 1
        out.append(
            Cited(
                agency=r.code,
                leaf=r.leaf,
                item=item,
                number=r.number or "",
                date=r.date,
                title=r.title or "",
                issuer=r.issuer or "",
                file_hash=_file_hash(base, r.stored_name) if same_size else "",
                link=r.url or "",
                claimed=_claimed(r.claimed),
            )
        )
    return out


def cycle_names(cycle: Cycle) -> dict[str, str]:
    rows = db.session.execute(
        db.select(Agency.code, Agency.name).where(Agency.cycle_id == cycle.id)
    ).all()
    return {r.code: r.name for r in rows}


def cycle_hints(
    cycle: Cycle, folder: str | Path | None = None, *, agency: str | None = None
) -> list[Issue]:
    """Every hint on the cycle's evidence (with ``agency``, on that agency's documents only,
    compared with the whole cycle's), ordered by agency, leaf and document."""
    records = db.session.execute(
        db.select(CriteriaRecord)
        .where(CriteriaRecord.cycle_id == cycle.id)
        .options(defer(CriteriaRecord.yaml_text))  # read only when the set is not cached yet
    ).scalars()
    sets = [loaded_set(r) for r in records]
    return evidence_hints(
        cycle_cited(cycle, folder), sets, cycle.year, cycle_names(cycle), agency=agency
    )


def agency_hints(agency: Agency, folder: str | Path | None = None) -> dict[str, list[Issue]]:
    """The hints on one agency's documents, by leaf (compared with the whole cycle's)."""
    out: dict[str, list[Issue]] = {}
    for issue in cycle_hints(agency.cycle, folder, agency=agency.code):
        out.setdefault(issue.location.leaf, []).append(issue)
    return out


def cycle_report(cycle: Cycle) -> bytes:
    """The cycle's evidence report (XLSX) for the secretariat."""
    return hints_xlsx(cycle_hints(cycle), cycle_names(cycle), cycle.year)
