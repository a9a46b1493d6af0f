"""What product lists remember per catalog revision: how many products a list holds, and where
its pages begin.

Counting every active product costs a scan of them all (2.85 ms at 100,000 products), and a
deep page read with ``OFFSET`` steps over every product before it. Both answers only change
when the catalog does, and every change to products, categories or pictures raises the
catalog revision (``jomso.catalog.page_cache``'s triggers). So each process keeps, for the
revision it last read:

* the count of each list (all products, or a category's, each with its filters);
* the page boundaries of each list shape (sort, category, page size): the sort key of the last
  product of every page, read in one statement the first time a deep page is asked for, so a
  deep page is read from an index with a keyset condition instead of ``OFFSET``.

A list reads the revision first (one indexed row, in place of the count); when it differs
from the one remembered, everything remembered is dropped. Nothing personal is kept, only
counts and sort keys.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import text

from jomso.extensions import db

_EXTENSION = "jomso.list_positions"
_REVISION = text("SELECT value FROM catalog_revision WHERE id = 1")
# At most this many list shapes' boundaries per process (sorts x categories x page sizes).
MAX_SHAPES = 64
# At most this many lists' counts (categories x filters: a price range is typed by anyone).
MAX_COUNTS = 1024


@dataclass
class _Remembered:
    revision: int | None = None
    counts: dict = field(default_factory=dict)
    boundaries: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _remembered() -> _Remembered:
    return current_app.extensions.setdefault(_EXTENSION, _Remembered())


def revision() -> int | None:
    """The catalog revision (one indexed row; None before the schema has its row). Read at
    each list, in the list's own transaction, so a list never pairs a count with rows of
    another revision."""
    return db.session.execute(_REVISION).scalar()


def _current() -> tuple[_Remembered, int | None]:
    mine, now = _remembered(), revision()
    if mine.revision != now:
        with mine.lock:
            if mine.revision != now:
                mine.counts, mine.boundaries, mine.revision = {}, {}, now
    return mine, now


def count(key: tuple, counting) -> int:
    """The count of the list ``key`` at this revision; ``counting()`` asks the database."""
    mine, now = _current()
    if now is None:
        return counting()
    found = mine.counts.get(key)
    if found is None:
        if len(mine.counts) >= MAX_COUNTS:
            mine.counts.clear()
        found = mine.counts[key] = counting()
    return found


def boundaries(key: tuple, reading) -> list | None:
    """The page boundaries of the list shape ``key`` at this revision: ``reading()`` returns
    them from the database, the first time (the sort key of the last product of each page)."""
    mine, now = _current()
    if now is None:
        return None
    found = mine.boundaries.get(key)
    if found is None:
        if len(mine.boundaries) >= MAX_SHAPES:
            mine.boundaries.clear()
        found = mine.boundaries[key] = reading()
    return found
