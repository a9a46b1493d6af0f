"""The customer's data rights: download everything the shop holds (export), delete the account.

What goes into the export and what the deletion erases is collected by the registry in
``jomso.privacy.registry``, where every domain registers its sections and erasers. This module
registers what the accounts domain itself holds (the account, phones, addresses, sessions),
the mail the shop holds for the account's addresses (``jomso.mail``'s queue: messages waiting,
and sent ones until ``purge`` deletes them), and does the two things the account area offers:
``export_user_data`` and ``delete_account``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from jomso.accounts.models import User
from jomso.accounts.validation import country_name
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import OutgoingMail, message_subject, send_mail
from jomso.privacy.registry import (
    declare_not_exported,
    erase_from_files,
    export_sections,
    register_erasure,
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
    """Delete the account and everything that is only about it, and email a confirmation.

    The registered erasers run first, in the same transaction: if one fails nothing is
    deleted (and no confirmation goes). Addresses, phones, sessions and policy acceptances go
    with the account row (``ON DELETE CASCADE``). The confirmation is sent without keeping a
    copy (``keep=False``); once all is committed, the outbox's copies of earlier mail to the
    account's addresses go and the write-ahead log is emptied (``erase_from_files``).
    """
    user_id, email, addresses = user.id, user.email, _mail_addresses(user)
    try:
        run_erasers(user)
        send_mail(email, _("Your account was deleted"), "account_deleted", user=user, keep=False)
        db.session.delete(user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    erase_from_files(addresses)
    log.info("account %s deleted", user_id)


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


def _mail_addresses(user: User) -> set[str]:
    """Mail is held by address: the account's, and the one it is moving to."""
    return {a.strip().lower() for a in (user.email, user.pending_email) if a}


def _mail_section(user: User) -> list[dict[str, Any]]:
    """Messages held for the account's addresses: to whom, the subject, what kind, whether and
    when sent. The message itself is left out: it is the email its owner received, and it may
    hold a link that still works (a password reset)."""
    rows = db.session.scalars(
        select(OutgoingMail)
        .where(OutgoingMail.to_address.in_(_mail_addresses(user)))
        .order_by(OutgoingMail.id)
    )
    return [
        {
            "to_address": row.to_address,
            "subject": message_subject(row.message),
            "template": row.template,
            "state": row.state,
            "created_at": row.created_at,
            "sent_at": row.sent_at,
        }
        for row in rows
    ]


def _erase_mail(user: User) -> None:
    """Every message held for the account's addresses goes, sent or waiting (the deletion's
    own confirmation is queued after the erasers, and not kept once sent)."""
    db.session.execute(
        delete(OutgoingMail)
        .where(OutgoingMail.to_address.in_(_mail_addresses(user)))
        .execution_options(synchronize_session=False)
    )


register_export_section("account", _account_section, tables=("users", "staff_roles"))
register_export_section("phones", _phones_section, tables=("phones",))
register_export_section("addresses", _addresses_section, tables=("addresses",))
register_export_section("sessions", _sessions_section, tables=("user_sessions",))
register_export_section("mail", _mail_section, tables=("outgoing_mail",))
register_erasure(_erase_mail)
declare_not_exported(
    "users.password_hash",
    "a one-way hash of the password: no use to its owner, a risk if leaked",
)
declare_not_exported("users.session_version", "a counter that ends all sessions when it changes")
declare_not_exported(
    "user_sessions.token_hash", "a hash of the session secret held in the browser's cookie"
)
