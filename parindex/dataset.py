"""A year's inputs: criteria sets per block, the agency list, submissions and survey results.

Layout (see docs/submission-format.md)::

    criteria/<year>/<block>.yaml
    submissions/<year>/agencies.csv          id,name,block
    submissions/<year>/<block>/<agency>.yaml
    submissions/<year>/surveys.csv           agency,survey,result,sample_size (or .xlsx)
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from parindex.criteria import LoadedSet, load_criteria
from parindex.errors import CriteriaError, DataError, Issue, Location, Report
from parindex.history import PreviousResult, read_mapping, read_previous
from parindex.submission import Submission, parse_submission, read_submission_file
from parindex.survey import SurveyResult, read_surveys
from parindex.yamlio import line_of


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    block: str


@dataclass
class Dataset:
    year: int
    root: Path
    sets: dict[str, LoadedSet]
    agencies: dict[str, Agency]
    submissions: dict[str, list[Submission]]  # block → submissions
    surveys: list[SurveyResult]
    report: Report
    inputs: dict[str, str] = field(default_factory=dict)  # relative path → sha256
    previous: dict[str, PreviousResult] = field(default_factory=dict)
    mapping: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


#: the sample province shipped inside the package (``criteria/`` and ``submissions/``; in the
#: repository two symbolic links to its top-level folders of the same names)
SAMPLE_ROOT = Path(__file__).resolve().parent / "sample"


def default_root() -> Path:
    """The current directory when it holds ``criteria/`` and ``submissions/``, else the sample
    province shipped inside the package (:data:`SAMPLE_ROOT`), in an editable install as in a
    wheel."""
    cwd = Path.cwd()
    if (cwd / "criteria").is_dir() and (cwd / "submissions").is_dir():
        return cwd
    return SAMPLE_ROOT


def available_years(root: Path) -> list[int]:
    base = root / "criteria"
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit())


def read_agencies(path: Path) -> tuple[dict[str, Agency], list[Issue]]:
    issues: list[Issue] = []
    agencies: dict[str, Agency] = {}
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}, [Issue.make("file-not-found", Location(file=file))]
    reader = csv.DictReader(text.splitlines())
    for col in ("id", "name", "block"):
        if col not in (reader.fieldnames or []):
            issues.append(Issue.make("missing-key", Location(file=file, row=1), key=col))
    if issues:
        return {}, issues
    for n, row in enumerate(reader, start=2):
        aid = (row.get("id") or "").strip()
        if not aid:
            issues.append(
                Issue.make("missing-key", Location(file=file, row=n, path="id"), key="id")
            )
            continue
        if aid in agencies:
            issues.append(
                Issue.make(
                    "duplicate-agency",
                    Location(file=file, row=n, path="id"),
                    value=aid,
                    detail=file,
                )
            )
            continue
        agencies[aid] = Agency(
            aid, (row.get("name") or "").strip(), (row.get("block") or "").strip()
        )
    return agencies, issues


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """CPython's cyclic garbage collector paused while many objects are made that will live on
    (thousands of parsed submissions; the 600,000 cells of a large decision table), which it
    would otherwise walk again and again as they are made. Restored afterwards (if it was on),
    when it collects in its own time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_year(root: Path, year: int | None = None, surveys_file: Path | None = None) -> Dataset:
    """Load everything for ``year`` (default: the latest year under ``criteria/``).

    A broken criteria file raises :class:`CriteriaError`; a missing folder raises
    :class:`DataError`; problems in submissions and survey files are collected in the report.
    """
    root = Path(root)
    if year is None:
        years = available_years(root)
        if not years:
            raise DataError(
                [
                    Issue.make(
                        "no-data",
                        Location(file=str(root / "criteria")),
                        detail="không có thư mục năm nào trong criteria/",
                    )
                ]
            )
        year = years[-1]
    cdir, sdir = root / "criteria" / str(year), root / "submissions" / str(year)
    for d in (cdir, sdir):
        if not d.is_dir():
            raise DataError(
                [Issue.make("no-data", Location(file=str(d)), detail=f"thiếu thư mục {d}")]
            )
    report = Report()
    inputs: dict[str, str] = {}

    def rel(p: Path) -> str:
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return p.as_posix()

    sets: dict[str, LoadedSet] = {}
    problems: list[Issue] = []
    for path in sorted(cdir.glob("*.yaml")):
        try:
            loaded = load_criteria(path)
        except CriteriaError as e:
            problems.extend(e.issues)
            continue
        inputs[rel(path)] = loaded.sha256
        m = loaded.model
        if m.year != year:
            problems.append(
                Issue.make(
                    "year-mismatch",
                    Location(file=str(path), path="year"),
                    value=m.year,
                    detail=year,
                )
            )
        if m.block in sets:
            problems.append(
                Issue.make(
                    "duplicate-set",
                    Location(file=str(path), path="block"),
                    value=m.block,
                    detail=str(sets[m.block].path),
                )
            )
        sets[m.block] = loaded
    if problems:
        raise CriteriaError(_relative(problems, root))

    agencies_path = sdir / "agencies.csv"
    agencies, issues = read_agencies(agencies_path)
    if issues:
        raise DataError(issues)
    inputs[rel(agencies_path)] = _sha(agencies_path)

    submissions: dict[str, list[Submission]] = {block: [] for block in sets}
    seen: dict[str, str] = {}
    # hundreds of thousands of small objects are kept: the cyclic collector would rescan them
    # again and again while they are read (none of them form cycles)
    with collector_paused():
        for block, loaded in sets.items():
            for path in sorted((sdir / block).glob("*.yaml")):
                inputs[rel(path)] = _sha(path)
                data, lines, read_issues = read_submission_file(path)
                if read_issues:
                    report.extend(read_issues)
                    continue
                sub = parse_submission(
                    data, loaded, source=rel(path), lines=lines, agency_hint=path.stem
                )
                loc = Location(
                    file=str(path),
                    line=line_of(lines, ("agency",)),
                    path="agency",
                    agency=sub.agency,
                )
                keep = True
                if sub.agency in seen:
                    sub.issues.append(
                        Issue.make(
                            "duplicate-agency", loc, value=sub.agency, detail=seen[sub.agency]
                        )
                    )
                    keep = False
                elif sub.agency not in agencies:
                    sub.issues.append(Issue.make("unknown-agency", loc, value=sub.agency))
                    keep = False
                elif agencies[sub.agency].block != block:
                    sub.issues.append(
                        Issue.make(
                            "agency-wrong-block",
                            loc,
                            value=sub.agency,
                            detail=agencies[sub.agency].block,
                        )
                    )
                    keep = False
                report.extend(sub.issues)
                if keep:
                    seen[sub.agency] = str(path)
                    submissions[block].append(sub)
    for agency in agencies.values():
        if agency.block in sets and agency.id not in seen:
            report.add(
                Issue.make("submission-missing", Location(agency=agency.id), severity="warning")
            )
            submissions[agency.block].append(Submission(agency=agency.id, year=year, source=""))

    surveys: list[SurveyResult] = []
    survey_keys = {key for s in sets.values() for key in s.survey_keys()}
    survey_files = [surveys_file] if surveys_file else [sdir / "surveys.csv", sdir / "surveys.xlsx"]
    for spath in survey_files:
        if spath.exists() or surveys_file:
            inputs[rel(spath)] = _sha(spath)
            rows, survey_issues = read_surveys(spath, {a: a for a in agencies}, survey_keys)
            surveys.extend(rows)
            report.extend(survey_issues)
    previous: dict[str, PreviousResult] = {}
    prev_path = previous_results_path(root, year)
    if prev_path is not None:
        inputs[rel(prev_path)] = _sha(prev_path)
        previous, prev_issues = read_previous(prev_path)
        report.extend(prev_issues)
    mapping_path = sdir / "mapping.csv"
    mapping, map_issues = read_mapping(mapping_path)
    if mapping_path.exists():
        inputs[rel(mapping_path)] = _sha(mapping_path)
    report.extend(map_issues)
    report.issues = _relative(report.issues, root)
    return Dataset(
        year, root, sets, agencies, submissions, surveys, report, inputs, previous, mapping
    )


def _relative(issues: list[Issue], root: Path) -> list[Issue]:
    """Issue locations name files relative to the data folder, the same on every machine."""
    out = []
    for issue in issues:
        file = issue.location.file
        if file:
            try:
                file = Path(file).resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                pass
        out.append(replace(issue, location=replace(issue.location, file=file)))
    return out


def previous_results_path(root: Path, year: int) -> Path | None:
    """Last year's published results: ``submissions/<year-1>/ket-qua-<year-1>.csv`` (or .json)."""
    base = root / "submissions" / str(year - 1)
    for name in (f"ket-qua-{year - 1}.csv", f"ket-qua-{year - 1}.json"):
        if (base / name).exists():
            return base / name
    return None
