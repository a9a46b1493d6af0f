"""Password changes: a forgotten password reset through an emailed link, and a change made
by a signed-in account with its current password. Either ends sessions and sends a notice.

These functions own the transaction and commit, and queue the emails that go with each step
in the transaction of the change. They log account ids, never addresses, names, passwords or
tokens.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from jomso.accounts import tokens
from jomso.accounts.lookup import normalize_email
from jomso.accounts.models import User
from jomso.accounts.passwords import hash_password, verify_password
from jomso.accounts.registration import announce_confirmed
from jomso.accounts.user_sessions import end_all_sessions, end_other_sessions
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import build_message, send_mail
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)


def request_password_reset(email: str) -> None:
    """Email a reset link when an active account has this address; otherwise do nothing.

    The caller shows the same answer either way, and it takes as long: in both cases the link's
    message is made (for an unknown address it is then dropped), and the mail server is spoken
    to later, by the sender. The one difference left is the INSERT of the queued row.
    """
    # Without its staff roles, which the link does not need: the same one statement as for an
    # address without an account.
    user = db.session.scalar(
        select(User)
        .where(func.lower(User.email) == normalize_email(email))
        .options(lazyload(User.roles))
    )
    if user is None or not user.active:
        log.info("password reset asked for an address without an active account")
        build_message(**_reset_link_message(email, None, 0, ""))  # made, dropped
        return
    user_id = user.id
    send_mail(**_reset_link_message(user.email, user, user.id, user.password_hash))
    db.session.commit()
    log.info("password reset link queued for account %s", user_id)


def _reset_link_message(to: str, user: User | None, user_id: int, bound: str) -> dict:
    """What ``send_mail`` needs for the reset link's message."""
    token = tokens.make_token(tokens.PASSWORD_RESET, user_id, bound)
    return {
        "to": to,
        "subject": _("Reset your password"),
        "template": "password_reset",
        "user": user,
        "link": shop_url_for("accounts.password_reset", token=token),
        "minutes": tokens.MAX_AGE[tokens.PASSWORD_RESET] // 60,
    }


def user_for_reset_token(token: str) -> User:
    """The account a reset link is for; raises ``tokens.InvalidToken`` when the link is bad,
    expired, or already used (the password changed since it was made)."""
    user_id, bound = tokens.read_token(tokens.PASSWORD_RESET, token)
    user = db.session.get(User, user_id)
    if user is None or not user.active or not tokens.matches(bound, user.password_hash):
        raise tokens.InvalidToken
    return user


def reset_password(user: User, new_password: str) -> None:
    """Set a new password from a reset link; every session of the account ends.

    Following the link proves the mailbox, so an unconfirmed address becomes confirmed.
    """
    user.password_hash = hash_password(new_password)
    newly_confirmed = user.email_confirmed_at is None
    if newly_confirmed:
        user.email_confirmed_at = utcnow()
    _send_password_changed(user)
    end_all_sessions(user)  # commits, the notice with it
    log.info("account %s reset its password", user.id)
    if newly_confirmed:
        announce_confirmed(user)


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Change the password when ``current_password`` is right; other sessions end."""
    if not verify_password(user.password_hash, current_password):
        return False
    user.password_hash = hash_password(new_password)
    _send_password_changed(user)
    db.session.commit()
    end_other_sessions(user)
    log.info("account %s changed its password", user.id)
    return True


def _send_password_changed(user: User) -> None:
    """Queue the notice in the caller's transaction."""
    send_mail(
        user.email,
        _("Your password was changed"),
        "password_changed",
        user=user,
        reset_url=shop_url_for("accounts.password_reset_request"),
    )
