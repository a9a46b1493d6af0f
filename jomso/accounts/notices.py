"""Site-wide notices for the signed-in customer (``templates/partials/notices.html``): an
unconfirmed email address, and whatever other domains register with ``register_notice``
(privacy: a privacy policy changed since they accepted it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, request
from flask_login import current_user

from jomso.accounts.blueprint import bp
from jomso.accounts.models import User
from jomso.visitor_pieces import EMPTY, PERSONAL, piece_key, register_blank

_providers: dict[str, Callable[[User], Any]] = {}


def register_notice(name: str, provide: Callable[[User], Any]) -> None:
    """Add (or replace) ``account_notices()[name]``: ``provide(user)`` for the signed-in
    customer, asked only when the partial renders; a falsy value means nothing to tell."""
    _providers[name] = provide


def account_notices() -> dict:
    """What to tell the signed-in customer; asked once per request, when the partial is made."""
    if not current_user.is_authenticated:
        return {}
    notices = g.get("_account_notices")
    if notices is None:
        notices = {"unconfirmed": not current_user.is_confirmed}
        for name, provide in _providers.items():
            notices[name] = provide(current_user)
        g._account_notices = notices
    return notices


def _notices_piece():
    # Made once per set of notices, the customer's email a blank put in for each; not at all
    # when there is none. After a POST (a form shown again) the forms' ``next`` is empty.
    notices = account_notices()
    if not any(notices.values()):
        return EMPTY
    if request.method != "GET":
        return PERSONAL
    policy = notices.get("changed_policy")
    return (bool(notices.get("unconfirmed")), policy.version if policy else None)


def _account_nav_piece():
    # The account links show only whether the visitor is signed in, and staff.
    signed_in = current_user.is_authenticated
    return (signed_in, signed_in and bool(current_user.is_staff))


piece_key("partials/notices.html", _notices_piece)
register_blank("account_email", lambda: current_user.email)
piece_key("partials/account_nav.html", _account_nav_piece)


@bp.app_context_processor
def _notices():
    return {"account_notices": account_notices}
