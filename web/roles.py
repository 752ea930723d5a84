"""Who may do what: the user roles, their labels, the groups the pages check, and the one
decorator that checks them. Defined here once; templates read them as globals."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

AGENCY = "agency"
APPRAISER = "appraiser"
SECRETARIAT = "secretariat"
ADMIN = "admin"

ROLES = (AGENCY, APPRAISER, SECRETARIAT, ADMIN)
ROLE_LABELS = {
    AGENCY: "Cán bộ đầu mối CCHC",
    APPRAISER: "Thành viên Tổ thẩm định",
    SECRETARIAT: "Sở Nội vụ (thường trực)",
    ADMIN: "Quản trị hệ thống",
}
#: the secretariat and the administrators: they run the cycle
STAFF = (SECRETARIAT, ADMIN)
#: who appraises: the appraisers, and the staff who may stand in for them
PANEL = (APPRAISER, *STAFF)

#: the page each role lands on after log-in (an endpoint)
HOME = {
    AGENCY: "agency.overview",
    SECRETARIAT: "secretariat.dashboard",
    ADMIN: "secretariat.dashboard",
    APPRAISER: "appraisal.queue",
}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only users with one of ``roles`` pass; others get 403, anonymous users the log-in page."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
