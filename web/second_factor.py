"""The second factor of an account (ASVS 4.3.1): time-based one-time codes (TOTP, RFC 6238,
through pyotp: 6 digits, 30-second steps, SHA-1 as every authenticator app expects) and a few
single-use recovery codes.

A code is accepted once: the step of the last accepted code is kept on the user and a code is
taken only by a conditional ``UPDATE … WHERE totp_last_step < step`` (two requests with the
same code: one wins). A recovery code is taken by deleting its row (only its SHA-256 is
stored). The secretariat and the administrators must enrol (setting ``STAFF_SECOND_FACTOR``);
any account may.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno

from web.models import RecoveryCode, User, db, utcnow
from web.roles import STAFF

#: the issuer shown in the authenticator app
ISSUER = "parindex CCHC"
#: codes of the step before and after the current one are accepted too (clocks drift)
WINDOW = 1
#: how many recovery codes an enrolment gives
RECOVERY_CODES = 10


def clock() -> float:
    """Seconds since the epoch (a function, so tests can fix the time)."""
    return time.time()


def required(user: User, setting: bool) -> bool:
    """Whether ``user`` must enrol before working (staff, when the setting asks for it)."""
    return setting and user.role in STAFF and user.totp_enrolled_at is None


def enrolled(user: User) -> bool:
    return user.totp_enrolled_at is not None and bool(user.totp_secret)


def pending_secret(user: User) -> str:
    """The secret being enrolled (made on first call, kept until enrolment). The caller
    commits."""
    if not user.totp_secret or user.totp_enrolled_at is not None:
        user.totp_secret = pyotp.random_base32()  # 32 characters: 160 bits
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The ``otpauth://`` URI as a QR code, an SVG ``data:`` URI (the CSP allows ``data:``
    images; the SVG is an image, never a document, so it runs nothing)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _step_of(secret: str, code: str) -> int | None:
    """The time step whose code is ``code`` (within the window), or None."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(clock())
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def normalise(code: str) -> str:
    """What a person typed, without spaces and dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def take_code(user: User, typed: str, secret: str | None = None) -> str:
    """Accept ``typed`` as ``user``'s second factor, once: "totp" or "recovery" when accepted,
    "replayed" for a code already used, "" when wrong. The caller commits."""
    code = normalise(typed)
    secret = secret or user.totp_secret or ""
    if code.isdigit() and len(code) == 6 and secret:
        step = _step_of(secret, code)
        if step is None:
            return ""
        taken = db.session.execute(
            db.update(User)
            .where(
                User.id == user.id,
                (User.totp_last_step.is_(None)) | (User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        return "totp" if taken else "replayed"
    if len(code) == 10 and enrolled(user):
        used = db.session.execute(
            db.delete(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.code_sha256 == _digest(code)
            )
        ).rowcount  # type: ignore[attr-defined]
        return "recovery" if used else ""
    return ""


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace ``user``'s recovery codes by :data:`RECOVERY_CODES` new ones (40 random bits
    each, shown once as ``xxxxx-xxxxx``). The caller commits."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_sha256=_digest(code)))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_left(user: User) -> int:
    return len(
        db.session.execute(db.select(RecoveryCode.id).filter_by(user_id=user.id)).scalars().all()
    )


def enrol(user: User, typed: str) -> list[str] | None:
    """Finish enrolment with a code from the app: the recovery codes, or None when the code is
    wrong (or another tab finished first). The caller commits."""
    if user.totp_enrolled_at is not None or not user.totp_secret:
        return None
    if take_code(user, typed, user.totp_secret) != "totp":
        return None
    done = db.session.execute(
        db.update(User)
        .where(User.id == user.id, User.totp_enrolled_at.is_(None))
        .values(totp_enrolled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not done:
        return None
    return new_recovery_codes(user)
