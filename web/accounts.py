"""Which agency row an officer works on: the one rule, asked by every page, service and check.

An officer's account belongs to a unit (``User.unit_id``), not to one cycle's agency row. It sees
every **opened** cycle (``Cycle.opened_at`` set) in which its unit is assessed (has an agency
row), newest first; the agency pages work on the newest unless the address names another year
(``?nam=2024``, :data:`YEAR_ARG`). A cycle still being prepared is never seen. Whether that year
can still be changed is the workflow's own rule (:func:`web.workflow.can_edit`): a submitted,
appraised or published self-assessment is read-only, whatever the year.

:func:`current_agency` is the request's agency (the pages under ``/don-vi``); when the officer has
several years, every address built during the request keeps the year (:func:`keep_year`), so a
form answers the year it was shown for.
"""

from __future__ import annotations

from flask import Flask, abort, g, request
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from web.models import Agency, Cycle, User, db
from web.roles import AGENCY

#: the query argument naming the year an officer works on ("năm")
YEAR_ARG = "nam"
#: the blueprints whose pages work on the officer's agency (the year is kept in their addresses)
AGENCY_BLUEPRINTS = ("agency", "agency_excel")


def agencies_of(user: User) -> list[Agency]:
    """The officer's agency rows, one per opened cycle in which its unit is assessed, newest
    year first, each with its cycle and submission (one query). Nobody else has any."""
    if user.role != AGENCY or user.unit_id is None:
        return []
    rows = db.session.execute(
        db.select(Agency)
        .join(Agency.cycle)
        .where(Agency.unit_id == user.unit_id, Cycle.opened_at.is_not(None))
        .options(contains_eager(Agency.cycle), joinedload(Agency.submission))
        .order_by(Cycle.year.desc())
    )
    return list(rows.scalars().unique())


def agency_of(user: User, year: int | None = None) -> Agency | None:
    """The agency row ``user`` works on in ``year`` (default: the newest it sees), or None."""
    rows = agencies_of(user)
    if year is None:
        return rows[0] if rows else None
    return next((a for a in rows if a.cycle.year == year), None)


def owns(user: User, agency: Agency) -> bool:
    """Whether ``agency`` is the officer's own: its unit's row in an opened cycle."""
    return (
        user.role == AGENCY
        and user.unit_id is not None
        and agency.unit_id == user.unit_id
        and agency.cycle.opened_at is not None
    )


def current_agency() -> Agency:
    """The logged-in officer's agency for this request: the year named by ``?nam=`` or the
    newest. No agency at all → 403; a year the officer does not see → 404."""
    rows = agencies_of(current_user)
    if not rows:
        abort(403)
    asked = request.args.get(YEAR_ARG, "")
    if asked:
        agency = next((a for a in rows if str(a.cycle.year) == asked), None)
        if agency is None:
            abort(404)
    else:
        agency = rows[0]
    g.officer_agencies = rows
    g.officer_agency = agency
    return agency


def keep_year(endpoint: str, values: dict[str, object]) -> None:
    """While an officer with several years works on one, the agency pages' addresses carry it
    (``?nam=2024``); with a single year they stay as they are."""
    rows = g.get("officer_agencies")
    if (
        rows
        and len(rows) > 1
        and endpoint.split(".", 1)[0] in AGENCY_BLUEPRINTS
        and YEAR_ARG not in values
    ):
        values[YEAR_ARG] = g.officer_agency.cycle.year


def init_app(app: Flask) -> None:
    app.url_defaults(keep_year)
