"""The secretariat's pages of part 2 of the appraisal workflow: the progress board with
approvals, survey results, the preview ranking, publication and the audit trail. Each view reads
the request, calls one function of :mod:`web.publishing`, then renders or redirects."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from web import audit, audit_text, publishing, workflow
from web.inputs import small_int, small_int_or_none
from web.roles import STAFF, role_required
from web.secretariat.routes import _cycle_or_404, _upload

bp = Blueprint("publishing", __name__, url_prefix="/so-noi-vu")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _progress_page(year: int, status: int = 200, **context: Any) -> tuple[str, int]:
    cycle = _cycle_or_404(year)
    context.setdefault("survey_import", None)
    return (
        render_template(
            "secretariat/progress.html",
            cycle=cycle,
            blocks=publishing.progress(cycle, current_user),
            states=workflow.STATES,
            surveys=publishing.stored_surveys(cycle),
            versions=publishing.versions(cycle),
            refusal=publishing.publish_refusal(cycle, "x"),
            **context,
        ),
        status,
    )


@bp.route("/ky/<int:year>/tien-do")
@role_required(*STAFF)
def progress(year: int) -> Any:
    return _progress_page(year)


@bp.route("/ky/<int:year>/phe-duyet", methods=["POST"])
@role_required(*STAFF)
def approve(year: int) -> Any:
    cycle = _cycle_or_404(year)
    ids = [i for v in request.form.getlist("agency_id") if (i := small_int_or_none(v)) is not None]
    if not ids:
        flash("Chưa chọn đơn vị nào để phê duyệt.", "warning")
        return redirect(url_for(".progress", year=year))
    done, refused = publishing.approve(cycle, ids, current_user)
    if done:
        flash(f"Đã phê duyệt {len(done)} đơn vị: {', '.join(done)}.", "success")
    for message in refused:
        flash(f"Không phê duyệt được {message}", "danger")
    return redirect(url_for(".progress", year=year))


@bp.route("/ky/<int:year>/dieu-tra", methods=["POST"])
@role_required(*STAFF)
def import_surveys(year: int) -> Any:
    cycle = _cycle_or_404(year)
    limit = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    name, data = _upload("survey_file", limit)
    if len(data) > limit:
        result = publishing.SurveyImport(file_name=name)
        result.problems.append(("", "", "Tệp kết quả điều tra quá lớn."))
        return _progress_page(year, 413, survey_import=result)
    result = publishing.import_surveys(cycle, name, data, current_user)
    if not result.ok:
        return _progress_page(year, 400, survey_import=result)
    flash(f"Đã lưu {result.saved} kết quả điều tra từ tệp {name}.", "success")
    return redirect(url_for(".progress", year=year) + "#dieu-tra")


@bp.route("/ky/<int:year>/xep-hang")
@role_required(*STAFF)
def preview(year: int) -> Any:
    cycle = _cycle_or_404(year)
    data = publishing.preview(cycle)
    return render_template(
        "secretariat/preview.html",
        cycle=cycle,
        blocks=publishing.ranking(data),
        method=data.get("comparison_method", ""),
    )


@bp.route("/ky/<int:year>/cong-bo", methods=["POST"])
@role_required(*STAFF)
def publish(year: int) -> Any:
    cycle = _cycle_or_404(year)
    reason = request.form.get("reason", "")
    try:
        pub = publishing.publish(cycle, current_user, reason)
    except workflow.IllegalTransition as e:
        flash(e.message, "danger")
        return _progress_page(year, 409, publish_reason=reason)
    flash(f"Đã công bố kết quả năm {year}, phiên bản {pub.version}.", "success")
    return redirect(url_for(".progress", year=year))


@bp.route("/nhat-ky")
@role_required(*STAFF)
def audit_log() -> Any:
    agency = request.args.get("agency", "").strip()
    leaf = request.args.get("leaf", "").strip()
    year = request.args.get("year", type=small_int)
    total = audit.audit_count(agency, leaf, year)
    pages = max(1, -(-total // audit.AUDIT_PAGE))
    number = min(max(1, request.args.get("trang", 1, type=small_int) or 1), pages)
    rows = audit.audit_rows(
        agency, leaf, year, limit=audit.AUDIT_PAGE, offset=(number - 1) * audit.AUDIT_PAGE
    )
    return render_template(
        "secretariat/audit.html",
        lines=[audit_text.readable(e, email, code) for e, email, code in rows],
        agency=agency,
        leaf=leaf,
        year=year,
        total=total,
        page=number,
        pages=pages,
        first=(number - 1) * audit.AUDIT_PAGE + 1,
    )


@bp.route("/nhat-ky.xlsx")
@role_required(*STAFF)
def audit_export() -> Any:
    agency = request.args.get("agency", "").strip()
    leaf = request.args.get("leaf", "").strip()
    year = request.args.get("year", type=small_int)
    body = audit.audit_xlsx(audit.audit_rows(agency, leaf, year, limit=100000))
    return (
        body,
        200,
        {
            "Content-Type": XLSX,
            "Content-Disposition": 'attachment; filename="nhat-ky.xlsx"',
            "Cache-Control": "no-store",
        },
    )
