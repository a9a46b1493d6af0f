"""Gap-free numbers for invoices and credit notes, one sequence per kind and calendar year
(the shop's time zone, ``TIMEZONE``).

A number is taken by one statement, an upsert on the year's counter row
(``document_counters``: ``INSERT ... ON CONFLICT DO UPDATE SET last_seq = last_seq + 1
RETURNING last_seq``), inside the transaction that writes the document. The statement locks
the row (PostgreSQL) or takes the database's write lock (SQLite) until that transaction ends:
a parallel one waits and then reads the next number; one that rolls back gives its number
back. So every number of a year is used once, none is skipped.

Printed forms: invoices ``2026-000123``, credit notes ``CN-2026-000004`` (the year, then the
sequence in six digits at least).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from jomso.extensions import db
from jomso.shop_time import local_date

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
PREFIXES = {INVOICE: "", CREDIT_NOTE: "CN-"}


def shop_year(moment: datetime) -> int:
    """The calendar year of ``moment`` (aware, UTC) in the shop's time zone."""
    return local_date(moment).year


# The same SQL on SQLite (3.35 and later) and PostgreSQL, written out: SQLAlchemy compiles an
# ``on_conflict_do_update`` construct again on every use (it has no cache key), a textual
# statement once.
_TAKE_NEXT = text(
    "INSERT INTO document_counters (kind, year, last_seq) VALUES (:kind, :year, 1) "
    "ON CONFLICT (kind, year) DO UPDATE SET last_seq = document_counters.last_seq + 1 "
    "RETURNING last_seq"
)


def take_next(kind: str, year: int) -> int:
    """The next number of ``kind`` in ``year``, taken in the session's transaction (which
    holds the counter's row until it ends). Flushes first, so the rows the caller changed
    are locked before the counter, in the order every caller keeps."""
    db.session.flush()
    return db.session.execute(_TAKE_NEXT, {"kind": kind, "year": year}).scalar_one()


def printed(kind: str, year: int, seq: int) -> str:
    """``2026-000123`` for an invoice, ``CN-2026-000004`` for a credit note."""
    return f"{PREFIXES[kind]}{year}-{seq:06d}"
