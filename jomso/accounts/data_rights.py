"""The data rights: download everything the shop holds (export), erase it, delete the account.

What goes into the export and what an erasure erases is collected by the registry in
``jomso.privacy.registry``, where every domain registers its sections and erasers. This module
registers what the accounts domain itself holds (the account, phones, addresses, sessions),
the mail the shop holds for the person's addresses (``jomso.mail``'s queue: messages waiting,
and sent ones until ``purge`` deletes them), and does the things the account area and the
privacy requests offer, for any ``DataSubject``: ``export_data``, ``erase_data`` and, for the
account area, ``delete_account``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
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
    DataSubject,
    declare_not_exported,
    erase_from_files,
    export_sections,
    normalize_email,
    register_erasure,
    register_export_section,
    row_dict,
    run_erasers,
    to_jsonable,
)

log = logging.getLogger(__name__)

EXPORT_FORMAT = "jomso-data-export"
EXPORT_FORMAT_VERSION = 1


def export_data(subject: DataSubject) -> dict[str, Any]:
    """Everything the shop holds about ``subject``, as a JSON-able dict (see docs/privacy.md)."""
    config = current_app.config
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow(),
        "shop": {"name": config["SHOP_NAME"], "email": config["SHOP_EMAIL"]},
    }
    data.update(export_sections(subject))
    return to_jsonable(data)


def export_user_data(user: User, visitor_ids: Iterable[str | None] = ()) -> dict[str, Any]:
    """The account's own download: the account, its confirmed address, the asking browser."""
    data = export_data(DataSubject.of_account(user, visitor_ids))
    log.info("account %s exported its data", user.id)
    return data


def erase_data(subject: DataSubject) -> None:
    """Erase what the shop holds about ``subject``, in the caller's transaction (no commit).

    The registered erasers run first; then, when the subject has an account, the account goes
    with its addresses, phones, sessions and policy acceptances (``ON DELETE CASCADE``), and
    the confirmation of its deletion is queued (after the erasers, which delete the mail held
    for its addresses), to be forgotten once sent (``keep=False``). The caller, once it has
    committed, calls ``erase_from_files`` with ``mail_addresses(subject)``.
    """
    run_erasers(subject)
    user = subject.user
    if user is not None:
        send_mail(
            user.email, _("Your account was deleted"), "account_deleted", user=user, keep=False
        )
        db.session.delete(user)


def delete_account(user: User, visitor_ids: Iterable[str | None] = ()) -> None:
    """Delete the account and everything that is only about it, and email a confirmation.

    Everything runs in one transaction: if an eraser fails nothing is deleted (and no
    confirmation goes). Once all is committed, the outbox's copies of earlier mail to the
    account's addresses go and the write-ahead log is emptied (``erase_from_files``).
    """
    user_id = user.id
    subject = DataSubject.of_account(user, visitor_ids)
    addresses = mail_addresses(subject)
    try:
        erase_data(subject)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    erase_from_files(addresses)
    log.info("account %s deleted", user_id)


# -- What the accounts domain itself holds ------------------------------------------------------


def _account_section(subject: DataSubject) -> dict[str, Any] | None:
    user = subject.user
    if user is None:
        return None
    return row_dict(user, staff_roles=[{"role": role} for role in user.role_names])


def _phones_section(subject: DataSubject) -> list[dict[str, Any]]:
    return [row_dict(phone) for phone in subject.user.phones] if subject.user else []


def _addresses_section(subject: DataSubject) -> list[dict[str, Any]]:
    if subject.user is None:
        return []
    return [
        row_dict(address, country_name=country_name(address.country))
        for address in subject.user.addresses
    ]


def _sessions_section(subject: DataSubject) -> list[dict[str, Any]]:
    return [row_dict(record) for record in subject.user.sessions] if subject.user else []


def mail_addresses(subject: DataSubject) -> set[str]:
    """Mail is held by address: the proved ones, and an account's own and the one it is moving
    to (the mail sent there is about the account)."""
    addresses = set(subject.emails)
    if subject.user is not None:
        user = subject.user
        addresses |= {normalize_email(a) for a in (user.email, user.pending_email) if a}
    return addresses


def _mail_section(subject: DataSubject) -> list[dict[str, Any]]:
    """Messages held for the person's addresses: to whom, the subject, what kind, whether and
    when sent. The message itself is left out: it is the email its owner received, and it may
    hold a link that still works (a password reset)."""
    rows = db.session.scalars(
        select(OutgoingMail)
        .where(OutgoingMail.to_address.in_(sorted(mail_addresses(subject))))
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
            "attempts": row.attempts,
            "failed_at": row.failed_at,
            "last_error": row.last_error,
        }
        for row in rows
    ]


def _erase_mail(subject: DataSubject) -> None:
    """Every message held for the person's addresses goes, sent or waiting (the confirmation
    of the erasure is queued after the erasers, and not kept once sent)."""
    db.session.execute(
        delete(OutgoingMail)
        .where(OutgoingMail.to_address.in_(sorted(mail_addresses(subject))))
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
declare_not_exported(
    "outgoing_mail.message",
    "the email itself while it waits (its owner receives it), then its headers only",
)
declare_not_exported("outgoing_mail.claim", "a mail sender's lease on the row")
declare_not_exported("outgoing_mail.claimed_until", "a mail sender's lease on the row")
declare_not_exported("outgoing_mail.next_attempt_at", "when the sender tries again")
declare_not_exported(
    "outgoing_mail.forget_when_sent", "whether the sender deletes the row once the mail is sent"
)
declare_not_exported("users.session_version", "a counter that ends all sessions when it changes")
declare_not_exported(
    "user_sessions.token_hash", "a hash of the session secret held in the browser's cookie"
)
