"""The officer's page of the yearly CCHC plan ("Kế hoạch CCHC", blueprint ``agency_plan``,
under ``/don-vi/ke-hoach``): the tasks its unit leads, each reported done (its date and the
product's document) or not done (a reason), and the plan-completion leaf's confirmation (its
facts saved, the task list attached as its evidence). The agency is always the logged-in
officer's own (:func:`web.accounts.current_agency`); a report of another unit's task is refused
(404). The work is in :mod:`web.plan`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from web import plan
from web.accounts import current_agency
from web.agency import plan_confirm
from web.agency import selfassessment as sa
from web.models import Agency, PlanReport
from web.pages import page_of_leaf
from web.roles import AGENCY, role_required

bp = Blueprint("agency_plan", __name__, url_prefix="/don-vi/ke-hoach")


@bp.app_template_global()
def plan_facts_of(agency: Agency) -> plan.PlanFacts | None:
    """The plan's facts for the plan-completion leaf (the officer's field page, the
    appraiser's leaf card)."""
    return plan.plan_facts(agency)


@bp.app_template_global()
def plan_status_text(report: PlanReport) -> str:
    """A report's status in words, "trễ hạn" when completed after the due date."""
    text = plan.STATUS_LABELS[report.status]
    if report.status == "done" and not plan.is_on_time(report):
        text += " (trễ hạn)"
    return text


def _page(agency: Agency, status: int = 200, **context: Any) -> Any:
    reports = plan.reports_of(agency)
    return (
        render_template(
            "agency/plan.html",
            agency=agency,
            reports=reports,
            values={r.id: plan.report_values(r) for r in reports},
            labels=plan.STATUS_LABELS,
            facts=plan.plan_facts(agency),
            on_time=plan.is_on_time,
            **context,
        ),
        status,
    )


@bp.route("/")
@role_required(AGENCY)
def index() -> Any:
    return _page(current_agency())


@bp.route("/<int:report_id>", methods=["POST"])
@role_required(AGENCY)
def save(report_id: int) -> Any:
    agency = current_agency()
    report = plan.own_report(agency, report_id)
    if report is None:
        abort(404)
    outcome = plan.save_report(agency, report, request.form, current_user)
    if outcome.ok:
        flash(outcome.message, "success")
        return redirect(url_for(".index") + f"#nv-{report.id}")
    flash(outcome.message, "danger")
    return _page(agency, outcome.status, failed=report.id, form=outcome.form)


@bp.route("/xac-nhan", methods=["POST"])
@role_required(AGENCY)
def confirm() -> Any:
    """ "Xác nhận số liệu từ Kế hoạch CCHC" on the plan-completion leaf: its facts saved and
    the task list's documents attached as its evidence (:func:`web.agency.plan_confirm.confirm`)."""
    agency = current_agency()
    outcome = plan_confirm.confirm(agency, current_user)
    if outcome.status == 404:
        abort(404)
    flash(outcome.message, "success" if outcome.ok else "danger")
    code = outcome.code
    if not code:
        return redirect(url_for("agency.overview"))
    loaded = sa.loaded_set(agency)
    return redirect(url_for("agency.field", code=page_of_leaf(loaded, code)) + f"#tc-{code}")
