"""`parindex serve`, `backup` and `restore` on bad input: a port in use, a database URL that
cannot work, a missing folder, a file that is not a backup… Each case is one defect, refused
with exit code 1 and one located Vietnamese sentence (code, location), never a traceback.
Then the backup's reason to exist: a round trip taken while the app holds the database open in
WAL mode, where copying ``parindex.db`` alone loses the latest saves."""

from __future__ import annotations

import contextlib
import errno
import shutil
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from werkzeug.security import generate_password_hash

import web.cli
from parindex.errors import message
from tests.vietnamese import assert_vietnamese
from web import create_app
from web.cli import cli
from web.migrate import upgrade
from web.models import User, db


@pytest.fixture(autouse=True)
def _quiet_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No DATABASE_URL from the machine; uploads in the test's folder."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another program listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


def _make_app(path: Path) -> Flask:
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "tests-only"})
    upgrade(app)
    return app


def _add_users(app: Flask, names: list[str]) -> None:
    with app.app_context():
        for name in names:
            db.session.add(
                User(email=f"{name}@tinhmau.gov.vn", name=name, password_hash="x", role="admin")
            )
        db.session.commit()


@pytest.fixture
def live_db(tmp_path: Path) -> Path:
    """A parindex database (schema and one account), closed."""
    path = tmp_path / "live.db"
    app = _make_app(path)
    _add_users(app, ["a"])
    with app.app_context():
        db.engine.dispose()
    return path


@dataclass(frozen=True)
class Case:
    id: str
    args: Callable[[Path, dict[str, Any]], list[str]]
    code: str
    location: Callable[[Path], str]
    input: str | None = None


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _text_file(tmp: Path) -> Path:
    path = tmp / "ghi-chu.db"
    path.write_text("không phải CSDL\n", encoding="utf-8")
    return path


def _other_sqlite(tmp: Path) -> Path:
    path = tmp / "khac.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    return path


def _truncated_backup(tmp: Path, live: Path) -> Path:
    path = tmp / "hong.db"
    path.write_bytes(live.read_bytes()[:6000])
    return path


PG = "postgresql://parindex:bi-mat@127.0.0.1:1/parindex"

CASES = [
    # serve
    Case(
        "port-in-use",
        lambda t, f: ["serve", "--port", str(f["port"]), "--database", sqlite_url(t / "a.db")],
        "port-in-use",
        lambda t: "--port",
    ),
    Case(
        "port-too-large",
        lambda t, f: ["serve", "--port", "70000", "--database", sqlite_url(t / "a.db")],
        "port-out-of-range",
        lambda t: "--port",
    ),
    Case(
        "port-zero",
        lambda t, f: ["serve", "--port", "0", "--database", sqlite_url(t / "a.db")],
        "port-out-of-range",
        lambda t: "--port",
    ),
    Case(
        "host-not-resolving",
        lambda t, f: ["serve", "--host", "khong-co.invalid", "--database", sqlite_url(t / "a.db")],
        "host-unavailable",
        lambda t: "--host",
    ),
    Case(
        "host-not-on-this-machine",
        lambda t, f: ["serve", "--host", "192.0.2.1", "--database", sqlite_url(t / "a.db")],
        "host-unavailable",
        lambda t: "--host",
    ),
    Case(
        "url-not-a-url",
        lambda t, f: ["serve", "--database", "::parindex.db"],
        "database-url-invalid",
        lambda t: "--database",
    ),
    Case(
        "url-mysql",
        lambda t, f: ["serve", "--database", "mysql://u@127.0.0.1/parindex"],
        "database-kind-unknown",
        lambda t: "--database",
    ),
    Case(
        "url-unknown-scheme",
        lambda t, f: ["serve", "--database", "oracle2://u@127.0.0.1/parindex"],
        "database-kind-unknown",
        lambda t: "--database",
    ),
    Case(
        "url-driver-not-installed",
        lambda t, f: ["serve", "--database", "postgresql+pg8000://u@127.0.0.1/parindex"],
        "database-driver-missing",
        lambda t: "--database",
    ),
    Case(
        "sqlite-folder-missing",
        lambda t, f: ["serve", "--database", sqlite_url(t / "chua-tao" / "parindex.db")],
        "database-folder-missing",
        lambda t: "--database",
    ),
    Case(
        "sqlite-path-is-a-folder",
        lambda t, f: ["serve", "--database", sqlite_url(t)],
        "database-not-sqlite",
        lambda t: "--database",
    ),
    Case(
        "sqlite-file-is-text",
        lambda t, f: ["serve", "--database", sqlite_url(_text_file(t))],
        "database-not-sqlite",
        lambda t: "--database",
    ),
    Case(
        "postgresql-unreachable",
        lambda t, f: ["serve", "--database", PG],
        "database-unreachable",
        lambda t: "--database",
    ),
    # backup
    Case(
        "backup-exists",
        lambda t, f: ["backup", str(_text_file(t)), "--database", sqlite_url(f["live"])],
        "backup-exists",
        lambda t: str(t / "ghi-chu.db"),
    ),
    Case(
        "backup-folder-missing",
        lambda t, f: ["backup", str(t / "khong-co" / "b.db"), "--database", sqlite_url(f["live"])],
        "backup-folder-missing",
        lambda t: str(t / "khong-co" / "b.db"),
    ),
    Case(
        "backup-is-folder",
        lambda t, f: ["backup", str(t), "--database", sqlite_url(f["live"])],
        "backup-is-folder",
        lambda t: str(t),
    ),
    Case(
        "backup-onto-itself",
        lambda t, f: ["backup", str(f["live"]), "--yes", "--database", sqlite_url(f["live"])],
        "backup-onto-database",
        lambda t: str(t / "live.db"),
    ),
    Case(
        "backup-no-database-yet",
        lambda t, f: ["backup", str(t / "b.db"), "--database", sqlite_url(t / "chua-co.db")],
        "backup-source-missing",
        lambda t: str(t / "chua-co.db"),
    ),
    Case(
        "backup-database-of-another-program",
        lambda t, f: ["backup", str(t / "b.db"), "--database", sqlite_url(_other_sqlite(t))],
        "backup-source-not-parindex",
        lambda t: str(t / "khac.db"),
    ),
    Case(
        "backup-postgresql",
        lambda t, f: ["backup", str(t / "b.db"), "--database", PG],
        "backup-postgresql",
        lambda t: "--database",
    ),
    # restore
    Case(
        "restore-missing-file",
        lambda t, f: ["restore", str(t / "khong-co.db"), "--database", sqlite_url(f["live"])],
        "file-not-found",
        lambda t: str(t / "khong-co.db"),
    ),
    Case(
        "restore-text-file",
        lambda t, f: ["restore", str(_text_file(t)), "--yes", "--database", sqlite_url(f["live"])],
        "restore-not-parindex",
        lambda t: str(t / "ghi-chu.db"),
    ),
    Case(
        "restore-database-of-another-program",
        lambda t, f: [
            "restore",
            str(_other_sqlite(t)),
            "--yes",
            "--database",
            sqlite_url(f["live"]),
        ],
        "restore-not-parindex",
        lambda t: str(t / "khac.db"),
    ),
    Case(
        "restore-truncated-backup",
        lambda t, f: [
            "restore",
            str(_truncated_backup(t, f["live"])),
            "--yes",
            "--database",
            sqlite_url(f["live"]),
        ],
        "restore-not-parindex",
        lambda t: str(t / "hong.db"),
    ),
    Case(
        "restore-no-one-to-confirm",
        lambda t, f: ["restore", str(f["live"]), "--database", sqlite_url(t / "moi.db")],
        "restore-needs-yes",
        lambda t: "--database",
        input="",
    ),
    Case(
        "restore-answered-no",
        lambda t, f: ["restore", str(f["live"]), "--database", sqlite_url(t / "moi.db")],
        "restore-cancelled",
        lambda t: "--database",
        input="n\n",
    ),
    Case(
        "restore-target-folder-missing",
        lambda t, f: [
            "restore",
            str(f["live"]),
            "--yes",
            "--database",
            sqlite_url(t / "x" / "p.db"),
        ],
        "database-folder-missing",
        lambda t: "--database",
    ),
    Case(
        "restore-postgresql",
        lambda t, f: ["restore", str(f["live"]), "--database", PG],
        "restore-postgresql",
        lambda t: "--database",
    ),
]


def refusal(result: Any) -> tuple[str, str, str]:
    """(location, message, code) of the one line a refusal prints on standard error."""
    [line] = [ln for ln in result.stderr.splitlines() if ln.strip()]
    where, _, rest = line.partition(": ")
    text, _, code = rest.rpartition(" [")
    return where, text, code.rstrip("]")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_located_vietnamese_sentence(
    case: Case, tmp_path: Path, busy_port: int, live_db: Path
) -> None:
    args = case.args(tmp_path, {"port": busy_port, "live": live_db})
    result = CliRunner().invoke(cli, args, input=case.input)
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output
    where, text, code = refusal(result)
    assert (code, where) == (case.code, case.location(tmp_path))
    assert_vietnamese(text)


def test_a_postgresql_url_without_a_driver_means_psycopg2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy 2.1 reads `postgresql://` as psycopg 3; parindex is tested with psycopg2,
    so it reads it as `postgresql+psycopg2://`, and says what to install when that is missing."""
    result = CliRunner().invoke(cli, ["serve", "--database", PG])
    where, text, code = refusal(result)
    assert (code, where) == ("database-unreachable", "--database")
    assert "“postgresql+psycopg2://parindex:***@127.0.0.1:1/parindex”" in text  # password hidden
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # as on a machine without it
    result = CliRunner().invoke(cli, ["serve", "--database", PG.replace("postgresql", "postgres")])
    where, text, code = refusal(result)
    assert (code, where) == ("database-driver-missing", "--database")
    assert "“psycopg2”" in text and "pip install 'parindex[postgres]'" in text
    assert_vietnamese(text)


def test_a_bad_database_url_from_the_environment_is_located_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://u@127.0.0.1/parindex")
    result = CliRunner().invoke(cli, ["serve"])
    assert refusal(result)[::2] == ("DATABASE_URL", "database-kind-unknown")


def test_a_port_the_user_may_not_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ports below 1024 need root (these tests may run as root, so the refusal is simulated)."""

    def refused(*args: Any, **kw: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(web.cli, "create_server", refused)
    args = ["serve", "--port", "80", "--database", sqlite_url(tmp_path / "a.db")]
    result = CliRunner().invoke(cli, args)
    where, text, code = refusal(result)
    assert (code, where) == ("port-not-allowed", "--port")
    assert text == message("port-not-allowed", value=80)
    assert_vietnamese(text)


def test_the_port_is_refused_before_the_database_is_touched(tmp_path: Path, busy_port: int) -> None:
    db_path = tmp_path / "a.db"
    args = ["serve", "--port", str(busy_port), "--database", sqlite_url(db_path)]
    CliRunner().invoke(cli, args)
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


# --- the round trip ---------------------------------------------------------------------------


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as SQLite reads the database (with its WAL)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}


def _emails(path: Path) -> list[str]:
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            return sorted(r[0] for r in conn.execute("SELECT email FROM users"))
    except sqlite3.DatabaseError:
        return []


def test_backup_while_the_app_writes_in_wal_mode_then_restore(tmp_path: Path) -> None:
    live = tmp_path / "parindex.db"
    app = _make_app(live)
    _add_users(app, ["a", "b"])
    # the running app: its connection stays open, so the saves below stay in parindex.db-wal
    holder = sqlite3.connect(live)
    holder.execute("PRAGMA wal_autocheckpoint=0")
    holder.execute("SELECT count(*) FROM users").fetchone()
    _add_users(app, ["c", "d"])
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="a@tinhmau.gov.vn")).scalar_one()
        user.password_hash = generate_password_hash("doi-mat-khau")
        db.session.commit()
    assert (tmp_path / "parindex.db-wal").stat().st_size > 0
    naive = tmp_path / "chep-tay.db"
    shutil.copyfile(live, naive)  # what copying the one file gives: the latest saves are lost
    assert _emails(naive) != [f"{n}@tinhmau.gov.vn" for n in "abcd"]
    before = _rows(live)
    assert _emails(live) == [f"{n}@tinhmau.gov.vn" for n in "abcd"]

    out = tmp_path / "sao-luu" / "parindex-2025-12-02.db"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["backup", str(out), "--database", sqlite_url(live)])
    assert result.exit_code == 0, result.output
    assert f"Đã sao lưu CSDL {live} vào {out}" in result.output
    assert "tệp minh chứng" in result.output
    assert not Path(str(out) + "-wal").exists()  # one self-contained file
    assert _rows(out) == before

    # the data changes after the backup; the app stops; the backup is put back
    _add_users(app, ["e"])
    with app.app_context():
        db.session.execute(db.delete(User).where(User.email == "b@tinhmau.gov.vn"))
        db.session.commit()
        db.engine.dispose()
    holder.close()
    assert _rows(live) != before
    result = CliRunner().invoke(
        cli, ["restore", str(out), "--database", sqlite_url(live)], input="y\n"
    )
    assert result.exit_code == 0, result.output
    assert f"Đã phục hồi CSDL {live} từ {out}" in result.output
    assert _rows(live) == before
    # the restored database opens in the app as before
    again = _make_app(live)
    with again.app_context():
        assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 4
        db.engine.dispose()


def test_restore_into_a_new_file_and_backup_overwrite_with_yes(
    tmp_path: Path, live_db: Path
) -> None:
    out = tmp_path / "b.db"
    out.write_bytes(b"")
    result = CliRunner().invoke(
        cli, ["backup", str(out), "--yes", "--database", sqlite_url(live_db)]
    )
    assert result.exit_code == 0, result.output
    new = tmp_path / "moi.db"
    result = CliRunner().invoke(cli, ["restore", str(out), "--yes", "--database", sqlite_url(new)])
    assert result.exit_code == 0, result.output
    assert _rows(new) == _rows(live_db)


def test_ctrl_c_stops_the_server_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[bool] = []

    class Interrupted:
        def run(self) -> None:
            raise KeyboardInterrupt

        def close(self) -> None:
            closed.append(True)

    monkeypatch.setattr(web.cli, "create_server", lambda app, **kw: Interrupted())
    args = ["serve", "--port", "5097", "--database", sqlite_url(tmp_path / "a.db")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("Đã dừng ứng dụng web.") and closed == [True]
    assert "Traceback" not in result.output
