"""Part 2 of the appraisal workflow: the secretariat's progress board and approvals, survey
results, the preview ranking, publication in numbered versions and the audit trail.

Views call one function here. Nothing published is ever changed: a correction (đính chính) is a
new :class:`~web.models.Publication` with its reason; earlier versions stay readable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import json
import os
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import contains_eager

from parindex.dataset import collector_paused
from parindex.decision import write_decision_table
from parindex.errors import Report
from parindex.export import json_default
from parindex.history import PreviousResult, compare_block
from parindex.results import Results
from parindex.robustness import PathMismatch, Robustness, robustness
from parindex.rules import kind_of
from parindex.survey import read_surveys
from web import council, workflow
from web.audit import audit
from web.bulk import bulk_results
from web.engine import loaded_set, submission_of
from web.errors import commit_or_conflict
from web.lineage import stored_lineage
from web.models import (
    Agency,
    CriteriaRecord,
    Cycle,
    Publication,
    Submission,
    SurveyResult,
    User,
    db,
)

# ------------------------------------------------------------------------------------ progress


@dataclass
class Group:
    """Identical findings gathered: one line ("64 đơn vị: …") and the list behind it."""

    message: str
    items: list[str] = field(default_factory=list)


def grouped(pairs: list[tuple[str, str]]) -> list[Group]:
    """(item, message) pairs as one group per message, the largest first, items in order.

    >>> [(g.message, g.items) for g in grouped([("a", "x"), ("b", "y"), ("c", "x")])]
    [('x', ['a', 'c']), ('y', ['b'])]
    """
    groups: dict[str, Group] = {}
    for item, message in pairs:
        groups.setdefault(message, Group(message)).items.append(item)
    return sorted(groups.values(), key=lambda g: -len(g.items))


@dataclass
class AgencyRow:
    agency: Agency
    state: str
    can_approve: bool
    why_not: str


@dataclass
class BlockProgress:
    block: str
    name: str
    counts: dict[str, int]
    rows: list[AgencyRow]

    @property
    def approvable(self) -> int:
        return sum(r.can_approve for r in self.rows)

    @property
    def refusals(self) -> list[Group]:
        """Why the others may not be approved, each reason once with its units."""
        return grouped(
            [
                (r.agency.code, r.why_not)
                for r in self.rows
                if r.why_not and r.state not in workflow.APPROVED_STATES
            ]
        )


def progress(cycle: Cycle, user: User) -> list[BlockProgress]:
    """Per block: how many agencies are in each state, and which may be approved now."""
    names = {r.block: r.block_name for r in cycle.criteria}
    blocks: dict[str, BlockProgress] = {}
    for agency in sorted(cycle.agencies, key=lambda a: (a.block, a.code)):
        bp = blocks.setdefault(
            agency.block,
            BlockProgress(
                agency.block,
                names.get(agency.block, agency.block),
                dict.fromkeys(workflow.STATES, 0),
                [],
            ),
        )
        sub = agency.submission
        state = (sub.state if sub else None) or workflow.DRAFT
        bp.counts[state] = bp.counts.get(state, 0) + 1
        why = "Chưa có hồ sơ." if sub is None else workflow.refusal(sub, workflow.APPROVED, user)
        bp.rows.append(AgencyRow(agency, state, sub is not None and not why, why))
    return list(blocks.values())


def approve(cycle: Cycle, agency_ids: list[int], user: User) -> tuple[list[str], list[str]]:
    """Approve each agency (through the transition table); returns (approved codes, refusals as
    "code: message"). Approved ones are saved even when others are refused."""
    done: list[str] = []
    refused: list[str] = []
    with commit_or_conflict() as saved:
        for agency_id in agency_ids:
            agency = db.session.get(Agency, agency_id)
            if agency is None or agency.cycle_id != cycle.id:
                refused.append(f"#{agency_id}: không có đơn vị này trong kỳ {cycle.year}.")
                continue
            try:
                workflow.transition(submission_of(agency), workflow.APPROVED, user)
                done.append(agency.code)
            except workflow.IllegalTransition as e:
                refused.append(f"{agency.code}: {e.message}")
    if not saved.ok:  # the database refused (another request wrote meanwhile): nothing saved
        return [], [f"#{', #'.join(map(str, agency_ids))}: {saved.why}"]
    return done, refused


# --------------------------------------------------------------------------------- surveys
def block_survey_keys(cycle: Cycle) -> dict[str, set[str]]:
    """Each block's survey keys (the ``survey`` of its survey-scored leaves)."""
    out: dict[str, set[str]] = {}
    for record in cycle.criteria:
        model = loaded_set(record).model
        keys = (kind_of(leaf.rule).survey_key(leaf.rule) for _, _, leaf in model.leaves())
        out[record.block] = {key for key in keys if key}
    return out


def survey_keys(cycle: Cycle) -> set[str]:
    return {k for keys in block_survey_keys(cycle).values() for k in keys}


@dataclass
class SurveyImport:
    ok: bool = False
    file_name: str = ""
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (row, column, message)
    saved: int = 0


def import_surveys(cycle: Cycle, file_name: str, data: bytes, user: User) -> SurveyImport:
    """Validate the survey file with the engine (the cycle's agency codes and survey keys); when
    every row is valid, replace the cycle's survey results with it and audit each change.
    Nothing is saved when any row is wrong."""
    result = SurveyImport(file_name=file_name)
    suffix = Path(file_name).suffix.lower()
    if not data:
        result.problems.append(("", "", "Chưa chọn tệp kết quả điều tra."))
        return result
    if suffix not in (".csv", ".xlsx"):
        result.problems.append(("", "", "Tệp phải là CSV (UTF-8) hoặc XLSX."))
        return result
    agencies = {a.code: a for a in cycle.agencies}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"surveys{suffix}"
        path.write_bytes(data)
        rows, issues = read_surveys(path, {c: c for c in agencies}, survey_keys(cycle))
    for issue in issues:
        loc = issue.location
        result.problems.append(("" if loc.row is None else str(loc.row), loc.path, issue.message))
    keys_by_block = block_survey_keys(cycle)
    for row in rows:
        block = agencies[row.agency].block
        if row.survey not in keys_by_block.get(block, set()):
            result.problems.append(
                (
                    str(row.row),
                    "survey",
                    f"Cuộc điều tra '{row.survey}' không có trong bộ tiêu chí khối của "
                    f"đơn vị {row.agency}",
                )
            )
    if result.problems:
        return result
    if not rows:
        result.problems.append(("", "", "Tệp không có dòng kết quả nào."))
        return result
    existing = {
        (s.agency_id, s.survey): s
        for s in db.session.execute(db.select(SurveyResult).filter_by(cycle_id=cycle.id)).scalars()
    }
    for row in rows:
        agency = agencies[row.agency]
        old = existing.get((agency.id, row.survey))
        new_text = _survey_text(row.result_u, row.sample_size)
        if old is None:
            db.session.add(
                SurveyResult(
                    cycle_id=cycle.id,
                    agency_id=agency.id,
                    survey=row.survey,
                    result_u=row.result_u,
                    sample_size=row.sample_size,
                    imported_by=user.id,
                )
            )
            audit(user, "survey", row.survey, "", new_text, agency=agency, reason=file_name)
        elif (old.result_u, old.sample_size) != (row.result_u, row.sample_size):
            old_text = _survey_text(old.result_u, old.sample_size)
            old.result_u = row.result_u
            old.sample_size = row.sample_size
            old.imported_by = user.id
            audit(user, "survey", row.survey, old_text, new_text, agency=agency, reason=file_name)
    db.session.commit()
    result.ok = True
    result.saved = len(rows)
    return result


def _survey_text(result_u: int, sample: int | None) -> str:
    text = f"{Decimal(result_u).scaleb(-4).normalize():f} %"
    return text + (f" (cỡ mẫu {sample})" if sample is not None else "")


def stored_surveys(cycle: Cycle) -> list[SurveyResult]:
    return list(
        db.session.execute(
            db.select(SurveyResult)
            .filter_by(cycle_id=cycle.id)
            .join(Agency)
            .order_by(Agency.code, SurveyResult.survey)
        ).scalars()
    )


# ------------------------------------------------------------------------------ ranking data
def ranking(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of a results mapping (``Results.as_dict()``, stored or fresh), for the pages."""
    return list(data.get("blocks", []))


def results_data(results: Results) -> dict[str, Any]:
    """``Results.as_dict()`` as plain JSON data (decimals as numbers)."""
    data: dict[str, Any] = json.loads(
        json.dumps(results.as_dict(plain=True), ensure_ascii=False, default=json_default)
    )
    return data


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle a cycle is compared with: the one it was rolled forward from, else last year's."""
    if cycle.previous_id is not None:
        return db.session.get(Cycle, cycle.previous_id)
    return db.session.execute(db.select(Cycle).filter_by(year=cycle.year - 1)).scalar_one_or_none()


def cycle_results(cycle: Cycle, *, documents: bool = True) -> Results:
    """The cycle's results from the database (:func:`web.bulk.bulk_results`; ``documents``
    as there) with the change since the previous cycle, when its results were published here
    (its latest version): units followed through their lineage and compared by the engine's
    one method (:func:`parindex.history.compare_block`, block by block), and each block's
    criteria set diffed against the previous cycle's sets (the decision table's method sheet)."""
    results = bulk_results(cycle, documents=documents)
    before = previous_cycle(cycle)
    pub = None if before is None else latest(before)
    if before is None or pub is None:
        return results
    previous: dict[str, PreviousResult] = {}
    for block in publication_data(pub).get("blocks", []):
        for a in block["agencies"]:
            applicable = a.get("applicable_max")
            previous[a["agency"]] = PreviousResult(
                block["block"],
                a["agency"],
                a["name"],
                _hundredths(a["index"]),
                int(a["rank"]),
                None if applicable is None else _hundredths(applicable),
            )
    names = dict(
        db.session.execute(db.select(Agency.code, Agency.name).filter_by(cycle_id=before.id)).all()
    )
    names.update(
        db.session.execute(db.select(Agency.code, Agency.name).filter_by(cycle_id=cycle.id)).all()
    )
    lineage = stored_lineage()
    for res in results.blocks.values():
        results.comparisons.update(
            compare_block(
                zip(res.agencies["agency"], res.agencies["index_u"], strict=True),
                previous,
                lineage,
                names,
                year=cycle.year,
                blocks=res.criteria.model.compared_blocks,
            )
        )
    results.previous_year = before.year
    results.previous_sets = {
        record.block: loaded_set(record).model
        for record in db.session.execute(
            db.select(CriteriaRecord).filter_by(cycle_id=before.id)
        ).scalars()
    }
    return results


def _hundredths(value: Any) -> int:
    """A 2-decimal number of a published JSON (index, points) in hundredths, exactly."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def preview(cycle: Cycle) -> dict[str, Any]:
    """The preview ranking: :func:`cycle_results` as a results mapping of the blocks and their
    agencies' rows (rank, totals, band, change since last year) — what the page shows. The
    per-field and per-criterion points of every agency and the report, which the page does not
    show, are left out (nor are the documents' problems looked for): at 5,000 agencies they
    would be most of the wait."""
    with collector_paused():
        results = cycle_results(cycle, documents=False)
        ranking_only = dataclasses.replace(
            results,
            blocks={
                block: dataclasses.replace(res, components=res.components.iloc[:0])
                for block, res in results.blocks.items()
            },
            report=Report(),
        )
        return results_data(ranking_only)


# ---------------------------------------------------------------------------- publication
def versions(cycle: Cycle) -> list[Publication]:
    return list(
        db.session.execute(
            db.select(Publication).filter_by(cycle_id=cycle.id).order_by(Publication.version)
        ).scalars()
    )


def latest(cycle: Cycle) -> Publication | None:
    found = versions(cycle)
    return found[-1] if found else None


def version_of(cycle: Cycle, number: int) -> Publication | None:
    return db.session.execute(
        db.select(Publication).filter_by(cycle_id=cycle.id, version=number)
    ).scalar_one_or_none()


def publication_data(pub: Publication) -> dict[str, Any]:
    return json.loads(pub.results_json)  # type: ignore[no-any-return]


def publish_refusal(cycle: Cycle, reason: str) -> str:
    """Why the cycle cannot be published now ("" when it can)."""
    states = db.session.execute(
        db.select(Agency.code, Submission.state)
        .outerjoin(Submission, Submission.agency_id == Agency.id)
        .filter(Agency.cycle_id == cycle.id)
    ).all()  # one query, not one per agency
    if not states:
        return "Kỳ đánh giá chưa có đơn vị nào."
    first = latest(cycle) is None
    waiting = sorted(
        code
        for code, state in states
        if (state or workflow.DRAFT) not in (workflow.APPROVED, workflow.PUBLISHED)
    )
    if waiting:
        more = f" … (cộng {len(waiting) - 8})" if len(waiting) > 8 else ""
        return (
            f"Còn {len(waiting)} đơn vị chưa được phê duyệt: {', '.join(waiting[:8])}{more}. "
            "Chỉ công bố khi mọi đơn vị của kỳ đã được phê duyệt."
        )
    if not first and not reason.strip():
        return "Công bố lại là đính chính: phải nêu lý do đính chính."
    return ""


def missing_surveys(results: Results) -> dict[str, list[str]]:
    """The survey results the engine found missing, by agency code: {agency: [survey key]}
    (their survey leaves count 0)."""
    out: dict[str, list[str]] = {}
    for issue in results.report.issues:
        if issue.code == "survey-missing":
            out.setdefault(issue.location.agency or "", []).append(str(issue.params["value"]))
    return {code: sorted(set(keys)) for code, keys in sorted(out.items())}


def snapshot_of(results: Results) -> str:
    """The hash of ``results`` a council approves (:func:`web.council.snapshot`)."""
    return council.snapshot(results.as_dict(plain=True)["blocks"])


def current_snapshot(cycle: Cycle) -> str:
    """The hash of the cycle's results as they are now."""
    with collector_paused():
        return snapshot_of(cycle_results(cycle, documents=False))


def survey_refusal(missing: dict[str, list[str]], survey_reason: str) -> str:
    """Why survey results missing refuse publication ("" when none is missing or a reason is
    given)."""
    if not missing or survey_reason.strip():
        return ""
    codes = list(missing)
    more = f" … (cộng {len(codes) - 8})" if len(codes) > 8 else ""
    return (
        f"Còn {len(codes)} đơn vị thiếu kết quả điều tra xã hội học: {', '.join(codes[:8])}{more}. "
        "Hãy nhập kết quả điều tra, hoặc ghi lý do công bố khi chưa đủ kết quả điều tra."
    )


def publish(cycle: Cycle, user: User, reason: str = "", survey_reason: str = "") -> Publication:
    """Publish the cycle's results as a new version (1, 2, …): the results JSON and the
    decision table as they are now, frozen; approved agencies move to ``published``.
    Raises :class:`workflow.IllegalTransition` with the Vietnamese reason when it may not —
    a unit not approved, no valid council approval of exactly these results
    (:func:`web.council.approval_refusal`), survey results missing without ``survey_reason``,
    a correction without its ``reason`` — also when another publication of the cycle was
    written at the same moment (a double click, two tabs): the moves are conditional and the
    version number unique, so exactly one of them is saved and audited."""
    with commit_or_conflict(workflow.IllegalTransition) as saved:
        pub = _publish(cycle, user, reason, survey_reason)
    if not saved.ok:
        raise workflow.IllegalTransition(saved.why)
    return pub


def _publish(cycle: Cycle, user: User, reason: str, survey_reason: str = "") -> Publication:
    reason = reason.strip()
    survey_reason = survey_reason.strip()
    why = publish_refusal(cycle, reason)
    if why:
        raise workflow.IllegalTransition(why)
    previous = latest(cycle)
    number = 1 if previous is None else previous.version + 1
    with collector_paused():  # the results and their JSON: large, made at once
        results = cycle_results(cycle)
        missing = missing_surveys(results)
        why = survey_refusal(missing, survey_reason)
        if why:
            raise workflow.IllegalTransition(why)
        survey_reason = survey_reason if missing else ""
        decision = council.latest(cycle)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"bang-xep-hang-{cycle.year}.xlsx"
            with _beside(
                functools.partial(decision_table, results, path, now)
            ):  # the workbook is written on the other core while the JSON and the moves are made
                data = results.as_dict(plain=True)
                # the council approved exactly these results (a refusal stops the workbook)
                why = council.approval_refusal(cycle, council.snapshot(data["blocks"]))
                if why or decision is None:
                    raise workflow.IllegalTransition(why)
                data["publication"] = {
                    "version": number,
                    "reason": reason,
                    "council": {
                        "number": decision.number,
                        "date": decision.decided_on.isoformat(),
                        "agree": council.agreeing(decision),
                        "members": len(decision.members),
                    },
                    "missing_surveys": {"reason": survey_reason, "agencies": missing},
                }
                for block in data["blocks"]:  # the fields' names, for the public breakdown pages
                    model = results.blocks[block["block"]].criteria.model
                    block["field_names"] = {f.code: f.name for f in model.fields}
                # JSON numbers in one pass (the text results_data would give)
                results_json = json.dumps(
                    data, ensure_ascii=False, sort_keys=True, default=json_default
                )
                del data
                approved = db.session.execute(
                    db.select(Submission)
                    .join(Agency, Submission.agency_id == Agency.id)
                    .options(contains_eager(Submission.agency))
                    .filter(Agency.cycle_id == cycle.id, Submission.state == workflow.APPROVED)
                    .order_by(Agency.code)
                ).scalars()  # one query for every submission and its agency, not two per agency
                workflow.transition_all(list(approved), workflow.PUBLISHED, user, reason, at=now)
            xlsx = path.read_bytes()
        pub = Publication(
            cycle_id=cycle.id,
            version=number,
            reason=reason or "công bố lần đầu",
            published_at=now,
            published_by=user.id,
            results_json=results_json,
            decision_xlsx=xlsx,
            council_decision_id=decision.id,
            survey_reason=survey_reason,
        )
    db.session.add(pub)
    audit(
        user,
        "publication",
        f"{cycle.year}/v{number}",
        "" if previous is None else f"v{previous.version}",
        f"v{number}",
        reason="; ".join(
            part
            for part in (
                reason or "công bố lần đầu",
                council.title(decision),
                survey_reason and f"thiếu kết quả điều tra: {survey_reason}",
            )
            if part
        ),
    )
    return pub


#: how long the second process may take before the work is done here instead
BESIDE_TIMEOUT = dt.timedelta(minutes=5)


def decision_table(results: Results, path: Path, now: dt.datetime) -> Path:
    """The published workbook, its last sheet the rank intervals (docs/robustness.md: 1,000
    draws, seed 0, from the imported survey results' sample sizes)."""
    try:
        intervals: Robustness | None = robustness(results.blocks, results.surveys)
    except PathMismatch:  # a bug; the official sheets never wait on this one
        intervals = None
    return write_decision_table(results, path, charts=False, run_time=now, robustness=intervals)


@contextmanager
def _beside(write: Callable[[], object]) -> Iterator[None]:
    """Run ``write`` (which only writes a file) in a forked child process while the body runs
    here, and wait for it at the end of the body: the publication's two long parts — the
    workbook, and the JSON with the moves and the database writes — then share the machine's
    cores instead of following each other. The child inherits the results in memory (nothing
    is copied or pickled), touches no database connection, never collects the parent's
    garbage (``gc.freeze``) and leaves by ``os._exit``. Where there is no ``fork``, when the
    child fails or takes longer than :data:`BESIDE_TIMEOUT` (it is then killed), ``write`` runs
    here after the body — the same file either way."""
    pid = _fork(write) if hasattr(os, "fork") else None
    try:
        yield
    except BaseException:
        if pid is not None:
            _stop(pid)
        raise
    if pid is None or not _wait(pid, BESIDE_TIMEOUT):
        write()


def _fork(write: Callable[[], object]) -> int | None:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        with warnings.catch_warnings():
            # Python ≥ 3.12 warns when a process with threads forks (a threaded server): a
            # lock another thread held stays locked in the child. A child stuck on one is
            # killed after the timeout, and the parent writes the file itself.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child
        code = 1
        try:
            gc.freeze()
            write()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    return pid


def _wait(pid: int, timeout: dt.timedelta) -> bool:
    """Whether the child ended well within ``timeout`` (else it is killed)."""
    deadline = time.monotonic() + timeout.total_seconds()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) == 0
        if time.monotonic() > deadline:
            _stop(pid)
            return False
        time.sleep(0.01)


def _stop(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def published_cycles() -> list[tuple[Cycle, Publication]]:
    out = []
    for cycle in db.session.execute(db.select(Cycle).order_by(Cycle.year.desc())).scalars():
        pub = latest(cycle)
        if pub is not None:
            out.append((cycle, pub))
    return out


def agency_of(data: dict[str, Any], code: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(block, agency row) of ``code`` in a results mapping."""
    for block in data.get("blocks", []):
        for row in block["agencies"]:
            if row["agency"] == code:
                return block, row
    return None


def submission_state(agency: Agency) -> str:
    sub: Submission | None = agency.submission
    return (sub.state if sub else None) or workflow.DRAFT
