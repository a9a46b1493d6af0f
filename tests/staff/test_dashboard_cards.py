"""The dashboard's cards: each role sees the cards of its work and no other, each card counts
what waits, shows the oldest first with its age, and links to the list filtered to match."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from jomso.contact.models import Enquiry
from jomso.database import utcnow
from jomso.extensions import db
from jomso.permissions import Permission
from jomso.shop_time import shop_today
from jomso.staff import dashboard
from tests.catalog.helpers import make_product
from tests.orders.factories import make_order
from tests.staff.helpers import staff_client

# Which cards each role sees.
ROLE_CARDS = {
    "owner": {
        "sales_today",
        "orders_to_ship",
        "payments_to_reconcile",
        "unanswered_enquiries",
        "low_stock",
    },
    "orders": {"orders_to_ship", "payments_to_reconcile"},
    "support": {"unanswered_enquiries"},
    "catalog": {"sales_today", "low_stock"},
    "analyst": {"sales_today"},
}


def cards_on(html: str) -> dict[str, str]:
    """Each dashboard card on the page by key: its inner HTML."""
    cards = {}
    for start in re.finditer(r'<li class="card dash-card[^"]*" data-card="([a-z_]+)">', html):
        depth = 1
        for tag in re.finditer(r"<li\b|</li>", html[start.end() :]):
            depth += 1 if tag.group() == "<li" else -1
            if depth == 0:
                cards[start.group(1)] = html[start.end() : start.end() + tag.start()]
                break
    return cards


def _enquiry(app, *, age_days: int, topic="product", product_name="Blue Mug", status="new"):
    with app.app_context():
        enquiry = Enquiry(
            topic=topic,
            name="Erin Enquirer",
            email="erin.private@example.com",
            message="Is it dishwasher safe?",
            product_name=product_name,
            status=status,
            created_at=utcnow() - timedelta(days=age_days),
        )
        db.session.add(enquiry)
        db.session.commit()
        return enquiry.id


def _work_for_everyone(app):
    make_order(app, status="paid", created_at=utcnow() - timedelta(days=3))
    make_order(app, status="payment_unknown", created_at=utcnow() - timedelta(hours=2))
    _enquiry(app, age_days=2)
    make_product(app, "Last Lamp", stock=1)


@pytest.mark.parametrize("role", sorted(ROLE_CARDS))
def test_each_role_sees_the_cards_of_its_work(app, role):
    _work_for_everyone(app)
    html = staff_client(app, role).get("/staff/").text
    shown = set(cards_on(html))
    assert shown == ROLE_CARDS[role]


@pytest.mark.parametrize("role", sorted(ROLE_CARDS))
def test_the_dashboard_never_shows_a_person(app, role):
    _work_for_everyone(app)
    html = staff_client(app, role).get("/staff/").text
    for private in ("Olga", "olga@example.com", "Harbour Road", "Erin", "erin.private"):
        assert private not in html


def test_orders_to_ship_oldest_first_with_their_age_and_filtered_links(app):
    old = make_order(app, status="processing", created_at=utcnow() - timedelta(days=3, hours=1))
    new = make_order(app, status="paid", created_at=utcnow() - timedelta(hours=5))
    make_order(app, status="paid", created_at=utcnow() - timedelta(days=1), lines=[(None, 3, 500)])
    make_order(app, status="shipped", created_at=utcnow() - timedelta(days=9))
    make_order(app, status="cancelled", created_at=utcnow() - timedelta(days=9))
    client = staff_client(app, "orders")
    card = cards_on(client.get("/staff/").text)["orders_to_ship"]
    assert '<p class="stat-value">3</p>' in card
    assert "2 paid, 1 being prepared" in card
    assert card.index(old) < card.index(new)  # the oldest first
    assert "waiting 3 days" in card and "waiting 5 hours" in card
    assert "3 items, paid, waiting 1 day" in card
    assert f'href="/staff/orders/{old}"' in card
    for status in ("paid", "processing"):
        link = f"/staff/orders?status={status}"
        assert f'href="{link}"' in card
        listed = client.get(link).text
        assert (new in listed) == (status == "paid")
        assert (old in listed) == (status == "processing")


def test_payments_to_reconcile_are_unknown_ones_and_pending_ones_past_the_delay(app):
    unknown = make_order(app, status="payment_unknown", created_at=utcnow() - timedelta(hours=1))
    stale = make_order(app, status="pending_payment", created_at=utcnow() - timedelta(minutes=10))
    fresh = make_order(app, status="pending_payment", created_at=utcnow() - timedelta(seconds=30))
    card = cards_on(staff_client(app, "orders").get("/staff/").text)["payments_to_reconcile"]
    assert '<p class="stat-value">2</p>' in card
    assert unknown in card and stale in card and fresh not in card
    assert card.index(stale) > card.index(unknown)  # the oldest first
    assert 'href="/staff/orders?status=payment_unknown"' in card
    assert 'href="/staff/orders?status=pending_payment"' in card


def test_a_quiet_morning_says_so(app):
    html = staff_client(app, "owner").get("/staff/").text
    cards = cards_on(html)
    assert "Nothing waiting to be shipped." in cards["orders_to_ship"]
    assert "Every payment&#39;s outcome is known." in cards["payments_to_reconcile"]
    assert "Every enquiry is answered." in cards["unanswered_enquiries"]
    assert "dash-card-attention" not in html


def test_privacy_requests_show_while_open_nearest_deadline_first_never_the_address(app):
    from jomso.privacy.models import PrivacyRequest
    from tests.privacy.helpers import confirm_privacy_request, request_id_of, send_privacy_request

    owner = staff_client(app, "owner")
    assert "privacy_requests" not in cards_on(owner.get("/staff/").text)  # none: no card
    guest = app.test_client()
    for email, kind in (("gus.private@example.com", "access"), ("ida@example.com", "erasure")):
        assert send_privacy_request(guest, kind, email).status_code == 303
        assert confirm_privacy_request(guest, app, email).status_code == 200
    later, sooner = (
        request_id_of(app, "gus.private@example.com"),
        request_id_of(app, "ida@example.com"),
    )
    with app.app_context():
        db.session.get(PrivacyRequest, sooner).due_on = shop_today() + timedelta(days=3)
        db.session.commit()

    html = owner.get("/staff/").text
    card = cards_on(html)["privacy_requests"]
    assert '<p class="stat-value">2</p>' in card
    assert card.index(f"#{sooner} ") < card.index(f"#{later} ")  # the nearest deadline first
    assert "3 days left" in card and "Erase my data" in card
    assert f'href="/staff/privacy-requests/{sooner}"' in card
    assert 'href="/staff/privacy-requests"' in card
    assert "gus.private" not in html and "ida@" not in html
    assert 'data-card="privacy_requests"' in html and "dash-card-attention" in html
    for role in ("orders", "support", "catalog", "analyst"):
        assert "privacy_requests" not in cards_on(staff_client(app, role).get("/staff/").text)


def test_unanswered_enquiries_oldest_first_by_topic_never_by_sender(app):
    newer = _enquiry(app, age_days=1, topic="question", product_name=None)
    older = _enquiry(app, age_days=4)
    _enquiry(app, age_days=9, status="answered")
    client = staff_client(app, "support")
    card = cards_on(client.get("/staff/").text)["unanswered_enquiries"]
    assert '<p class="stat-value">2</p>' in card
    assert card.index(f"#{older} About a product: Blue Mug") < card.index(f"#{newer} A question")
    assert "waiting 4 days" in card
    assert f'href="/staff/enquiries/{older}"' in card
    assert 'href="/staff/enquiries?status=new"' in card
    listed = client.get("/staff/enquiries?status=new").text
    assert "Erin Enquirer" in listed  # the list (logged) has who asked; the card has not


def test_low_stock_follows_the_threshold_setting_and_the_list_filter_agrees(app):
    make_product(app, "Sold Out Bowl", stock=0)
    make_product(app, "Two Left Cup", stock=2)
    make_product(app, "Seven Left Jug", stock=7)
    make_product(app, "Hidden Plate", stock=1, is_active=False)
    client = staff_client(app, "catalog")
    card = cards_on(client.get("/staff/").text)["low_stock"]
    assert '<p class="stat-value">2</p>' in card
    assert card.index("Sold Out Bowl") < card.index("Two Left Cup")
    assert "sold out" in card and "2 left" in card
    assert "Seven Left Jug" not in card and "Hidden Plate" not in card
    link = "/staff/products?stock=low&amp;status=active&amp;sort=stock"
    assert f'href="{link}"' in card
    listed = client.get(link.replace("&amp;", "&")).text
    assert "Two Left Cup" in listed and "Seven Left Jug" not in listed

    app.config["LOW_STOCK_THRESHOLD"] = 8
    card = cards_on(client.get("/staff/").text)["low_stock"]
    assert '<p class="stat-value">3</p>' in card and "Seven Left Jug" in card
    assert "Low: 8 or fewer" in client.get("/staff/products").text
    assert "Seven Left Jug" in client.get("/staff/products?stock=low").text


def test_a_card_is_loaded_only_for_those_who_may_see_it(app):
    calls = []

    def load():
        calls.append(1)
        return dashboard.CardContent(count=1)

    dashboard.register_card(
        dashboard.DashboardCard("secret", Permission.ADMINISTER, "Secret", load)
    )
    try:
        assert "Secret" not in staff_client(app, "orders").get("/staff/").text
        assert calls == []
        assert 'data-card="secret"' in staff_client(app, "owner").get("/staff/").text
        assert calls == [1]
    finally:
        dashboard._cards.pop("secret")


def test_a_broken_card_says_so_and_the_others_still_show(app, caplog):
    def load():
        raise RuntimeError("no such table")

    dashboard.register_card(dashboard.DashboardCard("broken", None, "Broken card", load))
    try:
        response = staff_client(app, "orders").get("/staff/")
    finally:
        dashboard._cards.pop("broken")
    assert response.status_code == 200
    cards = cards_on(response.text)
    assert "could not be read just now" in cards["broken"]
    assert "orders_to_ship" in cards
    assert "dashboard card broken could not be loaded" in caplog.text
