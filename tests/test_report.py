"""Per-agency report: points lost, the five biggest losses, points needed for rank and band."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from parindex.dataset import load_year
from parindex.report import build_report, points_to_reach, write_html, write_xlsx
from parindex.results import Results, score_dataset

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample() -> Results:
    return score_dataset(load_year(REPO, 2025))


@pytest.mark.parametrize(
    ("target_u", "total_c", "applicable_c", "expected_c"),
    [
        # 81.33 % of 84 points: 68.32 / 84 = 81.333… → 81.33, 68.31 / 84 = 81.32 → need 68.32
        (8133, 6800, 8400, 32),
        # already there
        (8133, 6832, 8400, 0),
        # 90 % of 100 points: 89.995 rounds to 90.00 but points are hundredths → 90.00 needed
        (9000, 8500, 10000, 500),
        # 80 % of 95 points: 76.00 / 95 = 80 exactly; 75.99 / 95 = 79.99 → need 76.00
        (8000, 7500, 9500, 100),
        # half-up helps: 80 % of 97.5: 77.995 would do, so 78.00 − 77.00 = 1.00 … and
        # 77.99 / 97.5 = 79.989… → 79.99 < 80; 78.00 / 97.5 = 80.0 → need 1.00
        (8000, 7700, 9750, 100),
        # 50 % of 3: 1.49 / 3 = 49.666 → 49.67; 1.50 / 3 = 50 → need 1.50 − 1.40 = 0.10
        (5000, 140, 300, 10),
    ],
)
def test_points_to_reach(target_u: int, total_c: int, applicable_c: int, expected_c: int) -> None:
    assert points_to_reach(target_u, total_c, applicable_c) == expected_c


def test_report_of_a_sample_agency(sample: Results) -> None:
    r = build_report(sample, "so-nganh", "so-tu-phap")
    res = sample.blocks["so-nganh"]
    me = res.agencies[res.agencies["agency"] == "so-tu-phap"].iloc[0]
    assert r.rank == int(me["rank"]) and r.index == Decimal(int(me["index_u"])).scaleb(-2)
    leaves = [x for x in r.lines if x.level == "leaf"]
    assert len(leaves) == sum(1 for _ in res.criteria.model.leaves())
    # points lost on a leaf = max − final; the field lines add up their leaves
    for x in leaves:
        if not x.excluded:
            assert x.lost == x.max - (x.final or 0)
    fields = [x for x in r.lines if x.level == "field"]
    assert sum((f.final or Decimal(0)) for f in fields) + r.bonus - r.penalty == r.total
    # the five biggest losses, largest first
    losses = sorted((x.lost for x in leaves if x.lost), reverse=True)[:5]
    assert [x.lost for x in r.top_losses] == losses
    # the next rank: reaching the index of the unit ranked just above
    assert r.next_rank is not None
    rank_above, index_above, need = r.next_rank
    assert rank_above < r.rank
    above = res.agencies[res.agencies["rank"] == rank_above].iloc[0]
    assert index_above == Decimal(int(above["index_u"])).scaleb(-2)
    new_total = r.total + need
    reached = (new_total / r.applicable_max * 100).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert reached >= index_above
    short = ((new_total - Decimal("0.01")) / r.applicable_max * 100).quantize(
        Decimal("0.01"), "ROUND_HALF_UP"
    )
    assert short < index_above


def test_first_ranked_agency_has_no_next_rank(sample: Results) -> None:
    res = sample.blocks["xa"]
    first = str(res.agencies.iloc[0]["agency"])
    assert build_report(sample, "xa", first).next_rank is None


def test_report_files_escape_user_text(sample: Results, tmp_path: Path) -> None:
    r = build_report(sample, "xa", "xa-my-an")
    r.name = "<script>alert(1)</script>"
    r.lines[2].reason = '=HYPERLINK("x")'
    html = write_html(r, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "Năm tiêu chí bị mất nhiều điểm nhất" in html and "DỮ LIỆU MẪU" in html
    from openpyxl import load_workbook

    wb = load_workbook(write_xlsx(r, tmp_path / "r.xlsx"))
    cells = [c for row in wb["Kết quả"].iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)
