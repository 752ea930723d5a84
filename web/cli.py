"""The web app's commands. `parindex serve` is this module's :func:`serve` (and `remind` its
:func:`remind`, the deadline reminders and the e-mail outbox, run by cron), registered under the
entry point group ``parindex.commands`` (pyproject.toml), so that parindex imports nothing of
the web app; ``python3 -m web serve`` runs the same command without the installed entry point."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from waitress import create_server

from parindex.dataset import default_root
from parindex.errors import DataError, Issue, Location
from web import create_app, mailer, notify
from web.backup import (
    PG_DUMP,
    PG_RESTORE,
    backup_sqlite,
    check_parindex_file,
    first_line,
    restore_sqlite,
)
from web.demo import seed_demo
from web.migrate import upgrade
from web.models import db, vn_now

#: database back-ends the app is written and tested for
BACKENDS = ("sqlite", "postgresql")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """parindex — ứng dụng web."""


def _refuse(code: str, location: Location, **params: Any) -> DataError:
    return DataError([Issue.make(code, location, **params)])


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """A refusal is printed as one located Vietnamese sentence per issue, exit code 1."""
    try:
        yield
    except DataError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        sys.exit(1)


def check_database_url(raw: str, where: Location) -> str:
    """The URL as SQLAlchemy will use it, refused with a located issue when parindex cannot
    open it: not a URL, a back-end other than SQLite or PostgreSQL, a Python driver that is not
    installed. ``postgresql://`` with no driver name (and ``postgres://``, as some hosts print
    it) means psycopg2, the driver parindex is tested with (``pip install 'parindex[postgres]'``),
    where SQLAlchemy 2.1 would pick psycopg 3."""
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise _refuse("database-url-invalid", where, value=raw) from exc
    if url.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3
        url = url.set(drivername="postgresql+psycopg2")
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError as exc:
        raise _refuse("database-kind-unknown", where, value=url.drivername) from exc
    if url.get_backend_name() not in BACKENDS:
        raise _refuse("database-kind-unknown", where, value=url.drivername)
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise _refuse("database-driver-missing", where, value=exc.name or url.drivername) from exc
    return url.render_as_string(hide_password=False)


def open_app(database: str | None, *, connect: bool = True) -> tuple[Flask, URL, Location]:
    """The app on the database of ``--database``, else ``DATABASE_URL``, else the SQLite file in
    the instance folder: checked and (``connect``) connected to, or refused with one located
    issue. backup and restore do not connect: connecting creates a missing SQLite file."""
    raw: str | None
    if database:
        raw, where = database, Location(path="--database")
    else:
        raw, where = os.environ.get("DATABASE_URL") or None, Location(path="DATABASE_URL")
    # plain HTTP on this machine; the demo's staff accounts need no second factor (a shared,
    # printed password for trying the app: docs/web.md)
    config: dict[str, Any] = {"SESSION_COOKIE_SECURE": False, "STAFF_SECOND_FACTOR": False}
    if raw:
        config["DATABASE_URL"] = check_database_url(raw, where)
    app = create_app(config)
    with app.app_context():
        url = db.engine.url  # a relative SQLite path made absolute (instance folder)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.parent.is_dir():
            raise _refuse("database-folder-missing", where, value=str(path.parent))
        if path.is_dir():
            raise _refuse("database-not-sqlite", where, value=str(path))
    if not connect:
        return app, url, where
    try:
        with app.app_context(), db.engine.connect():
            pass
    except DatabaseError as exc:
        if url.get_backend_name() == "sqlite" and not isinstance(exc, OperationalError):
            raise _refuse("database-not-sqlite", where, value=url.database) from exc
        raise _unreachable(url, where, exc) from exc
    return app, url, where


def _unreachable(url: URL, where: Location, exc: DatabaseError) -> DataError:
    return _refuse(
        "database-unreachable",
        where,
        value=url.render_as_string(hide_password=True),
        detail=first_line(exc.orig),
    )


def _bind(app: Flask, host: str, port: int) -> Any:
    """waitress's server listening on ``host:port``, or a located refusal (port in use, a port
    below 1024 without the right, an address this machine does not have). The address is tried
    first with a socket of our own, closed at once: waitress leaves its socket open when binding
    fails."""
    if not 1 <= port <= 65535:
        raise _refuse("port-out-of-range", Location(path="--port"), value=port)
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in addresses:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
                probe.bind(address)
        return create_server(app, host=host, port=port, threads=8)
    except OSError as exc:  # socket.gaierror (a name that does not resolve) included
        if exc.errno == errno.EADDRINUSE:
            raise _refuse("port-in-use", Location(path="--port"), value=port) from exc
        if exc.errno == errno.EACCES:
            raise _refuse("port-not-allowed", Location(path="--port"), value=port) from exc
        raise _refuse("host-unavailable", Location(path="--host"), value=host) from exc
    except ValueError as exc:  # waitress: a host it cannot use
        raise _refuse("host-unavailable", Location(path="--host"), value=host) from exc


DATABASE_OPTION = click.option(
    "--database",
    default=None,
    help="URL CSDL (mặc định: biến DATABASE_URL, hoặc tệp SQLite trong thư mục instance/).",
)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe.")
@click.option("--port", default=5000, show_default=True, type=int, help="Cổng.")
@DATABASE_OPTION
def serve(host: str, port: int, database: str | None) -> None:
    """Chạy ứng dụng web trên tỉnh mẫu, in các tài khoản dùng thử."""
    with _refusals():
        app, url, where = open_app(database)
        server = _bind(app, host, port)
        try:
            upgrade(app)
            with app.app_context():
                accounts = seed_demo(default_root())
        except DatabaseError as exc:
            server.close()
            raise _unreachable(url, where, exc) from exc
    click.echo(f"CSDL: {url.render_as_string(hide_password=True)}")
    if accounts:
        click.echo("Tài khoản dùng thử (DỮ LIỆU MẪU), mật khẩu chung: " + accounts[0][2])
        for email, role, _ in accounts[:3]:
            click.echo(f"  {role:12} {email}")
        agencies = [a for a in accounts if a[1] == "agency"]
        click.echo(
            f"  agency       {agencies[0][0]} … ({len(agencies)} đơn vị: <mã đơn vị>"
            "@tinhmau.gov.vn)"
        )
    else:
        click.echo("CSDL đã có dữ liệu; dùng các tài khoản đã tạo (mật khẩu mẫu: parindex-demo).")
    click.echo(f"Mở http://{host}:{port}/ — Ctrl+C để dừng.")
    try:
        server.run()  # returns on Ctrl+C (waitress catches the first one itself)
    except KeyboardInterrupt:  # a Ctrl+C that reaches us: the way to stop, not an error
        pass
    finally:
        server.close()
    click.echo("Đã dừng ứng dụng web.")


@cli.command()
@click.argument("file")
@DATABASE_OPTION
@click.option("--yes", is_flag=True, help="Ghi đè tệp sao lưu đã có.")
def backup(file: str, database: str | None, yes: bool) -> None:
    """Sao lưu CSDL SQLite ngay cả khi ứng dụng web đang chạy (PostgreSQL: dùng pg_dump)."""
    out = Path(file)
    with _refusals():
        app, url, where = open_app(database, connect=False)
        if url.get_backend_name() != "sqlite":
            # PostgreSQL's tools read libpq's URL: no "+driver"
            shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
            raise _refuse("backup-postgresql", where, detail=PG_DUMP.replace("<URL>", shown))
        backup_sqlite(Path(str(url.database)), out, overwrite=yes)
    click.echo(f"Đã sao lưu CSDL {url.database} vào {out} ({out.stat().st_size:,} byte).")
    click.echo(
        "Các tệp minh chứng nằm riêng trong thư mục "
        f"{app.config['UPLOAD_FOLDER']}: hãy sao chép cả thư mục đó."
    )


@cli.command()
@click.argument("file")
@DATABASE_OPTION
@click.option("--yes", is_flag=True, help="Không hỏi lại trước khi thay toàn bộ dữ liệu.")
def restore(file: str, database: str | None, yes: bool) -> None:
    """Phục hồi CSDL SQLite từ một bản sao lưu của parindex backup (PostgreSQL: dùng pg_restore)."""
    source = Path(file)
    with _refusals():
        app, url, where = open_app(database, connect=False)
        if url.get_backend_name() != "sqlite":
            # PostgreSQL's tools read libpq's URL: no "+driver"
            shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
            raise _refuse("restore-postgresql", where, detail=PG_RESTORE.replace("<URL>", shown))
        check_parindex_file(source)
        target = Path(str(url.database))
        if not yes:
            question = f"Thay toàn bộ dữ liệu trong {target} bằng bản sao lưu {source}?"
            try:
                agreed = click.confirm(question, default=False)
            except click.exceptions.Abort as exc:  # no one to answer (no terminal, Ctrl+D)
                raise _refuse("restore-needs-yes", where, value=str(target)) from exc
            if not agreed:
                raise _refuse("restore-cancelled", where)
        restore_sqlite(source, target)
        upgrade(app)  # a backup from an older version gets the current schema
    click.echo(f"Đã phục hồi CSDL {target} từ {source}.")


@cli.command()
@DATABASE_OPTION
@click.option(
    "--days",
    default=None,
    help="Nhắc trước hạn bao nhiêu ngày, ví dụ 7,3,1 (mặc định: biến REMINDER_DAYS).",
)
def remind(database: str | None, days: str | None) -> None:
    """Gửi thư nhắc hạn (tự đánh giá, giải trình) và các thư thông báo còn chờ trong hàng đợi.

    Chạy định kỳ (cron, systemd timer); chạy lại không gửi trùng: mỗi lần nhắc chỉ ghi một lần
    cho mỗi tài khoản, thư chưa gửi được (máy chủ thư lỗi) được gửi lại ở lần chạy sau."""
    with _refusals():
        app, url, where = open_app(database)
        raw = days if days is not None else str(app.config["REMINDER_DAYS"])
        try:
            wanted = notify.reminder_days(raw)
        except ValueError as exc:
            path = "--days" if days is not None else "REMINDER_DAYS"
            raise _refuse("reminder-days-invalid", Location(path=path), value=str(exc)) from exc
        try:
            upgrade(app)
            with app.app_context():
                try:
                    written = notify.remind(wanted, vn_now())
                    db.session.commit()
                except IntegrityError:  # another run wrote the same reminders meanwhile
                    db.session.rollback()
                    written = 0
                done = mailer.flush(db.engine, app.config)
                left = mailer.waiting(db.engine)
        except DatabaseError as exc:
            raise _unreachable(url, where, exc) from exc
    click.echo(f"Đã ghi {written} thông báo nhắc hạn.")
    if not done.configured:
        click.echo(
            f"Chưa đặt máy chủ thư (SMTP_HOST): không gửi thư; {left} thư đang chờ trong hàng đợi."
        )
        return
    click.echo(f"Đã gửi {done.sent} thư; {left} thư đang chờ trong hàng đợi.")
    if done.failed:
        click.echo(
            f"Chưa gửi được {done.failed} thư: {done.error} Lần chạy sau sẽ gửi lại.", err=True
        )
        sys.exit(1)
