"""Database helpers: aware UTC timestamps, SQLite connection settings, small reads that need
no ORM session, and emptying SQLite's write-ahead log after an erasure."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from functools import lru_cache

from flask import Flask
from sqlalchemy import DateTime, Select, TypeDecorator, event, text
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from jomso.extensions import db

log = logging.getLogger(__name__)


# Tables whose rows the migrations write themselves, so that a new, empty shop has them: the
# catalog revision, 0014's shipping zone "Everywhere" with its area and method, 0022's tax
# classes and settings. A restore (backups) and a database copy replace them with the source's
# and do not count them as shop data.
MADE_BY_MIGRATIONS = frozenset(
    {"catalog_revision", "shipping_zones", "shipping_areas", "shipping_methods", "tax_classes",
     "tax_settings"}
)  # fmt: skip


def utcnow() -> datetime:
    return datetime.now(UTC)


def read_value(sql: str, **params):
    """The first column of the first row of ``sql`` (``:name`` parameters), or None.

    While the request's ORM session has not begun a transaction, read on a pooled connection
    of its own, straight through the driver: a page served from the cache (the catalog
    revision, a guest's cart count) then needs no session at all, whose start, statement and
    end cost ten times the read (and a Core connection's, four times). Outside a transaction
    the two see the same: what was committed. The engine's statement listeners still hear of
    the read (``before_cursor_execute``, without a Connection): the tests that count a page's
    statements count it. Once the session is in a transaction, through the session, so that
    the read sees what the request has written; and always through it when the engine's pool
    has one connection only (an in-memory SQLite database), which handing back to the pool
    would end the session's transaction."""
    row = read_values(sql, **params)
    return row[0] if row else None


def read_values(sql: str, **params) -> tuple | None:
    """The first row of ``sql`` (``:name`` parameters) as a tuple, or None: read as
    ``read_value`` reads."""
    engine = db.engine
    if _through_session(engine):
        row = db.session.execute(text(sql), params).first()
        return None if row is None else tuple(row)
    rows = _driver_rows(engine, _driver_sql(sql, engine.dialect.paramstyle), params, first=True)
    return tuple(rows[0]) if rows else None


def read_row(statement: Select, params: dict) -> dict | None:
    """The first row of the Core ``statement`` (built once, kept by the caller) as {column
    key: value}, or None: read like
    ``read_value``, straight through the driver when the session has no transaction, the
    statement compiled once per dialect and its columns' types applied to what the driver
    returns (SQLite's timestamps are text, its booleans integers), as the ORM would."""
    rows = _read(statement, params, first=True)
    return rows[0] if rows else None


def read_rows(statement: Select, params: dict) -> list[dict]:
    """Every row of the Core ``statement`` as {column key: value}, read as ``read_row``
    reads one."""
    return _read(statement, params, first=False)


def _read(statement: Select, params: dict, first: bool) -> list[dict]:
    engine = db.engine
    if _through_session(engine):
        result = db.session.execute(statement, params)
        rows = [result.first()] if first else result.all()
        return [dict(row._mapping) for row in rows if row is not None]
    plan = _plan(statement, engine.dialect)
    keys, processors = plan.keys, plan.processors
    return [
        {
            key: process(value) if process else value
            for key, process, value in zip(keys, processors, row, strict=True)
        }
        for row in _driver_rows(engine, plan.sql, plan.parameters(params), first)
    ]


def _through_session(engine) -> bool:
    """Whether a read must go through the session: it is in a transaction (the read must see
    what the request wrote), or the pool has one connection, the session's. A request that has
    not used its session yet has none: it is not made just to be asked."""
    registry = db.session.registry
    return (registry.has() and registry().in_transaction()) or isinstance(
        engine.pool, SingletonThreadPool | StaticPool
    )


def _driver_rows(engine, sql: str, params, first: bool) -> list:
    """The rows of ``sql`` (the first only, if ``first``) on a pooled connection, through the
    driver; the engine's ``before_cursor_execute`` listeners hear of it (without a
    Connection)."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dispatch.before_cursor_execute:
            for listen in engine.dispatch.before_cursor_execute:
                listen(None, cursor, sql, params, None, False)
        cursor.execute(sql, params)
        rows = cursor.fetchmany(1) if first else cursor.fetchall()
        cursor.close()
    finally:
        connection.close()
    return rows


class _Plan:
    """A statement compiled for one dialect: its SQL, how its parameters are passed (in order
    or by name, each through its type's bind processor), its columns' keys and processors."""

    def __init__(self, statement: Select, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.compiled = compiled
        self.sql = compiled.string
        self.binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        self.order = compiled.positiontup if compiled.positional else None
        columns = statement.selected_columns
        self.keys = list(columns.keys())
        self.processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

    def parameters(self, params: dict):
        values = self.compiled.construct_params(params)
        for name, process in self.binds.items():
            if process is not None and name in values:
                values[name] = process(values[name])
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)


_plans: dict[tuple[int, str], tuple[Select, _Plan]] = {}


def _plan(statement: Select, dialect) -> _Plan:
    """The statement's plan, made once: for statements built once and reused (a new statement
    object per call would be compiled on each, and the kept plans are capped)."""
    key = (id(statement), dialect.name)
    kept = _plans.get(key)
    if kept is None or kept[0] is not statement:  # (an id may be reused once freed)
        if len(_plans) >= 64:
            _plans.clear()
        kept = _plans[key] = (statement, _Plan(statement, dialect))
    return kept[1]


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds, for a transaction that wrote those
    objects itself and whose next steps read them (a new order, paid a moment later): they
    stay as written, with no statement to load them again. Only for rows that nobody else
    changes in between."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


@lru_cache(maxsize=64)
def _driver_sql(sql: str, paramstyle: str) -> str:
    """``sql`` in the driver's parameter style: Python's sqlite3 takes ``:name`` whatever the
    dialect says (``qmark``); psycopg takes ``%(name)s``."""
    if paramstyle in ("qmark", "named"):
        return sql
    if paramstyle == "pyformat":
        return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)
    raise ValueError(f"unsupported parameter style {paramstyle}")


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive values)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTCDateTime column")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=UTC)
        return value


def init_database(app: Flask) -> None:
    """Bind SQLAlchemy and tune SQLite connections (WAL, foreign keys, busy timeout)."""
    # A database error's message would otherwise carry the statement's values (names,
    # addresses) into the log, where no pattern could recognise them.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("hide_parameters", True)
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
        with app.app_context():
            engine = db.engine

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows (an erased account) are overwritten, not left in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()


def checkpoint_wal() -> bool:
    """Copy SQLite's write-ahead log into the database file and empty it
    (``PRAGMA wal_checkpoint(TRUNCATE)``), so that rows just deleted or overwritten leave no
    old copy in ``<database>-wal``; ``secure_delete`` has already zeroed them in the database
    file. Call it after committing an erasure. Returns False when a reader kept the checkpoint
    from finishing (logged; the next one finishes the job). Nothing to do on PostgreSQL."""
    if db.engine.dialect.name != "sqlite":
        return True
    with db.engine.connect() as connection:
        busy, _frames, _copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        log.warning("the write-ahead log could not be emptied: a reader was busy")
    return not busy


__all__ = ["UTCDateTime", "checkpoint_wal", "init_database", "utcnow"]
