"""Survey import from XLSX and CSV, checked against a year's agencies and survey keys."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook

from parindex.cli import main
from parindex.dataset import load_year
from parindex.results import score_dataset
from parindex.survey import check_surveys, read_surveys

REPO = Path(__file__).resolve().parent.parent


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_with_vietnamese_headers_and_decimal_comma(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "s.xlsx",
        [
            ["Mã đơn vị", "Cuộc điều tra", "Kết quả (%)", "Cỡ mẫu"],
            ["xa-a", "sipas", "87,5", 120],  # row 2: decimal comma as text
            ["xa-b", "sipas", 91.25, 80],  # row 3: a real number cell
            ["xa-c", "sipas", "chín mươi", 80],  # row 4: text where a number belongs
            ["xa-d", "sipas", 100.5, 80],  # row 5: above 100
            ["xa-a", "sipas", 88, 10],  # row 6: duplicate of row 2
            ["xa-z", "sipas", 70, 10],  # row 7: unknown agency
            ["xa-b", "hai-long", 70, 10],  # row 8: unknown survey
            ["xa-d", "can-bo", 90, "nhiều"],  # row 9: sample size not a number
        ],
    )
    agencies = {a: a for a in ("xa-a", "xa-b", "xa-c", "xa-d")}
    rows, issues = read_surveys(path, agencies, {"sipas", "can-bo"})
    assert {(r.agency, r.result_u) for r in rows} == {("xa-a", 875000), ("xa-b", 912500)}
    found = sorted((i.code, i.location.row, i.location.path) for i in issues)
    assert found == sorted(
        [
            ("survey-not-a-number", 4, "result"),
            ("survey-result-out-of-range", 5, "result"),
            ("survey-duplicate-row", 6, "agency"),
            ("survey-unknown-agency", 7, "agency"),
            ("survey-unknown-survey", 8, "survey"),
            ("survey-not-a-number", 9, "sample_size"),
        ]
    )


def test_missing_header_is_reported(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "s.xlsx", [["agency", "survey", "điểm"], ["xa-a", "sipas", 80]])
    rows, issues = read_surveys(path)
    assert rows == [] and [(i.code, i.location.row) for i in issues] == [("survey-bad-header", 1)]


def test_check_reports_agencies_missing_a_result() -> None:
    ds = load_year(REPO, 2025)
    rows, issues = check_surveys(REPO / "submissions" / "2025" / "surveys.csv", ds)
    missing = [(i.location.agency, i.value) for i in issues if i.code == "survey-agency-missing"]
    assert missing == [("xa-lien-hiep", "khao-sat-lanh-dao")]  # left out in the sample on purpose
    # 39 agencies in submissions/2025/agencies.csv, 6 surveys each (field 8), one left out
    assert len(rows) == 39 * 6 - 1


def test_cli_surveys_command(tmp_path: Path) -> None:
    bad = tmp_path / "s.csv"
    bad.write_text(
        "agency;survey;result;sample_size\nso-y-te;sipas-tthc;120;50\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["surveys", str(bad), "--root", str(REPO), "--json"])
    assert result.exit_code == 1
    codes = {(i["code"], i["location"].get("row")) for i in json.loads(result.stdout)["issues"]}
    assert ("survey-result-out-of-range", 2) in codes
    ok = CliRunner().invoke(
        main, ["surveys", str(REPO / "submissions/2025/surveys.csv"), "--root", str(REPO)]
    )
    assert ok.exit_code == 0, ok.output


def test_rank_with_another_survey_file_changes_survey_points(tmp_path: Path) -> None:
    ds = load_year(REPO, 2025)
    # every result 50 % → each survey leaf earns half its max
    lines = ["agency,survey,result,sample_size"]
    for agency in ds.agencies.values():
        for _, _, leaf in ds.sets[agency.block].model.leaves():
            if leaf.rule.kind == "survey":
                lines.append(f'{agency.id},{leaf.rule.survey},"50,0",100')  # type: ignore
    path = tmp_path / "half.csv"
    path.write_text("\n".join(sorted(set(lines), key=lines.index)) + "\n", encoding="utf-8")
    results = score_dataset(load_year(REPO, 2025, path))
    for res in results.blocks.values():
        survey_max = sum(
            (leaf.max for _, _, leaf in res.criteria.model.leaves() if leaf.survey), Decimal(0)
        )
        expected = int(survey_max * 100 / 2)  # 30 points → 15.00 for everyone
        assert set(res.agencies["survey_c"]) == {expected}
