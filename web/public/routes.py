"""Pages for everyone, without log-in: the cycles and the published results (every version)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from web import publishing
from web.models import Cycle, Publication, db, get_cycle
from web.public.chart import bar_chart

bp = Blueprint("public", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
def index() -> Any:
    cycles = db.session.execute(db.select(Cycle).order_by(Cycle.year.desc())).scalars().all()
    return render_template("public/index.html", cycles=cycles)


def _published(year: int, version: int | None = None) -> tuple[Cycle, Publication]:
    cycle = get_cycle(year)
    if cycle is None:
        abort(404)
    pub = publishing.latest(cycle) if version is None else publishing.version_of(cycle, version)
    if pub is None:
        abort(404)
    return cycle, pub


@bp.route("/ket-qua")
def results() -> Any:
    return render_template("public/results.html", published=publishing.published_cycles())


def _results_page(year: int, version: int | None) -> Any:
    cycle, pub = _published(year, version)
    data = publishing.publication_data(pub)
    blocks = publishing.ranking(data)
    return render_template(
        "public/year.html",
        cycle=cycle,
        pub=pub,
        latest=publishing.latest(cycle),
        versions=publishing.versions(cycle),
        blocks=blocks,
        method=data.get("comparison_method", ""),
        missing_surveys=data.get("publication", {}).get("missing_surveys", {}).get("agencies", {}),
        charts={b["block"]: bar_chart(b) for b in blocks},
    )


@bp.route("/ket-qua/<int:year>")
def year_results(year: int) -> Any:
    return _results_page(year, None)


@bp.route("/ket-qua/<int:year>/v<int:version>")
def version_results(year: int, version: int) -> Any:
    return _results_page(year, version)


@bp.route("/ket-qua/<int:year>/don-vi/<code>")
def agency_results(year: int, code: str) -> Any:
    cycle, pub = _published(year)
    found = publishing.agency_of(publishing.publication_data(pub), code)
    if found is None:
        abort(404)
    block, row = found
    method = publishing.publication_data(pub).get("comparison_method", "")
    return render_template(
        "public/agency.html", cycle=cycle, pub=pub, block=block, row=row, method=method
    )


@bp.route("/ket-qua/<int:year>/v<int:version>/bang-xep-hang.xlsx")
def decision_table(year: int, version: int) -> Any:
    _, pub = _published(year, version)
    name = f"bang-xep-hang-{year}-v{version}.xlsx"
    return (
        pub.decision_xlsx,
        200,
        {"Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{name}"'},
    )
