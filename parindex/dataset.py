"""A year's inputs: criteria sets per block, the agency list, submissions and survey results.

Layout (see docs/submission-format.md)::

    criteria/<year>/<block>.yaml
    submissions/<year>/agencies.csv          id,name,block
    submissions/<year>/<block>/<agency>.yaml
    submissions/<year>/surveys.csv           agency,survey,result,sample_size (or .xlsx)
    submissions/<year>/lineage.csv           old,new,change,date[,name,basis] (or .xlsx)
    submissions/<year-1>/ket-qua-<year-1>.csv last year's results (or .json)
    criteria/<year-1>/<block>.yaml           last year's sets (the criteria-set diff)
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from parindex.criteria import LoadedSet, load_criteria
from parindex.errors import CriteriaError, DataError, Issue, Location, Report
from parindex.history import PreviousResult, read_previous
from parindex.lineage import DEFAULT_UNIT_TYPE, Lineage, lineage_path, parse_unit_type, read_lineage
from parindex.submission import Submission, parse_submission, read_submission_file
from parindex.survey import SurveyResult, read_surveys
from parindex.tables import TableError, read_rows
from parindex.text import TextError, clean, identifier, is_blank
from parindex.yamlio import YamlLoadError, YamlPath, line_of, load_yaml


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    block: str
    type: str = DEFAULT_UNIT_TYPE  # a code of parindex.lineage.UNIT_TYPES


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
    lineage: Lineage = field(default_factory=Lineage)
    #: last year's criteria sets by block (``criteria/<year-1>/``), for the criteria-set diff
    previous_sets: dict[str, LoadedSet] = field(default_factory=dict)
    #: last year's results file, relative to the data folder ("" when there is none)
    previous_file: str = ""


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


#: the agency list's optional column of the unit's type, and its Vietnamese name
TYPE_COLUMNS = ("type", "loại đơn vị")


def read_agencies(path: Path) -> tuple[dict[str, Agency], list[Issue]]:
    """The agency list (``id,name,block[,type]``; read by :mod:`parindex.tables`: UTF-8, UTF-16
    or Windows-1258, comma, semicolon or tab). Ids and blocks are identifiers
    (:func:`parindex.text.identifier`); the type is a code or a label of
    :data:`parindex.lineage.UNIT_TYPES` (blank or no column: ``khac``); every problem is
    located by row and column."""
    issues: list[Issue] = []
    agencies: dict[str, Agency] = {}
    file = str(path)
    try:
        rows = read_rows(path)
    except FileNotFoundError:
        return {}, [Issue.make("file-not-found", Location(file=file))]
    except TableError as e:
        return {}, [e.issue(file)]
    header_row, header = rows[0] if rows else (1, [])
    names = [clean(c).lower() for c in header]
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    for col in ("id", "name", "block"):
        if col not in index:
            issues.append(Issue.make("missing-key", Location(file=file, row=header_row), key=col))
    if issues:
        return {}, issues
    width = max(i + 1 for i, name in enumerate(names) if name)
    for n, row in rows[1:]:
        if len(row) < width:
            issues.append(
                Issue.make(
                    "table-short-row", Location(file=file, row=n), value=len(row), most=width
                )
            )
            continue

        def cell(col: str, row: list[Any] = row) -> Any:
            return row[index[col]]

        if is_blank(cell("id")):
            issues.append(
                Issue.make("missing-key", Location(file=file, row=n, path="id"), key="id")
            )
            continue
        aid, block = identifier(cell("id")), identifier(cell("block"))
        bad = [
            (col, got) for col, got in (("id", aid), ("block", block)) if isinstance(got, TextError)
        ]
        for col, got in bad:
            assert isinstance(got, TextError)
            issues.append(Issue.make(got.code, Location(file=file, row=n, path=col), **got.params))
        if bad or not isinstance(aid, str) or not isinstance(block, str):
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
        kind = DEFAULT_UNIT_TYPE
        type_col = next((c for c in TYPE_COLUMNS if c in index), None)
        if type_col is not None:
            typed = parse_unit_type(row[index[type_col]] if index[type_col] < len(row) else None)
            if isinstance(typed, TextError):
                where = Location(file=file, row=n, path=clean(header[index[type_col]]))
                issues.append(Issue.make(typed.code, where, **typed.params))
                continue
            kind = typed
        name = " ".join(unicodedata.normalize("NFC", str(cell("name") or "")).split())
        agencies[aid] = Agency(aid, name, block, kind)
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
    problems: list[Issue] = unread_files(cdir, "criteria")
    for path in sorted(cdir.glob("*.yaml")):
        try:
            loaded = load_criteria(path)
        except CriteriaError as e:
            problems.extend(e.issues)
            continue
        inputs[rel(path)] = loaded.sha256
        m = loaded.model
        if not same_name(m.block, path.stem):
            problems.append(
                Issue.make(
                    "block-not-file-name",
                    Location(file=str(path), line=loaded.lines.get(("block",)), path="block"),
                    value=m.block,
                    name=path.name,
                )
            )
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
    report.extend(unread_folders(sdir, sets))
    with collector_paused():
        for block, loaded in sets.items():
            report.extend(unread_files(sdir / block, "submission"))
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
                if sub.agency and not same_name(sub.agency, path.stem):
                    sub.issues.append(
                        Issue.make("agency-not-file-name", loc, value=sub.agency, name=path.name)
                    )
                    keep = False
                elif sub.agency in seen:
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
    prev_issues: list[Issue] = []
    prev_path = previous_results_path(root, year)
    if prev_path is not None:
        inputs[rel(prev_path)] = _sha(prev_path)
        previous, prev_issues = read_previous(prev_path, year - 1)
        report.extend(prev_issues)
    lineage = Lineage()
    lineage_file, lineage_issues = lineage_path(sdir)
    if lineage_file is not None:
        inputs[rel(lineage_file)] = _sha(lineage_file)
        lineage, read_issues = read_lineage(
            lineage_file,
            agencies=agencies,
            last_year=_last_year_units(root, year, previous, prev_issues),
            year=year,
        )
        lineage_issues += read_issues
    report.extend(lineage_issues)
    for old in (sdir / "mapping.csv", sdir / "mapping.xlsx"):  # replaced by the lineage file
        if old.exists():
            report.add(
                Issue.make(
                    "lineage-mapping-not-read",
                    Location(file=str(old)),
                    severity="warning",
                    name=old.name,
                )
            )
    previous_sets, set_issues = _previous_sets(root, year)
    report.extend(set_issues)
    report.issues = _relative(report.issues, root)
    return Dataset(
        year,
        root,
        sets,
        agencies,
        submissions,
        surveys,
        report,
        inputs,
        previous,
        lineage,
        previous_sets,
        rel(prev_path) if prev_path is not None else "",
    )


def _last_year_units(
    root: Path, year: int, previous: dict[str, PreviousResult], prev_issues: list[Issue]
) -> set[str] | None:
    """Last year's unit codes, what a lineage's old codes are checked against: those with
    results (when the file was read without error) and those of last year's agency list (when
    there is one, read without error); None when neither is known."""
    known: set[str] | None = set(previous) if previous and not prev_issues else None
    listed = root / "submissions" / str(year - 1) / "agencies.csv"
    if listed.is_file():
        agencies, issues = read_agencies(listed)
        if not issues:
            known = (known or set()) | set(agencies)
    return known


def _previous_sets(root: Path, year: int) -> tuple[dict[str, LoadedSet], list[Issue]]:
    """Last year's criteria sets by block, for the criteria-set diff; a set that cannot be read
    is a warning (it changes nothing in this year's results)."""
    sets: dict[str, LoadedSet] = {}
    issues: list[Issue] = []
    for path in sorted((root / "criteria" / str(year - 1)).glob("*.yaml")):
        try:
            loaded = load_criteria(path)
        except CriteriaError as e:
            issues.extend(replace(i, severity="warning") for i in e.issues)
            continue
        sets.setdefault(loaded.model.block, loaded)
    return sets, issues


def same_name(identifier: str, stem: str) -> bool:
    """Whether a file's name (without ``.yaml``) names ``identifier``: compared composed (NFC;
    a Mac writes file names decomposed) and without case (``so-tp.yaml`` holds ``SO-TP``)."""
    return (
        unicodedata.normalize("NFC", identifier).casefold()
        == unicodedata.normalize("NFC", stem).casefold()
    )


def unread_files(folder: Path, kind: str) -> list[Issue]:
    """What the loader would skip in ``folder``, said: a YAML file whose name does not end in
    exactly ``.yaml`` (``.yml``, ``.YAML``) is an error; any other file or folder a warning.
    Hidden files (``.DS_Store``, ``.~lock``) are left alone."""
    if not folder.is_dir():
        return []
    issues = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or (path.suffix == ".yaml" and path.is_file()):
            continue
        where = Location(file=str(path))
        if path.suffix.lower() in (".yml", ".yaml"):
            issues.append(
                Issue.make("file-wrong-suffix", where, name=path.name, expected=path.stem + ".yaml")
            )
        else:
            issues.append(
                Issue.make(f"{kind}-file-not-read", where, severity="warning", name=path.name)
            )
    return issues


def unread_folders(sdir: Path, sets: dict[str, LoadedSet]) -> list[Issue]:
    """A folder of submissions for a block that has no criteria set is never read: an error."""
    return [
        Issue.make(
            "folder-no-criteria", Location(file=str(d)), value=d.name, blocks=", ".join(sets)
        )
        for d in sorted(sdir.iterdir())
        if d.is_dir() and not d.name.startswith(".") and d.name not in sets
    ]


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


# ----------------------------------------------------------------------------- parindex check
@dataclass
class Checked:
    """What `parindex check` found in one valid file."""

    file: str
    kind: str  # "criteria" | "submission"
    name: str  # the set's id, or the submission's agency
    leaves: int


def is_submission(data: object) -> bool:
    """Whether parsed YAML is a submission (``agency``/``leaves``) rather than a criteria set."""
    return (
        isinstance(data, dict)
        and ("leaves" in data or "agency" in data)
        and not ("fields" in data or "block" in data)
    )


def yaml_files(paths: list[Path]) -> tuple[list[Path], list[Issue]]:
    """The YAML files named by ``paths``, a folder standing for every file under it; a
    ``.yml`` file in a folder is an error naming the file to rename, and a folder without any
    YAML file is said."""
    files: list[Path] = []
    issues: list[Issue] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in (".yaml", ".yml")
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        for p in found:
            if p.suffix == ".yaml":
                files.append(p)
            else:
                issues.append(
                    Issue.make(
                        "file-wrong-suffix",
                        Location(file=str(p)),
                        name=p.name,
                        expected=p.stem + ".yaml",
                    )
                )
        if not found:
            issues.append(
                Issue.make("no-data", Location(file=str(path)), detail="thư mục không có tệp YAML")
            )
    return files, issues


def check_paths(paths: list[Path]) -> tuple[Report, list[Checked]]:
    """`parindex check`: every criteria set and submission named by ``paths`` (files or
    folders), each checked as what it is. A submission is checked against its block's set,
    found beside it in the year layout (``submissions/<year>/<block>/<agency>.yaml`` →
    ``criteria/<year>/<block>.yaml``), and its agency against the year's ``agencies.csv``
    when there is one."""
    report = Report()
    checked: list[Checked] = []
    files, issues = yaml_files(paths)
    report.extend(issues)
    sets: dict[Path, LoadedSet | None] = {}
    for path in files:
        try:
            data, lines = load_yaml(path)
        except YamlLoadError as e:
            report.extend(e.issues)
            continue
        if is_submission(data):
            found = _check_submission(path, data, lines, sets, report)
        else:
            found = _check_criteria(path, report)
        if found is not None:
            checked.append(found)
    return report, checked


def _check_criteria(path: Path, report: Report) -> Checked | None:
    try:
        loaded = load_criteria(path)
    except CriteriaError as e:
        report.extend(e.issues)
        return None
    m = loaded.model
    if path.parent.parent.name == "criteria" and not same_name(m.block, path.stem):
        report.add(
            Issue.make(
                "block-not-file-name",
                Location(file=str(path), line=loaded.lines.get(("block",)), path="block"),
                value=m.block,
                name=path.name,
            )
        )
        return None
    return Checked(str(path), "criteria", m.id, sum(1 for _ in m.leaves()))


def _check_submission(
    path: Path,
    data: object,
    lines: dict[YamlPath, int],
    sets: dict[Path, LoadedSet | None],
    report: Report,
) -> Checked | None:
    block_dir = path.resolve().parent
    year_dir = block_dir.parent
    cpath = year_dir.parent.parent / "criteria" / year_dir.name / f"{block_dir.name}.yaml"
    if cpath not in sets:
        try:
            sets[cpath] = load_criteria(cpath) if cpath.is_file() else None
        except CriteriaError as e:
            report.extend(e.issues)
            sets[cpath] = None
            return None
    loaded = sets[cpath]
    if loaded is None:
        if not cpath.is_file():
            report.add(
                Issue.make("check-no-criteria", Location(file=str(path)), expected=str(cpath))
            )
        return None
    sub = parse_submission(data, loaded, source=str(path), lines=lines, agency_hint=path.stem)
    before = len(report.issues)
    report.extend(sub.issues)
    loc = Location(file=str(path), line=line_of(lines, ("agency",)), path="agency")
    if sub.agency and not same_name(sub.agency, path.stem):
        report.add(Issue.make("agency-not-file-name", loc, value=sub.agency, name=path.name))
    agencies_path = year_dir / "agencies.csv"
    if agencies_path.is_file():
        agencies, _ = read_agencies(agencies_path)
        agency = agencies.get(sub.agency)
        if agencies and agency is None:
            report.add(Issue.make("unknown-agency", loc, value=sub.agency))
        elif agency is not None and agency.block != block_dir.name:
            report.add(Issue.make("agency-wrong-block", loc, value=sub.agency, detail=agency.block))
    if any(i.severity == "error" for i in report.issues[before:]):
        return None
    return Checked(str(path), "submission", sub.agency, len(sub.rows))
