"""Finding and checking accounts: by email address (case-insensitively), and by email and
password at sign-in.

``authenticate`` owns the transaction and commits when it upgrades an old password hash. Nothing
here logs, so no address, name, password or token is written to the log.
"""

from __future__ import annotations

from sqlalchemy import func, select

from jomso.accounts.models import User
from jomso.accounts.passwords import hash_password, needs_rehash, verify_password
from jomso.extensions import db


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
