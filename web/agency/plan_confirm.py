"""The officer's one-step confirmation of the plan-completion leaf: the figures the tracked CCHC
plan gives (``web.plan.plan_facts``) saved through the self-assessment's own write, and the
task list's documents attached as the leaf's evidence (``web.plan.plan_documents``), replacing
only the plan-derived ones. Here, in the officer's package, because it writes through the
self-assessment and evidence modules; ``web.plan`` stays shared by every role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from web.agency.evidence import _evidence_summary
from web.agency.selfassessment import _write, entries_of, loaded_set
from web.audit import audit
from web.engine import submission_of
from web.errors import commit_or_conflict
from web.leafform import parse_leaf, raw_from_data, self_data
from web.models import Agency, Entry, User, db, utcnow
from web.plan import is_plan_document, plan_documents, plan_facts, plan_leaf
from web.workflow import can_edit


@dataclass
class ConfirmOutcome:
    ok: bool
    message: str
    code: str = ""
    status: int = 200


def confirm(agency: Agency, user: User, now: dt.datetime | None = None) -> ConfirmOutcome:
    """ "Xác nhận số liệu từ Kế hoạch CCHC": in one transaction, the plan-completion leaf's
    numerator and denominator saved as the plan gives them (:func:`plan_facts`, the officer's
    explanation kept) and its plan-derived documents replaced by the task list's documents
    (:func:`plan_documents`); documents the officer added stay. Audited; the draft's other
    leaves untouched."""
    loaded = loaded_set(agency)
    leaf = plan_leaf(loaded)
    facts = plan_facts(agency)
    if leaf is None or facts is None:
        return ConfirmOutcome(
            False,
            "Đơn vị không có nhiệm vụ nào trong Kế hoạch CCHC đã theo dõi; không có số liệu để "
            "xác nhận.",
            status=404,
        )
    code = leaf.code
    ok, why = can_edit(agency, now)
    if not ok:
        return ConfirmOutcome(False, f"{why} Số liệu chưa được lưu.", code, 403)
    entry = entries_of(agency, [code]).get(code)
    stored = None if entry is None else entry.data
    raw = raw_from_data(loaded, leaf, stored)
    if "dna" in raw:  # the plan gives figures: a "did not arise" claim no longer holds
        raw.update(dna="", dna_reason="")
    raw["numerator"] = str(facts.numerator)
    raw["denominator"] = str(facts.denominator)
    if not raw.get("explanation", "").strip():
        raw["explanation"] = f"Số liệu lấy từ Kế hoạch CCHC năm {agency.cycle.year}: {facts.text}."
    data, errors = parse_leaf(loaded, leaf, raw)
    if errors:
        return ConfirmOutcome(
            False,
            f"Số liệu từ kế hoạch chưa lưu được cho tiêu chí {code}: " + "; ".join(errors.values()),
            code,
            400,
        )
    reason = f"xác nhận số liệu từ Kế hoạch CCHC năm {agency.cycle.year}"
    documents = plan_documents(agency, facts.reports, user)
    with commit_or_conflict(_Changed) as saved:
        sub = submission_of(agency)
        if not _write(sub, entry, user, code, data, now or utcnow()):
            raise _Changed
        audit(user, "entry", code, self_data(stored), self_data(data), agency=agency, reason=reason)
        db.session.flush()
        entry = db.session.execute(
            db.select(Entry).filter_by(submission_id=sub.id, leaf=code)
        ).scalar_one()
        for ev in [e for e in entry.evidence if is_plan_document(e)]:
            audit(
                user,
                "evidence",
                f"{code}#{ev.id}",
                _evidence_summary(ev),
                "",
                agency=agency,
                reason=reason,
            )
            entry.evidence.remove(ev)
            db.session.delete(ev)
        for ev in documents:
            entry.evidence.append(ev)
        db.session.flush()
        for ev in documents:
            audit(
                user,
                "evidence",
                f"{code}#{ev.id}",
                "",
                _evidence_summary(ev),
                agency=agency,
                reason=reason,
            )
    if not saved.ok:
        return ConfirmOutcome(
            False,
            "Chưa lưu được: có người vừa lưu cùng lúc hoặc hệ thống đang bận; hãy thử lại.",
            code,
            409,
        )
    return ConfirmOutcome(
        True,
        f"Đã lưu số liệu tiêu chí {code} từ Kế hoạch CCHC ({facts.text}) và "
        f"{len(documents)} văn bản sản phẩm của nhiệm vụ làm tài liệu kiểm chứng.",
        code,
    )


class _Changed(Exception):
    """The leaf was written by someone else meanwhile."""
