"""Small data folders of one or two years, written in ``tmp_path``, for the year-over-year tests.

Each block's set has one leaf of 100 points scored by hand (``manual``, step 0.01), so a unit's
index is the score it is given: a test states indices and reads ranks and changes by hand.
Last year's results are written as parindex writes them (``ket-qua-<year>.csv``), with the
applicable maximum of each unit when it is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SET = """id: {block}-{year}
year: {year}
block: {block}
block_name: "Khối {block}"
title: "Bộ tiêu chí thử {block} năm {year}"
{extra}bands:
  - {{name: "Tốt", at_least: 80}}
  - {{name: "Khác", at_least: 0}}
fields:
  - code: "1"
    name: "Lĩnh vực 1"
    max: {max}
    criteria:
      - code: "1.1"
        name: "Tiêu chí 1.1"
        max: {max}
        subcriteria:
          - code: "1.1.1"
            name: "Đánh giá chung"
            max: {max}
            evidence: none
            rule: {{kind: manual, step: 0.01, wording: "Từ 0 đến {max} điểm"}}
"""


def criteria_text(
    block: str, year: int, *, compare_with: list[str] | None = None, top: int = 100, extra: str = ""
) -> str:
    lines = extra
    if compare_with is not None:
        lines += f"compare_with: [{', '.join(compare_with)}]\n"
    return SET.format(block=block, year=year, extra=lines, max=top)


def write_year(
    root: Path,
    year: int,
    blocks: dict[str, dict[str, Any]],
    *,
    compare_with: dict[str, list[str]] | None = None,
    lineage: str | None = None,
    agency_types: dict[str, str] | None = None,
) -> Path:
    """``criteria/<year>/<block>.yaml`` and ``submissions/<year>/``: ``blocks`` maps each block
    to its units and their scores (= indices)."""
    cdir, sdir = root / "criteria" / str(year), root / "submissions" / str(year)
    cdir.mkdir(parents=True, exist_ok=True)
    sdir.mkdir(parents=True, exist_ok=True)
    header = "id,name,block" + (",type" if agency_types is not None else "")
    lines = [header]
    for block, units in blocks.items():
        (cdir / f"{block}.yaml").write_text(
            criteria_text(block, year, compare_with=(compare_with or {}).get(block)),
            encoding="utf-8",
        )
        (sdir / block).mkdir(exist_ok=True)
        for unit, score in units.items():
            row = f"{unit},Đơn vị {unit},{block}"
            if agency_types is not None:
                row += f",{agency_types.get(unit, '')}"
            lines.append(row)
            (sdir / block / f"{unit}.yaml").write_text(
                f"agency: {unit}\nyear: {year}\nleaves:\n  1.1.1: {{score: {score}}}\n",
                encoding="utf-8",
            )
    (sdir / "agencies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if lineage is not None:
        (sdir / "lineage.csv").write_text(lineage, encoding="utf-8")
    return root


def write_results(
    root: Path, year: int, rows: list[tuple[str, int, str, str, Any]], *, maxima: bool = True
) -> Path:
    """Last year's ``ket-qua-<year>.csv``: rows of (block, rank, unit, index, applicable max)."""
    sdir = root / "submissions" / str(year)
    sdir.mkdir(parents=True, exist_ok=True)
    head = "year,block,rank,agency,name,index" + (",applicable_max" if maxima else "")
    lines = [head]
    for block, rank, unit, index, top in rows:
        line = f"{year},{block},{rank},{unit},Đơn vị {unit},{index}"
        lines.append(line + (f",{top}" if maxima else ""))
    path = sdir / f"ket-qua-{year}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
