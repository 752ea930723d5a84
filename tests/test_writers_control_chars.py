"""Issue 12: every spreadsheet writer of the engine is safe against control characters pasted from
Word (openpyxl's IllegalCharacterError) and keeps user text from becoming a formula; one helper,
``parindex.export.cell_text`` (through ``set_text``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from parindex.dataset import load_year
from parindex.decision import write_decision_table
from parindex.errors import Issue, Location
from parindex.export import cell_text, set_text
from parindex.results import score_dataset

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("a\x0bb", "a\nb"),  # Word's line break
        ("a\x0cb", "a\nb"),  # Word's page break
        ("a\x00b\x01\x08\x0e\x1f", "ab"),
        ("tab\tnew\nline\rend", "tab\tnew\nline\rend"),
        ("lone \ud800 surrogate\ufffe", "lone  surrogate"),
        ("Xã Ứng Hòa", "Xã Ứng Hòa"),
    ],
)
def test_cell_text_keeps_what_a_workbook_can_hold(tmp_path: Path, raw: str, kept: str) -> None:
    assert cell_text(raw) == kept
    wb = Workbook()
    set_text(wb.active["A1"], raw)
    set_text(wb.active["A2"], "=1+1" + raw)
    wb.save(tmp_path / "x.xlsx")
    ws = load_workbook(tmp_path / "x.xlsx").active
    assert ws["A1"].value == kept.replace("\r", "\n") or ws["A1"].value == kept
    assert ws["A2"].data_type == "s" and str(ws["A2"].value).startswith("=1+1")


def test_the_decision_table_is_written_with_control_characters_in_names_and_notes(
    tmp_path: Path,
) -> None:
    results = score_dataset(load_year(ROOT, 2025))
    res = next(iter(results.blocks.values()))
    first = res.agencies.index[0]
    last = res.agencies.index[-1]  # a row the fast path writes as XML, not as an openpyxl cell
    res.agencies.loc[first, "name"] = "Xã\x0bA\x00"
    res.agencies.loc[last, "name"] = "Xã\x0bZ\x01"
    results.report.add(Issue.make("survey-not-a-number", Location(file="s.csv"), value="8\x007"))
    path = write_decision_table(results, tmp_path / "bang.xlsx", charts=False)
    wb = load_workbook(path)
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "Xã\nA" in values and "Xã\nZ" in values
    assert any(isinstance(v, str) and "'87' không phải là số" in v for v in values)
