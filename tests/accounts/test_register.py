"""Registration and email confirmation through the real forms."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jomso.accounts import tokens
from jomso.accounts.models import User
from jomso.extensions import db
from jomso.newsletter.models import Subscriber
from jomso.privacy.models import PolicyAcceptance
from tests.accounts.helpers import (
    GOOD_PASSWORD,
    confirm,
    mailed_path,
    register,
    registered_customer,
    registration,
    sign_in,
)
from tests.conftest import csrf_token_from
from tests.helpers import make_user
from tests.mailbox import last_message, outbox_messages, text_of


def _user(app, email="bea@example.com") -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            # Load what the tests read before the context closes.
            _ = (user.phones, user.addresses, user.roles)
        return user


def test_register_page_has_every_field(client):
    page = client.get("/account/register")
    assert page.status_code == 200
    for name in (
        "name",
        "email",
        "password",
        "password_confirm",
        "phone",
        "other_phones-0",
        "line1",
        "line2",
        "city",
        "region",
        "postal_code",
        "country",
        "accept_policy",
        "newsletter",
    ):
        assert f'name="{name}"' in page.text, name
    # The shop's country is preselected; the list is Babel's, in the shop's language.
    assert '<option selected value="US">United States</option>' in page.text
    assert ">Germany</option>" in page.text
    assert ">Pseudo-Accents<" not in page.text
    # Neither box is ticked for the customer.
    assert not re.search(r'<input[^>]*checked[^>]*name="(accept_policy|newsletter)"', page.text)
    assert "version 1" in page.text  # the policy version being accepted


def test_registration_stores_the_account_and_sends_a_confirmation(app, client):
    response = register(client, email="Bea@Example.COM")
    assert response.status_code == 200
    assert "Check your email" in response.text
    assert "bea@example.com" in response.text

    user = _user(app)
    assert user is not None
    assert user.name == "Bea Customer"
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in user.password_hash
    assert user.email_confirmed_at is None
    assert user.roles == []
    assert [p.number for p in user.phones] == ["+12025550143"]
    [address] = user.addresses
    assert (address.line1, address.line2, address.city, address.region) == (
        "12 Orchard Lane",
        "Flat 3",
        "Springfield",
        "IL",
    )
    assert (address.postal_code, address.country, address.name) == ("62704", "US", "Bea Customer")
    assert address.is_default_billing and address.is_default_shipping
    with app.app_context():  # the box was left unticked
        assert db.session.scalars(select(Subscriber)).all() == []

    with app.app_context():
        [acceptance] = db.session.scalars(select(PolicyAcceptance)).all()
        assert acceptance.user_id == user.id
        assert acceptance.policy_version == 1
        assert acceptance.source == "registration"
        assert acceptance.accepted_at is not None

    message = last_message(app, to="bea@example.com")
    assert message["Subject"] == "Please confirm your email address"
    assert "/account/confirm/" in text_of(message)
    # Registering does not sign in (a duplicate could not be signed in: the answers must match).
    assert client.get("/account").status_code == 302


def test_newsletter_opt_in_joins_the_subscriber_list_unconfirmed(app, client):
    register(client, newsletter="y")
    with app.app_context():
        [subscriber] = db.session.scalars(select(Subscriber)).all()
        assert subscriber.source == "registration"
        assert subscriber.email == "bea@example.com"
        assert subscriber.user_id == _user(app).id
        assert subscriber.status == "pending" and subscriber.confirmed_at is None
    subjects = [m["Subject"] for m in outbox_messages(app, to="bea@example.com")]
    assert subjects == [
        "Please confirm: emails about our new products",
        "Please confirm your email address",
    ]


def test_more_phone_numbers_without_javascript(app, client):
    register(
        client,
        **{
            "other_phones-0": "+44 20 7946 0958",
            "other_phones-1": "202-555-0143",  # the same as the first: kept once
        },
    )
    assert [p.number for p in _user(app).phones] == ["+12025550143", "+442079460958"]


def test_national_numbers_are_read_in_the_chosen_country(app, client):
    register(client, country="DE", phone="030 901820", postal_code="10115", region="")
    assert [p.number for p in _user(app).phones] == ["+4930901820"]


def test_duplicate_email_reveals_nothing_and_tells_the_owner(app, client):
    make_user(app, email="bea@example.com", name="Bea Original")
    first = register(client, email="BEA@example.com", name="Someone Else")
    other_client = app.test_client()
    second = register(other_client, email="new@example.com", name="Someone Else")
    assert first.status_code == second.status_code == 200

    # The same page, word for word, apart from the address typed (and any CSRF token).
    def page(response, email):
        return re.sub(r'value="[\w.-]{40,}"', "", response.text).replace(email, "X")

    assert page(first, "bea@example.com") == page(second, "new@example.com")

    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 2
    owner_mail = last_message(app, to="bea@example.com")
    assert owner_mail["Subject"] == "Someone tried to open an account with your address"
    assert "/account/confirm/" not in text_of(owner_mail)
    assert "/account/password-reset" in text_of(owner_mail)
    assert _user(app).name == "Bea Original"


def test_registration_never_gives_a_role(app, client):
    register(client, role="owner", roles="owner", is_staff="1")
    user = _user(app)
    assert user.roles == [] and not user.is_staff


def test_signed_in_customer_is_sent_to_the_account(client):
    registered_customer(client)
    response = client.get("/account/register")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


BAD_INPUT = [
    ({"name": ""}, "name", "Enter your name."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address"),
    ({"email": "bea@example"}, "email", "Enter a valid email address"),
    ({"password": "short1", "password_confirm": "short1"}, "password", "at least 10 characters"),
    (
        {"password": "password1234", "password_confirm": "password1234"},
        "password",
        "too easy to guess",
    ),
    (
        {"password": "qwertyuiop12", "password_confirm": "qwertyuiop12"},
        "password",
        "too easy to guess",
    ),
    (
        {"password": "bea-customer-2024!", "password_confirm": "bea-customer-2024!"},
        "password",
        "Do not use your name or email address",
    ),
    ({"password_confirm": "something else entirely"}, "password_confirm", "not the same"),
    ({"phone": ""}, "phone", "Enter a phone number"),
    ({"phone": "12"}, "phone", "valid phone number"),
    ({"phone": "call me maybe"}, "phone", "with its area code"),
    ({"other_phones-0": "555"}, "other_phones-0", "valid phone number"),
    ({"line1": ""}, "line1", "Enter the street and number."),
    ({"city": ""}, "city", "Enter the city."),
    ({"country": "XX"}, "country", "Not a valid choice"),
    ({"accept_policy": None}, "accept_policy", "Please accept the privacy policy"),
    ({"name": "N" * 201}, "name", "longer than 200 characters"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_comes_back_with_a_message_beside_the_field(
    app, client, overrides, field, message
):
    response = register(client, **overrides)
    assert response.status_code == 200
    error = re.search(rf'<p class="error" id="{re.escape(field)}-error">([^<]*)</p>', response.text)
    assert error, f"no error beside {field}"
    assert message.lower() in error.group(1).lower()
    # What was typed comes back, except passwords.
    if field != "line1":
        assert 'value="12 Orchard Lane"' in response.text
    if "email" not in overrides:
        assert 'value="bea@example.com"' in response.text
    for key, value in overrides.items():
        if "password" in key:
            assert value not in response.text  # never echoed
        elif value and key not in ("country", "accept_policy"):
            assert f'value="{value}"' in response.text
    assert GOOD_PASSWORD not in response.text
    assert _user(app) is None
    assert outbox_messages(app) == []


def test_extra_phone_error_opens_the_extra_phone_section(client):
    response = register(client, **{"other_phones-0": "555"})
    assert '<details class="more-phones" open>' in response.text


def test_register_without_csrf_token_is_refused(app, client):
    response = client.post("/account/register", data=registration())
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert _user(app) is None


# -- Confirmation --------------------------------------------------------------------------------


def test_confirmation_link_confirms_once(app, client):
    register(client)
    response = confirm(client)
    assert response.status_code == 200
    assert "Thank you: your email address is confirmed." in response.text
    assert _user(app).email_confirmed_at is not None
    again = confirm(client)
    assert again.status_code == 200
    assert "already confirmed" in again.text


def test_tampered_expired_or_foreign_confirmation_links_get_a_clear_page(app, client, monkeypatch):
    register(client)
    path = mailed_path(app, "bea@example.com", "/account/confirm/")
    tampered = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert tampered.status_code == 400
    assert "This link no longer works" in tampered.text
    assert "Sign in" in tampered.text  # how to get a new one

    with app.test_request_context():
        user = _user(app)
        reset_token = tokens.make_token(tokens.PASSWORD_RESET, user.id, user.password_hash)
    assert client.get(f"/account/confirm/{reset_token}").status_code == 400

    monkeypatch.setitem(tokens.MAX_AGE, tokens.CONFIRM_EMAIL, -1)
    expired = client.get(path)
    assert expired.status_code == 400
    assert "expired" in expired.text
    assert _user(app).email_confirmed_at is None


def test_unconfirmed_customer_can_sign_in_sees_a_reminder_and_can_resend(app, client):
    register(client)
    assert sign_in(client).status_code == 302
    page = client.get("/account")
    assert page.status_code == 200
    assert "Please confirm your email address" in page.text
    assert "Send the link again" in page.text
    before = len(outbox_messages(app, to="bea@example.com"))
    response = client.post(
        "/account/confirm/resend",
        data={"csrf_token": csrf_token_from(page.text), "next": "/account/profile"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    assert len(outbox_messages(app, to="bea@example.com")) == before + 1
    assert "We sent a new link" in client.get("/account/profile").text

    confirm(client)
    page = client.get("/account")
    assert "Please confirm your email address" not in page.text


def test_the_expired_link_page_offers_a_new_link_to_a_signed_in_customer(app, client, monkeypatch):
    register(client)
    sign_in(client)
    monkeypatch.setitem(tokens.MAX_AGE, tokens.CONFIRM_EMAIL, -1)
    response = confirm(client)
    assert response.status_code == 400
    assert 'action="/account/confirm/resend"' in response.text
