"""The secretariat's cycle set-up (placeholder until it lands)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from web.auth import role_required

bp = Blueprint("secretariat", __name__, url_prefix="/so-noi-vu")


@bp.route("/")
@role_required("secretariat", "admin")
def dashboard() -> Any:
    return render_template("public/index.html", cycles=[])
