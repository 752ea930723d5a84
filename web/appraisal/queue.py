"""The panel's queue (danh sách đơn vị thẩm định): the agencies of one cycle that have submitted
and hold leaves assigned to the user, with their progress on those leaves, searched, filtered,
sorted and cut into pages.

It must stay fast for a national cycle of thousands of agencies, so no ORM object of a
submission or of an appraisal is loaded: one query reads the light rows (agency, state, dates),
one grouped query per block counts the rounds on the leaves assigned in that block, and the
search (accent-insensitive, :func:`parindex.text.fold`), filters, sort and page work on those
rows in memory (the name search cannot be SQL: SQLite has no accent folding).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func

from parindex.text import fold
from web import workflow
from web.appraisal.appraising import Progress
from web.appraisal.assignments import assigned_codes, panel_leaves
from web.engine import set_for
from web.models import Agency, Appraisal, CriteriaRecord, Cycle, Submission, User, db

#: agencies per page of the queue
PAGE_SIZE = 50

#: progress filter → its label (on the user's leaves, round 1)
PROGRESS = {
    "chua-bat-dau": "Chưa thẩm định tiêu chí nào",
    "dang-tham-dinh": "Đang thẩm định dở",
    "xong-vong-1": "Đã thẩm định hết vòng 1",
}
#: flag filter → its label
FLAGS = {
    "co": "Có tiêu chí yêu cầu giải trình",
    "cho-giai-trinh": "Có tiêu chí chờ đơn vị giải trình",
    "khong": "Không có tiêu chí yêu cầu giải trình",
}
#: sort key → its label; every sort ends with the name (then the code) to be stable
SORTS = {
    "trang-thai": "Trạng thái",
    "ten": "Tên đơn vị",
    "khoi": "Khối",
    "tien-do": "Tiến độ",
    "giai-trinh": "Số tiêu chí yêu cầu giải trình",
    "cap-nhat": "Thay đổi gần nhất",
}


@dataclass
class QueueFilters:
    """What the queue is asked for, read from the query string (unknown values are ignored)."""

    year: int | None = None
    q: str = ""
    block: str = ""
    state: str = ""
    progress: str = ""
    flags: str = ""
    sort: str = "trang-thai"
    desc: bool = False
    page: int = 1

    @property
    def active(self) -> bool:
        return bool(self.q or self.block or self.state or self.progress or self.flags)

    def args(self, **changes: object) -> dict[str, object]:
        """The query string of these filters with ``changes`` (for links: sort, page)."""
        f = replace(self, **changes)  # type: ignore[arg-type]  # fields checked by the caller
        out: dict[str, object] = {
            "nam": f.year,
            "q": f.q,
            "khoi": f.block,
            "trang_thai": f.state,
            "tien_do": f.progress,
            "giai_trinh": f.flags,
            "sap_xep": f.sort,
            "giam": "1" if f.desc else "",
            "trang": f.page if f.page > 1 else "",
        }
        return {k: v for k, v in out.items() if v not in ("", None)}


def read_filters(args: Mapping[str, str]) -> QueueFilters:
    """The query string → filters; a value that is not one of the choices is dropped."""

    def number(key: str) -> int | None:
        text = str(args.get(key, "")).strip()
        return int(text) if text.isdigit() and len(text) < 7 else None

    state = str(args.get("trang_thai", ""))
    progress = str(args.get("tien_do", ""))
    flags = str(args.get("giai_trinh", ""))
    sort = str(args.get("sap_xep", ""))
    return QueueFilters(
        year=number("nam"),
        q=" ".join(str(args.get("q", "")).split())[:200],
        block=str(args.get("khoi", ""))[:50],
        state=state if state in workflow.SEEN_BY_PANEL else "",
        progress=progress if progress in PROGRESS else "",
        flags=flags if flags in FLAGS else "",
        sort=sort if sort in SORTS else "trang-thai",
        desc=bool(args.get("giam")),
        page=max(1, number("trang") or 1),
    )


@dataclass
class QueueRow:
    agency_id: int
    code: str
    name: str
    block: str
    block_name: str
    state: str
    label: str
    progress: Progress
    changed: dt.datetime | None  # the last change: submitted, a state moved, a round, an answer
    folded: str = ""  # the name as the search and the sort compare it


@dataclass
class QueuePage:
    cycle: Cycle | None
    cycles: list[Cycle]
    filters: QueueFilters
    rows: list[QueueRow]  # this page's
    matched: int  # agencies matching the filters
    total: int  # agencies in the user's queue for the cycle
    pages: int
    blocks: dict[str, str] = field(default_factory=dict)  # code → name, of the queue's rows
    states: dict[str, str] = field(default_factory=dict)  # state → label

    @property
    def first(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def queue_page(user: User, filters: QueueFilters) -> QueuePage:
    """The queue of ``user`` for the cycle of ``filters.year`` (the latest when not given or
    unknown), filtered, sorted and cut to the page asked for (the last one when past it)."""
    cycles = list(db.session.execute(db.select(Cycle).order_by(Cycle.year.desc())).scalars())
    cycle = next((c for c in cycles if c.year == filters.year), cycles[0] if cycles else None)
    if cycle is None:
        return QueuePage(None, [], filters, [], 0, 0, 1)
    filters = replace(filters, year=cycle.year)
    rows = queue_rows(user, cycle)
    shown = [r for r in rows if _matches(r, filters)]
    shown.sort(key=_sort_key(filters.sort), reverse=filters.desc)
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    filters = replace(filters, page=min(filters.page, pages))
    start = (filters.page - 1) * PAGE_SIZE
    states = {s: workflow.state_label(s) for s in workflow.STATES if s in workflow.SEEN_BY_PANEL}
    return QueuePage(
        cycle,
        cycles,
        filters,
        shown[start : start + PAGE_SIZE],
        len(shown),
        len(rows),
        pages,
        dict(sorted({r.block: r.block_name for r in rows}.items(), key=lambda kv: kv[1])),
        states,
    )


def queue_rows(user: User, cycle: Cycle) -> list[QueueRow]:
    """Every submitted agency of ``cycle`` with leaves assigned to ``user``, as light rows."""
    light = db.session.execute(
        db.select(
            Submission.id,
            Submission.state,
            Submission.submitted_at,
            Submission.state_at,
            Agency.id,
            Agency.code,
            Agency.name,
            Agency.block,
        )
        .join(Agency, Submission.agency_id == Agency.id)
        .filter(Agency.cycle_id == cycle.id, Submission.state.in_(workflow.SEEN_BY_PANEL))
    ).all()
    block_names = dict(
        db.session.execute(
            db.select(CriteriaRecord.block, CriteriaRecord.block_name).filter_by(cycle_id=cycle.id)
        ).all()
    )
    by_block: dict[str, list[Any]] = {}
    for row in light:
        by_block.setdefault(row[7], []).append(row)
    out: list[QueueRow] = []
    for block, subs in by_block.items():
        leaves, everything = _leaves(user, subs[0][4], block)
        if not leaves:
            continue
        counts = _counts(cycle, block, None if everything else leaves)
        for sub_id, state, submitted_at, state_at, agency_id, code, name, _ in subs:
            p, last = counts.get(sub_id, (Progress(), None))
            p.assigned = len(leaves)
            changed = max(
                (d for d in (submitted_at, state_at, last) if d is not None), default=None
            )
            out.append(
                QueueRow(
                    agency_id,
                    code,
                    name,
                    block,
                    block_names.get(block, block),
                    state,
                    workflow.state_label(state),
                    p,
                    changed,
                    fold(name),
                )
            )
    return out


def _leaves(user: User, agency_id: int, block: str) -> tuple[list[str], bool]:
    """The codes of the leaves ``user`` appraises in ``block`` (one agency stands for it), and
    whether they are every leaf the panel appraises there (then no round needs filtering)."""
    agency = db.session.get(Agency, agency_id)
    assert agency is not None
    loaded = set_for(agency)
    if loaded is None:
        return [], False
    codes = assigned_codes(user, agency)
    return [leaf.code for leaf in panel_leaves(loaded, codes)], codes is None


def _counts(
    cycle: Cycle, block: str, leaves: list[str] | None
) -> dict[int, tuple[Progress, dt.datetime | None]]:
    """Per submission of the block: its rounds on ``leaves`` (``None``: every leaf) counted by
    SQL in groups of (round, flagged, answered) — a round-2 row exists only for a flagged leaf,
    so the round-2 rows are the settled flagged leaves — and the last time one of those rounds
    or answers was written."""
    answered = Appraisal.answered_at.is_not(None)
    query = (
        db.select(
            Appraisal.submission_id,
            Appraisal.round,
            Appraisal.flagged,
            answered,
            func.count(),
            func.max(Appraisal.at),
            func.max(Appraisal.answered_at),
        )
        .join(Submission, Submission.id == Appraisal.submission_id)
        .join(Agency, Agency.id == Submission.agency_id)
        .filter(Agency.cycle_id == cycle.id, Agency.block == block)
        .group_by(Appraisal.submission_id, Appraisal.round, Appraisal.flagged, answered)
    )
    if leaves is not None:
        query = query.filter(Appraisal.leaf.in_(leaves))
    out: dict[int, tuple[Progress, dt.datetime | None]] = {}
    for sub_id, rnd, flagged, was_answered, n, at, answered_at in db.session.execute(query):
        p, last = out.get(sub_id) or (Progress(), None)
        if rnd == 1:
            p.appraised += n
            if flagged:
                p.flagged += n
                p.answered += n if was_answered else 0
        elif rnd == 2:
            p.settled += n
        for d in (at, answered_at):
            if d is not None and (last is None or d > last):
                last = d
        out[sub_id] = (p, last)
    return out


def _matches(row: QueueRow, f: QueueFilters) -> bool:
    if f.q and fold(f.q) not in row.folded and f.q.casefold() not in row.code.casefold():
        return False
    if f.block and row.block != f.block:
        return False
    if f.state and row.state != f.state:
        return False
    p = row.progress
    if f.progress == "chua-bat-dau" and p.appraised != 0:
        return False
    if f.progress == "dang-tham-dinh" and not 0 < p.appraised < p.assigned:
        return False
    if f.progress == "xong-vong-1" and p.appraised < p.assigned:
        return False
    if f.flags == "co" and not p.flagged:
        return False
    if f.flags == "cho-giai-trinh" and not p.flagged - p.answered:
        return False
    return not (f.flags == "khong" and p.flagged)


_NEVER = dt.datetime(1, 1, 1)


def _sort_key(sort: str) -> Callable[[QueueRow], tuple[Any, ...]]:
    def name(r: QueueRow) -> tuple[str, str]:
        return (r.folded, r.code)

    keys: dict[str, Callable[[QueueRow], tuple[Any, ...]]] = {
        "ten": lambda r: name(r),
        "khoi": lambda r: (r.block_name, *name(r)),
        "trang-thai": lambda r: (workflow.STATES.index(r.state), *name(r)),
        "tien-do": lambda r: (r.progress.percent, r.progress.appraised, *name(r)),
        "giai-trinh": lambda r: (r.progress.flagged, *name(r)),
        "cap-nhat": lambda r: (r.changed or _NEVER, *name(r)),
    }
    return keys[sort]
