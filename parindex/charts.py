"""Charts: a ranking chart per block (bands coloured) and a field profile per agency.

Rendered with matplotlib's bundled DejaVu Sans, which has every Vietnamese glyph; written as PNG
(embedded in the workbook) and SVG. A block of up to ``RANKING_BARS`` agencies gets one bar per
agency; a larger one (a thousand bars cannot be read) gets the distribution of its indices and its
first and last ``EXTREMES`` agencies by name.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import textwrap
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

if TYPE_CHECKING:  # the profile workers need not import the engine (pandas) to start
    from parindex.scoring import BlockResult

BAND_COLOURS = ["#1b7837", "#5aae61", "#a6dba0", "#fdb863", "#e66101", "#b2182b", "#762a83"]
FONT = "DejaVu Sans"
RANKING_BARS = 100  # above this many agencies, the distribution and the extremes instead of bars
EXTREMES = 10  # agencies shown by name at each end of a large block
DISTRIBUTION_HEIGHT = 11.5  # inches


def _setup() -> None:
    plt.rcParams.update(
        {
            "font.family": FONT,
            "svg.fonttype": "none",
            "svg.hashsalt": "parindex",  # stable ids: the same data gives the same SVG
            "path.simplify": False,
        }
    )


def _save(fig: Figure, out_stem: Path) -> Path:
    """PNG and SVG beside each other, without timestamps (same data → same files)."""
    png = out_stem.with_suffix(".png")
    fig.savefig(png, metadata={"Software": None})
    fig.savefig(out_stem.with_suffix(".svg"), metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return png


def band_colours(res: BlockResult) -> dict[str, str]:
    bands = [b.name for b in res.criteria.model.bands]
    return {name: BAND_COLOURS[i % len(BAND_COLOURS)] for i, name in enumerate(bands)}


def ranking_chart_height(agencies: int) -> float:
    """The ranking chart's height in inches (the chart sheet puts the profiles below it)."""
    if agencies > RANKING_BARS:
        return DISTRIBUTION_HEIGHT
    return max(3.0, 0.32 * agencies + 1.4)


def ranking_chart(res: BlockResult, year: int, out_stem: Path) -> Path:
    """Horizontal bars, rank 1 at the top — or, for a block of more than ``RANKING_BARS``
    agencies, the distribution and the extremes; returns the PNG path (an SVG beside it)."""
    if len(res.agencies) > RANKING_BARS:
        return distribution_chart(res, year, out_stem)
    _setup()
    frame = res.agencies
    colours = band_colours(res)
    n = len(frame)
    fig, ax = plt.subplots(figsize=(10, ranking_chart_height(n)), dpi=110)
    labels = [f"{r}. {name}" for r, name in zip(frame["rank"], frame["name"], strict=True)]
    values = [int(v) / 100 for v in frame["index_u"]]
    ax.barh(range(n), values, color=[colours[b] for b in frame["band"]])
    ax.set_yticks(range(n), labels, fontsize=8)
    ax.invert_yaxis()
    for i, v in enumerate(values):
        ax.text(v + 0.3, i, _comma(v), va="center", fontsize=7)
    lo = max(0.0, min(values, default=0) - 10)
    ax.set_xlim(lo, 100)
    ax.set_xlabel("Chỉ số CCHC (%)")
    ax.set_title(_title(res, year), fontsize=11)
    _band_legend(ax, res, set(frame["band"]), "lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, out_stem)


def distribution_chart(res: BlockResult, year: int, out_stem: Path) -> Path:
    """A large block: how many agencies reached each index (1-point bins, coloured by band, the
    band thresholds marked), then its first and last ``EXTREMES`` agencies as ranked bars."""
    _setup()
    model = res.criteria.model
    frame = res.agencies
    colours = band_colours(res)
    n = len(frame)
    values = [int(v) / 100 for v in frame["index_u"]]
    bands = list(frame["band"])
    fig, (hist, ends) = plt.subplots(
        2,
        1,
        figsize=(10, DISTRIBUTION_HEIGHT),
        dpi=110,
        gridspec_kw={"height_ratios": [1, 1.9]},
    )
    lo = max(0, int(min(values)) - 1)
    edges = list(range(lo, 102))
    present = [b.name for b in model.bands if b.name in set(bands)]
    hist.hist(
        [[v for v, b in zip(values, bands, strict=True) if b == name] for name in present],
        bins=edges,
        stacked=True,
        color=[colours[b] for b in present],
    )
    for band in model.bands:
        if lo < band.at_least <= 100:
            x = float(band.at_least)
            hist.axvline(x, color="#444444", linestyle="--", linewidth=0.8)
            hist.text(
                x + 0.2, 0.97, band.name, transform=hist.get_xaxis_transform(), va="top", fontsize=7
            )
    mean, median = statistics.fmean(values), statistics.median(values)
    hist.set_xlim(lo, 101)
    hist.set_xlabel("Chỉ số CCHC (%)", fontsize=9)
    hist.set_ylabel("Số đơn vị", fontsize=9)
    hist.set_title(f"{n} đơn vị — bình quân {_comma(mean)}, trung vị {_comma(median)}", fontsize=9)
    hist.grid(axis="y", alpha=0.3)
    _band_legend(hist, res, set(bands), "upper right")

    k = min(EXTREMES, n // 2)
    picked = list(range(k)) + list(range(n - k, n))
    ys = list(range(k)) + list(range(k + 1, 2 * k + 1))  # a gap row between the two ends
    labels = [f"{frame['rank'].iloc[i]}. {frame['name'].iloc[i]}" for i in picked]
    ends.barh(ys, [values[i] for i in picked], color=[colours[bands[i]] for i in picked])
    ends.set_yticks(ys, labels, fontsize=8)
    ends.invert_yaxis()
    for y, i in zip(ys, picked, strict=True):
        ends.text(values[i] + 0.3, y, _comma(values[i]), va="center", fontsize=7)
    ends.text(
        0.5,
        k,
        f"… {n - 2 * k} đơn vị xếp hạng {k + 1}–{n - k}: xem bảng xếp hạng …",
        transform=ends.get_yaxis_transform(),
        ha="center",
        va="center",
        fontsize=8,
        style="italic",
    )
    ends.set_xlim(max(0.0, min(values) - 10), 100)
    ends.set_xlabel("Chỉ số CCHC (%)", fontsize=9)
    ends.set_title(f"{k} đơn vị đứng đầu và {k} đơn vị cuối bảng", fontsize=9)
    ends.grid(axis="x", alpha=0.3)
    fig.suptitle(_title(res, year), fontsize=11)
    fig.tight_layout()
    return _save(fig, out_stem)


def _title(res: BlockResult, year: int) -> str:
    model = res.criteria.model
    title = f"Chỉ số CCHC năm {year} — {model.block_name}"
    return title + " (dữ liệu mẫu)" if model.sample else title


def _band_legend(
    ax: Axes,
    res: BlockResult,
    bands: set[str],
    loc: Literal["lower right", "upper left", "upper right"],
) -> None:
    colours = band_colours(res)
    present = [b.name for b in res.criteria.model.bands if b.name in bands]
    ax.legend(
        handles=[Patch(color=colours[b], label=b) for b in present],
        loc=loc,
        fontsize=8,
        title="Xếp loại",
        title_fontsize=8,
    )


def _comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def profile_data(res: BlockResult, agency: str) -> tuple[str, list[str], list[float], list[float]]:
    """Title, field labels, the agency's component indices and the block's averages (%)."""
    model = res.criteria.model
    comp = res.components[res.components["level"] == "field"]
    mine = comp[comp["agency"] == agency].set_index("code")
    mean = comp.groupby("code")["index_u"].mean()
    codes = [f.code for f in model.fields]
    labels = [textwrap.shorten(f"{f.code}. {f.name}", 48, placeholder="…") for f in model.fields]
    values = [int(str(mine.loc[c, "index_u"])) / 100 if c in mine.index else 0.0 for c in codes]
    averages = [float(mean.get(c, 0)) / 100 for c in codes]
    name = res.agencies.loc[res.agencies["agency"] == agency, "name"].iloc[0]
    return f"{name}: chỉ số theo lĩnh vực", labels, values, averages


def block_profiles(res: BlockResult) -> dict[str, tuple[str, list[str], list[float], list[float]]]:
    """``profile_data`` of every agency of the block, in one pass over its components (looking
    each agency up in the whole frame made the chart sheets quadratic in the block's size)."""
    model = res.criteria.model
    comp = res.components[res.components["level"] == "field"]
    mean = comp.groupby("code")["index_u"].mean()
    codes = [f.code for f in model.fields]
    labels = [textwrap.shorten(f"{f.code}. {f.name}", 48, placeholder="…") for f in model.fields]
    averages = [float(mean.get(c, 0)) / 100 for c in codes]
    index = {
        (str(a), str(c)): int(u)
        for a, c, u in zip(comp["agency"], comp["code"], comp["index_u"], strict=True)
    }
    out = {}
    for agency, name in zip(res.agencies["agency"].astype(str), res.agencies["name"], strict=True):
        values = [index[(agency, c)] / 100 if (agency, c) in index else 0.0 for c in codes]
        out[agency] = (f"{name}: chỉ số theo lĩnh vực", labels, values, list(averages))
    return out


def render_profile(
    title: str, labels: list[str], values: list[float], averages: list[float], out_stem: Path
) -> Path:
    """Draw one field profile (PNG and SVG); plain arguments so it can run in a worker process."""
    _setup()
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(labels) + 1.2), dpi=80)
    ys = range(len(labels))
    ax.barh([y - 0.2 for y in ys], values, height=0.4, label="Đơn vị", color="#2166ac")
    ax.barh([y + 0.2 for y in ys], averages, height=0.4, label="Bình quân khối", color="#bbbbbb")
    ax.set_yticks(list(ys), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Chỉ số thành phần (%)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.tight_layout()
    return _save(fig, out_stem)


def cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _render_star(args: tuple[str, list[str], list[float], list[float], Path]) -> Path:
    return render_profile(*args)


def profile_charts(
    jobs: list[tuple[str, list[str], list[float], list[float], Path]],
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Render many profiles, on every core; results in the order of ``jobs``."""
    workers = min(cores(), 4)
    if workers < 2 or len(jobs) < 8:
        out = []
        for job in jobs:
            out.append(render_profile(*job))
            if progress:
                progress(1)
        return out
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        out = []
        for path in pool.map(_render_star, jobs, chunksize=4):
            out.append(path)
            if progress:
                progress(1)
        return out


def interval_chart_height(agencies: int) -> float:
    """The rank-interval chart's height in inches."""
    return ranking_chart_height(agencies)


def interval_chart(
    names: list[str],
    rank: list[int],
    low: list[int],
    high: list[int],
    title: str,
    out_stem: Path,
) -> Path:
    """How sure each rank is: per unit (rank 1 at the top) a line from its rank at the 5th
    percentile to its rank at the 95th and a dot at its published rank — or, for more than
    ``RANKING_BARS`` units, the band between the two percentiles against the published rank.
    Returns the PNG path (an SVG beside it)."""
    _setup()
    n = len(names)
    if n > RANKING_BARS:
        fig, ax = plt.subplots(figsize=(10, interval_chart_height(n)), dpi=110)
        ax.fill_between(rank, low, high, color="#9ecae1", step="mid", label="Khoảng hạng 90 %")
        ax.plot(rank, rank, color="#08519c", linewidth=0.8, label="Hạng công bố")
        ax.set_xlabel("Hạng công bố", fontsize=9)
        ax.set_ylabel("Hạng (phân vị 5 %–95 %)", fontsize=9)
        ax.invert_yaxis()
        ax.legend(fontsize=8, loc="upper left")
        ax.set_title(f"{title} — {n} đơn vị", fontsize=11)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        return _save(fig, out_stem)
    fig, ax = plt.subplots(figsize=(10, interval_chart_height(n)), dpi=110)
    ys = list(range(n))
    ax.hlines(ys, low, high, color="#6baed6", linewidth=5, label="Khoảng hạng 90 % (5 %–95 %)")
    ax.plot(rank, ys, "o", color="#08519c", markersize=5, label="Hạng công bố")
    ax.set_yticks(ys, [f"{r}. {name}" for r, name in zip(rank, names, strict=True)], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0.5, max([n, *high]) + 0.5)
    ax.set_xlabel("Hạng", fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, loc="upper right")  # the top rows sit at the left
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, out_stem)
