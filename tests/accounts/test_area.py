"""The customer's own area: every page needs a sign-in; profile, address book, email change and
orders work through their forms; another customer's data is never reachable by its id."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jomso.accounts.models import Address, User
from jomso.extensions import db
from jomso.newsletter.services import find_subscriber
from tests.accounts.helpers import mailed_path, post_form, registered_customer, sign_in
from tests.conftest import csrf_token_from
from tests.helpers import PASSWORD, login, make_user
from tests.mailbox import last_message, outbox_messages, text_of

AREA_PAGES = [
    "/account",
    "/account/profile",
    "/account/addresses",
    "/account/addresses/new",
    "/account/email",
    "/account/password",
    "/account/sessions",
    "/account/orders",
    "/account/export",
    "/account/delete",
]


@pytest.mark.parametrize("path", AREA_PAGES)
def test_area_pages_need_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.parametrize("path", AREA_PAGES)
def test_area_pages_are_personal_and_never_cached(app, client, path):
    make_user(app)
    login(client)
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    if path != "/account/export":
        assert 'class="layout-side"' in response.text
        assert 'class="side-nav"' in response.text
        assert 'aria-current="page"' in response.text


def _user(app, email="bea@example.com") -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        _ = (user.phones, user.addresses)
        return user


def test_overview_links_to_every_part_of_the_area(client):
    registered_customer(client)
    page = client.get("/account").text
    assert "Hello Bea Customer." in page
    for href in (
        "/account/orders",
        "/account/profile",
        "/account/addresses",
        "/account/email",
        "/account/password",
        "/account/sessions",
        "/account/export",
        "/account/delete",
        "/privacy",
    ):
        assert f'href="{href}"' in page, href


def test_orders_page_has_an_empty_state(client):
    registered_customer(client)
    assert "You have no orders yet" in client.get("/account/orders").text


# -- Profile -------------------------------------------------------------------------------------


def test_profile_changes_name_and_phones(app, client):
    registered_customer(client)
    page = client.get("/account/profile")
    assert 'value="(202) 555-0143"' in page.text  # shown in the national format
    response = post_form(
        client,
        "/account/profile",
        {
            "name": "Bea Renamed",
            "phones-0": "",
            "phones-1": "+44 20 7946 0958",
            "phones-2": "(312) 555-0199",
        },
    )
    assert response.status_code == 302
    user = _user(app)
    assert user.name == "Bea Renamed"
    assert [p.number for p in user.phones] == ["+442079460958", "+13125550199"]
    assert "Your profile is saved." in client.get("/account/profile").text


def test_profile_bad_input_keeps_what_was_typed(app, client):
    registered_customer(client)
    response = post_form(
        client, "/account/profile", {"name": "", "phones-0": "555", "phones-1": "+44 20 7946 0958"}
    )
    assert response.status_code == 200
    assert 'id="name-error">Enter your name.' in response.text
    assert re.search(r'id="phones-0-error">[^<]*valid phone number', response.text)
    assert 'value="555"' in response.text
    assert 'value="+44 20 7946 0958"' in response.text
    assert [p.number for p in _user(app).phones] == ["+12025550143"]

    # No phone at all is fine: registration asks for none, the checkout asks for one.
    response = post_form(client, "/account/profile", {"name": "Bea", "phones-0": ""})
    assert response.status_code == 302
    assert _user(app).phones == []


def test_profile_opt_in_and_withdrawal_go_to_the_subscriber_list(app, client):
    registered_customer(client)
    post_form(
        client, "/account/profile", {"name": "Bea", "phones-0": "2025550143", "newsletter": "y"}
    )
    with app.app_context():
        subscriber = find_subscriber("bea@example.com")
        assert (subscriber.source, subscriber.status) == ("account", "pending")
    assert last_message(app, to="bea@example.com")["Subject"].startswith("Please confirm: emails")
    assert "Waiting for you to follow the link" in client.get("/account/profile").text
    post_form(client, "/account/profile", {"name": "Bea", "phones-0": "2025550143"})
    with app.app_context():
        assert find_subscriber("bea@example.com").status == "unsubscribed"
    assert "Unticked: we send none." in client.get("/account/profile").text


# -- Address book -------------------------------------------------------------------------------

ADDRESS = {
    "name": "Bea at Work",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Chicago",
    "region": "IL",
    "postal_code": "60601",
    "country": "US",
}


def test_address_book_add_edit_defaults_and_delete(app, client):
    registered_customer(client)
    [home] = _user(app).addresses

    response = post_form(client, "/account/addresses/new", {**ADDRESS, "default_shipping": "y"})
    assert response.status_code == 302
    addresses = {a.line1: a for a in _user(app).addresses}
    work = addresses["1 Market Street"]
    assert work.is_default_shipping and not work.is_default_billing
    assert addresses["12 Orchard Lane"].is_default_billing
    assert not addresses["12 Orchard Lane"].is_default_shipping

    page = client.get("/account/addresses")
    assert "Bea at Work" in page.text and "United States" in page.text

    edit_url = f"/account/addresses/{work.id}/edit"
    assert 'value="1 Market Street"' in client.get(edit_url).text
    post_form(client, edit_url, {**ADDRESS, "city": "Evanston", "default_billing": "y"})
    addresses = {a.line1: a for a in _user(app).addresses}
    assert addresses["1 Market Street"].city == "Evanston"
    assert addresses["1 Market Street"].is_default_billing
    assert not addresses["12 Orchard Lane"].is_default_billing

    token = csrf_token_from(client.get("/account/addresses").text)
    client.post(f"/account/addresses/{home.id}/default/shipping", data={"csrf_token": token})
    addresses = {a.line1: a for a in _user(app).addresses}
    assert addresses["12 Orchard Lane"].is_default_shipping
    assert not addresses["1 Market Street"].is_default_shipping

    # Deleting a default passes it to the address that remains.
    client.post(f"/account/addresses/{work.id}/delete", data={"csrf_token": token})
    [remaining] = _user(app).addresses
    assert remaining.is_default_billing and remaining.is_default_shipping

    client.post(f"/account/addresses/{home.id}/delete", data={"csrf_token": token})
    assert _user(app).addresses == []
    assert "Your address book is empty." in client.get("/account/addresses").text


def test_first_address_becomes_both_defaults(app, client):
    make_user(app, email="bea@example.com")
    login(client, email="bea@example.com")
    post_form(client, "/account/addresses/new", ADDRESS)
    [address] = _user(app).addresses
    assert address.is_default_billing and address.is_default_shipping


def test_address_form_bad_input(client, app):
    registered_customer(client)
    response = post_form(
        client, "/account/addresses/new", {**ADDRESS, "line1": "", "city": "", "country": "ZZ"}
    )
    assert response.status_code == 200
    for field in ("line1", "city", "country"):
        assert f'id="{field}-error"' in response.text
    assert 'value="Bea at Work"' in response.text
    assert 'value="60601"' in response.text
    assert len(_user(app).addresses) == 1


def test_another_customers_address_is_never_reachable(app, client):
    registered_customer(client)
    other_id = make_user(app, email="other@example.com", name="Other Person")
    with app.app_context():
        other = db.session.get(User, other_id)
        other.addresses.append(
            Address(
                name="Other Person",
                line1="99 Secret Road",
                city="Hidden",
                country="US",
                is_default_billing=True,
                is_default_shipping=True,
            )
        )
        db.session.commit()
        theirs = other.addresses[0].id

    token = csrf_token_from(client.get("/account/addresses").text)
    assert client.get(f"/account/addresses/{theirs}/edit").status_code == 404
    assert (
        client.post(
            f"/account/addresses/{theirs}/edit", data={**ADDRESS, "csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/account/addresses/{theirs}/delete", data={"csrf_token": token}).status_code
        == 404
    )
    for purpose in ("billing", "shipping"):
        response = client.post(
            f"/account/addresses/{theirs}/default/{purpose}", data={"csrf_token": token}
        )
        assert response.status_code == 404
    assert "99 Secret Road" not in client.get("/account/addresses").text
    assert "99 Secret Road" not in client.get("/account/export").text
    with app.app_context():
        address = db.session.get(Address, theirs)
        assert address.line1 == "99 Secret Road" and address.user_id == other_id


# -- Email change --------------------------------------------------------------------------------


def _ask_email_change(client, new, password=None):
    from tests.accounts.helpers import GOOD_PASSWORD

    return post_form(
        client, "/account/email", {"email": new, "current_password": password or GOOD_PASSWORD}
    )


def test_email_change_is_confirmed_at_the_new_address_and_told_to_the_old(app, client):
    registered_customer(client)
    response = _ask_email_change(client, "Bea.New@Example.com")
    assert response.status_code == 302
    page = client.get("/account/email").text
    assert "We sent a link to bea.new@example.com" in page
    assert "We are waiting for you to follow the link" in page
    assert _user(app).email == "bea@example.com"  # nothing changes before the link

    path = mailed_path(app, "bea.new@example.com", "/account/email/confirm/")
    response = client.get(path)
    assert response.status_code == 200
    assert "Your account now uses bea.new@example.com" in response.text
    user = _user(app, "bea.new@example.com")
    assert user.pending_email is None and user.email_confirmed_at is not None

    notice = last_message(app, to="bea@example.com")
    assert notice["Subject"] == "Your email address was changed"
    assert "b******@example.com" in text_of(notice)
    assert "bea.new@example.com" not in text_of(notice)

    assert client.get(path).status_code == 400  # used once
    assert sign_in(app.test_client(), "bea.new@example.com").status_code == 302


def test_email_change_bad_input(app, client):
    registered_customer(client)
    wrong = _ask_email_change(client, "new@example.com", password="not my password")
    assert 'id="current_password-error">This is not your current password.' in wrong.text
    assert 'value="new@example.com"' in wrong.text
    same = _ask_email_change(client, "BEA@example.com")
    assert 'id="email-error">This is already your address.' in same.text
    invalid = _ask_email_change(client, "new@")
    assert 'id="email-error">Enter a valid email address' in invalid.text
    assert len(outbox_messages(app, to="new@example.com")) == 0


def test_email_change_to_a_taken_address_reveals_nothing(app, client):
    registered_customer(client)
    make_user(app, email="taken@example.com")
    response = _ask_email_change(client, "taken@example.com")
    assert response.status_code == 302
    assert "We sent a link to taken@example.com" in client.get("/account/email").text
    message = last_message(app, to="taken@example.com")
    assert "already has an account" in text_of(message)
    assert "/account/email/confirm/" not in text_of(message)
    assert _user(app).pending_email is None


def test_email_taken_before_the_link_is_followed(app, client):
    registered_customer(client)
    _ask_email_change(client, "late@example.com")
    path = mailed_path(app, "late@example.com", "/account/email/confirm/")
    make_user(app, email="late@example.com")
    response = client.get(path)
    assert response.status_code == 409
    assert "This address is taken" in response.text
    assert _user(app).email == "bea@example.com"


def test_cancelled_email_change_link_stops_working(app, client):
    registered_customer(client)
    _ask_email_change(client, "new@example.com")
    path = mailed_path(app, "new@example.com", "/account/email/confirm/")
    token = csrf_token_from(client.get("/account/email").text)
    client.post("/account/email/cancel", data={"csrf_token": token})
    assert client.get(path).status_code == 400
    assert _user(app).email == "bea@example.com"


def test_confirmation_link_for_the_old_address_dies_after_a_change(app, client):
    from tests.accounts.helpers import register

    register(client)
    old_link = mailed_path(app, "bea@example.com", "/account/confirm/")
    sign_in(client)
    _ask_email_change(client, "new@example.com")
    client.get(mailed_path(app, "new@example.com", "/account/email/confirm/"))
    assert client.get(old_link).status_code == 400


def test_staff_is_told_deletion_is_for_the_owner(app, client):
    make_user(app, email="staff@example.com", roles=["support"])
    login(client, email="staff@example.com")
    page = client.get("/account/delete")
    assert "Staff accounts are closed by the shop's owner" in page.text
    token = csrf_token_from(page.text)
    response = client.post(
        "/account/delete", data={"csrf_token": token, "current_password": PASSWORD}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "staff@example.com"))


def test_profile_with_the_most_phone_numbers_still_opens(app, client):
    from jomso.accounts.models import Phone

    user_id = make_user(app, email="many@example.com")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.phones = [Phone(number=f"+1202555{140 + n:04d}", position=n) for n in range(8)]
        db.session.commit()
    login(client, email="many@example.com")
    page = client.get("/account/profile")
    assert page.status_code == 200
    assert page.text.count('type="tel"') == 8
