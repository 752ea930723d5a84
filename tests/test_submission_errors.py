"""Problems in submissions and survey files are collected as issues: (code, location), never raised.

Each ``tests/data/submission-<defect>.yaml`` is ``submission-valid.yaml`` (checked against
``criteria-valid.yaml``) with exactly one defect; its first line says which. Expected lines were
read off the data files. Dataset-level cases (several files, agencies.csv, surveys.csv) are built
in ``tmp_path``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from parindex.criteria import LoadedSet, load_criteria
from parindex.dataset import load_year
from parindex.errors import Issue
from parindex.scoring import BlockResult, score_block
from parindex.submission import Submission, parse_submission, read_submission_file
from parindex.survey import SurveyResult, read_surveys

DATA = Path(__file__).parent / "data"
AGENCY = "SO-TP"
SIPAS = [SurveyResult(AGENCY, "sipas", 875_000, 120, 2)]  # 87.5 %
NAMES = {AGENCY: "Sở Tư pháp"}
E, W = "error", "warning"

#: points (hundredths) of submission-valid.yaml, worked out by hand from criteria-valid.yaml
VALID_POINTS = {
    "1.1.1": 500,  # done → max 5
    "1.1.2": 500,  # 2025-01-20, due 2025-01-31 → on time, 5
    "1.1.3": 500,  # 45/50 = 90 % → tier 80 % → 5
    "1.2.1": 300,  # 30/40 = 75 %, between 50 and 100 → 6 × 25/50 = 3
    "1.2.2": 150,  # 3 × 0.5
    "1.2.3": 350,  # 4 − 2 × 0.25
    "1.2.4": 300,  # minor: 6 × 0.5
    "2.1.1": 775,  # manual 7.75
    "2.1.2": 1500,  # 95/100 → tier 90 % → 15
    "3.1.1": 2625,  # survey 87.5 % × 30
    "B.1": 100,  # 1 × 1, cap 2
    "P.1": 0,
}
VALID_TOTAL = 7600  # tree 75 + bonus 1 − penalty 0


@pytest.fixture(scope="module")
def criteria() -> LoadedSet:
    return load_criteria(DATA / "criteria-valid.yaml")


def parse(name: str, criteria: LoadedSet) -> Submission:
    path = DATA / f"submission-{name}.yaml"
    data, lines, read_issues = read_submission_file(path)
    assert read_issues == []
    return parse_submission(data, criteria, source=str(path), lines=lines)


def score(sub: Submission, criteria: LoadedSet) -> BlockResult:
    return score_block(criteria, [sub], SIPAS, NAMES)


def points(result: BlockResult) -> dict[str, int]:
    return dict(zip(result.leaves["leaf"], result.leaves["final_c"].astype(int), strict=True))


def flat_parse(issues: list[Issue]) -> list[tuple[str, str, str, int | None, str]]:
    return [(i.code, i.location.leaf, i.location.path, i.location.line, i.severity) for i in issues]


def flat_score(issues: list[Issue]) -> list[tuple[str, str, str, str]]:
    return [(i.code, i.location.leaf, i.location.fact, i.severity) for i in issues]


# ------------------------------------------------------------------------------- valid input
def test_valid_submission_has_no_issue_and_scores(criteria: LoadedSet) -> None:
    sub = parse("valid", criteria)
    assert sub.issues == []
    result = score(sub, criteria)
    assert result.issues == []
    assert points(result) == VALID_POINTS
    assert int(result.agencies["total_c"].iat[0]) == VALID_TOTAL
    assert int(result.agencies["index_u"].iat[0]) == 7600  # 76.00 %


def test_score_block_without_names(criteria: LoadedSet) -> None:
    # ``names`` is optional: an agency without a display name is shown by its id
    result = score_block(criteria, [parse("valid", criteria)], SIPAS)
    assert list(result.agencies["name"]) == [AGENCY]
    assert points(result) == VALID_POINTS


# ------------------------------------------------------------- found while reading the file
# (defect file, code, leaf, YAML path, line, severity)
# fmt: off
PARSE_CASES: list[tuple[str, str, str, str, int | None, str]] = [
    ("unknown-leaf", "unknown-leaf", "9.9.9", "leaves.9.9.9", 62, E),
    ("not-a-leaf", "not-a-leaf", "1.1", "leaves.1.1", 62, E),
    ("unknown-key-top", "unknown-key", "", "comment", 4, E),
    ("unknown-key-leaf", "unknown-key", "1.1.1", "leaves.1.1.1.note", 7, E),
    ("done-wrong-type", "fact-wrong-type", "1.1.1", "leaves.1.1.1.done", 6, E),
    ("count-not-integer", "fact-wrong-type", "1.2.2", "leaves.1.2.2.count", 36, E),
    ("date-wrong-type", "fact-wrong-type", "1.1.2", "leaves.1.1.2.date", 15, E),
    ("numerator-above-denominator", "numerator-above-denominator", "1.1.3",
     "leaves.1.1.3.numerator", 23, E),
    ("negative-count", "negative-count", "1.2.3", "leaves.1.2.3.count", 39, E),
    ("count-too-large", "count-too-large", "1.2.3", "leaves.1.2.3.count", 39, E),
    ("date-implausible", "date-implausible", "1.1.2", "leaves.1.1.2.date", 15, E),
    ("unknown-level", "unknown-level", "1.2.4", "leaves.1.2.4.level", 42, E),
    # a missing fact is located at the key it should have; the line is the leaf's
    ("fact-missing", "fact-missing", "1.1.3", "leaves.1.1.3.denominator", 22, E),
    ("fact-unexpected", "fact-unexpected", "1.1.1", "leaves.1.1.1.count", 7, E),
    ("score-above-max", "score-above-max", "2.1.1", "leaves.2.1.1.score", 45, E),
    ("score-off-step", "score-off-step", "2.1.1", "leaves.2.1.1.score", 45, E),
    ("score-negative", "score-negative", "2.1.1", "leaves.2.1.1.score", 45, E),
    ("score-nan", "fact-wrong-type", "2.1.1", "leaves.2.1.1.score", 45, E),
    ("appraisal-above-max", "score-above-max", "1.1.1",
     "leaves.1.1.1.appraisal.round1.score", 15, E),
    ("survey-self-score", "survey-self-score", "3.1.1", "leaves.3.1.1.score", 63, E),
    ("did-not-arise-not-allowed", "did-not-arise-not-allowed", "2.1.2",
     "leaves.2.1.2.did_not_arise", 54, E),
    ("did-not-arise-no-reason", "did-not-arise-no-reason", "1.2.1",
     "leaves.1.2.1.did_not_arise", 32, E),
    ("did-not-arise-with-facts", "did-not-arise-with-facts", "1.2.1",
     "leaves.1.2.1.did_not_arise", 34, E),
    ("year-wrong", "year-wrong", "", "year", 3, E),
    # the key is missing: the line is that of the mapping it belongs in (line 1 is a comment)
    ("missing-agency", "missing-key", "", "agency", 2, E),
    # warnings
    ("appraisal-no-reason", "appraisal-no-reason", "1.1.1", "leaves.1.1.1.appraisal.round1", 14, W),
    ("evidence-no-source", "evidence-no-source", "1.1.1", "leaves.1.1.1.evidence[0]", 8, W),
    ("evidence-incomplete", "evidence-incomplete", "1.1.1", "leaves.1.1.1.evidence[0]", 8, W),
]
# fmt: on


@pytest.mark.parametrize(
    ("name", "code", "leaf", "path", "line", "severity"),
    PARSE_CASES,
    ids=[c[0] for c in PARSE_CASES],
)
def test_parse_defect(
    criteria: LoadedSet,
    name: str,
    code: str,
    leaf: str,
    path: str,
    line: int | None,
    severity: str,
) -> None:
    sub = parse(name, criteria)
    assert flat_parse(sub.issues) == [(code, leaf, path, line, severity)]
    issue = sub.issues[0]
    assert issue.location.file == str(DATA / f"submission-{name}.yaml")
    assert issue.location.agency == ("" if name == "missing-agency" else AGENCY)
    # scoring adds nothing: the one defect is reported once (without an agency id there is no
    # survey result to find, hence no scoring check for that file)
    if name != "missing-agency":
        assert score(sub, criteria).issues == []


# ------------------------------------------------------------------- found when scoring
# (defect file, code, leaf, field, severity)
SCORE_CASES: list[tuple[str, str, str, str, str]] = [
    ("leaf-empty", "leaf-empty", "1.2.4", "", W),
    ("leaf-omitted", "leaf-empty", "1.2.4", "", W),
    ("evidence-missing", "evidence-missing", "1.1.1", "evidence", W),
    ("zero-denominator-not-allowed", "did-not-arise-not-allowed", "2.1.2", "denominator", E),
]


@pytest.mark.parametrize(
    ("name", "code", "leaf", "field", "severity"), SCORE_CASES, ids=[c[0] for c in SCORE_CASES]
)
def test_score_defect(
    criteria: LoadedSet, name: str, code: str, leaf: str, field: str, severity: str
) -> None:
    sub = parse(name, criteria)
    assert sub.issues == []
    result = score(sub, criteria)
    assert flat_score(result.issues) == [(code, leaf, field, severity)]
    issue = result.issues[0]
    assert issue.location.agency == AGENCY
    assert issue.location.file == str(DATA / f"submission-{name}.yaml")


def test_empty_leaf_scores_zero(criteria: LoadedSet) -> None:
    for name in ("leaf-empty", "leaf-omitted"):
        result = score(parse(name, criteria), criteria)
        assert points(result) == {**VALID_POINTS, "1.2.4": 0}


def test_evidence_missing_keeps_the_points_and_says_how_many(criteria: LoadedSet) -> None:
    result = score(parse("evidence-missing", criteria), criteria)
    assert result.issues[0].value == "5.00"
    assert points(result) == VALID_POINTS  # a warning: the panel decides, the points stay


def test_survey_missing(criteria: LoadedSet) -> None:
    result = score_block(criteria, [parse("valid", criteria)], [], NAMES)
    assert flat_score(result.issues) == [("survey-missing", "3.1.1", "", W)]
    assert result.issues[0].value == "sipas"
    assert points(result) == {**VALID_POINTS, "3.1.1": 0}


def test_yaml_syntax_error_is_located() -> None:
    path = DATA / "submission-yaml-syntax.yaml"
    data, lines, issues = read_submission_file(path)
    assert data is None
    assert [(i.code, i.location.file, i.location.line) for i in issues] == [
        ("yaml-syntax", str(path), 11)
    ]


def test_every_submission_file_is_in_a_table() -> None:
    on_disk = {
        p.name.removeprefix("submission-").removesuffix(".yaml")
        for p in DATA.glob("submission-*.yaml")
    }
    named = {c[0] for c in PARSE_CASES} | {c[0] for c in SCORE_CASES}
    assert on_disk == named | {"valid", "yaml-syntax"}


# ---------------------------------------------------------- an invalid leaf loses only itself
INVALID_LEAF = [
    ("done-wrong-type", "1.1.1"),
    ("fact-unexpected", "1.1.1"),
    ("date-implausible", "1.1.2"),
    ("date-wrong-type", "1.1.2"),
    ("numerator-above-denominator", "1.1.3"),
    ("fact-missing", "1.1.3"),
    ("did-not-arise-no-reason", "1.2.1"),
    ("did-not-arise-with-facts", "1.2.1"),
    ("count-not-integer", "1.2.2"),
    ("negative-count", "1.2.3"),
    ("count-too-large", "1.2.3"),
    ("unknown-level", "1.2.4"),
    ("score-above-max", "2.1.1"),
    ("score-off-step", "2.1.1"),
    ("score-negative", "2.1.1"),
    ("score-nan", "2.1.1"),
    ("did-not-arise-not-allowed", "2.1.2"),
    ("zero-denominator-not-allowed", "2.1.2"),
]


@pytest.mark.parametrize(("name", "leaf"), INVALID_LEAF, ids=[c[0] for c in INVALID_LEAF])
def test_invalid_leaf_scores_zero_rest_still_scores(
    criteria: LoadedSet, name: str, leaf: str
) -> None:
    result = score(parse(name, criteria), criteria)
    assert points(result) == {**VALID_POINTS, leaf: 0}
    assert int(result.agencies["total_c"].iat[0]) == VALID_TOTAL - VALID_POINTS[leaf]


def test_self_score_on_survey_leaf_is_ignored_survey_result_kept(criteria: LoadedSet) -> None:
    result = score(parse("survey-self-score", criteria), criteria)
    assert points(result) == VALID_POINTS  # 3.1.1 comes from the survey, not the self-score


def test_unknown_leaf_entries_lose_nothing(criteria: LoadedSet) -> None:
    for name in ("unknown-leaf", "not-a-leaf", "unknown-key-top"):
        assert points(score(parse(name, criteria), criteria)) == VALID_POINTS


# -------------------------------------------------------------------------- dataset level
YEAR = 2025


def make_root(
    tmp_path: Path,
    agencies: list[tuple[str, str]],
    files: dict[str, str],
    blocks: tuple[str, ...] = ("so",),
) -> Path:
    """A year folder in tmp_path: criteria-valid.yaml as each of ``blocks``, the agency list
    ``(id, block)``, and ``files``: submission path under submissions/2025/ → agency id."""
    root = tmp_path / "root"
    cdir = root / "criteria" / str(YEAR)
    sdir = root / "submissions" / str(YEAR)
    cdir.mkdir(parents=True)
    sdir.mkdir(parents=True)
    criteria = (DATA / "criteria-valid.yaml").read_text(encoding="utf-8")
    for block in blocks:
        text = criteria.replace("block: so\n", f"block: {block}\n")
        text = text.replace("id: test-so-2025\n", f"id: test-{block}-2025\n")
        (cdir / f"{block}.yaml").write_text(text, encoding="utf-8")
    rows = ["id,name,block"] + [f"{aid},Đơn vị {aid},{block}" for aid, block in agencies]
    (sdir / "agencies.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    valid = (DATA / "submission-valid.yaml").read_text(encoding="utf-8")
    assert valid.count(f"agency: {AGENCY}\n") == 1
    for rel, agency in files.items():
        target = sdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            valid.replace(f"agency: {AGENCY}\n", f"agency: {agency}\n"), encoding="utf-8"
        )
    return root


def flat_dataset(root: Path, issues: list[Issue]) -> list[tuple[str, str, str, int | None, str]]:
    # locations name files relative to the data folder (the same on every machine)
    prefix = f"submissions/{YEAR}/"
    assert all(i.location.file.startswith(prefix) for i in issues)
    return [
        (
            i.code,
            i.location.file.removeprefix(prefix),
            i.location.path,
            i.location.line,
            i.location.agency,
        )
        for i in issues
    ]


# (agencies.csv rows, submission files, expected (code, file, path, line, agency), kept agencies)
DATASET_CASES = {
    "duplicate-agency": (
        [("SO-TP", "so")],
        # issue 12: a file is named after its agency, so a second file of one agency differs
        # from the first only in case (or in Unicode composition, as a Mac names files)
        {"so/SO-TP.yaml": "SO-TP", "so/so-tp.yaml": "SO-TP"},
        ("duplicate-agency", "so/so-tp.yaml", "agency", 2, "SO-TP"),
        ["SO-TP"],
    ),
    "unknown-agency": (
        [("SO-TP", "so")],
        {"so/so-tp.yaml": "SO-TP", "so/so-xyz.yaml": "SO-XYZ"},
        ("unknown-agency", "so/so-xyz.yaml", "agency", 2, "SO-XYZ"),
        ["SO-TP"],
    ),
    "agency-wrong-block": (
        [("SO-TP", "so"), ("XA-A", "xa")],
        {"so/so-tp.yaml": "SO-TP", "so/xa-a.yaml": "XA-A"},
        ("agency-wrong-block", "so/xa-a.yaml", "agency", 2, "XA-A"),
        ["SO-TP"],
    ),
}


@pytest.mark.parametrize("case", sorted(DATASET_CASES))
def test_dataset_agency_problems(tmp_path: Path, case: str) -> None:
    agencies, files, expected, kept = DATASET_CASES[case]
    root = make_root(tmp_path, agencies, files)
    ds = load_year(root, YEAR)
    assert flat_dataset(root, ds.report.issues) == [expected]
    assert ds.report.issues[0].severity == E
    assert [s.agency for s in ds.submissions["so"]] == kept


def test_misfiled_copy_does_not_shadow_the_real_submission(tmp_path: Path) -> None:
    # XA-A's copy filed under so/ is rejected (wrong block); its real file under xa/ is kept
    files = {"so/so-tp.yaml": "SO-TP", "so/xa-a.yaml": "XA-A", "xa/xa-a.yaml": "XA-A"}
    root = make_root(tmp_path, [("SO-TP", "so"), ("XA-A", "xa")], files, blocks=("so", "xa"))
    ds = load_year(root, YEAR)
    assert [(i.code, Path(i.location.file).name) for i in ds.report.issues] == [
        ("agency-wrong-block", "xa-a.yaml")
    ]
    assert Path(ds.report.issues[0].location.file).parent.name == "so"
    assert {b: [s.agency for s in subs] for b, subs in ds.submissions.items()} == {
        "so": ["SO-TP"],
        "xa": ["XA-A"],
    }


def test_dataset_wrong_block_names_the_block(tmp_path: Path) -> None:
    agencies, files, _, _ = DATASET_CASES["agency-wrong-block"]
    ds = load_year(make_root(tmp_path, agencies, files), YEAR)
    assert "'xa'" in ds.report.issues[0].message


# --------------------------------------------------------------------------------- surveys
# (row, column, code) for tests/data/surveys-defects*.csv; row 2 ("87,5") is valid
SURVEY_ISSUES = [
    ("survey-unknown-agency", 3, "agency"),  # SO-XYZ
    ("survey-result-out-of-range", 4, "result"),  # 101
    ("survey-not-a-number", 5, "result"),  # abc
    ("survey-duplicate-row", 6, "agency"),  # SO-TP, sipas again
]
SURVEY_AGENCIES = ["SO-TP", "SO-TC", "SO-KH"]
SURVEY_FILES = ["surveys-defects.csv", "surveys-defects-semicolon.csv"]


def flat_survey(issues: list[Issue]) -> list[tuple[str, int | None, str]]:
    return [(i.code, i.location.row, i.location.path) for i in issues]


@pytest.mark.parametrize("name", SURVEY_FILES)
def test_survey_file_defects(name: str) -> None:
    path = DATA / name
    results, issues = read_surveys(path, {a: a for a in SURVEY_AGENCIES}, {"sipas"})
    assert flat_survey(issues) == SURVEY_ISSUES
    assert {i.location.file for i in issues} == {str(path)}
    # the Vietnamese decimal comma is accepted: "87,5" → 87.5 %
    assert [(r.agency, r.survey, r.result_u, r.sample_size, r.row) for r in results] == [
        ("SO-TP", "sipas", 875_000, 120, 2)
    ]


def test_survey_row_numbers_count_blank_lines() -> None:
    # line 3 of the file is blank; the bad result 101 is on line 4, as a spreadsheet shows it
    path = DATA / "surveys-blank-line.csv"
    results, issues = read_surveys(path, {a: a for a in SURVEY_AGENCIES}, {"sipas"})
    assert flat_survey(issues) == [("survey-result-out-of-range", 4, "result")]
    assert [r.row for r in results] == [2]


@pytest.mark.parametrize("name", SURVEY_FILES)
def test_dataset_reports_survey_defects(tmp_path: Path, name: str) -> None:
    files = {f"so/{a.lower()}.yaml": a for a in SURVEY_AGENCIES}
    root = make_root(tmp_path, [(a, "so") for a in SURVEY_AGENCIES], files)
    shutil.copy(DATA / name, root / "submissions" / str(YEAR) / "surveys.csv")
    ds = load_year(root, YEAR)
    assert flat_survey(ds.report.issues) == SURVEY_ISSUES
    assert [(r.agency, r.result_u) for r in ds.surveys] == [("SO-TP", 875_000)]
