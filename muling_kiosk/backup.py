"""Backup and restore, safe while the kiosk serves.

SQLite: the online backup API copies a consistent snapshot page by page while other
connections keep reading and writing; the copy is checked with PRAGMA integrity_check.
PostgreSQL: pg_dump (a consistent snapshot by design) and pg_restore.
A backup holds everyone's data: it is created readable by its owner only (0600), whatever
the umask, before anything is written into it.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from .extensions import db


class BackupError(Exception):
    pass


def backup(target: Path) -> Path:
    """Write a backup of the configured database to target; returns the path."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    private_file(target)
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(url.database), target)
        _check_sqlite(target)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)])
    else:
        raise BackupError(f"no backup for {url.get_backend_name()}")
    return target


def restore(source: Path) -> None:
    """Replace the configured database's contents with the backup's."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = db.engine.url
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        _check_sqlite(source)
        # The backup API in reverse: other connections see the restored data at once.
        _sqlite_copy(source, Path(url.database))
    elif url.get_backend_name() == "postgresql":
        db.engine.dispose()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq(url)}", str(source)])
    else:
        raise BackupError(f"no restore for {url.get_backend_name()}")
    db.engine.dispose()


def private_file(path: Path) -> None:
    """Create path empty with mode 0600, or make an existing file 0600 (SQLite and pg_dump
    write into the file as it is; SQLite gives its journal files the same mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def protect_sqlite(database: str | None) -> None:
    """The SQLite database file readable by its owner only: created so if it is missing and
    its folder exists (a missing folder is left for SQLite to report)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.is_dir():
        private_file(path)


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst, pages=256)
    finally:
        dst.close()
        src.close()


def _check_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from error
    finally:
        connection.close()
    if result != "ok":
        raise BackupError(f"integrity check of {path} failed: {result}")


def _libpq(url) -> str:
    """The SQLAlchemy URL as libpq understands it (no "+psycopg" driver part)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed")

