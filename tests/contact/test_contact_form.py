"""The contact and feedback form: fields, "Ask about this product", bad input, spam
protection, the acknowledgement, the new-product opt-in and the rate limit."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from tests.accounts.helpers import build_app, dispose_app
from tests.catalog.helpers import make_product, text_of, update_product
from tests.contact.helpers import (
    CONTACT,
    enquiries,
    form_stamp,
    send_contact,
    subscribers,
)
from tests.helpers import login, make_user
from tests.mailbox import last_message, outbox_messages
from tests.mailbox import text_of as mail_text


def test_contact_page_has_every_field_and_an_unticked_opt_in(client):
    page = client.get("/contact")
    assert page.status_code == 200
    for name in ("name", "email", "phone", "topic", "order_number", "message", "newsletter"):
        assert f'name="{name}"' in page.text, name
    for label in ("A question", "Feedback", "About a product", "About an order"):
        assert label in page.text
    assert not re.search(r'<input[^>]*checked[^>]*name="newsletter"', page.text)
    assert 'name="newsletter"' in page.text and "Tell me about new products" in page.text
    # The honeypot is there for robots, hidden from people, and says what to do with it.
    assert re.search(
        r'class="hp-field" aria-hidden="true">\s*<label for="website">'
        r"Leave this field empty</label>",
        page.text,
    )
    assert 'name="website"' in page.text and 'tabindex="-1"' in page.text


def test_a_message_is_stored_acknowledged_and_announced_to_the_shop(app, client):
    response = send_contact(client, phone="(202) 555-0143", order_number="J7K2M9QX")
    assert response.status_code == 303
    assert response.headers["Location"] == "/contact/thanks"
    assert "Thank you for your message" in client.get("/contact/thanks").text

    [enquiry] = enquiries(app)
    assert (enquiry.name, enquiry.email, enquiry.phone) == (
        "Carla Customer",
        "carla@example.com",
        "+12025550143",
    )
    assert (enquiry.topic, enquiry.status, enquiry.order_number) == ("question", "new", "J7K2M9QX")
    assert enquiry.message == "Do you ship to Canada?"
    assert enquiry.user_id is None and enquiry.product_id is None

    ack = last_message(app, to="carla@example.com")
    assert ack["Subject"] == f"We received your message (#{enquiry.id})"
    assert mail_text(ack).startswith("Hello,\n")
    # The acknowledgement repeats neither the text nor the name typed: whoever fills in the
    # form chooses the address, so the form must be no way to mail anything to anyone.
    assert "Canada" not in ack.as_string() and "Carla" not in ack.as_string()

    staff_note = last_message(app, to="shop@example.com")
    assert staff_note["Subject"] == f"New enquiry #{enquiry.id}: A question"
    assert f"/staff/enquiries/{enquiry.id}" in mail_text(staff_note)
    # (The phone in any form; not a bare "555", which a random Message-ID may contain.)
    for personal in ("Carla", "carla@example.com", "Canada", "555-0143", "5550143"):
        assert personal not in staff_note.as_string()
    # Answering needs no consent: nothing else is recorded or sent.
    assert subscribers(app) == []
    assert len(outbox_messages(app)) == 2


def test_ask_about_this_product_fills_in_the_product(app, client):
    product_id = make_product(app, "Blue Mug", images=1)
    product_page = client.get("/products/blue-mug")
    assert 'href="/contact?product=blue-mug">Ask about this product</a>' in product_page.text

    page = client.get("/contact?product=blue-mug")
    assert "Ask about this product" in page.text
    assert '<input type="hidden" name="product" value="blue-mug">' in page.text
    assert re.search(r'<option selected value="product">About a product</option>', page.text)
    assert "Blue Mug" in text_of(page.text)

    response = send_contact(client, "/contact?product=blue-mug", topic="product")
    assert response.status_code == 303
    [enquiry] = enquiries(app)
    assert (enquiry.product_id, enquiry.product_name, enquiry.topic) == (
        product_id,
        "Blue Mug",
        "product",
    )
    assert "Product: Blue Mug" in mail_text(last_message(app, to="carla@example.com"))


def test_a_small_shop_offers_its_products_in_a_list(app, client):
    make_product(app, "Blue Mug")
    make_product(app, "Red Bowl")
    page = client.get("/contact")
    assert '<select id="product" name="product">' in page.text
    assert '<option value="red-bowl">Red Bowl</option>' in page.text
    assert send_contact(client, product="red-bowl").status_code == 303
    assert enquiries(app)[0].product_name == "Red Bowl"


def test_an_unknown_product_on_the_link_is_ignored(app, client):
    page = client.get("/contact?product=no-such-thing")
    assert page.status_code == 200
    assert "Your question is about" not in page.text


def test_a_product_gone_from_the_shop_is_pointed_out(app, client):
    product_id = make_product(app, "Blue Mug")
    page = client.get("/contact?product=blue-mug")
    update_product(app, product_id, is_active=False)
    from tests.conftest import csrf_token_from

    response = client.post(
        "/contact",
        data={
            **CONTACT,
            "product": "blue-mug",
            "csrf_token": csrf_token_from(page.text),
            "started": form_stamp(page.text),
        },
    )
    assert response.status_code == 422
    assert "This product is no longer in the shop." in response.text
    assert enquiries(app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "", "Enter your email address, so that we can answer."),
        ("email", "carla.example.com", "Enter a valid email address"),
        ("email", "carla@example.com\r\nBcc: all@example.com", "Line breaks are not allowed"),
        ("message", "", "Write your message."),
        ("message", "   \n  ", "Write your message."),
        ("message", "x" * 5001, "This is 5,001 characters long; please keep it to 5,000."),
        ("name", "", "Enter your name."),
        ("phone", "555", "valid phone number"),
        ("order_number", "<script>", "Use the order number as it appears"),
    ],
)
def test_bad_input_comes_back_with_what_was_typed(app, client, field, value, message):
    typed = {"name": "Carla Customer", "email": "carla@example.com", "message": "Hello there"}
    response = send_contact(client, **{**typed, field: value})
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', response.text)
    assert "Please check the fields marked below." in response.text
    for name, kept in typed.items():
        if name != field:
            assert kept in response.text  # what was typed is still there
    assert enquiries(app) == []
    assert outbox_messages(app) == []


def test_a_too_long_message_keeps_its_text(app, client):
    long_text = "Lovely mugs. " * 400  # 5,200 characters
    response = send_contact(client, message=long_text)
    assert response.status_code == 422
    assert long_text.strip() in response.text
    assert "maxlength" not in re.search(r"<textarea[^>]*>", response.text).group(0)


def test_robots_filling_the_honeypot_are_thanked_and_ignored(app, client):
    response = send_contact(client, website="https://spam.example", newsletter="y")
    assert response.status_code == 303
    assert response.headers["Location"] == "/contact/thanks"
    assert enquiries(app) == [] and subscribers(app) == []
    assert outbox_messages(app) == []


@pytest.mark.parametrize("stamp", [None, "", "forged.stamp.value", "Y29udGFjdC1mb3Jt.AAAAAA.x"])
def test_a_missing_or_forged_time_stamp_counts_as_a_robot(app, client, stamp):
    response = send_contact(client, started=stamp)
    assert response.status_code == 303
    assert enquiries(app) == [] and outbox_messages(app) == []


def test_a_form_sent_faster_than_a_person_types_comes_back_to_be_sent_again(app, client):
    app.config["CONTACT_MIN_SECONDS"] = 60  # far more than the test takes, however slow
    response = send_contact(client, message="Quick question about glazes")
    assert response.status_code == 422
    assert "That was quick! Please check your message, then send it again." in response.text
    assert "Quick question about glazes" in response.text
    assert enquiries(app) == []
    # The form comes back with a new stamp; a moment later it goes through.
    from tests.conftest import csrf_token_from

    app.config["CONTACT_MIN_SECONDS"] = 1
    time.sleep(1.1)
    again = client.post(
        "/contact",
        data={
            **CONTACT,
            "message": "Quick question about glazes",
            "csrf_token": csrf_token_from(response.text),
            "started": form_stamp(response.text),
        },
    )
    assert again.status_code == 303
    assert [e.message for e in enquiries(app)] == ["Quick question about glazes"]


def test_an_empty_form_sent_at_once_shows_only_what_is_missing(app, client):
    app.config["CONTACT_MIN_SECONDS"] = 60  # sent at once: faster than the fill time
    response = send_contact(client, name="", email="", message="")
    assert response.status_code == 422
    html = response.text
    assert "That was quick" not in html
    # At the top of the form, announced and focused as the page opens:
    assert re.search(r'<div class="error-summary"[^>]*role="alert"[^>]*autofocus', html)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    for message in ("Enter your name.", "Enter your email address", "Write your message."):
        assert message in summary  # at the top of the form, linking to the field
        assert re.search(rf'id="\w+-error">[^<]*{re.escape(message)}', html)  # and beside it
    assert '<a href="#name">Your name: Enter your name.</a>' in summary
    assert enquiries(app) == []


def test_an_old_form_is_fine(app, client):
    page = client.get("/contact")
    app.config["CONTACT_MIN_SECONDS"] = 0
    from tests.conftest import csrf_token_from

    response = client.post(
        "/contact",
        data={
            **CONTACT,
            "csrf_token": csrf_token_from(page.text),
            "started": form_stamp(page.text),
        },
    )
    assert response.status_code == 303


def test_the_new_product_box_is_its_own_consent_and_starts_the_double_opt_in(app, client):
    product_id = make_product(app, "Blue Mug")
    send_contact(client, "/contact?product=blue-mug", newsletter="y", email="Carla@Example.com")
    [subscriber] = subscribers(app)
    assert (subscriber.email, subscriber.status, subscriber.source) == (
        "carla@example.com",
        "pending",
        "contact_form",
    )
    assert subscriber.source_product_id == product_id
    with app.app_context():
        [record] = db.session.scalars(select(ConsentRecord)).all()
        assert (record.choice, record.scope, record.source) == (
            "accept",
            "newsletter",
            "contact_form",
        )
    subjects = {m["Subject"] for m in outbox_messages(app, to="carla@example.com")}
    assert "Please confirm: emails about our new products" in subjects


def test_without_the_box_nothing_is_recorded_about_new_products(app, client):
    send_contact(client)
    with app.app_context():
        assert db.session.scalars(select(ConsentRecord)).all() == []
    assert subscribers(app) == []


def test_a_signed_in_customer_finds_the_form_filled_in_and_the_enquiry_linked(app, client):
    user_id = make_user(app, "dora@example.com", name="Dora Shopper")
    login(client, "dora@example.com")
    page = client.get("/contact")
    assert 'value="Dora Shopper"' in page.text and 'value="dora@example.com"' in page.text
    send_contact(client, name="Dora Shopper", email="dora@example.com", newsletter="y")
    [enquiry] = enquiries(app)
    assert enquiry.user_id == user_id
    [subscriber] = subscribers(app)
    assert subscriber.user_id == user_id


def test_a_signed_in_customer_writing_from_another_address_links_no_subscription(app, client):
    user_id = make_user(app, "dora@example.com", name="Dora Shopper")
    login(client, "dora@example.com")
    send_contact(client, email="someone.else@example.com", newsletter="y")
    assert enquiries(app)[0].user_id == user_id  # she wrote it
    assert subscribers(app)[0].user_id is None  # but the address is not known to be hers


@pytest.fixture
def limited_app(tmp_path, monkeypatch):
    app = build_app(
        tmp_path,
        monkeypatch,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        CONTACT_MIN_SECONDS=0,
    )
    yield app
    dispose_app(app)


def test_five_messages_an_hour_from_one_address_then_the_friendly_429(limited_app):
    client = limited_app.test_client()
    for number in range(5):
        assert send_contact(client, message=f"Message {number}").status_code == 303
    response = send_contact(client, message="Message 6")
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert len(enquiries(limited_app)) == 5
    assert client.get("/contact").status_code == 200  # reading the form is not limited


def test_mistakes_do_not_use_up_the_sending_limit(limited_app):
    client = limited_app.test_client()
    for _ in range(6):
        assert send_contact(client, email="not an address").status_code == 422
    assert send_contact(client).status_code == 303
