"""How sure a rank is (parindex/robustness.py): the rank intervals under the surveys' sampling
error, their sheet in the decision table, the report's line and the command."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from parindex.cli import main
from parindex.dataset import load_year
from parindex.decision import write_decision_table
from parindex.errors import Report
from parindex.report import build_report, write_html
from parindex.results import Results, score_dataset
from parindex.robustness import _perturbed_weights, block_robustness, prepare, robustness
from parindex.robustness_table import SHEET
from parindex.scoring import BlockResult
from parindex.survey import SurveyResult
from tests.builders import D, build_set, extras, leaf, score, submission

REPO = Path(__file__).resolve().parent.parent
RUN = dt.datetime(2026, 1, 15, 8, 0, 0)
#: a sample so large that a drawn share's standard deviation (at most ½ / √n = 5e-8) is a
#: tenth of the half-millionth a survey result is rounded to: every draw gives the result back
HUGE = 10**14


def _survey(agency: str, key: str, result: str, n: int | None) -> SurveyResult:
    return SurveyResult(agency, key, int(D(result) * 10_000), n, 2)


@pytest.fixture(scope="module")
def sample() -> Results:
    return score_dataset(load_year(REPO, 2025))


def _huge(results: Results) -> list[SurveyResult]:
    return [dataclasses.replace(s, sample_size=HUGE) for s in results.surveys]


def test_with_huge_samples_every_interval_is_the_published_rank(sample: Results) -> None:
    # every unit of the sample province, ties included (two units share rank 12 in so-nganh)
    got = robustness(sample.blocks, _huge(sample), seed=3)
    for block, res in sample.blocks.items():
        b = got.blocks[block]
        published = res.agencies["rank"].tolist()
        assert b.low.tolist() == published
        assert b.high.tolist() == published
        # every draw in the published band
        bands = b.bands
        for i, band in enumerate(res.agencies["band"]):
            assert b.band_draws[i, bands.index(band)] == got.draws
    assert any(r == 12 for r in got.blocks["so-nganh"].low.tolist()[11:13])


# three units, one appraised leaf of 50 and one survey leaf of 50 points:
#   a: 50 + 50 × 80.00 % = 90.00 → 90.00 %      b: 50 + 50 × 79.90 % = 89.95 → 89.95 %
#   c: 50 + 50 × 20.00 % = 60.00 → 60.00 %
# with n = 100 a share's standard deviation is √(0.8 × 0.2 / 100) = 4 points of a percent, so
# a − b (0.1 point apart) has sd ≈ 5.7 points: b is ahead in about half the draws, far more
# than 5 %, and both intervals are 1–2; c, 60 points below, is 3rd in every draw
CLOSE = build_set(
    [[[leaf(50, "yes-no"), leaf(50, "survey", survey="sipas")]]],
    bands=[("Tốt", 90), ("Khá", 0)],
)
CLOSE_SUBS = [submission(a, {"1.1.1": {"done": True}}) for a in ("a", "b", "c")]


def _close(n: int | None = 100) -> tuple[BlockResult, list[SurveyResult]]:
    surveys = [
        _survey("a", "sipas", "80", n),
        _survey("b", "sipas", "79.9", n),
        _survey("c", "sipas", "20", n),
    ]
    return score(CLOSE, CLOSE_SUBS, surveys), surveys


def test_two_close_units_both_cover_both_ranks() -> None:
    res, surveys = _close()
    assert res.agencies["agency"].tolist() == ["a", "b", "c"]
    assert res.agencies["index_u"].tolist() == [9000, 8995, 6000]
    b = block_robustness(res, surveys, seed=11)
    assert (b.low.tolist(), b.high.tolist()) == ([1, 1, 3], [2, 2, 3])
    # a at 90.00 % is "Tốt" when its drawn share is at least 80 %: about half the draws
    assert 300 < b.band_draws[0, 0] < 700
    assert b.band_draws[2].tolist() == [0, 1000]


def test_same_seed_same_intervals_another_seed_other_draws() -> None:
    res, surveys = _close()
    one, again = block_robustness(res, surveys, seed=5), block_robustness(res, surveys, seed=5)
    other = block_robustness(res, surveys, seed=6)
    assert one.low.tolist() == again.low.tolist() and one.high.tolist() == again.high.tolist()
    assert np.array_equal(one.band_draws, again.band_draws)
    assert not np.array_equal(one.band_draws, other.band_draws)


def test_the_published_results_are_untouched() -> None:
    res, surveys = _close()
    agencies, leaves = res.agencies.copy(deep=True), res.leaves.copy(deep=True)
    kept = copy.deepcopy(surveys)
    b = block_robustness(res, surveys, seed=1)
    pd.testing.assert_frame_equal(res.agencies, agencies)
    pd.testing.assert_frame_equal(res.leaves, leaves)
    assert surveys == kept
    assert b.rank.tolist() == [1, 2, 3] and b.index_u.tolist() == [9000, 8995, 6000]


def test_a_result_without_sample_size_is_held_fixed() -> None:
    res, surveys = _close(None)
    b = block_robustness(res, surveys)
    assert (b.low.tolist(), b.high.tolist()) == ([1, 2, 3], [1, 2, 3])
    assert not b.varied.any()


def test_a_panel_round_on_a_survey_leaf_is_held_fixed() -> None:
    # b's survey leaf was scored by the panel (round 1: 45 of 50): b at 50 + 45 = 95 % is
    # first in every draw; a (90 %) and c (60 %) vary but stay 2nd and 3rd
    subs = [
        CLOSE_SUBS[0],
        submission(
            "b",
            {
                "1.1.1": {"done": True},
                "1.1.2": {"appraisal": {"round1": {"score": D(45), "reason": "Thẩm định"}}},
            },
        ),
        CLOSE_SUBS[2],
    ]
    surveys = _close()[1]
    res = score(CLOSE, subs, surveys)
    assert res.agencies["agency"].tolist() == ["b", "a", "c"]
    b = block_robustness(res, surveys)
    assert b.varied.tolist() == [False, True, True]
    assert (b.low.tolist(), b.high.tolist()) == ([1, 2, 3], [1, 2, 3])


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ([], [1, 1, 1, 1]),
        (["appraised_points"], [1, 1, 3, 3]),
        (["survey_points", "bonus_points"], [1, 2, 3, 3]),
        (["penalty_points", "appraised_points"], [1, 1, 3, 4]),
    ],
)
def test_ties_are_ranked_by_the_block_tie_rule(chain: list[str], expected: list[int]) -> None:
    # the tie cases of test_rules: every unit at 50 %; with huge samples every draw must give
    # the published ranks, tie rule and all
    data = build_set(
        [[[leaf(1, "yes-no"), leaf(1, "survey", survey="sipas")]]],
        bonus=extras(1, leaf(1, "yes-no")),
        penalty=extras(1, leaf(1, "yes-no"), prefix="D"),
        tie_break=chain,
    )
    subs = [
        submission("app", {"1.1.1": {"done": True}}),
        submission("sur", {"1.1.1": {"done": False}}),
        submission("bon", {"1.1.1": {"done": False}, "T1": {"done": True}, "D1": {"done": True}}),
        submission("app2", {"1.1.1": {"done": True}}),
    ]
    surveys = [
        _survey("sur", "sipas", "100", HUGE),
        _survey("bon", "sipas", "100", HUGE),
        _survey("app", "sipas", "0", HUGE),
        _survey("app2", "sipas", "0", HUGE),
    ]
    res = score(data, subs, surveys)
    b = block_robustness(res, surveys)
    assert sorted(b.rank.tolist()) == expected
    assert b.low.tolist() == b.rank.tolist() == b.high.tolist()


# a weighted set (60 / 40): field 1 one manual leaf of 10, field 2 a survey leaf of 30
WEIGHTED = build_set(
    [[[leaf(10, "manual", step=D("0.01"))]], [[leaf(30, "survey", survey="sipas")]]],
    weights=[60, 40],
)


def _weighted(n: int) -> tuple[BlockResult, list[SurveyResult]]:
    # a: 8/10 × 60 + 50 % × 40 = 48 + 20 = 68;  b: 6/10 × 60 + 80 % × 40 = 36 + 32 = 68 → tied
    # c: 10/10 × 60 + 0 = 60
    subs = [
        submission("a", {"1.1.1": {"score": D(8)}}),
        submission("b", {"1.1.1": {"score": D(6)}}),
        submission("c", {"1.1.1": {"score": D(10)}}),
    ]
    surveys = [
        _survey("a", "sipas", "50", n),
        _survey("b", "sipas", "80", n),
        _survey("c", "sipas", "0", n),
    ]
    return score(WEIGHTED, subs, surveys), surveys


def test_weighted_set_reproduces_the_engine_and_collapses_with_huge_samples() -> None:
    res, surveys = _weighted(HUGE)
    assert sorted(res.agencies["index_u"].tolist()) == [6000, 6800, 6800]
    b = block_robustness(res, surveys)  # raises if its path does not give the engine's index
    assert b.low.tolist() == b.rank.tolist() == b.high.tolist() == [1, 1, 3]
    assert not b.weighted


def test_weight_perturbation_moves_the_tied_units_only_when_asked() -> None:
    # a leans on field 1 (48 of its 68), b on field 2 (32 of 68): a heavier field 1 puts a
    # ahead, a lighter one b; c (60 %) is 8 points below and a ±10 % weight cannot close that
    res, surveys = _weighted(HUGE)
    b = block_robustness(res, surveys, weight_spread=Decimal("0.1"))
    assert b.weighted
    assert (b.low.tolist(), b.high.tolist()) == ([1, 1, 3], [2, 2, 3])


def test_perturbed_weights_add_up_to_the_stated_total() -> None:
    rng = np.random.default_rng(0)
    w = _perturbed_weights(rng, np.array([6000, 4000]), 0.1, 500)
    assert (w.sum(axis=1) == 10_000).all()
    # 6000 × 0.9 / (6000 × 0.9 + 4000 × 1.1) = 55.1 %, 6000 × 1.1 / (… × 0.9) = 64.7 %
    assert w[:, 0].min() >= 5510 and w[:, 0].max() <= 6471


def test_fewer_than_1000_draws_are_refused(sample: Results) -> None:
    with pytest.raises(ValueError):
        robustness(sample.blocks, sample.surveys, draws=999)


# ------------------------------------------------------------------------ decision table
def _sheets(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_the_sheet_comes_after_the_official_sheets_which_stay_the_same(
    sample: Results, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = write_decision_table(sample, tmp_path / "a" / "x.xlsx", charts=False, run_time=RUN)
    got = robustness(sample.blocks, sample.surveys, seed=0)
    with_sheet = write_decision_table(
        sample, tmp_path / "b" / "x.xlsx", charts=False, run_time=RUN, robustness=got
    )
    before, after = _sheets(plain), _sheets(with_sheet)
    assert list(after) == [*before, SHEET]
    for title, rows in before.items():
        assert after[title] == rows, title
    rows = after[SHEET]
    assert "1000 lần" in rows[1][0] and "hạt giống 0" in rows[1][0]
    header = next(r for r in rows if r[0] == "Khối")
    assert header[:6] == (
        "Khối",
        "Hạng",
        "Đơn vị",
        "Chỉ số CCHC (%)",
        "Hạng cao nhất (phân vị 5 %)",
        "Hạng thấp nhất (phân vị 95 %)",
    )
    assert "Xác suất xếp loại Tốt (%)" in header
    b = got.blocks["so-nganh"]
    line = next(r for r in rows if r[2] == b.names[0] and r[0] == "so-nganh")
    assert line[1] == 1 and (line[4], line[5]) == (int(b.low[0]), int(b.high[0]))
    assert Decimal(str(line[3])) == Decimal(int(b.index_u[0])) / 100
    # the band probabilities of a row add up to 100 %
    assert sum(line[6 : 6 + len(b.bands)]) == pytest.approx(100)


def test_the_sheet_carries_a_chart_per_block(sample: Results, tmp_path: Path) -> None:
    got = robustness(sample.blocks, sample.surveys)
    out = tmp_path / "x.xlsx"
    write_decision_table(sample, out, charts=True, run_time=RUN, robustness=got)
    folder = tmp_path / "x-bieu-do"
    for block in sample.blocks:
        assert (folder / f"do-tin-cay-{block}.png").exists()
        assert (folder / f"do-tin-cay-{block}.svg").exists()
    ws = load_workbook(out)[SHEET]
    assert len(ws._images) == len(sample.blocks)


# ----------------------------------------------------------------------------- the report
def test_the_report_says_how_sure_the_rank_is(tmp_path: Path) -> None:
    res, surveys = _close()
    results = Results(2025, {"so": res}, Report(), {})
    got = robustness(results.blocks, surveys, seed=11)
    r = build_report(results, "so", "b", got)
    assert r.confidence == "hạng 2; từ 1 đến 2 với độ tin cậy 90 %"
    html = write_html(r, tmp_path / "b.html").read_text(encoding="utf-8")
    assert "hạng 2; từ 1 đến 2 với độ tin cậy 90 %" in html
    assert build_report(results, "so", "b").confidence == ""


# -------------------------------------------------------------------------------- the CLI
def test_the_command_prints_every_block_with_intervals() -> None:
    out = CliRunner().invoke(main, ["robustness", "--year", "2025", "--seed", "4"])
    assert out.exit_code == 0, out.output
    assert "Sở, ban, ngành tỉnh — năm 2025" in out.output
    assert "Khoảng hạng 90 %" in out.output
    assert "Mô phỏng Monte Carlo 1000 lần, hạt giống 4" in out.output


def test_the_command_refuses_too_few_draws() -> None:
    out = CliRunner().invoke(main, ["robustness", "--draws", "10"])
    assert out.exit_code == 2
    assert "--draws" in out.output


def test_rank_writes_the_sheet_by_default(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    res = CliRunner().invoke(main, ["rank", "--no-charts", "--out", str(out)])
    assert res.exit_code in (0, 3), res.output
    assert load_workbook(out).sheetnames[-1] == SHEET
    out2 = tmp_path / "y.xlsx"
    CliRunner().invoke(main, ["rank", "--no-charts", "--no-robustness", "--out", str(out2)])
    assert SHEET not in load_workbook(out2).sheetnames


# -------------------------------------------------------------------- the path is the engine
@pytest.mark.parametrize("weighted", [False, True])
def test_a_draw_scores_exactly_as_the_engine(weighted: bool) -> None:
    # random survey results (any millionth, ends in …5 included) put through the draw's path
    # and, as a survey file, through the engine: the same index, survey and appraised points
    res, surveys = _weighted(100) if weighted else _close()
    data = WEIGHTED if weighted else CLOSE
    subs = (
        [
            submission("a", {"1.1.1": {"score": D(8)}}),
            submission("b", {"1.1.1": {"score": D(6)}}),
            submission("c", {"1.1.1": {"score": D(10)}}),
        ]
        if weighted
        else CLOSE_SUBS
    )
    ready = prepare(res, surveys)
    rng = np.random.default_rng(42)
    drawn = rng.integers(0, 1_000_001, (20, len(ready.share_u)))
    drawn[0] = 5  # 50 × 0.000005 = 0.00025 points: rounds to 0,00
    drawn[1] = 100  # 0.005 points → 0.01 (half up)
    index_u, appraised_c, survey_c = ready.indices(drawn, None)
    order = res.agencies["agency"].tolist()
    for d in range(len(drawn)):
        again = [
            SurveyResult(a, key, int(u), 100, 2)
            for (a, key), u in zip(ready.varied_rows, drawn[d], strict=True)
        ]
        engine = score(data, subs, again).agencies.set_index("agency").loc[order]
        assert index_u[d].tolist() == engine["index_u"].tolist()
        assert survey_c[d].tolist() == engine["survey_c"].tolist()
        assert appraised_c[d].tolist() == engine["appraised_c"].tolist()


def test_the_report_command_writes_the_line(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["report", "so-tu-phap", "--out", str(tmp_path)])
    assert out.exit_code in (0, 3), out.output
    html = (tmp_path / "so-nganh" / "so-tu-phap.html").read_text(encoding="utf-8")
    assert re.search(r"Độ tin cậy của xếp hạng: hạng \d+; từ \d+ đến \d+ với độ tin cậy 90 %", html)


def test_the_command_as_a_real_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "parindex.cli", "robustness", "--block", "phuong", "--seed", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert "Phường — năm 2025" in done.stdout and "Sở, ban, ngành" not in done.stdout
    assert "Traceback" not in done.stderr


def test_rank_writes_the_official_table_even_if_the_intervals_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import parindex.cli as cli
    from parindex.robustness import PathMismatch

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise PathMismatch("xa")

    monkeypatch.setattr(cli, "robustness_run", broken)
    out = tmp_path / "x.xlsx"
    res = CliRunner().invoke(main, ["rank", "--no-charts", "--out", str(out)])
    assert res.exit_code in (0, 3), res.output
    assert "Không tính được độ tin cậy của xếp hạng khối xa" in res.output
    assert load_workbook(out).sheetnames[-1] == "Ghi chú"


def test_the_command_states_a_weight_perturbation() -> None:
    # the sample's sets have no weights: the option is stated in the note and changes nothing
    plain = CliRunner().invoke(main, ["robustness", "--block", "phuong"])
    weights = CliRunner().invoke(main, ["robustness", "--block", "phuong", "--weights", "0.1"])
    assert weights.exit_code == 0, weights.output
    assert "[1 − 10 %; 1 + 10 %]" in weights.output
    assert plain.output.split("\n\n")[1] == weights.output.split("\n\n")[1]
