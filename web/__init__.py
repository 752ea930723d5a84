"""parindex web app: agencies file their self-assessment online; the secretariat runs the cycle.

``create_app(test_config=None)`` builds the app; nothing is read at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event

from parindex.lineage import UNIT_TYPES
from web import a11y, accounts, errors, formatting, inputs, sessions, workflow
from web.config import from_environment
from web.models import User, db
from web.roles import PANEL, ROLE_LABELS, STAFF

csrf = CSRFProtect()
login_manager = LoginManager()


#: what a page may load, submit to and be framed by: this site only, no inline script
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: pages never cached even without a session (log-in and log-out answers)
PRIVATE_ENDPOINTS = frozenset(
    {"auth.login", "auth.logout", "auth.change_password", "auth.second_step", "auth.two_factor"}
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = inputs.CleanRequest  # no control character reaches a view
    app.url_map.converters["int"] = inputs.IdConverter  # ids beyond a 32-bit integer: 404
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config = from_environment(app.instance_path)
    if test_config:
        config.update(test_config)
    app.config.update(config)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=app.config["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        MAX_CONTENT_LENGTH=int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_SAMESITE="Lax",
        # over HTTPS the cookie is bound to this host and path "/" (no sub-domain can set it)
        SESSION_COOKIE_NAME="__Host-session" if app.config["SESSION_COOKIE_SECURE"] else "session",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        PERMANENT_SESSION_LIFETIME=sessions.IDLE_LIFETIME,  # idle sessions end (web/sessions.py)
        SESSION_REFRESH_EACH_REQUEST=False,  # signed again every few minutes (sessions.keep_alive)
    )
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    _tune_sqlite(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "warning"

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        from flask import redirect, url_for

        if "/api/" in request.path or request.is_json:
            return errors.refusal(401, "Phiên đăng nhập đã hết; hãy đăng nhập lại.")
        from flask import flash

        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return sessions.load_user(user_id)  # through its server-side session row

    from web.agency import excel_routes as agency_excel
    from web.agency import plan_routes as agency_plan
    from web.agency import report_routes as agency_report
    from web.agency import routes as agency
    from web.appraisal import routes as appraisal
    from web.auth import routes as auth
    from web.notifications import routes as notifications
    from web.public import routes as public
    from web.secretariat import account_routes, plan_routes, publication, unit_routes
    from web.secretariat import routes as secretariat

    app.register_blueprint(auth.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(agency.bp)
    app.register_blueprint(agency_excel.bp)
    app.register_blueprint(agency_report.bp)
    app.register_blueprint(secretariat.bp)
    app.register_blueprint(appraisal.bp)
    app.register_blueprint(publication.bp)
    app.register_blueprint(account_routes.bp)
    app.register_blueprint(unit_routes.bp)
    app.register_blueprint(plan_routes.bp)
    app.register_blueprint(agency_plan.bp)
    notifications.init_app(app)  # its blueprint, the header's count, mail after a commit

    app.jinja_env.filters["so"] = formatting.number
    app.jinja_env.filters["phantram"] = formatting.percent
    app.jinja_env.filters["ngay"] = formatting.date
    app.jinja_env.filters["thoigian"] = formatting.datetime
    app.jinja_env.filters["hanchot"] = formatting.deadline
    app.jinja_env.filters["conlai"] = formatting.countdown
    app.jinja_env.filters["diem"] = formatting.points_text
    app.jinja_env.globals.update(ROLE_LABELS=ROLE_LABELS, STAFF=STAFF, PANEL=PANEL)
    app.jinja_env.globals.update(workflow=workflow, state_label=workflow.state_label)
    app.jinja_env.globals.update(UNIT_TYPES=UNIT_TYPES)
    app.jinja_env.globals.update(a11y.GLOBALS)

    errors.init_app(app)
    accounts.init_app(app)

    app.before_request(sessions.keep_alive)

    @app.after_request
    def security_headers(response: Any) -> Any:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # ``is_anonymous`` reads no column: after a commit ``is_authenticated`` would reload
        # the user (a query per saving request) only to choose a header
        if request.endpoint != "static" and (
            not current_user.is_anonymous or request.endpoint in PRIVATE_ENDPOINTS
        ):
            # a private page: a shared office computer's browser keeps no copy (nor "back")
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
            headers.pop("ETag", None)
            headers.pop("Last-Modified", None)
        return response

    return app


#: how long a SQLite writer waits for another one to finish before giving up (milliseconds)
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _tune_sqlite(app: Flask) -> None:
    """SQLite (the default database) for many officers at once: WAL journal, so readers never
    wait for a writer nor a writer for readers, and a busy timeout, so concurrent writers queue
    instead of failing with "database is locked". Every other setting stays SQLite's default
    (``synchronous=FULL``: a committed save survives a power cut). PostgreSQL needs none of it."""
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
