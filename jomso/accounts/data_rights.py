"""The customer's data rights: download everything the shop holds (export), delete the account.

Every domain that stores data about a customer takes part through two registries:

- ``register_export_section(name, fn, tables=(...))``: ``fn(user)`` returns something JSON-able
  that goes into the export under ``name``; ``tables`` names the tables it covers. The
  convention is one object per row whose keys are the column names (``row_dict`` builds it).
- ``register_erasure(fn)``: ``fn(user)`` runs inside the deletion transaction, before the
  account row goes (orders anonymise their personal fields and unlink, analytics unlinks).
  Rows in tables with ``ON DELETE CASCADE`` to ``users.id`` go with the account anyway.

A table that links to ``users.id`` but holds nothing about that person (who published a policy
version, for example) is declared with ``declare_not_personal``. The tests walk the schema and
fail when a table linked to users is in neither list, or when a column of a customer's rows is
missing from the export (besides ids, foreign keys and ``NOT_EXPORTED_COLUMNS``).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import inspect

from jomso.accounts.models import User
from jomso.accounts.validation import country_name
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import send_mail

log = logging.getLogger(__name__)

EXPORT_FORMAT = "jomso-data-export"
EXPORT_FORMAT_VERSION = 1


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
NOT_EXPORTED_COLUMNS: dict[str, str] = {
    "users.password_hash": "a one-way hash of the password: no use to its owner, a risk if leaked",
    "users.session_version": "a counter that ends all sessions when it changes",
    "user_sessions.token_hash": "a hash of the session secret held in the browser's cookie",
}


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


def export_user_data(user: User) -> dict[str, Any]:
    """Everything the shop holds about ``user``, as a JSON-able dict (see the README)."""
    config = current_app.config
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow(),
        "shop": {"name": config["SHOP_NAME"], "email": config["SHOP_EMAIL"]},
    }
    for section in _sections.values():
        data[section.name] = section.collect(user)
    log.info("account %s exported its data", user.id)
    return to_jsonable(data)


def delete_account(user: User) -> None:
    """Delete the account and everything that is only about it, then email a confirmation.

    The registered erasers run first, in the same transaction: if one fails nothing is
    deleted. Addresses, phones, sessions and policy acceptances go with the account
    row (``ON DELETE CASCADE``).
    """
    user_id, email, name = user.id, user.email, user.name
    try:
        for erase in _erasers:
            erase(user)
        db.session.delete(user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("account %s deleted", user_id)
    send_mail(email, _("Your account was deleted"), "account_deleted", name=name)


# -- What the accounts domain itself holds ------------------------------------------------------


def _account_section(user: User) -> dict[str, Any]:
    return row_dict(user, staff_roles=[{"role": role} for role in user.role_names])


def _phones_section(user: User) -> list[dict[str, Any]]:
    return [row_dict(phone) for phone in user.phones]


def _addresses_section(user: User) -> list[dict[str, Any]]:
    return [
        row_dict(address, country_name=country_name(address.country)) for address in user.addresses
    ]


def _sessions_section(user: User) -> list[dict[str, Any]]:
    return [row_dict(record) for record in user.sessions]


register_export_section("account", _account_section, tables=("users", "staff_roles"))
register_export_section("phones", _phones_section, tables=("phones",))
register_export_section("addresses", _addresses_section, tables=("addresses",))
register_export_section("sessions", _sessions_section, tables=("user_sessions",))
