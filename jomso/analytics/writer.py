"""Writing page views off the request path: a per-process queue drained by one thread.

A request only puts its row on the queue (a few microseconds); the writer thread inserts
whatever has gathered in one transaction. At low traffic each row is written within
milliseconds; under load rows share a commit, which is what makes recording cheap. A row the
database refuses (say its account was deleted a moment before) is dropped on its own, never
with its batch. ``flush()`` waits until everything queued is written: tests, the data export
and process exit use it.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from jomso.analytics.models import PageView

log = logging.getLogger(__name__)

MAX_QUEUED = 10_000  # beyond this (database gone?) new rows are dropped, not kept in memory
MAX_BATCH = 500
GATHER_SECONDS = 0.1  # a row waits at most this long for others to share its commit
_INSERT = insert(PageView.__table__)


class PageViewWriter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.Queue | None = None
        self._pid: int | None = None
        self._dropped = 0
        self._hurry = threading.Event()

    def _ready_queue(self) -> queue.Queue:
        # A forked worker (gunicorn --preload) starts its own thread: threads do not survive
        # fork.
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._queue = queue.Queue(maxsize=MAX_QUEUED)
                    thread = threading.Thread(
                        target=self._run, args=(self._queue,), name="page-views", daemon=True
                    )
                    thread.start()
                    self._pid = os.getpid()
        return self._queue

    def submit(self, engine: Engine, row: dict) -> None:
        """Queue one page view for ``engine``'s database."""
        try:
            self._ready_queue().put_nowait((engine, row))
        except queue.Full:
            self._dropped += 1
            if self._dropped % 1000 == 1:
                log.warning("page-view queue full: %d page views dropped", self._dropped)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued page view is written; False if that took too long."""
        q = self._queue
        if q is None or self._pid != os.getpid():
            return True
        deadline = time.monotonic() + timeout
        while q.unfinished_tasks:
            self._hurry.set()  # cut the writer's gathering moment short
            if time.monotonic() > deadline:
                return False
            time.sleep(0.0005)
        return True

    def _run(self, q: queue.Queue) -> None:
        while True:
            batch = [q.get()]
            # Gather for a moment, then take everything queued: rows that share a commit cost
            # a fraction of one each, and the thread wakes once per batch, not once per row.
            self._hurry.wait(GATHER_SECONDS)
            self._hurry.clear()
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            try:
                by_engine: dict[Engine, list[dict]] = {}
                for engine, row in batch:
                    by_engine.setdefault(engine, []).append(row)
                for engine, rows in by_engine.items():
                    write_now(engine, *rows)
            finally:
                for _ in batch:
                    q.task_done()


def write_now(engine: Engine, *rows: dict) -> None:
    """Insert page views in one transaction; never raises (a lost page view must not cost
    anyone their page, nor stop the writer thread)."""
    try:
        with engine.begin() as connection:
            connection.execute(_INSERT, list(rows))
    except IntegrityError:
        if len(rows) > 1:
            for row in rows:
                write_now(engine, row)
        else:
            log.info("page view for %s dropped: the database refused it", rows[0]["path"])
    except Exception:
        log.exception("%d page views not recorded", len(rows))


writer = PageViewWriter()
atexit.register(writer.flush, 5.0)


def flush_page_views(timeout: float = 10.0) -> bool:
    """Wait until this process has written every page view it recorded."""
    return writer.flush(timeout)
