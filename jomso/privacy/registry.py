"""The data-rights registry: what "download my data" exports and what "delete my account" erases.

Every domain that stores data about a customer registers here, usually from its own
``data_rights.py`` imported by its package's ``__init__``:

- ``register_export_section(name, collect, tables=(...))``: ``collect(user)`` returns something
  JSON-able that goes into the export under ``name``; ``tables`` names the tables it covers.
  The convention is one object per row whose keys are the column names (``row_dict`` builds
  it). Sections appear in the export in the order they were registered.
- ``register_erasure(erase)``: ``erase(user)`` runs inside the deletion transaction, before the
  account row goes (orders anonymise their personal fields and unlink, analytics unlinks). It
  must not commit. Rows in tables with ``ON DELETE CASCADE`` to ``users.id`` go with the
  account anyway.
- ``declare_not_personal(table, reason)``: a table that links to ``users.id`` but holds nothing
  about that person (who published a policy version, for example).
- ``declare_not_exported("table.column", reason)``: a column of a customer's rows the export
  leaves out on purpose (a secret, an internal counter); ``row_dict`` skips it.

The tests walk the schema and fail when a table linked to users is in neither
``exported_tables()`` nor ``NOT_PERSONAL_TABLES``, or when a column of a customer's rows is
missing from the export (besides ids, foreign keys and ``NOT_EXPORTED_COLUMNS``).

The export itself and the deletion (``export_user_data``, ``delete_account``) belong to the
account area, next to the accounts domain's own sections; they call ``export_sections`` and
``run_erasers``, and once the erasure is committed ``erase_from_files(addresses)``: the outbox's
copies of mail to those addresses go, and SQLite's write-ahead log is emptied, so that no old
copy of an erased row stays in a file.

This module imports no domain, so any domain can register without loading another one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

from jomso.database import checkpoint_wal
from jomso.mail_delivery import delete_outbox_files_to

if TYPE_CHECKING:
    from jomso.accounts.models import User


@dataclass(frozen=True)
class ExportSection:
    name: str
    collect: Callable[[User], Any]
    tables: tuple[str, ...]


_sections: dict[str, ExportSection] = {}
_erasers: list[Callable[[User], None]] = []

# Tables linked to users.id whose rows are not the customer's personal data, and why.
NOT_PERSONAL_TABLES: dict[str, str] = {}

# Columns of a customer's rows the export leaves out on purpose, and why.
NOT_EXPORTED_COLUMNS: dict[str, str] = {}


def register_export_section(
    name: str, collect: Callable[[User], Any], *, tables: tuple[str, ...] | list[str] = ()
) -> None:
    """Add (or replace) the export section ``name``, covering ``tables``."""
    _sections[name] = ExportSection(name, collect, tuple(tables))


def register_erasure(erase: Callable[[User], None]) -> None:
    """Run ``erase(user)`` inside the account deletion, before the account row is deleted."""
    if erase not in _erasers:
        _erasers.append(erase)


def declare_not_personal(table: str, reason: str) -> None:
    NOT_PERSONAL_TABLES[table] = reason


def declare_not_exported(column: str, reason: str) -> None:
    """Leave ``"table.column"`` out of the export, e.g. a secret or an internal counter."""
    NOT_EXPORTED_COLUMNS[column] = reason


def exported_tables() -> set[str]:
    return {table for section in _sections.values() for table in section.tables}


def export_sections(user: User) -> dict[str, Any]:
    """Every registered section for ``user`` by name, in registration order (not yet passed
    through ``to_jsonable``)."""
    return {section.name: section.collect(user) for section in _sections.values()}


def run_erasers(user: User) -> None:
    """Run every registered eraser on ``user``, in registration order, in the caller's
    transaction (no commit)."""
    for erase in _erasers:
        erase(user)


def erase_from_files(addresses: set[str] | list[str]) -> None:
    """After an erasure's commit: delete the outbox's copies of mail to ``addresses`` and empty
    the write-ahead log (``jomso.database.checkpoint_wal``). Anything that erases a person's
    data calls it: the account deletion, and an erasure asked for by email. (``purge``, which
    erases by age, empties the log itself.)"""
    delete_outbox_files_to(addresses)
    checkpoint_wal()


def to_jsonable(value: Any) -> Any:
    """Datetimes and dates as ISO 8601, decimals as strings, enums as their values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_jsonable(v) for v in value]
    return value


def row_dict(obj: Any, **extra: Any) -> dict[str, Any]:
    """Every column of a model row by name, except primary and foreign keys and the columns
    in ``NOT_EXPORTED_COLUMNS``; ``extra`` adds readable companions (a country's name)."""
    mapper = inspect(obj).mapper
    table = obj.__table__
    data = {}
    for column in table.columns:
        if column.primary_key or column.foreign_keys:
            continue
        if f"{table.name}.{column.name}" in NOT_EXPORTED_COLUMNS:
            continue
        key = mapper.get_property_by_column(column).key
        data[column.name] = getattr(obj, key)
    data.update(extra)
    return data
