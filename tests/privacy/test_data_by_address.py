"""A person's data is found wherever it lies, with or without a link to their account.

What a customer left while signed out with their confirmed address (a guest order, an enquiry,
a footer subscription with its consent, a privacy request) and what staff did about it (looks
at the order and the enquiry, logged with the address) is in the account's download and goes
with the account. The walk behind these tests starts from the account's row *and* from every
row of any table holding the address, so a row reachable only by email that the export forgets
fails them.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from jomso.audit.models import AccessLogEntry
from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from jomso.newsletter.models import Subscriber
from jomso.orders.models import Order
from jomso.privacy import registry as data_rights
from tests.accounts.helpers import GOOD_PASSWORD, post_form, registered_customer
from tests.contact.helpers import (
    confirm_subscription,
    enquiries,
    send_contact,
    subscribe_from_footer,
)
from tests.orders.helpers import buy, order_number
from tests.privacy.helpers import (
    customer_rows,
    missing_from_export,
    rows_holding,
    send_privacy_request,
    user_id_of,
)
from tests.staff.helpers import staff_client

BEA = "bea@example.com"


@pytest.fixture
def bea_everywhere(app, client):
    """Bea registered and confirmed her address (``client`` is signed in); then, signed out in
    another browser, she placed an order, wrote to the shop and subscribed in the footer with
    that address, and sent a privacy request; staff looked at her order and her enquiry."""
    app.config["CONTACT_MIN_SECONDS"] = 0
    registered_customer(client)
    guest = app.test_client()
    response, _product = buy(app, guest, email=BEA.upper())
    number = order_number(response)
    assert send_contact(guest, email=BEA, name="Bea at home").status_code == 303
    assert subscribe_from_footer(guest, BEA).status_code == 303
    confirm_subscription(guest, app, BEA)
    assert send_privacy_request(guest, "correction", BEA, "My phone is wrong.").status_code == 303
    (enquiry,) = enquiries(app)
    assert staff_client(app, "support").get(f"/staff/enquiries/{enquiry.id}").status_code == 200
    assert staff_client(app, "orders").get(f"/staff/orders/{number}").status_code == 200
    return {"user_id": user_id_of(app), "order": number, "enquiry": enquiry.id}


def _export(client) -> dict:
    response = client.get("/account/export")
    assert response.status_code == 200
    return json.loads(response.data)


def test_staff_looks_at_a_guest_order_or_enquiry_name_the_address(app, bea_everywhere):
    with app.app_context():
        entries = db.session.scalars(
            select(AccessLogEntry).where(
                AccessLogEntry.view.in_(["enquiries.enquiry_detail", "staff_orders.order_detail"])
            )
        ).all()
        assert {e.subject_email for e in entries} == {BEA}
        assert {e.customer_id for e in entries} == {None}  # placed and sent signed out


def test_a_signed_out_opt_in_is_the_subscribers_consent(app, bea_everywhere):
    with app.app_context():
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == BEA))
        assert subscriber.user_id is None
        records = db.session.scalars(
            select(ConsentRecord).where(ConsentRecord.subscriber_id == subscriber.id)
        ).all()
        assert [(r.choice, r.source, r.user_id) for r in records] == [("accept", "footer", None)]


def test_the_download_holds_every_row_held_for_the_confirmed_address(app, client, bea_everywhere):
    export = _export(client)
    with app.app_context():
        rows = customer_rows(bea_everywhere["user_id"], emails={BEA})
        for table in ("orders", "enquiries", "subscribers", "consent_records", "access_log",
                      "privacy_requests", "outgoing_mail"):  # fmt: skip
            assert rows.get(table), table
        assert missing_from_export(rows, export) == []
    assert [o["number"] for o in export["orders"]] == [bea_everywhere["order"]]
    (subscription,) = export["subscriptions"]
    assert [c["source"] for c in subscription["consents"]] == ["footer"]  # the proof
    assert [r["details"] for r in export["privacy_requests"]] == ["My phone is wrong."]
    about = [e for e in export["access_log"] if e["about_you"]]
    assert {e["view"] for e in about} >= {"enquiries.enquiry_detail", "staff_orders.order_detail"}


def test_a_row_reachable_only_by_email_that_the_export_forgets_fails_the_walk(
    app, client, bea_everywhere, monkeypatch
):
    """The guest order has no link to the account: only the address leads to it. Without the
    orders section the walk reports it."""
    sections = {k: v for k, v in data_rights._sections.items() if k != "orders"}
    monkeypatch.setattr(data_rights, "_sections", sections)
    export = _export(client)
    with app.app_context():
        missing = missing_from_export(customer_rows(bea_everywhere["user_id"], {BEA}), export)
    assert any(line.startswith("orders row") for line in missing)
    assert any(line.startswith("order_lines row") for line in missing)


def test_an_unconfirmed_address_finds_nothing_left_signed_out(app, client):
    """Until the account's address is confirmed it may be someone else's: a guest order with
    it is not the account's."""
    from tests.accounts.helpers import register, sign_in

    register(client)  # not confirmed
    sign_in(client)
    buy(app, app.test_client(), email=BEA)
    assert _export(client)["orders"] == []


def test_deleting_the_account_erases_what_was_left_signed_out(app, client, bea_everywhere):
    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == bea_everywhere["order"]))
        assert order.email == "deleted" and order.billing_name == "deleted"
        assert order.phone == "deleted" and order.anonymized_at is not None
        assert order.lines and order.total_cents > 0  # kept for the books
        assert db.session.scalar(select(Subscriber)) is None
        assert db.session.scalars(select(ConsentRecord)).all() == []
        # Not even the confirmation of the deletion keeps it: it is forgotten once sent.
        assert rows_holding({BEA}) == {}
    (enquiry,) = enquiries(app)
    assert enquiry.anonymized_at is not None and enquiry.email == ""
