"""The enquiry inbox for staff: list, search, detail with the access log, reply by email,
close and reopen, permissions; product interest for catalog staff; retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from jomso.contact.models import Enquiry
from jomso.database import utcnow
from jomso.extensions import db
from jomso.privacy.retention import run_retention_rules
from tests.catalog.helpers import make_product, text_of
from tests.contact.helpers import enquiries, send_contact
from tests.helpers import login, make_user
from tests.mailbox import last_message, outbox_messages
from tests.mailbox import text_of as mail_text
from tests.staff.helpers import log_entries, post_form, staff_client


@pytest.fixture
def inbox(app):
    """Three enquiries from visitors (one about a product, one from a signed-in customer)."""
    make_product(app, "Blue Mug")
    send_contact(
        app.test_client(),
        name="Carla Customer",
        email="carla@example.com",
        message="Do you ship to Canada?",
    )
    send_contact(
        app.test_client(),
        "/contact?product=blue-mug",
        name="Piet Potter",
        email="piet@example.com",
        topic="product",
        message="Is it dishwasher safe?",
    )
    customer = app.test_client()
    customer_id = make_user(app, "dora@example.com", name="Dora Shopper")
    login(customer, "dora@example.com")
    send_contact(
        customer,
        name="Dora Shopper",
        email="dora@example.com",
        topic="order",
        order_number="J7K2M9QX",
        message="Where is my parcel?",
    )
    return {e.name: e.id for e in enquiries(app)} | {"dora_account": customer_id}


def test_support_reads_the_inbox_newest_first_and_the_look_is_logged(app, inbox):
    support = staff_client(app, "support")
    page = support.get("/staff/enquiries")
    assert page.status_code == 200
    text = text_of(page.text)
    assert text.index("Dora Shopper") < text.index("Piet Potter") < text.index("Carla Customer")
    assert "carla@example.com" in text and "Blue Mug" in text and "Order J7K2M9QX" in text
    assert "All 3" in text and "New 3" in text and "Answered 0" in text
    [entry] = log_entries(app, view="enquiries.enquiry_list")
    assert entry.kind == "view_personal_data" and entry.customer_id is None
    assert entry.detail == "inbox, page 1"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("piet@", ["Piet Potter"]),
        ("carla customer", ["Carla Customer"]),
        ("dishwasher", ["Piet Potter"]),
        ("blue mug", ["Piet Potter"]),
        ("J7K2", ["Dora Shopper"]),
        ("nobody", []),
        ("%", []),
    ],
)
def test_search(app, inbox, query, found):
    support = staff_client(app, "support")
    text = text_of(support.get("/staff/enquiries", query_string={"q": query}).text)
    names = [n for n in ("Carla Customer", "Piet Potter", "Dora Shopper") if n in text]
    assert names == found
    if not found:
        assert "No enquiry matches that search." in text
        assert log_entries(app, view="enquiries.enquiry_list") == []  # nobody's data shown


def test_search_by_reference(app, inbox):
    support = staff_client(app, "support")
    text = text_of(
        support.get("/staff/enquiries", query_string={"q": f"#{inbox['Piet Potter']}"}).text
    )
    assert "Piet Potter" in text and "Carla Customer" not in text


def test_the_detail_shows_the_sender_and_writes_one_log_entry_per_opening(app, inbox):
    support = staff_client(app, "support")
    dora = inbox["Dora Shopper"]
    for _ in range(2):
        page = support.get(f"/staff/enquiries/{dora}")
        assert page.status_code == 200
    text = text_of(page.text)
    assert "Dora Shopper" in text and "dora@example.com" in text
    assert "Where is my parcel?" in text and "About an order" in text and "J7K2M9QX" in text
    assert "Signed in when writing" in text  # support may not open customer records
    entries = log_entries(app, view="enquiries.enquiry_detail")
    assert len(entries) == 2
    assert {(e.customer_id, e.detail) for e in entries} == {
        (inbox["dora_account"], f"enquiry #{dora}")
    }
    assert support.get("/staff/enquiries/9999").status_code == 404


def test_the_owner_sees_the_account_link_and_the_customer_record_lists_enquiries(app, inbox):
    owner = staff_client(app, "owner")
    page = owner.get(f"/staff/enquiries/{inbox['Dora Shopper']}")
    assert f'href="/staff/customers/{inbox["dora_account"]}"' in page.text
    record = owner.get(f"/staff/customers/{inbox['dora_account']}")
    assert "Enquiries" in record.text and "Where is my parcel?" not in record.text
    assert f"#{inbox['Dora Shopper']}" in text_of(record.text)


def test_a_reply_is_emailed_from_the_shop_and_kept_with_the_enquiry(app, inbox):
    support = staff_client(app, "support")
    piet = inbox["Piet Potter"]
    response = post_form(
        support,
        f"/staff/enquiries/{piet}/reply",
        {"body": "Yes, it is.\n\nWarm regards, the shop"},
        page_url=f"/staff/enquiries/{piet}",
    )
    assert response.status_code == 302
    page = support.get(f"/staff/enquiries/{piet}")
    assert "Your reply was emailed to the sender." in page.text
    assert "Yes, it is." in page.text and "Answered" in text_of(page.text)

    message = last_message(app, to="piet@example.com")
    assert message["Subject"] == f"Re: your message to Jomso Demo Shop (#{piet})"
    assert message["From"] == "Jomso Demo Shop <shop@example.com>"
    assert message["Reply-To"] == "shop@example.com"
    body = mail_text(message)
    assert body.startswith("Yes, it is.\n\nWarm regards, the shop")
    assert "> Is it dishwasher safe?" in body
    [stored] = enquiries(app)[1].replies
    assert stored.body == "Yes, it is.\n\nWarm regards, the shop"
    assert enquiries(app)[1].status == "answered"


def test_an_empty_reply_comes_back_and_sends_nothing(app, inbox):
    support = staff_client(app, "support")
    before = len(outbox_messages(app))
    response = post_form(
        support,
        f"/staff/enquiries/{inbox['Carla Customer']}/reply",
        {"body": "  "},
        page_url=f"/staff/enquiries/{inbox['Carla Customer']}",
    )
    assert response.status_code == 422
    assert 'id="body-error">Write the reply first.' in response.text
    assert len(outbox_messages(app)) == before
    assert enquiries(app)[0].status == "new"


def test_close_and_reopen(app, inbox):
    support = staff_client(app, "support")
    carla = inbox["Carla Customer"]
    url = f"/staff/enquiries/{carla}"
    post_form(support, f"{url}/close", page_url=url)
    assert enquiries(app)[0].status == "closed"
    assert "Closed 1" in text_of(support.get("/staff/enquiries").text)
    closed = text_of(support.get("/staff/enquiries?status=closed").text)
    assert "Carla Customer" in closed and "Piet Potter" not in closed
    post_form(support, f"{url}/reopen", page_url=url)
    assert enquiries(app)[0].status == "new"


@pytest.mark.parametrize("role", ["orders", "catalog", "analyst"])
def test_other_roles_get_403_and_never_see_an_enquirer(app, inbox, role):
    client = staff_client(app, role)
    for url in ("/staff/enquiries", f"/staff/enquiries/{inbox['Carla Customer']}"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Carla" not in response.text and "carla@example.com" not in response.text
    assert "/staff/enquiries" not in client.get("/staff/").text  # not in the menu either
    assert log_entries(app, kind="view_personal_data") == []


def test_customers_get_403_and_visitors_are_sent_to_sign_in(app, inbox):
    customer = app.test_client()
    login(customer, "dora@example.com")
    assert customer.get("/staff/enquiries").status_code == 403
    response = app.test_client().get("/staff/enquiries")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")


def test_support_finds_the_inbox_in_the_menu(app):
    assert 'href="/staff/enquiries"' in staff_client(app, "support").get("/staff/").text


def test_product_interest_counts_views_enquiries_and_sign_ups_without_names(app, inbox):
    visitor = app.test_client()
    for _ in range(3):
        visitor.get("/products/blue-mug")
    send_contact(
        app.test_client(),
        "/contact?product=blue-mug",
        name="Quinn Q",
        email="quinn@example.com",
        newsletter="y",
    )
    catalog = staff_client(app, "catalog")
    page = catalog.get("/staff/interest")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Blue Mug 3 2 1" in text  # views, enquiries, sign-ups
    for personal in ("Piet", "piet@example.com", "Quinn", "quinn@example.com"):
        assert personal not in page.text
    assert log_entries(app, view="interest.product_interest") == []
    assert "Blue Mug 3 2 1" in text_of(catalog.get("/staff/interest?days=7&sort=signups").text)
    assert staff_client(app, "support").get("/staff/interest").status_code == 403
    assert 'href="/staff/interest"' in catalog.get("/staff/").text


def test_product_interest_is_empty_at_first(app):
    page = staff_client(app, "catalog").get("/staff/interest?days=nonsense&sort=nonsense")
    assert "No product was viewed" in page.text


def test_purge_anonymises_enquiries_untouched_for_the_keep_period(app, inbox):
    with app.app_context():
        db.session.execute(
            update(Enquiry)
            .where(Enquiry.id == inbox["Piet Potter"])
            .values(updated_at=utcnow() - timedelta(days=800))
        )
        db.session.commit()
        counts = run_retention_rules(utcnow())
    assert counts["enquiries: old ones anonymised"] == 1
    rows = {e.id: e for e in enquiries(app)}
    old = rows[inbox["Piet Potter"]]
    assert (old.name, old.email, old.message, old.phone) == ("", "", "", None)
    assert old.product_name == "Blue Mug" and old.anonymized_at is not None
    assert rows[inbox["Carla Customer"]].email == "carla@example.com"
    support = staff_client(app, "support")
    page = support.get(f"/staff/enquiries/{old.id}")
    assert "cannot be answered" in page.text and "Send reply" not in page.text
