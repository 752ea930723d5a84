"""Pages for everyone (published results come with the appraisal part)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from web.models import Cycle, db

bp = Blueprint("public", __name__)


@bp.route("/")
def index() -> Any:
    cycles = db.session.execute(db.select(Cycle).order_by(Cycle.year.desc())).scalars().all()
    return render_template("public/index.html", cycles=cycles)
