"""Notifications: who is told what, in Vietnamese, and when.

Two sources, one table (:class:`web.models.Notification`, the in-app list and the e-mail
outbox in one row per user):

- a change of a submission's state: :func:`on_move`, called by the one function that moves
  states (:func:`web.workflow._move`), adds the rows to the session of the move, so that they
  are committed with it or not at all;
- the deadline reminders: :func:`remind` (the command ``parindex remind``), N days before each
  deadline (``REMINDER_DAYS``), once per user, deadline and N (``Notification.key``), only to the
  units that still have to act.

Who receives them (docs/decisions.md, "Notifications"): the active officer accounts of the unit
(``User.unit_id``) for what happens to their self-assessment; the appraisers assigned to the
unit (else the secretariat) when a unit submits and when it has answered every question of its
explanation round (:func:`explanations_answered`, called by the agency's answers: not a move of
state). The mails themselves are sent by
:mod:`web.mailer`. No Flask here: only the models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from web import formatting, roles
from web.models import Agency, Assignment, Cycle, Notification, Submission, User, db, vn_now

# the kinds of notification, and their labels on the in-app list
SUBMITTED = "submitted"
ANSWERED = "answered"
RETURNED = "returned"
ROUND_FINISHED = "round-finished"
EXPLANATION = "explanation"
PUBLISHED = "published"
REMINDER = "reminder"
KINDS = {
    SUBMITTED: "Đơn vị nộp hồ sơ",
    ANSWERED: "Đơn vị đã giải trình",
    RETURNED: "Trả lại hồ sơ",
    ROUND_FINISHED: "Hoàn thành vòng thẩm định",
    EXPLANATION: "Yêu cầu giải trình",
    PUBLISHED: "Công bố kết quả",
    REMINDER: "Nhắc hạn",
}

#: the pages a notification links to (paths of the app; tests/web/test_notifications.py checks
#: that each one answers)
OVERVIEW_PATH = "/don-vi/"
EXPLANATION_PATH = "/don-vi/giai-trinh"
QUEUE_PATH = "/tham-dinh/"
RESULTS_PATH = "/ket-qua"


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    body: str
    link: str = ""


def _year_of(agency: Agency) -> str:
    return f"?nam={agency.cycle.year}"


# ------------------------------------------------------------------------- changes of state
def _notice(agency: Agency, old: str, new: str, reason: str, flagged: list[str]) -> Notice | None:
    """What the officers of ``agency`` are told when its submission moves ``old`` → ``new``
    (None: nothing)."""
    name, year = agency.name, agency.cycle.year
    cycle = agency.cycle
    if new == "draft":
        due = formatting.deadline(cycle.self_deadline)
        return Notice(
            RETURNED,
            f"Hồ sơ tự đánh giá năm {year} của {name} được trả lại để chỉnh sửa",
            f"Sở Nội vụ đã trả lại hồ sơ tự đánh giá Chỉ số CCHC năm {year} của {name} để đơn vị "
            f"chỉnh sửa và nộp lại.\nLý do: {reason}\n"
            + (f"Hạn tự đánh giá: {due}." if due else "Chưa đặt hạn tự đánh giá."),
            OVERVIEW_PATH + _year_of(agency),
        )
    if new == "appraised_1":
        if flagged:  # the request for explanations follows in the same save: that is the news
            return None
        return Notice(
            ROUND_FINISHED,
            f"Đã hoàn thành thẩm định vòng 1 hồ sơ năm {year} của {name}",
            f"Tổ thẩm định đã hoàn thành thẩm định vòng 1 hồ sơ tự đánh giá năm {year} của "
            f"{name}. Không có tiêu chí nào yêu cầu giải trình; hồ sơ chờ Sở Nội vụ phê duyệt.",
            OVERVIEW_PATH + _year_of(agency),
        )
    if new == "explanation":
        due = formatting.deadline(cycle.explanation_deadline)
        return Notice(
            EXPLANATION,
            f"Yêu cầu giải trình: hồ sơ năm {year} của {name}",
            f"Tổ thẩm định đã hoàn thành thẩm định vòng 1 và yêu cầu {name} giải trình "
            f"{len(flagged)} tiêu chí: {', '.join(flagged)}.\n"
            + (f"Hạn giải trình: {due}." if due else "Chưa đặt hạn giải trình."),
            EXPLANATION_PATH + _year_of(agency),
        )
    if new == "appraised_2":
        return Notice(
            ROUND_FINISHED,
            f"Đã hoàn thành thẩm định vòng 2 hồ sơ năm {year} của {name}",
            f"Tổ thẩm định đã hoàn thành thẩm định vòng 2 (sau giải trình) hồ sơ tự đánh giá năm "
            f"{year} của {name}. Hồ sơ chờ Sở Nội vụ phê duyệt.",
            OVERVIEW_PATH + _year_of(agency),
        )
    if new == "published":
        return Notice(
            PUBLISHED,
            f"Đã công bố kết quả Chỉ số CCHC năm {year}",
            f"Sở Nội vụ đã công bố kết quả Chỉ số cải cách hành chính năm {year}. Kết quả của "
            f"{name} xem tại trang kết quả công bố.",
            f"{RESULTS_PATH}/{year}",
        )
    return None


def _submitted_notice(agency: Agency) -> Notice:
    return Notice(
        SUBMITTED,
        f"{agency.name} đã nộp hồ sơ tự đánh giá năm {agency.cycle.year}",
        f"{agency.name} (mã {agency.code}, khối {agency.block}) đã nộp hồ sơ tự đánh giá Chỉ số "
        f"CCHC năm {agency.cycle.year}. Hồ sơ đang chờ thẩm định vòng 1.",
        QUEUE_PATH,
    )


def officers_of(unit_ids: Iterable[int | None]) -> dict[int, list[User]]:
    """The active officer accounts of each unit (one query)."""
    ids = {u for u in unit_ids if u is not None}
    found: dict[int, list[User]] = {}
    if not ids:
        return found
    rows = db.session.execute(
        db.select(User)
        .where(User.role == roles.AGENCY, User.active.is_(True), User.unit_id.in_(ids))
        .order_by(User.id)
    ).scalars()
    for user in rows:
        found.setdefault(user.unit_id or 0, []).append(user)
    return found


def panel_of(agency: Agency) -> list[User]:
    """Who is told that ``agency`` submitted: the active appraisers assigned to its block (or to
    every block) in its cycle; when nobody is assigned, the secretariat's active accounts."""
    assigned = (
        db.session.execute(
            db.select(User)
            .join(Assignment, Assignment.user_id == User.id)
            .where(
                Assignment.cycle_id == agency.cycle_id,
                Assignment.block.in_(("", agency.block)),
                User.active.is_(True),
                User.role.in_(roles.PANEL),
            )
            .order_by(User.id)
        )
        .scalars()
        .unique()
        .all()
    )
    if assigned:
        return list(assigned)
    return list(
        db.session.execute(
            db.select(User)
            .where(User.role == roles.SECRETARIAT, User.active.is_(True))
            .order_by(User.id)
        ).scalars()
    )


def _row(user: User, notice: Notice, key: str | None = None) -> Notification:
    return Notification(
        user_id=user.id,
        kind=notice.kind,
        subject=notice.subject[:300],
        body=notice.body,
        link=notice.link,
        key=key,
        email=user.email or "",
        mail_attempts=0,
        mail_error="",
    )


#: the session's flag: this transaction wrote notifications (the app then tries to mail them)
WRITTEN = "notifications_written"


def on_move(subs: list[Submission], old: str, new: str, reason: str) -> None:
    """Add the notifications of moving ``subs`` from ``old`` to ``new`` to the session, to be
    committed with the move (:func:`web.workflow._move` calls it)."""
    rows: list[Notification] = []
    if new == "submitted":
        for sub in subs:
            told = _submitted_notice(sub.agency)
            rows += [_row(user, told) for user in panel_of(sub.agency)]
    else:
        officers = officers_of(s.agency.unit_id for s in subs)
        for sub in subs:
            flagged = _flagged(sub) if new in ("appraised_1", "explanation") else []
            notice = _notice(sub.agency, old, new, reason, flagged)
            if notice is None:
                continue
            rows += [_row(user, notice) for user in officers.get(sub.agency.unit_id or 0, [])]
    if rows:
        db.session.add_all(rows)
        db.session.info[WRITTEN] = True


def explanations_answered(agency: Agency, count: int) -> None:
    """The agency has answered every question of its explanation round: the panel (as for a
    submission) is told, once per submission (``key``), in the session of the answers. Not a
    move of state: the round runs until its deadline (the agency may still edit answers)."""
    sub = agency.submission
    if sub is None:
        return
    key = f"giai-trinh-du-{sub.id}"
    panel = panel_of(agency)
    told = set(
        db.session.execute(db.select(Notification.user_id).where(Notification.key == key)).scalars()
    )
    notice = Notice(
        ANSWERED,
        f"{agency.name} đã giải trình đủ {count} tiêu chí (năm {agency.cycle.year})",
        f"{agency.name} (mã {agency.code}) đã trả lời đủ {count} tiêu chí được yêu cầu giải "
        f"trình. Tổ thẩm định có thể chấm vòng 2"
        + (
            f" (đơn vị vẫn có thể sửa giải trình đến hạn {formatting.deadline(due)})."
            if (due := agency.cycle.explanation_deadline)
            else "."
        ),
        QUEUE_PATH,
    )
    rows = [_row(user, notice, key) for user in panel if user.id not in told]
    if rows:
        db.session.add_all(rows)
        db.session.info[WRITTEN] = True


def _flagged(sub: Submission) -> list[str]:
    return sorted(a.leaf for a in sub.appraisals if a.round == 1 and a.flagged)


# -------------------------------------------------------------------------------- reminders
def reminder_days(text: str) -> list[int]:
    """``REMINDER_DAYS`` ("7,3,1") as whole days, largest first; raises ValueError whose
    argument is the part that is not a number of days."""
    days: set[int] = set()
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(part)
        days.add(int(part))
    return sorted(days, reverse=True)


@dataclass(frozen=True)
class Deadline:
    """A deadline that reminders are sent for, and the submissions still to act before it."""

    name: str  # "tự đánh giá", "giải trình"
    field: str  # the Cycle column
    waiting_state: str  # the state in which a unit still has to act
    link: str


DEADLINES = (
    Deadline("tự đánh giá", "self_deadline", "draft", OVERVIEW_PATH),
    Deadline("giải trình", "explanation_deadline", "explanation", EXPLANATION_PATH),
)


def due_threshold(deadline: dt.datetime, now: dt.datetime, days: list[int]) -> int | None:
    """Which reminder is due at ``now`` (Vietnam time) for ``deadline``: the smallest N of
    ``days`` with at most N calendar days left, while the deadline is still ahead; None when
    none is. A run missed on the day of N=7 sends that reminder on the next run (unless a
    smaller N is due by then: one reminder, the nearest)."""
    if deadline <= now:
        return None
    left = (deadline.date() - now.date()).days
    due = [n for n in days if left <= n]
    return min(due) if due else None


def remind(days: list[int], now: dt.datetime | None = None) -> int:
    """Add the reminders due now (Vietnam time) to the session, each one once per user; returns
    how many. The caller commits (a concurrent run's duplicate is refused by the unique key)."""
    now = now or vn_now()
    if not days:
        return 0
    cycles = db.session.execute(db.select(Cycle).where(Cycle.opened_at.is_not(None))).scalars()
    rows: list[Notification] = []
    for cycle in cycles:
        for kind in DEADLINES:
            deadline = getattr(cycle, kind.field)
            if deadline is None:
                continue
            n = due_threshold(deadline, now, days)
            if n is None:
                continue
            rows += _reminders_for(cycle, kind, deadline, n, now)
    if rows:
        db.session.add_all(rows)
    return len(rows)


def _reminders_for(
    cycle: Cycle, kind: Deadline, deadline: dt.datetime, n: int, now: dt.datetime
) -> list[Notification]:
    waiting = list(
        db.session.execute(
            db.select(Agency)
            .outerjoin(Submission, Submission.agency_id == Agency.id)
            .where(Agency.cycle_id == cycle.id)
            .where(
                (Submission.state == kind.waiting_state)
                | (Submission.state.is_(None) if kind.waiting_state == "draft" else False)
            )
            .order_by(Agency.code)
        ).scalars()
    )
    if not waiting:
        return []
    officers = officers_of(a.unit_id for a in waiting)
    key_of = f"nhac-{kind.field}-{cycle.id}-{deadline:%Y%m%d%H%M}-{n}-"
    sent = set(
        db.session.execute(
            db.select(Notification.user_id, Notification.key).where(
                Notification.key.like(key_of + "%")
            )
        ).all()
    )
    left = (deadline.date() - now.date()).days
    when = formatting.deadline(deadline)
    rows = []
    for agency in waiting:
        key = f"{key_of}{agency.id}"
        left_text = "hôm nay" if left == 0 else f"còn {left} ngày"
        notice = Notice(
            REMINDER,
            f"Nhắc hạn {kind.name} năm {cycle.year}: {left_text} (hạn {when})",
            f"Hạn {kind.name} Chỉ số CCHC năm {cycle.year} là {when} ({left_text}). "
            + (
                f"{agency.name} chưa nộp hồ sơ tự đánh giá: hãy hoàn thành và nộp trước hạn."
                if kind.waiting_state == "draft"
                else f"{agency.name} đang trong vòng giải trình: hãy trả lời các tiêu chí được "
                "yêu cầu trước hạn."
            ),
            kind.link + f"?nam={cycle.year}",
        )
        for user in officers.get(agency.unit_id or 0, []):
            if (user.id, key) not in sent:
                rows.append(_row(user, notice, key))
    return rows
