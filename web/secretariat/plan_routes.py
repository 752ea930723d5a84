"""The yearly CCHC plan's page for the secretariat (blueprint ``plan_admin``, under
``/so-noi-vu/ke-hoach``): the plan appendix imported for a cycle (errors by row and column,
nothing saved unless valid) and the plan's progress per unit and per reform area. Each view
reads the request, calls one function of :mod:`web.plan`, then renders."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from web import plan
from web.models import Cycle
from web.roles import STAFF, role_required
from web.secretariat.routes import _cycle_or_404, _upload

bp = Blueprint("plan_admin", __name__, url_prefix="/so-noi-vu/ke-hoach")


def _page(cycle: Cycle, status: int = 200, **context: Any) -> Any:
    return (
        render_template(
            "secretariat/plan.html",
            cycle=cycle,
            progress=plan.progress(cycle),
            tasks=plan.tasks_of(cycle),
            labels=plan.STATUS_LABELS,
            **context,
        ),
        status,
    )


@bp.route("/<int:year>")
@role_required(*STAFF)
def index(year: int) -> Any:
    return _page(_cycle_or_404(year))


@bp.route("/<int:year>/nhap", methods=["POST"])
@role_required(*STAFF)
def import_plan(year: int) -> Any:
    cycle = _cycle_or_404(year)
    name, data = _upload("plan_file", plan.MAX_PLAN_BYTES)
    if not data:
        return _page(cycle, 400, too_large="Hãy chọn tệp phụ lục kế hoạch (XLSX).")
    if len(data) > plan.MAX_PLAN_BYTES:
        return _page(cycle, 413, too_large="Tệp kế hoạch quá lớn (tối đa 5 MB).")
    result = plan.import_plan(cycle, name, data, current_user)
    return _page(cycle, 200 if result.ok else (409 if result.refused else 400), result=result)
