"""One table of (text, value or error code) for text typed by a person, run against the parser
(parindex.text) and against every front end that reads that kind of text: the self-assessment
form (web.leafform.parse_leaf on a leaf of the right kind), the Excel import's row reader, the
survey import, the evidence form, the secretariat's deadlines and the appraisal form's score.
A front end that drifts from the parser (reads another value, accepts what it refuses, or
refuses what it reads) fails here.

Expected values are written by hand; where a front end shows a message, it must be the
catalogue's message of the expected code (parindex.errors.MESSAGES)."""

from __future__ import annotations

import datetime as dt
import doctest
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import parindex.survey as survey
import parindex.text as text
from parindex.criteria import criteria_from_dict
from parindex.errors import message
from parindex.text import TextError
from tests.builders import DUE, build_set, leaf
from web.agency.evidence import EVIDENCE_INPUTS, _check_evidence
from web.agency.excel_import import _read_row
from web.agency.excel_template import COL, COLUMNS, leaf_rows
from web.appraisal.forms import parse_appraisal
from web.leafform import input_keys, parse_leaf
from web.secretariat.cycle_setup import _parse_date as deadline_date
from web.tabular import letter

D = Decimal
NBSP, ZWSP, LONG = "\u00a0", "\u200b", "1" * 16


class Err(str):
    """An expected error code."""


#: (kind, text, expected value or Err(code)), worked out by hand
CASES: list[tuple[str, str, Any]] = [
    # ---- numbers (a survey result, %): decimal comma or point, a percent sign, no thousands
    ("number", "87,5", D("87.5")),
    ("number", "87.5", D("87.5")),
    ("number", "85,5 %", D("85.5")),
    ("number", "85,5%", D("85.5")),
    ("number", " 90 ", D(90)),
    ("number", f"{NBSP}90,25{ZWSP}", D("90.25")),
    ("number", "９０，５", D("90.5")),  # full-width digits and comma, typed on a phone
    ("number", ",5", D("0.5")),
    ("number", "0,1234", D("0.1234")),
    ("number", "4.815", D("4.815")),  # a decimal point here: thousands are for counts
    ("number", "+12,5", D("12.5")),
    ("number", "1.234,5", Err("not-a-number")),
    ("number", "87,5,1", Err("not-a-number")),
    ("number", "5.", Err("not-a-number")),
    ("number", "1e2", Err("not-a-number")),
    ("number", "NaN", Err("not-a-number")),
    ("number", "Infinity", Err("not-a-number")),
    ("number", "%", Err("not-a-number")),
    ("number", "chín mươi", Err("not-a-number")),
    ("number", "8 7,5", Err("not-a-number")),
    ("number", LONG, Err("number-too-long")),
    # ---- counts: non-negative whole numbers, Vietnamese thousands, no sign
    ("count", "12", 12),
    ("count", "0", 0),
    ("count", "007", 7),
    ("count", "4815", 4815),
    ("count", "4.815", 4815),
    ("count", "4 815", 4815),
    ("count", f"4{NBSP}815", 4815),
    ("count", "4\u202f815", 4815),  # narrow no-break space (French-style grouping)
    ("count", "1.234.567", 1234567),
    ("count", "１２", 12),  # full-width digits
    ("count", f"12{ZWSP}", 12),
    ("count", "\t12\x0b", 12),  # a tab and a vertical tab pasted from Word
    ("count", "+5", Err("count-signed")),
    ("count", "-0", Err("count-signed")),
    ("count", "-3", Err("count-signed")),
    ("count", "\u22123", Err("count-signed")),  # the minus sign of Word's autocorrect
    ("count", "1,5", Err("not-a-count")),
    ("count", "1.5", Err("not-a-count")),
    ("count", "4.81", Err("not-a-count")),
    ("count", "4.8150", Err("not-a-count")),
    ("count", "1.234 567", Err("not-a-count")),  # two different group separators
    ("count", "12 cái", Err("not-a-count")),
    ("count", "mười", Err("not-a-count")),
    ("count", "1e3", Err("not-a-count")),
    ("count", "\u0663", Err("not-a-count")),  # an Arabic-Indic three: not our digits
    ("count", LONG, Err("number-too-long")),
    # ---- scores: a number with at most 2 decimals; range and step are the rule's
    ("score", "1,25", D("1.25")),
    ("score", "1.25", D("1.25")),
    ("score", "0,5", D("0.5")),
    ("score", "1", D(1)),
    ("score", "+0,75", D("0.75")),
    ("score", "1,250", D("1.25")),  # a trailing zero is not a third decimal
    ("score", "１,２５", D("1.25")),
    ("score", f"{NBSP}1,5{ZWSP}", D("1.5")),
    ("score", "-0,5", D("-0.5")),  # read; the rule says it is negative (score-negative)
    ("score", "0,125", Err("score-precision")),
    ("score", "1.234,5", Err("not-a-score")),
    ("score", "1,5 %", Err("not-a-score")),
    ("score", "abc", Err("not-a-score")),
    ("score", LONG, Err("number-too-long")),
    # ---- dates: day/month/year with / - or ., or ISO
    ("date", "30/07/2025", dt.date(2025, 7, 30)),
    ("date", "30/7/2025", dt.date(2025, 7, 30)),
    ("date", "3/7/2025", dt.date(2025, 7, 3)),
    ("date", "30-07-2025", dt.date(2025, 7, 30)),
    ("date", "30.07.2025", dt.date(2025, 7, 30)),
    ("date", "2025-07-30", dt.date(2025, 7, 30)),
    ("date", "2025-7-3", dt.date(2025, 7, 3)),
    ("date", "29/02/2024", dt.date(2024, 2, 29)),
    ("date", f"{NBSP}30/07/2025{ZWSP}", dt.date(2025, 7, 30)),
    ("date", "３０/０７/２０２５", dt.date(2025, 7, 30)),
    ("date", "31/02/2025", Err("not-a-date")),
    ("date", "31/13/2025", Err("not-a-date")),
    ("date", "07/30/2025", Err("not-a-date")),  # month/day/year: there is no month 30
    ("date", "2025/07/30", Err("not-a-date")),
    ("date", "30/07/25", Err("not-a-date")),
    ("date", "30/07-2025", Err("not-a-date")),
    ("date", "2025-07-30T10:00", Err("not-a-date")),
    ("date", "hôm qua", Err("not-a-date")),
    # ---- Có/Không
    ("yes-no", "có", True),
    ("yes-no", "Có", True),
    ("yes-no", "CÓ", True),
    ("yes-no", "co\u0301", True),  # NFD: o + combining acute, as phones send it
    ("yes-no", "co", True),
    ("yes-no", "x", True),
    ("yes-no", "X", True),
    ("yes-no", "yes", True),
    ("yes-no", "1", True),
    ("yes-no", f" có{ZWSP}", True),
    ("yes-no", "không", False),
    ("yes-no", "Không", False),
    ("yes-no", "kho\u0302ng", False),  # NFD: o + combining circumflex
    ("yes-no", "khong", False),
    ("yes-no", "no", False),
    ("yes-no", "0", False),
    ("yes-no", "maybe", Err("not-yes-no")),
    ("yes-no", "c", Err("not-yes-no")),
    ("yes-no", "có không", Err("not-yes-no")),
    ("yes-no", "2", Err("not-yes-no")),
]
BLANKS = ["", " ", NBSP, ZWSP, "\t", f"{ZWSP}{NBSP} "]

PARSERS = {
    "number": lambda t: text.parse_number(t, percent=True),
    "count": text.parse_count,
    "score": text.parse_score,
    "date": text.parse_date,
    "yes-no": text.parse_yes_no,
}
FORM_LEAF = {"yes-no": ("1.1.1", "done"), "date": ("1.1.2", "date")}
FORM_LEAF |= {"count": ("1.1.3", "count"), "score": ("1.1.4", "score")}
LOADED = criteria_from_dict(
    build_set(
        [
            [
                [
                    leaf(1, "yes-no"),
                    leaf(1, "deadline", due=DUE, late_share=D("0.5")),
                    leaf(2, "per-item", points_each=D("0.5")),
                    leaf(1, "manual", step=D("0.25")),
                ]
            ]
        ]
    )
)
ROWS = {row.leaf.code: row for row in leaf_rows(LOADED)}


def _ids(case: tuple[str, str, Any]) -> str:
    return f"{case[0]}:{case[1]!r}"


def _of(kind: str) -> list[tuple[str, str, Any]]:
    return [c for c in CASES if c[0] == kind]


def _message(code: str, typed: str) -> str:
    """The catalogue's message of ``code`` for ``typed``, as a form shows it."""
    return message(code, value=typed.strip(), most=text.MAX_DIGITS) + "."


# ------------------------------------------------------------------------------------ parser
@pytest.mark.parametrize(("kind", "typed", "expected"), CASES, ids=map(_ids, CASES))
def test_the_parser(kind: str, typed: str, expected: Any) -> None:
    got = PARSERS[kind](typed)
    if isinstance(expected, Err):
        assert isinstance(got, TextError) and got.code == expected, got
        assert got.message == _message(expected, typed)[:-1]
    else:
        assert not isinstance(got, TextError), got.message
        assert type(got) is type(expected) and got == expected


@pytest.mark.parametrize("blank", BLANKS)
def test_blank_is_not_given_not_an_error(blank: str) -> None:
    assert text.is_blank(blank) and text.is_blank(None)
    assert not text.is_blank("0") and not text.is_blank(0)


def test_the_module_examples() -> None:
    assert doctest.testmod(text).failed == 0


@pytest.mark.parametrize(
    ("kind", "cell", "expected"),
    [
        ("count", 12, 12),
        ("count", 12.0, 12),
        ("count", D("12"), 12),
        ("count", -3, Err("count-signed")),
        ("count", 1.5, Err("not-a-count")),
        ("count", True, Err("not-a-count")),
        ("score", 0.1, D("0.1")),  # a float cell is the decimal its shortest text writes
        ("score", 1.005, Err("score-precision")),
        ("score", 2, D(2)),
        ("number", 91.25, D("91.25")),
        ("number", float("nan"), Err("not-a-number")),
        ("date", dt.datetime(2025, 7, 30, 0, 0), dt.date(2025, 7, 30)),
        ("date", dt.date(2025, 7, 30), dt.date(2025, 7, 30)),
        ("date", 45868, Err("not-a-date")),  # a date serial left as a number
        ("yes-no", True, True),
        ("yes-no", 0, False),
    ],
)
def test_cells_that_already_hold_a_value(kind: str, cell: Any, expected: Any) -> None:
    got = PARSERS[kind](cell)
    if isinstance(expected, Err):
        assert isinstance(got, TextError) and got.code == expected
    else:
        assert type(got) is type(expected) and got == expected


# ------------------------------------------------------------------ the self-assessment form
def _form(kind: str, typed: str) -> tuple[Any, str | None]:
    code, key = FORM_LEAF[kind]
    node = ROWS[code].leaf
    raw = {k: "" for k in input_keys(LOADED, node)} | {key: typed}
    data, errors = parse_leaf(LOADED, node, raw)
    fact = {"yes-no": "done", "count": "count", "score": "score", "date": "date"}[kind]
    if key in errors:
        assert fact not in data
        return None, errors[key]
    assert not errors, errors
    value = data.get(fact)
    if kind == "score" and value is not None:
        value = Decimal(value)
    if kind == "date" and value is not None:
        value = dt.date.fromisoformat(value)
    return value, None


FORM_CASES = [c for c in CASES if c[0] in FORM_LEAF]


@pytest.mark.parametrize(("kind", "typed", "expected"), FORM_CASES, ids=map(_ids, FORM_CASES))
def test_the_self_assessment_form(kind: str, typed: str, expected: Any) -> None:
    value, error = _form(kind, typed)
    if isinstance(expected, Err):
        assert error == _message(expected, typed)
    else:
        assert error is None and value == expected and type(value) is type(expected)


@pytest.mark.parametrize("kind", sorted(FORM_LEAF))
@pytest.mark.parametrize("blank", BLANKS)
def test_the_form_takes_blank_as_not_given(kind: str, blank: str) -> None:
    assert _form(kind, blank) == (None, None)


# ---------------------------------------------------------------------------- the Excel import
EXCEL = {"yes-no": ("1.1.1", "done"), "date": ("1.1.2", "date")}
EXCEL |= {"count": ("1.1.3", "count"), "score": ("1.1.4", "score")}
EXCEL_CASES = [c for c in CASES if c[0] in EXCEL] + [
    ("ev-date", typed, expected) for _, typed, expected in _of("date")
]


def _excel(kind: str, typed: Any) -> tuple[Any, Any]:
    """The row reader on one leaf's row with one cell filled (for a document's date, with its
    number and link too); (value, problem of that cell)."""
    code, key = EXCEL.get(kind, ("1.1.2", "ev_date"))
    cells: list[Any] = [None] * len(COLUMNS)
    cells[COL["code"]] = code
    cells[COL[key]] = typed
    if key == "ev_date":
        cells[COL["ev_number"]], cells[COL["ev_url"]] = "1/KH-UBND", "https://x.vn/1.pdf"
    problems: list[Any] = []
    row = _read_row(5, ROWS[code], cells, problems)
    mine = [p for p in problems if p.column == letter(COL[key])]
    assert len(problems) == len(mine), problems
    if key == "ev_date":
        assert row.evidence is not None
        return row.evidence["date"], mine[0] if mine else None
    value = row.data.get(key)
    if kind == "score" and value is not None:
        value = Decimal(value)
    if kind == "date" and value is not None:
        value = dt.date.fromisoformat(value)
    return value, mine[0] if mine else None


@pytest.mark.parametrize(("kind", "typed", "expected"), EXCEL_CASES, ids=map(_ids, EXCEL_CASES))
def test_the_excel_import(kind: str, typed: str, expected: Any) -> None:
    value, problem = _excel(kind, typed)
    if isinstance(expected, Err):
        assert value is None and problem is not None
        assert (problem.row, problem.code) == (5, "fact-wrong-type")
        assert problem.message == _message(expected, typed)
    else:
        assert problem is None and value == expected and type(value) is type(expected)


@pytest.mark.parametrize("kind", sorted(EXCEL) + ["ev-date"])
@pytest.mark.parametrize("blank", [*BLANKS, None])
def test_the_excel_import_takes_blank_as_not_given(kind: str, blank: str | None) -> None:
    value, problem = _excel(kind, blank)
    assert (value, problem) == (None, None)


# ---------------------------------------------------------------------------- the survey import
def _survey(monkeypatch: pytest.MonkeyPatch, result: Any, sample: Any) -> tuple[Any, Any]:
    header = ["agency", "survey", "result", "sample_size"]
    monkeypatch.setattr(survey, "_rows", lambda path: [header, ["xa-a", "sipas", result, sample]])
    rows, issues = survey.read_surveys(Path("ket-qua.csv"), {"xa-a": "xa-a"}, {"sipas"})
    return rows, [(i.code, i.location.path) for i in issues]


@pytest.mark.parametrize(("kind", "typed", "expected"), _of("number"), ids=map(_ids, _of("number")))
def test_the_survey_result(
    monkeypatch: pytest.MonkeyPatch, kind: str, typed: str, expected: Any
) -> None:
    rows, issues = _survey(monkeypatch, typed, "120")
    if isinstance(expected, Err):
        assert (rows, issues) == ([], [("survey-not-a-number", "result")])
    elif not D(0) <= expected <= D(100):
        assert (rows, issues) == ([], [("survey-result-out-of-range", "result")])
    else:
        assert issues == [] and [(r.result_u, r.sample_size) for r in rows] == [
            (int(expected * 10_000), 120)
        ]


@pytest.mark.parametrize(("kind", "typed", "expected"), _of("count"), ids=map(_ids, _of("count")))
def test_the_survey_sample_size(
    monkeypatch: pytest.MonkeyPatch, kind: str, typed: str, expected: Any
) -> None:
    rows, issues = _survey(monkeypatch, "87,5", typed)
    if isinstance(expected, Err):
        assert (rows, issues) == ([], [("survey-not-a-number", "sample_size")])
    else:
        assert issues == [] and [(r.result_u, r.sample_size) for r in rows] == [(875000, expected)]


# ----------------------------------------------------------- the evidence form, the deadlines
@pytest.mark.parametrize(("kind", "typed", "expected"), _of("date"), ids=map(_ids, _of("date")))
def test_the_evidence_form_date(kind: str, typed: str, expected: Any) -> None:
    values = {k: "" for k in EVIDENCE_INPUTS}
    values |= {"number": "125/KH-UBND", "url": "https://x.vn/125.pdf", "date": typed}
    errors, date, _, _ = _check_evidence(values, None, 1024, 1)
    if isinstance(expected, Err):
        assert errors == {"date": _message(expected, typed)} and date is None
    else:
        assert errors == {} and date == expected and type(date) is dt.date


@pytest.mark.parametrize(("kind", "typed", "expected"), _of("date"), ids=map(_ids, _of("date")))
def test_the_secretariat_deadline_date(kind: str, typed: str, expected: Any) -> None:
    assert deadline_date(typed) == (None if isinstance(expected, Err) else expected)


# ------------------------------------------------------------------------ the appraisal form
@pytest.mark.parametrize(("kind", "typed", "expected"), _of("score"), ids=map(_ids, _of("score")))
def test_the_appraisal_form_reads_the_same_numbers(kind: str, typed: str, expected: Any) -> None:
    """The panel's score on 1.1.3 (max 2, step 0.01): the same reading, then the form's own
    range and step messages (a third decimal is off the 0.01 step)."""
    node = ROWS["1.1.3"].leaf
    parsed, errors = parse_appraisal(node, {"score": typed, "reason": "lý do"}, 0, 1)
    shown = typed.strip()
    if expected in ("not-a-score", "number-too-long"):
        assert errors == {"score": f"“{shown}” không phải là số điểm; nhập ví dụ 1,25 hoặc 1.25."}
    elif expected == "score-precision":
        assert errors == {"score": f"Điểm thẩm định {shown} không theo bước 0,01 điểm."}
    elif expected < 0:
        assert errors == {"score": "Điểm thẩm định không được âm."}
    else:
        assert errors == {} and parsed is not None and parsed.score_c == int(expected * 100)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("so noi vu", "Sở Nội vụ"),
        ("SỞ NỘI VỤ", "Sở Nội vụ"),
        ("dak lak", "Đắk Lắk"),
        ("uy ban", "Ủy ban nhân dân"),
        ("so noi vu", "So\u031b\u0309 No\u0323\u0302i vu\u0323"),  # the name stored decomposed
    ],
)
def test_fold_finds_vietnamese_without_diacritics(typed: str, name: str) -> None:
    assert text.fold(typed) in text.fold(name)


def test_fold_keeps_letters_apart() -> None:
    # "Sở Tư pháp" must not match "so nội vụ": folding drops only the marks
    assert text.fold("so noi vu") not in text.fold("Sở Tư pháp")
