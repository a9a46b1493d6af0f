# ruff: noqa: RUF001 (the pages write a discount with a minus sign)
"""Issue #12's bad input for discount codes, through the real forms: a missing CSRF token, a
tampered or missing field, a code bigger than the cart, a code that expired while the cart
was open, and the staff form's absurd values. Each gets a clear message, the right status
and a kept cart."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.discounts.test_discount_codes import apply, make_code, orders
from tests.orders.helpers import add_to_cart, checkout, checkout_data, gateway_sales, staff


def _error_beside_code(html: str) -> str:
    match = re.search(r'<p class="error" id="discount-code-error"[^>]*>([^<]*)</p>', html)
    assert match, "no message beside the discount code"
    return match.group(1)


@pytest.mark.parametrize("url", ["/cart/discount", "/cart/discount/remove"])
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_discount_form_without_a_valid_csrf_token_expires_and_keeps_the_cart(
    app, client, url, token
):
    make_code(app, "SUMMER10")
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    if url.endswith("remove"):
        apply(client, "summer10")
    data = {"discount_code": "SUMMER10", "back": "cart"}
    if token:
        data["csrf_token"] = token
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert 'class="site-header"' in response.text  # the shop's own page, not Werkzeug's
    cart = client.get("/cart").text
    assert "Blue Mug" in cart
    # nothing changed: not applied, or still applied
    assert ("Discount (SUMMER10)" in cart) is url.endswith("remove")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({}, "Please enter a discount code."),  # the field left out of the form
        ({"discount_code": "   "}, "Please enter a discount code."),
        ({"discount_code": "SUMMER\x0010"}, "We do not know the code"),
        ({"discount_code": "SUMMER10;DROP TABLE"}, "We do not know the code"),
        ({"discount_code": "ＳＵＭＭＥＲ１０"}, "We do not know the code"),  # full-width letters
    ],
)
def test_a_tampered_discount_field_is_answered_beside_it_and_keeps_the_cart(
    app, client, data, reason
):
    make_code(app, "SUMMER10")
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    token = csrf_token_from(client.get("/cart").text)
    response = client.post("/cart/discount", data={"csrf_token": token, "back": "cart", **data})
    assert response.status_code == 422
    assert reason in _error_beside_code(response.text)
    cart = client.get("/cart").text
    assert "Blue Mug" in cart and "Discount (" not in cart


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example", "staff", ""])
def test_a_tampered_back_field_returns_to_the_cart(app, client, back):
    make_code(app, "SUMMER10")
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    token = csrf_token_from(client.get("/cart").text)
    response = client.post(
        "/cart/discount", data={"csrf_token": token, "back": back, "discount_code": "summer10"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/cart"
    refused = client.post(
        "/cart/discount", data={"csrf_token": token, "back": back, "discount_code": "nosuch"}
    )
    assert refused.status_code == 422 and 'id="checkout-form"' not in refused.text


def test_an_amount_off_bigger_than_the_cart_takes_the_lines_to_zero_and_no_further(app, client):
    make_code(app, "BIG", kind="amount", value=5000)
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    applied = apply(client, "big", follow=True)
    assert "The discount code is applied." in applied.text
    assert 'id="cart-discount">−$10.00' in applied.text  # not $50 off
    response = checkout(client)
    assert response.status_code == 303
    [order] = orders(app)
    assert (order.subtotal_cents, order.discount_cents) == (1000, 1000)
    assert order.total_cents == order.shipping_cents >= 0
    assert [line.discount_cents for line in order.lines] == [1000]
    assert order.shipping_cents > 0  # the shipping is still paid
    assert [sale.amount_cents for sale in gateway_sales(app, order.number)] == [order.total_cents]


def test_a_code_that_leaves_nothing_to_pay_is_said_beside_it_before_any_payment(app, client):
    make_code(app, "ALL", kind="amount", value=900000)
    add_to_cart(client, make_product(app, "Big Thing", price_cents=6000))  # free shipping
    apply(client, "all")
    page = client.get("/checkout")
    assert page.status_code == 200
    assert 'id="checkout-total">$0.00' in page.text
    said = "The code ALL brings your order to $0.00, and a payment must be more than that"
    assert said in _error_beside_code(page.text)
    response = client.post("/checkout", data=checkout_data(page.text))
    assert response.status_code == 409
    assert said in _error_beside_code(response.text)
    assert "you have not been charged" in response.text
    assert "use another card" not in response.text  # not a declined card
    assert orders(app) == []  # no failed order left behind
    assert "Big Thing" in client.get("/cart").text


def test_a_code_that_expired_while_the_cart_was_open_is_said_and_the_cart_kept(app, client):
    code_id = make_code(app, "FLASH")
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    assert "Discount (FLASH)" in apply(client, "flash", follow=True).text
    with app.app_context():  # the next day: the code has ended
        db.session.get(DiscountCode, code_id).ends_on = date.today() - timedelta(days=1)
        db.session.commit()
    cart = client.get("/cart")
    assert cart.status_code == 200
    assert "The code FLASH expired on" in _error_beside_code(cart.text)
    assert "Blue Mug" in cart.text and 'id="cart-discount"' not in cart.text  # no discount
    page = client.get("/checkout")
    assert page.status_code == 200
    assert "The code FLASH expired on" in _error_beside_code(page.text)
    assert 'id="checkout-discount"' not in page.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "percent", "percent": "101"}, "percent", "Enter a whole percent from 1 to 100."),
        ({"kind": "percent", "percent": "0"}, "percent", "Enter a whole percent from 1 to 100."),
        ({"kind": "percent", "percent": "-10"}, "percent", "Enter a whole percent from 1 to 100."),
        ({"kind": "percent", "percent": "1e3"}, "percent", "Enter a whole number"),
        ({"kind": "percent", "percent": ""}, "percent", "Enter a whole percent from 1 to 100."),
        ({"kind": "amount", "amount": "99999999999999999999999999999999"}, "amount", "too high"),
        ({"kind": "amount", "amount": ""}, "amount", "Enter the amount off."),
        ({"kind": "gift", "percent": "10"}, "kind", "Not a valid choice"),
        ({"code": "SUMMER 10!"}, "code", "Use letters, digits, - and _ only"),
        ({"code": "x" * 61}, "code", "Field cannot be longer than 60 characters."),
        ({"usage_limit": "0"}, "usage_limit", "Enter a whole number from 1 to 1,000,000"),
        ({"min_subtotal": "9999999"}, "min_subtotal", "too high"),
        ({"categories": "999"}, "categories", "is not a valid choice"),
        ({"products": "no-such-thing"}, "products", "No product has these addresses"),
    ],
)
def test_the_staff_form_refuses_absurd_values_beside_the_field(app, fields, field, message):
    desk = staff(app, app.test_client(), role="catalog")
    token = csrf_token_from(desk.get("/staff/discounts/new").text)
    data = {"csrf_token": token, "code": "SPRING", "kind": "percent", "percent": "15", **fields}
    response = desk.post("/staff/discounts/new", data=data)
    assert response.status_code == 422
    beside = re.search(rf'id="{field}-error">(.*?)</', response.text, re.S)
    assert beside and message in beside.group(1), response.text
    with app.app_context():
        assert db.session.query(DiscountCode).count() == 0
