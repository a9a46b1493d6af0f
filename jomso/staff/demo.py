"""Demo staff accounts, one per role, for ``seed-demo``. Demo shops only."""

from __future__ import annotations

import secrets

from jomso.accounts.lookup import find_user_by_email
from jomso.accounts.passwords import hash_password
from jomso.accounts.user_sessions import end_all_sessions
from jomso.extensions import db
from jomso.permissions import ROLE_LABELS, Role
from jomso.staff.services import create_staff

DEMO_DOMAIN = "staff.example.com"  # reserved for examples: no real mailbox can receive mail


def create_demo_staff() -> list[tuple[str, str, list[str]]]:
    """One staff member per role (``owner@staff.example.com``, ...), each with a new random
    password. Run again, it gives the same accounts new passwords. Returns (email, password,
    roles) for the command to print once; the passwords are stored only as hashes."""
    made = []
    for role in Role:
        email = f"{role.value}@{DEMO_DOMAIN}"
        password = secrets.token_urlsafe(12)
        user = find_user_by_email(email)
        if user is None:
            user, _created = create_staff(email, password, [role], name=f"Demo {ROLE_LABELS[role]}")
        else:
            user.password_hash = hash_password(password)
            user.active = True
            end_all_sessions(user, commit=False)
            db.session.commit()
            user, _created = create_staff(email, None, [role])
        made.append((user.email, password, user.role_names))
    return made
