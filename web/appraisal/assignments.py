"""Who appraises which leaves (phân công thẩm định): an appraiser is assigned fields,
criteria or the bonus and penalty items of one block (or of every block) in a cycle; the
secretariat and administrators see every leaf. The secretariat's page of assignments: list,
add (codes checked against the cycle's criteria sets), remove; every change is audited."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from parindex.criteria import Leaf, LoadedSet
from web.audit import audit
from web.engine import leaves_of, loaded_set
from web.errors import commit_or_conflict
from web.inputs import small_int_or_none
from web.models import Agency, Assignment, Cycle, User, db
from web.pages import EXTRA_PAGE, PageRef, pages_of
from web.roles import APPRAISER, STAFF


def assigned_codes(user: User, agency: Agency) -> set[str] | None:
    """The field / criterion / "thuong-tru" codes assigned to ``user`` for the agency's block
    in its cycle; ``None`` for the secretariat and administrators (everything)."""
    if user.role in STAFF:
        return None
    if user.role != APPRAISER:
        return set()
    rows = db.session.execute(
        db.select(Assignment.code).filter(
            Assignment.cycle_id == agency.cycle_id,
            Assignment.user_id == user.id,
            Assignment.block.in_(("", agency.block)),
        )
    ).scalars()
    return set(rows)


def is_assigned(loaded: LoadedSet, code: str, codes: set[str] | None) -> bool:
    if codes is None:
        return True
    if code in loaded.leaf_by_code:
        fld, criterion, _ = loaded.leaf_by_code[code]
        return fld.code in codes or criterion.code in codes
    return code in loaded.extra_by_code and EXTRA_PAGE in codes


def panel_leaves(loaded: LoadedSet, codes: set[str] | None) -> list[Leaf]:
    """The leaves the panel scores (not survey-scored) that ``codes`` cover, in file order."""
    return [
        leaf
        for leaf in leaves_of(loaded)
        if not leaf.survey and is_assigned(loaded, leaf.code, codes)
    ]


@dataclass
class AssignmentForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class AssignmentPage:
    cycle: Cycle
    rows: list[Assignment]
    appraisers: list[User]
    blocks: list[tuple[str, str]]  # (block, name)
    codes: dict[str, list[PageRef]]  # block → its fields (and bonus/penalty)
    form: AssignmentForm


def assignment_page(cycle: Cycle, form: AssignmentForm | None = None) -> AssignmentPage:
    rows = (
        db.session.execute(
            db.select(Assignment)
            .filter_by(cycle_id=cycle.id)
            .options(selectinload(Assignment.user))
            .order_by(Assignment.user_id, Assignment.block, Assignment.code)
        )
        .scalars()
        .all()
    )
    appraisers = (
        db.session.execute(
            db.select(User).filter_by(role=APPRAISER, active=True).order_by(User.name)
        )
        .scalars()
        .all()
    )
    records = sorted(cycle.criteria, key=lambda r: r.block)
    return AssignmentPage(
        cycle,
        list(rows),
        list(appraisers),
        [(r.block, r.block_name) for r in records],
        {r.block: pages_of(loaded_set(r)) for r in records},
        form or AssignmentForm({"user_id": "", "block": "", "codes": ""}),
    )


def _codes_of(loaded: LoadedSet) -> set[str]:
    codes = {f.code for f in loaded.model.fields}
    codes |= {c.code for f in loaded.model.fields for c in f.criteria}
    if loaded.extra_by_code:
        codes.add(EXTRA_PAGE)
    return codes


def add_assignment(cycle: Cycle, form: Mapping[str, str], user: User) -> AssignmentForm:
    """Assign an appraiser fields / criteria (codes separated by commas or spaces) of one block
    or of every block ("" ); codes already assigned are skipped; audited."""
    values = {k: str(form.get(k, "")).strip() for k in ("user_id", "block", "codes")}
    result = AssignmentForm(values)
    appraiser = db.session.get(User, uid) if (uid := small_int_or_none(values["user_id"])) else None
    if appraiser is None or appraiser.role != APPRAISER or not appraiser.active:
        result.errors["user_id"] = "Chọn một thành viên Tổ thẩm định."
    records = {r.block: r for r in cycle.criteria}
    block = values["block"]
    if block and block not in records:
        result.errors["block"] = "Khối không có bộ tiêu chí trong kỳ đánh giá này."
    codes = [c for c in re.split(r"[,;\s]+", values["codes"]) if c]
    if not codes:
        result.errors["codes"] = (
            "Nhập mã lĩnh vực (ví dụ 2), mã tiêu chí (ví dụ 3.2) hoặc “thuong-tru” (điểm thưởng, "
            "điểm trừ), cách nhau bởi dấu phẩy."
        )
    else:
        sets = [records[block]] if block else list(records.values())
        known = set().union(*(_codes_of(loaded_set(r)) for r in sets)) if sets else set()
        unknown = [c for c in codes if c not in known]
        if unknown:
            where = f"khối {block}" if block else "bộ tiêu chí nào của kỳ"
            result.errors["codes"] = f"Không có mã {', '.join(unknown)} trong {where}."
    if result.errors or appraiser is None:
        return result
    existing = set(
        db.session.execute(
            db.select(Assignment.code).filter_by(
                cycle_id=cycle.id, user_id=appraiser.id, block=block
            )
        ).scalars()
    )
    with commit_or_conflict() as saved:
        for code in dict.fromkeys(codes):
            if code in existing:
                result.skipped.append(code)
                continue
            db.session.add(
                Assignment(
                    cycle_id=cycle.id,
                    user_id=appraiser.id,
                    block=block,
                    code=code,
                    created_by=user.id,
                )
            )
            audit(
                user,
                "assignment",
                f"{cycle.year}/{block or '*'}/{code}",
                "",
                appraiser.email,
                reason="phân công thẩm định",
            )
            result.created.append(code)
    if not saved.ok:
        result.created = []
        result.errors["codes"] = "Chưa lưu được (có người vừa phân công cùng lúc); hãy thử lại."
    return result


def delete_assignment(assignment_id: int, user: User) -> tuple[Cycle, str]:
    row = db.session.get(Assignment, assignment_id)
    if row is None:
        raise NotFound("Không tìm thấy phân công.")
    cycle = row.cycle
    text = f"{row.user.email}: {row.code}" + (f" (khối {row.block})" if row.block else "")
    audit(
        user,
        "assignment",
        f"{cycle.year}/{row.block or '*'}/{row.code}",
        row.user.email,
        "",
        reason="bỏ phân công thẩm định",
    )
    db.session.delete(row)
    db.session.commit()
    return cycle, f"Đã bỏ phân công {text}."
