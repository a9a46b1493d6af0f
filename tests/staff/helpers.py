"""Helpers for the staff and access-log tests."""

from __future__ import annotations

from sqlalchemy import select

from jomso.audit.models import AccessLogEntry
from jomso.extensions import db
from tests.conftest import csrf_token_from
from tests.helpers import PASSWORD, login, make_user

STRONG_PASSWORD = "maple quartz lantern 42 river"


def staff_client(app, role: str, email: str | None = None):
    """A test client signed in as a new staff member holding ``role``."""
    email = email or f"{role}@staff.example.org"
    make_user(app, email=email, name=f"{role.title()} Person", roles=[role])
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def post_form(client, url: str, data: dict | None = None, page_url: str | None = None, **kw):
    """Post ``data`` to ``url`` with the CSRF token of the page at ``page_url`` (or ``url``)."""
    page = client.get(page_url or url)
    payload = {"csrf_token": csrf_token_from(page.text), **(data or {})}
    return client.post(url, data=payload, **kw)


def log_entries(app, **where) -> list[AccessLogEntry]:
    """Access-log entries matching column=value pairs, oldest first."""
    with app.app_context():
        query = select(AccessLogEntry).order_by(AccessLogEntry.id)
        for column, value in where.items():
            query = query.where(getattr(AccessLogEntry, column) == value)
        entries = db.session.scalars(query).all()
        db.session.expunge_all()
        return entries


__all__ = ["PASSWORD", "STRONG_PASSWORD", "log_entries", "post_form", "staff_client"]
