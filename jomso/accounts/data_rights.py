"""The customer's data rights: download everything the shop holds (export), delete the account.

What goes into the export and what the deletion erases is collected by the registry in
``jomso.privacy.registry``, where every domain registers its sections and erasers. This module
registers what the accounts domain itself holds (the account, phones, addresses, sessions)
and does the two things the account area offers: ``export_user_data`` and ``delete_account``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from jomso.accounts.models import User
from jomso.accounts.validation import country_name
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import send_mail
from jomso.privacy.registry import (
    declare_not_exported,
    export_sections,
    register_export_section,
    row_dict,
    run_erasers,
    to_jsonable,
)

log = logging.getLogger(__name__)

EXPORT_FORMAT = "jomso-data-export"
EXPORT_FORMAT_VERSION = 1


def export_user_data(user: User) -> dict[str, Any]:
    """Everything the shop holds about ``user``, as a JSON-able dict (see the README)."""
    config = current_app.config
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow(),
        "shop": {"name": config["SHOP_NAME"], "email": config["SHOP_EMAIL"]},
    }
    data.update(export_sections(user))
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
        run_erasers(user)
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
declare_not_exported(
    "users.password_hash",
    "a one-way hash of the password: no use to its owner, a risk if leaked",
)
declare_not_exported("users.session_version", "a counter that ends all sessions when it changes")
declare_not_exported(
    "user_sessions.token_hash", "a hash of the session secret held in the browser's cookie"
)
