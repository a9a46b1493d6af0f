"""Test helpers shared by every domain's tests: make accounts, sign in through the real form,
count the SQL statements a request runs."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from jomso.accounts.registration import create_user
from jomso.extensions import db

PASSWORD = "correct horse battery staple"


def make_user(app, email="ann@example.com", password=PASSWORD, name="Ann Example", roles=()):
    """Create an account; returns its id."""
    with app.app_context():
        return create_user(email, password, name=name, roles=roles).id


def login(client, email="ann@example.com", password=PASSWORD, follow=False):
    """Sign in through the login form, CSRF token included, as a browser would."""
    from tests.conftest import csrf_token_from

    page = client.get("/account/login")
    return client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": csrf_token_from(page.text)},
        follow_redirects=follow,
    )


@contextmanager
def counting_statements(app):
    """Collects the SQL statements the app's engine runs inside the ``with`` block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
