"""Log-in sessions kept on the server, so that log-out really ends them.

The signed Flask cookie alone cannot be revoked: a copy taken before log-out would open pages
afterwards. So a log-in also stores a row (:class:`web.models.LoginSession`) holding the SHA-256
of a random token, and the cookie carries the token; every request loads its user only through
that row (:func:`load_user`, one query with the user). Log-out deletes the row
(:func:`end_current`), a password change deletes every row of the user (:func:`end_all`), and a
row older than :data:`ABSOLUTE_LIFETIME` opens nothing. Inactivity is bounded by the cookie's
signature age (:data:`IDLE_LIFETIME`, Flask's ``PERMANENT_SESSION_LIFETIME``, checked on every
request by the server). The cookie is signed again when a request comes :data:`REFRESH_EVERY`
after the last signing (:func:`keep_alive`), not on every request: an idle session ends between
2 h and 2 h 5 min after its last request, and a page does not pay for a signature each time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time

from flask import session
from flask_login import login_user, logout_user

from web.models import LoginSession, User, db, utcnow

#: the session cookie's key holding the token
KEY = "sid"
#: a session ends this long after log-in, however active (a working day)
ABSOLUTE_LIFETIME = dt.timedelta(hours=12)
#: a session ends after this long without a request
IDLE_LIFETIME = dt.timedelta(hours=2)
#: how often an active session's cookie is signed again (the idle clock restarts)
REFRESH_EVERY = dt.timedelta(minutes=5)
#: the session cookie's key holding when it was last signed (minutes since the epoch)
SIGNED = "at"


def _minute() -> int:
    return int(time.time() // 60)


def keep_alive() -> None:
    """Before each request: sign the session cookie again (restarting its idle clock) when it
    was last signed :data:`REFRESH_EVERY` ago or more. Flask's ``SESSION_REFRESH_EACH_REQUEST``
    is off, so an unchanged session is not re-sent."""
    if KEY not in session:
        return
    now = _minute()
    last = session.get(SIGNED)
    if not isinstance(last, int) or now - last >= REFRESH_EVERY.total_seconds() // 60:
        session[SIGNED] = now


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def begin(user: User) -> None:
    """Log ``user`` in with a fresh session: whatever the browser's session held before is
    dropped (no fixation), a new token is stored (its digest on the server). The caller
    commits."""
    session.clear()
    token = secrets.token_urlsafe(32)
    cutoff = utcnow() - ABSOLUTE_LIFETIME
    db.session.execute(
        db.delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.created_at < cutoff
        )
    )
    db.session.add(LoginSession(user_id=user.id, token_sha256=_digest(token)))
    user.last_login_at = utcnow()
    login_user(user)
    session[KEY] = token
    session[SIGNED] = _minute()
    session.permanent = True  # the cookie's age is checked against IDLE_LIFETIME


def end_current() -> None:
    """Log-out: this browser's session row is deleted, the cookie emptied. The caller
    commits."""
    token = session.get(KEY)
    if isinstance(token, str):
        db.session.execute(
            db.delete(LoginSession).where(LoginSession.token_sha256 == _digest(token))
        )
    logout_user()
    session.clear()


def end_all(user: User) -> None:
    """Every session of ``user`` ends (their password changed). The caller commits."""
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id))


def load_user(user_id: str) -> User | None:
    """The user of this request's session, or None when the session was ended, is too old or
    is not the user's. One query (an officer's agency rows are :func:`web.accounts.agencies_of`)."""
    token = session.get(KEY)
    if not isinstance(token, str) or not user_id.isdigit():
        return None
    return db.session.execute(
        db.select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            User.active.is_(True),  # a deactivated account opens nothing, whatever its cookie
            LoginSession.token_sha256 == _digest(token),
            LoginSession.created_at > utcnow() - ABSOLUTE_LIFETIME,
        )
    ).scalar_one_or_none()
