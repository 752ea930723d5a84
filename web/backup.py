"""A running app's SQLite database copied whole, and put back: ``parindex backup`` / ``restore``.

Copying ``parindex.db`` alone while the server runs loses data: in WAL mode the latest saves are
in ``parindex.db-wal`` until SQLite folds them in. Both ways go through SQLite's online backup
API (``sqlite3.Connection.backup``), which copies a consistent snapshot with what the WAL holds,
while other connections go on reading and writing. The copy is one self-contained file (its
journal mode set back to DELETE). PostgreSQL has its own tools (``pg_dump`` / ``pg_restore``,
:data:`PG_DUMP`, :data:`PG_RESTORE`).

Every refusal is an :class:`~parindex.errors.Issue` (raised in a
:class:`~parindex.errors.DataError`), never a traceback."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from parindex.errors import DataError, Issue, Location

#: how long the copy waits for a writer of the running app (milliseconds)
BUSY_TIMEOUT_MS = 30_000
#: the first 16 bytes of every SQLite database file
SQLITE_HEADER = b"SQLite format 3\x00"
#: tables every parindex database has (its schema version and two of its own)
PARINDEX_TABLES = frozenset({"alembic_version", "users", "cycles"})
#: what to run instead for PostgreSQL (printed by the commands, documented in docs/web.md)
PG_DUMP = "pg_dump --format=custom --file=parindex.dump '<URL>'"
PG_RESTORE = "pg_restore --clean --if-exists --dbname='<URL>' parindex.dump"


def _refuse(code: str, location: Location, **params: Any) -> DataError:
    return DataError([Issue.make(code, location, **params)])


@contextlib.contextmanager
def _connect(path: Path, *, mode: str) -> Iterator[sqlite3.Connection]:
    """A connection to an existing file (``mode`` ro or rw; never creates one)."""
    uri = Path(path).resolve().as_uri() + f"?mode={mode}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        yield conn
    finally:
        conn.close()


def check_parindex_file(
    path: Path, *, mode: str = "ro", code: str = "restore-not-parindex"
) -> None:
    """Refuses (``code``) a file that is not a parindex database: not SQLite, damaged, or
    without parindex's tables; ``mode`` rw for the live database (opening a WAL file read-only
    needs its -shm)."""
    where = Location(file=str(path))
    if not path.is_file():
        raise _refuse("file-not-found", where)
    with path.open("rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise _refuse(code, where)
    try:
        with _connect(path, mode=mode) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise _refuse(code, where) from exc
    if not PARINDEX_TABLES <= tables:
        raise _refuse(code, where)


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    """The whole of ``source`` into a new file at ``target_path`` (replaced atomically)."""
    partial = target_path.with_name(target_path.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        target.commit()
    finally:
        target.close()
    os.replace(partial, target_path)


def backup_sqlite(database: Path, out: Path, *, overwrite: bool) -> None:
    """A consistent copy of the live database ``database`` (WAL included) written to ``out``."""
    dest = Location(file=str(out))
    if not out.parent.is_dir():
        raise _refuse("backup-folder-missing", dest, value=str(out.parent))
    if out.is_dir():
        raise _refuse("backup-is-folder", dest)
    if out.exists() and not overwrite:
        raise _refuse("backup-exists", dest)
    if out.exists() and out.resolve() == database.resolve():
        raise _refuse("backup-onto-database", dest)
    if not database.is_file():
        raise _refuse("backup-source-missing", Location(file=str(database)))
    check_parindex_file(database, mode="rw", code="backup-source-not-parindex")
    try:
        with _connect(database, mode="rw") as source:
            _copy(source, out)
    except (sqlite3.Error, OSError) as exc:
        raise _refuse("backup-failed", dest, detail=first_line(exc)) from exc


def restore_sqlite(backup: Path, database: Path) -> None:
    """Replaces the contents of ``database`` with the backup file ``backup`` (checked first)."""
    check_parindex_file(backup)
    where = Location(file=str(database))
    if not database.parent.is_dir():
        raise _refuse("database-folder-missing", where, value=str(database.parent))
    if database.exists() and database.resolve() == backup.resolve():
        raise _refuse("backup-onto-database", where)
    try:
        with _connect(backup, mode="ro") as source:
            if not database.exists():
                _copy(source, database)
                return
            with _connect(database, mode="rw") as target:
                # through SQLite, so a WAL the app left behind is replaced too
                source.backup(target)
    except (sqlite3.Error, OSError) as exc:
        raise _refuse("restore-failed", where, detail=first_line(exc)) from exc


def first_line(exc: BaseException | None) -> str:
    """The system's own words about a failure: one line of at most 200 characters, shown quoted
    after the Vietnamese sentence that says what to do."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]
