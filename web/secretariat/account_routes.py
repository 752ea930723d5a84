"""The secretariat's accounts page ("Tài khoản"): the list with its filter, one account's page
and its actions. Each view reads the request, calls one function of
:mod:`web.secretariat.account_admin`, then renders or redirects."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from web.models import User, db
from web.roles import ROLE_LABELS, STAFF, role_required
from web.secretariat import account_admin as admin

bp = Blueprint("accounts", __name__, url_prefix="/so-noi-vu/tai-khoan")


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/")
@role_required(*STAFF)
def index() -> Any:
    f = admin.AccountFilter.of(request.args)
    return render_template(
        "secretariat/accounts.html",
        accounts=admin.list_accounts(f),
        f=f,
        roles=ROLE_LABELS,
        states=admin.STATES,
    )


def _page(user: User, outcome: admin.Outcome | None = None, status: int = 200) -> Any:
    return (
        render_template(
            "secretariat/account.html",
            account=user,
            successors=admin.successors(user.unit),
            units=admin.all_units(),
            history=admin.account_history(user),
            outcome=outcome,
        ),
        status,
    )


@bp.route("/<int:user_id>")
@role_required(*STAFF)
def account(user_id: int) -> Any:
    return _page(_account(user_id))


def _done(user: User, outcome: admin.Outcome) -> Any:
    if outcome.ok:
        flash(outcome.message, "success")
        return redirect(url_for(".account", user_id=user.id))
    return _page(user, outcome, 400)


@bp.route("/<int:user_id>/don-vi", methods=["POST"])
@role_required(*STAFF)
def link_unit(user_id: int) -> Any:
    user = _account(user_id)
    return _done(user, admin.link_unit(current_user, user, str(request.form.get("unit", ""))))


@bp.route("/<int:user_id>/mat-khau", methods=["POST"])
@role_required(*STAFF)
def reset_password(user_id: int) -> Any:
    """The new password is on this answer only (no redirect: it is never kept in a session)."""
    user = _account(user_id)
    outcome = admin.reset_password(current_user, user)
    return _page(user, outcome, 200 if outcome.ok else 400)


@bp.route("/<int:user_id>/trang-thai", methods=["POST"])
@role_required(*STAFF)
def set_active(user_id: int) -> Any:
    user = _account(user_id)
    active = request.form.get("active", "")
    if active not in ("0", "1"):
        return _page(user, admin.Outcome(False, "Chưa chọn ngừng hay mở lại tài khoản."), 400)
    return _done(user, admin.set_active(current_user, user, active == "1"))
