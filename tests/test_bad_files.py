"""Issue 12, YAML files: the bad-input corpus of criteria sets, submissions and year folders.

Each case is ``tests/data/criteria-valid.yaml`` or ``submission-valid.yaml`` with exactly one
defect, made here by one text edit (or, for bytes, one re-encoding); it is asserted as its
(code, line) — and YAML path where there is one — and a Vietnamese message without library
English (``tests.vietnamese.assert_vietnamese``). Expected lines were read off the data files
(criteria-valid.yaml: ``year`` line 3, ``block`` 4, bonus ``cap`` 21, ``B.1`` 23, ``P.1`` 34,
``1.1`` 48, ``1.1.2``'s ``due`` 64, ``2.1.1``'s ``step`` 141; submission-valid.yaml: ``agency`` 2,
``"1.1.1"`` 5, its first evidence ``date`` 9, ``1.2.2``'s ``count`` 36, ``2.1.1``'s ``score``
45). The "must accept" cases at the end score exactly like their clean twins.
"""

from __future__ import annotations

import datetime as dt
import json
import string
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from parindex.cli import main
from parindex.criteria import PYDANTIC_TYPES, LoadedSet, load_criteria
from parindex.dataset import load_year
from parindex.errors import MESSAGES, CriteriaError, Issue, message
from parindex.results import score_dataset
from parindex.scoring import score_block
from parindex.submission import parse_submission, read_submission_file
from parindex.text import identifier
from parindex.yamlio import MAX_YAML_BYTES, YAML_PROBLEMS, load_yaml_text
from tests.vietnamese import assert_vietnamese, english_words

DATA = Path(__file__).parent / "data"
CRITERIA = (DATA / "criteria-valid.yaml").read_text(encoding="utf-8")
SUBMISSION = (DATA / "submission-valid.yaml").read_text(encoding="utf-8")

Edit = Callable[[str], str | bytes]


def swap(old: str, new: str) -> Edit:
    """One defect: ``old`` (found exactly once) becomes ``new``."""

    def edit(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return edit


def encoded(encoding: str) -> Edit:
    return lambda text: text.encode(encoding, errors="replace")


def latin1_byte(text: str) -> bytes:
    """One byte of Latin-1 (ö as 0xF6) in an otherwise UTF-8 file, on line 5."""
    return (
        swap("block_name: Sở", "block_name: S\u00f6")(text).encode().replace("ö".encode(), b"\xf6")
    )


LAUGHS = "lol: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"lol{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True)
)  # 10⁷ values once expanded, seven short lines

# (case, edit, expected code, expected line, expected YAML path or None when none is given)
CRITERIA_CASES: list[tuple[str, Edit, str, int | None, str | None]] = [
    ("feb-30", swap("due: 2025-01-31", "due: 2025-02-30"), "yaml-bad-date", 64, None),
    ("month-13", swap("due: 2025-01-31", "due: 2025-13-01"), "yaml-bad-date", 64, None),
    (
        "huge-exponent",
        swap("  cap: 2\n", "  cap: 1.0e+999999999\n"),
        "yaml-number-too-large",
        21,
        None,
    ),
    ("huge-integer", swap("year: 2025", "year: " + "9" * 5000), "yaml-number-too-large", 3, None),
    ("nul-byte", swap("block_name: Sở", "block_name: S\x00ở"), "yaml-syntax", 5, None),
    ("vertical-tab", swap("block_name: Sở", "block_name: S\x0bở"), "yaml-syntax", 5, None),
    ("tab-indent", swap("\n  cap: 2\n", "\n\tcap: 2\n"), "yaml-syntax", 21, None),
    ("unclosed-quote", swap('- code: "1.1"\n', '- code: "1.1\n'), "yaml-syntax", 52, None),
    (
        "unclosed-bracket",
        swap(
            "tie_break: [appraised_points, survey_points]",
            "tie_break: [appraised_points, survey_points",
        ),
        "yaml-syntax",
        11,
        None,
    ),
    (
        "alias-cycle",
        swap("sample: true\n", "sample: true\nloop: &x [1, *x]\n"),
        "yaml-alias-cycle",
        8,
        None,
    ),
    (
        "billion-laughs",
        swap("sample: true\n", "sample: true\n" + LAUGHS),
        "yaml-alias-expansion",
        12,
        None,
    ),
    ("too-large", lambda t: t + "#" * MAX_YAML_BYTES + "\n", "file-too-large", None, None),
    ("code-page-1258", encoded("cp1258"), "file-not-utf8", 1, None),
    ("latin-1", latin1_byte, "file-not-utf8", 5, None),
    ("empty", lambda t: "", "file-empty", 1, None),
    ("comments-only", lambda t: "# chỉ có chú thích\n", "file-empty", 1, None),
    ("a-list", lambda t: "- id: x\n", "wrong-type", 1, ""),
    ("max-not-a-number", swap("  cap: 2\n", "  cap: 2,5,0\n"), "wrong-type", 21, "bonus.cap"),
    ("year-in-words", swap("year: 2025", "year: hai nghìn"), "wrong-type", 3, "year"),
    (
        "policy-unknown",
        swap("did_not_arise: excluded", "did_not_arise: maybe"),
        "bad-value",
        9,
        "did_not_arise",
    ),
    (
        "bands-not-a-list",
        swap(
            "bands:\n  - name: Tốt\n    at_least: 90\n  - name: Khá\n    at_least: 80\n  - name: Trung bình\n    at_least: 65\n  - name: Yếu\n    at_least: 0\n",
            "bands: Tốt\n",
        ),
        "wrong-type",
        11,
        "bands",
    ),
    (
        "code-trailing-space",
        swap('- code: "1.1"\n', '- code: "1.1 "\n'),
        "identifier-space",
        48,
        "fields[0].criteria[0].code",
    ),
    (
        "code-zero-width",
        swap('- code: "1.1"\n', '- code: "1.\u200b1"\n'),
        "identifier-space",
        48,
        "fields[0].criteria[0].code",
    ),
    (
        "code-full-width",
        swap('- code: "1.1"\n', '- code: "1.\uff11"\n'),
        "identifier-fullwidth",
        48,
        "fields[0].criteria[0].code",
    ),
    (
        "code-cyrillic",
        swap("- code: B.1", "- code: \u0412.1"),
        "identifier-lookalike",
        23,
        "bonus.items[0].code",
    ),
    (
        "code-greek",
        swap("- code: P.1", "- code: \u03a1.1"),
        "identifier-lookalike",
        34,
        "penalty.items[0].code",
    ),
    (
        "code-slash",
        swap('- code: "1.1"\n', '- code: "1/1"\n'),
        "identifier-char",
        48,
        "fields[0].criteria[0].code",
    ),
    (
        "code-empty",
        swap("- code: B.1", '- code: ""'),
        "identifier-empty",
        23,
        "bonus.items[0].code",
    ),
    ("block-space", swap("block: so\n", 'block: "s o"\n'), "identifier-space", 4, "block"),
    ("cap-1e30", swap("  cap: 2\n", "  cap: 1.0e+30\n"), "points-too-large", 21, "bonus.cap"),
    ("year-99999", swap("year: 2025", "year: 99999"), "year-out-of-range", 3, "year"),
]


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def _check(issue: Issue) -> None:
    assert_vietnamese(issue.message)  # (str(issue) adds the English code, by design)
    assert issue.severity == "error"


@pytest.mark.parametrize(
    ("case", "edit", "code", "line", "path"), CRITERIA_CASES, ids=[c[0] for c in CRITERIA_CASES]
)
def test_criteria_defect(
    tmp_path: Path, case: str, edit: Edit, code: str, line: int | None, path: str | None
) -> None:
    file = _write(tmp_path, "so.yaml", edit(CRITERIA))
    with pytest.raises(CriteriaError) as e:
        load_criteria(file)
    issues = e.value.issues
    assert [(i.code, i.location.line) for i in issues] == [(code, line)]
    if path is not None:
        assert issues[0].location.path == path
    assert issues[0].location.file == str(file)
    _check(issues[0])


def test_a_tab_says_tab_and_its_column(tmp_path: Path) -> None:
    file = _write(tmp_path, "so.yaml", swap("\n  cap: 2\n", "\n\tcap: 2\n")(CRITERIA))
    with pytest.raises(CriteriaError) as e:
        load_criteria(file)
    issue = e.value.issues[0]
    assert (issue.params["problem"], issue.params["column"]) == ("yaml-tab", 1)
    assert "tab" in issue.message


def test_a_nul_byte_gets_its_line_and_column(tmp_path: Path) -> None:
    file = _write(tmp_path, "so.yaml", swap("block_name: Sở", "block_name: S\x00ở")(CRITERIA))
    with pytest.raises(CriteriaError) as e:
        load_criteria(file)
    issue = e.value.issues[0]
    assert (issue.location.line, issue.params["column"], issue.params["char"]) == (5, 14, "U+0000")


def test_a_non_utf8_byte_gets_line_column_and_byte(tmp_path: Path) -> None:
    text = CRITERIA.replace("block_name: Sở", "block_name: S\u00f6")
    raw = text.encode("utf-8").replace("S\u00f6".encode(), b"S\xf6")
    with pytest.raises(CriteriaError) as e:
        load_criteria(_write(tmp_path, "so.yaml", raw))
    issue = e.value.issues[0]
    assert (issue.location.line, issue.params["column"], issue.params["byte"]) == (5, 14, "0xF6")


def test_a_huge_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = _write(tmp_path, "so.yaml", CRITERIA + "#" * MAX_YAML_BYTES + "\n")

    def no_read(*args: object) -> bytes:
        raise AssertionError("read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    monkeypatch.setattr(Path, "read_text", no_read)
    with pytest.raises(CriteriaError) as e:
        load_criteria(file)
    assert e.value.issues[0].code == "file-too-large"
    assert (e.value.issues[0].params["most"], e.value.issues[0].params["size"]) == ("2,00", "2,01")


# ------------------------------------------------------------------------------- submissions
SUBMISSION_CASES: list[tuple[str, Edit, str, int | None, str | None]] = [
    ("feb-30", swap("date: 2025-01-10", "date: 2025-02-30"), "yaml-bad-date", 9, None),
    ("month-13", swap("date: 2025-01-10", "date: 2025-13-10"), "yaml-bad-date", 9, None),
    (
        "score-huge-exponent",
        swap("score: 7.75", "score: 1.0e+999999999"),
        "yaml-number-too-large",
        45,
        None,
    ),
    (
        "count-huge-integer",
        swap("    count: 3\n", "    count: " + "9" * 60 + "\n"),
        "yaml-number-too-large",
        36,
        None,
    ),
    ("nul-byte", swap("agency: SO-TP", "agency: SO-TP\x00"), "yaml-syntax", 2, None),
    (
        "tab-indent",
        swap('  "1.1.1":\n    done: true', '  "1.1.1":\n\tdone: true'),
        "yaml-syntax",
        6,
        None,
    ),
    (
        "alias-cycle",
        swap("year: 2025\n", "year: 2025\nloop: &x {a: *x}\n"),
        "yaml-alias-cycle",
        4,
        None,
    ),
    (
        "billion-laughs",
        swap("year: 2025\n", "year: 2025\n" + LAUGHS),
        "yaml-alias-expansion",
        8,
        None,
    ),
    ("too-large", lambda t: t + "#" * MAX_YAML_BYTES + "\n", "file-too-large", None, None),
    ("code-page-1258", encoded("cp1258"), "file-not-utf8", 1, None),
    ("utf16-no-bom", encoded("utf-16-le"), "file-not-utf8", 1, None),
    ("empty", lambda t: "", "file-empty", None, ""),
    (
        "agency-no-break-space",
        swap("agency: SO-TP", "agency: SO-TP\u00a0X"),
        "identifier-space",
        2,
        "agency",
    ),
    (
        "agency-cyrillic",
        swap("agency: SO-TP", "agency: S\u041e-TP"),
        "identifier-lookalike",
        2,
        "agency",
    ),
    (
        "leaf-full-width",
        swap('  "1.1.1":', '  "\uff11.1.1":'),
        "identifier-fullwidth",
        5,
        "leaves.\uff11.1.1",
    ),
    (
        "leaf-trailing-space",
        swap('  "1.1.1":', '  "1.1.1 ":'),
        "identifier-space",
        5,
        "leaves.1.1.1 ",
    ),
    (
        "score-not-a-number",
        swap("score: 7.75", "score: 7,75,0"),
        "fact-wrong-type",
        45,
        "leaves.2.1.1.score",
    ),
    ("year-99999", swap("year: 2025", "year: 99999"), "year-wrong", 3, "year"),
    ("year-negative", swap("year: 2025", "year: -3"), "year-wrong", 3, "year"),
    (
        "count-10e29",
        swap("    count: 3\n", "    count: " + "1" + "0" * 29 + "\n"),
        "count-too-large",
        36,
        "leaves.1.2.2.count",
    ),
    (
        "score-30-digits",
        swap("score: 7.75", "score: " + "9" * 29 + ".5"),
        "score-above-max",
        45,
        "leaves.2.1.1.score",
    ),
]


@pytest.fixture(scope="module")
def criteria() -> LoadedSet:
    return load_criteria(DATA / "criteria-valid.yaml")


def _submission_issues(path: Path, criteria: LoadedSet) -> list[Issue]:
    data, lines, read_issues = read_submission_file(path)
    if read_issues:
        return read_issues
    sub = parse_submission(data, criteria, source=str(path), lines=lines)
    return [i for i in sub.issues if i.severity == "error"]


@pytest.mark.parametrize(
    ("case", "edit", "code", "line", "path"),
    SUBMISSION_CASES,
    ids=[c[0] for c in SUBMISSION_CASES],
)
def test_submission_defect(
    tmp_path: Path,
    criteria: LoadedSet,
    case: str,
    edit: Edit,
    code: str,
    line: int | None,
    path: str | None,
) -> None:
    file = _write(tmp_path, "SO-TP.yaml", edit(SUBMISSION))
    issues = _submission_issues(file, criteria)
    assert [(i.code, i.location.line) for i in issues] == [(code, line)]
    if path is not None:
        assert issues[0].location.path == path
    assert issues[0].location.file == str(file)
    _check(issues[0])


# ------------------------------------------------------------------------------ year folders
def make_year(
    tmp_path: Path, criteria_files: dict[str, str], submission_files: dict[str, str | bytes]
) -> Path:
    """A year folder: criteria files by name, agencies.csv (SO-TP, SO-TC in block so) and
    submission files by path under submissions/2025/."""
    root = tmp_path / "root"
    cdir, sdir = root / "criteria" / "2025", root / "submissions" / "2025"
    cdir.mkdir(parents=True)
    sdir.mkdir(parents=True)
    for name, text in criteria_files.items():
        (cdir / name).write_text(text, encoding="utf-8")
    (sdir / "agencies.csv").write_text(
        "id,name,block\nSO-TP,Sở Tư pháp,so\nSO-TC,Sở Tài chính,so\n", encoding="utf-8"
    )
    for rel, content in submission_files.items():
        target = sdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")
    return root


CLEAN_SO = {"so.yaml": CRITERIA}
CLEAN_SUBS: dict[str, str | bytes] = {"so/so-tp.yaml": SUBMISSION}

# (case, criteria files, submission files, code, file relative to the root, line, severity)
FOLDER_CASES = [
    (
        "criteria-yml",
        {**CLEAN_SO, "xa.yml": CRITERIA},
        CLEAN_SUBS,
        "file-wrong-suffix",
        "criteria/2025/xa.yml",
        None,
        "error",
    ),
    (
        "criteria-upper-suffix",
        {**CLEAN_SO, "xa.YAML": CRITERIA},
        CLEAN_SUBS,
        "file-wrong-suffix",
        "criteria/2025/xa.YAML",
        None,
        "error",
    ),
    (
        "block-not-file-name",
        {"so-nganh.yaml": CRITERIA},
        {"so-nganh/so-tp.yaml": SUBMISSION},
        "block-not-file-name",
        "criteria/2025/so-nganh.yaml",
        4,
        "error",
    ),
    (
        "submission-yml",
        CLEAN_SO,
        {**CLEAN_SUBS, "so/so-tc.yml": SUBMISSION.replace("SO-TP", "SO-TC")},
        "file-wrong-suffix",
        "submissions/2025/so/so-tc.yml",
        None,
        "error",
    ),
    (
        "agency-not-file-name",
        CLEAN_SO,
        {**CLEAN_SUBS, "so/so-tc.yaml": SUBMISSION},
        "agency-not-file-name",
        "submissions/2025/so/so-tc.yaml",
        2,
        "error",
    ),
    (
        "folder-no-criteria",
        CLEAN_SO,
        {**CLEAN_SUBS, "huyen/huyen-a.yaml": SUBMISSION},
        "folder-no-criteria",
        "submissions/2025/huyen",
        None,
        "error",
    ),
    (
        "other-file",
        CLEAN_SO,
        {**CLEAN_SUBS, "so/ghi-chu.txt": "x"},
        "submission-file-not-read",
        "submissions/2025/so/ghi-chu.txt",
        None,
        "warning",
    ),
    (
        "criteria-other-file",
        {**CLEAN_SO, "so.yaml.bak": CRITERIA},
        CLEAN_SUBS,
        "criteria-file-not-read",
        "criteria/2025/so.yaml.bak",
        None,
        "warning",
    ),
]


@pytest.mark.parametrize(
    ("case", "cfiles", "sfiles", "code", "file", "line", "severity"),
    FOLDER_CASES,
    ids=[c[0] for c in FOLDER_CASES],
)
def test_year_folder_defect(
    tmp_path: Path,
    case: str,
    cfiles: dict[str, str],
    sfiles: dict[str, str | bytes],
    code: str,
    file: str,
    line: int | None,
    severity: str,
) -> None:
    root = make_year(tmp_path, cfiles, sfiles)
    try:
        ds = load_year(root, 2025)
        issues = [i for i in ds.report.issues if i.code not in ("submission-missing",)]
        issues = [i for i in issues if not i.code.startswith("evidence-")]
    except CriteriaError as e:
        issues = e.issues
    assert [(i.code, i.location.file, i.location.line, i.severity) for i in issues] == [
        (code, file, line, severity)
    ]
    assert_vietnamese(issues[0].message)
    assert Path(file).name in issues[0].message or Path(file).name in str(issues[0])


# ------------------------------------------------------------------------------ parindex check
def test_check_reads_a_submission_as_a_submission(tmp_path: Path) -> None:
    root = make_year(tmp_path, CLEAN_SO, CLEAN_SUBS)
    result = CliRunner().invoke(main, ["check", str(root / "submissions/2025/so/so-tp.yaml")])
    assert result.exit_code == 0, result.output
    assert "hồ sơ của đơn vị SO-TP" in result.output
    assert "LỖI" not in result.output


def test_check_a_folder_checks_every_file_as_what_it_is(tmp_path: Path) -> None:
    bad = SUBMISSION.replace("score: 7.75", "score: 10.25")  # above 2.1.1's max of 10
    root = make_year(
        tmp_path, CLEAN_SO, {**CLEAN_SUBS, "so/so-tc.yaml": bad.replace("SO-TP", "SO-TC")}
    )
    result = CliRunner().invoke(main, ["check", str(root), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert sorted((f["kind"], f["id"]) for f in report["files"]) == [
        ("criteria", "test-so-2025"),
        ("submission", "SO-TP"),
    ]
    errors = [
        (i["code"], i["location"]["line"]) for i in report["issues"] if i["severity"] == "error"
    ]
    assert errors == [("score-above-max", 45)]
    for issue in report["issues"]:
        assert_vietnamese(issue["message"])


def test_check_a_submission_without_its_criteria(tmp_path: Path) -> None:
    file = _write(tmp_path, "SO-TP.yaml", SUBMISSION)
    result = CliRunner().invoke(main, ["check", str(file), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(i["code"], i["location"]["file"]) for i in report["issues"]] == [
        ("check-no-criteria", str(file))
    ]
    assert_vietnamese(report["issues"][0]["message"])


def test_check_a_yml_file_in_a_folder_says_rename(tmp_path: Path) -> None:
    root = make_year(tmp_path, CLEAN_SO, {**CLEAN_SUBS, "so/so-tc.yml": SUBMISSION})
    result = CliRunner().invoke(main, ["check", str(root / "submissions"), "--json"])
    report = json.loads(result.stdout)
    assert [
        (i["code"], i["params"]["expected"]) for i in report["issues"] if i["severity"] == "error"
    ] == [("file-wrong-suffix", "so-tc.yaml")]


# -------------------------------------------------------------------------------- must accept
def _results(root: Path) -> dict[str, tuple[int, ...]]:
    results = score_dataset(load_year(root, 2025))
    out = {}
    for block in results.blocks.values():
        for row in block.agencies.itertuples():
            out[unicodedata.normalize("NFC", str(row.agency))] = tuple(
                int(v) for v in (row.total_c, row.rank)
            )
    return out


def _issue_codes(root: Path) -> list[str]:
    return sorted(i.code for i in load_year(root, 2025).report.issues)


CLEAN_TWIN = {"criteria": CLEAN_SO, "subs": CLEAN_SUBS}


def bom_crlf(text: str) -> bytes:
    return ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")


ACCEPT_CASES: list[tuple[str, dict[str, str], dict[str, str | bytes]]] = [
    ("criteria-bom-crlf", {"so.yaml": CRITERIA}, CLEAN_SUBS),  # criteria re-written below
    ("submission-bom-crlf", CLEAN_SO, {"so/so-tp.yaml": bom_crlf(SUBMISSION)}),
    ("submission-utf16-bom", CLEAN_SO, {"so/so-tp.yaml": SUBMISSION.encode("utf-16")}),
    (
        "score-decimal-comma",
        CLEAN_SO,
        {"so/so-tp.yaml": SUBMISSION.replace("score: 7.75", 'score: "7,75"')},
    ),
    (
        "score-decimal-comma-plain",
        CLEAN_SO,
        {"so/so-tp.yaml": SUBMISSION.replace("score: 7.75", "score: 7,75")},
    ),
    (
        "criteria-decimal-comma",
        {
            "so.yaml": CRITERIA.replace("step: 0.25", "step: 0,25").replace(
                "  cap: 2\n", "  cap: 2,0\n"
            )
        },
        CLEAN_SUBS,
    ),
    ("agency-file-name-case", CLEAN_SO, {"so/So-Tp.yaml": SUBMISSION}),
]


@pytest.mark.parametrize(
    ("case", "cfiles", "sfiles"), ACCEPT_CASES, ids=[c[0] for c in ACCEPT_CASES]
)
def test_must_accept_scores_like_its_clean_twin(
    tmp_path: Path, case: str, cfiles: dict[str, str], sfiles: dict[str, str | bytes]
) -> None:
    clean = make_year(tmp_path / "clean", CLEAN_SO, CLEAN_SUBS)
    other = make_year(tmp_path / "other", cfiles, sfiles)
    if case == "criteria-bom-crlf":
        (other / "criteria/2025/so.yaml").write_bytes(bom_crlf(CRITERIA))
    assert _issue_codes(other) == _issue_codes(clean)
    assert _results(other) == _results(clean)
    assert _results(clean)["SO-TP"][0] > 0


def test_nfd_agency_id_and_file_name_match_their_nfc_twin(tmp_path: Path) -> None:
    nfc = "SỞ-TƯ-PHÁP"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    rows = f"id,name,block\n{nfc},Sở Tư pháp,so\n"
    twins = {}
    for name, agency in (("clean", nfc), ("nfd", nfd)):
        root = make_year(
            tmp_path / name,
            CLEAN_SO,
            {f"so/{agency.lower()}.yaml": SUBMISSION.replace("agency: SO-TP", f"agency: {agency}")},
        )
        (root / "submissions/2025/agencies.csv").write_text(rows, encoding="utf-8")
        assert _issue_codes(root) == _issue_codes(tmp_path / "clean" / "root")
        twins[name] = _results(root)
    assert twins["nfd"] == twins["clean"]
    assert twins["clean"][nfc][1] == 1  # ranked, not dropped as "no submission"


@pytest.mark.parametrize("decomposed", ["criteria", "submission"])
def test_nfd_leaf_code_is_its_nfc_twin(tmp_path: Path, decomposed: str) -> None:
    # B.1 renamed Ấ.1, written decomposed (NFD) on one side and composed on the other
    nfc = "Ấ.1"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc and identifier(nfd) == nfc
    in_criteria, in_submission = (nfd, nfc) if decomposed == "criteria" else (nfc, nfd)
    text = CRITERIA.replace("- code: B.1", f"- code: {in_criteria}")
    loaded = load_criteria(_write(tmp_path, "so.yaml", text))
    assert nfc in loaded.extra_by_code
    sub = SUBMISSION.replace("  B.1:\n", f'  "{in_submission}":\n')
    clean = block_points(load_criteria(DATA / "criteria-valid.yaml"))
    # test_submission_errors.VALID_POINTS without the survey leaf (no results here): 7600 − 2625
    assert block_points(loaded, sub) == clean == 4975


def block_points(loaded: LoadedSet, text: str = SUBMISSION) -> int:
    data, lines = load_yaml_text(text, "s.yaml")
    sub = parse_submission(data, loaded, source="s", lines=lines)
    assert [i for i in sub.issues if i.severity == "error"] == []
    result = score_block(loaded, [sub], [], {})
    return int(result.leaves["final_c"].sum())


# ---------------------------------------------------------------------- no English, anywhere
SAMPLE_PARAMS = {
    "value": "x",
    "key": "x",
    "detail": "x",
    "most": 2,
    "least": 1,
    "column": 3,
    "char": "x",
    "codepoint": "U+0041",
    "position": 1,
    "ascii": "1",
    "name": "x.yaml",
    "expected": "x.yaml",
    "blocks": "so, xa",
    "size": "3,0",
    "byte": "0xF6",
    "low": "2025-01-01",
    "high": "2025-12-31",
    "alias": "mã cũ",
    "what": "ngày hiệu lực",
    "date": dt.date(2025, 7, 29),
    "claimed": dt.date(2025, 7, 19),
    "start": dt.date(2024, 12, 1),
    "end": dt.date(2026, 1, 31),
    "type": "QĐ",
    "type_name": "Quyết định",
    "title_name": "Kế hoạch",
    "leaf_list": "1.1.1, 2.3.1",
    "year": 2025,
    "example": "UBND xã An Long",
}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_no_message_of_the_catalogue_holds_english(code: str) -> None:
    names = {field for _, field, _, _ in string.Formatter().parse(MESSAGES[code]) if field}
    assert names <= set(SAMPLE_PARAMS), names - set(SAMPLE_PARAMS)  # every placeholder filled
    assert_vietnamese(message(code, **SAMPLE_PARAMS))


def test_every_library_translation_points_into_the_catalogue() -> None:
    for key in [
        *PYDANTIC_TYPES.values(),
        *(c for _, c in YAML_PROBLEMS),
        "expect-other",
        "yaml-other",
    ]:
        assert key in MESSAGES, key
        assert_vietnamese(message(key, **SAMPLE_PARAMS))


def test_the_english_check_would_catch_pydantic_and_pyyaml() -> None:
    # the check itself is not blind to what it guards against
    assert english_words("Input should be a valid decimal")
    assert english_words("found character that cannot start any token")
    assert english_words("Input should be a valid dictionary or instance of CriteriaSet")


def test_decimal_comma_in_criteria_is_the_number(tmp_path: Path) -> None:
    text = CRITERIA.replace("step: 0.25", "step: 0,25")
    loaded = load_criteria(_write(tmp_path, "so.yaml", text))
    rule = loaded.leaf_by_code["2.1.1"][2].rule
    assert rule.model_dump()["step"] == Decimal("0.25")


@pytest.mark.parametrize(
    "error", [PermissionError(13, "Permission denied"), OSError(5, "Input/output error")]
)
def test_an_unreadable_file_says_so_in_vietnamese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    file = _write(tmp_path, "so.yaml", CRITERIA)

    def refuse(*args: object) -> bytes:  # (the tests run as root, who reads every file)
        raise error

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(CriteriaError) as e:
        load_criteria(file)
    issue = e.value.issues[0]
    assert [(i.code, i.location.file) for i in e.value.issues] == [("file-unreadable", str(file))]
    assert issue.params["errno"] == error.errno
    assert_vietnamese(issue.message)


def test_a_folder_named_like_a_criteria_file(tmp_path: Path) -> None:
    (tmp_path / "so.yaml").mkdir()
    with pytest.raises(CriteriaError) as e:
        load_criteria(tmp_path / "so.yaml")
    assert [(i.code, i.location.file) for i in e.value.issues] == [
        ("file-is-folder", str(tmp_path / "so.yaml"))
    ]
    assert_vietnamese(e.value.issues[0].message)
