"""Copying the database out of a serving shop, and into an empty one.

* **SQLite**: the online backup API (``sqlite3.Connection.backup``) copies every page in one
  step, inside one read transaction: the copy is the database as one commit left it, and in
  WAL mode the shop's writers carry on meanwhile. The copy is switched to an ordinary journal,
  so it is one self-contained file, and checked (``PRAGMA quick_check``). It goes back the
  same way, through the backup API, so a database file that connections may hold open is
  replaced whole, WAL included.
* **PostgreSQL**: ``pg_dump --format=custom`` reads the whole database in one snapshot
  (repeatable read); ``pg_restore --single-transaction`` puts it back all or nothing.
  Neither blocks the shop's reads or writes. The password goes to them through ``PGPASSWORD``,
  never on the command line.

The schema revision is read from the copy itself, so it is the copy's, whatever migrations
run meanwhile.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError

from jomso.backups.archive import BackupError
from jomso.database import MADE_BY_MIGRATIONS

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
FILE_NAMES = {SQLITE: "jomso.sqlite3", POSTGRESQL: "jomso.pgdump"}
# What an empty shop holds: the schema's version and the rows the migrations write.
SCHEMA_TABLES = ("alembic_version", *sorted(MADE_BY_MIGRATIONS))
# SQLite's own tables and the full-text indexes' (made from their tables, not counted).
INDEX_TABLE_PREFIXES = ("products_fts", "search_words_trigrams", "sqlite_")
# Debian keeps each PostgreSQL version's programs here; /usr/bin has wrappers for them.
POSTGRES_BIN_DIRS = ("/usr/lib/postgresql",)


@dataclass(frozen=True)
class DatabaseCopy:
    kind: str
    file: Path
    revision: str
    rows: dict[str, int]  # per table, as the copy holds them


def kind_of(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in FILE_NAMES:
        raise BackupError(f"Backups know SQLite and PostgreSQL databases, not {name}.")
    return name


def copy_database(engine: Engine, folder: Path) -> DatabaseCopy:
    """A consistent copy of the shop's database in ``folder``, taken while it serves."""
    kind = kind_of(engine)
    target = folder / FILE_NAMES[kind]
    if kind == SQLITE:
        _sqlite_copy(_sqlite_path(engine.url), target)
        copy = create_engine(f"sqlite:///{target}")
        try:
            with copy.connect() as connection:
                revision, rows = _revision(connection), row_counts(connection)
        finally:
            copy.dispose()
    else:
        revision, rows = _pg_dump(engine, target)
    return DatabaseCopy(kind, target, revision, rows)


def check_kind(engine: Engine, kind: str) -> None:
    """Refuse to load a copy of one kind of database into the other."""
    if kind != kind_of(engine):
        names = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
        raise BackupError(
            f"The archive holds a {names.get(kind, kind)} database and this shop is set up "
            f"for {names[kind_of(engine)]} (JOMSO_DATABASE_URL). Restore it into a shop on "
            f"{names.get(kind, kind)}; a move between the two is not a restore."
        )


def load_database(engine: Engine, kind: str, copy: Path) -> None:
    """Put the copy into the shop's (empty: see ``tables_with_rows``) database."""
    check_kind(engine, kind)
    engine.dispose()
    if kind == SQLITE:
        _sqlite_load(copy, _sqlite_path(engine.url))
    else:
        _pg_clear(engine)
        _pg_restore(engine.url, copy)
    engine.dispose()


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows per table (not the search index's own tables), read in the connection's
    transaction: a backup records them, a restore compares."""
    names = [
        name
        for name in inspect(connection).get_table_names()
        if not name.startswith(INDEX_TABLE_PREFIXES)
    ]
    return {
        name: connection.scalar(select(func.count()).select_from(table(name)))
        for name in sorted(names)
    }


def tables_with_rows(engine: Engine) -> list[str]:
    """The tables that hold shop data (not the rows the migrations write): empty means a
    restore loses nothing."""
    with engine.connect() as connection:
        counts = row_counts(connection)
    return [name for name, count in counts.items() if count and name not in SCHEMA_TABLES]


# -- SQLite ----------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"Backups need a SQLite database file, not {url.database!r}.")
    return Path(url.database)


def _sqlite_copy(source_path: Path, target: Path) -> None:
    if not source_path.is_file():
        raise BackupError(f"There is no database at {source_path}: run init-db first.")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # pages=-1: all of it in one step, one read transaction
        copy.execute("PRAGMA journal_mode=DELETE")
        problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"The database copy fails SQLite's check: {problem}")
    except sqlite3.OperationalError as error:
        raise BackupError(f"Cannot copy the database {source_path}: {error}") from None
    finally:
        copy.close()
        source.close()


def _sqlite_load(copy: Path, target_path: Path) -> None:
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
    except sqlite3.OperationalError as error:
        raise BackupError(f"Cannot write the database {target_path}: {error}") from None
    finally:
        target.close()
        source.close()


def _revision(connection: Connection) -> str:
    if "alembic_version" in inspect(connection).get_table_names():
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        if len(rows) == 1:
            return str(rows[0][0])
    raise BackupError("The database has no schema revision (alembic_version): run init-db.")


# -- PostgreSQL ------------------------------------------------------------------------------


def _pg_program(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: on the PATH, else the newest of Debian's versions."""
    if found := shutil.which(name):
        return found
    versions = sorted(
        (p for root in POSTGRES_BIN_DIRS for p in Path(root).glob(f"*/bin/{name}")),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if versions:
        return str(versions[-1])
    raise BackupError(
        f"{name} is not installed: install PostgreSQL's client programs "
        "(Debian: apt install postgresql-client) in the server's version or newer."
    )


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The database as libpq names it, and the environment with its password."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise BackupError(f"{what} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _pg_dump(engine: Engine, target: Path) -> tuple[str, dict[str, int]]:
    """Dump in the snapshot of a transaction that also reads the revision and counts the
    rows, so the three agree; the transaction stays open until pg_dump has taken it."""
    dsn, env = _libpq(engine.url)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            revision, rows = _revision(connection), row_counts(connection)
            _run(
                [_pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={target}", f"--dbname={dsn}"],
                env, "pg_dump",
            )  # fmt: skip
    return revision, rows


def _pg_clear(engine: Engine) -> None:
    """Drop the empty schema a fresh ``init-db`` may have made, so the dump's schema (perhaps
    older) can take its place: everything in ``public`` goes, data-less by the caller's
    check."""
    with engine.begin() as connection:
        if not inspect(connection).get_table_names():
            return
        try:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        except DBAPIError as error:
            raise BackupError(
                f"Cannot empty the database to restore into it ({error.orig}). Restore into "
                "a new database that the shop's user owns (createdb --owner=USER NAME)."
            ) from None


def _pg_restore(url: URL, dump: Path) -> None:
    dsn, env = _libpq(url)
    _run(
        [_pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", f"--dbname={dsn}", str(dump)],
        env, "pg_restore",
    )  # fmt: skip
