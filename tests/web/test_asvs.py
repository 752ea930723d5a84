"""OWASP ASVS 4.0.3, Level 1, chapters 2, 3, 4, 5, 8, 13 and 14: one case per requirement that
applies to this app and is not already tested elsewhere (the requirement id leads each case's
id). docs/web.md, "ASVS Level 1", lists every L1 requirement of these chapters: the test that
checks it (here or in another file) or why it does not apply."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.web.conftest import PASSWORD, REPO, csrf, login, post
from tests.web.livesite import live_server
from tests.web.test_agency import form_of
from web import create_app, sessions
from web.auth.routes import PASSWORD_MAX
from web.migrate import upgrade
from web.models import AuditEntry, Entry, LoginSession, User, db

NEW = "một câu mật khẩu đủ dài"  # 23 characters, Vietnamese, spaces, lowercase only


@dataclass
class Env:
    app: Flask
    cycle: dict[str, Any]
    tmp: Path

    def client(self, email: str = "") -> FlaskClient:
        c = self.app.test_client()
        if email:
            assert login(c, email).status_code == 302
        return c

    def secure_app(self) -> Flask:
        """The app as configured in production: Secure cookies, not testing, not debug."""
        app = create_app(
            {
                "SECRET_KEY": "x" * 32,
                "DATABASE_URL": f"sqlite:///{self.tmp / 'prod.db'}",
                "UPLOAD_FOLDER": str(self.tmp / "prod-uploads"),
            }
        )
        upgrade(app)
        return app


def _change(
    client: FlaskClient, new: str, current: str = PASSWORD, confirm: str | None = None
) -> Any:
    return post(
        client,
        "/doi-mat-khau",
        {"current": current, "new": new, "confirm": new if confirm is None else confirm},
    )


def _save_131(client: FlaskClient, extra: dict[str, str]) -> Any:
    """Save leaf 1.3.1 (yes-no) through field 1's own form, with ``extra`` fields."""
    values = form_of(client.get("/don-vi/linh-vuc/1").get_data(as_text=True)).values
    values["1.3.1-done"] = "1"
    return post(client, "/don-vi/linh-vuc/1", {**values, **extra})


def _logs_in(env: Env, password: str, email: str = "xa-a@thu.vn") -> bool:
    return login(env.app.test_client(), email, password).status_code == 302


# ====================================================================== V2 authentication
def v2_1_1(env: Env) -> None:
    c = env.client("xa-a@thu.vn")
    assert _change(c, "mười một k").status_code == 400  # 10 characters
    assert _change(c, "mười hai kýy").status_code == 302  # 12 characters
    assert _logs_in(env, "mười hai kýy")


def v2_1_2(env: Env) -> None:
    c = env.client("xa-a@thu.vn")
    long_one = "dài " * 32  # 128 characters
    assert len(long_one) == PASSWORD_MAX
    assert _change(c, long_one).status_code == 302
    assert _logs_in(env, long_one)
    assert _change(c, "x" + long_one, current=long_one).status_code == 400


def v2_1_3(env: Env) -> None:
    c = env.client("xa-a@thu.vn")
    password = "không cắt bớt mật khẩu " * 4  # 92 characters, beyond bcrypt's 72 bytes
    assert _change(c, password).status_code == 302
    assert not _logs_in(env, password[:72])
    assert not _logs_in(env, password[:-1])
    assert _logs_in(env, password)


def v2_1_4(env: Env) -> None:
    c = env.client("xa-a@thu.vn")
    password = "Mật khẩu 🙂 có dấu và ✓ ký hiệu"
    assert _change(c, password).status_code == 302
    assert _logs_in(env, password)


def v2_1_5_and_3_3_1(env: Env) -> None:
    """Users change their own password; the old one stops working and every other session of
    the account ends (the changing browser continues)."""
    c, other = env.client("xa-a@thu.vn"), env.client("xa-a@thu.vn")
    r = _change(c, NEW)
    assert r.status_code == 302
    assert c.get("/don-vi/").status_code == 200
    assert other.get("/don-vi/").status_code == 302
    assert not _logs_in(env, PASSWORD) and _logs_in(env, NEW)
    with env.app.app_context():
        rows = db.session.execute(db.select(AuditEntry).filter_by(new="đổi mật khẩu")).scalars()
        assert [r.old for r in rows] == [""]  # audited, without any password


def v2_1_6(env: Env) -> None:
    c = env.client("xa-a@thu.vn")
    assert _change(c, NEW, current="không phải mật khẩu").status_code == 400
    assert _logs_in(env, PASSWORD)


def v2_1_7(env: Env) -> None:
    c = env.client("xa-a@thu.vn")
    for common in ("password1234", "123456789012", "parindex-demo", "xa-a@thu.vn-1234"):
        assert _change(c, common).status_code == 400, common
    assert _logs_in(env, PASSWORD)


def v2_1_9(env: Env) -> None:
    """No composition rule: lowercase letters and spaces only are enough."""
    c = env.client("xa-a@thu.vn")
    assert _change(c, "chỉ chữ thường và khoảng trắng").status_code == 302


def v2_1_10(env: Env) -> None:
    """No forced rotation: a password set years ago still logs in."""
    import datetime as dt

    with env.app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="xa-a@thu.vn")).scalar_one()
        user.created_at = dt.datetime(2015, 1, 1)
        db.session.commit()
    assert _logs_in(env, PASSWORD)
    assert not any("expire" in c.name or "changed_at" in c.name for c in User.__table__.columns)


def v2_1_11(env: Env) -> None:
    """Paste and password managers: no script blocks paste, the fields say what they hold."""
    login_page = env.client().get("/dang-nhap").get_data(as_text=True)
    change_page = env.client("xa-a@thu.vn").get("/doi-mat-khau").get_data(as_text=True)
    for html in (login_page, change_page):
        assert "onpaste" not in html and "onPaste" not in html
    assert 'autocomplete="current-password"' in login_page
    assert change_page.count('autocomplete="new-password"') == 2
    js = (REPO / "web" / "static" / "form.js").read_text(encoding="utf-8")
    assert "paste" not in js


def v2_2_1(env: Env) -> None:
    """Brute force: the lock holds for every account, known or not, and the answer does not
    tell which exist (the lock itself and its concurrency: test_auth, test_concurrency)."""
    c = env.client()
    for email in ("xa-a@thu.vn", "khong-co-ai@thu.vn"):
        r = login(c, email, "sai")
        assert r.status_code == 401 and "Thư điện tử hoặc mật khẩu không đúng." in r.get_data(
            as_text=True
        )


def v2_3_1(env: Env) -> None:
    """Initial passwords (agency import): random from ``secrets``, 16 characters."""
    from web.secretariat import agency_import

    source = Path(agency_import.__file__).read_text(encoding="utf-8")
    assert "secrets.token_urlsafe(12)" in source  # 96 random bits, 16 characters
    assert "random." not in source


def v2_5_4(env: Env) -> None:
    """No default or shared account: a new database (production set-up) has no user; the demo
    accounts exist only in the demo database `parindex serve` creates."""
    app = env.secure_app()
    with app.app_context():
        assert db.session.execute(db.select(User)).first() is None


# ============================================================================ V3 sessions
def v3_1_1(env: Env) -> None:
    """The session token never appears in a URL: log-in redirects and page links carry none."""
    c = env.client()
    token = csrf(c, "/dang-nhap")
    r = c.post(
        "/dang-nhap", data={"email": "xa-a@thu.vn", "password": PASSWORD, "csrf_token": token}
    )
    cookie = c.get_cookie("session")
    assert cookie is not None
    html = c.get("/don-vi/").get_data(as_text=True)
    sid = _session_token(env, c)
    for text in (r.headers["Location"], *re.findall(r'(?:href|action)="([^"]*)"', html)):
        assert cookie.value not in text and sid not in text and "session" not in text


def _session_token(env: Env, c: FlaskClient) -> str:
    with c.session_transaction() as s:
        return str(s[sessions.KEY])


def v3_2_2(env: Env) -> None:
    """At least 64 bits of entropy: 32 random bytes; only their SHA-256 is stored."""
    c = env.client("xa-a@thu.vn")
    token = _session_token(env, c)
    assert len(token) >= 43  # token_urlsafe(32): 256 bits
    with env.app.app_context():
        stored = db.session.execute(db.select(LoginSession.token_sha256)).scalar_one()
    assert token not in stored


def v3_3_2(env: Env) -> None:
    """Re-authentication: at most 12 hours after log-in, 2 hours idle (the idle bound is the
    signed cookie's age, checked by the server)."""
    import datetime as dt

    assert sessions.ABSOLUTE_LIFETIME <= dt.timedelta(hours=12)
    assert env.app.permanent_session_lifetime == sessions.IDLE_LIFETIME <= dt.timedelta(hours=2)
    c = env.client("xa-a@thu.vn")
    with c.session_transaction() as s:
        assert s.permanent  # so the idle bound applies to it


def v3_4_1_to_3_4_4(env: Env) -> None:
    """The production cookie: Secure, HttpOnly, SameSite=Lax, named __Host-… (host-only, /)."""
    app = env.secure_app()
    with app.app_context():
        db.session.add(User(email="a@thu.vn", name="A", role="admin", password_hash=_hash()))
        db.session.commit()
    c = app.test_client()
    token = csrf(c, "/dang-nhap")
    r = c.post(
        "/dang-nhap",
        data={"email": "a@thu.vn", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
    )
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie, cookie
    assert "Domain=" not in cookie


def _hash() -> str:
    from tests.web.conftest import _HASH

    return _HASH


def v3_7_1(env: Env) -> None:
    """Changing the password needs the current one, even within a valid session."""
    c = env.client("xa-a@thu.vn")
    assert post(c, "/doi-mat-khau", {"new": NEW, "confirm": NEW}).status_code == 400
    assert _logs_in(env, PASSWORD)


# ======================================================================= V4 access control
def v4_1_5(env: Env) -> None:
    """An exception inside a view fails closed: a Vietnamese 500 page, nothing saved, no
    traceback, no debug console."""
    app = env.secure_app()

    @app.route("/thu-loi")
    def boom() -> str:
        db.session.add(Entry(submission_id=1, leaf="x", data={}))
        raise RuntimeError("lỗi thử")

    r = app.test_client().get("/thu-loi")
    html = r.get_data(as_text=True)
    assert r.status_code == 500 and "Lỗi hệ thống" in html
    assert "Traceback" not in html and "RuntimeError" not in html and "lỗi thử" not in html
    with app.app_context():
        assert db.session.execute(db.select(Entry)).first() is None


def v4_3_2(env: Env) -> None:
    """No directory listing, no repository metadata, no file outside static/."""
    c = env.client()
    for path in (
        "/static/",
        "/.git/config",
        "/.git/HEAD",
        "/static/../web/config.py",
        "/static/%2e%2e/web/config.py",
        "/instance/parindex.db",
        "/.env",
    ):
        assert c.get(path).status_code == 404, path


# ========================================================================== V5 validation
def v5_1_1(env: Env) -> None:
    """Parameter pollution: a repeated parameter is read once (the first), never a 500."""
    c = env.client()
    token = csrf(c, "/dang-nhap")
    r = c.post(
        "/dang-nhap",
        data=MultiDict(
            [
                ("email", "xa-a@thu.vn"),
                ("email", "sonoivu@thu.vn"),
                ("password", PASSWORD),
                ("password", "sai"),
                ("csrf_token", token),
            ]
        ),
    )
    assert r.status_code == 302 and r.headers["Location"] == "/don-vi/"


def v5_1_2(env: Env) -> None:
    """No mass assignment: fields the form does not have (state, agency, role) change nothing."""
    c = env.client("xa-a@thu.vn")
    r = _save_131(
        c,
        {
            "state": "approved",
            "agency_id": "2",
            "role": "admin",
            "submission_id": "2",
        },
    )
    assert r.status_code == 302
    with env.app.app_context():
        entry = db.session.execute(db.select(Entry).filter_by(leaf="1.3.1")).scalar_one()
        assert entry.submission.agency.code == "xa-a" and entry.submission.state == "draft"
        assert (
            db.session.execute(db.select(User.role).filter_by(email="xa-a@thu.vn")).scalar()
            == "agency"
        )


def v5_1_4(env: Env) -> None:
    """Ids are typed: a non-number or a number beyond 32 bits is a 404 (never a 500)."""
    c = env.client("thamdinh@thu.vn")
    for path in (
        "/tham-dinh/don-vi/abc",
        "/tham-dinh/don-vi/" + "9" * 30,
        "/tham-dinh/don-vi/-1",
        "/tham-dinh/don-vi/1.5",
        "/ket-qua/" + "9" * 30,
        "/ket-qua/2025/v" + "9" * 30,
    ):
        assert c.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "/\\/evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\t/evil.example/",
        "/%09/evil.example/",
        "\\\\evil.example",
    ],
)
def test_v5_1_5_redirect_targets_are_local_paths(
    app: Flask, cycle: dict[str, Any], target: str
) -> None:
    c = app.test_client()
    token = csrf(c, "/dang-nhap")
    r = c.post(
        "/dang-nhap",
        query_string={"next": target},
        data={"email": "xa-a@thu.vn", "password": PASSWORD, "csrf_token": token},
    )
    where = r.headers["Location"]
    assert r.status_code == 302 and where.startswith("/") and not where.startswith("//"), where
    assert urlsplit(where).netloc == "" and "\\" not in where, where
    # a raw tab (which browsers drop, making "//host") was read as a space: a path here
    assert where == "/don-vi/" or where.startswith(("/%20/", "/%09/")), where


def v5_1_5_local(env: Env) -> None:
    """A local target is followed (the log-in page's own ``next``)."""
    c = env.client()
    token = csrf(c, "/dang-nhap")
    r = c.post(
        "/dang-nhap?next=/don-vi/linh-vuc/2",
        data={"email": "xa-a@thu.vn", "password": PASSWORD, "csrf_token": token},
    )
    assert r.headers["Location"] == "/don-vi/linh-vuc/2"


def v5_2_4_5_3_8_5_5_3(env: Env) -> None:
    """No dynamic code, no shell, no unsafe deserialisation anywhere in web/."""
    banned = {"eval", "exec", "compile", "system", "popen", "loads", "load"}
    for path in (REPO / "web").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                owner = getattr(getattr(node.func, "value", None), "id", "")
                if name in ("eval", "exec") or (
                    owner in ("os", "pickle", "marshal") and name in banned
                ):
                    pytest.fail(f"{path}: {owner}.{name}")
                if any(k.arg == "shell" for k in node.keywords):
                    pytest.fail(f"{path}: shell=")
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not {"pickle", "marshal", "shelve"} & set(names), path


def v5_2_5_and_5_3_3(env: Env) -> None:
    """Template syntax and markup typed by a person are shown as text, never run."""
    c = env.client("xa-a@thu.vn")
    text = "{{ 7*7 }} <script>alert(1)</script> {% raw %}"
    assert _save_131(c, {"1.3.1-explanation": text}).status_code == 302
    html = c.get("/don-vi/linh-vuc/1").get_data(as_text=True)
    assert "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html and ">49<" not in html


def v5_2_6(env: Env) -> None:
    """No server-side request: the app never fetches a URL a person typed (evidence links are
    stored and shown only)."""
    for path in (REPO / "web").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for module in ("urllib.request", "requests", "http.client", "httpx", "urlopen"):
            assert f"import {module}" not in source and f"{module}." not in source, (path, module)


def v5_2_7(env: Env) -> None:
    """An SVG (scriptable) is refused as evidence."""
    c = env.client("xa-a@thu.vn")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    import io

    r = post(
        c,
        "/don-vi/tieu-chi/1.1.1/minh-chung",
        {"number": "1/KH", "title": "Kế hoạch", "file": (io.BytesIO(svg), "ke-hoach.svg")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    with env.app.app_context():
        from web.models import Evidence

        assert db.session.execute(db.select(Evidence)).first() is None


def v5_3_2_and_13_1_1(env: Env) -> None:
    """UTF-8 throughout: Vietnamese typed in NFC comes back unchanged, pages and JSON say so."""
    c = env.client("xa-a@thu.vn")
    assert _save_131(c, {"1.3.1-explanation": "Quyết định ủy quyền"}).status_code == 302
    r = c.get("/don-vi/linh-vuc/1")
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Quyết định ủy quyền" in r.get_data(as_text=True)
    api = c.post(
        "/don-vi/api/tinh-diem",
        data={"leaf": "1.3.1", "1.3.1-done": "1"},
        headers={"X-CSRFToken": csrf(c, "/don-vi/")},
    )
    assert api.headers["Content-Type"] == "application/json"


def v5_3_4(env: Env) -> None:
    """Queries are parameterised: SQL typed into a filter is a filter value."""
    c = env.client("xa-a@thu.vn")
    assert _save_131(c, {}).status_code == 302  # one audit row, for agency xa-a
    c = env.client("sonoivu@thu.vn")
    everything = c.get("/so-noi-vu/nhat-ky").get_data(as_text=True)
    assert "1.3.1" in everything
    r = c.get(
        "/so-noi-vu/nhat-ky",
        query_string={"agency": "' OR 1=1 --", "leaf": "x'; DROP TABLE audit; --"},
    )
    assert r.status_code == 200
    assert "&#39; OR 1=1 --" in r.get_data(as_text=True)  # shown back as the filter's text
    assert "1.3.1" not in r.get_data(as_text=True)  # it matched nothing: no "OR 1=1"
    with env.app.app_context():
        assert len(db.session.execute(db.select(AuditEntry)).all()) == 1  # the table is there


def v5_3_9(env: Env) -> None:
    """Files are read by id only; an uploaded name with a path is stored under a generated
    name."""
    import io

    c = env.client("xa-a@thu.vn")
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    r = post(
        c,
        "/don-vi/tieu-chi/1.1.1/minh-chung",
        {
            "number": "1/KH",
            "title": "Kế hoạch",
            "file": (io.BytesIO(pdf), "../../../etc/passwd.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    from web.models import Evidence

    with env.app.app_context():
        ev = db.session.execute(db.select(Evidence)).scalar_one()
        assert "/" not in ev.stored_name and ".." not in ev.stored_name
        assert "/" not in ev.original_name
    stored = list(Path(env.app.config["UPLOAD_FOLDER"]).iterdir())
    assert [p.name for p in stored] == [ev.stored_name]


def v5_5_4(env: Env) -> None:
    """The page's script reads JSON with the browser's parser, never eval."""
    js = (REPO / "web" / "static" / "form.js").read_text(encoding="utf-8")
    assert "eval(" not in js and "new Function" not in js and "innerHTML" not in js


# =================================================================== V8 data protection
PRIVATE_PAGES = {
    "xa-a@thu.vn": [
        "/don-vi/",
        "/don-vi/linh-vuc/1",
        "/don-vi/nop",
        "/don-vi/tieu-chi/1.1.1/minh-chung",
        "/don-vi/excel/mau",
        "/doi-mat-khau",
        "/",
    ],
    "sonoivu@thu.vn": [
        "/so-noi-vu/",
        "/so-noi-vu/ky/2025",
        "/so-noi-vu/ky/2025/tien-do",
        "/so-noi-vu/nhat-ky",
        "/so-noi-vu/nhat-ky.xlsx",
        "/tham-dinh/",
    ],
}


def v8_2_1(env: Env) -> None:
    """No private page is kept by the browser (no-store), nor the log-in and log-out answers."""
    for email, pages in PRIVATE_PAGES.items():
        c = env.client(email)
        for path in pages:
            r = c.get(path)
            assert r.status_code == 200, path
            assert r.headers.get("Cache-Control") == "no-store", path
            assert "ETag" not in r.headers and "Last-Modified" not in r.headers, path
    anon = env.client()
    assert anon.get("/dang-nhap").headers["Cache-Control"] == "no-store"
    with env.client().get("/static/style.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"


def v8_2_2(env: Env) -> None:
    """Nothing is kept in the browser's storage."""
    js = (REPO / "web" / "static" / "form.js").read_text(encoding="utf-8")
    assert "localStorage" not in js and "sessionStorage" not in js and "indexedDB" not in js
    assert "document.cookie" not in js


def v8_2_3(env: Env) -> None:
    """Log-out tells the browser to drop its cache and storage for the site."""
    c = env.client("xa-a@thu.vn")
    r = post(c, "/dang-xuat")
    assert r.headers["Clear-Site-Data"] == '"cache", "storage"'


def v8_3_1(env: Env) -> None:
    """Credentials travel in the body: the log-in and password forms are POST, and no GET
    reads a password."""
    for html in (
        env.client().get("/dang-nhap").get_data(as_text=True),
        env.client("xa-a@thu.vn").get("/doi-mat-khau").get_data(as_text=True),
    ):
        assert re.search(r'<form method="post"[^>]*class="card narrow"', html)
    c = env.client()
    r = c.get("/dang-nhap", query_string={"email": "xa-a@thu.vn", "password": PASSWORD})
    assert r.status_code == 200
    assert c.get("/don-vi/").status_code == 302  # a GET with credentials logs nobody in


# ========================================================================= V13 API
def v13_2_1_and_14_5_1(env: Env) -> None:
    """Only the methods a route uses: others are a Vietnamese 405."""
    c = env.client("xa-a@thu.vn")
    for method, path in (
        ("GET", "/dang-xuat"),
        ("PUT", "/don-vi/linh-vuc/1"),
        ("DELETE", "/don-vi/minh-chung/1/xoa"),
        ("TRACE", "/"),
        ("GET", "/don-vi/api/tinh-diem"),
        ("PATCH", "/dang-nhap"),
    ):
        r = c.open(path, method=method)
        assert r.status_code == 405, (method, path, r.status_code)
        said = r.get_json()["error"]["message"] if r.is_json else r.get_data(as_text=True)
        assert "Phương thức không được hỗ trợ" in said


# ================================================================= V14 configuration
def v14_2_2_and_14_3_2(env: Env) -> None:
    """Production settings: not debug, not testing, no debugger route, no sample data."""
    app = env.secure_app()
    assert not app.debug and not app.testing and not app.config["PROPAGATE_EXCEPTIONS"]
    c = app.test_client()
    assert c.get("/console").status_code == 404
    assert c.get("/?__debugger__=yes&cmd=resource&f=style.css").status_code == 200
    assert "__debugger__" not in c.get("/?__debugger__=yes").get_data(as_text=True)


def v14_2_3(env: Env) -> None:
    """No asset from another site (so no subresource integrity to check)."""
    for template in (REPO / "web" / "templates").rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), template


def v14_3_3(env: Env) -> None:
    """No version in the headers of a real server's answer."""
    requests = pytest.importorskip("requests")
    with live_server(env.app) as url:
        with requests.Session() as s:
            r = s.get(url + "/dang-nhap")
    assert "X-Powered-By" not in r.headers
    server = r.headers.get("Server", "")
    assert not re.search(r"\d", server), server


def v14_4_1(env: Env) -> None:
    """Every answer says its type and, for text, its charset."""
    c = env.client("sonoivu@thu.vn")
    for path in ("/", "/dang-nhap", "/so-noi-vu/", "/khong-co-trang", "/static/style.css"):
        with c.get(path) as r:
            kind = r.headers["Content-Type"]
        assert "charset=utf-8" in kind, (path, kind)
    xlsx = c.get("/so-noi-vu/nhat-ky.xlsx").headers["Content-Type"]
    assert xlsx.startswith("application/vnd.openxmlformats")


def v14_4_2(env: Env) -> None:
    """Downloads are attachments (not rendered by the browser)."""
    c = env.client("sonoivu@thu.vn")
    assert c.get("/so-noi-vu/nhat-ky.xlsx").headers["Content-Disposition"].startswith("attachment")
    c = env.client("xa-a@thu.vn")
    assert c.get("/don-vi/excel/mau").headers["Content-Disposition"].startswith("attachment")


def v14_4_3_to_14_4_7(env: Env) -> None:
    """CSP (no inline script, no plugin, no foreign form target, no framing), nosniff,
    Referrer-Policy, X-Frame-Options on every page, HSTS over HTTPS."""
    c = env.client("xa-a@thu.vn")
    for path in ("/", "/don-vi/linh-vuc/1", "/khong-co-trang"):
        h = c.get(path).headers
        csp = h["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ):
            assert directive in csp, (path, directive)
        assert (
            "script-src" not in csp
            or "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        )
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        assert h["X-Frame-Options"] == "DENY"
    prod = env.secure_app().test_client().get("/", base_url="https://localhost")
    assert prod.headers["Strict-Transport-Security"].startswith("max-age=")


def v14_5_2_and_14_5_3(env: Env) -> None:
    """No cross-origin access: an Origin header grants nothing and no CORS header is sent."""
    c = env.client("xa-a@thu.vn")
    r = c.get("/don-vi/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers
    anon = env.client()
    r = anon.get("/don-vi/", headers={"Origin": "http://localhost"})
    assert r.status_code == 302  # the Origin is no credential
    for path in (REPO / "web").rglob("*.py"):
        assert "Access-Control-Allow" not in path.read_text(encoding="utf-8"), path


CASES: dict[str, Callable[[Env], None]] = {
    "V2.1.1-password-at-least-12": v2_1_1,
    "V2.1.2-password-up-to-128": v2_1_2,
    "V2.1.3-no-truncation": v2_1_3,
    "V2.1.4-any-unicode": v2_1_4,
    "V2.1.5-V3.3.1-change-password-ends-sessions": v2_1_5_and_3_3_1,
    "V2.1.6-current-password-needed": v2_1_6,
    "V2.1.7-common-passwords-refused": v2_1_7,
    "V2.1.9-no-composition-rules": v2_1_9,
    "V2.1.10-no-rotation": v2_1_10,
    "V2.1.11-paste-and-managers": v2_1_11,
    "V2.2.1-same-answer-for-unknown-accounts": v2_2_1,
    "V2.3.1-random-initial-passwords": v2_3_1,
    "V2.5.4-no-default-accounts": v2_5_4,
    "V3.1.1-no-token-in-urls": v3_1_1,
    "V3.2.2-token-entropy": v3_2_2,
    "V3.3.2-re-authentication": v3_3_2,
    "V3.4.1-V3.4.4-cookie-attributes": v3_4_1_to_3_4_4,
    "V3.7.1-password-change-reauthenticates": v3_7_1,
    "V4.1.5-fail-closed": v4_1_5,
    "V4.3.2-no-listing-no-metadata": v4_3_2,
    "V5.1.1-parameter-pollution": v5_1_1,
    "V5.1.2-no-mass-assignment": v5_1_2,
    "V5.1.4-typed-ids": v5_1_4,
    "V5.1.5-local-redirect-followed": v5_1_5_local,
    "V5.2.4-V5.3.8-V5.5.3-no-eval-shell-pickle": v5_2_4_5_3_8_5_5_3,
    "V5.2.5-V5.3.3-no-template-injection-no-xss": v5_2_5_and_5_3_3,
    "V5.2.6-no-ssrf": v5_2_6,
    "V5.2.7-no-svg": v5_2_7,
    "V5.3.2-V13.1.1-utf-8": v5_3_2_and_13_1_1,
    "V5.3.4-parameterised-queries": v5_3_4,
    "V5.3.9-no-file-inclusion": v5_3_9,
    "V5.5.4-no-eval-in-the-browser": v5_5_4,
    "V8.2.1-no-store": v8_2_1,
    "V8.2.2-no-browser-storage": v8_2_2,
    "V8.2.3-clear-site-data-on-log-out": v8_2_3,
    "V8.3.1-credentials-in-the-body": v8_3_1,
    "V13.2.1-V14.5.1-methods": v13_2_1_and_14_5_1,
    "V14.2.2-V14.3.2-no-debug": v14_2_2_and_14_3_2,
    "V14.2.3-no-foreign-assets": v14_2_3,
    "V14.3.3-no-server-version": v14_3_3,
    "V14.4.1-content-type-charset": v14_4_1,
    "V14.4.2-attachments": v14_4_2,
    "V14.4.3-V14.4.7-headers": v14_4_3_to_14_4_7,
    "V14.5.2-V14.5.3-no-cors": v14_5_2_and_14_5_3,
}


@pytest.mark.parametrize("requirement", list(CASES))
def test_asvs(app: Flask, cycle: dict[str, Any], tmp_path: Path, requirement: str) -> None:
    CASES[requirement](Env(app, cycle, tmp_path))
