"""Year over year: last year's published results, and agencies renamed, merged or new.

Last year's results are read from parindex's own output (``parindex score --csv`` or
``--json``, or the ``ket-qua-<year>.csv`` written beside the decision table). A mapping file says
which of this year's agencies continue which of last year's::

    agency,previous,change
    tx-an-phu,huyen-an-phu,renamed
    so-tai-chinh,so-tai-chinh;so-ke-hoach-dau-tu,merged
    xa-quang-tri,,new

Renamed agencies are compared with their previous result; merged and new ones are shown as such,
never as a bogus change.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from parindex.errors import Issue, Location
from parindex.export import csv_key
from parindex.text import TextError, parse_number

CHANGES = ("renamed", "merged", "new", "same")
CHANGE_LABELS = {
    "renamed": "Đổi tên từ {previous}",
    "merged": "Hợp nhất từ {previous}",
    "new": "Đơn vị mới",
    "none": "Không có kết quả năm trước",
    "same": "",
}


@dataclass(frozen=True)
class PreviousResult:
    block: str
    agency: str
    name: str
    index_u: int  # hundredths of a percent
    rank: int


@dataclass(frozen=True)
class Comparison:
    """This year's agency against last year: changes are None when not comparable."""

    change: str  # same | renamed | merged | new | none
    previous_index_u: int | None
    previous_rank: int | None
    index_change_u: int | None  # + = up
    rank_change: int | None  # + = climbed that many places
    note: str


def read_previous(path: Path) -> tuple[dict[str, PreviousResult], list[Issue]]:
    """Last year's results by agency id, from our CSV or JSON output."""
    file = str(path)
    issues: list[Issue] = []
    out: dict[str, PreviousResult] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}, [Issue.make("file-not-found", Location(file=file))]
    rows: list[dict[str, object]]
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            return {}, [Issue.make("file-unreadable", Location(file=file), detail=e)]
        rows = [{"block": b["block"], **a} for b in data.get("blocks", []) for a in b["agencies"]]
    else:
        # our CSV: Vietnamese column names (or, written before them, the keys)
        rows = [
            {csv_key(k): v for k, v in row.items() if k is not None}
            for row in csv.DictReader(text.splitlines())
        ]
    for n, row in enumerate(rows, start=2):
        missing = [k for k in ("block", "agency", "index", "rank") if row.get(k) in (None, "")]
        if missing:
            issues.append(
                Issue.make(
                    "missing-key", Location(file=file, row=n, path=missing[0]), key=missing[0]
                )
            )
            continue
        index = parse_number(row["index"])
        rank = parse_number(row["rank"])
        if isinstance(index, TextError) or isinstance(rank, TextError):
            issues.append(
                Issue.make(
                    "survey-not-a-number",
                    Location(file=file, row=n, path="index"),
                    value=row["index"],
                )
            )
            continue
        agency = str(row["agency"])
        out[agency] = PreviousResult(
            str(row["block"]),
            agency,
            str(row.get("name") or agency),
            int((index * 100).to_integral_value()),
            int(rank),
        )
    return out, issues


def read_mapping(path: Path) -> tuple[dict[str, tuple[str, list[str]]], list[Issue]]:
    """agency → (change, previous ids)."""
    file = str(path)
    out: dict[str, tuple[str, list[str]]] = {}
    issues: list[Issue] = []
    if not path.exists():
        return {}, []
    for n, row in enumerate(
        csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()), start=2
    ):
        agency = (row.get("agency") or "").strip()
        change = (row.get("change") or "").strip()
        previous = [p.strip() for p in (row.get("previous") or "").split(";") if p.strip()]
        if not agency:
            issues.append(
                Issue.make("missing-key", Location(file=file, row=n, path="agency"), key="agency")
            )
            continue
        if change not in CHANGES:
            issues.append(
                Issue.make(
                    "bad-value",
                    Location(file=file, row=n, path="change"),
                    value=change,
                    detail=f"change: {' | '.join(CHANGES)}",
                )
            )
            continue
        out[agency] = (change, previous)
    return out, issues


def compare(
    agency: str,
    index_u: int,
    rank: int,
    previous: dict[str, PreviousResult],
    mapping: dict[str, tuple[str, list[str]]],
    names: dict[str, str] | None = None,
) -> Comparison:
    names = names or {}
    change, before = mapping.get(agency, ("same", [agency]))
    if change == "new":
        return Comparison("new", None, None, None, None, CHANGE_LABELS["new"])
    label_prev = ", ".join(previous[p].name if p in previous else names.get(p, p) for p in before)
    if change == "merged":
        return Comparison(
            "merged", None, None, None, None, CHANGE_LABELS["merged"].format(previous=label_prev)
        )
    key = before[0] if before else agency
    prev = previous.get(key)
    if prev is None:
        return Comparison("none", None, None, None, None, CHANGE_LABELS["none"])
    note = CHANGE_LABELS[change].format(previous=label_prev) if change == "renamed" else ""
    return Comparison(
        change, prev.index_u, prev.rank, index_u - prev.index_u, prev.rank - rank, note
    )


def describe(c: Comparison) -> str:
    """'tăng 4,30 điểm và tăng 01 bậc' style text."""
    if c.index_change_u is None or c.rank_change is None:
        return c.note
    d = Decimal(c.index_change_u).scaleb(-2)
    idx = ("tăng " if d > 0 else "giảm " if d < 0 else "không đổi") + (
        f"{abs(d):.2f}".replace(".", ",") if d else ""
    )
    r = c.rank_change
    rk = f"tăng {r:02d} bậc" if r > 0 else f"giảm {-r:02d} bậc" if r < 0 else "giữ nguyên thứ hạng"
    return f"Chỉ số {idx.strip()}, {rk}"
