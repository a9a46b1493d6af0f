"""How Flask-Login finds the account behind a session: ``<id>:<session_version>:<token>``.

The token is the random key of a ``user_sessions`` row (stored hashed): signing out deletes the
row, so a copied cookie stops working. Bumping ``User.session_version`` (or
``user_sessions.end_all_sessions``) ends every session of that account at once.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from jomso.accounts.models import User
from jomso.accounts.user_sessions import user_for_session
from jomso.extensions import login_manager

login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return user_for_session(user_id)
