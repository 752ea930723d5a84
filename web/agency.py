"""The agency officer's self-assessment (placeholder until the form lands)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from web.auth import role_required

bp = Blueprint("agency", __name__, url_prefix="/don-vi")


@bp.route("/")
@role_required("agency")
def overview() -> Any:
    return render_template("public/index.html", cycles=[])
