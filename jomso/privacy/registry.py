"""The data-rights registry: what "download my data" exports and what "delete my data" erases,
for an account and for a person who proved an email address (a guest's privacy request).

Whose data is asked for is a ``DataSubject``: an account, the email addresses proved to be the
person's, the browsers (analytics visitor ids) shown to be theirs, or a mix. The account area
asks with ``DataSubject.of_account(user)`` (its confirmed address included, so a guest order
placed signed out with that address is found too); a privacy request asks with
``DataSubject.of_email(email)``. Every domain answers both with the same code, so there is one
way to export and one way to erase.

Every domain that stores data about a person registers here, usually from its own
``data_rights.py`` imported by its package's ``__init__``:

- ``register_export_section(name, collect, tables=(...))``: ``collect(subject)`` returns
  something JSON-able that goes into the export under ``name``; ``tables`` names the tables it
  covers. The convention is one object per row whose keys are the column names (``row_dict``
  builds it). Sections appear in the export in the order they were registered. A section finds
  its rows with ``subject.owns(...)``: linked to the account, for one of the addresses, or
  carrying one of the visitor ids.
- ``register_erasure(erase)``: ``erase(subject)`` runs inside the erasure's transaction, before
  the account row goes when there is one (orders anonymise their personal fields and unlink,
  analytics deletes). It must not commit. Rows in tables with ``ON DELETE CASCADE`` to
  ``users.id`` go with the account anyway.
- ``declare_not_personal(table, reason)``: a table that links to ``users.id`` but holds nothing
  about that person (who published a policy version, for example).
- ``declare_not_exported("table.column", reason)``: a column of a person's rows the export
  leaves out on purpose (a secret, an internal counter); ``row_dict`` skips it.

The tests walk the schema from the account's row and from every row holding the person's
email address, and fail when such a row or one of its columns is missing from the export
(besides ids, foreign keys and ``NOT_EXPORTED_COLUMNS``), or when a table linked to users is in
neither ``exported_tables()`` nor ``NOT_PERSONAL_TABLES``.

The export document and the erasure (``export_data``, ``erase_data``, ``delete_account``)
belong to the account area, next to the accounts domain's own sections; they call
``export_sections`` and ``run_erasers``, and once an erasure is committed
``erase_from_files(addresses)``: the outbox's copies of mail to those addresses go, and
SQLite's write-ahead log is emptied, so that no old copy of an erased row stays in a file.

This module imports no domain, so any domain can register without loading another one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false, inspect, or_

from jomso.database import checkpoint_wal
from jomso.mail_delivery import delete_outbox_files_to

if TYPE_CHECKING:
    from jomso.accounts.models import User


def normalize_email(email: str) -> str:
    """Addresses are stored lower-cased everywhere; compare them the same way."""
    return email.strip().lower()


@dataclass(frozen=True)
class DataSubject:
    """The person whose data is exported or erased.

    ``user`` is their account, if any. ``emails`` are addresses proved to be theirs (an
    account's confirmed address, or the address a privacy request proved with its link):
    rows held for such an address are theirs whether or not they were signed in. ``visitor_ids``
    are analytics visitor ids of browsers shown to be theirs (the one asking, the one that
    followed the request's link).
    """

    user: User | None = None
    emails: frozenset[str] = frozenset()
    visitor_ids: frozenset[str] = frozenset()

    @classmethod
    def of_account(cls, user: User, visitor_ids: Iterable[str | None] = ()) -> DataSubject:
        """The account, with its address once confirmed (an unconfirmed address may be
        someone else's: only the link proves it)."""
        emails = {normalize_email(user.email)} if user.is_confirmed else set()
        return cls(user, frozenset(emails), frozenset(v for v in visitor_ids if v))

    @classmethod
    def of_email(
        cls, email: str, user: User | None = None, visitor_ids: Iterable[str | None] = ()
    ) -> DataSubject:
        """Whoever proved ``email`` (and ``user``, the account confirmed at that address). An
        empty address (one erased since) stands for none."""
        emails = {normalize_email(email)} - {""}
        return cls(user, frozenset(emails), frozenset(v for v in visitor_ids if v))

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    def owns(self, *, user=None, email=None, visitor=None) -> ColumnElement[bool]:
        """The SQL condition for rows that are this person's: ``user`` (a column holding an
        account id) is theirs, ``email`` (a lower-cased address column) is one of their
        addresses, or ``visitor`` (a visitor id column) one of their browsers. False when the
        subject has none of what the columns would match."""
        conditions = []
        if user is not None and self.user is not None:
            conditions.append(user == self.user.id)
        if email is not None and self.emails:
            conditions.append(email.in_(sorted(self.emails)))
        if visitor is not None and self.visitor_ids:
            conditions.append(visitor.in_(sorted(self.visitor_ids)))
        return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class ExportSection:
    name: str
    collect: Callable[[DataSubject], Any]
    tables: tuple[str, ...]


_sections: dict[str, ExportSection] = {}
_erasers: list[Callable[[DataSubject], None]] = []

# Tables linked to users.id whose rows are not the customer's personal data, and why.
NOT_PERSONAL_TABLES: dict[str, str] = {}

# Columns of a customer's rows the export leaves out on purpose, and why.
NOT_EXPORTED_COLUMNS: dict[str, str] = {}


def register_export_section(
    name: str,
    collect: Callable[[DataSubject], Any],
    *,
    tables: tuple[str, ...] | list[str] = (),
) -> None:
    """Add (or replace) the export section ``name``, covering ``tables``."""
    _sections[name] = ExportSection(name, collect, tuple(tables))


def register_erasure(erase: Callable[[DataSubject], None]) -> None:
    """Run ``erase(subject)`` inside every erasure (an account's deletion, a guest's request),
    before the account row is deleted."""
    if erase not in _erasers:
        _erasers.append(erase)


def declare_not_personal(table: str, reason: str) -> None:
    NOT_PERSONAL_TABLES[table] = reason


def declare_not_exported(column: str, reason: str) -> None:
    """Leave ``"table.column"`` out of the export, e.g. a secret or an internal counter."""
    NOT_EXPORTED_COLUMNS[column] = reason


def exported_tables() -> set[str]:
    return {table for section in _sections.values() for table in section.tables}


def export_sections(subject: DataSubject) -> dict[str, Any]:
    """Every registered section for ``subject`` by name, in registration order (not yet passed
    through ``to_jsonable``)."""
    return {section.name: section.collect(subject) for section in _sections.values()}


def run_erasers(subject: DataSubject) -> None:
    """Run every registered eraser on ``subject``, in registration order, in the caller's
    transaction (no commit)."""
    for erase in _erasers:
        erase(subject)


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
