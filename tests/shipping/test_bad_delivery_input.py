"""Issue #12's bad input for shipping, through the real forms: tampered or foreign delivery
methods and an address in no zone at checkout (the message beside the delivery choice, 422,
the cart and what was typed kept, nothing charged), and the owner's zone and method forms sent
with overlapping areas or tampered choices."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jomso.extensions import db
from jomso.shipping.demo import set_up_demo_shipping
from jomso.shipping.models import ShippingArea, ShippingMethod, ShippingZone
from tests.catalog.helpers import make_product
from tests.helpers import login, make_user
from tests.orders.helpers import VISA, add_to_cart, all_orders, checkout_data
from tests.shipping.test_zones import ANTARCTICA, _post


@pytest.fixture
def owner(app, client):
    make_user(app, "olga@staff.example.com", roles=("owner",))
    login(client, "olga@staff.example.com")
    return client


@pytest.fixture
def demo_zones(app):
    with app.app_context():
        set_up_demo_shipping()


def _delivery_error(html: str) -> str:
    match = re.search(r'<p class="error" id="delivery-error">([^<]*)</p>', html)
    assert match, "no message beside the delivery methods"
    return match.group(1)


def _europe_method(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ShippingMethod.id).where(ShippingMethod.kind == "weight"))


@pytest.mark.parametrize(
    "tampered", ["europe", "999999", "99999999999999999999999", "-1", "0", "1.5", "", "1 OR 1=1"]
)
def test_a_tampered_or_foreign_method_is_answered_beside_the_choice(
    app, client, demo_zones, tampered
):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    sent = str(_europe_method(app)) if tampered == "europe" else tampered
    response = client.post(
        "/checkout", data=checkout_data(page, VISA, phone="(503) 555-0199", shipping_method=sent)
    )
    assert response.status_code == 422
    assert "not offered for this address" in _delivery_error(response.text)
    assert 'value="(503) 555-0199"' in response.text  # what was typed comes back
    assert all_orders(app) == []
    assert "Blue Mug" in client.get("/cart").text


def test_a_method_left_out_of_the_form_is_asked_for_beside_the_choice(app, client, demo_zones):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    response = client.post("/checkout", data=checkout_data(page, VISA, shipping_method=None))
    assert response.status_code == 422
    assert _delivery_error(response.text) == "Choose how your order is delivered."
    assert all_orders(app) == []


def test_a_zone_less_address_is_answered_beside_the_choice_and_keeps_the_cart(
    app, client, demo_zones
):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    data = checkout_data(page, VISA, **{f"billing-{k}": v for k, v in ANTARCTICA.items()})
    response = client.post("/checkout", data=data)
    assert response.status_code == 422
    assert "We do not deliver to Antarctica." in _delivery_error(response.text)
    assert 'value="McMurdo"' in response.text  # the address typed comes back
    assert all_orders(app) == []
    assert "Blue Mug" in client.get("/cart").text


def test_a_zone_edited_to_overlap_another_is_refused_beside_its_areas(app, owner):
    assert (
        _post(owner, "/staff/shipping/zones/new", name="Europe", areas="DE, FR").status_code == 302
    )
    assert _post(owner, "/staff/shipping/zones/new", name="Nordics", areas="SE").status_code == 302
    with app.app_context():
        nordics = db.session.scalar(select(ShippingZone.id).where(ShippingZone.name == "Nordics"))
    url = f"/staff/shipping/zones/{nordics}"
    response = _post(owner, url, name="Nordics", areas="SE, de")
    assert response.status_code == 422
    beside = re.search(r'id="areas-error">(.*?)</', response.text, re.S)
    assert beside and "DE is in the zone “Europe” already." in beside.group(1)
    assert "SE, de</textarea>" in response.text
    with app.app_context():
        areas = db.session.scalars(
            select(ShippingArea.country).where(ShippingArea.zone_id == nordics)
        ).all()
        assert areas == ["SE"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"zone": "999999"}, "zone"),
        ({"zone": "abc"}, "zone"),
        ({"kind": "teleport"}, "kind"),
        ({"price": "-4.95"}, "price"),
        ({"price": "99999999999999999999999999"}, "price"),
    ],
)
def test_tampered_choices_in_the_method_form_are_refused_beside_them(app, owner, fields, field):
    with app.app_context():
        zone = db.session.scalar(select(ShippingZone.id))
    data = {"zone": str(zone), "name": "Courier", "kind": "flat", "price": "4.95", **fields}
    response = _post(owner, "/staff/shipping/methods/new", **data)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">[^<]+<', response.text), response.text
    with app.app_context():
        assert (
            db.session.scalar(select(ShippingMethod).where(ShippingMethod.name == "Courier"))
            is None
        )


def test_a_delivery_address_tampered_to_a_zone_less_country_is_refused_beside_it(
    app, client, demo_zones
):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    page = client.get("/checkout").text
    response = client.post("/checkout", data=checkout_data(page, VISA, shipping=ANTARCTICA))
    assert response.status_code == 422
    # Antarctica is not among the delivery countries offered: said beside the delivery choice
    assert "We do not deliver to Antarctica." in _delivery_error(response.text)
    assert 'value="McMurdo"' in response.text
    assert all_orders(app) == []
    assert "Blue Mug" in client.get("/cart").text
