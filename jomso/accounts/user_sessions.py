"""Sign-in sessions: one ``user_sessions`` row per signed-in browser. Signing in and out,
finding the account behind a session cookie, ending one, the others or all of an account's
sessions, listing them, and purging expired rows.

These functions own the transaction and commit (``end_all_sessions`` can leave it to the
caller). They log account ids, never addresses, names, passwords or tokens.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

import ua_parser
from flask import current_app, g, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy import inspect as sa_inspect

from jomso import attached_rows
from jomso.accounts import session_values
from jomso.accounts.models import StaffRole, User, UserSession
from jomso.database import read_row, utcnow
from jomso.extensions import db

log = logging.getLogger(__name__)


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
    # The CSRF token Flask-WTF cached for this request belongs to the cleared session: a page
    # rendered after signing in (registration's) must get one of the new session.
    g.pop("csrf_token", None)  # Flask-WTF's default field name, which the shop keeps
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
    # One statement: the session, its account, and the values read with it (session_values:
    # the staff roles' names the header asks for, the cart count, the policy accepted...).
    values = read_row(_session_statement(), {"token_hash": _token_hash(token)})
    if values is None:
        return None
    if values["s_user_id"] != user_id or values["s_expires_at"] <= utcnow():
        return None
    if values["u_session_version"] != version or not values["u_active"]:
        return None
    user = _attached(User, values, "u_", when_used=_account_attached_when_used())

    def record() -> UserSession:  # made when asked for (signing out, the sessions page)
        made = _attached(UserSession, values, "s_")
        made.token = token
        return made

    user.current_session = record
    session_values.remember(
        user.id, {name: values[f"session_value_{name}"] for name in session_values.names()}
    )
    return user


def _attached(model, values, prefix: str, when_used: bool = False):
    """The ``model`` row in ``values`` (columns named ``prefix`` + attribute) in the request's
    ORM session as if loaded by a query, without one (``jomso.attached_rows``): the instance
    already there, or one made from the values. ``when_used``: if the request has no ORM
    session yet, the row goes in when it makes one (none, on a page from the page cache)."""
    registry = db.session.registry
    if when_used and not registry.has():
        instance = attached_rows.detached(model, values, prefix)
        attached_rows.attach_when_made(instance)
        return instance
    return attached_rows.attach(registry(), attached_rows.detached(model, values, prefix))


def account_attached_when_used(view):
    """Mark a view whose page asks of the signed-in account only its own columns and the
    values read with its session (the header's name, the cart's count): there the account
    goes into the request's ORM session only if the request makes one. Every page from the
    page cache is such a page (``page_cache.cached_page``)."""
    view.account_attached_when_used = True
    return view


def _account_attached_when_used() -> bool:
    if not has_request_context():
        return False
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "account_attached_when_used", False)


_statements: dict[tuple[str, ...], Select] = {}

session_values.register_session_value(
    "role_names",
    lambda user_id: select(func.aggregate_strings(StaffRole.role, ","))
    .where(StaffRole.user_id == user_id)
    .scalar_subquery(),
)


def _labelled(model, prefix: str) -> list:
    return [attr.columns[0].label(prefix + attr.key) for attr in sa_inspect(model).column_attrs]


def _session_statement() -> Select:
    """The session's statement, built once per set of registered values (not per request):
    plain columns, the roles as names, so that no ORM loading runs."""
    key = tuple(session_values.names())
    statement = _statements.get(key)
    if statement is None:
        columns = [
            *_labelled(UserSession, "s_"),
            *_labelled(User, "u_"),
            *session_values.columns(UserSession.user_id),
        ]
        statement = _statements[key] = (
            select(*columns)
            .select_from(UserSession)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == bindparam("token_hash"))
        )
    return statement


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
