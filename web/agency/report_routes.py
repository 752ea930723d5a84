"""The self-assessment report's routes (blueprint ``agency_report``, under ``/don-vi/bao-cao``):
the officer's page (its texts, the signed scan), the DOCX, the print page; and the signed scan,
read by its agency's officer, the panel and the secretariat. The agency is always the logged-in
officer's own (:func:`web.accounts.current_agency`); the work is in :mod:`web.agency.report`."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from web.accounts import current_agency
from web.agency import report
from web.agency.report_docx import report_docx
from web.models import Agency, SubmissionReport, db
from web.roles import AGENCY, ROLES, role_required

bp = Blueprint("agency_report", __name__, url_prefix="/don-vi/bao-cao")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _data(agency: Agency) -> report.ReportData:
    return report.report_data(agency, str(current_app.config.get("PROVINCE", "")))


def _upload_config() -> tuple[str, int]:
    return current_app.config["UPLOAD_FOLDER"], int(current_app.config["MAX_UPLOAD_MB"])


@bp.errorhandler(RequestEntityTooLarge)
def too_large(e: RequestEntityTooLarge) -> tuple[str, int]:
    _, max_mb = _upload_config()
    message = (
        f"Tệp tải lên vượt quá dung lượng cho phép ({max_mb} MB); bản báo cáo chưa được lưu. "
        "Hãy quét lại với độ phân giải thấp hơn hoặc nén tệp rồi thử lại."
    )
    page = render_template(
        "agency/too_large.html",
        message=message,
        back=url_for(".page"),
        back_label="Quay lại trang báo cáo",
    )
    return page, 413


@bp.app_template_global()
def report_cover(agency: Agency) -> SubmissionReport | None:
    """The submission's cover document (the signed report) for the pages that show it."""
    return report.cover_of(agency)


def _page(agency: Agency, texts: report.TextsOutcome | None = None, status: int = 200) -> Any:
    _, max_mb = _upload_config()
    return (
        render_template(
            "agency/report.html",
            data=_data(agency),
            values=texts.values if texts else report.texts_form(agency),
            errors=texts.errors if texts else {},
            labels=report.TEXT_LABELS,
            limits=report.TEXTS,
            cover=report.cover_of(agency),
            accept=report.SCAN_ACCEPT,
            max_mb=max_mb,
        ),
        status,
    )


@bp.route("/", methods=["GET", "POST"])
@role_required(AGENCY)
def page() -> Any:
    agency = current_agency()
    if request.method != "POST":  # GET and HEAD only read
        return _page(agency)
    outcome = report.save_texts(agency, current_user, request.form)
    if outcome.ok:
        flash(outcome.message, "success")
        return redirect(url_for(".page"))
    flash(outcome.message, "danger")
    return _page(agency, outcome, outcome.status)


@bp.route("/bao-cao.docx")
@role_required(AGENCY)
def docx() -> Any:
    data = _data(current_agency())
    response = send_file(
        io.BytesIO(report_docx(data)),
        mimetype=DOCX,
        as_attachment=True,
        download_name=data.file_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/ban-in")
@role_required(AGENCY)
def printable() -> Any:
    return render_template("agency/report_print.html", data=_data(current_agency()))


@bp.route("/ban-ky", methods=["POST"])
@role_required(AGENCY)
def upload_scan() -> Any:
    folder, max_mb = _upload_config()
    outcome = report.upload_scan(
        current_agency(), current_user, request.files.get("file"), folder, max_mb
    )
    flash(outcome.message, "success" if outcome.ok else "danger")
    if outcome.ok:
        return redirect(url_for(".page"))
    return _page(current_agency(), status=outcome.status)


@bp.route("/ban-ky/<int:agency_id>")
@role_required(*ROLES)
def scan(agency_id: int) -> Any:
    """The signed report of an agency: a PDF or an image opens in the browser."""
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("Không tìm thấy đơn vị.")
    folder, _ = _upload_config()
    stored = report.scan_file(current_user, agency, folder)
    response = send_from_directory(
        stored.folder,
        stored.name,
        mimetype=stored.content_type,
        as_attachment=False,
        download_name=stored.download_name,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
