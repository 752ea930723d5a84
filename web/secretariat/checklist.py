"""The checklist the secretariat reads before publishing a cycle's results: units not approved,
the council's approval of exactly the current results, survey results missing, the warnings
still open in the results, and each block's criteria set against last year's. What blocks the
publication is said here; :func:`web.publishing.publish` checks the same again when confirmed."""

from __future__ import annotations

from dataclasses import dataclass, field

from parindex.dataset import collector_paused
from parindex.errors import Issue
from web import council, publishing, workflow
from web.models import Agency, CouncilDecision, Cycle, Publication, db
from web.publishing import Group, grouped
from web.secretariat.set_changes import BlockChanges, cycle_changes

#: a short title per kind of finding, for the groups (the message of the first one otherwise)
KIND_TITLES = {
    "leaf-empty": "Tiêu chí chưa kê khai (tính 0 điểm)",
    "evidence-missing": "Có điểm tự đánh giá nhưng chưa có tài liệu kiểm chứng",
}


@dataclass
class Findings:
    """One kind of finding: how many, and the leaves each unit has it on."""

    message: str
    count: int = 0
    by_agency: dict[str, list[str]] = field(default_factory=dict)

    @property
    def items(self) -> list[str]:
        return [
            f"{agency}: {', '.join(leaves)}" if leaves else agency
            for agency, leaves in self.by_agency.items()
        ]


def findings(issues: list[Issue]) -> list[Findings]:
    """The issues (but missing surveys) gathered by kind — by code where the kind has a title,
    else by their message — the largest first."""
    out: dict[str, Findings] = {}
    for issue in issues:
        if issue.code == "survey-missing":
            continue
        key = issue.code if issue.code in KIND_TITLES else issue.message
        group = out.setdefault(key, Findings(KIND_TITLES.get(issue.code, issue.message)))
        group.count += 1
        leaves = group.by_agency.setdefault(issue.location.agency or "", [])
        if issue.location.leaf and issue.location.leaf not in leaves:
            leaves.append(issue.location.leaf)
    return sorted(out.values(), key=lambda g: -g.count)


@dataclass
class Checklist:
    cycle: Cycle
    previous: Publication | None
    #: units not approved, grouped by their state ("Đang tự đánh giá", …)
    not_approved: list[Group]
    decision: CouncilDecision | None
    council_refusal: str
    snapshot: str
    #: agency code → (name, survey keys missing)
    missing_surveys: dict[str, tuple[str, list[str]]]
    #: the results' other warnings and errors, grouped by kind
    warnings: list[Findings]
    changes: list[BlockChanges]

    @property
    def waiting(self) -> int:
        return sum(len(g.items) for g in self.not_approved)

    @property
    def blocked(self) -> bool:
        """Whether something other than a reason to type stops the publication."""
        return bool(self.waiting or self.council_refusal)

    @property
    def decision_text(self) -> str:
        if self.decision is None:
            return ""
        d = self.decision
        return f"{council.title(d)}: {council.agreeing(d)}/{len(d.members)} thành viên đồng ý"

    @property
    def change_count(self) -> int:
        return sum(len(c.changes) for b in self.changes for c in b.comparisons)


def checklist(cycle: Cycle) -> Checklist:
    """Everything the secretariat checks before publishing ``cycle``, read now."""
    names = dict(
        db.session.execute(db.select(Agency.code, Agency.name).filter_by(cycle_id=cycle.id)).all()
    )
    pairs = []
    for agency in sorted(cycle.agencies, key=lambda a: a.code):
        state = publishing.submission_state(agency)
        if state not in (workflow.APPROVED, workflow.PUBLISHED):
            pairs.append((f"{agency.code} — {agency.name}", workflow.state_label(state)))
    with collector_paused():
        results = publishing.cycle_results(cycle)
        snapshot = publishing.snapshot_of(results)
    missing = {
        code: (names.get(code, code), keys)
        for code, keys in publishing.missing_surveys(results).items()
    }
    return Checklist(
        cycle=cycle,
        previous=publishing.latest(cycle),
        not_approved=grouped(pairs),
        decision=council.latest(cycle),
        council_refusal=council.approval_refusal(cycle, snapshot),
        snapshot=snapshot,
        missing_surveys=missing,
        warnings=findings(results.report.issues),
        changes=cycle_changes(cycle),
    )
