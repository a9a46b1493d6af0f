"""Site-wide notices for the signed-in customer (``templates/partials/notices.html``): an
unconfirmed email address, and whatever other domains register with ``register_notice``
(privacy: a privacy policy changed since they accepted it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_login import current_user

from jomso.accounts.blueprint import bp
from jomso.accounts.models import User

_providers: dict[str, Callable[[User], Any]] = {}


def register_notice(name: str, provide: Callable[[User], Any]) -> None:
    """Add (or replace) ``account_notices()[name]``: ``provide(user)`` for the signed-in
    customer, asked only when the partial renders; a falsy value means nothing to tell."""
    _providers[name] = provide


@bp.app_context_processor
def _notices():
    def account_notices() -> dict:
        """What to tell the signed-in customer; queried only when the partial asks."""
        if not current_user.is_authenticated:
            return {}
        notices = {"unconfirmed": not current_user.is_confirmed}
        for name, provide in _providers.items():
            notices[name] = provide(current_user)
        return notices

    return {"account_notices": account_notices}
