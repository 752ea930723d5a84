"""The e-mail outbox sent over SMTP: :func:`flush` sends the notifications whose mail is still
waiting (``Notification.mail_sent_at`` None), with the settings ``SMTP_*`` (web/config.py).

It works in a session of its own, never in the request's: what a request has not committed is
never committed by sending mail. Each mail is claimed first (a token, committed), so two senders
at once (the app after a commit, ``parindex remind`` from cron) never send the same one; a claim
older than :data:`CLAIM_MINUTES` is taken as abandoned (a sender that died). A mail is marked
sent as soon as the server accepted it. When the server cannot be reached or refuses, the mail
stays waiting with its error and count of attempts, and the next run retries it. No Flask here:
the settings come as a mapping.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from web.models import Notification, utcnow

#: a claim older than this is abandoned by its sender (which died): another run may send it
CLAIM_MINUTES = 15
TLS_MODES = ("starttls", "ssl", "none")


@dataclass
class Flushed:
    """What a run of the outbox did."""

    sent: int = 0
    failed: int = 0  # mails tried and still waiting (kept for the next run)
    error: str = ""  # the last failure, in words
    configured: bool = True  # False: no SMTP_HOST, nothing tried


def message(row: Notification, config: Mapping[str, Any]) -> MIMEText:
    """The mail of one notification: Vietnamese subject and body (UTF-8), the page's address
    when ``BASE_URL`` is set. The subject is encoded by :class:`email.header.Header`: the
    default policy's folding of a long Vietnamese subject drops the space at a fold ("đánh
    giá" read back as "đánhgiá"; tests/web/test_notifications.py reads it back)."""
    body = row.body
    base = str(config.get("BASE_URL") or "").rstrip("/")
    if base and row.link:
        body += f"\n\nXem chi tiết: {base}{row.link}"
    body += (
        "\n\n—\nThư tự động từ hệ thống chấm điểm Chỉ số cải cách hành chính (parindex); "
        "xin đừng trả lời thư này."
    )
    msg = MIMEText(body, "plain", "utf-8")
    msg["Subject"] = Header(row.subject, "utf-8")  # type: ignore[assignment]
    msg["From"] = str(config["SMTP_SENDER"])
    msg["To"] = row.email
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=str(config["SMTP_SENDER"]).rpartition("@")[2] or None)
    return msg


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    host, port = str(config["SMTP_HOST"]), int(config["SMTP_PORT"])
    timeout = float(config["SMTP_TIMEOUT"])
    mode = str(config["SMTP_TLS"]).lower()
    if mode not in TLS_MODES:
        raise ValueError(
            f"SMTP_TLS: “{config['SMTP_TLS']}” không hợp lệ (starttls, ssl hoặc none)."
        )
    smtp: smtplib.SMTP
    if mode == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if mode == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USER"):
        smtp.login(str(config["SMTP_USER"]), str(config.get("SMTP_PASSWORD") or ""))
    return smtp


def _why(exc: BaseException, config: Mapping[str, Any]) -> str:
    where = f"{config['SMTP_HOST']}:{config['SMTP_PORT']}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"Máy chủ thư {where} từ chối đăng nhập (SMTP_USER/SMTP_PASSWORD)."
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"Máy chủ thư {where} từ chối địa chỉ người nhận."
    if isinstance(exc, smtplib.SMTPException):
        return f"Máy chủ thư {where} từ chối gửi: {exc}"
    if isinstance(exc, ValueError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"Không kết nối được máy chủ thư {where}: {exc.strerror or exc}"
    return f"Lỗi khi gửi thư qua {where}: {exc}"


def _claim(session: Session, limit: int | None) -> str | None:
    """Claim up to ``limit`` waiting mails (oldest first) for this run; their token, or None."""
    now = utcnow()
    stale = now - dt.timedelta(minutes=CLAIM_MINUTES)
    waiting = (
        Notification.mail_sent_at.is_(None),
        Notification.email != "",
        or_(Notification.mail_claim.is_(None), Notification.mail_claimed_at < stale),
    )
    query = session.query(Notification.id).filter(*waiting).order_by(Notification.id)
    if limit is not None:
        query = query.limit(limit)
    ids = [i for (i,) in query.all()]
    if not ids:
        return None
    token = uuid.uuid4().hex
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), *waiting)
        .values(mail_claim=token, mail_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return token


def flush(engine: Engine, config: Mapping[str, Any], limit: int | None = None) -> Flushed:
    """Send the waiting mails (at most ``limit``, oldest first) through the configured SMTP
    server; what cannot be sent stays waiting. Never raises for a mail server's trouble."""
    done = Flushed()
    if not config.get("SMTP_HOST"):
        done.configured = False
        return done
    with Session(engine) as session:
        token = _claim(session, limit)
        if token is None:
            return done
        rows = (
            session.query(Notification)
            .filter(Notification.mail_claim == token)
            .order_by(Notification.id)
            .all()
        )
        smtp: smtplib.SMTP | None = None
        try:
            smtp = _connect(config)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            done.error = _why(exc, config)
        for row in rows:
            if smtp is None:
                _failed(row, done.error)
                done.failed += 1
                continue
            try:
                smtp.send_message(message(row, config))
            except (OSError, smtplib.SMTPException) as exc:
                done.error = _why(exc, config)
                _failed(row, done.error)
                done.failed += 1
                if not isinstance(exc, smtplib.SMTPRecipientsRefused):
                    smtp = None  # the connection is gone: the rest waits for the next run
            else:
                row.mail_sent_at = utcnow()
                row.mail_claim = None
                row.mail_error = ""
                done.sent += 1
            session.commit()  # each mail's outcome kept at once
        session.commit()
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return done


def _failed(row: Notification, why: str) -> None:
    row.mail_attempts = (row.mail_attempts or 0) + 1
    row.mail_error = why
    row.mail_claim = None  # free for the next run
    row.mail_claimed_at = None


def waiting(engine: Engine) -> int:
    """How many mails wait in the outbox."""
    with Session(engine) as session:
        return (
            session.query(Notification)
            .filter(Notification.mail_sent_at.is_(None), Notification.email != "")
            .count()
        )
