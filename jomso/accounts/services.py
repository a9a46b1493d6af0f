"""Account services: registration, sign-in sessions, confirmation, password and email changes.

They own the transaction and commit, and send the emails that go with each step. They log
account ids, never addresses, names, passwords or tokens.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import ua_parser
from flask import current_app, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from jomso.accounts import tokens
from jomso.accounts.models import Address, Phone, StaffRole, User, UserSession
from jomso.accounts.passwords import hash_password, needs_rehash, verify_password
from jomso.accounts.signals import (
    account_opening,
    account_registered,
    email_changing,
    email_confirmed,
    profile_updated,
)
from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import send_mail

log = logging.getLogger(__name__)


# -- Finding and checking accounts ---------------------------------------------------------


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active account with this email and password, or None (same work either way)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


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


# -- Registration and email confirmation -----------------------------------------------------


@dataclass
class Registration:
    """What the registration form collected, already validated and normalised."""

    name: str
    email: str  # normalised
    password: str
    phones: list[str]  # E.164
    address: dict[str, str]  # line1, line2, city, region, postal_code, country
    newsletter: bool = False  # asked for new-product emails (the double opt-in starts)


def register(data: Registration) -> User | None:
    """Open an account and send the confirmation link; returns it.

    When the address already has an account nothing is created: that address gets a message
    saying someone tried to register with it, and None is returned. The visitor sees the same
    page either way, so the form does not reveal who has an account. Registration never gives
    a staff role.
    """
    existing = find_user_by_email(data.email)
    if existing is None:
        user = _open_account(data)
        if user is not None:
            # Newsletter starts the double opt-in when asked: its own confirmation link, first.
            account_registered.send(_app(), user=user, newsletter=data.newsletter)
            send_confirmation(user)
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
            login_url=url_for("accounts.login", _external=True),
            reset_url=url_for("accounts.password_reset_request", _external=True),
        )
    return None


def _open_account(data: Registration) -> User | None:
    """Store the new account with its phones, billing address and policy acceptance (added by
    privacy on ``account_opening``); None when the address was taken in the meantime."""
    user = User(email=data.email, password_hash=hash_password(data.password), name=data.name)
    user.phones = [Phone(number=n, position=i) for i, n in enumerate(data.phones)]
    user.addresses = [
        Address(name=data.name, is_default_billing=True, is_default_shipping=True, **data.address)
    ]
    db.session.add(user)
    try:
        db.session.flush()
        account_opening.send(_app(), user=user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    log.info("account %s registered", user.id)
    return user


def send_confirmation(user: User) -> bool:
    """Email ``user`` a link that confirms their address."""
    token = tokens.make_token(tokens.CONFIRM_EMAIL, user.id, user.email)
    return send_mail(
        user.email,
        _("Please confirm your email address"),
        "confirm_email",
        user=user,
        link=url_for("accounts.confirm_email", token=token, _external=True),
        days=tokens.MAX_AGE[tokens.CONFIRM_EMAIL] // 86400,
    )


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
    _announce_confirmed(user)
    return user, True


def _announce_confirmed(user: User) -> None:
    email_confirmed.send(_app(), user=user)


def _app():
    """The sender of the account signals."""
    return current_app._get_current_object()


# -- Sessions ---------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def describe_browser(user_agent: str) -> str:
    """Family, major version and system only, e.g. "Firefox 128 on Linux"."""
    if not user_agent:
        return ""
    result = ua_parser.parse(user_agent[:512])
    browser = result.user_agent
    system = result.os
    text = ""
    if browser and browser.family != "Other":
        text = f"{browser.family} {browser.major or ''}".strip()
    if system and system.family != "Other":
        text = f"{text} ({system.family})" if text else system.family
    return text[:120]


def sign_in(user: User, remember: bool = False) -> None:
    """Start a new session for ``user`` in this browser.

    The session is cleared first (nothing from before sign-in survives but
    ``session["cart_id"]``), a ``user_sessions`` row is made, then Flask-Login's ``login_user``
    runs and sends ``user_logged_in`` (the cart listens to merge a guest cart).
    """
    cart_id = session.get("cart_id")
    session.clear()
    if cart_id is not None:
        session["cart_id"] = cart_id
    config = current_app.config
    lifetime = (
        config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    )
    if isinstance(lifetime, timedelta):
        lifetime = lifetime.total_seconds()
    now = utcnow()
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    record = UserSession(
        user_id=user.id,
        token_hash=_token_hash(token),
        remember=remember,
        browser=describe_browser(request.user_agent.string),
        created_at=now,
        expires_at=now + timedelta(seconds=lifetime),
    )
    db.session.add(record)
    db.session.commit()
    record.token = token
    user.current_session = record
    login_user(user, remember=remember)
    log.info("account %s signed in", user.id)


def user_for_session(session_id: str) -> User | None:
    """The account behind ``<id>:<session_version>:<token>`` while its session row lives."""
    try:
        raw_id, raw_version, token = session_id.split(":", 2)
        user_id, version = int(raw_id), int(raw_version)
    except (AttributeError, ValueError):
        return None
    if not token:
        return None
    record = db.session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == _token_hash(token))
        .options(joinedload(UserSession.user))
    )
    if record is None or record.user_id != user_id or record.expires_at <= utcnow():
        return None
    user = record.user
    if user.session_version != version or not user.active:
        return None
    record.token = token
    user.current_session = record
    return user


def sign_out(user: User) -> None:
    """End this browser's session: its row, the Flask-Login state and the session cookie."""
    if getattr(user, "current_session", None) is not None:
        db.session.delete(user.current_session)
        db.session.commit()
        log.info("account %s signed out", user.id)
    logout_user()
    # Flask-Login marks the remember cookie for removal in the session; keep that mark.
    remember_mark = session.get("_remember")
    session.clear()
    if remember_mark:
        session["_remember"] = remember_mark


def end_all_sessions(user: User, commit: bool = True) -> None:
    """Sign the account out everywhere (staff disabling it, a password reset).

    ``commit=False`` leaves the commit to the caller, so that ending the sessions and the
    change that needs it (disabling the account, its access-log entry) are one transaction.
    """
    user.session_version += 1
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.current_session = None
    if commit:
        db.session.commit()
    log.info("account %s: all sessions ended", user.id)


def end_other_sessions(user: User) -> int:
    """End every session of ``user`` but the one this request runs in; returns how many."""
    keep = user.current_session.id if user.current_session else None
    result = db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.id != keep)
    )
    db.session.commit()
    return result.rowcount or 0


def end_session(user: User, session_id: int) -> bool:
    """End one of ``user``'s sessions by its row id; False when no such session of theirs."""
    record = db.session.scalar(
        select(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    )
    if record is None:
        return False
    db.session.delete(record)
    db.session.commit()
    return True


def active_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
            .order_by(UserSession.created_at.desc())
        )
    )


def purge_expired_sessions() -> int:
    """Delete session rows past their expiry (for the retention command); returns how many."""
    result = db.session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
    db.session.commit()
    return result.rowcount or 0


# -- Passwords ----------------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link when an active account has this address; otherwise do nothing.

    The caller shows the same answer either way.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        log.info("password reset asked for an address without an active account")
        return
    token = tokens.make_token(tokens.PASSWORD_RESET, user.id, user.password_hash)
    send_mail(
        user.email,
        _("Reset your password"),
        "password_reset",
        user=user,
        link=url_for("accounts.password_reset", token=token, _external=True),
        minutes=tokens.MAX_AGE[tokens.PASSWORD_RESET] // 60,
    )
    log.info("password reset link sent to account %s", user.id)


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
    end_all_sessions(user)  # commits
    log.info("account %s reset its password", user.id)
    if newly_confirmed:
        _announce_confirmed(user)
    _send_password_changed(user)


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Change the password when ``current_password`` is right; other sessions end."""
    if not verify_password(user.password_hash, current_password):
        return False
    user.password_hash = hash_password(new_password)
    db.session.commit()
    end_other_sessions(user)
    log.info("account %s changed its password", user.id)
    _send_password_changed(user)
    return True


def _send_password_changed(user: User) -> None:
    send_mail(
        user.email,
        _("Your password was changed"),
        "password_changed",
        user=user,
        reset_url=url_for("accounts.password_reset_request", _external=True),
    )


# -- Profile and email address ------------------------------------------------------------------


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
    profile_updated.send(_app(), user=user, newsletter=newsletter)


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
        return True
    user.pending_email = new_email
    db.session.commit()
    token = tokens.make_token(tokens.CHANGE_EMAIL, user.id, new_email)
    send_mail(
        new_email,
        _("Confirm your new email address"),
        "email_change",
        user=user,
        link=url_for("accounts.confirm_email_change", token=token, _external=True),
        hours=tokens.MAX_AGE[tokens.CHANGE_EMAIL] // 3600,
    )
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
    email_changing.send(_app(), user=user, new_email=new_email)
    user.email = new_email
    user.pending_email = None
    user.email_confirmed_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise EmailInUse from error
    log.info("account %s changed its email", user.id)
    _announce_confirmed(user)
    send_mail(
        old_email,
        _("Your email address was changed"),
        "email_changed",
        user=user,
        masked_email=mask_email(new_email),
    )
    return user


def mask_email(email: str) -> str:
    """``ann.example@example.com`` gives ``a********@example.com``: enough to recognise."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"
