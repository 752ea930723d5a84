"""The agency officer's self-assessment: overview, one form per field, live points, evidence,
submission. Each view reads the request, calls one function of :mod:`web.agency.selfassessment` (or
:mod:`web.agency.evidence`) and renders or redirects. The agency is always the logged-in officer's own
(:func:`web.accounts.current_agency`: its unit's row in the year asked), never an id taken from the
URL or the form."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from web import plan
from web.accounts import current_agency
from web.agency import evidence as ev
from web.agency import explaining
from web.agency import selfassessment as sa
from web.models import Agency
from web.roles import AGENCY, ROLES, role_required

bp = Blueprint("agency", __name__, url_prefix="/don-vi")


def _agency() -> Agency:
    return current_agency()  # the officer's own, in the year asked (web/accounts.py)


def _upload_config() -> tuple[str, int]:
    return current_app.config["UPLOAD_FOLDER"], int(current_app.config["MAX_UPLOAD_MB"])


@bp.errorhandler(RequestEntityTooLarge)
def too_large(e: RequestEntityTooLarge) -> tuple[str, int]:
    _, max_mb = _upload_config()
    message = (
        f"Tệp tải lên vượt quá dung lượng cho phép ({max_mb} MB); minh chứng chưa được lưu. "
        "Hãy nén hoặc tách nhỏ tệp rồi thử lại."
    )
    return render_template("agency/too_large.html", message=message, back=request.path), 413


@bp.route("/")
@role_required(AGENCY)
def overview() -> Any:
    return render_template("agency/overview.html", view=sa.overview(_agency()))


@bp.route("/linh-vuc/<code>", methods=["GET", "POST"])
@role_required(AGENCY)
def field(code: str) -> Any:
    agency = _agency()
    if request.method != "POST":  # GET and HEAD only read
        page = sa.field_page(agency, code)
        prefilled = request.args.get("ke-hoach") == "1" and page.status.editable
        if prefilled and plan.prefill(page, agency):
            flash(
                "Đã điền tử số, mẫu số của tiêu chí Kế hoạch CCHC từ kết quả thực hiện kế "
                "hoạch; kiểm tra rồi bấm “Lưu nháp” để lưu.",
                "info",
            )
        return render_template("agency/field.html", page=page)
    outcome = sa.save_field(agency, current_user, code, request.form)
    for category, message in outcome.flashes:
        flash(message, category)
    if outcome.clean:
        return redirect(url_for(".field", code=code))
    page = sa.field_page(agency, code, outcome.forms)
    return render_template("agency/field.html", page=page), outcome.status


@bp.route("/api/tinh-diem", methods=["POST"])
@role_required(AGENCY)
def live_score() -> Any:
    return jsonify(sa.live_score(_agency(), request.form))


@bp.route("/tieu-chi/<code>/minh-chung", methods=["GET", "POST"])
@role_required(AGENCY)
def evidence(code: str) -> Any:
    agency = _agency()
    folder, max_mb = _upload_config()
    if request.method != "POST":  # GET and HEAD only read
        return render_template("agency/evidence.html", page=ev.evidence_page(agency, code, max_mb))
    outcome = ev.add_evidence(
        agency, current_user, code, request.form, request.files.get("file"), folder, max_mb
    )
    if outcome.ok:
        flash(outcome.message, "success")
        for note in outcome.notes:
            flash(note, "warning")
        return redirect(url_for(".evidence", code=code))
    flash(outcome.message, "danger")
    page = ev.evidence_page(agency, code, max_mb, outcome.form)
    return render_template("agency/evidence.html", page=page), outcome.status


@bp.route("/minh-chung/<int:evidence_id>/xoa", methods=["POST"])
@role_required(AGENCY)
def delete_evidence(evidence_id: int) -> Any:
    folder, _ = _upload_config()
    ok, message, code = ev.delete_evidence(_agency(), current_user, evidence_id, folder)
    flash(message, "success" if ok else "danger")
    return redirect(url_for(".evidence", code=code))


@bp.route("/minh-chung/<int:evidence_id>/tep")
@role_required(*ROLES)
def evidence_file(evidence_id: int) -> Any:
    """The stored file, downloaded; with ``?xem=1`` a PDF or an image opens in the browser
    (``Content-Disposition: inline``, its own content type)."""
    folder, _ = _upload_config()
    stored = ev.evidence_file(current_user, evidence_id, folder)
    inline = request.args.get("xem") == "1" and stored.viewable
    response = send_from_directory(
        stored.folder,
        stored.name,
        mimetype=stored.content_type,
        as_attachment=not inline,
        download_name=stored.download_name,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/nop", methods=["GET", "POST"])
@role_required(AGENCY)
def submit() -> Any:
    agency = _agency()
    if request.method == "POST":
        outcome = sa.submit(agency, current_user)
        flash(outcome.message, "success" if outcome.ok else "danger")
        return redirect(url_for(".overview" if outcome.ok else ".submit"))
    return render_template("agency/submit.html", view=sa.overview(agency))


# ====================================================================== the explanation round
@bp.route("/giai-trinh", methods=["GET", "POST"])
@role_required(AGENCY)
def explanation() -> Any:
    agency = _agency()
    if request.method != "POST":  # GET and HEAD only read
        page = explaining.explanation_page(agency)
        return render_template("agency/explanation.html", page=page)
    outcome = explaining.save_answers(agency, current_user, request.form)
    flash(outcome.message, "success" if outcome.ok else "danger")
    if outcome.ok:
        return redirect(url_for(".explanation"))
    page = explaining.explanation_page(agency, outcome.typed, outcome.errors)
    return render_template("agency/explanation.html", page=page), outcome.status


@bp.route("/giai-trinh/<code>/minh-chung", methods=["GET", "POST"])
@role_required(AGENCY)
def explanation_evidence(code: str) -> Any:
    agency = _agency()
    folder, max_mb = _upload_config()
    form = None
    status = 200
    if request.method == "POST":
        outcome = explaining.add_document(
            agency, current_user, code, request.form, request.files.get("file"), folder, max_mb
        )
        if outcome.ok:
            flash(outcome.message, "success")
            for note in outcome.notes:
                flash(note, "warning")
            return redirect(url_for(".explanation_evidence", code=code))
        flash(outcome.message, "danger")
        form, status = outcome.form, outcome.status
    return (
        render_template(
            "agency/explanation_evidence.html",
            page=explaining.explanation_page(agency),
            question=explaining.question_of(agency, code),
            form=form or ev.EvidenceForm(),
            max_mb=max_mb,
            accept=ev.ACCEPT,
        ),
        status,
    )


@bp.route("/giai-trinh/minh-chung/<int:evidence_id>/xoa", methods=["POST"])
@role_required(AGENCY)
def delete_explanation_evidence(evidence_id: int) -> Any:
    folder, _ = _upload_config()
    ok, message, code = explaining.delete_document(_agency(), current_user, evidence_id, folder)
    flash(message, "success" if ok else "danger")
    return redirect(url_for(".explanation_evidence", code=code))
