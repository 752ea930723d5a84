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

Both files are tables people open and save in Excel, so their bytes are read by
:mod:`parindex.tables` (UTF-8 with or without a byte-order mark, UTF-16, Windows-1258; comma,
semicolon or tab; the mapping also as ``.xlsx``), their ids by :func:`parindex.text.identifier`
(NFC, one character set) and their numbers by :mod:`parindex.text`. Nothing is dropped or
read wrongly without a word: a short row, a duplicate, an id that is not an agency of the year
(mapping) or not in last year's results, an index with more than 2 decimals, a rank that is not a
whole number, a file of another year — each is an issue located by row and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.errors import Issue, Location, message
from parindex.export import csv_key
from parindex.tables import TableError, decode, misfit_row, read_file, read_rows
from parindex.text import TextError, clean, identifier, is_blank, parse_count, parse_number

CHANGES = ("renamed", "merged", "new", "same")
#: how a person may write a change in the mapping (compared after :func:`clean`, lower case)
CHANGE_WORDS = {
    **{c: c for c in CHANGES},
    "đổi tên": "renamed",
    "hợp nhất": "merged",
    "sáp nhập": "merged",
    "mới": "new",
    "đơn vị mới": "new",
    "giữ nguyên": "same",
}
CHANGE_LABELS = {
    "renamed": "Đổi tên từ {previous}",
    "merged": "Hợp nhất từ {previous}",
    "new": "Đơn vị mới",
    "none": "Không có kết quả năm trước",
    "same": "",
}
#: the columns of last year's results that are read (others, e.g. the field columns, are not)
PREVIOUS_COLUMNS = ("block", "agency", "index", "rank")
#: the mapping's columns and the Vietnamese names they may have instead
MAPPING_COLUMNS = {
    "agency": "agency",
    "mã đơn vị": "agency",
    "previous": "previous",
    "đơn vị năm trước": "previous",
    "mã đơn vị năm trước": "previous",
    "change": "change",
    "thay đổi": "change",
}
#: previous ids in one mapping cell are separated by a semicolon (or a comma)
_SEPARATORS = re.compile(r"[;,]")


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
    if issues:
        return issues
    name = clean(cell("name")) or values["agency"]
    return PreviousResult(
        values["block"], values["agency"], name, int(values["index"] * 100), values["rank"]
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


def mapping_path(sdir: Path) -> tuple[Path | None, list[Issue]]:
    """The year's mapping file: ``mapping.csv``, or ``mapping.xlsx`` when it was saved from
    Excel; both at once is an error (which one holds the truth?)."""
    found = [p for p in (sdir / "mapping.csv", sdir / "mapping.xlsx") if p.exists()]
    if len(found) == 2:
        where = Location(file=str(found[1]))
        return found[0], [Issue.make("history-two-mappings", where, name=found[0].name)]
    return (found[0] if found else None), []


def read_mapping(
    path: Path,
    agencies: Collection[str] | None = None,
    previous: Collection[str] | None = None,
) -> tuple[dict[str, tuple[str, list[str]]], list[Issue]]:
    """agency → (change, previous ids). ``agencies``: this year's agency ids (an agency of the
    mapping must be one); ``previous``: last year's (each previous id must be one). A missing
    file is no mapping."""
    file = str(path)
    if not path.exists():
        return {}, []
    table = _table(path)
    if isinstance(table, Issue):
        return {}, [table]
    header_row, header, rows = table
    keys = [MAPPING_COLUMNS.get(h.lower(), "") for h in header]
    index = {key: i for i, key in reversed(list(enumerate(keys))) if key}
    missing = [c for c in ("agency", "previous", "change") if c not in index]
    if missing:
        return {}, [
            Issue.make("history-missing-column", Location(file=file, row=header_row, path=c), key=c)
            for c in missing
        ]
    width = max(i + 1 for i, h in enumerate(header) if h)
    out: dict[str, tuple[str, list[str]]] = {}
    first: dict[str, str] = {}  # agency → where it was first: "dòng 3"
    issues: list[Issue] = []
    for n, row in rows:
        short = misfit_row(file, n, row, width)
        if short:
            issues.append(short)
            continue

        def loc(key: str, n: int = n) -> Location:
            return Location(file=file, row=n, path=key)

        problems: list[Issue] = []
        raw_agency, raw_previous, raw_change = (
            row[index[k]] for k in ("agency", "previous", "change")
        )
        agency = None if is_blank(raw_agency) else identifier(raw_agency)
        if agency is None:
            problems.append(Issue.make("missing-key", loc("agency"), key="agency"))
        elif isinstance(agency, TextError):
            problems.append(_text_issue(agency, loc("agency")))
        elif agencies is not None and agency not in agencies:
            problems.append(Issue.make("history-unknown-agency", loc("agency"), value=agency))
        change = CHANGE_WORDS.get(clean(raw_change).lower())
        if change is None:
            problems.append(
                Issue.make(
                    "bad-value",  # the message says what to write instead
                    loc("change"),
                    value=clean(raw_change),
                    detail=message("history-bad-change", value=clean(raw_change)),
                )
            )
        before: list[str] = []
        for part in _SEPARATORS.split("" if raw_previous is None else str(raw_previous)):
            if not part.strip():  # "a; b", "a;b;": the spaces and separators are layout
                continue
            got = identifier(part.strip())
            if isinstance(got, TextError):
                problems.append(_text_issue(got, loc("previous")))
            elif previous is not None and got not in previous:
                problems.append(Issue.make("history-unknown-previous", loc("previous"), value=got))
            elif got in before:
                problems.append(Issue.make("history-previous-twice", loc("previous"), value=got))
            else:
                before.append(got)
        if change is not None and not problems:
            wrong = _count_problem(change, before, str(agency))
            if wrong:
                problems.append(Issue.make(wrong, loc("previous"), value=len(before)))
        if isinstance(agency, str) and agency in out:
            problems.append(
                Issue.make(
                    "history-duplicate-agency", loc("agency"), value=agency, detail=first[agency]
                )
            )
        if problems:
            issues.extend(problems)
            continue
        assert isinstance(agency, str) and change is not None
        out[agency] = (change, before)
        first[agency] = f"dòng {n}"
    return out, issues


def _count_problem(change: str, before: list[str], agency: str) -> str:
    """The code of a mapping row whose previous ids do not fit its change, else ""."""
    if change == "renamed" and len(before) != 1:
        return "history-renamed-count"
    if change == "merged" and len(before) < 2:
        return "history-merged-count"
    if change == "new" and before:
        return "history-new-with-previous"
    if change == "same" and before not in ([], [agency]):
        return "history-same-with-previous"
    return ""


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
