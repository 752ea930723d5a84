"""Log-in, log-out, roles. Passwords are hashed (werkzeug scrypt); repeated failures lock the
account for a while; the session cookie is HttpOnly, SameSite=Lax and Secure by default."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from web.audit import audit
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


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for(HOME.get(current_user.role, "public.index")))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
        now = utcnow()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            minutes = int((user.locked_until - now).total_seconds() // 60) + 1
            flash(
                f"Tài khoản tạm khóa do đăng nhập sai nhiều lần; thử lại sau {minutes} phút.",
                "danger",
            )
            return render_template("auth/login.html", form=form), 429
        if (
            user is None
            or not user.active
            or not check_password_hash(user.password_hash, form.password.data)
        ):
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
                    user.locked_until = now + dt.timedelta(
                        minutes=current_app.config["LOGIN_LOCK_MINUTES"]
                    )
                    user.failed_logins = 0
                    audit(
                        user,
                        "account",
                        user.email,
                        "",
                        "tạm khóa",
                        reason="đăng nhập sai nhiều lần",
                    )
                db.session.commit()
            flash("Thư điện tử hoặc mật khẩu không đúng.", "danger")
            return render_template("auth/login.html", form=form), 401
        user.failed_logins = 0
        user.locked_until = None
        db.session.commit()
        login_user(user)
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = url_for(HOME.get(user.role, "public.index"))
        return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/dang-xuat", methods=["POST"])
@login_required
def logout() -> Any:
    logout_user()
    flash("Đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
