"""The notifications page (/thong-bao): a user's own notifications, newest first, the unread
ones marked; "Đánh dấu đã đọc" marks them read. After a request whose saved change wrote
notifications, their mails are tried at once (at most ``MAIL_AFTER_COMMIT``); a mail server that
is down or slow never fails the request: the mails wait in the outbox for ``parindex remind``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from web import mailer, notify
from web.errors import commit_or_conflict
from web.models import Notification, db, utcnow
from web.roles import ROLES, role_required

bp = Blueprint("notifications", __name__, url_prefix="/thong-bao")
log = logging.getLogger(__name__)

#: the most a page lists (older ones stay in the database)
PAGE_SIZE = 200


@bp.route("/")
@role_required(*ROLES)
def index() -> Any:
    rows = (
        db.session.execute(
            db.select(Notification)
            .where(Notification.user_id == current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(PAGE_SIZE)
        )
        .scalars()
        .all()
    )
    return render_template("notifications/index.html", rows=rows, kinds=notify.KINDS)


@bp.route("/da-doc", methods=["POST"])
@role_required(*ROLES)
def read_all() -> Any:
    with commit_or_conflict() as saved:
        db.session.execute(
            db.update(Notification)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
    if saved.ok:
        flash("Đã đánh dấu mọi thông báo là đã đọc.", "success")
    else:
        flash("Chưa lưu được; hãy thử lại.", "error")
    return redirect(url_for(".index"))


def unread_count() -> int:
    """The logged-in user's unread notifications (the header's count); 0 for anyone else."""
    if current_user.is_anonymous:
        return 0
    return int(
        db.session.execute(
            db.select(db.func.count(Notification.id)).where(
                Notification.user_id == current_user.id, Notification.read_at.is_(None)
            )
        ).scalar_one()
    )


def send_after_commit(response: Any) -> Any:
    """When this request wrote notifications, try their mails now (in a session of its own:
    nothing uncommitted is sent). Any trouble is logged; the request's answer stays as it is."""
    if not db.session.info.pop(notify.WRITTEN, False):
        return response
    limit = int(current_app.config.get("MAIL_AFTER_COMMIT") or 0)
    if limit <= 0 or not current_app.config.get("SMTP_HOST"):
        return response
    try:
        done = mailer.flush(db.engine, current_app.config, limit=limit)
        if done.failed:
            log.warning("thư thông báo chưa gửi được (%s thư chờ): %s", done.failed, done.error)
    except Exception:  # noqa: BLE001 — mail must never fail a saved change
        log.exception("lỗi khi gửi thư thông báo; thư vẫn chờ trong hàng đợi")
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(send_after_commit)
    app.jinja_env.globals.update(unread_notifications=unread_count)
