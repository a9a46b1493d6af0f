"""Password reset: the same answer for every address; a single-use, time-limited link that ends
every session of the account."""

from __future__ import annotations

import re

from sqlalchemy import select

from jomso.accounts import tokens
from jomso.accounts.models import User
from jomso.extensions import db
from tests.accounts.helpers import mailed_path, post_form, sign_in
from tests.conftest import csrf_token_from
from tests.helpers import PASSWORD, login, make_user
from tests.mailbox import last_message, outbox_messages, text_of

NEW_PASSWORD = "marble heron sings quietly"


def _request_reset(client, email="ann@example.com"):
    return post_form(client, "/account/password-reset", {"email": email})


def _reset_path(app, email="ann@example.com") -> str:
    return mailed_path(app, email, "/account/password-reset/")


def _choose(client, path, password=NEW_PASSWORD, confirm=None):
    return post_form(client, path, {"password": password, "password_confirm": confirm or password})


def test_the_answer_is_the_same_for_known_and_unknown_addresses(app, client):
    make_user(app)
    known = _request_reset(client, "ann@example.com")
    unknown = _request_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200

    def page(response, email):  # the same page but for the address typed and the token
        return response.text.replace(email, "X").replace(csrf_token_from(response.text), "T")

    assert page(known, "ann@example.com") == page(unknown, "nobody@example.com")
    assert len(outbox_messages(app, to="ann@example.com")) == 1
    assert outbox_messages(app, to="nobody@example.com") == []
    message = last_message(app, to="ann@example.com")
    assert message["Subject"] == "Reset your password"
    assert "works once, for 60 minutes" in text_of(message)


def test_invalid_address_gets_a_message_beside_the_field(client):
    response = _request_reset(client, "ann@")
    assert response.status_code == 200
    assert 'id="email-error"' in response.text
    assert 'value="ann@"' in response.text


def test_reset_sets_the_new_password_once_and_ends_every_session(app, client):
    user_id = make_user(app)
    other_device = app.test_client()
    login(other_device)
    _request_reset(client)
    path = _reset_path(app)

    page = client.get(path)
    assert page.status_code == 200
    assert "Choose a new password" in page.text
    response = _choose(client, path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert "Your password is changed" in client.get("/account/login").text

    assert other_device.get("/account").status_code == 302  # signed out
    assert login(client, password=PASSWORD).status_code == 200  # the old one fails
    assert login(client, password=NEW_PASSWORD).status_code == 302
    assert last_message(app, to="ann@example.com")["Subject"] == "Your password was changed"

    # The link worked once.
    reused = client.get(path)
    assert reused.status_code == 400
    assert "This link no longer works" in reused.text
    assert 'href="/account/password-reset"' in reused.text  # offers a new link
    with app.app_context():
        assert db.session.get(User, user_id).session_version == 2


def test_reset_link_dies_when_the_password_changes_another_way(app, client):
    make_user(app)
    _request_reset(client)
    path = _reset_path(app)
    login(client)
    page = client.get("/account/password")
    post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
        page_url="/account/password",
    )
    assert page.status_code == 200
    assert client.get(path).status_code == 400


def test_expired_and_tampered_links_get_the_clear_page(app, client, monkeypatch):
    make_user(app)
    _request_reset(client)
    path = _reset_path(app)
    tampered = path[:-2] + ("xx" if not path.endswith("xx") else "yy")
    assert client.get(tampered).status_code == 400
    assert client.get("/account/password-reset/nonsense").status_code == 400
    monkeypatch.setitem(tokens.MAX_AGE, tokens.PASSWORD_RESET, -1)
    expired = client.get(path)
    assert expired.status_code == 400
    assert "Send me a new link" in expired.text


def test_bad_new_passwords_come_back_with_messages(app, client):
    make_user(app, name="Ann Example")
    _request_reset(client)
    path = _reset_path(app)
    for password, confirm, field, message in [
        ("tooshort", None, "password", "at least 10 characters"),
        ("1234567890", None, "password", "too easy to guess"),
        ("annexample-rules", None, "password", "Do not use your name"),
        (NEW_PASSWORD, "something else", "password_confirm", "not the same"),
    ]:
        response = _choose(client, path, password, confirm)
        assert response.status_code == 200
        error = re.search(rf'id="{field}-error">([^<]*)<', response.text)
        assert error and message in error.group(1), (password, response.text[-3000:])
        assert password not in response.text
    # The link still works after mistakes.
    assert _choose(client, path).status_code == 302


def test_reset_confirms_an_unconfirmed_address(app, client):
    user_id = make_user(app)
    _request_reset(client)
    _choose(client, _reset_path(app))
    with app.app_context():
        assert db.session.get(User, user_id).email_confirmed_at is not None


def test_disabled_accounts_get_no_reset_link(app, client):
    user_id = make_user(app)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert "Check your email" in _request_reset(client).text
    assert outbox_messages(app) == []


def test_change_password_asks_for_the_current_one_and_keeps_this_device(app, client):
    user_id = make_user(app)
    other_device = app.test_client()
    login(other_device)
    login(client)

    wrong = post_form(
        client,
        "/account/password",
        {"current_password": "nope", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert 'id="current_password-error">This is not your current password.' in wrong.text

    weak = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "abcabcabcabc", "password_confirm": "x"},
    )
    assert 'id="password-error"' in weak.text and 'id="password_confirm-error"' in weak.text

    done = post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    assert client.get("/account").status_code == 200  # this device stays
    assert other_device.get("/account").status_code == 302  # the others are signed out
    assert last_message(app, to="ann@example.com")["Subject"] == "Your password was changed"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.id == user_id))
        assert user.password_hash.startswith("$argon2id$")
    assert sign_in(app.test_client(), "ann@example.com", NEW_PASSWORD).status_code == 302
