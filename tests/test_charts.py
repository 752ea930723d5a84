"""Charts: ranking per block (bands coloured) and a field profile per agency, PNG and SVG."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from parindex.dataset import load_year
from parindex.decision import write_decision_table
from parindex.results import score_dataset

REPO = Path(__file__).resolve().parent.parent


def test_charts_are_written_and_embedded(tmp_path: Path) -> None:
    results = score_dataset(load_year(REPO, 2025))
    # one block keeps the test quick; the chart code is the same for every block
    results.blocks = {"huyen": results.blocks["huyen"]}
    out = write_decision_table(results, tmp_path / "x.xlsx", charts=True)
    charts = tmp_path / "x-bieu-do"
    svg = (charts / "xep-hang-huyen.svg").read_text(encoding="utf-8")
    assert (charts / "xep-hang-huyen.png").stat().st_size > 10_000
    # Vietnamese labels are kept as text (svg.fonttype none), so they render with any font
    assert "Chỉ số CCHC năm 2025 — UBND cấp huyện" in svg
    assert "UBND huyện Tháp Mười" in svg
    profiles = sorted((charts / "ho-so").glob("huyen-*.png"))
    assert len(profiles) == len(results.blocks["huyen"].agencies)
    assert len(list((charts / "ho-so").glob("huyen-*.svg"))) == len(profiles)
    wb = load_workbook(out)
    ws = wb["Biểu đồ huyen"]
    assert len(ws._images) == 1 + len(profiles)
