"""Registration and email confirmation through the real forms."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jomso.accounts import tokens
from jomso.accounts.models import User, UserSession
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
    session_id,
    sign_in,
    sign_out,
)
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import make_user
from tests.mailbox import last_message, outbox_messages, text_of
from tests.orders.helpers import (
    add_to_cart,
    buy,
    checkout_data,
    field_value,
    get_order,
    order_number,
)


def _user(app, email="bea@example.com") -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            # Load what the tests read before the context closes.
            _ = (user.phones, user.addresses, user.roles)
        return user


def test_register_page_asks_for_name_email_and_password_only(client):
    page = client.get("/account/register")
    assert page.status_code == 200
    for name in ("name", "email", "password", "password_confirm", "accept_policy", "newsletter"):
        assert f'name="{name}"' in page.text, name
    # Phones and addresses are asked at the checkout or kept in the address book.
    for name in ("phone", "other_phones-0", "line1", "city", "postal_code", "country"):
        assert f'name="{name}"' not in page.text, name
    assert "when you order" in page.text
    # Neither box is ticked for the customer.
    assert not re.search(r'<input[^>]*checked[^>]*name="(accept_policy|newsletter)"', page.text)
    assert "version 1" in page.text  # the policy version being accepted


def test_registration_stores_the_account_signs_in_and_sends_a_confirmation(app, client):
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
    assert user.phones == [] and user.addresses == []
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

    # Signed in at once: the page already shows the account and the notice to confirm.
    assert "My account" in response.text
    assert "Please confirm your email address" in response.text
    assert session_id(client).startswith(f"{user.id}:")
    page = client.get("/account")
    assert page.status_code == 200
    assert "Hello Bea Customer." in page.text


def test_the_notice_stays_until_the_address_is_confirmed(app, client):
    register(client)
    for path in ("/", "/account", "/products", "/cart"):
        page = client.get(path)
        assert "Please confirm your email address" in page.text, path
        assert "Send the link again" in page.text, path
    confirm(client)
    for path in ("/", "/account"):
        assert "Please confirm your email address" not in client.get(path).text, path


def test_the_notice_sends_the_link_again(app, client):
    # The button on the page right after registering (its token is the new session's).
    page = register(client)
    before = outbox_messages(app, to="bea@example.com")
    response = client.post(
        "/account/confirm/resend",
        data={"csrf_token": csrf_token_from(page.text), "next": "/account/profile"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    after = outbox_messages(app, to="bea@example.com")
    assert len(after) == len(before) + 1
    assert after[-1]["Subject"] == "Please confirm your email address"
    assert "We sent a new link" in client.get("/account/profile").text
    # The new link works (the old one too: both carry the same address).
    assert "your email address is confirmed" in confirm(client).text
    assert _user(app).email_confirmed_at is not None


def test_checkout_asks_a_new_account_for_its_phone_and_address(app, client):
    register(client)
    product_id = make_product(app, "Blue Mug", price_cents=1250)
    add_to_cart(client, product_id)
    page = client.get("/checkout")
    assert page.status_code == 200
    assert field_value(page.text, "email") == "bea@example.com"
    assert field_value(page.text, "billing-name") == "Bea Customer"
    assert field_value(page.text, "phone") == "" and field_value(page.text, "billing-line1") == ""
    response = client.post(
        "/checkout", data=checkout_data(page.text, email="bea@example.com", phone="")
    )
    assert response.status_code == 422
    assert 'id="phone-error"' in response.text


def test_guest_orders_join_the_account_only_once_its_address_is_confirmed(app, client):
    guest = app.test_client()
    number = order_number(buy(app, guest, email="bea@example.com")[0])
    register(client)
    assert get_order(app, number).user_id is None
    assert "You have no orders yet." in client.get("/account/orders").text
    assert client.get(f"/orders/{number}").status_code == 404

    confirm(client)
    assert get_order(app, number).user_id == _user(app).id
    assert number in client.get("/account/orders").text
    assert client.get(f"/orders/{number}").status_code == 200


def test_an_existing_address_signs_nobody_in_and_tells_the_owner(app, client):
    make_user(app, email="bea@example.com", name="Bea Original")
    first = register(client, email="BEA@example.com", name="Someone Else")
    other_client = app.test_client()
    second = register(other_client, email="new@example.com", name="Someone Else")
    assert first.status_code == second.status_code == 200

    # Nobody is signed in to the existing account (nor to any other).
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "bea@example.com"))
        assert (
            db.session.scalars(select(UserSession).where(UserSession.user_id == owner.id)).all()
            == []
        )
    assert client.get("/account").status_code == 302
    assert other_client.get("/account").status_code == 200

    # The words of the page are the same; only the signed-in parts (the header's account link,
    # the notice to confirm) differ: docs/privacy.md says what that tells and what limits it.
    def words(response, email):
        main = response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        return re.sub(r'value="[\w.-]{40,}"', "", main).replace(email, "X")

    assert words(first, "bea@example.com") == words(second, "new@example.com")
    assert "My account" not in first.text.split('<main id="main"', 1)[0]
    assert "Please confirm your email address" not in first.text

    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 2
    owner_mail = last_message(app, to="bea@example.com")
    assert owner_mail["Subject"] == "Someone tried to open an account with your address"
    assert "/account/confirm/" not in text_of(owner_mail)
    assert "/account/password-reset" in text_of(owner_mail)
    assert "/account/login" in text_of(owner_mail)
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
    if "name" not in overrides:
        assert 'value="Bea Customer"' in response.text
    if "email" not in overrides:
        assert 'value="bea@example.com"' in response.text
    for key, value in overrides.items():
        if "password" in key:
            assert value not in response.text  # never echoed
        elif value and key != "accept_policy":
            assert f'value="{value}"' in response.text
    assert GOOD_PASSWORD not in response.text
    assert _user(app) is None
    assert outbox_messages(app) == []
    assert client.get("/account").status_code == 302


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
    sign_out(client)  # the page tells a signed-out visitor to sign in for a new link
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


def test_unconfirmed_customer_can_sign_in_again_and_sees_the_reminder(app, client):
    register(client)
    sign_out(client)
    assert sign_in(client).status_code == 302
    page = client.get("/account")
    assert page.status_code == 200
    assert "Please confirm your email address" in page.text
    assert "Send the link again" in page.text


def test_the_expired_link_page_offers_a_new_link_to_a_signed_in_customer(app, client, monkeypatch):
    register(client)
    monkeypatch.setitem(tokens.MAX_AGE, tokens.CONFIRM_EMAIL, -1)
    response = confirm(client)
    assert response.status_code == 400
    assert 'action="/account/confirm/resend"' in response.text
