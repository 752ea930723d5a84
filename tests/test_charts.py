"""Charts: ranking per block (bands coloured) and a field profile per agency, PNG and SVG."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from parindex import charts
from parindex.charts import block_profiles, profile_data
from parindex.dataset import load_year
from parindex.decision import write_decision_table
from parindex.results import score_dataset

REPO = Path(__file__).resolve().parent.parent


def test_charts_are_written_and_embedded(tmp_path: Path) -> None:
    results = score_dataset(load_year(REPO, 2025))
    # one block keeps the test quick; the chart code is the same for every block
    results.blocks = {"phuong": results.blocks["phuong"]}
    out = write_decision_table(results, tmp_path / "x.xlsx", charts=True)
    charts = tmp_path / "x-bieu-do"
    svg = (charts / "xep-hang-phuong.svg").read_text(encoding="utf-8")
    assert (charts / "xep-hang-phuong.png").stat().st_size > 10_000
    # Vietnamese labels are kept as text (svg.fonttype none), so they render with any font
    assert "Chỉ số CCHC năm 2025 — Phường" in svg
    assert "UBND phường Thới Hòa" in svg
    profiles = sorted((charts / "ho-so").glob("phuong-*.png"))
    assert len(profiles) == len(results.blocks["phuong"].agencies)
    assert len(list((charts / "ho-so").glob("phuong-*.svg"))) == len(profiles)
    wb = load_workbook(out)
    ws = wb["Biểu đồ phuong"]
    assert len(ws._images) == 1 + len(profiles)


def test_profiles_of_a_block_in_one_pass_are_each_agencys_profile() -> None:
    results = score_dataset(load_year(REPO, 2025))
    for res in results.blocks.values():
        profiles = block_profiles(res)
        assert list(profiles) == [str(a) for a in res.agencies["agency"]]
        for agency, data in profiles.items():
            assert data == profile_data(res, agency)


def test_a_large_block_gets_the_distribution_and_the_extremes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 21 departments stand for a block too large for one bar per agency (limit lowered to 8)
    monkeypatch.setattr(charts, "RANKING_BARS", 8)
    monkeypatch.setattr(charts, "EXTREMES", 3)
    results = score_dataset(load_year(REPO, 2025))
    results.blocks = {"so-nganh": results.blocks["so-nganh"]}
    res = results.blocks["so-nganh"]
    out = write_decision_table(results, tmp_path / "x.xlsx", charts=True)
    charts_dir = tmp_path / "x-bieu-do"
    svg = (charts_dir / "xep-hang-so-nganh.svg").read_text(encoding="utf-8")
    names = list(res.agencies["name"])
    n = len(names)
    assert f"{n} đơn vị — bình quân" in svg
    assert "3 đơn vị đứng đầu và 3 đơn vị cuối bảng" in svg
    assert f"… {n - 6} đơn vị xếp hạng 4–{n - 3}: xem bảng xếp hạng …" in svg
    shown = [name for name in names if escape(name, quote=False) in svg]
    assert set(names[:3]) | set(names[-3:]) <= set(shown)
    assert len(shown) < n  # the middle of the ranking is in the table, not in the chart
    with Image.open(charts_dir / "xep-hang-so-nganh.png") as png:
        assert png.size == (1100, round(charts.DISTRIBUTION_HEIGHT * 110))
    # the profiles start below the chart, two per row of the sheet, as for a small block
    ws = load_workbook(out)["Biểu đồ so-nganh"]
    anchors = [img.anchor._from.row + 1 for img in ws._images]
    assert anchors[0] == 1
    assert anchors[1] == int(charts.DISTRIBUTION_HEIGHT * 110 / 20) + 2
    assert len(anchors) == 1 + n
