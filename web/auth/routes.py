"""Log-in, log-out, roles. Passwords are hashed (werkzeug scrypt); repeated failures lock the
account for a while; the session cookie is HttpOnly, SameSite=Lax and Secure by default."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import or_
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from web import second_factor, sessions
from web.audit import audit
from web.errors import commit_or_conflict, refusal
from web.models import User, db, utcnow
from web.roles import HOME

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        "Thư điện tử",
        validators=[
            DataRequired("Nhập địa chỉ thư điện tử."),
            Email("Địa chỉ thư điện tử không hợp lệ."),
            Length(max=200),
        ],
    )
    password = PasswordField(
        "Mật khẩu", validators=[DataRequired("Nhập mật khẩu."), Length(max=200)]
    )


BUSY_MESSAGE = "Hệ thống đang bận; chưa kiểm tra đăng nhập, hãy thử lại."
WRONG_MESSAGE = "Thư điện tử hoặc mật khẩu không đúng."


def _lock_message(user: User, now: dt.datetime) -> str:
    locked_until = user.locked_until or now
    minutes = int((locked_until - now).total_seconds() // 60) + 1
    return f"Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau {minutes} phút."


@functools.cache
def _unknown_hash() -> str:
    """A hash no password matches, checked for an unknown e-mail."""
    return generate_password_hash(secrets.token_hex(16))


def _not_locked(now: dt.datetime) -> Any:
    return or_(User.locked_until.is_(None), User.locked_until <= now)


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> Any:
    """Every attempt is counted before its password is checked, by one atomic UPDATE
    (``failed_logins + 1``, only while not locked), so attempts sent at the same moment cannot
    slip past the counter; the lock is set by a conditional UPDATE, so it is audited once."""
    if current_user.is_authenticated:
        return redirect(url_for(HOME.get(current_user.role, "public.index")))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template(
            "auth/login.html", form=form
        ), 400 if request.method == "POST" else 200
    email = form.email.data.strip().lower()
    now = utcnow()
    with commit_or_conflict() as saved:
        counted = db.session.execute(
            db.update(User)
            .where(User.email == email, _not_locked(now))
            .values(failed_logins=User.failed_logins + 1)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    if not saved.ok:
        flash(BUSY_MESSAGE, "danger")
        return render_template("auth/login.html", form=form), 503
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is not None and not counted:
        flash(_lock_message(user, now), "danger")
        return render_template("auth/login.html", form=form), 429
    # an unknown e-mail costs the same hash as a known one: the time tells nothing either
    stored = user.password_hash if user is not None else _unknown_hash()
    if not check_password_hash(stored, form.password.data) or user is None or not user.active:
        if user is not None:
            _lock_if_too_many(user, now)
        flash(WRONG_MESSAGE, "danger")
        return render_template("auth/login.html", form=form), 401
    target = request.args.get("next", "")
    if not is_local_path(target):
        target = url_for(HOME.get(user.role, "public.index"))
    if second_factor.enrolled(user):
        # the password was right; the log-in counts as failed until the code is right too
        session.clear()
        session[PENDING] = {"user": user.id, "at": now.timestamp(), "next": target}
        return redirect(url_for("auth.second_step"))
    with commit_or_conflict() as saved:
        db.session.execute(
            db.update(User)
            .where(User.id == user.id)
            .values(failed_logins=0, locked_until=None)
            .execution_options(synchronize_session=False)
        )
        sessions.begin(user)
    if not saved.ok:
        flash(BUSY_MESSAGE, "danger")
        return render_template("auth/login.html", form=form), 503
    return redirect(target)


def _lock_if_too_many(user: User, now: dt.datetime) -> None:
    """After a failed password or second-factor code: lock the account once it has failed
    ``LOGIN_MAX_FAILURES`` times in a row (a conditional UPDATE: audited once)."""
    user_failures = db.session.execute(
        db.select(User.failed_logins).where(User.id == user.id)
    ).scalar_one()
    if user_failures < current_app.config["LOGIN_MAX_FAILURES"]:
        return
    with commit_or_conflict():
        locked = db.session.execute(
            db.update(User)
            .where(
                User.id == user.id,
                User.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"],
                _not_locked(now),
            )
            .values(
                failed_logins=0,
                locked_until=now + dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"]),
            )
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if locked:  # this request set the lock: audited once
            audit(user, "account", user.email, "", "tạm khóa", reason="đăng nhập sai nhiều lần")


#: the signed session's key holding a log-in waiting for its second factor
PENDING = "second_factor_pending"
#: how long the code may be typed after the password
PENDING_LIFETIME = dt.timedelta(minutes=5)
WRONG_CODE_MESSAGE = "Mã xác thực không đúng hoặc đã hết hạn."
REPLAYED_MESSAGE = "Mã xác thực này đã được dùng; hãy chờ mã tiếp theo trong ứng dụng."
PENDING_GONE_MESSAGE = "Bước xác thực đã hết thời gian; hãy đăng nhập lại."


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        "Mã xác thực",
        validators=[DataRequired("Nhập mã xác thực."), Length(max=40, message=WRONG_CODE_MESSAGE)],
    )


def _pending_user(now: dt.datetime) -> tuple[User | None, str]:
    """The user whose password was right in this browser a moment ago, and where to go next."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None, ""
    if now.timestamp() - float(pending.get("at", 0)) > PENDING_LIFETIME.total_seconds():
        return None, ""
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or not second_factor.enrolled(user):
        return None, ""
    return user, str(pending.get("next", ""))


@bp.route("/dang-nhap/ma-xac-thuc", methods=["GET", "POST"])
def second_step() -> Any:
    """The second step of a log-in: a code from the authenticator app, or a recovery code.
    Each attempt is counted like a password attempt (the same counter and lock)."""
    now = utcnow()
    user, target = _pending_user(now)
    if user is None:
        session.pop(PENDING, None)
        flash(PENDING_GONE_MESSAGE, "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/second_step.html", form=form), status
    with commit_or_conflict() as saved:
        counted = db.session.execute(
            db.update(User)
            .where(User.id == user.id, _not_locked(now))
            .values(failed_logins=User.failed_logins + 1)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    if not saved.ok:
        flash(BUSY_MESSAGE, "danger")
        return render_template("auth/second_step.html", form=form), 503
    if not counted:
        session.pop(PENDING, None)
        db.session.refresh(user)
        flash(_lock_message(user, now), "danger")
        return redirect(url_for("auth.login")), 303
    with commit_or_conflict() as saved:
        taken = second_factor.take_code(user, form.code.data)
        if taken == "recovery":
            audit(
                user,
                "account",
                user.email,
                "",
                "đăng nhập bằng mã khôi phục",
                reason=f"còn {second_factor.recovery_left(user)} mã khôi phục",
            )
    if not saved.ok or not taken or taken == "replayed":
        _lock_if_too_many(user, now)
        form.code.errors = [REPLAYED_MESSAGE if taken == "replayed" else WRONG_CODE_MESSAGE]
        return render_template("auth/second_step.html", form=form), 401
    with commit_or_conflict() as saved:
        db.session.execute(
            db.update(User)
            .where(User.id == user.id)
            .values(failed_logins=0, locked_until=None)
            .execution_options(synchronize_session=False)
        )
        sessions.begin(user)  # clears the pending step with the rest of the old session
    if not saved.ok:
        flash(BUSY_MESSAGE, "danger")
        return render_template("auth/second_step.html", form=form), 503
    if taken == "recovery":
        flash(
            "Đã đăng nhập bằng một mã khôi phục (mã này không dùng lại được); "
            f"còn {second_factor.recovery_left(user)} mã.",
            "warning",
        )
    return redirect(target or url_for(HOME.get(user.role, "public.index")))


def is_local_path(target: str) -> bool:
    """A redirect target on this site: a path (``/…``), never ``//host``, ``/\\host`` or a
    scheme, and no control character (browsers drop tabs and newlines, turning ``/\t/host``
    into ``//host``)."""
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isprintable()
        and "\\" not in target
    )


#: the bounds of a password a person chooses (ASVS 2.1.1, 2.1.2); every character is allowed and
#: kept (no composition rule, no truncation: scrypt hashes the whole text)
PASSWORD_MIN, PASSWORD_MAX = 12, 128
#: passwords too common to accept (with the account's own e-mail and the demo password)
COMMON_PASSWORDS = frozenset(
    """123456789012 1234567890123 123456789abc 111111111111 000000000000 matkhau12345
    matkhau123456 password1234 password12345 passw0rd1234 qwertyuiop12 qwerty123456
    abc123456789 admin1234567 administrator iloveyou1234 12345678910 parindex-demo
    matkhaumoi123 vietnam12345 hanoi1234567 abcd12345678""".split()
)


class PasswordForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField(
        "Mật khẩu hiện tại", validators=[DataRequired("Nhập mật khẩu hiện tại."), Length(max=200)]
    )
    new = PasswordField(
        "Mật khẩu mới",
        validators=[
            DataRequired("Nhập mật khẩu mới."),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=f"Mật khẩu mới phải dài từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự.",
            ),
        ],
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[
            DataRequired("Nhập lại mật khẩu mới."),
            EqualTo("new", "Hai lần nhập mật khẩu mới không khớp."),
        ],
    )


def weak_password(user: User, new: str) -> str:
    """Why ``new`` may not be ``user``'s password ("" when it may)."""
    folded = new.casefold()
    if folded in COMMON_PASSWORDS:
        return "Mật khẩu mới quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."
    local = user.email.split("@", 1)[0].casefold()
    if folded == user.email.casefold() or (len(local) >= 4 and local in folded):
        return "Mật khẩu mới không được chứa địa chỉ thư điện tử của tài khoản."
    if len(set(new)) < 4:
        return "Mật khẩu mới lặp lại quá ít ký tự khác nhau; hãy chọn mật khẩu khác."
    return ""


#: what a person whose password was given by someone else may still open (ASVS 2.3.1)
OPEN_BEFORE_CHANGE = frozenset({"auth.change_password", "auth.logout", "static"})
MUST_CHANGE_MESSAGE = (
    "Mật khẩu của tài khoản do người khác cấp; hãy đổi mật khẩu trước khi tiếp tục làm việc."
)


@bp.before_app_request
def _password_change_first() -> Any:
    """An initial or reset password (agency import) opens only the password change and
    log-out: every other page redirects there, every API call is refused, until it is changed."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.endpoint in OPEN_BEFORE_CHANGE:
        return None
    if "/api/" in request.path or request.is_json:
        return refusal(403, MUST_CHANGE_MESSAGE)
    flash(MUST_CHANGE_MESSAGE, "warning")
    return redirect(url_for("auth.change_password"))


def _password_page(form: PasswordForm) -> str:
    """The password change page, with the rules its script ticks off as the person types."""
    return render_template(
        "auth/password.html",
        form=form,
        password_min=PASSWORD_MIN,
        password_max=PASSWORD_MAX,
        common_passwords=" ".join(sorted(COMMON_PASSWORDS)),
    )


ENROL_FIRST_MESSAGE = (
    "Tài khoản Sở Nội vụ và quản trị phải bật xác thực hai bước trước khi tiếp tục làm việc."
)
OPEN_BEFORE_ENROLMENT = OPEN_BEFORE_CHANGE | {"auth.two_factor"}


@bp.before_app_request
def _second_factor_first() -> Any:
    """The secretariat and administrators enrol a second factor at their next log-in (setting
    ``STAFF_SECOND_FACTOR``): until then only enrolment, the password change and log-out open."""
    if not current_user.is_authenticated or request.endpoint in OPEN_BEFORE_ENROLMENT:
        return None
    if not second_factor.required(current_user, current_app.config["STAFF_SECOND_FACTOR"]):
        return None
    if "/api/" in request.path or request.is_json:
        return refusal(403, ENROL_FIRST_MESSAGE)
    flash(ENROL_FIRST_MESSAGE, "warning")
    return redirect(url_for("auth.two_factor"))


class EnrolForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        "Mã 6 chữ số trong ứng dụng",
        validators=[DataRequired("Nhập mã xác thực."), Length(max=40, message=WRONG_CODE_MESSAGE)],
    )


@bp.route("/xac-thuc-hai-buoc", methods=["GET", "POST"])
@login_required
def two_factor() -> Any:
    """Enrolment: the secret as text and as a QR code, then a code from the app to confirm;
    the recovery codes are shown once. Once enrolled: the state and the recovery codes left."""
    user = current_user._get_current_object()
    if second_factor.enrolled(user):
        return render_template(
            "auth/two_factor.html", enrolled=True, left=second_factor.recovery_left(user)
        )
    form = EnrolForm()
    with commit_or_conflict():
        secret = second_factor.pending_secret(user)
    if form.validate_on_submit():
        with commit_or_conflict() as saved:
            codes = second_factor.enrol(user, form.code.data)
            if codes is not None:
                audit(
                    user,
                    "account",
                    user.email,
                    "",
                    "bật xác thực hai bước",
                    reason="người dùng tự bật",
                )
        if saved.ok and codes is not None:
            return render_template(
                "auth/two_factor.html", enrolled=True, codes=codes, left=len(codes)
            )
        form.code.errors = [WRONG_CODE_MESSAGE]
    uri = second_factor.provisioning_uri(user, secret)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "auth/two_factor.html",
        enrolled=False,
        form=form,
        secret=second_factor.grouped(secret),
        uri=uri,
        qr=second_factor.qr_data_uri(uri),
    ), status


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """The current password, then the new one twice. Every session of the account ends (other
    browsers are logged out); this browser continues in a new session."""
    form = PasswordForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _password_page(form), status
    user = current_user._get_current_object()
    if not check_password_hash(user.password_hash, form.current.data):
        form.current.errors = ["Mật khẩu hiện tại không đúng."]
        return _password_page(form), 400
    why = weak_password(user, form.new.data)
    if not why and form.new.data == form.current.data:
        why = "Mật khẩu mới phải khác mật khẩu hiện tại."
    if why:
        form.new.errors = [why]
        return _password_page(form), 400
    with commit_or_conflict() as saved:
        user.password_hash = generate_password_hash(form.new.data)
        user.must_change_password = False
        audit(user, "account", user.email, "", "đổi mật khẩu", reason="người dùng tự đổi mật khẩu")
        sessions.end_all(user)
        sessions.begin(user)
    if not saved.ok:
        flash(f"Chưa đổi mật khẩu: {saved.why}", "danger")
        return _password_page(form), 409
    flash("Đã đổi mật khẩu; các phiên đăng nhập khác của tài khoản đã kết thúc.", "success")
    return redirect(url_for(HOME.get(user.role, "public.index")))


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout() -> Any:
    sessions.end_current()
    db.session.commit()
    flash("Đã đăng xuất.", "info")
    response = redirect(url_for("auth.login"))
    # the browser drops what it kept of the session's pages (a shared office computer)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
