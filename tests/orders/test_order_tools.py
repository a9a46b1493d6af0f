"""Order tools: internal notes on the staff timeline (never shown to the customer), carriers
with tracking pages linked from the shipping email and both order pages, and sending the
confirmation or shipping email again."""

from __future__ import annotations

import pytest

from jomso import create_app
from jomso.extensions import db
from jomso.orders.data_rights import anonymize_orders
from jomso.orders.models import OrderNote
from tests.helpers import make_user
from tests.mailbox import last_message, link_to, outbox_messages, text_of
from tests.orders.helpers import buy, get_order, order_number, staff, staff_post


@pytest.fixture
def paid(app, client):
    response, _product = buy(app, client)
    return order_number(response)


@pytest.fixture
def desk(app):
    return staff(app, app.test_client(), "orders")


def customer_page(app, client, number):
    """The customer's order page, through the signed link of their confirmation email."""
    message = [m for m in outbox_messages(app) if "is confirmed" in m["Subject"]][-1]
    return client.get(link_to(message, f"/orders/{number}"))


# -- Internal notes --------------------------------------------------------------------------


def test_a_note_is_on_the_staff_timeline_only(app, client, desk, paid):
    answer = staff_post(
        desk, paid, "notes", {"body": "Customer asked for gift wrap.\nUse the blue paper."},
        follow_redirects=True,
    )  # fmt: skip
    assert "Your note is on the timeline. Only staff see it." in answer.text
    timeline = answer.text.split('id="timeline-title"')[1].split("</section>")[0]
    assert "Internal note" in timeline and "Use the blue paper." in timeline
    assert "orders-person@staff.example.org" in timeline

    page = customer_page(app, client, paid)
    assert page.status_code == 200
    assert "gift wrap" not in page.text and "Internal note" not in page.text


def test_an_empty_note_is_refused_and_nothing_is_kept(app, desk, paid):
    answer = staff_post(desk, paid, "notes", {"body": "   "}, follow_redirects=True)
    assert "Write the note first." in answer.text
    too_long = staff_post(desk, paid, "notes", {"body": "x" * 2001}, follow_redirects=True)
    assert "A note holds at most 2,000 characters." in too_long.text
    assert get_order(app, paid).notes == []


def test_roles_that_cannot_change_orders_cannot_write_notes(app, paid):
    support = staff(app, app.test_client(), "support")
    assert support.post(f"/staff/orders/{paid}/notes", data={"body": "hi"}).status_code in (
        400, 403)  # fmt: skip
    assert get_order(app, paid).notes == []


def test_notes_go_with_the_customers_account(app, desk, paid):
    staff_post(desk, paid, "notes", {"body": "Called Gus at home."})
    user_id = make_user(app, "gus-account@example.com")
    with app.app_context():
        from sqlalchemy import select, update

        from jomso.accounts.models import User
        from jomso.orders.models import Order

        db.session.execute(update(Order).where(Order.number == paid).values(user_id=user_id))
        db.session.commit()
        from jomso.privacy.registry import DataSubject

        anonymize_orders(DataSubject.of_account(db.session.get(User, user_id)))
        db.session.commit()
        assert db.session.scalars(select(OrderNote)).all() == []


# -- Carriers and tracking pages -------------------------------------------------------------


def test_a_known_carrier_links_the_tracking_page_everywhere(app, client, desk, paid):
    staff_post(desk, paid, "ship", {"carrier": "ups", "tracking_number": "1Z 999/AA1"})
    url = "https://www.ups.com/track?tracknum=1Z%20999%2FAA1"
    staff_page = desk.get(f"/staff/orders/{paid}").text
    assert f'href="{url}"' in staff_page
    message = last_message(app, to="gus@example.com")
    assert "on its way" in message["Subject"]
    assert f"Follow your parcel: {url}" in text_of(message)
    page = customer_page(app, client, paid)
    assert f'<a href="{url}" rel="noopener noreferrer">Follow your parcel on ups' in page.text


def test_an_unknown_carrier_is_kept_without_a_link(app, client, desk, paid):
    staff_post(desk, paid, "ship", {"carrier": "Bike Courier Co", "tracking_number": "B-77"})
    assert "Shipped with Bike Courier Co, tracking number B-77." in desk.get(
        f"/staff/orders/{paid}").text  # fmt: skip
    assert "Follow your parcel" not in text_of(last_message(app, to="gus@example.com"))


def test_the_ship_form_offers_the_carriers_of_the_setting(app, desk, paid):
    app.config["CARRIERS"] = {"Poste Italiane": "https://poste.example/track/{tracking}"}
    page = desk.get(f"/staff/orders/{paid}").text
    assert 'list="carrier-names"' in page
    assert '<option value="Poste Italiane">' in page and 'value="UPS"' not in page
    staff_post(desk, paid, "ship", {"carrier": "Poste Italiane", "tracking_number": "RR1IT"})
    assert 'href="https://poste.example/track/RR1IT"' in desk.get(f"/staff/orders/{paid}").text


@pytest.mark.parametrize(
    "carriers",
    [
        {"Evil": "javascript:alert(1)//{tracking}"},
        {"No number": "https://carrier.example/track"},
        {"Twice": "https://carrier.example/{tracking}/{tracking}"},
        {"Other field": "https://carrier.example/{tracking}?x={other}"},
        ["UPS"],
    ],
)
def test_a_carriers_setting_that_cannot_make_links_refuses_to_start(tmp_path, carriers):
    with pytest.raises(RuntimeError, match="JOMSO_CARRIERS"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://",
                    "CARRIERS": carriers})  # fmt: skip


def test_the_carriers_setting_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("JOMSO_CARRIERS", '{"Colissimo": "https://c.example/?n={tracking}"}')
    app = create_app()
    assert app.config["CARRIERS"] == {"Colissimo": "https://c.example/?n={tracking}"}


# -- Sending an email again ------------------------------------------------------------------


def test_send_the_confirmation_then_the_shipping_email_again(app, desk, paid):
    before = len(outbox_messages(app, to="gus@example.com"))
    page = desk.get(f"/staff/orders/{paid}").text
    assert "Send the order confirmation again" in page
    assert "Send the shipping email again" not in page  # not shipped yet
    answer = staff_post(desk, paid, "resend", {"email": "confirmation"}, follow_redirects=True)
    assert "Confirmation email sent again. It is on its way to the customer." in answer.text
    messages = outbox_messages(app, to="gus@example.com")
    assert len(messages) == before + 1
    assert messages[-1]["Subject"] == f"Your order {paid} is confirmed"
    assert "Confirmation email sent again." in answer.text.split('id="timeline-title"')[1]

    refused = staff_post(desk, paid, "resend", {"email": "shipping"}, follow_redirects=True)
    assert "This email cannot be sent again for this order now." in refused.text
    staff_post(desk, paid, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    staff_post(desk, paid, "resend", {"email": "shipping"})
    shipped = [
        m for m in outbox_messages(app, to="gus@example.com") if "on its way" in m["Subject"]
    ]
    assert len(shipped) == 2
    assert [n.body for n in get_order(app, paid).notes] == [
        "Confirmation email sent again.", "Shipping email sent again."]  # fmt: skip


def test_a_tampered_email_choice_is_refused(app, desk, paid):
    before = len(outbox_messages(app))
    assert staff_post(desk, paid, "resend", {"email": "password_reset"}).status_code == 400
    assert len(outbox_messages(app)) == before


def test_no_email_again_to_an_erased_customer(app, desk, paid):
    with app.app_context():
        from sqlalchemy import select

        from jomso.orders.models import Order

        order = db.session.scalar(select(Order).where(Order.number == paid))
        order.email = "deleted"
        order.anonymized_at = order.created_at
        db.session.commit()
    assert "Send the order confirmation again" not in desk.get(f"/staff/orders/{paid}").text
    answer = staff_post(desk, paid, "resend", {"email": "confirmation"}, follow_redirects=True)
    assert "This email cannot be sent again for this order now." in answer.text
