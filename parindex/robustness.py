"""How sure a rank is: each unit's rank under the sampling error of its survey results.

A Monte Carlo over the exact engine (method and its limits in ``docs/robustness.md``):

- each survey result with a sample size n is drawn, per draw, from the Jeffreys posterior of a
  share: Beta(k + ½, n − k + ½) with k = result × n "satisfied" answers (a float only here),
  rounded to the survey file's unit (millionths of a share) and turned into points by the survey
  kind's own ``points`` (integer hundredths, half up) — as the engine does;
- everything else is held fixed: self-scores, the panel's rounds, the other leaves, the bonus,
  the penalty, the applicable maximum, and a survey result without a sample size (or one the
  panel overrode);
- optionally, for a set that declares field weights, each weight is multiplied by
  U(1 − s, 1 + s), the weights renormalised to their stated total and rounded to hundredths
  (largest remainder, so they still add up exactly);
- each draw's index is computed as :func:`parindex.scoring.aggregate_rows` computes it and the
  block ranked with its tie rule (:mod:`parindex.ranking`); per unit, the 5th and 95th
  percentiles of its rank over the draws and how often it fell in each band.

The published index and rank are read, never changed. Deterministic for a seed: a block's
draws come from ``SeedSequence([seed, crc32(block)])`` in fixed chunks of draws.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from parindex.ranking import TIE_KEY_COLUMNS
from parindex.rules import KINDS as RULE_KINDS
from parindex.rules.base import Rows, Taken
from parindex.scoring import (
    SECTION_CODE,
    STATES,
    BlockResult,
    _index_u,
    positions,
    rule_tables,
)
from parindex.survey import SurveyResult
from parindex.units import half_up_div, to_cents

DEFAULT_DRAWS = 1_000
DEFAULT_SEED = 0
MIN_DRAWS = 1_000
CHUNK = 50  # draws computed together (memory: chunk × survey rows)
LOW, HIGH = 5, 95  # the percentiles of the rank interval
SHARE_UNIT = 1_000_000  # a survey result in millionths of a share (the engine's ``survey_u``)


class PathMismatch(RuntimeError):
    """The draws' path did not give the published figures of a block (a bug: the intervals
    would be those of another engine, so none are given; the published table never waits on
    them)."""

    def __init__(self, block: str) -> None:
        super().__init__(f"block {block}: the robustness path does not reproduce the index")
        self.block = block
        self.message = (
            f"Không tính được độ tin cậy của xếp hạng khối {block}: phép tính lại không cho đúng "
            "Chỉ số đã công bố (lỗi phần mềm, xin báo lại); bảng xếp hạng vẫn được ghi, không "
            "có trang này."
        )


@dataclass
class BlockRobustness:
    """One block's intervals, units in published rank order."""

    block: str
    agencies: list[str]
    names: list[str]
    rank: np.ndarray  # published
    index_u: np.ndarray  # published
    band: list[str]  # published
    low: np.ndarray  # best rank at the 5th percentile (the smaller number)
    high: np.ndarray  # worst rank at the 95th percentile
    bands: list[str]  # the set's bands, highest first
    band_draws: np.ndarray  # units × bands: in how many draws the unit fell in each band
    varied: np.ndarray  # bool per unit: at least one survey result drawn
    weighted: bool  # weights perturbed in this block

    def row(self, agency: str) -> int:
        return self.agencies.index(agency)


@dataclass
class Robustness:
    draws: int
    seed: int
    weight_spread: Decimal | None
    blocks: dict[str, BlockRobustness] = field(default_factory=dict)

    def interval(self, agency: str) -> tuple[int, int, int] | None:
        """(published rank, low, high) of ``agency``, or None when it is in no block."""
        for b in self.blocks.values():
            if agency in b.agencies:
                i = b.row(agency)
                return int(b.rank[i]), int(b.low[i]), int(b.high[i])
        return None

    def method_text(self) -> str:
        text = (
            f"Mô phỏng Monte Carlo {self.draws} lần, hạt giống {self.seed}: mỗi kết quả điều tra "
            "xã hội học có cỡ mẫu n được rút lại theo phân phối Beta(k + 1/2, n − k + 1/2) "
            "(phân phối hậu nghiệm Jeffreys của một tỷ lệ, k = kết quả × n), rồi tính điểm, Chỉ "
            "số và thứ hạng đúng như khi công bố; mọi điểm khác (tự chấm, thẩm định, thưởng, trừ)"
            " giữ nguyên. Khoảng hạng là phân vị 5 % và 95 % của thứ hạng qua các lần rút: độ "
            "tin cậy 90 % chỉ về sai số chọn mẫu của điều tra, không về sai sót chấm điểm. "
            "Kết quả điều tra không có cỡ mẫu được giữ nguyên. Kết quả công bố không thay đổi."
        )
        if self.weight_spread is not None:
            s = f"{self.weight_spread * 100:.0f}"
            text += (
                f" Với bộ tiêu chí có trọng số: mỗi trọng số lĩnh vực nhân với một số ngẫu nhiên "
                f"đều trong [1 − {s} %; 1 + {s} %], chuẩn hóa lại về tổng trọng số."
            )
        return text


def sentence(rank: int, low: int, high: int) -> str:
    """The report's line: "hạng 7; từ 5 đến 10 với độ tin cậy 90 %"."""
    return f"hạng {rank}; từ {low} đến {high} với độ tin cậy {HIGH - LOW} %"


def _samples(surveys: Iterable[SurveyResult]) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (s.agency, s.survey): (s.result_u, s.sample_size)
        for s in surveys
        if s.sample_size is not None and s.sample_size > 0
    }


def _perturbed_weights(
    rng: np.random.Generator, weights_c: np.ndarray, spread: float, draws: int
) -> np.ndarray:
    """draws × fields weights in hundredths: each × U(1 − s, 1 + s), scaled back to the stated
    total and rounded by largest remainder (every row adds up to the total exactly)."""
    total = int(weights_c.sum())
    raw = weights_c[None, :] * rng.uniform(1 - spread, 1 + spread, (draws, len(weights_c)))
    scaled = raw * (total / raw.sum(axis=1, keepdims=True))
    base = np.floor(scaled).astype(np.int64)
    short = total - base.sum(axis=1)
    order = np.argsort(-(scaled - base), axis=1, kind="stable")
    place = np.empty_like(order)
    np.put_along_axis(place, order, np.arange(len(weights_c))[None, :], axis=1)
    out: np.ndarray = base + (place < short[:, None])
    return out


def _ranks(keys: list[tuple[np.ndarray, bool]]) -> np.ndarray:
    """Competition ranks ("1, 2, 2, 4") per row of draws × units for the keys (value, higher
    ranks better?) in priority order: as :func:`parindex.ranking.rank` ranks one block."""
    signed = [k if better_high else -k for k, better_high in keys]
    sortable = [-k for k in signed]  # lexsort is ascending; best first
    order = np.lexsort(sortable[::-1], axis=-1)
    stacked = np.stack([np.take_along_axis(k, order, axis=1) for k in signed])
    n = order.shape[1]
    starts = np.ones(order.shape, dtype=bool)
    if n > 1:
        starts[:, 1:] = (stacked[:, :, 1:] != stacked[:, :, :-1]).any(axis=0)
    in_order = np.maximum.accumulate(np.where(starts, np.arange(1, n + 1)[None, :], 0), axis=1)
    ranks = np.empty_like(in_order)
    np.put_along_axis(ranks, order, in_order, axis=1)
    return ranks


@dataclass
class Prepared:
    """A scored block made ready for draws: the survey rows that vary (their unit, survey key,
    published result in millionths and sample size) and ``indices``, which gives chunk × units
    (index, appraised points, survey points) for chunk × varied rows of survey results (and,
    for a weighted set, chunk × fields weights in hundredths, or None for the stated ones)."""

    varied_rows: list[tuple[str, str]]
    share_u: np.ndarray
    size: np.ndarray
    unit: np.ndarray  # the unit of each varied row (a position in the published order)
    weights_c: np.ndarray
    indices: Callable[[np.ndarray, np.ndarray | None], tuple[np.ndarray, np.ndarray, np.ndarray]]


def prepare(res: BlockResult, surveys: Iterable[SurveyResult]) -> Prepared:
    """What a draw needs of ``res``; raises when its path does not give the published index."""
    loaded = res.criteria
    model = loaded.model
    t = rule_tables(loaded)
    arr = t.arrays
    published = res.agencies
    agencies = [str(a) for a in published["agency"]]
    n_units = len(agencies)
    leaves = res.leaves
    unit = positions(leaves["agency"], pd.Index(agencies, dtype=object))
    pos = positions(leaves["leaf"], t.index)
    final_c = leaves["final_c"].to_numpy(dtype=np.int64)
    tree = (arr["section"][pos] == SECTION_CODE["tree"]) & leaves["applicable"].to_numpy(bool)
    survey_row = leaves["survey"].to_numpy(dtype=bool)
    field_of = arr["field"][pos]
    n_fields = len(t.fields) - 1

    # the rows that vary: a survey leaf scored from a survey result with a sample size
    samples = _samples(surveys)
    state = positions(leaves["state"], pd.Index(STATES, dtype=object))
    no_round = (leaves["round1_c"].to_numpy() < 0) & (leaves["round2_c"].to_numpy() < 0)
    key_of = np.asarray(t.survey_keys + [""], dtype=object)[arr["survey_key"][pos]]
    candidates = np.flatnonzero(tree & survey_row & (state == STATES.index("survey")) & no_round)
    found = [samples.get((agencies[unit[i]], str(key_of[i]))) for i in candidates]
    var = np.array([i for i, f in zip(candidates, found, strict=True) if f], dtype=np.intp)
    share_u = np.array([f[0] for f in found if f], dtype=np.int64)
    size = np.array([f[1] for f in found if f], dtype=np.float64)

    # what stays fixed: per unit × field, the points and maxima of every other counted row
    fixed = tree.copy()
    fixed[var] = False
    got0 = np.zeros((n_units, n_fields), dtype=np.int64)
    np.add.at(got0, (unit[fixed], field_of[fixed]), final_c[fixed])
    mx = np.zeros((n_units, n_fields), dtype=np.int64)
    np.add.at(mx, (unit[tree], field_of[tree]), arr["max_c"][pos[tree]])
    survey0 = np.zeros(n_units, dtype=np.int64)
    fs = fixed & survey_row
    np.add.at(survey0, unit[fs], final_c[fs])
    bonus = published["bonus_c"].to_numpy(dtype=np.int64)
    penalty = published["penalty_c"].to_numpy(dtype=np.int64)
    weights_c = np.array(
        [to_cents(f.weight) if f.weight is not None else 0 for f in model.fields], dtype=np.int64
    )

    rule_columns = {**arr, "table_a": t.table_a, "table_b": t.table_b}
    var_kind = arr["kind"][pos[var]]

    def points(result_u: np.ndarray) -> np.ndarray:
        """chunk × var rows of survey results → their points, by each row's kind."""
        chunk = result_u.shape[0]
        flat_pos = np.tile(pos[var], chunk)
        flat_kind = np.tile(var_kind, chunk)
        flat_u = result_u.ravel()
        out = np.zeros(len(flat_u), dtype=np.int64)
        for code in np.unique(var_kind):
            idx = np.flatnonzero(flat_kind == code)
            rows = Rows(Taken(rule_columns, flat_pos[idx]), {"survey_u": flat_u[idx]})
            out[idx] = RULE_KINDS[int(code)].points(rows)
        return out.reshape(result_u.shape)

    def indices(
        result_u: np.ndarray, w: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """chunk × units: index, appraised and survey points, as aggregate_rows computes them."""
        chunk = result_u.shape[0]
        pts = points(result_u)
        got = np.repeat(got0[None], chunk, axis=0)
        cells = n_units * n_fields
        at = np.arange(chunk)[:, None] * cells + (unit[var] * n_fields + field_of[var])[None]
        np.add.at(got.reshape(-1), at.ravel(), pts.ravel())
        survey_c = survey0[None] + _per_unit(pts, unit[var], n_units)
        if model.weighted:
            wt = weights_c[None, None, :] if w is None else w[:, None, :]
            safe = np.where(mx > 0, mx, 1)[None]
            tree_c = np.where(mx[None] > 0, half_up_div(got * wt, safe), 0).sum(axis=2)
            applicable = np.where(mx[None] > 0, wt, 0).sum(axis=2)
        else:
            tree_c = got.sum(axis=2)
            applicable = np.repeat(mx.sum(axis=1)[None], chunk, axis=0)
        total = np.maximum(tree_c + bonus[None] - penalty[None], 0)
        # appraised points as aggregate_rows has them: unweighted, before the weights
        return _index_u(total, applicable), got.sum(axis=2) - survey_c, survey_c

    # the engine's published figures must come out of the same path: a check of the path
    check, appraised_check, survey_check = indices(share_u[None], None)
    if not (
        np.array_equal(check[0], published["index_u"].to_numpy(dtype=np.int64))
        and np.array_equal(survey_check[0], published["survey_c"].to_numpy(dtype=np.int64))
        and np.array_equal(appraised_check[0], published["appraised_c"].to_numpy(dtype=np.int64))
    ):
        raise PathMismatch(model.block)
    return Prepared(
        [(agencies[unit[i]], str(key_of[i])) for i in var],
        share_u,
        size,
        unit[var],
        weights_c,
        indices,
    )


def block_robustness(
    res: BlockResult,
    surveys: Iterable[SurveyResult],
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    weight_spread: Decimal | None = None,
    progress: Callable[[int], None] | None = None,
) -> BlockRobustness:
    """The rank intervals of one scored block (see the module's text)."""
    model = res.criteria.model
    published = res.agencies
    n_units = len(published)
    ready = prepare(res, surveys)
    k = ready.share_u / SHARE_UNIT * ready.size
    alpha, beta = k + 0.5, ready.size - k + 0.5
    n_var = len(ready.share_u)
    bonus = published["bonus_c"].to_numpy(dtype=np.int64)
    penalty = published["penalty_c"].to_numpy(dtype=np.int64)
    perturb = model.weighted and weight_spread is not None and weight_spread > 0
    thresholds = np.array([int(b.at_least * 100) for b in model.bands], dtype=np.int64)
    ss = np.random.SeedSequence([seed, zlib.crc32(model.block.encode())])
    share_seq, weight_seq = ss.spawn(2)
    share_rng, weight_rng = np.random.default_rng(share_seq), np.random.default_rng(weight_seq)
    all_ranks = np.empty((draws, n_units), dtype=np.int32)
    band_draws = np.zeros((n_units, len(thresholds)), dtype=np.int64)
    tie_cols = [TIE_KEY_COLUMNS[key] for key in model.tie_break]
    for start in range(0, draws, CHUNK):
        chunk = min(CHUNK, draws - start)
        drawn = share_rng.beta(alpha[None], beta[None], size=(chunk, n_var))
        result_u = np.floor(drawn * SHARE_UNIT + 0.5).astype(np.int64)  # half up, as the file
        w = None
        if perturb:
            assert weight_spread is not None
            w = _perturbed_weights(weight_rng, ready.weights_c, float(weight_spread), chunk)
        index_u, appraised_c, survey_c = ready.indices(result_u, w)
        keys: list[tuple[np.ndarray, bool]] = [(index_u, True)]
        for column, ascending in tie_cols:
            value = {
                "appraised_c": appraised_c,
                "survey_c": survey_c,
                "bonus_c": np.broadcast_to(bonus, index_u.shape),
                "penalty_c": np.broadcast_to(penalty, index_u.shape),
            }[column]
            keys.append((value, not ascending))
        all_ranks[start : start + chunk] = _ranks(keys)
        band = (index_u[..., None] < thresholds).sum(axis=-1)  # 0: the highest band
        band = np.minimum(band, len(thresholds) - 1)
        np.add.at(band_draws, (np.broadcast_to(np.arange(n_units), band.shape), band), 1)
        if progress:
            progress(chunk)
    all_ranks.sort(axis=0)
    low = all_ranks[-(-LOW * draws // 100) - 1]
    high = all_ranks[-(-HIGH * draws // 100) - 1]
    varied = np.zeros(n_units, dtype=bool)
    varied[ready.unit] = True
    return BlockRobustness(
        str(model.block),
        [str(a) for a in published["agency"]],
        [str(n) for n in published["name"]],
        published["rank"].to_numpy(dtype=np.int64),
        published["index_u"].to_numpy(dtype=np.int64),
        [str(b) for b in published["band"]],
        low.astype(np.int64),
        high.astype(np.int64),
        [b.name for b in model.bands],
        band_draws,
        varied,
        bool(perturb),
    )


def _per_unit(pts: np.ndarray, units: np.ndarray, n_units: int) -> np.ndarray:
    """chunk × rows points summed per unit: chunk × units."""
    out = np.zeros(pts.shape[0] * n_units, dtype=np.int64)
    at = np.arange(pts.shape[0])[:, None] * n_units + units[None]
    np.add.at(out, at.ravel(), pts.ravel())
    return out.reshape(pts.shape[0], n_units)


def robustness(
    blocks: dict[str, BlockResult],
    surveys: Iterable[SurveyResult],
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    weight_spread: Decimal | None = None,
    progress: Callable[[int], None] | None = None,
) -> Robustness:
    """Every block's rank intervals (``progress`` is told of each chunk of draws done)."""
    if draws < MIN_DRAWS:
        raise ValueError(f"at least {MIN_DRAWS} draws")
    surveys = list(surveys)
    out = Robustness(draws, seed, weight_spread)
    for block, res in blocks.items():
        out.blocks[block] = block_robustness(
            res,
            surveys,
            draws=draws,
            seed=seed,
            weight_spread=weight_spread,
            progress=progress,
        )
    return out
