"""Accounts: customers and staff share one table; staff are accounts holding roles.

Everything here that belongs to one person (phones, addresses, sessions) hangs off
``users.id`` with ``ON DELETE CASCADE``, so deleting the account deletes it too; the export in
``data_rights.py`` lists every such column (a test holds it to that).
"""

from __future__ import annotations

from datetime import datetime

from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jomso.accounts.session_values import MISSING, session_value
from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db
from jomso.permissions import Permission, permissions_for


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # Ids are never reused, so "deleted account #7" in the access log names one account for
    # good: AUTOINCREMENT on SQLite; PostgreSQL's sequence never goes back anyway.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness holds regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new address waiting for its confirmation link to be followed.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped to end every session of this account (with the rows in user_sessions).
    session_version: Mapped[int] = mapped_column(default=1)
    # A staff member's own choice: an email for each new order (sent only while they hold a
    # role that sees orders; ``jomso.orders.staff_notices``).
    notify_new_orders: Mapped[bool] = mapped_column(default=False, server_default=false())

    roles: Mapped[list[StaffRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    phones: Mapped[list[Phone]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Phone.position",
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Address.id",
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="UserSession.created_at",
    )

    # The server-side session this request runs in (a UserSession, or None); set by the user
    # loader, which may give a function that makes it when first asked for, and at sign-in.
    _current_session = None

    @property
    def current_session(self) -> UserSession | None:
        record = self._current_session
        if callable(record):
            record = self._current_session = record()
        return record

    @current_session.setter
    def current_session(self, record) -> None:
        self._current_session = record

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        """``<id>:<session_version>:<session token>``: what the session cookie carries.

        The token is the random key of this browser's ``user_sessions`` row (the table keeps
        only its hash), so a copied cookie stops working once that row is gone.
        """
        token = self.current_session.token if self.current_session else ""
        return f"{self.id}:{self.session_version}:{token}"

    @property
    def role_names(self) -> list[str]:
        # Read with the signed-in session (``user_sessions``) on every page, until the request
        # writes; the roles' rows otherwise.
        read = session_value("role_names", self.id)
        if read is not MISSING:
            return sorted(read.split(",")) if read else []
        return sorted(r.role for r in self.roles)

    @property
    def is_staff(self) -> bool:
        return bool(self.role_names)

    def can(self, permission: Permission) -> bool:
        return permission in permissions_for(self.role_names)

    @property
    def default_billing_address(self) -> Address | None:
        return next((a for a in self.addresses if a.is_default_billing), None)

    @property
    def default_shipping_address(self) -> Address | None:
        return next((a for a in self.addresses if a.is_default_shipping), None)


class StaffRole(db.Model):
    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles")


class UserSession(db.Model):
    """One signed-in browser. The cookie holds a random token; this row holds its SHA-256."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    # Browser family, version and system only ("Firefox 128 on Linux"), to recognise a device.
    browser: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    user: Mapped[User] = relationship(back_populates="sessions")

    # The raw token, known only in the request that created the row.
    token = ""


class Phone(db.Model):
    __tablename__ = "phones"
    __table_args__ = (UniqueConstraint("user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +12025550143
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="phones")


class Address(db.Model):
    """An address in a customer's address book; at most one default for billing and one for
    shipping per customer (kept so by ``addresses.py``)."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # the recipient
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    is_default_billing: Mapped[bool] = mapped_column(default=False)
    is_default_shipping: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="addresses")


class AnonymousUser(AnonymousUserMixin):
    is_staff = False
    is_confirmed = False
    role_names: list[str] = []

    def can(self, permission: Permission) -> bool:
        return False
