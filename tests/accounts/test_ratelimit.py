"""Rate limits on sign-in, registration and password reset, with the friendly 429 page.

The shared test config turns rate limiting off; these tests build an app with it on.
"""

from __future__ import annotations

import re

import pytest

from tests.accounts.helpers import build_app, dispose_app, post_form, registration
from tests.helpers import PASSWORD, make_user


@pytest.fixture
def limited_app(tmp_path, monkeypatch):
    app = build_app(
        tmp_path, monkeypatch, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"
    )
    yield app
    dispose_app(app)


WRONG = "wrong password here"


def _login(client, email, password=WRONG):
    return post_form(client, "/account/login", {"email": email, "password": password})


def _assert_friendly_429(response):
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 3600
    assert re.search(r"please wait \d+ (second|minute|hour)s? and try again", response.text)
    assert "Back to the shop" in response.text


def test_too_many_sign_ins_from_one_client_get_429_with_the_wait(limited_app):
    client = limited_app.test_client()
    for number in range(10):
        assert _login(client, f"visitor{number}@example.com").status_code == 200
    _assert_friendly_429(_login(client, "visitor10@example.com"))
    # Looking at the page is not limited.
    assert client.get("/account/login").status_code == 200


def test_failed_attempts_on_one_account_lock_it_for_a_while(limited_app):
    make_user(limited_app)
    client = limited_app.test_client()
    for _ in range(5):
        assert _login(client, "ann@example.com").status_code == 200
    _assert_friendly_429(_login(client, "ann@example.com", PASSWORD))
    # Another account from the same client is not affected.
    make_user(limited_app, email="bob@example.com")
    assert _login(client, "bob@example.com", PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_account_limit(limited_app):
    make_user(limited_app)
    for _ in range(7):
        client = limited_app.test_client()
        assert _login(client, "ann@example.com", PASSWORD).status_code == 302


def test_registration_is_limited(limited_app):
    client = limited_app.test_client()
    for number in range(3):
        response = post_form(
            client, "/account/register", registration(email=f"new{number}@example.com")
        )
        assert response.status_code == 200
    _assert_friendly_429(
        post_form(client, "/account/register", registration(email="new9@example.com"))
    )


def test_password_reset_is_limited_per_address_and_per_client(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        response = post_form(client, "/account/password-reset", {"email": "ann@example.com"})
        assert response.status_code == 200
    _assert_friendly_429(post_form(client, "/account/password-reset", {"email": "ann@example.com"}))
    response = post_form(client, "/account/password-reset", {"email": "bob@example.com"})
    assert response.status_code == 200
    _assert_friendly_429(post_form(client, "/account/password-reset", {"email": "cid@example.com"}))
