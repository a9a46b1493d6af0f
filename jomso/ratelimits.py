"""Where the rate-limit counters live, so that every limit holds however many workers serve.

By default the counters are in a SQLite file in the instance folder (``ratelimits.sqlite3``),
shared by all the workers on this machine: no service to install. With ``REDIS_URL`` (several
app servers) they are in that Redis, through the ``limits`` library's own storage, so a limit
counts across every server. ``sqlite:///path`` names another file; ``redis://host:6379`` another
Redis; ``memory://`` keeps them in each process, so that with several workers each one counts
alone.

``SQLiteStorage`` implements the ``limits`` library's ``Storage`` interface for the fixed-window
strategy (Flask-Limiter's default, the one the shop uses): one row per counter with its expiry
time. An increment is one write transaction (``BEGIN IMMEDIATE``), so two workers never lose a
hit; readers do not wait for writers (WAL). Expired rows are deleted by the next increment once
a minute. Connections are opened lazily and again after a fork (gunicorn ``--preload``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask_limiter.constants import ConfigVars
from limits.errors import ConfigurationError
from limits.storage import Storage

from jomso.extensions import limiter
from jomso.redis_store import client_options, limits_uri, safe_url

log = logging.getLogger(__name__)

SCHEME = "sqlite"
DEFAULT_FILE = "ratelimits.sqlite3"
_SHARED_SCHEMES = ("redis", "valkey")  # redis://, rediss://, redis+unix://, redis+sentinel://...
# Flask-Limiter's settings of limits on every request, not on one view (none by default).
_EVERY_REQUEST_LIMITS = (
    ConfigVars.DEFAULT_LIMITS,
    ConfigVars.APPLICATION_LIMITS,
    ConfigVars.META_LIMITS,
)
CLEANUP_SECONDS = 60.0  # how often (at most) an increment also deletes expired counters

# No index on expires_at: it would cost every increment, to speed up a cleanup that runs once
# a minute over the live counters only.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters ("
    " key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID",
)
# A counter past its expiry starts again from the new hits, with a new expiry (fixed window).
_INCREMENT = (
    "INSERT INTO counters (key, hits, expires_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN expires_at > ?4 THEN hits + excluded.hits ELSE excluded.hits END, "
    "expires_at = CASE WHEN expires_at > ?4 THEN expires_at ELSE excluded.expires_at END"
)


class SQLiteStorage(Storage):
    """Rate-limit counters in a SQLite file that every process on the machine shares."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        cleanup_interval: float = CLEANUP_SECONDS,
        busy_timeout: float = 5.0,
        **options: float | str | bool,
    ) -> None:
        self.path = path_of(uri or "")
        self.cleanup_interval = float(cleanup_interval)
        self.busy_timeout = float(busy_timeout)
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._next_cleanup = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connect(self) -> sqlite3.Connection:
        """This process's connection; call with ``self._lock`` held.

        Setting up a new file (WAL, the table) while another process does the same can be
        refused at once as busy, without SQLite's own wait: it is tried again until
        ``busy_timeout``, as every worker's first hit after a deploy may come at once."""
        deadline = time.monotonic() + self.busy_timeout
        while self._connection is None:
            try:
                self._connection = self._open()
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)
        return self._connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout,
            isolation_level=None,  # autocommit; increments open their own transaction
            check_same_thread=False,  # shared by this process's threads, under the lock
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                connection.execute(statement)
        except BaseException:
            connection.close()
            raise
        return connection

    def _locked(self) -> threading.Lock:
        """The lock, made anew in a forked child: a connection (or a lock held at the fork)
        must not cross into another process."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._lock = threading.Lock()
            self._connection = None
        return self._lock

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._locked():
            connection = self._connect()
            connection.execute("BEGIN IMMEDIATE")
            try:
                if now >= self._next_cleanup:
                    connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
                    self._next_cleanup = now + self.cleanup_interval
                connection.execute(_INCREMENT, (key, amount, now + expiry, now))
                (hits,) = connection.execute(
                    "SELECT hits FROM counters WHERE key = ?", (key,)
                ).fetchone()
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        return int(hits)

    def get(self, key: str) -> int:
        row = self._read("SELECT hits FROM counters WHERE key = ? AND expires_at > ?", key)
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._read("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", key)
        return float(row[0]) if row else time.time()

    def _read(self, query: str, key: str) -> tuple | None:
        with self._locked():
            return self._connect().execute(query, (key, time.time())).fetchone()

    def clear(self, key: str) -> None:
        with self._locked():
            self._connect().execute("DELETE FROM counters WHERE key = ?", (key,))

    def reset(self) -> int | None:
        with self._locked():
            return self._connect().execute("DELETE FROM counters").rowcount

    def check(self) -> bool:
        try:
            with self._locked():
                self._connect().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def remove_expired(self, now: float | None = None) -> int:
        """Delete the counters expired at ``now``; returns how many there were."""
        with self._locked():
            cursor = self._connect().execute(
                "DELETE FROM counters WHERE expires_at <= ?", (time.time() if now is None else now,)
            )
            return cursor.rowcount


def path_of(uri: str) -> str:
    """The file of a ``sqlite:///absolute/path`` URI (``sqlite:////absolute/path``, as
    SQLAlchemy writes it, names the same file)."""
    parts = urlsplit(uri)
    if parts.scheme != SCHEME or parts.netloc or not parts.path.startswith("/"):
        raise ConfigurationError(f"a rate-limit file is named sqlite:///absolute/path, not {uri!r}")
    return "/" + parts.path.lstrip("/")


def default_uri(app: Flask) -> str:
    return f"{SCHEME}://{Path(app.instance_path).resolve() / DEFAULT_FILE}"


def describe(config) -> str:
    """One line for the operator: where the rate-limit counters are, and who shares them."""
    if not config.get("RATELIMIT_ENABLED"):
        return "rate limits: off"
    uri = config.get("RATELIMIT_STORAGE_URI") or ""
    parts = urlsplit(uri)
    if parts.scheme == SCHEME:
        return f"rate limits: shared file {path_of(uri)} (all workers on this machine)"
    if parts.scheme == "memory":
        return "rate limits: memory:// (each worker counts alone: limits multiply with workers)"
    if parts.scheme.startswith(_SHARED_SCHEMES):
        return f"rate limits: {safe_url(uri)} (shared by every server that uses it)"
    return f"rate limits: {safe_url(uri)}"


def init_rate_limits(app: Flask) -> None:
    """Bind the limiter to ``app``, its counters in the shop's Redis (``REDIS_URL``) or else in
    the shared file, unless a storage is named."""
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        if redis_url := app.config.get("REDIS_URL"):
            _count_in_redis(app.config, redis_url)
        else:
            app.config["RATELIMIT_STORAGE_URI"] = default_uri(app)
    limiter.init_app(app)
    if limiter.enabled and not any(app.config.get(name) for name in _EVERY_REQUEST_LIMITS):
        # The shop's limits are each on its view (``limiter.limit``), checked as the view is
        # called. Flask-Limiter's check before every request looks for limits on every request
        # (these settings); with none set it finds nothing, for about 0.1 ms a request.
        app.before_request_funcs[None].remove(limiter._check_request_limit)
    alone = urlsplit(app.config["RATELIMIT_STORAGE_URI"]).scheme == "memory"
    _startup_log().log(logging.WARNING if alone else logging.INFO, "%s", describe(app.config))


def _count_in_redis(config, redis_url: str) -> None:
    """The counters in the shop's Redis. One that hangs must not hold a sign-in for long; while
    it does not answer, each worker counts alone (Flask-Limiter looks at Redis again now and
    then) rather than every limited form, the checkout among them, answering an error."""
    config["RATELIMIT_STORAGE_URI"] = limits_uri(redis_url)
    options = config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
    for name, value in client_options().items():
        options.setdefault(name, value)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)


def _startup_log() -> logging.Logger:
    """gunicorn's log when gunicorn serves (each worker's start shows there), else ours."""
    server = logging.getLogger("gunicorn.error")
    return server if server.handlers else log
