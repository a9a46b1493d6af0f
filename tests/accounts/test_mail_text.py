"""What account emails carry: no text a stranger chose reaches an address nobody proved (they
greet by name only the confirmed address of the account), and no address field lets a line
break into a mail header."""

from __future__ import annotations

import re

import pytest

from tests.accounts.helpers import GOOD_PASSWORD, post_form, register, registered_customer
from tests.mailbox import last_message, outbox_messages, text_of

SPAM_NAME = "WIN $500 at https://win.example now"


def _first_line(message) -> str:
    return text_of(message).splitlines()[0]


def test_registering_a_strangers_address_mails_them_no_text_of_the_registrant(app, client):
    register(client, email="victim@example.com", name=SPAM_NAME)
    message = last_message(app, to="victim@example.com")
    assert message["Subject"] == "Please confirm your email address"
    assert _first_line(message) == "Hello,"
    for part in ("WIN", "win.example", "$500"):
        assert part not in message.as_string()


def test_registering_again_and_resetting_an_unconfirmed_account_greet_without_its_name(app, client):
    register(client, email="victim@example.com", name=SPAM_NAME)  # never confirmed
    register(app.test_client(), email="victim@example.com", name=SPAM_NAME)
    post_form(app.test_client(), "/account/password-reset", {"email": "victim@example.com"})
    subjects = [m["Subject"] for m in outbox_messages(app, to="victim@example.com")]
    assert subjects == [
        "Please confirm your email address",
        "Someone tried to open an account with your address",
        "Reset your password",
    ]
    for message in outbox_messages(app, to="victim@example.com"):
        assert _first_line(message) == "Hello,"
        assert "win.example" not in message.as_string()


def test_a_confirmed_account_is_greeted_by_its_own_name(app, client):
    registered_customer(client, name="Bea Customer")
    post_form(app.test_client(), "/account/password-reset", {"email": "bea@example.com"})
    assert _first_line(last_message(app, to="bea@example.com")) == "Hello Bea Customer,"


def test_the_new_address_of_an_email_change_is_not_greeted_with_the_accounts_name(app, client):
    registered_customer(client, name=SPAM_NAME)
    post_form(
        client,
        "/account/email",
        {"email": "someone.else@example.com", "current_password": GOOD_PASSWORD},
    )
    message = last_message(app, to="someone.else@example.com")
    assert message["Subject"] == "Confirm your new email address"
    assert _first_line(message) == "Hello," and "win.example" not in message.as_string()


CRLF = "bea@example.com\r\nBcc: everyone@example.com"


def _error_beside(response, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', response.text)
    assert match, f"no error beside {field}"
    return match.group(1)


@pytest.mark.parametrize("email", [CRLF, "bea@example.com\nBcc: everyone@example.com"])
def test_an_address_with_a_line_break_comes_back_with_a_message(app, client, email):
    response = register(client, email=email)
    assert _error_beside(response, "email") == "Line breaks are not allowed here."
    response = post_form(client, "/account/password-reset", {"email": email})
    assert _error_beside(response, "email") == "Line breaks are not allowed here."
    assert outbox_messages(app) == []


def test_a_new_address_with_a_line_break_comes_back_with_a_message(app, client):
    registered_customer(client)
    before = len(outbox_messages(app))
    response = post_form(
        client, "/account/email", {"email": CRLF, "current_password": GOOD_PASSWORD}
    )
    assert _error_beside(response, "email") == "Line breaks are not allowed here."
    assert len(outbox_messages(app)) == before
