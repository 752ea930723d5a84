"""Year over year: last year's published results, and the one comparison of this year's units
with them through the lineage (:mod:`parindex.lineage`).

Last year's results are read from parindex's own output (``parindex score --csv`` or
``--json``, or the ``ket-qua-<year>.csv`` written beside the decision table), with each unit's
applicable maximum (``applicable_max``), which the weighted average of a merged unit needs.
The file is a table people open and save in Excel, so its bytes are read by
:mod:`parindex.tables` (UTF-8 with or without a byte-order mark, UTF-16, Windows-1258; comma,
semicolon or tab), its ids by :func:`parindex.text.identifier` (NFC, one character set) and its
numbers by :mod:`parindex.text`. Nothing is dropped or read wrongly without a word: a short row,
a duplicate, an index with more than 2 decimals, a rank that is not a whole number, a file of
another year — each is an issue located by row and column.

The comparison (:func:`compare_block`, stated by :func:`method_text` in every output; see
docs/decisions.md, "Year over year through the lineage"): a unit is compared with its
predecessors that have last year's results in the blocks its criteria set is compared with
(``compare_with``) — one predecessor: its index; several: the average of their indices weighted
by their applicable maxima. Ranks are compared among this year's comparable peers: within this
year's block, the units with a previous index are ranked twice, by that index and by this
year's, and the rank change is the difference. A new unit, or one whose predecessors were all
in other blocks, is marked, not compared, and left out of both rankings.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.errors import Issue, Location
from parindex.export import csv_key
from parindex.lineage import Lineage
from parindex.tables import TableError, decode, misfit_row, read_file, read_rows
from parindex.text import (
    TextError,
    clean,
    identifier,
    is_blank,
    parse_count,
    parse_number,
    parse_score,
)
from parindex.units import half_up_div

#: the columns of last year's results that are read (others, e.g. the field columns, are not)
PREVIOUS_COLUMNS = ("block", "agency", "index", "rank")
#: how a comparison's note begins, by the change that made the unit
FROM = {"merged": "Hợp nhất từ", "split": "Chia tách từ", "renamed": "Đổi tên từ"}
NOTES = {
    "new": "Đơn vị mới — không so sánh",
    "none": "Không có kết quả năm trước — không so sánh",
    "other-block": "Đơn vị trước sắp xếp thuộc khối khác — không so sánh",
    "no-max": "không so sánh: kết quả năm trước không có điểm tối đa áp dụng",
}


def method_text(previous_year: int) -> str:
    """The comparison with last year in one Vietnamese paragraph, as every output states it."""
    p = previous_year
    return (
        f"So sánh với năm {p} theo lịch sử sắp xếp đơn vị. Chỉ số năm {p} được so sánh: của "
        "chính đơn vị, hoặc của đơn vị trước sắp xếp nếu chỉ có một; nếu có nhiều (hợp nhất, "
        "chia tách), bình quân Chỉ số của chúng có trọng số là điểm tối đa áp dụng (Σ Chỉ số × "
        "điểm tối đa áp dụng / Σ điểm tối đa áp dụng, làm tròn 2 chữ số thập phân, nửa lên); chỉ "
        f"tính đơn vị thuộc khối năm {p} được so sánh (khóa “compare_with” của bộ tiêu chí; mặc "
        "định: khối cùng mã). Thứ hạng được so sánh giữa các đơn vị so sánh được của khối năm "
        f"đánh giá: hạng năm {p} = 1 + số đơn vị đó có Chỉ số năm {p} được so sánh cao hơn, hạng "
        "năm đánh giá = 1 + số đơn vị đó có Chỉ số năm đánh giá cao hơn, thay đổi = hạng năm "
        f"{p} − hạng năm đánh giá (dương là tăng bậc). Đơn vị mới, có mọi đơn vị trước sắp xếp "
        f"thuộc khối khác hoặc không có kết quả năm {p} thì không so sánh và không được tính vào "
        "hai thứ hạng này."
    )


@dataclass(frozen=True)
class PreviousResult:
    block: str
    agency: str
    name: str
    index_u: int  # hundredths of a percent
    rank: int
    applicable_u: int | None = None  # hundredths of a point; None: not in the file


@dataclass(frozen=True)
class Comparison:
    """This year's unit against last year: changes are None when not comparable."""

    change: str  # same | renamed | merged | split | new | none | other-block
    previous_index_u: int | None
    #: the rank of ``previous_index_u`` among this year's comparable peers (the units of this
    #: year's block that have a previous index): 1 + the number of them above it
    previous_rank: int | None
    index_change_u: int | None  # + = up
    rank_change: int | None  # previous_rank − comparable_rank: + = climbed that many places
    note: str
    #: last year's units it was compared with
    predecessors: tuple[str, ...] = ()
    #: this year's rank among the same peers: 1 + the number of them with a higher index
    comparable_rank: int | None = None


def _table(path: Path) -> tuple[int, list[str], list[tuple[int, list[Any]]]] | Issue:
    """(header row, header cells cleaned, data rows) of a CSV/XLSX file, or its one issue."""
    file = str(path)
    try:
        rows = read_rows(path)
    except FileNotFoundError:
        return Issue.make("file-not-found", Location(file=file))
    except TableError as e:
        return e.issue(file)
    if not rows:
        return Issue.make("history-empty", Location(file=file, row=1))
    header_row, header = rows[0]
    return header_row, [clean(c) for c in header], rows[1:]


def _text_issue(got: TextError, where: Location) -> Issue:
    return Issue.make(got.code, where, **got.params)


def read_previous(
    path: Path, year: int | None = None
) -> tuple[dict[str, PreviousResult], list[Issue]]:
    """Last year's results by agency id, from our CSV (Vietnamese column names or the keys)
    or JSON output. ``year``: the year the file must be of (its ``year`` column or key)."""
    if path.suffix.lower() == ".json":
        return _read_previous_json(path, year)
    file = str(path)
    table = _table(path)
    if isinstance(table, Issue):
        return {}, [table]
    header_row, header, rows = table
    keys = [csv_key(h) for h in header]
    index = {key: i for i, key in reversed(list(enumerate(keys))) if key}
    missing = [c for c in PREVIOUS_COLUMNS if c not in index]
    if missing:
        return {}, [
            Issue.make("history-missing-column", Location(file=file, row=header_row, path=c), key=c)
            for c in missing
        ]
    width = max(i + 1 for i, h in enumerate(header) if h)
    out: dict[str, PreviousResult] = {}
    first: dict[str, str] = {}  # agency → where it was first: "dòng 3"
    issues: list[Issue] = []
    for n, row in rows:
        short = misfit_row(file, n, row, width)
        if short:
            issues.append(short)
            continue

        def cell(key: str, row: list[Any] = row) -> Any:
            i = index.get(key)
            return row[i] if i is not None and i < len(row) else None

        def loc(key: str, n: int = n) -> Location:
            return Location(file=file, row=n, path=header[index[key]])

        got = _previous_row(cell, loc, year)
        if isinstance(got, list):
            issues.extend(got)
            continue
        if got.agency in out:
            issues.append(
                Issue.make(
                    "history-duplicate-agency",
                    loc("agency"),
                    value=got.agency,
                    detail=first[got.agency],
                )
            )
            continue
        out[got.agency] = got
        first[got.agency] = f"dòng {n}"
    return out, issues


def _previous_row(
    cell: Callable[[str], Any], loc: Callable[[str], Location], year: int | None
) -> PreviousResult | list[Issue]:
    """One agency's result from its cells, or the issues of the row (each at its column)."""
    issues: list[Issue] = []
    values: dict[str, Any] = {}
    for key in PREVIOUS_COLUMNS:
        raw = cell(key)
        if is_blank(raw):
            issues.append(Issue.make("missing-key", loc(key), key=key))
            continue
        got: Any
        if key in ("block", "agency"):
            got = identifier(raw)  # as written: a space or a look-alike is refused, not fixed
        elif key == "index":
            got = parse_number(raw)
            if not isinstance(got, TextError) and got != got.quantize(Decimal("0.01")):
                got = TextError("history-index-precision", {"value": str(raw).strip()})
        else:
            got = parse_count(raw)
            if got == 0:
                got = TextError("history-rank-zero", {"value": str(raw).strip()})
        if isinstance(got, TextError):
            issues.append(_text_issue(got, loc(key)))
        else:
            values[key] = got
    if year is not None and not is_blank(cell("year")):
        written = parse_count(cell("year"))
        if written != year:
            issues.append(
                Issue.make(
                    "history-wrong-year",
                    loc("year"),
                    value=str(cell("year")).strip(),
                    expected=year,
                )
            )
    applicable: int | None = None
    if not is_blank(cell("applicable_max")):
        got = parse_score(cell("applicable_max"))
        if not isinstance(got, TextError) and got < 0:
            got = TextError("not-a-score", {"value": str(cell("applicable_max")).strip()})
        if isinstance(got, TextError):
            issues.append(_text_issue(got, loc("applicable_max")))
        else:
            applicable = int(got * 100)
    if issues:
        return issues
    name = clean(cell("name")) or values["agency"]
    return PreviousResult(
        values["block"],
        values["agency"],
        name,
        int(values["index"] * 100),
        values["rank"],
        applicable,
    )


def _read_previous_json(
    path: Path, year: int | None
) -> tuple[dict[str, PreviousResult], list[Issue]]:
    """Our JSON output: ``{"year", "blocks": [{"block", "agencies": [{agency, name, index,
    rank}]}]}``, each problem located by its path in the file (``blocks[0].agencies[3].rank``)."""
    file = str(path)
    try:
        text = decode(read_file(path))
    except FileNotFoundError:
        return {}, [Issue.make("file-not-found", Location(file=file))]
    except TableError as e:
        return {}, [e.issue(file)]
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)  # exact, bounded
    except json.JSONDecodeError as e:
        return {}, [
            Issue.make("history-json-syntax", Location(file=file, line=e.lineno), column=e.colno)
        ]
    except (RecursionError, ValueError):  # nested too deep; a number Python refuses
        return {}, [Issue.make("history-json-shape", Location(file=file), key="blocks")]
    blocks = data.get("blocks") if isinstance(data, dict) else None
    if not isinstance(blocks, list):
        return {}, [Issue.make("history-json-shape", Location(file=file), key="blocks")]
    if data.get("draft") is True:
        return {}, [Issue.make("history-draft", Location(file=file, path="draft"))]
    issues: list[Issue] = []
    if year is not None and "year" in data and data["year"] != year:
        issues.append(
            Issue.make(
                "history-wrong-year",
                Location(file=file, path="year"),
                value=data["year"],
                expected=year,
            )
        )
        return {}, issues
    out: dict[str, PreviousResult] = {}
    first: dict[str, str] = {}
    for b, block in enumerate(blocks):
        agencies = block.get("agencies") if isinstance(block, dict) else None
        if not isinstance(agencies, list):
            where = Location(file=file, path=f"blocks[{b}]")
            issues.append(Issue.make("history-json-shape", where, key="agencies"))
            continue
        for a, agency in enumerate(agencies):
            at = f"blocks[{b}].agencies[{a}]"
            if not isinstance(agency, dict):
                issues.append(
                    Issue.make("history-json-shape", Location(file=file, path=at), key="agency")
                )
                continue
            fields = {"block": block.get("block"), **agency}

            def loc(key: str, at: str = at) -> Location:
                return Location(file=file, path=at if key == "block" else f"{at}.{key}")

            got = _previous_row(fields.get, loc, None)
            if isinstance(got, list):
                issues.extend(got)
            elif got.agency in out:
                issues.append(
                    Issue.make(
                        "history-duplicate-agency",
                        loc("agency"),
                        value=got.agency,
                        detail=first[got.agency],
                    )
                )
            else:
                out[got.agency] = got
                first[got.agency] = at
    return out, issues


def compare_block(
    rows: Iterable[tuple[str, int]],
    previous: Mapping[str, PreviousResult],
    lineage: Lineage | None = None,
    names: Mapping[str, str] | None = None,
    *,
    year: int | None = None,
    blocks: Collection[str] | None = None,
) -> dict[str, Comparison]:
    """Each unit of one of this year's blocks — ``rows``: (id, index in hundredths) — against
    last year's ``previous`` results, through ``lineage`` (links of ``year``'s period);
    ``blocks``: last year's blocks the block is compared with (None: those of each unit's
    predecessors). The one method of :func:`method_text`: each unit's previous index
    (:func:`_previous_index`), then both ranks among the units that have one."""
    lineage = lineage or Lineage()
    names = names or {}
    indices = {str(a): int(i) for a, i in rows}
    found = {
        a: _previous_index(a, i, previous, lineage, names, year, blocks) for a, i in indices.items()
    }
    peers = [a for a, c in found.items() if c.previous_index_u is not None]
    before = sorted(found[a].previous_index_u or 0 for a in peers)
    now = sorted(indices[a] for a in peers)
    for a in peers:
        c = found[a]
        # 1 + the number of peers strictly above: equal indices share a rank, as in the ranking
        was = 1 + len(before) - bisect_right(before, c.previous_index_u or 0)
        rank = 1 + len(now) - bisect_right(now, indices[a])
        found[a] = replace(c, previous_rank=was, rank_change=was - rank, comparable_rank=rank)
    return found


def _previous_index(
    agency: str,
    index_u: int,
    previous: Mapping[str, PreviousResult],
    lineage: Lineage,
    names: Mapping[str, str],
    year: int | None,
    blocks: Collection[str] | None,
) -> Comparison:
    """``agency`` (this year's index) against its predecessors: the previous index, the index
    change and the note; the ranks are left to :func:`compare_block`."""
    change = lineage.change_of(agency, year)
    if change == "new":
        return Comparison("new", None, None, None, None, NOTES["new"])
    found = lineage.predecessors(agency, year, previous)
    if not found:
        olds = [r.old for r in lineage.links_into(agency, year) if r.old]
        note = NOTES["none"]
        if change in FROM and olds:
            note = f"{FROM[change]} {', '.join(names.get(o, o) for o in olds)} — {note[0].lower()}{note[1:]}"
        return Comparison("none", None, None, None, None, note)
    used = [p for p in found if blocks is None or previous[p].block in blocks]
    if not used:
        return Comparison("other-block", None, None, None, None, NOTES["other-block"])
    left_out = [p for p in found if p not in used]
    if len(used) > 1 and change == "renamed":
        change = "merged"  # renamed from a unit that was itself merged: several predecessors
    head = _head(agency, change, used, previous)
    if len(used) == 1:
        previous_index = previous[used[0]].index_u
        note = "" if change == "same" else head
    else:
        maxima = [previous[p].applicable_u for p in used]
        total = sum(m for m in maxima if m is not None)
        if None in maxima or total <= 0:
            note = f"{head} — {NOTES['no-max']}"
            return Comparison(change, None, None, None, None, note, tuple(used))
        # Σ index_i × max_i / Σ max_i, in hundredths of a percent, half up
        weighted = sum(previous[p].index_u * (previous[p].applicable_u or 0) for p in used)
        previous_index = half_up_div(weighted, total)
        note = (
            f"{head} — so với bình quân có trọng số theo điểm tối đa áp dụng {_vn(previous_index)}"
        )
    if left_out:
        note += "; không tính " + ", ".join(previous[p].name for p in left_out) + " (khối khác)"
    return Comparison(
        change, previous_index, None, index_u - previous_index, None, note, tuple(used)
    )


def _head(agency: str, change: str, used: list[str], previous: Mapping[str, PreviousResult]) -> str:
    """How the note names the predecessors: "Hợp nhất từ A, B"; a unit that continues and took
    over part of a split one: "Tiếp nhận một phần từ B (chia tách)" (not "split from itself")."""
    if change == "split" and agency in used and len(used) > 1:
        others = ", ".join(previous[p].name for p in used if p != agency)
        return f"Tiếp nhận một phần từ {others} (chia tách)"
    return f"{FROM.get(change, '')} {', '.join(previous[p].name for p in used)}".strip()


def _vn(hundredths: int) -> str:
    return f"{Decimal(hundredths).scaleb(-2):.2f}".replace(".", ",")


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


def sentence(c: Comparison) -> str:
    """The change and how it was made, in one sentence ("Chỉ số tăng 1,56, giữ nguyên thứ
    hạng (Hợp nhất từ …)"): the per-agency report's line."""
    text = describe(c)
    return f"{text} ({c.note})" if c.note and text != c.note else text
