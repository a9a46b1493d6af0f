"""Taxes through the shop's real pages: the cart's estimate, the checkout's figure for the
address (recomputed without JavaScript by "Update the delivery options"), the order's
snapshot, its page, its email and the staff's order page."""

from __future__ import annotations

import re

import pytest

from jomso.catalog.page_cache import raise_revision
from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product
from tests.helpers import set_standard_shipping
from tests.orders.helpers import (
    ADDRESS,
    add_to_cart,
    checkout_data,
    get_order,
    order_number,
    staff,
)
from tests.taxes.helpers import CALIFORNIA, PARIS, set_class, set_taxes

US = {"standard:US-CA": 7250, "standard:US-NY": 4000}
EU = {"standard:FR": 20000, "reduced:FR": 5500}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _address(prefix: str, address: dict) -> dict:
    return {f"{prefix}-{k}": v for k, v in address.items()}


def _recompute(client, page_html: str, address: dict):
    """The "Update the delivery options for this address" button, without JavaScript."""
    data = checkout_data(
        page_html, nonce=None, update_address="delivery", **_address("billing", address)
    )
    return client.post("/checkout", data=data)


def _place(client, page_html: str, address: dict, **kwargs):
    data = checkout_data(page_html, **_address("billing", address), **kwargs)
    return client.post("/checkout", data=data)


@pytest.fixture
def us_shop(app):
    set_standard_shipping(app, price_cents=500, free_from_cents=None)
    set_taxes(app, included=False, rule="none", rates=US)
    return app


def test_us_cart_says_plus_tax_and_checkout_adds_the_states_tax(us_shop, client):
    app = us_shop
    add_to_cart(client, make_product(app, "Lamp", price_cents=2000), 2)
    cart = _text(client.get("/cart").text)
    assert "plus tax" in cart and "Tax 7.25" not in cart  # the shop's country has no rate
    assert "$45.00" in cart  # 40.00 + 5.00 shipping, no tax for the US as a whole

    page = client.get("/checkout").text
    shown = _recompute(client, page, CALIFORNIA)
    assert shown.status_code == 200
    text = _text(shown.text)
    assert "Tax 7.25 % (Standard) $2.90" in text  # 40.00 at 7.25%; shipping untaxed
    assert "Place order and pay $47.90" in text
    assert "Tax is added for the address you entered." in text

    placed = _place(client, shown.text, CALIFORNIA)
    assert placed.status_code == 303, _text(placed.text)[:600]
    order = get_order(app, order_number(placed))
    assert (order.subtotal_cents, order.shipping_cents, order.tax_cents) == (4000, 500, 290)
    assert order.total_cents == 4790 and not order.prices_include_tax
    assert order.payments[0].amount_cents == 4790  # the card is charged the tax too
    assert [
        (line.tax_class, line.tax_percent_thousandths, line.tax_cents) for line in order.lines
    ] == [("standard", 7250, 290)]
    with app.app_context():
        saved = db.session.get(Order, order.id)
        assert [
            (t.class_name, t.percent_thousandths, t.base_cents, t.tax_cents)
            for t in saved.tax_lines
        ] == [("Standard", 7250, 4000, 290)]
    order_page = _text(client.get(f"/orders/{order.number}").text)
    assert "Tax 7.25 % (Standard) $2.90" in order_page and "$47.90" in order_page


def test_new_york_pays_new_yorks_rate_and_oregon_none(us_shop, client):
    app = us_shop
    add_to_cart(client, make_product(app, "Chair", price_cents=10000))
    page = client.get("/checkout").text
    ny = {**CALIFORNIA, "city": "New York", "region": "NY", "postal_code": "10001"}
    assert "Tax 4 % (Standard) $4.00" in _text(_recompute(client, page, ny).text)
    oregon = _text(_recompute(client, page, ADDRESS).text)
    assert "Tax 4 %" not in oregon and "Place order and pay $105.00" in oregon


def test_an_address_changed_without_updating_shows_the_new_tax_before_charging(us_shop, client):
    app = us_shop
    add_to_cart(client, make_product(app, "Desk", price_cents=10000))
    page = client.get("/checkout").text  # empty address: the estimate, no tax
    shown = _recompute(client, page, ADDRESS)  # Oregon: no tax
    sent = _place(client, shown.text, CALIFORNIA)  # then California typed, not updated
    assert sent.status_code == 409
    assert "Tax 7.25 % (Standard) $7.25" in _text(sent.text)
    with app.app_context():
        assert db.session.query(Order).count() == 0  # nothing placed, nothing charged
    placed = _place(client, sent.text, CALIFORNIA)
    assert placed.status_code == 303
    assert get_order(app, order_number(placed)).total_cents == 10000 + 500 + 725


def test_eu_shop_prices_include_vat_at_20_and_5_5_percent(app, client, monkeypatch):
    # A shop in France (LOCALE fr_FR) would also speak French: the estimate's country is
    # set alone, so the page reads in English.
    monkeypatch.setattr("jomso.cart.services.shop_country", lambda: "FR")
    set_standard_shipping(app, price_cents=495, free_from_cents=None)
    set_taxes(app, included=True, rule="proportional", rates=EU)
    mug = make_product(app, "Mug", price_cents=1200)
    book = make_product(app, "Book", price_cents=1055)
    set_class(app, book, "reduced")
    add_to_cart(client, mug)
    add_to_cart(client, book)
    cart = _text(client.get("/cart").text)
    # 4.95 of shipping split 12.00 : 10.55 → 2.63 (20%) and 2.32 (5.5%).
    # Standard: 14.63 incl. 20% = 2.44; reduced: 12.87 incl. 5.5% = 0.67.
    assert "incl. VAT 20 % (Standard) $2.44" in cart
    assert "incl. VAT 5.5 % (Reduced) $0.67" in cart
    assert "$27.50" in cart  # 22.55 + 4.95: nothing added
    assert "Prices include VAT." in cart
    assert "incl. VAT" in _text(client.get("/products/mug").text)

    page = client.get("/checkout").text
    shown = _recompute(client, page, PARIS)
    assert "Place order and pay $27.50" in _text(shown.text)
    placed = _place(client, shown.text, PARIS, phone="+33 1 42 68 53 00")
    assert placed.status_code == 303, _text(placed.text)[:800]
    order = get_order(app, order_number(placed))
    assert order.prices_include_tax and order.total_cents == 2750 and order.tax_cents == 311
    by_name = {
        line.name: (line.tax_class, line.tax_percent_thousandths, line.tax_cents)
        for line in order.lines
    }
    assert by_name == {"Mug": ("standard", 20000, 200), "Book": ("reduced", 5500, 55)}
    assert order.shipping_tax_cents == 311 - 255
    staff(app, client, role="orders")
    staff_page = _text(client.get(f"/staff/orders/{order.number}").text)
    assert "incl. VAT 20 % (Standard) $2.44" in staff_page
    assert "incl. VAT 5.5 % (Reduced) $0.67" in staff_page


def test_the_confirmation_email_lists_the_tax_lines(us_shop, client):
    app = us_shop
    add_to_cart(client, make_product(app, "Vase", price_cents=3000))
    shown = _recompute(client, client.get("/checkout").text, CALIFORNIA)
    number = order_number(_place(client, shown.text, CALIFORNIA))
    outbox = app.instance_path + "/outbox"
    import pathlib

    mails = [p.read_text(errors="replace") for p in pathlib.Path(outbox).rglob("*") if p.is_file()]
    mail = next(m for m in mails if number in m)
    assert "Tax 7.25 % (Standard): $2.18" in mail.replace("=\n", "")


def test_a_local_pickup_is_taxed_at_the_billing_address(us_shop, client):
    from jomso.shipping.models import MethodKind, ShippingMethod

    app = us_shop
    with app.app_context():
        db.session.add(ShippingMethod(name="Collect", kind=MethodKind.PICKUP, price_cents=0))
        raise_revision()  # as shipping.editing does
        db.session.commit()
    add_to_cart(client, make_product(app, "Rug", price_cents=10000))
    page = client.get("/checkout").text
    shown = _recompute(client, page, CALIFORNIA)
    pickup = re.search(
        r'value="(\d+)"[^>]*data-name="Collect"|data-name="Collect"[^>]*value="(\d+)"', shown.text
    )
    method = next(g for g in pickup.groups() if g)
    addresses = {**_address("billing", CALIFORNIA), **_address("shipping", ADDRESS)}
    data = checkout_data(
        shown.text, nonce=None, update_address="delivery", shipping_method=method, **addresses
    )
    data.pop("shipping_same", None)
    text = _text(client.post("/checkout", data=data).text)
    assert "Tax 7.25 % (Standard) $7.25" in text  # California's, not Oregon's
