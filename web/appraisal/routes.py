"""The panel's pages (thẩm định): the queue, an agency's fields, one field's leaves with the
round's inputs, finishing round 1 and round 2, returning a submission to its agency, and the
secretariat's assignments of appraisers. Each view reads the request, calls one function of
:mod:`web.appraisal.appraising` (or :mod:`web.appraisal.assignments`), then renders or redirects."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from web.appraisal import appraising, assignments
from web.appraisal.queue import FLAGS, PROGRESS, SORTS, queue_page, read_filters
from web.models import get_cycle
from web.roles import PANEL, STAFF, role_required

bp = Blueprint("appraisal", __name__, url_prefix="/tham-dinh")


@bp.route("/")
@role_required(*PANEL)
def queue() -> Any:
    page = queue_page(current_user, read_filters(request.args))
    return render_template(
        "appraisal/queue.html", page=page, PROGRESS=PROGRESS, FLAGS=FLAGS, SORTS=SORTS
    )


@bp.route("/don-vi/<int:agency_id>")
@role_required(*PANEL)
def agency(agency_id: int) -> Any:
    view = appraising.agency_view(current_user, agency_id)
    return render_template("appraisal/agency.html", view=view)


@bp.route("/don-vi/<int:agency_id>/linh-vuc/<code>", methods=["GET", "POST"])
@role_required(*PANEL)
def field(agency_id: int, code: str) -> Any:
    if request.method != "POST":  # GET and HEAD only read
        page = appraising.field_page(current_user, agency_id, code)
        return render_template("appraisal/field.html", page=page)
    outcome = appraising.save_field(current_user, agency_id, code, request.form)
    for category, message in outcome.flashes:
        flash(message, category)
    if outcome.clean:
        return redirect(url_for(".field", agency_id=agency_id, code=code))
    page = appraising.field_page(current_user, agency_id, code, outcome.forms)
    return render_template("appraisal/field.html", page=page), outcome.status


@bp.route("/don-vi/<int:agency_id>/hoan-thanh-vong-1", methods=["POST"])
@role_required(*PANEL)
def complete_round_1(agency_id: int) -> Any:
    outcome = appraising.complete_round_1(current_user, agency_id)
    flash(outcome.message, "success" if outcome.ok else "danger")
    return redirect(url_for(".agency", agency_id=agency_id))


@bp.route("/don-vi/<int:agency_id>/chap-nhan-tu-cham", methods=["POST"])
@role_required(*PANEL)
def accept_remaining(agency_id: int) -> Any:
    code = str(request.form.get("linh_vuc", ""))
    outcome = appraising.accept_remaining(current_user, agency_id, code)
    flash(outcome.message, outcome.category)
    return redirect(url_for(".agency", agency_id=agency_id))


@bp.route("/don-vi/<int:agency_id>/hoan-thanh-vong-2", methods=["POST"])
@role_required(*PANEL)
def complete_round_2(agency_id: int) -> Any:
    outcome = appraising.complete_round_2(current_user, agency_id)
    flash(outcome.message, "success" if outcome.ok else "danger")
    return redirect(url_for(".agency", agency_id=agency_id))


@bp.route("/don-vi/<int:agency_id>/tra-lai", methods=["POST"])
@role_required(*STAFF)
def return_to_agency(agency_id: int) -> Any:
    outcome = appraising.return_to_agency(
        current_user, agency_id, str(request.form.get("reason", ""))
    )
    flash(outcome.message, "success" if outcome.ok else "danger")
    if outcome.ok:
        return redirect(url_for(".queue"))
    return redirect(url_for(".agency", agency_id=agency_id))


@bp.route("/phan-cong/<int:year>", methods=["GET", "POST"])
@role_required(*STAFF)
def assign(year: int) -> Any:
    cycle = get_cycle(year)
    if cycle is None:
        abort(404)
    form = None
    status = 200
    if request.method == "POST":
        form = assignments.add_assignment(cycle, request.form, current_user)
        if form.ok:
            if form.created:
                flash(f"Đã phân công: {', '.join(form.created)}.", "success")
            if form.skipped:
                flash(f"Đã phân công từ trước: {', '.join(form.skipped)}.", "info")
            return redirect(url_for(".assign", year=year))
        status = 400
    page = assignments.assignment_page(cycle, form)
    return render_template("appraisal/assignments.html", page=page), status


@bp.route("/phan-cong/xoa/<int:assignment_id>", methods=["POST"])
@role_required(*STAFF)
def unassign(assignment_id: int) -> Any:
    cycle, message = assignments.delete_assignment(assignment_id, current_user)
    flash(message, "success")
    return redirect(url_for(".assign", year=cycle.year))
