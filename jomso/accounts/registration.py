"""Opening accounts and confirming their email address: registration (name, email and password
only, and the signals other domains listen to), the confirmation link, accounts made by the
operator or a test. ``announce_confirmed`` and ``signal_sender`` are here too, for password and
profile changes to use.

These functions own the transaction and commit, and queue the emails that go with each step
(``send_mail``) before the commit that makes them real. They log account ids, never addresses,
names, passwords or tokens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from jomso.accounts import tokens
from jomso.accounts.lookup import find_user_by_email, normalize_email
from jomso.accounts.models import StaffRole, User
from jomso.accounts.passwords import hash_password
from jomso.accounts.signals import account_opening, account_registered, email_confirmed
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import send_mail
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)


def create_user(
    email: str, password: str, name: str = "", roles=(), confirmed: bool = False
) -> User:
    """An account made by the operator or a test (no validation, no email sent)."""
    user = User(email=normalize_email(email), password_hash=hash_password(password), name=name)
    user.roles = [StaffRole(role=str(role)) for role in roles]
    if confirmed:
        user.email_confirmed_at = utcnow()
    db.session.add(user)
    db.session.commit()
    return user


@dataclass
class Registration:
    """What the registration form collected, already validated and normalised."""

    name: str
    email: str  # normalised
    password: str
    newsletter: bool = False  # asked for new-product emails (the double opt-in starts)


def register(data: Registration) -> User | None:
    """Open an account and send the confirmation link; returns it (the view signs it in).

    When the address already has an account nothing is created and nobody is signed in: that
    address gets a message saying someone tried to register with it, and None is returned.
    The page the visitor sees says the same words either way; only whether they are signed in
    differs (docs/privacy.md says what that reveals). Registration never gives a staff role,
    and links no guest order: that waits for the confirmed address (``email_confirmed``).

    The confirmation link is queued in a transaction of its own right after the account's,
    once the newsletter has queued its own link (when asked), so that the account's link is
    the newest message; were the process to die in between, the account page offers to send
    the link again.
    """
    existing = find_user_by_email(data.email)
    if existing is None:
        user = _open_account(data)
        if user is not None:
            # Newsletter starts the double opt-in when asked: its own confirmation link, first.
            account_registered.send(signal_sender(), user=user, newsletter=data.newsletter)
            send_confirmation(user)  # commits
            return user
        existing = find_user_by_email(data.email)  # registered a moment ago by another request
    else:
        hash_password(data.password)  # the same work as a real registration
    if existing is not None:
        log.info("registration attempt for existing account %s", existing.id)
        send_mail(
            existing.email,
            _("Someone tried to open an account with your address"),
            "register_existing",
            user=existing,
            login_url=shop_url_for("accounts.login"),
            reset_url=shop_url_for("accounts.password_reset_request"),
        )
        db.session.commit()
    return None


def _open_account(data: Registration) -> User | None:
    """Store the new account with its policy acceptance (added by privacy on
    ``account_opening``); None when the address was taken in the meantime."""
    user = User(email=data.email, password_hash=hash_password(data.password), name=data.name)
    db.session.add(user)
    try:
        db.session.flush()
        account_opening.send(signal_sender(), user=user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    log.info("account %s registered", user.id)
    return user


def send_confirmation(user: User) -> bool:
    """Email ``user`` a link that confirms their address. Commits."""
    token = tokens.make_token(tokens.CONFIRM_EMAIL, user.id, user.email)
    queued = send_mail(
        user.email,
        _("Please confirm your email address"),
        "confirm_email",
        user=user,
        link=shop_url_for("accounts.confirm_email", token=token),
        days=tokens.MAX_AGE[tokens.CONFIRM_EMAIL] // 86400,
    )
    db.session.commit()
    return queued


def confirm_email(token: str) -> tuple[User, bool]:
    """Confirm the address the link was sent to: (the account, whether this confirmed it now).

    Raises ``tokens.InvalidToken`` for a bad or expired link, or one for an address the
    account no longer has.
    """
    user_id, bound = tokens.read_token(tokens.CONFIRM_EMAIL, token)
    user = db.session.get(User, user_id)
    if user is None or not tokens.matches(bound, user.email):
        raise tokens.InvalidToken
    if user.email_confirmed_at is not None:
        return user, False
    user.email_confirmed_at = utcnow()
    db.session.commit()
    log.info("account %s confirmed its email", user.id)
    announce_confirmed(user)
    return user, True


def announce_confirmed(user: User) -> None:
    """Tell the listeners of ``email_confirmed`` (after the commit that confirmed it)."""
    email_confirmed.send(signal_sender(), user=user)


def signal_sender():
    """The sender of the account signals."""
    return current_app._get_current_object()
