"""Rate limits on sign-in, registration and password reset, with the friendly 429 page.

The shared test config turns rate limiting off; these tests build an app with it on, with the
default storage. Clients at different addresses are test clients with their own ``REMOTE_ADDR``.
"""

from __future__ import annotations

import re

import pytest

from tests.accounts.helpers import build_app, dispose_app, post_form, registration
from tests.helpers import PASSWORD, make_user


@pytest.fixture
def limited_app(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, RATELIMIT_ENABLED=True)
    yield app
    dispose_app(app)


WRONG = "wrong password here"


def _login(client, email, password=WRONG):
    return post_form(client, "/account/login", {"email": email, "password": password})


def _client_at(app, number: int):
    """A browser at an address of its own (198.51.100.0/24, then 198.51.101.0/24...)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.{100 + number // 250}.{number % 250 + 1}"
    return client


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


def _assert_refused_sign_in(response):
    _assert_friendly_429(response)
    assert "too many failed sign-ins to this account from your connection" in response.text
    assert "Forgot your password?" in response.text


def test_guesses_from_many_addresses_do_not_lock_the_owner_out(limited_app):
    make_user(limited_app)
    guesses = [_login(_client_at(limited_app, n), "ann@example.com") for n in range(50)]
    owner = _client_at(limited_app, 50)
    assert _login(owner, "ann@example.com", PASSWORD).status_code == 302
    # Every guess was checked (and counted), none refused: each address failed once only.
    assert [guess.status_code for guess in guesses] == [200] * 50


def test_one_client_that_keeps_guessing_is_stopped(limited_app):
    make_user(limited_app)
    guesser = _client_at(limited_app, 0)
    for _ in range(5):
        assert _login(guesser, "ann@example.com").status_code == 200
    # The owner, elsewhere, is not affected.
    assert _login(_client_at(limited_app, 1), "ann@example.com", PASSWORD).status_code == 302
    # The guesser's 6th attempt is refused, the right password too: it is not even checked.
    _assert_refused_sign_in(_login(guesser, "ann@example.com", PASSWORD))
    # Other accounts from the guesser's address are not affected.
    make_user(limited_app, email="bob@example.com")
    assert _login(guesser, "bob@example.com", PASSWORD).status_code == 302


def test_while_an_account_is_under_attack_each_address_gets_one_guess(limited_app):
    make_user(limited_app)
    for number in range(20):
        assert _login(_client_at(limited_app, number), "ann@example.com").status_code == 200
    guesser = _client_at(limited_app, 20)
    assert _login(guesser, "ann@example.com").status_code == 200
    _assert_refused_sign_in(_login(guesser, "ann@example.com"))
    # An address with no failures is never refused the right password.
    assert _login(_client_at(limited_app, 21), "ann@example.com", PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_account_limit(limited_app):
    make_user(limited_app)
    for _ in range(7):
        client = limited_app.test_client()
        assert _login(client, "ann@example.com", PASSWORD).status_code == 302


def test_registration_is_limited(limited_app):
    # A sign-up signs its browser in: each attempt comes from a new browser at one address.
    for number in range(3):
        response = post_form(
            limited_app.test_client(),
            "/account/register",
            registration(email=f"new{number}@example.com"),
        )
        assert response.status_code == 200
    _assert_friendly_429(
        post_form(
            limited_app.test_client(), "/account/register", registration(email="new9@example.com")
        )
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
