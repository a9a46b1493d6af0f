"""Copying a shop's data into another database: how a shop moves from SQLite to PostgreSQL.

``copy_database(source_url)`` copies every row of every table the models describe from the
database at ``source_url`` into the app's own database, in one transaction: the target must
hold the schema (``init-db``) at the same migration as the source, and no shop data yet
(only the rows ``init-db`` makes, which the copy replaces). Tables go parents first, rows in
key order, in batches; on PostgreSQL every id sequence then continues after the highest id
copied. What the database keeps by itself follows: the search index (SQLite's FTS5 table,
PostgreSQL's generated column) is not copied but made by the target from the rows. Run it
with the shop stopped, so nothing changes in the source meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, create_engine, func, select, text

from jomso.database import MADE_BY_MIGRATIONS
from jomso.extensions import db

BATCH = 1000


class CopyRefused(Exception):
    """The copy would mix two shops or two schema versions; ``str()`` says why."""


def _version(connection) -> str | None:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def copy_database(
    source_url: str, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy the shop at ``source_url`` into this app's database; returns the rows copied per
    table. Raises ``CopyRefused`` (nothing changed) when the schemas' versions differ or the
    target already holds shop data."""
    tables = db.metadata.sorted_tables
    source = create_engine(source_url)
    copied: dict[str, int] = {}
    try:
        with source.connect() as reading, db.engine.begin() as writing:
            if _version(reading) != _version(writing):
                raise CopyRefused(
                    f"The source database is at schema version {_version(reading)} and this "
                    f"one at {_version(writing)}: run init-db on both with this version first."
                )
            for table in tables:
                if table.name in MADE_BY_MIGRATIONS:  # replaced with the source's
                    continue
                if writing.execute(select(select(table).exists())).scalar():
                    raise CopyRefused(
                        f"This database already holds shop data ({table.name}): copy only "
                        "into a new, empty database made with init-db."
                    )
            for table in tables:
                writing.execute(table.delete())
                key = list(table.primary_key.columns)
                rows = reading.execution_options(yield_per=BATCH).execute(
                    select(table).order_by(*key)
                )
                count = 0
                for batch in rows.mappings().partitions():
                    writing.execute(table.insert(), [dict(row) for row in batch])
                    count += len(batch)
                copied[table.name] = count
                if progress is not None:
                    progress(table.name, count)
            if writing.dialect.name == "postgresql":
                _continue_sequences(writing, tables)
    finally:
        source.dispose()
    return copied


def _continue_sequences(connection, tables) -> None:
    """Rows were copied with their ids: each id sequence goes on after the highest."""
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.execute(
                select(func.pg_get_serial_sequence(table.name, column.name))
            ).scalar()
            if sequence is None:
                continue
            highest = connection.execute(select(func.max(column))).scalar()
            connection.execute(select(func.setval(sequence, highest or 1, highest is not None)))
