"""The web app's work, kept out of the views: the bridge to the parindex engine, the database
changes with their audit entries, and the demo province. Views call one function here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import defer

from parindex.criteria import Leaf, LoadedSet, criteria_from_text
from parindex.errors import Issue, Report
from parindex.results import Results, cents
from parindex.scoring import BlockResult, score_block
from parindex.single import score_agency
from parindex.submission import parse_submission
from parindex.survey import SurveyResult as EngineSurvey
from web.models import (
    Agency,
    Assignment,
    AuditEntry,
    CriteriaRecord,
    Cycle,
    Entry,
    Evidence,
    Submission,
    SurveyResult,
    User,
    db,
    vn_now,
)

_SETS: dict[str, LoadedSet] = {}


# ------------------------------------------------------------------------------ criteria sets
def loaded_set(record: CriteriaRecord) -> LoadedSet:
    """The engine's validated set for a stored criteria record (cached by content hash)."""
    cached = _SETS.get(record.sha256)
    if cached is None:
        cached = criteria_from_text(record.yaml_text, record.file_name)
        _SETS[record.sha256] = cached
    return cached


def set_for(agency: Agency) -> LoadedSet | None:
    record = db.session.execute(
        db.select(CriteriaRecord)
        .filter_by(cycle_id=agency.cycle_id, block=agency.block)
        .options(defer(CriteriaRecord.yaml_text))  # read only when the set is not cached yet
    ).scalar_one_or_none()
    return None if record is None else loaded_set(record)


def leaves_of(loaded: LoadedSet) -> list[Leaf]:
    """Tree leaves, then bonus and penalty items, in file order."""
    m = loaded.model
    return [leaf for _, _, leaf in m.leaves()] + list(m.bonus.items) + list(m.penalty.items)


def appraisable_codes(agency: Agency) -> list[str]:
    """The leaves the panel scores for the agency: every leaf the agency scores itself (tree
    leaves that are not survey-scored, bonus and penalty items), in file order."""
    loaded = set_for(agency)
    return [] if loaded is None else [leaf.code for leaf in leaves_of(loaded) if not leaf.survey]


# -------------------------------------------------------------------------------- submissions
def submission_of(agency: Agency) -> Submission:
    """The agency's submission, created as an empty draft the first time."""
    if agency.submission is None:
        sub = Submission(agency=agency, state="draft")
        db.session.add(sub)
        db.session.flush()
        return sub
    return agency.submission


def entry_for_engine(entry: Entry) -> dict[str, Any]:
    """A stored entry as the submission-file mapping the engine validates (docs/submission-format)."""
    return _entry_mapping(entry.data, entry.evidence)


def _entry_mapping(stored: dict[str, Any] | None, evidence: Iterable[Any]) -> dict[str, Any]:
    """An entry's data and its documents (ORM objects or rows with the same attribute names)
    as the engine's mapping."""
    data: dict[str, Any] = {}
    for key, value in (stored or {}).items():
        if value in (None, ""):
            continue
        if key == "date":
            data[key] = dt.date.fromisoformat(value)
        elif key == "score":
            data[key] = Decimal(value)
        else:
            data[key] = value
    items = []
    for ev in evidence:
        item: dict[str, Any] = {
            "number": ev.number,
            "issuer": ev.issuer,
            "title": ev.title,
            "location": ev.location,
        }
        if ev.date:
            item["date"] = ev.date
        if ev.stored_name:
            item["file"] = ev.original_name or ev.stored_name
        if ev.url:
            item["url"] = ev.url
        items.append(item)
    if items:
        data["evidence"] = items
    return data


_EVIDENCE_COLUMNS = (
    Evidence.entry_id,
    Evidence.number,
    Evidence.date,
    Evidence.issuer,
    Evidence.title,
    Evidence.location,
    Evidence.stored_name,
    Evidence.original_name,
    Evidence.url,
)


def stored_leaves(sub: Submission) -> dict[str, dict[str, Any]]:
    """Every entry of the submission with its documents as the engine's mappings, read in two
    queries as plain rows: scoring needs the values, not ORM objects (building those for every
    entry and document was most of a page's time)."""
    entries = db.session.execute(
        db.select(Entry.id, Entry.leaf, Entry.data)
        .filter(Entry.submission_id == sub.id)
        .order_by(Entry.id)
    ).all()
    documents: dict[int, list[Any]] = {}
    for row in db.session.execute(
        db.select(*_EVIDENCE_COLUMNS)
        .join(Entry, Evidence.entry_id == Entry.id)
        .filter(Entry.submission_id == sub.id)
        .order_by(Evidence.id)
    ):
        documents.setdefault(row.entry_id, []).append(row)
    return {
        e.leaf: _entry_mapping(e.data, documents.get(e.id, []))
        for e in entries
        if e.data or e.id in documents
    }


def rounds_for_engine(sub: Submission) -> dict[str, dict[str, Any]]:
    """The panel's stored rounds as the submission file's ``appraisal`` tables, per leaf:
    ``{"round1": {"score": 0.5, "reason": "…"}, "round2": …}``. A round that accepts the
    agency's "did not arise" has no score and is left out: the leaf stays excluded."""
    out: dict[str, dict[str, Any]] = {}
    for a in sub.appraisals:
        if a.score_c is None:
            continue
        item: dict[str, Any] = {"score": Decimal(a.score_c).scaleb(-2)}
        if a.reason.strip():
            item["reason"] = a.reason.strip()
        out.setdefault(a.leaf, {})[f"round{a.round}"] = item
    return out


def submission_for_engine(
    agency: Agency, sub: Submission, appraised: bool = True
) -> dict[str, Any]:
    """The stored submission as the engine's submission mapping (docs/submission-format.md):
    the agency's facts and evidence and, unless ``appraised`` is false, the panel's rounds, so
    that the engine's final score of a leaf is round 2, else round 1, else the self-score."""
    leaves = stored_leaves(sub)
    if appraised:
        for code, rounds in rounds_for_engine(sub).items():
            leaves.setdefault(code, {})["appraisal"] = rounds
    return {"agency": agency.code, "year": agency.cycle.year, "leaves": leaves}


@dataclass
class LeafResult:
    points: Decimal | None  # the self-score
    state: str
    applicable: bool
    issues: list[Issue] = field(default_factory=list)
    final: Decimal | None = None  # round 2, else round 1, else the self-score


@dataclass
class Evaluation:
    """What the engine says about an agency's current self-assessment."""

    leaves: dict[str, LeafResult]
    issues: list[Issue]
    filled: int
    total_leaves: int
    points: Decimal
    applicable_max: Decimal
    index: Decimal

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def blocking(self) -> list[Issue]:
        """What stops a submission: errors, empty leaves, scores without evidence or explanation."""
        return [
            i
            for i in self.issues
            if i.severity == "error" or i.code in ("leaf-empty", "evidence-missing")
        ]


def evaluate(
    agency: Agency, loaded: LoadedSet | None = None, *, appraised: bool = True
) -> Evaluation:
    """Score the agency's stored submission with the engine: with the panel's rounds (final
    scores), or only the self-assessment when ``appraised`` is false (what the agency's own
    pages show). Survey leaves count as 0 until the secretariat imports the survey results.
    One agency is scored by :func:`parindex.single.score_agency` (the engine's scoring core on
    the agency's arrays: the same numbers and issues as ``score_block``, without its frames)."""
    loaded = loaded or set_for(agency)
    if loaded is None:
        raise LookupError(f"no criteria set for block {agency.block}")
    sub = submission_of(agency)
    raw = submission_for_engine(agency, sub, appraised)
    parsed = parse_submission(raw, loaded, source="web")
    result = score_agency(loaded, parsed)
    rows = result.leaves
    issues = [i for i in parsed.issues + result.issues if i.code != "survey-missing"]
    by_leaf: dict[str, list[Issue]] = {}
    for issue in issues:
        by_leaf.setdefault(issue.location.leaf, []).append(issue)
    leaves: dict[str, LeafResult] = {}
    filled = 0
    total = 0
    for code, row in rows.items():
        leaves[code] = LeafResult(
            cents(row.self_c),
            row.state,
            row.applicable,
            by_leaf.get(code, []),
            cents(row.final_c),
        )
        if row.section == "tree" and not row.survey:
            total += 1
            filled += row.state in ("facts", "dna")
    return Evaluation(
        leaves,
        issues,
        filled,
        total,
        cents(result.total_c),
        cents(result.applicable_c),
        cents(result.index_u),
    )


def score_leaf(
    agency: Agency, code: str, data: dict[str, Any], loaded: LoadedSet | None = None
) -> LeafResult:
    """The engine's result for one leaf with ``data`` (an entry's data) in place of its stored
    facts, keeping the leaf's stored evidence: the form's live points. Nothing is saved."""
    loaded = loaded or set_for(agency)
    if loaded is None:
        raise LookupError(f"no criteria set for block {agency.block}")
    stored = db.session.execute(
        db.select(Entry).filter_by(submission_id=submission_of(agency).id, leaf=code)
    ).scalar_one_or_none()
    engine = entry_for_engine(Entry(data=data))
    if stored is not None and stored.evidence:
        engine["evidence"] = entry_for_engine(stored).get("evidence", [])
    raw = {"agency": agency.code, "year": agency.cycle.year, "leaves": {code: engine}}
    parsed = parse_submission(raw, loaded, source="web")
    result = score_agency(loaded, parsed)
    row = result.leaves[code]
    issues = [
        i
        for i in parsed.issues + result.issues
        if i.location.leaf == code and i.code != "survey-missing"
    ]
    return LeafResult(cents(row.self_c), row.state, row.applicable, issues)


# ---------------------------------------------------------------------------- a cycle's results
def final_results(cycle: Cycle) -> Results:
    """The engine's results for every agency of the cycle, from the database: each block's
    criteria set as stored, each submission's facts and evidence with the panel's rounds (final
    scores; a draft counts its self-scores) and the survey results the secretariat imported
    (a survey leaf without one scores 0 and the report says so, ``survey-missing``). The same numbers ``parindex score`` computes from
    the same data written as files."""
    surveys = stored_surveys(cycle)

    def score(record: CriteriaRecord, loaded: LoadedSet) -> tuple[BlockResult, list[Issue]]:
        agencies = sorted(
            (a for a in cycle.agencies if a.block == record.block), key=lambda a: a.code
        )
        subs = []
        issues: list[Issue] = []
        for agency in agencies:
            raw = (
                submission_for_engine(agency, agency.submission)
                if agency.submission is not None
                else {"agency": agency.code, "year": cycle.year, "leaves": {}}
            )
            parsed = parse_submission(raw, loaded, source=f"web:{agency.code}")
            issues.extend(parsed.issues)
            subs.append(parsed)
        result = score_block(loaded, subs, surveys, {a.code: a.name for a in agencies})
        return result, issues + list(result.issues)

    return cycle_results(cycle, score)


def cycle_results(
    cycle: Cycle,
    score: Callable[[CriteriaRecord, LoadedSet], tuple[BlockResult, list[Issue]]],
) -> Results:
    """Every block of the cycle, criteria files in name order, scored by ``score`` (a block's
    result and the issues to report), with the criteria's hashes as the inputs."""
    report = Report()
    blocks: dict[str, BlockResult] = {}
    inputs: dict[str, str] = {}
    for record in sorted(cycle.criteria, key=lambda r: r.file_name):
        loaded = loaded_set(record)
        inputs[f"criteria/{cycle.year}/{record.file_name}"] = record.sha256
        result, issues = score(record, loaded)
        report.extend(issues)
        blocks[record.block] = result
    return Results(cycle.year, blocks, report, inputs)


def stored_surveys(cycle: Cycle) -> list[EngineSurvey]:
    """The cycle's imported survey results as the engine's rows (agency code, key, 1/10000 %)."""
    rows = db.session.execute(
        db.select(SurveyResult).filter_by(cycle_id=cycle.id).order_by(SurveyResult.id)
    ).scalars()
    return [
        EngineSurvey(r.agency.code, r.survey, r.result_u, r.sample_size, n)
        for n, r in enumerate(rows, start=2)
    ]


# -------------------------------------------------------------------------------------- audit
def audit(
    user: User | None,
    entity: str,
    key: str,
    old: Any,
    new: Any,
    *,
    agency: Agency | None = None,
    reason: str = "",
) -> None:
    """Append one audit entry (never updated, never deleted)."""
    db.session.add(
        AuditEntry(
            user_id=None if user is None else user.id,
            agency_id=None if agency is None else agency.id,
            entity=entity,
            key=key,
            old=_text(old),
            new=_text(new),
            reason=reason,
        )
    )


def _text(value: Any) -> str:
    if value in (None, "", {}):
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in sorted(value.items()) if v not in (None, ""))
    return str(value)


# --------------------------------------------------------------------------------- deadlines
def can_edit(agency: Agency, now: dt.datetime | None = None) -> tuple[bool, str]:
    """Whether the agency may still change its self-assessment, and why not."""
    sub = agency.submission
    if sub is not None and sub.state != "draft":
        return False, "Hồ sơ đã nộp; không thể sửa."
    deadline = agency.cycle.self_deadline
    if deadline is not None and (now or vn_now()) > deadline:
        return False, "Đã quá hạn tự đánh giá."
    return True, ""


# ---------------------------------------------------------------------------------- the demo
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
        ("quantri@tinhmau.gov.vn", "Quản trị hệ thống", "admin"),
        ("sonoivu@tinhmau.gov.vn", "Phòng CCHC, Sở Nội vụ", "secretariat"),
        ("thamdinh@tinhmau.gov.vn", "Tổ công tác thẩm định", "appraiser"),
    ):
        db.session.add(User(email=email, name=name, role=role, password_hash=password))
        accounts.append((email, role, DEMO_PASSWORD))
    # the demo appraiser appraises every field (and the bonus and penalty items) of every block
    appraiser = db.session.execute(db.select(User).filter_by(role="appraiser")).scalar_one()
    codes = {f.code for loaded in ds.sets.values() for f in loaded.model.fields}
    for code in sorted(codes) + ["thuong-tru"]:
        db.session.add(Assignment(cycle=cycle, user=appraiser, block="", code=code))
    subs = {s.agency: s for block_subs in ds.submissions.values() for s in block_subs}
    for a in ds.agencies.values():
        agency = Agency(cycle=cycle, code=a.id, name=a.name, block=a.block)
        db.session.add(agency)
        email = f"{a.id}@tinhmau.gov.vn"
        db.session.add(
            User(
                email=email,
                name=f"Cán bộ CCHC — {a.name}",
                role="agency",
                password_hash=password,
                agency=agency,
            )
        )
        accounts.append((email, "agency", DEMO_PASSWORD))
        sub = Submission(agency=agency, state="draft")
        db.session.add(sub)
        raw = subs[a.id].raw if a.id in subs else {}
        for code, value in (raw.get("leaves") or {}).items():
            db.session.add(_entry_from_sample(sub, str(code), value or {}))
    db.session.commit()
    return accounts


def _entry_from_sample(sub: Submission, code: str, value: dict[str, Any]) -> Entry:
    data: dict[str, Any] = {}
    for key, v in value.items():
        if key in ("evidence", "appraisal"):
            continue
        data[key] = (
            v.isoformat() if isinstance(v, dt.date) else (str(v) if isinstance(v, Decimal) else v)
        )
    entry = Entry(submission=sub, leaf=code, data=data)
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
