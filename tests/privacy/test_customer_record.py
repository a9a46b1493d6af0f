"""The owner's customer record: phone numbers, addresses and the accepted policy versions,
with still exactly one access-log entry per look, and nothing of it for other roles."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.privacy.services import publish_policy
from tests.accounts.helpers import post_form, registered_customer
from tests.catalog.helpers import text_of
from tests.helpers import make_user
from tests.staff.helpers import log_entries, staff_client


def customer_id(app, email="bea@example.com") -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


@pytest.fixture
def bea(app):
    """A customer who registered through the form (phone, address, policy accepted) and added
    a second address."""
    client = app.test_client()
    registered_customer(client)
    response = post_form(
        client,
        "/account/addresses/new",
        {
            "name": "Bea at Work",
            "line1": "1 Mill Street",
            "line2": "",
            "city": "Chicago",
            "region": "IL",
            "postal_code": "60601",
            "country": "US",
            "default_shipping": "y",
        },
    )
    assert response.status_code == 302, response.text
    return customer_id(app)


def test_the_record_shows_phones_addresses_and_the_accepted_policy(app, bea):
    owner = staff_client(app, "owner")
    response = owner.get(f"/staff/customers/{bea}")
    assert response.status_code == 200
    html = response.text
    assert 'id="section-contact"' in html and 'id="section-policy"' in html
    text = text_of(html)
    assert "(202) 555-0143" in text or "+1 202-555-0143" in text
    # As US mail writes it: city, state and ZIP code on one line.
    assert "12 Orchard Lane" in text and "Flat 3" in text and "SPRINGFIELD, IL 62704" in text
    assert "1 Mill Street" in text and "United States" in text
    contact = text_of(html.split('id="section-contact"')[1].split("</section>")[0])
    assert contact.index("12 Orchard Lane") < contact.index("Billing address")
    assert contact.index("1 Mill Street") < contact.index("Shipping address")
    policy = text_of(html.split('id="section-policy"')[1].split("</section>")[0])
    assert "Accepted the version in effect (version 1)." in policy
    assert "Version 1" in policy and "when opening the account" in policy

    (entry,) = log_entries(app, kind="view_personal_data")
    assert entry.customer_id == bea
    assert entry.view == "staff.customer_detail"
    # One entry naming every section shown: these two among them.
    assert entry.detail.startswith("profile, contact")
    assert "policy" in entry.detail.split(", ")
    assert "Orchard" not in entry.detail and "555" not in entry.detail


def test_the_record_says_when_the_customer_has_not_seen_the_new_policy(app, bea):
    with app.app_context():
        publish_policy("The second version.", "Second.")
    owner = staff_client(app, "owner")
    html = owner.get(f"/staff/customers/{bea}").text
    policy = text_of(html.split('id="section-policy"')[1].split("</section>")[0])
    assert "not yet seen" in policy
    assert "Last accepted version 1; version 2 is in effect now." in policy
    assert len(log_entries(app, kind="view_personal_data")) == 1


def test_a_customer_without_phones_or_addresses(app):
    lone = make_user(app, "lone@example.com", name="Lone Ranger")
    owner = staff_client(app, "owner")
    html = owner.get(f"/staff/customers/{lone}").text
    assert "None given." in html
    assert "The address book is empty." in html
    assert "No accepted version on record" in html
    assert len(log_entries(app, kind="view_personal_data")) == 1


@pytest.mark.parametrize("role", ["catalog", "orders", "support", "analyst"])
def test_other_roles_see_none_of_it(app, bea, role):
    client = staff_client(app, role)
    response = client.get(f"/staff/customers/{bea}")
    assert response.status_code == 403
    # The number as written ("555" alone turns up in a random CSRF token now and then).
    assert "Orchard" not in response.text and "555-0143" not in response.text
    assert log_entries(app, kind="view_personal_data") == []
