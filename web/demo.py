"""The demo province for `parindex serve`: the bundled sample's two years loaded into an empty
database, so that a newcomer logging in as each demo account finds real work.

- **2024** (before the reorganisation: departments, districts, communes): every self-assessment
  submitted, appraised as the sample's files say (the self-score where they say nothing),
  approved and **published** — `/ket-qua/2024`, equal to `submissions/2024/ket-qua-2024.csv`.
- The **lineage** of the 2025 reorganisation (`submissions/2025/lineage.csv`), imported as the
  secretariat would; the accounts of units merged away moved to the unit that took them over,
  those of dissolved districts deactivated.
- The **CCHC plan** of 2025 (`submissions/2025/ke-hoach-cchc-2025.xlsx`), imported and reported
  by the units (docs/plan.md).
- **2025** (after it: departments, wards, communes and the special zone), in progress: the units
  in turn in draft, submitted, round 1 under way, waiting for an explanation, appraised again and
  approved (:data:`STAGES`).

Everything is written through the app's own services (the workflow's transitions, the survey
import, the lineage import, publication), so the audit trail reads as if people had done it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.dataset import Dataset, load_year
from web import council, publishing, workflow
from web.engine import appraisable_codes, evaluate
from web.models import (
    Agency,
    Appraisal,
    Assignment,
    CriteriaRecord,
    Cycle,
    Entry,
    Evidence,
    Submission,
    Unit,
    UnitLink,
    User,
    db,
    utcnow,
    vn_now,
)
from web.pages import EXTRA_PAGE
from web.roles import ADMIN, AGENCY, APPRAISER, SECRETARIAT

DEMO_PASSWORD = "parindex-demo"
DOMAIN = "tinhmau.gov.vn"

#: the states the demo's current-year units are left in, in turn (agencies in code order):
#: a draft, one submitted, one in round 1 (half its leaves appraised), one waiting for its
#: explanation, … — each state has several units when the year has enough of them
STAGES = (
    "draft",
    "submitted",
    "round1",
    "explanation",
    "approved",
    "draft",
    "submitted",
    "appraised_2",
    "approved",
)


def sample_years(root: Path) -> list[int]:
    """The years of the sample: the folders of ``criteria/`` named by a year, oldest first."""
    return sorted(int(p.name) for p in (root / "criteria").iterdir() if p.name.isdigit())


def seed_demo(root: Path) -> list[tuple[str, str, str]]:
    """Load the bundled sample province (its years, lineage, accounts; the last year in
    progress, the earlier ones published) into an empty database; returns the demo accounts
    (e-mail, role, password). A database that already holds a cycle is left alone."""
    from werkzeug.security import generate_password_hash

    if db.session.execute(db.select(Cycle)).first() is not None:
        return []
    password = generate_password_hash(DEMO_PASSWORD)
    accounts: list[tuple[str, str, str]] = []
    staff: dict[str, User] = {}
    for email, name, role in (
        (f"quantri@{DOMAIN}", "Quản trị hệ thống", ADMIN),
        (f"sonoivu@{DOMAIN}", "Phòng CCHC, Sở Nội vụ", SECRETARIAT),
        (f"thamdinh@{DOMAIN}", "Tổ công tác thẩm định", APPRAISER),
    ):
        staff[role] = User(email=email, name=name, role=role, password_hash=password)
        db.session.add(staff[role])
        accounts.append((email, role, DEMO_PASSWORD))
    db.session.flush()
    years = sample_years(root)
    officers: dict[str, User] = {}
    previous: Cycle | None = None
    for year in years:
        ds = load_year(root, year)
        current = year == years[-1]
        if current:
            _import_lineage(root, year, staff[SECRETARIAT])
            _move_accounts(officers)
        cycle = _cycle(ds, previous, current)
        for a in ds.agencies.values():
            if a.id not in officers:
                unit = db.session.execute(db.select(Unit).filter_by(code=a.id)).scalar_one()
                officers[a.id] = User(
                    email=f"{a.id}@{DOMAIN}",
                    name=f"Cán bộ CCHC — {a.name}",
                    role=AGENCY,
                    password_hash=password,
                    unit=unit,
                )
                db.session.add(officers[a.id])
        db.session.flush()
        _assign(cycle, ds, staff[APPRAISER])
        _surveys(cycle, ds, staff[SECRETARIAT])
        if current:
            _doubtful_documents(cycle)
            _plan(root, cycle, officers, staff[SECRETARIAT])
            _in_progress(cycle, ds, officers, staff)
        else:
            _published(cycle, ds, officers, staff)
        previous = cycle
    db.session.commit()
    accounts += [(u.email, AGENCY, DEMO_PASSWORD) for u in officers.values() if u.active]
    return accounts


# ------------------------------------------------------------------------------- the cycles
def _cycle(ds: Dataset, previous: Cycle | None, current: bool) -> Cycle:
    """A cycle of ``ds``'s year with its criteria sets and units (agency rows, empty drafts
    filled from the sample's files). The current year's deadline is the usual 31 January, or 30
    days from today when that has passed, so the demo can always be filled in."""
    usual = dt.datetime(ds.year + 1, 1, 31, 17, 0)
    later = dt.datetime.combine(vn_now().date() + dt.timedelta(days=30), dt.time(17, 0))
    deadline = max(usual, later) if current else usual
    cycle = Cycle(
        year=ds.year,
        title=f"Chỉ số CCHC năm {ds.year} — tỉnh mẫu (dữ liệu minh họa)",
        self_deadline=deadline,
        explanation_deadline=deadline + dt.timedelta(days=28),
        opened_at=utcnow(),
        previous=previous,
    )
    db.session.add(cycle)
    for block, loaded in ds.sets.items():
        db.session.add(
            CriteriaRecord(
                cycle=cycle,
                block=block,
                set_id=loaded.model.id,
                block_name=loaded.model.block_name,
                file_name=loaded.path.name,
                yaml_text=loaded.path.read_text(encoding="utf-8"),
                sha256=loaded.sha256,
            )
        )
    subs = {s.agency: s for block_subs in ds.submissions.values() for s in block_subs}
    for a in ds.agencies.values():
        unit = db.session.execute(db.select(Unit).filter_by(code=a.id)).scalar_one_or_none()
        if unit is None:
            unit = Unit(code=a.id, name=a.name)
            db.session.add(unit)
        unit.name, unit.type = a.name, a.type
        agency = Agency(cycle=cycle, unit=unit, code=a.id, name=a.name, block=a.block)
        db.session.add(agency)
        sub = Submission(agency=agency, state=workflow.DRAFT)
        db.session.add(sub)
        raw = subs[a.id].raw if a.id in subs else {}
        for code, value in (raw.get("leaves") or {}).items():
            db.session.add(_entry_from_sample(sub, str(code), value or {}))
    db.session.flush()
    return cycle


def _assign(cycle: Cycle, ds: Dataset, appraiser: User) -> None:
    """The demo appraiser appraises every field (and the bonus and penalty items) of every
    block."""
    codes = {f.code for loaded in ds.sets.values() for f in loaded.model.fields}
    for code in sorted(codes) + [EXTRA_PAGE]:
        db.session.add(Assignment(cycle=cycle, user=appraiser, block="", code=code))


def _surveys(cycle: Cycle, ds: Dataset, secretariat: User) -> None:
    """The year's survey results, imported as the secretariat would (the published year has
    them; the current one too, so that its preview is complete)."""
    sdir = ds.root / "submissions" / str(ds.year)
    for path in (sdir / "surveys.csv", sdir / "surveys.xlsx"):
        if path.exists():
            got = publishing.import_surveys(cycle, path.name, path.read_bytes(), secretariat)
            if not got.ok:
                raise RuntimeError(f"demo surveys {path}: {got.problems[:3]}")
            return


def _import_lineage(root: Path, year: int, secretariat: User) -> None:
    """The reorganisation as the secretariat imports it (Đơn vị → Nhập lịch sử sắp xếp)."""
    from web.lineage import import_lineage

    sdir = root / "submissions" / str(year)
    for path in (sdir / "lineage.csv", sdir / "lineage.xlsx"):
        if path.exists():
            db.session.flush()
            got = import_lineage(path.name, path.read_bytes(), secretariat)
            if not got.ok:
                raise RuntimeError(f"demo lineage {path}: {got.problems[:3]}")
            return


def _move_accounts(officers: dict[str, User]) -> None:
    """After the reorganisation: the account of a unit merged into (or renamed as) another now
    works for that unit — its officer kept the same log-in — and the account of a dissolved
    unit is deactivated. Earlier years keep their authors."""
    for user in officers.values():
        unit = user.unit
        if unit is None or unit.ended_on is None:
            continue
        successor = (
            db.session.execute(
                db.select(Unit)
                .join(UnitLink, UnitLink.new_unit_id == Unit.id)
                .where(UnitLink.old_unit_id == unit.id, Unit.id != unit.id)
                .order_by(UnitLink.id)
            )
            .scalars()
            .first()
        )
        if successor is None:
            user.active = False
        else:
            user.unit = successor


# ------------------------------------------------------------------------- the workflow
def _published(
    cycle: Cycle, ds: Dataset, officers: dict[str, User], staff: dict[str, User]
) -> None:
    """Every unit of the year through the whole cycle, then the results published."""
    rounds = _sample_rounds(ds)
    for agency in sorted(cycle.agencies, key=lambda a: a.code):
        sub = agency.submission
        assert sub is not None
        workflow.transition(sub, workflow.SUBMITTED, officers[agency.code])
        _appraise(sub, agency, rounds.get(agency.code, {}), staff[APPRAISER], share=1.0)
        workflow.transition(sub, workflow.APPRAISED_1, staff[APPRAISER])
        if workflow.flagged_leaves(sub):
            workflow.transition(sub, workflow.EXPLANATION, staff[APPRAISER])
            _second_round(sub, rounds.get(agency.code, {}), officers[agency.code], staff)
            workflow.transition(sub, workflow.APPRAISED_2, staff[APPRAISER])
        workflow.transition(sub, workflow.APPROVED, staff[SECRETARIAT])
    db.session.flush()
    _council(cycle, staff[SECRETARIAT])
    publishing._publish(cycle, staff[SECRETARIAT], "")


#: the demo's appraisal council: (name, role, attendance, vote) — 6 of 7 agree, one absent
COUNCIL = (
    ("Trần Minh Đức", "Chủ tịch Hội đồng (Phó Chủ tịch UBND tỉnh)", "present", "agree"),
    ("Lê Thị Hồng", "Phó Chủ tịch Hội đồng (Giám đốc Sở Nội vụ)", "present", "agree"),
    ("Phạm Văn Bình", "Thành viên (Chánh Văn phòng UBND tỉnh)", "present", "agree"),
    ("Nguyễn Thị Lan", "Thành viên (Giám đốc Sở Tư pháp)", "written", "agree"),
    ("Võ Thanh Sơn", "Thành viên (Giám đốc Sở Tài chính)", "present", "agree"),
    ("Huỳnh Quốc Việt", "Thành viên (Chánh Thanh tra tỉnh)", "absent", ""),
    ("Đặng Thu Trang", "Thư ký (Trưởng phòng CCHC, Sở Nội vụ)", "present", "agree"),
)


def _council(cycle: Cycle, secretariat: User) -> None:
    """The council's session approving the year's results as they now are (a valid decision:
    6 of its 7 members agree), recorded as the secretariat would."""
    form = council.CouncilForm(
        number=f"05/QĐ-HĐTĐ-{cycle.year}",
        decided_on=f"20/01/{cycle.year + 1}",
        rows=[council.MemberRow(*member) for member in COUNCIL],
    )
    council.record(cycle, form, publishing.current_snapshot(cycle), secretariat)
    db.session.flush()


# --------------------------------------------------------------------------- the CCHC plan
def _plan(root: Path, cycle: Cycle, officers: dict[str, User], secretariat: User) -> None:
    """The year's CCHC plan (``submissions/<year>/ke-hoach-cchc-<year>.xlsx``) imported as the
    secretariat would, and reported by the units as their officers would: most tasks done on
    their due date with the product's document, every third unit one task a week late, every
    fourth one task not done with its reason, the first unit (a draft) half its tasks not yet
    reported."""
    from web import plan

    path = root / "submissions" / str(cycle.year) / f"ke-hoach-cchc-{cycle.year}.xlsx"
    if not path.exists():
        return
    got = plan.import_plan(cycle, path.name, path.read_bytes(), secretariat)
    if not got.ok:
        raise RuntimeError(f"demo plan {path}: {got.problems[:3]} {got.refused}")
    for i, agency in enumerate(sorted(cycle.agencies, key=lambda a: a.code)):
        reports = plan.reports_of(agency)
        if i == 0:
            reports = reports[: len(reports) // 2]
        for j, report in enumerate(reports):
            due = report.task.due
            if i % 4 == 3 and j == 0:
                form = {"status": "not-done", "reason": "Chờ hướng dẫn của bộ, ngành Trung ương"}
            else:
                late = i % 3 == 2 and j == 1
                day = due + dt.timedelta(days=7) if late else due
                form = {
                    "status": "done",
                    "completed_on": day.strftime("%d/%m/%Y"),
                    "doc_number": f"{j + 1}/BC-{agency.code.upper()[:12]}",
                    "doc_date": day.strftime("%d/%m/%Y"),
                    "doc_title": f"Báo cáo kết quả: {report.task.task}"[:500],
                }
            plan.save_report(agency, report, form, officers[agency.code])


def _in_progress(
    cycle: Cycle, ds: Dataset, officers: dict[str, User], staff: dict[str, User]
) -> None:
    """The current year: each unit left at one stage of :data:`STAGES`, in turn."""
    rounds = _sample_rounds(ds)
    appraiser, secretariat = staff[APPRAISER], staff[SECRETARIAT]
    for i, agency in enumerate(sorted(cycle.agencies, key=lambda a: a.code)):
        stage = STAGES[i % len(STAGES)]
        sub = agency.submission
        assert sub is not None
        if stage == "draft":
            continue
        workflow.transition(sub, workflow.SUBMITTED, officers[agency.code])
        if stage == "submitted":
            continue
        mine = rounds.get(agency.code, {})
        if stage == "round1":
            _appraise(sub, agency, mine, appraiser, share=0.5)
            continue
        if stage == "explanation":  # one leaf questioned at least, waiting for the answer
            _appraise(sub, agency, mine, appraiser, share=1.0, question=True)
            workflow.transition(sub, workflow.APPRAISED_1, appraiser)
            workflow.transition(sub, workflow.EXPLANATION, appraiser)
            continue
        _appraise(sub, agency, mine, appraiser, share=1.0)
        workflow.transition(sub, workflow.APPRAISED_1, appraiser)
        if workflow.flagged_leaves(sub):
            workflow.transition(sub, workflow.EXPLANATION, appraiser)
            _second_round(sub, mine, officers[agency.code], staff)
            workflow.transition(sub, workflow.APPRAISED_2, appraiser)
        if stage == "approved":
            workflow.transition(sub, workflow.APPROVED, secretariat)


#: the demo's questionable documents: the bundled sample's evidence is clean (its files raise no
#: evidence hint, tests/test_hints.py), so the demo's current year gets a few documents wrong on
#: purpose, each of a kind the panel's hints (parindex.hints) point out — on two units the demo
#: appraiser can open at once (submitted). (unit, leaf, what is changed)
DOUBTFUL = (
    ("xa-dinh-an", "1.1.1", "the plan dated ten days after the issue date the unit claims"),
    ("xa-dinh-an", "1.2.1", "the number typed without its symbol's separators"),
    ("xa-dinh-an", "1.3.1", "a decision's symbol (QĐ) on a plan's title"),
    ("xa-dinh-an", "1.3.2", "last year's report cited again"),
    ("xa-dinh-an", "1.4.3", "a link to a file on the officer's computer"),
    ("xa-dinh-an", "2.1.1", "the document of 1.4.1 cited again (another criterion)"),
    ("xa-my-an", "1.3.1", "a document of UBND xã Định An cited as its own evidence"),
)


def _doubtful_documents(cycle: Cycle) -> None:
    """Apply :data:`DOUBTFUL` to the cycle's entries read from the sample (a document that is
    not there, should the sample change, is skipped)."""
    entries = {
        (a.code, e.leaf): e for a in cycle.agencies if a.submission for e in a.submission.entries
    }

    def doc(code: str, leaf: str) -> Evidence | None:
        entry = entries.get((code, leaf))
        return entry.evidence[0] if entry is not None and entry.evidence else None

    plan = doc("xa-dinh-an", "1.1.1")
    if plan is not None and plan.date is not None:
        plan.date = plan.date + dt.timedelta(days=10)
    if (typed := doc("xa-dinh-an", "1.2.1")) is not None:
        typed.number = typed.number.replace("/", " ").replace("-", " ")
    if (plan := doc("xa-dinh-an", "1.3.1")) is not None:
        plan.number = f"{plan.number.split('/')[0]}/QĐ-UBND"
        plan.title = "Kế hoạch tự kiểm tra công tác cải cách hành chính năm 2025"
    if (rate := entries.get(("xa-dinh-an", "1.3.2"))) is not None:
        rate.evidence.append(
            Evidence(
                number="210/BC-UBND",
                date=dt.date(cycle.year - 1, 11, 15),
                issuer="UBND xã Định An",
                title=f"Báo cáo kết quả cải cách hành chính năm {cycle.year - 1}",
                location="mục II",
                url="https://vanban.tinhmau.gov.vn/xa-dinh-an/210-BC-UBND",
            )
        )
    if (linked := doc("xa-dinh-an", "1.4.3")) is not None:
        linked.url = f"file:///D:/MinhChung/{linked.number.replace('/', '-')}.pdf"
        linked.original_name = ""
    used, other = doc("xa-dinh-an", "1.4.1"), entries.get(("xa-dinh-an", "2.1.1"))
    if used is not None and other is not None:
        other.evidence.append(_copy(used))
    copied, mine = doc("xa-dinh-an", "1.3.3"), entries.get(("xa-my-an", "1.3.1"))
    if copied is not None and mine is not None:
        mine.evidence.append(_copy(copied))


def _copy(ev: Evidence) -> Evidence:
    return Evidence(
        number=ev.number,
        date=ev.date,
        issuer=ev.issuer,
        title=ev.title,
        location=ev.location,
        url=ev.url,
        original_name=ev.original_name,
    )


def _sample_rounds(ds: Dataset) -> dict[str, dict[str, dict[str, Any]]]:
    """agency → leaf → the sample's ``appraisal`` mapping (round1, round2) of that leaf."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for block_subs in ds.submissions.values():
        for s in block_subs:
            for code, value in ((s.raw or {}).get("leaves") or {}).items():
                if isinstance(value, dict) and isinstance(value.get("appraisal"), dict):
                    out.setdefault(s.agency, {})[str(code)] = value["appraisal"]
    return out


def _cents(score: Any) -> int:
    return int((Decimal(str(score)) * 100).to_integral_value())


def _appraise(
    sub: Submission,
    agency: Agency,
    rounds: dict[str, dict[str, Any]],
    appraiser: User,
    *,
    share: float,
    question: bool = False,
) -> None:
    """Round 1 of the panel on the first ``share`` of the agency's leaves: the sample's round-1
    score and reason where it gives one, else the self-score (a leaf the sample settles in round
    2 is flagged with its question). ``question``: the first leaf not otherwise flagged is
    questioned too (the demo's "waiting for an explanation")."""
    db.session.flush()
    evaluation = evaluate(agency, appraised=False)
    codes = appraisable_codes(agency)
    codes = codes[: max(1, int(len(codes) * share))] if share < 1 else codes
    asked = False
    for code in codes:
        mine = rounds.get(code, {})
        first = mine.get("round1") or {}
        result = evaluation.leaves.get(code)
        # a leaf declared "did not arise" (not applicable) is accepted as such: no score
        self_c = None if result is None or not result.applicable else result.self_c
        score_c = _cents(first["score"]) if "score" in first else self_c
        flagged = "round2" in mine
        text = ""
        if flagged:
            text = "Đề nghị đơn vị giải trình, bổ sung tài liệu kiểm chứng cho tiêu chí này."
        elif question and not asked and self_c is not None:
            flagged, asked = True, True
            text = "Tài liệu kiểm chứng chưa thể hiện đủ nội dung; đề nghị đơn vị giải trình."
        reason = str(first.get("reason", "")) if score_c != self_c else ""
        db.session.add(
            Appraisal(
                submission=sub,
                leaf=code,
                round=1,
                score_c=score_c,
                reason=reason or ("" if score_c == self_c else "Theo hồ sơ minh họa"),
                flagged=flagged,
                question=text,
                by_id=appraiser.id,
            )
        )
    db.session.flush()


def _second_round(
    sub: Submission, rounds: dict[str, dict[str, Any]], officer: User, staff: dict[str, User]
) -> None:
    """The agency's answer to each question, then round 2: the sample's round-2 score and
    reason, or the round-1 score kept."""
    for row in workflow.round1_rows(sub).values():
        if not row.flagged:
            continue
        row.answer = "Đơn vị đã bổ sung tài liệu kiểm chứng theo yêu cầu (dữ liệu minh họa)."
        row.answered_at = utcnow()
        row.answered_by = officer.id
        second = rounds.get(row.leaf, {}).get("round2") or {}
        score_c = _cents(second["score"]) if "score" in second else row.score_c
        db.session.add(
            Appraisal(
                submission=sub,
                leaf=row.leaf,
                round=2,
                score_c=score_c,
                reason=str(second.get("reason", "")) or "Giữ điểm vòng 1 sau giải trình",
                by_id=staff[APPRAISER].id,
            )
        )
    db.session.flush()


# ------------------------------------------------------------------------------- entries
def stored_data(value: dict[str, Any]) -> dict[str, Any]:
    """A leaf entry of a submission mapping as ``Entry.data`` holds it: dates and decimals as
    text; evidence and rounds left out (they have their own tables)."""
    data: dict[str, Any] = {}
    for key, v in value.items():
        if key in ("evidence", "appraisal"):
            continue
        data[key] = (
            v.isoformat() if isinstance(v, dt.date) else (str(v) if isinstance(v, Decimal) else v)
        )
    return data


def _entry_from_sample(sub: Submission, code: str, value: dict[str, Any]) -> Entry:
    entry = Entry(submission=sub, leaf=code, data=stored_data(value))
    for item in value.get("evidence") or []:
        entry.evidence.append(
            Evidence(
                number=str(item.get("number", "")),
                date=item.get("date"),
                issuer=str(item.get("issuer", "")),
                title=str(item.get("title", "")),
                location=str(item.get("location", "")),
                url=str(item.get("url", "")),
                original_name=Path(str(item.get("file", ""))).name if item.get("file") else "",
            )
        )
    return entry
