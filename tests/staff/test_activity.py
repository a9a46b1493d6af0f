"""The activity feed: recent events across the shop, each shown only to the roles allowed to
see it: orders (placed, paid, shipped, refunded) to the orders role, enquiries to support,
new products to the catalog role, staff changes to the owner; the owner sees all. Events
name no customer, so the feed writes nothing to the access log."""

from __future__ import annotations

import pytest

from tests.catalog.helpers import make_product
from tests.contact.helpers import send_contact
from tests.orders.helpers import buy, confirmed_post, order_number, staff_post
from tests.staff.helpers import log_entries, post_form, staff_client


@pytest.fixture
def happenings(app, client):
    """An order paid, shipped and partly refunded; an enquiry answered; a new product; a
    staff member added by the owner."""
    app.config["CONTACT_MIN_SECONDS"] = 0
    response, _product = buy(app, client, price_cents=6000)
    number = order_number(response)
    owner = staff_client(app, "owner")
    staff_post(owner, number, "ship", {"carrier": "UPS", "tracking_number": "1Z1"})
    staff_post(owner, number, "settle")
    confirmed_post(owner, number, "refund", {"amount": "5.00", "reason": "A chipped lid."})
    send_contact(app.test_client(), name="Carla Customer", message="Do you ship to Canada?")
    post_form(
        owner, "/staff/enquiries/1/reply", {"body": "Yes, we do."}, page_url="/staff/enquiries/1"
    )
    make_product(app, "Fresh Teapot", age_days=1)
    post_form(owner, "/staff/staff/new", {"email": "sam@staff.example.com", "name": "Sam",
              "roles": ["support"], "password": "maple quartz lantern 42 river",
              "confirm": "maple quartz lantern 42 river"})  # fmt: skip
    return {"owner": owner, "number": number}


ORDER_LINES = ["placed ($60.00)", "paid: $60.00", "shipped.", "Refunded $5.00 on order"]
# The refund's reason is on the order's timeline, never in the feed (it may name a person).
NEVER_IN_THE_FEED = ["A chipped lid."]
ENQUIRY_LINES = ["New enquiry #1 (A question).", "Enquiry #1 answered."]
PRODUCT_LINES = ["Product added: Fresh Teapot (SKU-FRESH-TEAPOT)."]
STAFF_LINES = ["Staff account created: account #"]


def _sees(page: str, lines: list[str]) -> bool:
    return all(line in page for line in lines)


def _sees_none(page: str, lines: list[str]) -> bool:
    return not any(line in page for line in lines)


@pytest.mark.parametrize(
    ("role", "orders", "enquiries", "products", "staff"),
    [
        ("owner", True, True, True, True),
        ("orders", True, False, False, False),
        ("support", False, True, False, False),
        ("catalog", False, False, True, False),
        ("analyst", False, False, False, False),
    ],
)
def test_each_role_sees_only_its_events(app, happenings, role, orders, enquiries, products, staff):
    viewer = happenings["owner"] if role == "owner" else staff_client(app, role, f"{role}-v@x.org")
    before = len(log_entries(app, kind="view_personal_data"))
    page = viewer.get("/staff/activity")
    assert page.status_code == 200
    html = page.text
    for lines, shown in ((ORDER_LINES, orders), (ENQUIRY_LINES, enquiries),
                         (PRODUCT_LINES, products), (STAFF_LINES, staff)):  # fmt: skip
        assert (_sees if shown else _sees_none)(html, lines), (role, lines)
    assert "Carla" not in html and "carla@example.com" not in html  # no customer named
    assert "gus@example.com" not in html and "Gus Guest" not in html
    assert _sees_none(html, NEVER_IN_THE_FEED)
    assert len(log_entries(app, kind="view_personal_data")) == before
    if role == "analyst":
        assert "Your roles see no events here" in html
    if orders:
        assert f'href="/staff/orders/{happenings["number"]}"' in html


def test_events_are_newest_first_and_say_who(app, happenings):
    html = happenings["owner"].get("/staff/activity").text
    assert html.index("Fresh Teapot") > html.index("Staff account created")  # product older
    assert html.index("Refunded $5.00") < html.index("paid: $60.00")
    assert "by owner@staff.example.org" in html


def test_the_menu_offers_the_feed_to_every_staff_member(app):
    support = staff_client(app, "support")
    assert 'href="/staff/activity"' in support.get("/staff/").text
