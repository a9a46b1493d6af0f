"""Profile changes: the name, phone numbers and new-product emails choice, and moving the
account to a new email address (confirmed by a link sent there, the old address told).

These functions own the transaction and commit, and queue the emails that go with each step
in the transaction of the change. They log account ids, never addresses, names, passwords or
tokens.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from jomso.accounts import tokens
from jomso.accounts.lookup import find_user_by_email
from jomso.accounts.models import Phone, User
from jomso.accounts.passwords import verify_password
from jomso.accounts.registration import announce_confirmed, signal_sender
from jomso.accounts.signals import email_changing, profile_updated
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import send_mail
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)


def update_profile(user: User, name: str, phones: list[str], newsletter: bool) -> None:
    """Save the name, the phone numbers (in this order) and the new-product emails choice
    (newsletter, on ``profile_updated``: ticking starts the double opt-in, unticking
    unsubscribes)."""
    user.name = name
    existing = {phone.number: phone for phone in user.phones}
    kept = []
    for position, number in enumerate(phones):
        phone = existing.pop(number, None) or Phone(number=number)
        phone.position = position
        kept.append(phone)
    user.phones = kept
    db.session.commit()
    profile_updated.send(signal_sender(), user=user, newsletter=newsletter)


def request_email_change(user: User, current_password: str, new_email: str) -> bool:
    """Send a confirmation link to ``new_email``; False when the password is wrong.

    When the new address already belongs to another account, that address is told someone
    tried to use it instead, and the answer is the same.
    """
    if not verify_password(user.password_hash, current_password):
        return False
    if find_user_by_email(new_email) is not None:
        log.info("account %s asked to move to an address already in use", user.id)
        send_mail(new_email, _("Your email address was entered on our shop"), "email_in_use")
        db.session.commit()
        return True
    user.pending_email = new_email
    token = tokens.make_token(tokens.CHANGE_EMAIL, user.id, new_email)
    send_mail(
        new_email,
        _("Confirm your new email address"),
        "email_change",
        user=user,
        link=shop_url_for("accounts.confirm_email_change", token=token),
        hours=tokens.MAX_AGE[tokens.CHANGE_EMAIL] // 3600,
    )
    db.session.commit()
    log.info("account %s asked to change its email", user.id)
    return True


def cancel_email_change(user: User) -> None:
    user.pending_email = None
    db.session.commit()


class EmailInUse(Exception):
    """The new address was taken by another account before the link was followed."""


def confirm_email_change(token: str) -> User:
    """Move the account to the address the link was sent to, and tell the old address.

    Raises ``tokens.InvalidToken`` (bad, expired, used or cancelled link) or ``EmailInUse``.
    """
    user_id, bound = tokens.read_token(tokens.CHANGE_EMAIL, token)
    user = db.session.get(User, user_id)
    if user is None or not tokens.matches(bound, user.pending_email):
        raise tokens.InvalidToken
    new_email, old_email = user.pending_email, user.email
    if find_user_by_email(new_email) is not None:
        raise EmailInUse
    # The subscription moves to the new address too (newsletter listens), in this transaction.
    email_changing.send(signal_sender(), user=user, new_email=new_email)
    user.email = new_email
    user.pending_email = None
    user.email_confirmed_at = utcnow()
    send_mail(
        old_email,
        _("Your email address was changed"),
        "email_changed",
        user=user,
        masked_email=mask_email(new_email),
    )
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise EmailInUse from error
    log.info("account %s changed its email", user.id)
    announce_confirmed(user)
    return user


def mask_email(email: str) -> str:
    """``ann.example@example.com`` gives ``a********@example.com``: enough to recognise."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"
