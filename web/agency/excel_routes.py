"""Excel round trip for an agency's self-assessment: download the prefilled template, upload it
back. Only the officer's own agency (:func:`web.accounts.current_agency`); the work is in :mod:`web.agency.excel_template` and :mod:`web.agency.excel_import`."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user

from web.accounts import current_agency
from web.agency import excel_import, excel_template
from web.engine import set_for
from web.models import Agency
from web.roles import AGENCY, role_required
from web.workflow import can_edit

bp = Blueprint("agency_excel", __name__, url_prefix="/don-vi/excel")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _agency() -> Agency:
    return current_agency()  # the officer's own, in the year asked (web/accounts.py)


@bp.route("/mau")
@role_required(AGENCY)
def template() -> Any:
    agency = _agency()
    if set_for(agency) is None:
        abort(404)
    data = excel_template.template(agency)
    response = send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"tu-danh-gia-{agency.cycle.year}-{agency.code}.xlsx",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/nhap", methods=["GET", "POST"])
@role_required(AGENCY)
def upload() -> Any:
    agency = _agency()
    editable, why = can_edit(agency)
    result = None
    status = 200
    if request.method == "POST":
        f = request.files.get("workbook")
        limit = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
        data = f.stream.read(limit + 1) if f is not None and f.filename else b""
        if len(data) > limit:
            abort(413)
        result = excel_import.import_workbook(agency, current_user, data)
        status = 403 if result.refused else (400 if result.problems else 200)
    return (
        render_template(
            "agency_excel/upload.html",
            agency=agency,
            has_set=set_for(agency) is not None,
            editable=editable,
            why=why,
            result=result,
        ),
        status,
    )
