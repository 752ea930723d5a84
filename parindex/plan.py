"""The yearly CCHC plan (kế hoạch cải cách hành chính năm): its appendix of tasks read from an
XLSX (or CSV) table, each task's due date from its time text, its lead units from the lead
agency cell, and a unit's completion rate (the facts of the plan-completion leaf).

The appendix as provinces write it (docs/plan.md)::

    STT | Nhiệm vụ | Sản phẩm cụ thể | Thời gian thực hiện | Cơ quan chủ trì | Cơ quan phối hợp
    I   | CẢI CÁCH THỂ CHẾ                                       (a group row: the reform area)
    1   | Rà soát văn bản QPPL | Báo cáo rà soát | Quý II/2025 | Sở Tư pháp | Các sở, ngành tỉnh

Title rows above the header are skipped (the header is the first row naming "Nhiệm vụ" and
"Cơ quan chủ trì", compared without accents, case or line breaks). A group row is one whose
STT cell is a roman numeral (its title in the task cell, or in the STT cell itself when the
title spans the row: "I. CẢI CÁCH THỂ CHẾ"). The bytes are read by :mod:`parindex.tables`.
The reader is pure: it returns the tasks it could read and every problem as an
:class:`~parindex.errors.Issue` located by row and column; a caller saves nothing while any of
them is an error.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from parindex.errors import Issue, Location
from parindex.tables import TableError, read_rows, rows_of
from parindex.text import clean, fold, is_blank, parse_date

#: the columns and how a header may name them (folded: no accents, no case)
COLUMNS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "tt", "so tt", "so thu tu"),
    "task": ("nhiem vu", "noi dung", "noi dung nhiem vu", "ten nhiem vu", "nhiem vu cu the"),
    "product": ("san pham cu the", "san pham", "san pham dau ra", "ket qua, san pham"),
    "due": (
        "thoi gian thuc hien",
        "thoi gian",
        "thoi gian hoan thanh",
        "thoi han",
        "thoi han hoan thanh",
    ),
    "lead": ("co quan chu tri", "don vi chu tri", "chu tri", "co quan, don vi chu tri"),
    "coordinating": ("co quan phoi hop", "don vi phoi hop", "phoi hop", "co quan, don vi phoi hop"),
}
#: a column's name in the messages
COLUMN_NAMES = {
    "stt": "STT",
    "task": "Nhiệm vụ",
    "product": "Sản phẩm cụ thể",
    "due": "Thời gian thực hiện",
    "lead": "Cơ quan chủ trì",
    "coordinating": "Cơ quan phối hợp",
}
REQUIRED = ("task", "due", "lead")
_ALIASES = {alias: key for key, names in COLUMNS.items() for alias in names}

#: collective phrases of a lead cell (folded) → the unit types they name
#: (parindex.lineage.UNIT_TYPES); None: every unit of the year
COLLECTIVES: dict[str, frozenset[str] | None] = {
    **dict.fromkeys(
        (
            "cac so, nganh tinh",
            "cac so, nganh",
            "cac so nganh",
            "cac so, ban, nganh",
            "cac so, ban, nganh tinh",
            "cac co quan chuyen mon thuoc ubnd tinh",
            "cac co quan, don vi cap tinh",
        ),
        frozenset({"so-nganh"}),
    ),
    **dict.fromkeys(
        (
            "ubnd cap xa",
            "ubnd cac xa, phuong",
            "ubnd cac xa, phuong, dac khu",
            "ubnd xa, phuong",
            "ubnd xa, phuong, dac khu",
            "cac xa, phuong",
            "cac xa, phuong, dac khu",
        ),
        frozenset({"ubnd-xa", "phuong", "dac-khu"}),
    ),
    "ubnd cac phuong": frozenset({"phuong"}),
    "ubnd cac xa": frozenset({"ubnd-xa", "dac-khu"}),
    "ubnd cap huyen": frozenset({"ubnd-huyen"}),
    "ubnd cac huyen": frozenset({"ubnd-huyen"}),
    "cac co quan, don vi": None,
    "cac co quan, don vi, dia phuong": None,
    "tat ca cac co quan, don vi": None,
}

#: what the time texts mean (docs/plan.md, docs/decisions.md "The plan's due dates")
DUE_RULE = (
    "một ngày dd/mm/yyyy → ngày đó (có nhiều ngày: ngày muộn nhất); “Quý I/2025” → 31/03/2025, "
    "“Quý II” → 30/06, “Quý III” → 30/09, “Quý IV” → 31/12 (nhiều quý: quý muộn nhất); "
    "“Tháng 6/2025” → 30/06/2025; “6 tháng đầu năm” → 30/06; “Trong năm 2025”, “Năm 2025”, "
    "“Thường xuyên”, “Hằng năm”, “Cả năm” → 31/12 của năm kế hoạch; thiếu năm: năm kế hoạch"
)

_ROMAN = re.compile(r"([IVXL]+)\s*[.:)\-]?\s*(.*)", re.IGNORECASE | re.DOTALL)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}
_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_QUARTER = re.compile(r"\b(?:quy|q)\.?\s*(iv|i{1,3}|[1-4])\b(?:\s*(?:/|-|nam)\s*(\d{4}))?")
_MONTH = re.compile(r"\bthang\s*(\d{1,2})\b(?:\s*(?:/|-|nam)\s*(\d{4}))?")
_HALF = re.compile(r"\b6 thang (dau|cuoi) nam\b")
_YEAR = re.compile(r"\bnam\s*(\d{4})\b")
_WHOLE_YEAR = re.compile(r"\b(thuong xuyen|trong nam|ca nam|hang nam|hang quy|hang thang)\b")
_QUARTER_NUMBERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
#: the most pieces of a lead cell one unit name or phrase may span ("Sở Văn hóa, Thể thao và Du
#: lịch" is three; "Các sở, ban, ngành tỉnh" three): bounds the work on a long cell
MAX_SPAN = 8
#: separators of a lead cell: line breaks, ";", ",", " và " (kept, to join unit names that
#: hold them back together: "Sở Văn hóa, Thể thao và Du lịch")
_SEPARATORS = re.compile(r"(\s*[,;\n\r]\s*|\s+và\s+|\s+va\s+)", re.IGNORECASE)


class UnitLike(Protocol):
    """What the reader needs of a unit (``parindex.dataset.Agency`` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...


@dataclass(frozen=True)
class PlanTask:
    """One task of the appendix: where it was (``row``), its reform area (the group row's
    title, "" before any group), its texts, its due date and its lead units (agency ids)."""

    row: int
    area: str
    stt: str
    task: str
    product: str
    due_text: str
    due: dt.date
    leads: tuple[str, ...]
    lead_text: str
    coordinating: str = ""


@dataclass(frozen=True)
class Plan:
    """A year's plan: its tasks in file order."""

    year: int
    tasks: tuple[PlanTask, ...] = ()

    def areas(self) -> list[str]:
        """The reform areas in file order."""
        return list(dict.fromkeys(t.area for t in self.tasks))

    def tasks_of(self, unit: str) -> list[PlanTask]:
        """The tasks ``unit`` leads."""
        return [t for t in self.tasks if unit in t.leads]

    def counts(self) -> dict[str, int]:
        """Tasks per lead unit (a task led by several units counts for each), in first-seen
        order."""
        out: dict[str, int] = {}
        for t in self.tasks:
            for u in t.leads:
                out[u] = out.get(u, 0) + 1
        return out

    def area_counts(self) -> dict[str, dict[str, int]]:
        """Per reform area: tasks per lead unit."""
        out: dict[str, dict[str, int]] = {}
        for t in self.tasks:
            per = out.setdefault(t.area, {})
            for u in t.leads:
                per[u] = per.get(u, 0) + 1
        return out


# ---------------------------------------------------------------------------- due dates
def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def due_date(value: Any, year: int) -> dt.date | None:
    """The due date a time text means in the plan of ``year`` (:data:`DUE_RULE`), or None
    when it cannot be read.

    >>> [str(due_date(t, 2025)) for t in ("Quý I/2025", "Tháng 6/2025", "Thường xuyên")]
    ['2025-03-31', '2025-06-30', '2025-12-31']
    >>> str(due_date("Trước ngày 15/12/2025", 2025)), due_date("Khi có yêu cầu", 2025)
    ('2025-12-15', None)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    whole = parse_date(value)
    if isinstance(whole, dt.date):
        return whole
    text = fold(clean(value))
    found: list[dt.date] = []
    for m in _DATE.finditer(text):
        try:
            found.append(dt.date(int(m[3]), int(m[2]), int(m[1])))
        except ValueError:
            return None
    for m in _QUARTER.finditer(text):
        found.append(_month_end(int(m[2] or year), 3 * _QUARTER_NUMBERS[m[1]]))
    for m in _MONTH.finditer(text):
        if 1 <= int(m[1]) <= 12:
            found.append(_month_end(int(m[2] or year), int(m[1])))
    if found:
        return max(found)
    if half := _HALF.search(text):
        return dt.date(year, 6, 30) if half[1] == "dau" else dt.date(year, 12, 31)
    if whole_year := _YEAR.search(text):
        return dt.date(int(whole_year[1]), 12, 31)
    if _WHOLE_YEAR.search(text):
        return dt.date(year, 12, 31)
    return None


# ---------------------------------------------------------------------------- lead units
def _unit_keys(unit: UnitLike) -> set[str]:
    name = fold(unit.name)
    keys = {name, fold(unit.id)}
    if name.startswith("ubnd "):
        keys.add(name[5:])
    return keys


def expand_leads(text: Any, units: Iterable[UnitLike]) -> tuple[list[str], list[str], list[str]]:
    """The unit ids a lead cell names (unit names compared without accents or case, with or
    without "UBND"; collective phrases of :data:`COLLECTIVES` expanded to the units of their
    types), in order, each once; the names it could not match; the collective phrases that
    name no unit of the year."""
    units = list(units)
    by_key: dict[str, str] = {}
    for u in units:
        for name in _unit_keys(u):
            by_key.setdefault(name, u.id)
    raw = "" if text is None else str(text)
    parts = _SEPARATORS.split(raw)
    pieces, seps = parts[0::2], parts[1::2]
    found: list[str] = []
    unknown: list[str] = []
    empty: list[str] = []
    i = 0
    while i < len(pieces):
        for j in range(min(len(pieces), i + MAX_SPAN), i, -1):
            candidate = pieces[i]
            for k in range(i + 1, j):
                candidate += seps[k - 1] + pieces[k]
            key = fold(clean(candidate))
            if key in by_key:
                found.append(by_key[key])
                break
            if key in COLLECTIVES:
                types = COLLECTIVES[key]
                named = [u.id for u in units if types is None or u.type in types]
                if not named:
                    empty.append(clean(candidate))
                found.extend(named)
                break
        else:
            j = i + 1
            if not is_blank(pieces[i]):
                unknown.append(clean(pieces[i]))
        i = j
    return list(dict.fromkeys(found)), unknown, empty


# ------------------------------------------------------------------------------- reading
def _roman(text: str) -> int | None:
    word = text.lower()
    if not word or any(c not in _ROMAN_VALUES for c in word):
        return None
    total = 0
    for a, b in zip(word, word[1:] + " ", strict=True):
        v = _ROMAN_VALUES[a]
        total += -v if b in _ROMAN_VALUES and _ROMAN_VALUES[b] > v else v
    return total if 0 < total < 90 else None


def _header(table: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]] | None:
    """The position of the header row in ``table`` and its columns, or None."""
    for pos, (_, cells) in enumerate(table[:30]):
        index: dict[str, int] = {}
        for i, c in enumerate(cells):
            key = _ALIASES.get(fold(clean(c)))
            if key and key not in index:
                index[key] = i
        if "task" in index and "lead" in index:
            return pos, index
    return None


@dataclass
class _Reader:
    file: str
    year: int
    units: list[UnitLike]
    index: dict[str, int]
    issues: list[Issue] = field(default_factory=list)

    def add(self, code: str, n: int, column: str, **params: Any) -> None:
        self.issues.append(
            Issue.make(code, Location(file=self.file, row=n, path=COLUMN_NAMES[column]), **params)
        )

    def cell(self, cells: list[Any], key: str) -> Any:
        i = self.index.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    def group(self, cells: list[Any]) -> str | None:
        """The reform area a group row names, or None when the row is not one."""
        if any(not is_blank(self.cell(cells, k)) for k in ("due", "lead")):
            return None
        first = next((clean(c) for c in cells if not is_blank(c)), "")
        stt = clean(self.cell(cells, "stt")) if "stt" in self.index else first
        m = _ROMAN.fullmatch(stt) if stt else None
        if m is None:
            m = _ROMAN.fullmatch(first)
            if m is None or not m[2]:
                return None
        head = m[1]
        rest = clean(m[2])
        if _roman(head) is None or (rest and not rest[0].isalpha() and not rest[0].isdigit()):
            return None
        title = rest or clean(self.cell(cells, "task"))
        if not title:
            return None
        return f"{head.upper()}. {title}"

    def task(self, n: int, cells: list[Any], area: str) -> PlanTask | None:
        before = len(self.issues)
        text = clean(self.cell(cells, "task"))
        if not text:
            self.add("plan-blank-cell", n, "task", name=COLUMN_NAMES["task"])
        raw_due = self.cell(cells, "due")
        due: dt.date | None = None
        if is_blank(raw_due):
            self.add("plan-blank-cell", n, "due", name=COLUMN_NAMES["due"])
        else:
            due = due_date(raw_due, self.year)
            if due is None:
                self.add("plan-bad-time", n, "due", value=clean(raw_due))
            elif due.year != self.year:
                self.issues.append(
                    Issue.make(
                        "plan-time-other-year",
                        Location(file=self.file, row=n, path=COLUMN_NAMES["due"]),
                        severity="warning",
                        value=_due_text(raw_due),
                        year=self.year,
                    )
                )
        raw_lead = self.cell(cells, "lead")
        leads: list[str] = []
        if is_blank(raw_lead):
            self.add("plan-blank-cell", n, "lead", name=COLUMN_NAMES["lead"])
        else:
            leads, unknown, empty = expand_leads(raw_lead, self.units)
            example = self.units[0].name if self.units else ""
            for name in unknown:
                self.add(
                    "plan-unknown-unit", n, "lead", value=name, year=self.year, example=example
                )
            for phrase in empty:
                self.add("plan-collective-empty", n, "lead", value=phrase, year=self.year)
        if any(i.severity == "error" for i in self.issues[before:]):
            return None
        assert due is not None
        return PlanTask(
            row=n,
            area=area,
            stt=clean(self.cell(cells, "stt")),
            task=text,
            product=clean(self.cell(cells, "product")),
            due_text=_due_text(raw_due),
            due=due,
            leads=tuple(leads),
            lead_text=clean(raw_lead),
            coordinating=clean(self.cell(cells, "coordinating")),
        )


def _due_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return clean(value)


def read_plan(
    source: Path | bytes, name: str = "", *, units: Iterable[UnitLike], year: int
) -> tuple[Plan, list[Issue]]:
    """The plan of ``year`` in a file (a path, or the bytes of an upload named ``name``) and
    its problems; ``units``: the year's units (``agencies.csv``), whose names the lead cells
    must use."""
    file = name or (str(source) if isinstance(source, Path) else "")
    try:
        table = read_rows(source) if isinstance(source, Path) else rows_of(source, name)
    except FileNotFoundError:
        return Plan(year), [Issue.make("file-not-found", Location(file=file))]
    except TableError as e:
        return Plan(year), [e.issue(file)]
    found = _header(table)
    if found is None:
        row = table[0][0] if table else 1
        return Plan(year), [
            Issue.make(
                "plan-no-header",
                Location(file=file, row=row),
                detail=", ".join(COLUMN_NAMES[c] for c in REQUIRED),
            )
        ]
    pos, index = found
    header_row = table[pos][0]
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        return Plan(year), [
            Issue.make(
                "plan-missing-column",
                Location(file=file, row=header_row, path=COLUMN_NAMES[c]),
                column=COLUMN_NAMES[c],
            )
            for c in missing
        ]
    reader = _Reader(file, year, list(units), index)
    tasks: list[PlanTask] = []
    area = ""
    for n, cells in table[pos + 1 :]:
        if all(is_blank(c) for c in cells):
            continue
        if _column_numbers(cells):
            continue  # the "(1) (2) (3)…" row under a header
        group = reader.group(cells)
        if group is not None:
            area = group
            continue
        got = reader.task(n, cells, area)
        if got is not None:
            tasks.append(got)
    if not tasks and not reader.issues:
        reader.issues.append(Issue.make("plan-no-tasks", Location(file=file, row=header_row)))
    return Plan(year, tuple(tasks)), reader.issues


def _column_numbers(cells: list[Any]) -> bool:
    """Whether a row only numbers the columns ("(1)", "(2)", … or 1, 2, 3, …)."""
    texts = [clean(c).strip("()") for c in cells if not is_blank(c)]
    return len(texts) >= 3 and texts == [str(i) for i in range(1, len(texts) + 1)]


# ---------------------------------------------------------------------------- completion
def on_time(task: PlanTask, completed: dt.date | None) -> bool:
    """Whether a task completed on ``completed`` (None: not completed) counts as completed on
    time: on or before its due date."""
    return completed is not None and completed <= task.due


def completion(plan: Plan, unit: str, completed: Mapping[int, dt.date | None]) -> tuple[int, int]:
    """The plan-completion leaf's facts for ``unit``: (tasks it completed on time, tasks it
    leads); ``completed`` maps a task's row to its completion date (absent or None: not
    completed)."""
    tasks = plan.tasks_of(unit)
    return sum(on_time(t, completed.get(t.row)) for t in tasks), len(tasks)
