"""Enquiries, subscriptions and newsletter consents in the data export and account deletion."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from jomso.privacy import registry as data_rights
from tests.accounts.helpers import GOOD_PASSWORD, post_form, registered_customer
from tests.catalog.helpers import make_product
from tests.contact.helpers import (
    confirm_subscription,
    enquiries,
    send_contact,
    subscribe_from_footer,
    subscribers,
)
from tests.privacy.helpers import MISSING, customer_rows, json_objects, personal_columns, user_id_of
from tests.staff.helpers import post_form as staff_post
from tests.staff.helpers import staff_client


@pytest.fixture
def writer(app, client):
    """A customer who asked about a product (signed in, with the opt-in), got a reply and an
    announcement, and wrote once more before signing in."""
    make_product(app, "Blue Mug", age_days=1)
    send_contact(
        app.test_client(), name="Bea Guest", email="bea@example.com", message="Written as a guest"
    )
    registered_customer(client)
    send_contact(
        client,
        "/contact?product=blue-mug",
        name="Bea Customer",
        email="bea@example.com",
        topic="product",
        message="Is it blue?",
        newsletter="y",
    )
    confirm_subscription(client, app, "bea@example.com")
    support = staff_client(app, "support")
    enquiry_id = enquiries(app)[-1].id
    staff_post(
        support,
        f"/staff/enquiries/{enquiry_id}/reply",
        {"body": "Very blue."},
        page_url=f"/staff/enquiries/{enquiry_id}",
    )
    catalog = staff_client(app, "catalog")
    draft = staff_post(
        catalog, "/staff/announcements/new", {"subject": "New", "products": ["1"]}
    ).headers["Location"]
    staff_post(catalog, f"{draft}/send", page_url=draft)
    return user_id_of(app)


def _export(client):
    response = client.get("/account/export")
    assert response.status_code == 200
    return json.loads(response.data)


def test_export_holds_enquiries_replies_subscriptions_and_newsletter_consents(app, client, writer):
    export = _export(client)
    assert [e["message"] for e in export["enquiries"]] == ["Written as a guest", "Is it blue?"]
    asked = export["enquiries"][1]
    assert asked["product_name"] == "Blue Mug" and asked["topic_label"] == "About a product"
    assert [r["body"] for r in asked["replies"]] == ["Very blue."]
    [subscription] = export["subscriptions"]
    assert (subscription["email"], subscription["status"], subscription["source"]) == (
        "bea@example.com",
        "confirmed",
        "contact_form",
    )
    assert [e["announcement_subject"] for e in subscription["emails"]] == ["New"]
    assert subscription["emails"][0]["state"] == "sent"
    assert "confirm_nonce" not in subscription and "unsubscribe_key" not in subscription
    assert ("accept", "newsletter", "contact_form") in {
        (c["choice"], c["scope"], c["source"]) for c in export["consents"]
    }


@pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")
def test_export_contains_every_row_of_these_tables(app, client, writer):
    """The schema walk of test_data_rights, over a customer with rows in the new tables."""
    export = _export(client)
    with app.app_context():
        rows = customer_rows(writer)
    for table in ("enquiries", "enquiry_replies", "subscribers", "announcement_deliveries"):
        assert rows.get(table), table
    objects = list(json_objects(export))
    for table_name, table_rows in rows.items():
        columns = personal_columns(db.metadata.tables[table_name])
        for row in table_rows:
            expected = {c: data_rights.to_jsonable(row[c]) for c in columns}
            assert any(all(o.get(c, MISSING) == v for c, v in expected.items()) for o in objects), (
                f"{table_name} row {expected} is not in the export"
            )


def test_an_unconfirmed_account_does_not_see_rows_of_the_address_it_claims(app, client):
    subscribe_from_footer(app.test_client(), "bea@example.com")
    send_contact(app.test_client(), email="bea@example.com", message="Not from the account")
    from tests.accounts.helpers import register, sign_in

    register(client)  # never confirmed: the address is not proven to be theirs
    sign_in(client)
    export = _export(client)
    assert export["subscriptions"] == [] and export["enquiries"] == []


def test_deleting_the_account_anonymises_enquiries_and_deletes_subscriptions(app, client, writer):
    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.status_code == 302
    rows = enquiries(app)
    assert len(rows) == 2
    for enquiry in rows:
        assert (enquiry.name, enquiry.email, enquiry.message, enquiry.user_id) == ("", "", "", None)
        assert enquiry.replies == [] and enquiry.anonymized_at is not None
    assert rows[1].product_name == "Blue Mug"  # still counts for product interest
    assert subscribers(app) == []
    with app.app_context():
        assert (
            db.session.scalars(
                select(ConsentRecord).where(ConsentRecord.scope == "newsletter")
            ).all()
            == []
        )
        from jomso.newsletter.models import Delivery

        [delivery] = db.session.scalars(select(Delivery)).all()
        assert delivery.subscriber_id is None and delivery.state == "sent"  # the count stays
    catalog = staff_client(app, "catalog", email="catalog2@staff.example.org")
    assert "Blue Mug" in catalog.get("/staff/interest").text
