"""Opening a cycle to the agencies ("Mở kỳ đánh giá"): a checklist first, then ``opened_at``
set once, audited. Before it, the cycle is being prepared: its criteria sets may change and
officers do not see it; after it, its sets are frozen (:func:`web.secretariat.cycle_setup.
closed_to_changes`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from parindex.errors import CriteriaError
from web.audit import audit
from web.engine import loaded_set
from web.errors import commit_or_conflict
from web.models import Cycle, User, db, utcnow, vn_now
from web.secretariat.cycle_setup import when


@dataclass
class Check:
    """One line of the checklist: what must hold, whether it does, and what is missing."""

    label: str
    ok: bool
    detail: str = ""


def checklist(cycle: Cycle) -> list[Check]:
    """What must hold before ``cycle`` opens: units to assess, a set for each of their blocks,
    sets readable and for the cycle's year, both deadlines set and the first still ahead."""
    counts: dict[str, int] = {}
    for a in cycle.agencies:
        counts[a.block] = counts.get(a.block, 0) + 1
    records = {r.block: r for r in cycle.criteria}
    missing = [f"{b} ({n} đơn vị)" for b, n in sorted(counts.items()) if b not in records]
    wrong = []
    for block, record in sorted(records.items()):
        try:
            year = loaded_set(record).model.year
        except CriteriaError:
            wrong.append(f"{record.block_name} ({block}): không đọc được, hãy tải lại")
            continue
        if year != cycle.year:
            wrong.append(f"{record.block_name} ({block}): ghi năm {year}")
    own, expl = cycle.self_deadline, cycle.explanation_deadline
    unset = [label for label, v in (("hạn tự đánh giá", own), ("hạn giải trình", expl)) if not v]
    return [
        Check(
            "Có đơn vị được đánh giá",
            bool(counts),
            f"{sum(counts.values())} đơn vị trong {len(counts)} khối"
            if counts
            else "Chưa có đơn vị nào: nhập danh sách đơn vị.",
        ),
        Check(
            "Mỗi khối có đơn vị đều có bộ tiêu chí",
            bool(counts) and not missing,
            "Khối chưa có bộ tiêu chí: " + ", ".join(missing)
            if missing
            else "Khối " + ", ".join(sorted(counts))
            if counts
            else "",
        ),
        Check(
            f"Mọi bộ tiêu chí đọc được và ghi năm {cycle.year}",
            bool(records) and not wrong,
            "; ".join(wrong)
            if wrong
            else f"{len(records)} bộ tiêu chí"
            if records
            else "Chưa có bộ tiêu chí nào.",
        ),
        Check(
            "Đã đặt thời hạn",
            not unset,
            ("Chưa đặt " + " và ".join(unset) + ".")
            if unset
            else f"Tự đánh giá đến {when(own)}, giải trình đến {when(expl)}.",
        ),
        Check(
            "Hạn tự đánh giá chưa qua",
            own is not None and own > vn_now(),
            "Chưa đặt hạn tự đánh giá."
            if own is None
            else f"Hạn tự đánh giá {when(own)} đã qua."
            if own <= vn_now()
            else "",
        ),
    ]


class _AlreadyOpen(Exception):
    message = "kỳ đã được mở cùng lúc từ một cửa sổ khác."


def ready(checks: list[Check]) -> bool:
    return all(c.ok for c in checks)


def open_cycle(cycle: Cycle, user: User) -> str:
    """Open ``cycle`` when its checklist holds; "" when done, else why not (in Vietnamese)."""
    if cycle.opened_at is not None:
        return f"Kỳ đánh giá năm {cycle.year} đã mở rồi."
    if not ready(checklist(cycle)):
        return "Chưa mở được kỳ đánh giá: còn mục chưa đạt trong danh sách kiểm tra."
    with commit_or_conflict(_AlreadyOpen) as saved:
        done = db.session.execute(  # once, even from two tabs at the same moment
            update(Cycle)
            .where(Cycle.id == cycle.id, Cycle.opened_at.is_(None))
            .values(opened_at=utcnow())
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise _AlreadyOpen
        audit(user, "cycle", str(cycle.year), "đang chuẩn bị", "đã mở", reason="mở kỳ đánh giá")
    db.session.expire(cycle)
    if not saved.ok:
        return f"Kỳ đánh giá năm {cycle.year} chưa được mở: {saved.why}"
    return ""
