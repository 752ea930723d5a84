"""An issue keeps its parameters as data and its location in the domain's coordinates.

Nothing downstream parses the Vietnamese message or splits a location path: these tests read the
parameters and the coordinates the engine sets, on the defect files of tests/data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from parindex.criteria import LoadedSet, load_criteria
from parindex.errors import MESSAGES, Issue, Location, message
from parindex.submission import parse_submission, read_submission_file

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def criteria() -> LoadedSet:
    return load_criteria(DATA / "criteria-valid.yaml")


def issues_of(name: str, criteria: LoadedSet) -> list[Issue]:
    path = DATA / f"submission-{name}.yaml"
    data, lines, _ = read_submission_file(path)
    return parse_submission(data, criteria, source=str(path), lines=lines).issues


def test_the_message_is_rendered_from_the_parameters() -> None:
    issue = Issue.make("score-above-max", Location(leaf="2.1.1"), value="12", detail="10")
    assert issue.params == {"value": "12", "detail": "10"}
    assert issue.message == "Điểm 12 vượt điểm tối đa 10"
    assert issue.value == "12"
    # a parameter the template names but the issue lacks reads as empty, never "None"
    assert message("leaf-empty") == MESSAGES["leaf-empty"]
    assert Issue.make("evidence-incomplete", Location(), key=None).message == (
        "Tài liệu kiểm chứng thiếu ''"
    )


def test_a_missing_evidence_part_is_a_parameter_and_the_document_a_coordinate(
    criteria: LoadedSet,
) -> None:
    (issue,) = [i for i in issues_of("evidence-incomplete", criteria)]
    assert issue.code == "evidence-incomplete"
    assert issue.params["key"] == "issuer"
    assert (issue.location.leaf, issue.location.fact, issue.location.item) == (
        "1.1.1",
        "evidence",
        1,
    )
    assert issue.location.round is None


def test_an_appraisal_round_is_a_coordinate(criteria: LoadedSet) -> None:
    (issue,) = issues_of("appraisal-no-reason", criteria)
    assert issue.code == "appraisal-no-reason"
    assert (issue.location.leaf, issue.location.round, issue.location.item) == ("1.1.1", 1, None)


def test_an_implausible_date_keeps_the_date_and_its_bounds(criteria: LoadedSet) -> None:
    (issue,) = issues_of("date-implausible", criteria)
    assert issue.params["value"] == dt.date(2019, 1, 20)
    # the plausible range for 2025: 1 January of the year before to 31 March of the year after
    assert (issue.params["low"], issue.params["high"]) == (
        dt.date(2024, 1, 1),
        dt.date(2026, 3, 31),
    )
    assert issue.location.fact == "date"
    assert "2019-01-20" in issue.message


def test_did_not_arise_issues_name_their_fact(criteria: LoadedSet) -> None:
    (issue,) = issues_of("did-not-arise-no-reason", criteria)
    assert issue.location.fact == "did_not_arise"


def test_a_reader_sees_words_not_paths() -> None:
    loc = Location(
        file="web:xa-a",
        line=12,
        path="leaves.1.1.2.appraisal.round1",
        agency="xa-a",
        leaf="1.1.2",
        round=1,
    )
    text = loc.describe({"xa-a": "UBND xã A"})
    assert text == "UBND xã A, tiêu chí 1.1.2, vòng thẩm định 1"
    assert "leaves" not in text and "web:" not in text
    evidence = Location(agency="xa-a", leaf="1.1.1", fact="evidence", item=2)
    assert evidence.describe() == "xa-a, tiêu chí 1.1.1, tài liệu kiểm chứng thứ 2"
    assert Location(agency="xa-a", leaf="3.1", fact="denominator").describe() == (
        "xa-a, tiêu chí 3.1, mẫu số"
    )


def test_as_dict_is_json_with_the_parameters(criteria: LoadedSet) -> None:
    (issue,) = issues_of("date-implausible", criteria)
    data = json.loads(json.dumps(issue.as_dict(), ensure_ascii=False))
    assert data["params"]["value"] == "2019-01-20"
    assert data["location"]["fact"] == "date"
    assert data["value"] == "2019-01-20"
