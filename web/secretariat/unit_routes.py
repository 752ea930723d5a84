"""The units page ("Đơn vị"): every unit with its type, the cycles that assessed it and its
lineage, and the lineage file's import. Each view reads the request, calls one function of
:mod:`web.secretariat.units`, then renders."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import current_user

from web import lineage
from web.roles import STAFF, role_required
from web.secretariat import units
from web.secretariat.routes import _upload

bp = Blueprint("units", __name__, url_prefix="/so-noi-vu/don-vi")


def _page(status: int = 200, **context: Any) -> Any:
    text = request.args.get("q", "").strip()[:200]
    return (
        render_template("secretariat/units.html", units=units.unit_views(text), q=text, **context),
        status,
    )


@bp.route("/")
@role_required(*STAFF)
def index() -> Any:
    return _page()


@bp.route("/lich-su", methods=["POST"])
@role_required(*STAFF)
def import_lineage() -> Any:
    name, data = _upload("lineage_file", lineage.MAX_LINEAGE_BYTES)
    if len(data) > lineage.MAX_LINEAGE_BYTES:
        return _page(413, too_large="Tệp lịch sử sắp xếp đơn vị quá lớn (tối đa 5 MB).")
    result = lineage.import_lineage(name, data, current_user)
    return _page(200 if result.ok else (409 if result.refused else 400), result=result)
