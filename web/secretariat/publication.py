"""The secretariat's pages of part 2 of the appraisal workflow: the progress board with
approvals, survey results, the preview ranking, publication and the audit trail. Each view reads
the request, calls one function of :mod:`web.publishing`, then renders or redirects."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from parindex.diff import what_changed, where_changed
from web import audit, audit_text, council, evidence_hints, publishing, workflow
from web.errors import commit_or_conflict
from web.inputs import small_int, small_int_or_none
from web.publishing import grouped
from web.roles import STAFF, role_required
from web.secretariat.checklist import checklist
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
    pairs = [(code, message) for code, _, message in (m.partition(": ") for m in refused)]
    for group in grouped(pairs):
        if len(group.items) == 1:
            flash(f"Không phê duyệt được {group.items[0]}: {group.message}", "danger")
        else:
            flash(
                f"Không phê duyệt được {len(group.items)} đơn vị ({', '.join(group.items)}): "
                f"{group.message}",
                "danger",
            )
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


def _checklist_page(year: int, status: int = 200, **context: Any) -> tuple[str, int]:
    cycle = _cycle_or_404(year)
    return (
        render_template(
            "secretariat/checklist.html",
            check=checklist(cycle),
            cycle=cycle,
            what_changed=what_changed,
            where_changed=where_changed,
            **context,
        ),
        status,
    )


@bp.route("/ky/<int:year>/cong-bo")
@role_required(*STAFF)
def checklist_page(year: int) -> Any:
    """What to check before publishing, and the confirmation's form."""
    return _checklist_page(year)


@bp.route("/ky/<int:year>/cong-bo", methods=["POST"])
@role_required(*STAFF)
def publish(year: int) -> Any:
    """The confirmation of the checklist's page: publishes, or shows the page again with why
    not and what was typed."""
    cycle = _cycle_or_404(year)
    reason = request.form.get("reason", "")
    survey_reason = request.form.get("survey_reason", "")
    try:
        pub = publishing.publish(cycle, current_user, reason, survey_reason)
    except workflow.IllegalTransition as e:
        return _checklist_page(
            year, 409, refusal=e.message, publish_reason=reason, survey_reason=survey_reason
        )
    flash(f"Đã công bố kết quả năm {year}, phiên bản {pub.version}.", "success")
    return redirect(url_for(".progress", year=year) + "#cong-bo")


def _council_page(year: int, status: int = 200, **context: Any) -> tuple[str, int]:
    cycle = _cycle_or_404(year)
    context.setdefault("form", council.blank_form(cycle))
    context.setdefault("snapshot", publishing.current_snapshot(cycle))
    return (
        render_template(
            "secretariat/council.html",
            cycle=cycle,
            decisions=council.decisions(cycle),
            council=council,
            **context,
        ),
        status,
    )


@bp.route("/ky/<int:year>/hoi-dong")
@role_required(*STAFF)
def council_page(year: int) -> Any:
    """The council's sessions on the cycle's results, and the form to record one."""
    return _council_page(year)


@bp.route("/ky/<int:year>/hoi-dong", methods=["POST"])
@role_required(*STAFF)
def record_council(year: int) -> Any:
    cycle = _cycle_or_404(year)
    count = min(small_int_or_none(request.form.get("rows", "")) or 0, 200)
    form = council.read_form(request.form, count)
    seen = request.form.get("snapshot", "")
    current = publishing.current_snapshot(cycle)
    if not form.ok:
        return _council_page(year, 400, form=form, snapshot=seen or current)
    if seen != current:
        form.errors["snapshot"] = (
            "Kết quả đã thay đổi từ khi mở trang này: Hội đồng phải xem kết quả hiện tại "
            "(bảng xếp hạng xem trước) trước khi ghi nhận."
        )
        return _council_page(year, 409, form=form, snapshot=current)
    with commit_or_conflict() as saved:
        decision = council.record(cycle, form, seen, current_user)
    if not saved.ok:
        form.errors["snapshot"] = saved.why
        return _council_page(year, 409, form=form, snapshot=current)
    verdict = "được thông qua" if council.is_valid(decision) else "không được thông qua"
    flash(f"Đã ghi nhận {council.title(decision)} của Hội đồng: {verdict}.", "success")
    return redirect(url_for(".council_page", year=year))


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


@bp.route("/ky/<int:year>/goi-y-minh-chung.xlsx")
@role_required(*STAFF)
def evidence_report(year: int) -> Any:
    """The cycle's evidence hints (gợi ý kiểm tra minh chứng) as a filterable workbook."""
    cycle = _cycle_or_404(year)
    return (
        evidence_hints.cycle_report(cycle),
        200,
        {
            "Content-Type": XLSX,
            "Content-Disposition": f'attachment; filename="goi-y-minh-chung-{year}.xlsx"',
            "Cache-Control": "no-store",
        },
    )
