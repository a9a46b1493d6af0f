# ruff: noqa: RUF001 (the pages write a discount with a minus sign)
"""Discount codes through the real forms: applied in the cart and at checkout, refused with
the reason beside the field, priced per line, kept on the order, used once under concurrent
checkouts, and managed by staff."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode
from jomso.discounts.pricing import split
from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user
from tests.mailbox import last_message, text_of
from tests.orders.helpers import (
    add_to_cart,
    checkout,
    checkout_data,
    gateway_sales,
    post_checkouts_together,
    staff,
)
from tests.sales.helpers import figures


def make_code(app, code="SUMMER10", kind="percent", value=10, **fields) -> int:
    with app.app_context():
        row = DiscountCode(code=code, lookup_key=lookup_key(code), kind=kind, value=value, **fields)
        db.session.add(row)
        db.session.commit()
        return row.id


def apply(client, code: str, back: str = "cart", follow: bool = False):
    page = client.get("/cart")
    return client.post(
        "/cart/discount",
        data={"discount_code": code, "back": back, "csrf_token": csrf_token_from(page.text)},
        follow_redirects=follow,
    )


def orders(app) -> list[Order]:
    with app.app_context():
        found = db.session.scalars(select(Order).order_by(Order.id)).all()
        for order in found:
            order.lines  # noqa: B018 - loaded before the session goes
        db.session.expunge_all()
        return found


def test_split_adds_up_exactly_and_never_exceeds_a_line():
    assert split(100, [1, 1, 1]) == [34, 33, 33]
    assert split(1000, [333, 333, 334]) == [333, 333, 334]
    parts = split(997, [1250, 3999, 1, 7])
    assert sum(parts) == 997 and all(p <= w for p, w in zip(parts, [1250, 3999, 1, 7], strict=True))
    assert split(0, [5, 5]) == [0, 0]


def test_a_code_typed_in_lower_case_with_spaces_and_lookalikes_is_applied(app, client):
    make_code(app, "SUMMER10")
    mug = make_product(app, "Blue Mug", price_cents=1250)
    bowl = make_product(app, "Tea Bowl", price_cents=1999)
    add_to_cart(client, mug, 2)
    add_to_cart(client, bowl, 1)
    response = apply(client, " summer 1o ", follow=True)  # "o" for zero: the same code
    assert "The discount code is applied." in response.text
    assert "Discount (SUMMER10)" in response.text
    assert 'id="cart-discount">−$4.50' in response.text  # 10% of $44.99, half up
    shipping = re.search(r'id="cart-shipping">\$([0-9.]+)<', response.text)
    total = re.search(r'id="cart-total">\$([0-9.]+)<', response.text).group(1)
    expected = 4049 + (round(float(shipping.group(1)) * 100) if shipping else 0)
    assert round(float(total) * 100) == expected


def test_checkout_places_the_order_with_the_discount_split_over_its_lines(app, client):
    make_code(app, "SAVE5", kind="amount", value=500)
    mug = make_product(app, "Blue Mug", price_cents=1000)
    bowl = make_product(app, "Tea Bowl", price_cents=2000)
    add_to_cart(client, mug)
    add_to_cart(client, bowl)
    apply(client, "save5")
    page = client.get("/checkout")
    assert "Discount (SAVE5)" in page.text and 'id="checkout-discount">−$5.00' in page.text
    response = checkout(client)
    assert response.status_code == 303
    [order] = orders(app)
    assert (order.discount_code, order.discount_cents) == ("SAVE5", 500)
    assert sorted(line.discount_cents for line in order.lines) == [167, 333]
    assert order.total_cents == order.subtotal_cents - 500 + order.shipping_cents
    assert [sale.amount_cents for sale in gateway_sales(app, order.number)] == [order.total_cents]
    shown = client.get(f"/orders/{order.number}").text
    assert "Discount (SAVE5)" in shown and "−$5.00" in shown
    mail = text_of(last_message(app, to="gus@example.com"))
    assert "Discount (SAVE5): −$5.00" in mail
    desk = staff(app, app.test_client())
    assert "Discount (SAVE5)" in desk.get(f"/staff/orders/{order.number}").text
    exported = desk.get("/staff/orders/export.csv").get_data().decode("utf-8-sig")
    [row] = csv.DictReader(io.StringIO(exported))
    assert (row["discount_code"], row["discount"]) == ("SAVE5", "5.00")
    # the cart is empty again and forgot the code
    assert "Discount" not in client.get("/cart").text
    # the sales page counts what codes took off
    analyst = staff(app, app.test_client(), role="analyst")
    assert figures(analyst.get("/staff/sales?period=today").text)["discounts"] == "$5.00"


def test_free_shipping_code_waives_the_shipping(app, client):
    make_code(app, "SHIPFREE", kind="free_shipping", value=0)
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    apply(client, "shipfree")
    response = checkout(client)
    assert response.status_code == 303
    [order] = orders(app)
    assert order.shipping_cents == 0 and order.shipping_discount_cents > 0
    assert order.total_cents == 1000
    assert "Free (SHIPFREE)" in client.get(f"/orders/{order.number}").text


def test_a_code_that_does_not_apply_says_why_beside_the_field(app, client):
    today = date.today()
    make_code(app, "LATER", starts_on=today + timedelta(days=5))
    make_code(app, "GONE", ends_on=today - timedelta(days=2))
    make_code(app, "BIGCART", min_subtotal_cents=10000)
    make_code(app, "USEDUP", usage_limit=0)
    make_code(app, "OFF", is_active=False)
    with app.app_context():
        from jomso.catalog.models import Product

        other = make_product(app, "Garden Trowel")
        only = DiscountCode(code="TROWEL", lookup_key="TR0WE1", kind="percent", value=5)
        only.products = [db.session.get(Product, other)]
        db.session.add(only)
        db.session.commit()
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1000))
    cases = {
        "nosuch": "We do not know the code “NOSUCH”",
        "later": "is valid from",
        "gone": "The code GONE expired on",
        "bigcart": "needs a subtotal of at least $100.00",
        "usedup": "The code USEDUP has been used up.",
        "off": "The code OFF is no longer valid.",
        "trowel": "is not valid for the products in your cart",
        "x" * 150: "We do not know the code",  # tampered: too long to be a code
        "<b>1</b>": "We do not know the code",
    }
    for typed, reason in cases.items():
        response = apply(client, typed)
        assert response.status_code == 422, typed
        error = re.search(r'<p class="error" id="discount-code-error">([^<]*)</p>', response.text)
        assert error and reason in error.group(1).replace("&#34;", '"'), (typed, response.text)
        assert 'aria-invalid="true"' in response.text
        value = re.search(r'id="discount-code"[^>]*value="([^"]*)"', response.text).group(1)
        assert value == typed.replace("<", "&lt;").replace(">", "&gt;")
    assert "Blue Mug" in client.get("/cart").text  # the cart is kept


def test_refused_at_checkout_comes_back_to_the_checkout(app, client):
    add_to_cart(client, make_product(app, "Blue Mug"))
    response = apply(client, "nosuch", back="checkout")
    assert response.status_code == 422
    assert 'id="checkout-form"' in response.text
    assert "We do not know the code" in response.text


def test_a_code_that_expired_after_it_was_applied_refuses_the_order(app, client):
    code_id = make_code(app, "FLASH")
    product = make_product(app, "Blue Mug", stock=5)
    add_to_cart(client, product)
    apply(client, "flash")
    page = client.get("/checkout")
    with app.app_context():  # the code ends while the checkout page is open
        db.session.get(DiscountCode, code_id).ends_on = date.today() - timedelta(days=1)
        db.session.commit()
    response = client.post("/checkout", data=checkout_data(page.text))
    assert response.status_code == 409
    assert "The code FLASH expired on" in response.text
    assert "you have not been charged" in response.text
    assert orders(app) == []
    assert "Blue Mug" in client.get("/cart").text
    # removed, the order goes through at the full price
    cart = client.get("/cart")
    client.post(
        "/cart/discount/remove", data={"csrf_token": csrf_token_from(cart.text), "back": "cart"}
    )
    assert checkout(client).status_code == 303
    [order] = orders(app)
    assert order.discount_cents == 0 and order.discount_code == ""


def test_used_by_you_for_a_per_customer_limit_by_email(app, client):
    make_code(app, "ONCE", per_customer_limit=1)
    add_to_cart(client, make_product(app, "Blue Mug", stock=5))
    apply(client, "once")
    assert checkout(client).status_code == 303
    again = app.test_client()  # another browser, the same email
    add_to_cart(again, make_product(app, "Tea Bowl", stock=5))
    apply(again, "once")
    response = checkout(again)
    assert response.status_code == 409
    assert "You have already used the code ONCE." in response.text


def test_a_code_limited_to_one_use_is_used_once_by_parallel_checkouts(app):
    make_code(app, "ONLYONE", usage_limit=1)
    product = make_product(app, "Blue Mug", price_cents=3000, stock=50)
    buyers = 5
    forms = []
    for index in range(buyers):
        browser = app.test_client()
        add_to_cart(browser, product)
        assert apply(browser, "onlyone").status_code == 303
        page = browser.get("/checkout")
        assert "Discount (ONLYONE)" in page.text
        forms.append((browser, checkout_data(page.text, email=f"buyer{index}@example.com")))
    answers = post_checkouts_together(forms)
    assert len(answers) == buyers
    placed = [a for a in answers if a.status_code == 303]
    assert len(placed) == 1, [a.status_code for a in answers]
    for answer in answers:
        if answer.status_code != 303:
            assert answer.status_code == 409
            assert "The code ONLYONE has been used up." in answer.text
    [order] = orders(app)
    assert order.discount_code == "ONLYONE" and order.discount_cents == 300


def test_staff_create_edit_deactivate_and_list_codes_with_their_uses(app, client):
    desk = staff(app, app.test_client(), role="catalog")
    page = desk.get("/staff/discounts/new")
    assert page.status_code == 200
    token = csrf_token_from(page.text)
    base = {"csrf_token": token, "kind": "percent", "percent": "15", "is_active": "y"}
    made = desk.post("/staff/discounts/new", data={**base, "code": "spring 15"})
    assert made.status_code == 302
    listing = desk.get("/staff/discounts").text
    assert "SPRING15" in listing
    make_product(app, "Garden Trowel")
    only = desk.post(
        "/staff/discounts/new", data={**base, "code": "TROWEL5", "products": "garden-trowel"}
    )
    assert only.status_code == 302
    rows = {
        code: row
        for row in desk.get("/staff/discounts").text.split("<tr")
        for code in ("SPRING15", "TROWEL5")
        if code in row
    }
    assert "some products only" in rows["TROWEL5"]
    assert "some products only" not in rows["SPRING15"]
    lookalike = desk.post("/staff/discounts/new", data={**base, "code": "SPRlNG1S"[:-1] + "5"})
    assert lookalike.status_code == 422
    assert "The code SPRING15 reads the same" in lookalike.text
    bad = desk.post(
        "/staff/discounts/new",
        data={
            **base,
            "code": "BAD",
            "percent": "150",
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-01",
            "usage_limit": "-3",
        },
    )
    assert bad.status_code == 422
    assert "Enter a whole percent from 1 to 100." in bad.text
    assert "The last day cannot be before the first." in bad.text
    assert 'value="150"' in bad.text
    negative = desk.post(
        "/staff/discounts/new",
        data={**base, "code": "NEG", "kind": "amount", "amount": "-5"},
    )
    assert negative.status_code == 422 and "The price cannot be negative." in negative.text
    absurd = desk.post(
        "/staff/discounts/new",
        data={**base, "code": "HUGE", "kind": "amount", "amount": "99999999"},
    )
    assert absurd.status_code == 422 and "too high" in absurd.text
    with app.app_context():
        code = db.session.scalar(select(DiscountCode).where(DiscountCode.code == "SPRING15"))
        code_id = code.id
    # used once by a customer: the list counts it
    add_to_cart(client, make_product(app, "Blue Mug"))
    apply(client, "spring15")
    assert checkout(client).status_code == 303
    assert re.search(r"SPRING15.*?data-label=\"Uses\">1<", desk.get("/staff/discounts").text, re.S)
    edit = desk.get(f"/staff/discounts/{code_id}")
    assert 'value="15"' in edit.text
    off = desk.post(
        f"/staff/discounts/{code_id}/active",
        data={"csrf_token": csrf_token_from(edit.text), "active": "0"},
        follow_redirects=True,
    )
    assert "The discount code SPRING15 is deactivated." in off.text
    other = app.test_client()
    add_to_cart(other, make_product(app, "Tea Bowl"))
    assert "no longer valid" in apply(other, "spring15").text
    # other roles may not
    assert staff(app, app.test_client(), role="orders").get("/staff/discounts").status_code == 403
    assert desk.get("/staff/discounts/99999").status_code == 404


def test_a_signed_in_customer_is_told_in_the_cart_they_used_the_code(app, client):
    make_code(app, "ONCEPER", per_customer_limit=1)
    make_user(app, "cora@example.com", name="Cora Customer")
    add_to_cart(client, make_product(app, "Blue Mug", stock=5))
    apply(client, "onceper")  # as a guest: kept with the cart, carried over at sign-in
    assert login(client, "cora@example.com").status_code == 302
    assert "Discount (ONCEPER)" in client.get("/cart").text
    assert checkout(client, email="cora@example.com").status_code == 303
    [order] = orders(app)
    assert order.discount_code == "ONCEPER" and order.user_id is not None
    add_to_cart(client, make_product(app, "Tea Bowl", stock=5))
    response = apply(client, "ONCEPER")
    assert response.status_code == 422
    assert "You have already used the code ONCEPER." in response.text


def test_the_demo_codes_are_added_once_and_apply(app, client):
    from jomso.discounts.demo import set_up_demo_codes

    with app.app_context():
        assert set_up_demo_codes() == 2
        assert set_up_demo_codes() == 0  # the shop has codes now: nothing added
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=2500))
    assert apply(client, "welcome 10").status_code == 303
    assert "Discount (WELCOME10)" in client.get("/cart").text
