"""Account services: they own the transaction and commit."""

from __future__ import annotations

from sqlalchemy import func, select

from jomso.accounts.models import StaffRole, User
from jomso.accounts.passwords import hash_password, verify_password
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
    return user


def create_user(email: str, password: str, name: str = "", roles=()) -> User:
    user = User(email=normalize_email(email), password_hash=hash_password(password), name=name)
    user.roles = [StaffRole(role=str(role)) for role in roles]
    db.session.add(user)
    db.session.commit()
    return user
