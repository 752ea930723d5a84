"""The bridge to the parindex engine, and the web app's only one: criteria sets of a cycle, an
agency's entries as the engine's submission, one agency's evaluation (the page's live points and
problems), and the results of a cycle (preview and publication)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import defer

from parindex.criteria import Leaf, LoadedSet, criteria_from_text
from parindex.errors import Issue
from parindex.results import cents
from parindex.single import AgencyScore, score_agency
from parindex.submission import parse_submission
from parindex.survey import SurveyResult as EngineSurvey
from web import workflow
from web.models import (
    Agency,
    CriteriaRecord,
    Entry,
    Evidence,
    Submission,
    SurveyResult,
    db,
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
        sub = Submission(agency=agency, state=workflow.DRAFT)
        db.session.add(sub)
        db.session.flush()
        return sub
    return agency.submission


def entry_for_engine(entry: Entry) -> dict[str, Any]:
    """A stored entry as the submission-file mapping the engine validates (docs/submission-format)."""
    return entry_mapping(entry.data, entry.evidence)


def entry_mapping(stored: dict[str, Any] | None, evidence: Iterable[Any]) -> dict[str, Any]:
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


EVIDENCE_COLUMNS = (
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


@dataclass
class StoredEntry:
    """An entry as plain values (no ORM object): its data, version and documents (rows of
    :data:`EVIDENCE_COLUMNS` and ``id``)."""

    id: int
    leaf: str
    data: dict[str, Any] | None
    version: int
    evidence: list[Any]


def stored_entries(sub: Submission) -> dict[str, StoredEntry]:
    """Every entry of the submission with its documents, by leaf code, read in two queries as
    plain rows: scoring and a page need the values, not ORM objects (building those for every
    entry and document was most of a page's time)."""
    entries = db.session.execute(
        db.select(Entry.id, Entry.leaf, Entry.data, Entry.version)
        .filter(Entry.submission_id == sub.id)
        .order_by(Entry.id)
    ).all()
    documents: dict[int, list[Any]] = {}
    for row in db.session.execute(
        db.select(Evidence.id, *EVIDENCE_COLUMNS)
        .join(Entry, Evidence.entry_id == Entry.id)
        .filter(Entry.submission_id == sub.id)
        .order_by(Evidence.id)
    ):
        documents.setdefault(row.entry_id, []).append(row)
    return {
        e.leaf: StoredEntry(e.id, e.leaf, e.data, e.version, documents.get(e.id, []))
        for e in entries
    }


def stored_leaves(stored: dict[str, StoredEntry]) -> dict[str, dict[str, Any]]:
    """The stored entries as the engine's mappings (entries with neither data nor documents
    are left out)."""
    return {
        code: entry_mapping(e.data, e.evidence)
        for code, e in stored.items()
        if e.data or e.evidence
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
    agency: Agency,
    sub: Submission,
    appraised: bool = True,
    stored: dict[str, StoredEntry] | None = None,
) -> dict[str, Any]:
    """The stored submission as the engine's submission mapping (docs/submission-format.md):
    the agency's facts and evidence and, unless ``appraised`` is false, the panel's rounds, so
    that the engine's final score of a leaf is round 2, else round 1, else the self-score.
    ``stored``: the submission's entries when the caller has read them already."""
    leaves = stored_leaves(stored if stored is not None else stored_entries(sub))
    if appraised:
        for code, rounds in rounds_for_engine(sub).items():
            leaves.setdefault(code, {})["appraisal"] = rounds
    return {"agency": agency.code, "year": agency.cycle.year, "leaves": leaves}


@dataclass
class LeafResult:
    self_c: int | None  # the self-score, in hundredths
    state: str
    applicable: bool
    issues: list[Issue] = field(default_factory=list)
    final_c: int | None = None  # round 2, else round 1, else the self-score

    @property
    def points(self) -> Decimal | None:
        """The self-score (a page shows a few leaves: converted when read)."""
        return None if self.self_c is None else cents(self.self_c)

    @property
    def final(self) -> Decimal | None:
        return None if self.final_c is None else cents(self.final_c)


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
    #: the secretariat has imported this agency's survey results (its survey leaves count)
    surveys_imported: bool = False
    #: the engine's whole result (fields' and criteria's points, bonus and penalty after their
    #: caps): what a report prints, never worked out again
    score: AgencyScore | None = None

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
    agency: Agency,
    loaded: LoadedSet | None = None,
    *,
    appraised: bool = True,
    stored: dict[str, StoredEntry] | None = None,
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
    raw = submission_for_engine(agency, sub, appraised, stored)
    parsed = parse_submission(raw, loaded, source="web")
    surveys = imported_surveys(agency)
    result = score_agency(loaded, parsed, surveys)
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
            row.self_c, row.state, row.applicable, by_leaf.get(code, []), row.final_c
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
        bool(surveys),
        result,
    )


def imported_surveys(agency: Agency) -> list[EngineSurvey]:
    """The agency's survey results the secretariat imported, as the engine reads them (none
    before the import: its survey leaves count 0)."""
    rows = db.session.execute(
        db.select(SurveyResult.survey, SurveyResult.result_u, SurveyResult.sample_size)
        .filter_by(agency_id=agency.id)
        .order_by(SurveyResult.id)
    ).all()
    return [
        EngineSurvey(agency.code, survey, result_u, sample, n)
        for n, (survey, result_u, sample) in enumerate(rows, start=2)
    ]


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
    return LeafResult(row.self_c, row.state, row.applicable, issues)
