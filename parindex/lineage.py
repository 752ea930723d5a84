"""Units across years: their types, and the lineage that joins last year's units to this
year's — the "lịch sử sắp xếp đơn vị" a secretariat copies from the province's reorganisation
resolution (``submissions/<year>/lineage.csv`` or ``.xlsx``; the web app imports the same
file through :func:`read_lineage` on its bytes).

One row per (old unit, new unit) link::

    old,new,change,date,name,basis
    xa-an-hoa,xa-an-binh,merged,01/07/2025,UBND xã An Bình,Nghị quyết số 1662/NQ-UBTVQH15
    xa-an-binh,xa-an-binh,merged,01/07/2025,UBND xã An Bình,Nghị quyết số 1662/NQ-UBTVQH15
    huyen-an-phu,,dissolved,01/07/2025,,
    ,dac-khu-hon-dau,new,01/07/2025,UBND đặc khu Hòn Dấu,

Columns may carry their Vietnamese names (``mã cũ``, ``mã mới``, ``thay đổi``, ``ngày hiệu
lực``, ``tên mới``, ``căn cứ``), changes their Vietnamese words (``hợp nhất``, ``sáp nhập``,
``chia tách``, ``đổi tên``, ``giải thể``, ``thành lập mới``). The bytes are read by
:mod:`parindex.tables`, ids by :func:`parindex.text.identifier`, dates by
:func:`parindex.text.parse_date`. The reader is pure: it returns the lineage of the rows it
could read and every problem as an :class:`~parindex.errors.Issue` located by file, row and
column; a caller saves nothing while any of them is an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parindex import dates
from parindex.errors import Issue, Location
from parindex.tables import TableError, misfit_row, read_rows, rows_of
from parindex.text import TextError, clean, identifier, is_blank, parse_date

#: the kinds of unit (code → label); ``agencies.csv`` column ``type`` (or ``loại đơn vị``)
UNIT_TYPES = {
    "so-nganh": "Sở, ban, ngành",
    "ubnd-huyen": "UBND cấp huyện",
    "ubnd-xa": "UBND xã",
    "phuong": "UBND phường",
    "dac-khu": "UBND đặc khu",
    "khac": "Khác",
}
#: the type of a unit whose type is not given
DEFAULT_UNIT_TYPE = "khac"

CHANGES = ("merged", "split", "renamed", "dissolved", "new")
#: a change in words (the decision table, the web app's pages)
CHANGE_LABELS = {
    "merged": "Hợp nhất",
    "split": "Chia tách",
    "renamed": "Đổi tên",
    "dissolved": "Giải thể",
    "new": "Thành lập mới",
}
#: how a person may write a change (compared after :func:`clean`, without case)
CHANGE_WORDS = {
    **{c: c for c in CHANGES},
    **{label.casefold(): c for c, label in CHANGE_LABELS.items()},
    "sáp nhập": "merged",
    "nhập": "merged",
    "tách": "split",
    "kết thúc hoạt động": "dissolved",
    "thành lập": "new",
    "mới": "new",
}
#: the changes that carry a unit's results on to its successor (year over year)
CARRIES = ("merged", "split", "renamed")
#: the columns and the Vietnamese names they may have instead (compared without case)
COLUMNS: dict[str, tuple[str, ...]] = {
    "old": ("mã cũ", "mã đơn vị cũ"),
    "new": ("mã mới", "mã đơn vị mới"),
    "change": ("thay đổi", "hình thức"),
    "date": ("ngày hiệu lực",),
    "name": ("tên mới", "tên đơn vị mới"),
    "basis": ("căn cứ",),
}
REQUIRED = ("old", "new", "change", "date")
_ALIASES = {alias: key for key, names in COLUMNS.items() for alias in (key, *names)}
#: what to write in a blank required cell
_BLANK_HINTS = {
    "change": "hình thức thay đổi: hợp nhất, chia tách, đổi tên, giải thể hoặc thành lập mới",
    "date": "ngày hiệu lực dạng ngày/tháng/năm, ví dụ 01/07/2025",
}


def parse_unit_type(value: Any) -> str | TextError:
    """A unit's type from its code or its label (``ubnd-xa`` or ``UBND xã``, any case); a blank
    cell is :data:`DEFAULT_UNIT_TYPE`."""
    if is_blank(value):
        return DEFAULT_UNIT_TYPE
    word = clean(value).casefold()
    for code, label in UNIT_TYPES.items():
        if word in (code, label.casefold()):
            return code
    choices = "; ".join(f"{code} ({label})" for code, label in UNIT_TYPES.items())
    return TextError("unit-type-unknown", {"value": clean(value), "detail": choices})


def in_period(date: dt.date, year: int | None) -> bool:
    """Whether a change dated ``date`` joins last year's units to ``year``'s: after the start
    of last year's assessment period (1 January of ``year - 1``) and on or before the end of
    ``year``. Any date when ``year`` is None."""
    return year is None or dt.date(year - 1, 1, 1) < date <= dt.date(year, 12, 31)


@dataclass(frozen=True)
class LineageRow:
    """One link: ``old`` → ``new`` by ``change`` from ``date`` ("" for the missing end of a
    ``new`` or ``dissolved`` row); ``row`` is where it was in the file."""

    old: str
    new: str
    change: str
    date: dt.date
    name: str = ""
    basis: str = ""
    row: int | None = None

    def as_dict(self) -> dict[str, str]:
        """The link as a reader reads it (the change in words, the date dd/mm/yyyy)."""
        return {
            "old": self.old,
            "new": self.new,
            "change": CHANGE_LABELS[self.change],
            "date": dates.day(self.date),
            "name": self.name,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class Lineage:
    """The links between units, in file order."""

    rows: tuple[LineageRow, ...] = ()

    def links_into(self, code: str, year: int | None = None) -> list[LineageRow]:
        """The rows whose new unit is ``code`` (dated in ``year``'s period, :func:`in_period`)."""
        return [r for r in self.rows if r.new == code and in_period(r.date, year)]

    def change_of(self, code: str, year: int | None = None) -> str:
        """How ``code`` came to be in ``year``: ``new``, ``merged``, ``split``, ``renamed``
        (the first that one of its links says, in that order) or ``same``."""
        kinds = {r.change for r in self.links_into(code, year)}
        return next((k for k in ("new", "merged", "split", "renamed") if k in kinds), "same")

    def predecessors(
        self, code: str, year: int | None = None, last_year: Collection[str] | None = None
    ) -> list[str]:
        """The units ``code`` continues (docs/decisions.md, "Year over year through the
        lineage"): itself, then every ``old`` linked to it by a merged, split or renamed row
        of ``year``'s period, chains followed (an old unit's own predecessors next to it);
        with ``last_year``, only the units in it (those that existed, or have results)."""
        found = [code]

        def walk(unit: str) -> None:
            for r in self.links_into(unit, year):
                if r.change in CARRIES and r.old not in found:
                    found.append(r.old)
                    walk(r.old)

        walk(code)
        return [u for u in found if last_year is None or u in last_year]

    def display(self) -> list[dict[str, str]]:
        """Every link as :meth:`LineageRow.as_dict`, in file order."""
        return [r.as_dict() for r in self.rows]


# ------------------------------------------------------------------------------------ reading
def read_lineage(
    source: Path | bytes,
    name: str = "",
    *,
    agencies: Collection[str] | None = None,
    last_year: Collection[str] | None = None,
    year: int | None = None,
) -> tuple[Lineage, list[Issue]]:
    """The lineage of a file (a path, or the bytes of an upload named ``name``), and its
    problems. ``agencies``: this year's unit codes, ``last_year``: last year's (those with
    results and those listed); with them, a ``new`` code must be one of this year's units (or
    the old of a later link), an ``old`` code one of last year's (or the new of an earlier
    link), for the links of ``year``'s period (every link when ``year`` is None)."""
    file = name or (str(source) if isinstance(source, Path) else "")
    try:
        table = read_rows(source) if isinstance(source, Path) else rows_of(source, name)
    except FileNotFoundError:
        return Lineage(), [Issue.make("file-not-found", Location(file=file))]
    except TableError as e:
        return Lineage(), [e.issue(file)]
    if not table:
        return Lineage(), [Issue.make("history-empty", Location(file=file, row=1))]
    (header_row, header_cells), data = table[0], table[1:]
    header = [clean(c) for c in header_cells]
    keys = [_ALIASES.get(h.casefold(), "") for h in header]
    index = {key: i for i, key in reversed(list(enumerate(keys))) if key}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        return Lineage(), [
            Issue.make(
                "lineage-missing-column",
                Location(file=file, row=header_row, path=c),
                key=c,
                alias=COLUMNS[c][0],
            )
            for c in missing
        ]
    width = max(i + 1 for i, h in enumerate(header) if h)
    reader = _Reader(file, header, index)
    rows: list[LineageRow] = []
    for n, cells in data:
        misfit = misfit_row(file, n, cells, width)
        if misfit:
            reader.issues.append(misfit)
            continue
        got = reader.row(n, cells)
        if got is not None:
            rows.append(got)
    kept = reader.check_links(rows, agencies, last_year, year)
    return Lineage(tuple(kept)), reader.issues


class _Reader:
    """The rows of one file and the issues found in them, each at its row and column."""

    def __init__(self, file: str, header: list[str], index: dict[str, int]):
        self.file = file
        self.header = header
        self.index = index
        self.issues: list[Issue] = []

    def at(self, n: int | None, column: str) -> Location:
        return Location(file=self.file, row=n, path=self.header[self.index[column]])

    def add(self, code: str, n: int | None, column: str, **params: Any) -> None:
        self.issues.append(Issue.make(code, self.at(n, column), **params))

    def row(self, n: int, cells: list[Any]) -> LineageRow | None:
        """One link from its cells, or None (its problems added)."""
        before = len(self.issues)

        def cell(key: str) -> Any:
            i = self.index.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        codes: dict[str, str] = {}
        for key in ("old", "new"):
            raw = cell(key)
            got = "" if is_blank(raw) else identifier(raw)
            if isinstance(got, TextError):
                self.add(got.code, n, key, **got.params)
            else:
                codes[key] = got
        change: str | None = None
        if is_blank(cell("change")):
            self.add("lineage-blank-cell", n, "change", key="change", what=_BLANK_HINTS["change"])
        else:
            change = CHANGE_WORDS.get(clean(cell("change")).casefold())
            if change is None:
                self.add("lineage-bad-change", n, "change", value=clean(cell("change")))
        date: dt.date | None = None
        if is_blank(cell("date")):
            self.add("lineage-blank-cell", n, "date", key="date", what=_BLANK_HINTS["date"])
        else:
            parsed = parse_date(cell("date"))
            if isinstance(parsed, TextError):
                self.add(parsed.code, n, "date", **parsed.params)
            else:
                date = parsed
        old, new = codes.get("old"), codes.get("new")
        if change is not None:
            if old is not None and (change == "new") != (old == ""):
                code = "lineage-new-with-old" if change == "new" else "lineage-old-missing"
                self.add(code, n, "old", value=old)
            if new is not None and (change == "dissolved") != (new == ""):
                code = (
                    "lineage-dissolved-with-new" if change == "dissolved" else "lineage-new-missing"
                )
                self.add(code, n, "new", value=new)
        if len(self.issues) > before:
            return None
        assert old is not None and new is not None and change is not None and date is not None
        return LineageRow(old, new, change, date, clean(cell("name")), clean(cell("basis")), row=n)

    def check_links(
        self,
        rows: list[LineageRow],
        agencies: Collection[str] | None,
        last_year: Collection[str] | None,
        year: int | None,
    ) -> list[LineageRow]:
        """The rows that are not a duplicate of an earlier one; the problems between rows
        (a renamed unit with other links, a merge from one unit, a split into one, a unit
        dissolved that continues, codes unknown in either year) added."""
        kept: list[LineageRow] = []
        first: dict[tuple[str, str], LineageRow] = {}
        for r in rows:
            key = (r.old, r.new)
            if key in first:
                self.add(
                    "lineage-duplicate-link",
                    r.row,
                    "old" if r.change == "dissolved" else "new",
                    value=f"{r.old or '…'} → {r.new or '…'}",
                    detail=f"dòng {first[key].row}",
                )
                continue
            first[key] = r
            kept.append(r)
        for r in kept:
            if r.change == "renamed":
                other = next(
                    (
                        o
                        for o in kept
                        if o is not r and ((o.old and o.old == r.old) or (o.new and o.new == r.new))
                    ),
                    None,
                )
                if other is not None:
                    self.add(
                        "lineage-renamed-several",
                        r.row,
                        "change",
                        value=r.old,
                        detail=f"dòng {other.row}",
                    )
        self._one_sided(kept, "merged", agencies, last_year)
        self._one_sided(kept, "split", agencies, last_year)
        for r in kept:
            if r.change == "dissolved":
                self._dissolved(r, kept, agencies)
        for r in kept:
            if not in_period(r.date, year):
                continue
            if agencies is not None and r.new and r.new not in agencies:
                if not any(o.old == r.new for o in kept):
                    self.add("lineage-unknown-new", r.row, "new", value=r.new)
            if last_year is not None and r.old and r.old not in last_year:
                if not any(o.new == r.old for o in kept):
                    self.add("lineage-unknown-old", r.row, "old", value=r.old)
        return kept

    def _one_sided(
        self,
        rows: list[LineageRow],
        change: str,
        agencies: Collection[str] | None,
        last_year: Collection[str] | None,
    ) -> None:
        """A merge needs two old units or more (the receiving unit counts when it keeps its
        code: ``new → new``, or ``new`` among last year's units); a split two new units or
        more (the old unit counts when it continues: among this year's units)."""
        merged = change == "merged"
        groups: dict[str, list[LineageRow]] = {}
        for r in rows:
            if r.change in ("merged", "split"):
                groups.setdefault(r.new if merged else r.old, []).append(r)
        for unit, group in groups.items():
            if not any(r.change == change for r in group):
                continue
            others = {r.old if merged else r.new for r in group}
            keeps = last_year if merged else agencies
            if keeps is not None and unit in keeps:
                others.add(unit)
            if len(others) < 2:
                r = next(r for r in group if r.change == change)
                self.add(
                    "lineage-merged-one" if merged else "lineage-split-one",
                    r.row,
                    "new" if merged else "old",
                    value=unit,
                    detail=f"“{r.old if merged else r.new}”, dòng {r.row}",
                )

    def _dissolved(
        self, d: LineageRow, rows: list[LineageRow], agencies: Collection[str] | None
    ) -> None:
        """A unit dissolved is carried on by no link, made again by none dated on or after its
        dissolution, and is not one of this year's units."""
        why = ""
        for r in rows:
            if r.old == d.old and r.change in CARRIES:
                why = f"{CHANGE_LABELS[r.change].lower()} ở dòng {r.row}"
            elif r.new == d.old and r.date >= d.date:
                why = f"là mã mới ở dòng {r.row}"
            if why:
                break
        if not why and agencies is not None and d.old in agencies:
            why = "có trong danh sách đơn vị năm nay"
        if why:
            self.add("lineage-dissolved-continues", d.row, "old", value=d.old, detail=why)


def lineage_path(sdir: Path) -> tuple[Path | None, list[Issue]]:
    """The year's lineage file: ``lineage.csv``, or ``lineage.xlsx`` when it was saved from
    Excel; both at once is an error (which one holds the truth?)."""
    found = [p for p in (sdir / "lineage.csv", sdir / "lineage.xlsx") if p.exists()]
    if len(found) == 2:
        where = Location(file=str(found[1]))
        return found[0], [Issue.make("lineage-two-files", where, name=found[0].name)]
    return (found[0] if found else None), []
