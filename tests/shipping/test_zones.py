"""Shipping zones and methods: the prices they give, the owner's page, and the checkout's
delivery step, through the real forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.shipping import rates
from jomso.shipping.demo import set_up_demo_shipping
from jomso.shipping.models import MethodKind, ShippingArea, ShippingMethod, ShippingZone
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user
from tests.orders.helpers import (
    ADDRESS,
    VISA,
    add_to_cart,
    all_orders,
    checkout_data,
    get_order,
    order_number,
)

GERMANY = {"name": "Greta Gast", "line1": "Hauptstr. 1", "line2": "", "city": "Berlin",
           "region": "", "postal_code": "10115", "country": "DE"}  # fmt: skip
ANTARCTICA = {**GERMANY, "city": "McMurdo", "postal_code": "", "country": "AQ"}


def _zones(app, *zones) -> None:
    """Replace every zone by ``zones``: (name, [area codes], [methods])."""
    with app.app_context():
        for zone in db.session.scalars(select(ShippingZone)):
            db.session.delete(zone)
        db.session.flush()
        for name, codes, methods in zones:
            areas = [ShippingArea(country=c.split("-")[0], region=[*c.split("-"), ""][1])
                     for c in codes]  # fmt: skip
            db.session.add(ShippingZone(name=name, areas=areas, methods=methods))
        raise_revision()  # as shipping.editing does: the prices read the zones per revision
        db.session.commit()


def _weight(name="Parcel", bands=((1000, 500), (5000, 1500))) -> ShippingMethod:
    method = ShippingMethod(name=name, kind=MethodKind.WEIGHT)
    method.bands = list(bands)
    return method


def _pickup(app, name="Collect at the shop", cents=0) -> None:
    with app.app_context():
        db.session.add(ShippingMethod(name=name, kind=MethodKind.PICKUP, price_cents=cents))
        raise_revision()
        db.session.commit()


def _quotes(app, country, region="", subtotal=1000, weight=0):
    with app.app_context():
        return [(q.name, q.cents) for q in rates.quotes(country, region, subtotal, weight)]


# -- Prices ----------------------------------------------------------------------------------


def test_an_address_falls_in_its_regions_zone_then_its_countrys_then_everywhere_else(app):
    _zones(
        app,
        ("California", ["US-CA"], [ShippingMethod(name="Same day", kind="flat", price_cents=900)]),
        ("USA", ["US"], [ShippingMethod(name="Ground", kind="flat", price_cents=600)]),
        ("World", ["*"], [ShippingMethod(name="Airmail", kind="flat", price_cents=2000)]),
    )
    assert _quotes(app, "US", "CA") == [("Same day", 900)]
    assert _quotes(app, "US", "OR") == [("Ground", 600)]
    assert _quotes(app, "JP") == [("Airmail", 2000)]


def test_each_kind_prices_the_cart(app):
    free = ShippingMethod(name="Standard", kind="free_above", price_cents=495, free_from_cents=5000)
    _zones(app, ("Home", ["US"], [free, _weight()]))
    assert _quotes(app, "US", subtotal=4999, weight=1000) == [("Standard", 495), ("Parcel", 500)]
    assert _quotes(app, "US", subtotal=5000, weight=1001) == [("Standard", 0), ("Parcel", 1500)]
    # Heavier than the last band: the weight method is not offered at all.
    assert _quotes(app, "US", subtotal=100, weight=5001) == [("Standard", 495)]


def test_a_pickup_is_offered_everywhere_and_an_address_in_no_zone_gets_nothing_else(app):
    _zones(app, ("Home", ["US"], [ShippingMethod(name="Ground", kind="flat", price_cents=600)]))
    assert _quotes(app, "AQ") == []
    _pickup(app)
    assert _quotes(app, "AQ") == [("Collect at the shop", 0)]
    # Deliveries come first, the pickup after them even when it is cheaper.
    assert _quotes(app, "US") == [("Ground", 600), ("Collect at the shop", 0)]


def test_the_demo_has_two_zones_and_three_methods_and_keeps_an_owners_own(app):
    with app.app_context():
        assert set_up_demo_shipping() is True
        zones = db.session.scalars(select(ShippingZone).order_by(ShippingZone.name)).all()
        assert [(z.name, len(z.methods)) for z in zones] == [("Domestic", 2), ("Europe", 1)]
        assert set_up_demo_shipping() is False  # not the untouched default any more
    assert _quotes(app, "DE", weight=2500) == [("International parcel", 2495)]
    assert _quotes(app, "AQ") == []


# -- The owner's page ------------------------------------------------------------------------


@pytest.fixture
def owner(app, client):
    make_user(app, "olga@staff.example.com", roles=("owner",))
    login(client, "olga@staff.example.com")
    return client


def _post(client, url, **data):
    token = csrf_token_from(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def test_the_owner_adds_a_zone_and_its_methods(app, owner):
    response = _post(owner, "/staff/shipping/zones/new", name="Europe", areas="de, FR\nUS-ca")
    assert response.status_code == 302
    page = owner.get("/staff/shipping").text
    assert "Europe" in page and "DE" in page and "US-CA" in page
    with app.app_context():
        zone_id = db.session.scalar(select(ShippingZone.id).where(ShippingZone.name == "Europe"))
    response = _post(
        owner, "/staff/shipping/methods/new", zone=str(zone_id), name="Parcel", kind="weight",
        weight_bands="1000: 9.95\n5000 g: 19.95", is_active="y",
    )  # fmt: skip
    assert response.status_code == 302
    assert _quotes(app, "FR", weight=3000) == [("Parcel", 1995)]
    assert _quotes(app, "US", "CA", weight=10) == [("Parcel", 995)]
    page = owner.get("/staff/shipping").text
    assert "up to 1,000 g: $9.95; up to 5,000 g: $19.95" in page


def test_zones_never_overlap_and_bad_codes_are_named_beside_the_field(app, owner):
    # The migration's zone holds "*" already.
    response = _post(owner, "/staff/shipping/zones/new", name="Rest", areas="*, XX, US-ZZ, DE")
    assert response.status_code == 422
    assert "* is in the zone “Everywhere” already." in response.text
    assert "“XX” is not a country code." in response.text
    assert "“US-ZZ” is not a region of US." in response.text
    assert "*, XX, US-ZZ, DE</textarea>" in response.text  # what was typed comes back
    with app.app_context():
        assert db.session.scalar(select(ShippingZone).where(ShippingZone.name == "Rest")) is None


def test_a_method_gets_every_problem_in_one_pass(app, owner):
    response = _post(
        owner, "/staff/shipping/methods/new", zone="0", name="Parcel", kind="weight",
        weight_bands="heavy: 3\n500: -2", price="",
    )  # fmt: skip
    assert response.status_code == 422
    assert "Choose the zone this method delivers to." in response.text
    assert "Line 1: start with the weight in grams, such as 1000." in response.text
    assert "Line 2: The price cannot be negative." in response.text
    response = _post(
        owner, "/staff/shipping/methods/new", zone="1", name="Pickup", kind="pickup", price="0"
    )
    assert response.status_code == 422
    assert "A local pickup belongs to no zone" in response.text


def test_unknown_zones_and_methods_are_404_and_other_roles_403(app, client, owner):
    assert owner.get("/staff/shipping/zones/999").status_code == 404
    assert owner.get("/staff/shipping/methods/999").status_code == 404
    make_user(app, "desk@staff.example.com", roles=("orders",))
    other = app.test_client()
    login(other, "desk@staff.example.com")
    assert other.get("/staff/shipping").status_code == 403


def test_deleting_a_zone_keeps_its_orders_price_and_method_name(app, client, owner):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    number = order_number(client.post("/checkout", data=checkout_data(page, VISA)))
    token = csrf_token_from(owner.get("/staff/shipping/zones/1").text)
    assert (
        owner.post("/staff/shipping/zones/1/delete", data={"csrf_token": token}).status_code == 302
    )
    order = get_order(app, number)
    assert (order.shipping_cents, order.shipping_method_name) == (495, "Standard shipping")


# -- The checkout's delivery step ------------------------------------------------------------


@pytest.fixture
def demo_zones(app):
    with app.app_context():
        set_up_demo_shipping()


def test_the_customer_picks_a_method_and_pays_its_price(app, client, demo_zones):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    assert "Standard (3 to 5 days)" in page and "Express (next day)" in page
    assert "International parcel" not in page  # not for a US address
    with app.app_context():
        express = db.session.scalar(select(ShippingMethod.id).where(ShippingMethod.kind == "flat"))
    data = checkout_data(page, VISA, shipping_method=str(express))
    order = get_order(app, order_number(client.post("/checkout", data=data)))
    assert (order.shipping_cents, order.total_cents) == (1495, 2495)
    assert order.shipping_method_name == "Express (next day)"
    assert "Express (next day)" in client.get(f"/orders/{order.number}").text


def test_a_changed_address_shows_its_methods_before_anything_is_placed(app, client, demo_zones):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text  # offered the US methods
    response = client.post("/checkout", data=checkout_data(page, VISA, shipping=GERMANY))
    assert response.status_code in (409, 422)
    assert "International parcel" in response.text
    assert all_orders(app) == []
    data = checkout_data(response.text, VISA, shipping=GERMANY)
    order = get_order(app, order_number(client.post("/checkout", data=data)))
    assert (order.shipping_country, order.shipping_cents) == ("DE", 1495)


def test_an_address_in_no_zone_is_told_before_payment_and_keeps_the_cart(app, client, demo_zones):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    data = checkout_data(page, VISA, **{f"billing-{k}": v for k, v in ANTARCTICA.items()})
    response = client.post("/checkout", data=data)
    assert response.status_code == 422
    assert (
        "We do not deliver to Antarctica. Please choose another delivery address." in response.text
    )
    assert all_orders(app) == []
    assert "Blue Mug" in client.get("/cart").text
    # Antarctica is not offered for the delivery address, but stays for billing.
    shipping_select = response.text.split('name="shipping-country"')[1].split("</select>")[0]
    billing_select = response.text.split('name="billing-country"')[1].split("</select>")[0]
    assert 'value="AQ"' not in shipping_select and 'value="AQ"' in billing_select


def test_a_tampered_or_foreign_method_is_refused_with_a_message(app, client, demo_zones):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    with app.app_context():
        europe = db.session.scalar(select(ShippingMethod.id).where(ShippingMethod.kind == "weight"))
    for tampered in (str(europe), "999", "abc"):
        response = client.post(
            "/checkout", data=checkout_data(page, VISA, shipping_method=tampered)
        )
        assert response.status_code == 422
        assert "That delivery method is not offered for this address" in response.text
    assert all_orders(app) == []


def test_a_pickup_needs_no_delivery_address(app, client):
    _pickup(app, "Collect in Portland", cents=0)
    with app.app_context():
        pickup = db.session.scalar(select(ShippingMethod.id).where(ShippingMethod.kind == "pickup"))
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    data = checkout_data(
        page, VISA, shipping_method=str(pickup), shipping={"line1": "", "city": ""}
    )
    order = get_order(app, order_number(client.post("/checkout", data=data)))
    assert (order.shipping_cents, order.shipping_method_name) == (0, "Collect in Portland")
    assert order.shipping_line1 == ADDRESS["line1"]  # the billing address: nothing to post


def test_the_cart_estimates_for_the_shops_country_or_says_it_comes_at_checkout(app, client):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    assert "Shipping to United States by Standard shipping" in client.get("/cart").text
    _zones(app, ("Europe", ["DE"], [ShippingMethod(name="Post", kind="flat", price_cents=700)]))
    page = client.get("/cart").text
    assert "you see it at checkout" in page and "Total before shipping" in page


def test_staff_filter_the_order_list_by_delivery_method(app, client, owner, demo_zones):
    with app.app_context():
        express = db.session.scalar(select(ShippingMethod.id).where(ShippingMethod.kind == "flat"))
    numbers = []
    for method in (None, str(express)):
        add_to_cart(client, make_product(app, f"Mug {method}", price_cents=1000))
        page = client.get("/checkout").text
        data = checkout_data(page, VISA, **({"shipping_method": method} if method else {}))
        numbers.append(order_number(client.post("/checkout", data=data)))
    standard, fast = numbers
    listed = owner.get("/staff/orders", query_string={"delivery": "Express (next day)"}).text
    assert fast in listed and standard not in listed
    assert '<option selected value="Express (next day)">' in listed
    listed = owner.get("/staff/orders", query_string={"delivery": "Standard (3 to 5 days)"}).text
    assert standard in listed and fast not in listed
    # A name that is no method's: the field says so, and the list is not narrowed by it.
    listed = owner.get("/staff/orders", query_string={"delivery": "Zeppelin", "status": ""})
    assert listed.status_code == 200
    assert standard in listed.text and fast in listed.text and "Not a valid choice" in listed.text


def test_the_owners_checklist_asks_for_zones_until_they_are_set(app, owner):
    text = owner.get("/staff/").text
    assert "One rate goes to every country in the world." in text
    with app.app_context():
        set_up_demo_shipping()
    text = owner.get("/staff/").text
    assert "3 delivery methods are offered. 2 zones." in text
    _zones(app)
    assert "No delivery method is offered: nobody can check out." in owner.get("/staff/").text
