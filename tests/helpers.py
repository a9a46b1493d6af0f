"""Test helpers shared by the test modules: make accounts, sign in through the real form."""

from __future__ import annotations

from jomso.accounts.services import create_user

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
