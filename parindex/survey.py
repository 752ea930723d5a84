"""Survey results (SIPAS and the officials' survey): agency, survey, result %, sample size.

Read from CSV or XLSX through :mod:`parindex.tables` (the encodings Excel writes, comma,
semicolon or tab separated; a percent-formatted cell as the percentage it shows). Every problem
is reported by row and column; the cells are read by :mod:`parindex.text` (a decimal comma
"87,5" or point, a percent sign, thousands in a sample size "1.200"; the agency and the survey
as identifiers).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from parindex.errors import Issue, Location
from parindex.tables import TableError, read_rows
from parindex.text import TextError, identifier, is_blank, parse_count, parse_number
from parindex.units import decimal_places

COLUMNS = ("agency", "survey", "result", "sample_size")
#: accepted header spellings (lower-cased) → column
HEADER_ALIASES = {
    "agency": "agency",
    "mã đơn vị": "agency",
    "don_vi": "agency",
    "survey": "survey",
    "cuộc điều tra": "survey",
    "khảo sát": "survey",
    "result": "result",
    "kết quả": "result",
    "kết quả (%)": "result",
    "result_pct": "result",
    "sample_size": "sample_size",
    "cỡ mẫu": "sample_size",
    "số phiếu": "sample_size",
}
RESULT_PLACES = 4  # results are kept exact to 4 decimals of a percent


@dataclass(frozen=True)
class SurveyResult:
    agency: str
    survey: str
    result_u: int  # result in 1/10000 of a percent (87.5 % → 875000)
    sample_size: int | None
    row: int


def _rows(path: Path) -> list[list[Any]]:
    """Every row of the file in order (a blank row as ``[]``), so a row's place is its number."""
    rows: list[list[Any]] = []
    for n, cells in read_rows(path):
        rows += [[]] * (n - 1 - len(rows))
        rows.append(cells)
    return rows


def read_surveys(
    path: Path,
    agencies: dict[str, str] | None = None,
    surveys: set[str] | None = None,
) -> tuple[list[SurveyResult], list[Issue]]:
    """Read a survey results file. ``agencies``/``surveys`` (when given) are the known keys."""
    file = str(path)
    issues: list[Issue] = []
    try:
        rows = _rows(path)
    except FileNotFoundError:
        return [], [Issue.make("file-not-found", Location(file=file))]
    except TableError as e:
        return [], [e.issue(file)]
    # keep each row's number in the file: blank rows are skipped, not renumbered
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(not is_blank(c) for c in r)]
    if not numbered:
        return [], [
            Issue.make(
                "survey-bad-header",
                Location(file=file, row=1),
                key="agency",
                detail=", ".join(COLUMNS),
            )
        ]
    header = [
        HEADER_ALIASES.get(" ".join(str(c or "").lower().split()), "") for c in numbered[0][1]
    ]
    width = max((i + 1 for i, c in enumerate(numbered[0][1]) if not is_blank(c)), default=0)
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name not in index:
            index[name] = i
    missing = [c for c in COLUMNS[:3] if c not in index]
    if missing:
        for col in missing:
            issues.append(
                Issue.make(
                    "survey-bad-header",
                    Location(file=file, row=numbered[0][0]),
                    key=col,
                    detail=", ".join(COLUMNS),
                )
            )
        return [], issues
    results: list[SurveyResult] = []
    seen: dict[tuple[str, str], int] = {}
    for n, row in numbered[1:]:

        def cell(col: str, row: list[Any] = row) -> Any:
            i = index.get(col)
            return row[i] if i is not None and i < len(row) else None

        def loc(col: str, n: int = n) -> Location:
            return Location(file=file, row=n, path=col)

        if len(row) < width:  # a row with fewer cells than the header: its cells cannot be placed
            issues.append(
                Issue.make(
                    "table-short-row", Location(file=file, row=n), value=len(row), most=width
                )
            )
            continue
        ok = True
        agency = identifier(cell("agency"))
        survey = identifier(cell("survey"))
        if isinstance(agency, TextError) or isinstance(survey, TextError):
            for col, got in (("agency", agency), ("survey", survey)):
                if isinstance(got, TextError):
                    issues.append(Issue.make(got.code, loc(col), **got.params))
            continue
        if agencies is not None and agency not in agencies:
            issues.append(Issue.make("survey-unknown-agency", loc("agency"), value=agency))
            ok = False
        if surveys is not None and survey not in surveys:
            issues.append(Issue.make("survey-unknown-survey", loc("survey"), value=survey))
            ok = False
        raw = cell("result")
        value = parse_number(raw, percent=True)  # "87,5", "87.5", "87,5 %", a number cell
        result_u = 0
        if isinstance(value, TextError):
            issues.append(Issue.make("survey-not-a-number", loc("result"), value=raw))
            ok = False
        elif not Decimal(0) <= value <= Decimal(100):
            issues.append(Issue.make("survey-result-out-of-range", loc("result"), value=raw))
            ok = False
        elif decimal_places(value) > RESULT_PLACES:
            value = value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)  # 4 decimals kept
            result_u = int(value * 10**RESULT_PLACES)
        else:
            result_u = int(value * 10**RESULT_PLACES)
        sample: int | None = None
        raw_sample = cell("sample_size")
        if not is_blank(raw_sample):
            number = parse_count(raw_sample)  # "1.200", "1 200", a number cell
            if isinstance(number, TextError):
                issues.append(
                    Issue.make("survey-not-a-number", loc("sample_size"), value=raw_sample)
                )
                ok = False
            else:
                sample = number
        key = (agency, survey)
        if key in seen:
            issues.append(
                Issue.make("survey-duplicate-row", loc("agency"), value=agency, detail=seen[key])
            )
            ok = False
        else:
            seen[key] = n
        if ok:
            results.append(SurveyResult(agency, survey, result_u, sample, n))
    return results, issues


def _whole_file(issue: Issue) -> bool:
    """An issue that stops the whole file from being read (not one row's problem)."""
    if issue.code in ("file-not-found", "survey-bad-header"):
        return True
    return issue.code.startswith("table-") and issue.code != "table-short-row"


def check_surveys(path: Path, ds: Any) -> tuple[list[SurveyResult], list[Issue]]:
    """Validate a survey file against a loaded year: every row problem, and every agency that
    has a survey leaf but no result for it (``survey-agency-missing``, by agency and survey),
    unless the file could not be read at all (its one error is then the whole answer)."""
    keys_by_block = {block: sorted(set(s.survey_keys())) for block, s in ds.sets.items()}
    known = {k for keys in keys_by_block.values() for k in keys}
    rows, issues = read_surveys(path, {a: a for a in ds.agencies}, known)
    if any(_whole_file(i) for i in issues):
        return rows, issues  # the file was not read: its error is the answer, not 400 warnings
    have = {(r.agency, r.survey) for r in rows}
    for agency in ds.agencies.values():
        for key in keys_by_block.get(agency.block, []):
            if (agency.id, key) not in have:
                issues.append(
                    Issue.make(
                        "survey-agency-missing",
                        Location(file=str(path), agency=agency.id, path=key),
                        value=key,
                        severity="warning",
                    )
                )
    return rows, issues
