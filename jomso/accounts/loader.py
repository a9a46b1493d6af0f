"""How Flask-Login finds the account behind a session: ``<id>:<session_version>``.

Bumping ``User.session_version`` ends every session of that account at once.
"""

from __future__ import annotations

from jomso.accounts.models import User
from jomso.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
        version = int(raw_version)
    except (ValueError, TypeError):
        return None
    if user is None or user.session_version != version or not user.active:
        return None
    return user
