"""Charts: a ranking bar chart per block (bands coloured) and a field profile per agency.

Rendered with matplotlib's bundled DejaVu Sans, which has every Vietnamese glyph; written as PNG
(embedded in the workbook) and SVG.
"""

from __future__ import annotations

import multiprocessing
import os
import textwrap
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from parindex.scoring import BlockResult  # noqa: E402

BAND_COLOURS = ["#1b7837", "#5aae61", "#a6dba0", "#fdb863", "#e66101", "#b2182b", "#762a83"]
FONT = "DejaVu Sans"


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


def ranking_chart(res: BlockResult, year: int, out_stem: Path) -> Path:
    """Horizontal bars, rank 1 at the top; returns the PNG path (an SVG is written beside it)."""
    _setup()
    model = res.criteria.model
    frame = res.agencies
    colours = band_colours(res)
    n = len(frame)
    fig, ax = plt.subplots(figsize=(10, max(3.0, 0.32 * n + 1.4)), dpi=110)
    labels = [f"{r}. {name}" for r, name in zip(frame["rank"], frame["name"], strict=True)]
    values = [int(v) / 100 for v in frame["index_u"]]
    ax.barh(range(n), values, color=[colours[b] for b in frame["band"]])
    ax.set_yticks(range(n), labels, fontsize=8)
    ax.invert_yaxis()
    for i, v in enumerate(values):
        ax.text(v + 0.3, i, f"{v:.2f}".replace(".", ","), va="center", fontsize=7)
    lo = max(0.0, min(values, default=0) - 10)
    ax.set_xlim(lo, 100)
    ax.set_xlabel("Chỉ số CCHC (%)")
    title = f"Chỉ số CCHC năm {year} — {model.block_name}"
    if model.sample:
        title += " (dữ liệu mẫu)"
    ax.set_title(title, fontsize=11)
    present = [b.name for b in model.bands if b.name in set(frame["band"])]
    ax.legend(
        handles=[Patch(color=colours[b], label=b) for b in present],
        loc="lower right",
        fontsize=8,
        title="Xếp loại",
        title_fontsize=8,
    )
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _save(fig, out_stem)


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


def _render_star(args: tuple[str, list[str], list[float], list[float], Path]) -> Path:
    return render_profile(*args)


def profile_charts(
    jobs: list[tuple[str, list[str], list[float], list[float], Path]],
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Render many profiles, on every core; results in the order of ``jobs``."""
    workers = min(os.cpu_count() or 1, 4)
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
