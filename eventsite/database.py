"""Database plumbing: UTC datetimes, SQLite tuned for a web server, write transactions."""
from __future__ import annotations

import os
from contextvars import ContextVar
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 10_000
_write_transaction_requested: ContextVar[bool] = ContextVar("write_transaction", default=False)
# session.info key: the transaction that holds the write lock.
_WRITE_LOCK = "eventsite.write_lock"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator):
    """Stores an aware datetime as naive UTC; always hands back an aware UTC datetime."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)


def _keep_sqlite_file_private(database: str | None) -> None:
    """Create the database file readable by its owner only (0600), before SQLite opens it.

    SQLite gives the -wal and -shm files the database file's own permissions, so they
    follow. Files made by an earlier version are narrowed too.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite will say it cannot open the file
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            name.chmod(0o600)


def _tune_sqlite(engine: sa.Engine) -> None:
    _keep_sqlite_file_private(engine.url.database)

    # pysqlite's own transaction handling issues BEGIN lazily and cannot take the write
    # lock up front; let SQLAlchemy's "begin" event emit BEGIN (or BEGIN IMMEDIATE) itself.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if _write_transaction_requested.get():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def begin_write_transaction(session: Session | None = None) -> None:
    """Make sure the session's transaction holds the database's write lock.

    On SQLite that is BEGIN IMMEDIATE: the lock is taken before the first read, so two
    writers can never both read the same state and then both write. On PostgreSQL it is an
    ordinary transaction; callers lock the rows they depend on with SELECT ... FOR UPDATE.

    Does nothing when the transaction already holds the lock: it began here, or it has
    written (a write takes SQLite's lock until commit). Changes not yet saved are written
    now, which takes the lock and keeps them. A read-only transaction under way is ended
    first (its objects are reloaded on next access).
    """
    session = session or db.session()
    transaction = session.get_transaction()
    if transaction is not None:
        if session.info.get(_WRITE_LOCK) is transaction:
            return
        if session.new or session.dirty or session.deleted:
            session.flush()  # its writes take the lock, and _writes_hold_the_lock notes it
            return
        session.rollback()
    token = _write_transaction_requested.set(True)
    try:
        session.connection()
    finally:
        _write_transaction_requested.reset(token)
    session.info[_WRITE_LOCK] = session.get_transaction()


@event.listens_for(Session, "after_flush")
def _writes_hold_the_lock(session: Session, _flush_context) -> None:
    session.info[_WRITE_LOCK] = session.get_transaction()
