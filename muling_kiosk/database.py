"""The declarative base, UTC timestamps, and per-connection setup for SQLite."""

import sqlite3
import threading
from datetime import UTC, datetime

from flask import current_app, g, has_request_context, request
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every engine; always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    # Every `Mapped[datetime]` column is a UTCDateTime.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout and foreign keys on every connection; write requests lock early.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves:
    the first transaction of a POST starts with BEGIN IMMEDIATE, which takes the write lock
    before anything is read. Two tablets taking the last seat then queue instead of failing
    with "database is locked" when one upgrades a stale read snapshot.

    Within the process, writers queue on a lock before BEGIN IMMEDIATE: SQLite's busy
    handler would make them poll in growing sleeps (up to 100 ms), which under load wastes
    more time than the writes take. Other processes still meet the busy timeout.
    """
    write_lock = threading.Lock()
    timeout = busy_timeout_ms / 1000

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a transaction confirmed to a person survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not _writes_expected():
            connection.exec_driver_sql("BEGIN")
            return
        if not write_lock.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked (writers queued too long)")
        connection.info[_HOLDS_WRITE_LOCK] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info) -> None:
        if info.pop(_HOLDS_WRITE_LOCK, False):
            write_lock.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection):
        if has_request_context():
            g.muling_committed = True
        _release(connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection):
        _release(connection.info)

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection, record):
        # Whatever path a connection takes back to the pool, it never keeps the lock.
        _release(record.info)


_HOLDS_WRITE_LOCK = "muling_holds_write_lock"


def writes_on_get(view):
    """Mark a GET view that writes (a download recorded in the audit log): on SQLite its first
    transaction takes the write lock before reading, as a POST's does, so a write committed by
    someone else meanwhile cannot make its own write fail with "database is locked"."""
    view.writes_on_get = True
    return view


def lock_before_next_write() -> None:
    """The request's next transaction will write although it is not the first of a POST (a
    write after the view's own commit, or on a GET): on SQLite it too begins with BEGIN
    IMMEDIATE, so that a write committed by another request meanwhile cannot make it fail
    with "database is locked". End any transaction still open first (db.session.rollback())."""
    g.muling_write_next = True


def _writes_expected() -> bool:
    """The first transaction of a mutating request will write: lock before reading."""
    if not has_request_context():
        return False
    if g.pop("muling_write_next", False):
        return True
    if g.get("muling_committed", False):
        return False
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "writes_on_get", False)


def count_queries(engine: Engine) -> None:
    """Count the SQL statements of each request (read by the X-Query-Count header, for the
    benchmarks: a page whose count grows with the data runs a query per row)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        if has_request_context():
            g.query_count = g.get("query_count", 0) + 1
