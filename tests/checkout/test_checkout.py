"""The checkout page and placing orders, through the real forms, the real Braintree SDK and the
offline gateway: approved, declined, rejected, failed; what is stored; bad input."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from jomso.accounts.models import Address, Phone, User
from jomso.cart.models import CartItem
from jomso.catalog.models import Product, ProductVariant
from jomso.extensions import db
from jomso.orders.models import Order, Payment
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import login, make_user
from tests.mailbox import last_message, link_to, outbox_messages, text_of
from tests.orders.helpers import (
    DECLINED,
    MASTERCARD,
    REJECTED,
    VISA,
    add_to_cart,
    all_orders,
    buy,
    checkout,
    checkout_data,
    field_value,
    gateway_sales,
    get_order,
    hidden,
    input_tag,
    order_number,
    stock_of,
)


def _cart_lines(app) -> int:
    with app.app_context():
        return db.session.scalar(select(db.func.count()).select_from(CartItem))


# -- The page ---------------------------------------------------------------------------------


def test_empty_cart_goes_back_to_the_cart_with_a_message(client):
    response = client.get("/checkout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/cart"
    page = client.get("/cart")
    assert "Your cart is empty: add something before checking out." in page.text


def test_cart_page_links_to_the_checkout(app, client):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1250))
    assert 'href="/checkout"' in client.get("/cart").text


def test_guest_checkout_page_shows_the_summary_and_the_demo_cards(app, client):
    add_to_cart(client, make_product(app, "Blue Mug", price_cents=1250), 2)
    page = client.get("/checkout")
    assert page.status_code == 200
    html = page.text
    assert "Blue Mug" in html
    assert 'id="checkout-total">$29.95<' in html  # 2 x 12.50 + 4.95 shipping
    assert "Place order and pay $29.95" in html
    assert "No account needed." in html
    for nonce in (VISA, MASTERCARD, DECLINED, REJECTED):
        assert f'name="payment_method_nonce" value="{nonce}"' in html
    assert "Visa ending 1111" in html and "declined by the bank" in html
    assert "$2,000.00 to $2,999.99 is declined" in html
    assert re.search(r'name="checkout_token"[^>]*value="[\w-]{20,}"', html)
    # Demo mode loads nothing from Braintree and the page's policy admits nothing more.
    assert "braintreegateway.com" not in html
    assert "braintreegateway" not in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "private, no-store"


def test_the_page_keeps_its_one_time_key_until_an_order_uses_it(app, client):
    add_to_cart(client, make_product(app, "Blue Mug"))
    first = hidden(client.get("/checkout").text, "checkout_token")
    assert hidden(client.get("/checkout").text, "checkout_token") == first


def test_signed_in_checkout_is_prefilled_from_the_account(app, client):
    user_id = make_user(app, "pat@example.com", name="Pat Buyer")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.phones = [Phone(number="+12025550143")]
        user.addresses = [
            Address(name="Pat Buyer", line1="9 Elm Street", city="Salem", region="MA",
                    postal_code="01970", country="US", is_default_billing=True),
            Address(name="Pat at Work", line1="200 Dock Square", city="Boston", region="MA",
                    postal_code="02109", country="US", is_default_shipping=True),
        ]  # fmt: skip
        db.session.commit()
    login(client, "pat@example.com")
    add_to_cart(client, make_product(app, "Blue Mug"))
    html = client.get("/checkout").text
    assert 'value="pat@example.com"' in html
    assert 'value="(202) 555-0143"' in html
    assert field_value(html, "billing-line1") == "9 Elm Street"
    assert field_value(html, "shipping-line1") == "200 Dock Square"
    assert field_value(html, "shipping-name") == "Pat at Work"
    assert " checked" not in input_tag(html, "shipping_same")  # a different address
    assert "No account needed." not in html


# -- Approved ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nonce", "brand", "shown", "last4"),
    [(VISA, "Visa", "Visa", "1111"), (MASTERCARD, "MasterCard", "Mastercard", "4444")],
)
def test_approved_payment_places_the_order(app, client, nonce, brand, shown, last4):
    response, product_id = buy(app, client, price_cents=1500, quantity=2, stock=5, nonce=nonce)
    assert response.status_code == 303
    number = order_number(response)
    assert re.fullmatch(r"J[0-9A-HJKMNP-TV-Z]{8}", number)

    order = get_order(app, number)
    assert order.status == "paid"
    assert (order.subtotal_cents, order.shipping_cents, order.total_cents) == (3000, 495, 3495)
    assert order.email == "gus@example.com"
    assert order.phone == "+15035550143"
    assert order.address("shipping") == order.address("billing")
    assert order.billing_name == "Gus Guest"
    [line] = order.lines
    assert (line.name, line.sku, line.unit_price_cents, line.quantity, line.line_total_cents) == (
        "Thing 1500-5", "SKU-THING-1500-5", 1500, 2, 3000)  # fmt: skip
    payment = order.sale
    assert (payment.kind, payment.status, payment.amount_cents) == ("sale", "authorized", 3495)
    assert (payment.card_brand, payment.card_last4) == (brand, last4)
    assert [c.to_status for c in order.changes] == ["pending_payment", "paid"]

    assert stock_of(app, product_id) == 3
    assert _cart_lines(app) == 0
    [sale] = gateway_sales(app, number)
    assert (sale.transaction_id, sale.status, sale.amount_cents) == (
        payment.transaction_id, "authorized", 3495)  # fmt: skip

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Your order is placed. A confirmation is on its way" in page.text
    assert number in page.text and "Paid" in page.text
    # Braintree's card type is kept as it came, and shown as the brand spells itself.
    assert f"Paid with {shown} ending {last4}." in page.text
    assert page.headers["Cache-Control"] == "private, no-store"

    message = last_message(app, to="gus@example.com")
    assert message["Subject"] == f"Your order {number} is confirmed"
    body = text_of(message)
    assert "$34.95" in body and f"{shown} card ending {last4}" in body
    assert f"/orders/{number}?token=" in link_to(message, "/orders/")


def test_a_different_shipping_address_is_kept(app, client):
    response, _ = buy(app, client, shipping={"name": "Hana Gift", "line1": "5 Bay Street",
                                             "city": "Seattle", "region": "WA",
                                             "postal_code": "98101"})  # fmt: skip
    order = get_order(app, order_number(response))
    assert order.shipping_name == "Hana Gift" and order.shipping_city == "Seattle"
    assert order.billing_name == "Gus Guest" and order.billing_city == "Portland"


def test_free_shipping_from_the_threshold(app, client):
    response, _ = buy(app, client, price_cents=2500, quantity=2)
    order = get_order(app, order_number(response))
    assert (order.subtotal_cents, order.shipping_cents, order.total_cents) == (5000, 0, 5000)


# -- Declined, rejected, failed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nonce", "price", "message", "code"),
    [
        (DECLINED, 1500, "Your bank declined the payment. Please use another card", "2000"),
        (REJECTED, 1500, "We could not accept this payment. Please use another card.", ""),
        (VISA, 300000, "The card network did not respond. You have not been charged.", "3000"),
        (VISA, 250100, "The payment was declined. Please use another card", "2501"),
    ],
    ids=["declined", "rejected", "failed-3000", "declined-by-amount"],
)
def test_a_refused_payment_keeps_the_cart_and_what_was_typed(app, client, nonce, price, message,
                                                             code):  # fmt: skip
    response, product_id = buy(app, client, price_cents=price, stock=4, nonce=nonce,
                               email="typed@example.com", phone="503 555 0199")  # fmt: skip
    assert response.status_code == 422
    html = response.text
    assert message in html
    assert 'value="typed@example.com"' in html and 'value="503 555 0199"' in html
    assert 'value="1 Harbour Road"' in html
    assert nonce not in html.split('class="test-cards"')[0]  # never sent back as a value

    [order] = all_orders(app)
    assert order.status == "payment_failed"
    assert order.payments == []
    assert stock_of(app, product_id) == 4  # released
    assert _cart_lines(app) == 1  # kept
    assert not outbox_messages(app)
    if code:
        assert code in get_order(app, order.number).changes[-1].note
    # Nothing is held at the gateway.
    assert not any(r.is_authorized for r in gateway_sales(app, order.number))

    # The page has a new one-time key: paying again with another card makes a new order.
    retry = client.post("/checkout", data=checkout_data(html, VISA))
    if price >= 200000:  # the amount itself is what fails: any card does
        assert retry.status_code == 422
    else:
        assert retry.status_code == 303
        assert order_number(retry) != order.number
        assert [o.status for o in all_orders(app)] == ["payment_failed", "paid"]


def test_a_declined_card_is_said_at_the_top_and_marks_the_payment_box(app, client):
    response, _product_id = buy(app, client, nonce=DECLINED)
    assert response.status_code == 422
    html = response.text
    top = html.split('id="checkout-form"')[0]  # above every field of the form
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', top, re.S)
    assert summary, "no error summary above the form"
    opening = summary.group(0).split(">")[0]
    assert 'role="alert"' in opening and "autofocus" in opening and 'tabindex="-1"' in opening
    assert "The payment did not go through. Nothing was charged." in summary.group(1)
    assert '<a href="#payment">Your bank declined the payment.' in summary.group(1)
    assert re.search(r'<fieldset class="[^"]*payment-step has-error"[^>]*id="payment"', html)
    assert html.count('role="alert"') == 1  # one announcement, not two


def test_missing_fields_are_listed_at_the_top_with_links(app, client):
    product_id = make_product(app, "Blue Mug")
    add_to_cart(client, product_id)
    page = client.get("/checkout")
    response = client.post("/checkout", data=checkout_data(page.text, email="", **{
        "billing-city": ""}))  # fmt: skip
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert '<a href="#email">Email: Enter your email address.</a>' in summary
    assert '<a href="#billing-city">City: Enter the city.</a>' in summary
    assert "shipping-" not in summary  # ignored while shipping goes to the billing address


@pytest.mark.parametrize("nonce", ["fake-consumed-nonce", "tokencc_not_a_nonce_we_know"])
def test_a_used_or_unknown_nonce_gets_a_clear_message(app, client, nonce):
    response, product_id = buy(app, client, nonce=nonce)
    assert response.status_code == 422
    assert "Your card details have expired or were already used." in response.text
    assert [o.status for o in all_orders(app)] == ["payment_failed"]
    assert stock_of(app, product_id) == 10


@pytest.mark.parametrize(("price", "message"), [
    (400200, "We could not reach the payment service. You have not been charged."),
    (400300, "We could not reach the payment service. You have not been charged."),
], ids=["connect-timeout", "503"])  # fmt: skip
def test_a_gateway_that_was_never_reached_charged_nothing(app, client, price, message):
    response, product_id = buy(app, client, price_cents=price)
    assert response.status_code == 422
    assert message in response.text
    [order] = all_orders(app)
    assert order.status == "payment_failed"
    assert stock_of(app, product_id) == 10
    assert _cart_lines(app) == 1
    assert gateway_sales(app, order.number) == []


# -- Bad input -----------------------------------------------------------------------------------


def test_missing_and_wrong_fields_come_back_with_messages(app, client):
    product_id = make_product(app, "Blue Mug")
    add_to_cart(client, product_id)
    page = client.get("/checkout")
    data = checkout_data(page.text, email="not an email", phone="12",
                         **{"billing-city": "", "billing-name": ""})  # fmt: skip
    response = client.post("/checkout", data=data)
    assert response.status_code == 422
    html = response.text
    assert "Please check the fields marked below." in html
    assert "Enter a valid email address, like name@example.com." in html
    assert "Enter the city." in html
    assert "Enter the name for this address." in html
    assert 'value="not an email"' in html
    assert all_orders(app) == []
    assert stock_of(app, product_id) == 10


def test_an_address_with_a_line_break_comes_back_with_a_message(app, client):
    add_to_cart(client, make_product(app, "Blue Mug"))
    page = client.get("/checkout")
    data = checkout_data(page.text, email="bea@example.com\r\nBcc: all@example.com")
    response = client.post("/checkout", data=data)
    assert response.status_code == 422
    assert 'id="email-error">Line breaks are not allowed here.' in response.text
    assert all_orders(app) == []


def test_a_separate_shipping_address_must_be_complete(app, client):
    add_to_cart(client, make_product(app, "Blue Mug"))
    page = client.get("/checkout")
    data = checkout_data(page.text, shipping={"line1": "", "city": ""})
    response = client.post("/checkout", data=data)
    assert response.status_code == 422
    assert 'id="shipping-line1-error">Enter the street and number.' in response.text
    assert all_orders(app) == []


def test_no_card_chosen(app, client):
    response, _ = buy(app, client, nonce=None)
    assert response.status_code == 422
    assert "Choose how to pay." in response.text
    assert all_orders(app) == []


def test_forged_prices_and_amounts_are_ignored(app, client):
    product_id = make_product(app, "Blue Mug", price_cents=1250)
    add_to_cart(client, product_id)
    page = client.get("/checkout")
    data = checkout_data(page.text, total_cents="1", amount="0.01", price_cents="1",
                         unit_price="1", shipping_cents="0", subtotal="1")  # fmt: skip
    response = client.post("/checkout", data=data)
    order = get_order(app, order_number(response))
    assert order.total_cents == 1745
    assert gateway_sales(app, order.number)[0].amount_cents == 1745


def test_a_price_change_after_the_page_was_shown_charges_nothing(app, client):
    product_id = make_product(app, "Blue Mug", price_cents=1250)
    add_to_cart(client, product_id)
    page = client.get("/checkout")
    with app.app_context():
        db.session.execute(update(Product).values(price_cents=1400))
        db.session.commit()
    response = client.post("/checkout", data=checkout_data(page.text))
    assert response.status_code == 409
    assert "The price of “Blue Mug” changed from $12.50 to $14.00" in response.text
    assert "Nothing was charged." in response.text
    assert 'id="checkout-total">$18.95<' in response.text
    assert all_orders(app) == []
    # Placing it again from the page that shows the new price works.
    again = client.post("/checkout", data=checkout_data(response.text))
    assert again.status_code == 303
    assert get_order(app, order_number(again)).total_cents == 1895


def test_a_tampered_summary_digest_is_treated_as_a_change(app, client):
    add_to_cart(client, make_product(app, "Blue Mug"))
    page = client.get("/checkout")
    response = client.post("/checkout", data=checkout_data(page.text, summary_hash="0" * 32))
    assert response.status_code == 409
    assert "Your cart changed since this page was shown." in response.text
    assert all_orders(app) == []


def test_sold_out_after_the_page_was_shown(app, client):
    product_id = make_product(app, "Blue Mug", stock=2)
    add_to_cart(client, product_id, 2)
    page = client.get("/checkout")
    with app.app_context():
        db.session.execute(update(ProductVariant).values(stock=1))
        db.session.commit()
    response = client.post("/checkout", data=checkout_data(page.text))
    assert response.status_code == 409
    assert "Only 1 of “Blue Mug” is in stock; your cart has 1." in response.text
    assert all_orders(app) == []

    with app.app_context():
        db.session.execute(update(ProductVariant).values(stock=0))
        db.session.commit()
    gone = client.post("/checkout", data=checkout_data(response.text))
    assert gone.status_code == 302 and gone.headers["Location"] == "/cart"
    assert "“Blue Mug” sold out and was removed from your cart." in client.get("/cart").text
    assert all_orders(app) == []


def test_a_stale_checkout_key_is_refused(app, client):
    add_to_cart(client, make_product(app, "Blue Mug"))
    page = client.get("/checkout")
    response = client.post("/checkout", data=checkout_data(page.text, checkout_token="forged"))
    assert response.status_code == 409
    assert "This checkout page was out of date." in response.text
    assert all_orders(app) == []


def test_checkout_without_a_csrf_token_is_refused(app, client):
    add_to_cart(client, make_product(app, "Blue Mug"))
    page = client.get("/checkout")
    data = checkout_data(page.text)
    del data["csrf_token"]
    assert client.post("/checkout", data=data).status_code == 400
    assert all_orders(app) == []


# -- One order, one charge ----------------------------------------------------------------------


def test_a_resubmitted_form_makes_one_order_and_one_charge(app, client):
    product_id = make_product(app, "Blue Mug", stock=5)
    add_to_cart(client, product_id)
    page = client.get("/checkout")
    data = checkout_data(page.text)
    first = client.post("/checkout", data=data)
    second = client.post("/checkout", data=data)  # the back button and "send again"
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    [order] = all_orders(app)
    assert len(gateway_sales(app, order.number)) == 1
    assert stock_of(app, product_id) == 4
    assert len(outbox_messages(app)) == 1
    # A new visit to the checkout gets a new key.
    add_to_cart(client, product_id)
    assert hidden(client.get("/checkout").text, "checkout_token") != data["checkout_token"]


def test_a_double_click_makes_one_order_and_one_charge(app, client):
    """Two POSTs of the same form at the same moment, from the same browser session."""
    import threading

    product_id = make_product(app, "Blue Mug", stock=5)
    add_to_cart(client, product_id)
    page = client.get("/checkout")
    data = checkout_data(page.text)
    twin = app.test_client()
    for cookie in ("jomso_session",):
        twin.set_cookie(cookie, client.get_cookie(cookie, domain="shop.test").value,
                        domain="shop.test")  # fmt: skip
    barrier = threading.Barrier(2)
    answers = []

    def click(browser):
        barrier.wait()
        answers.append(browser.post("/checkout", data=data))

    threads = [threading.Thread(target=click, args=(c,)) for c in (client, twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [303, 303]
    [order] = all_orders(app)
    assert order.status == "paid"
    assert len(gateway_sales(app, order.number)) == 1
    assert stock_of(app, product_id) == 4
    # Both lead to the order; a click that found it still being paid goes by the checking
    # page, which sends it on to the order page now that it is paid.
    page = f"/orders/{order.number}"
    for answer in answers:
        location = answer.headers["Location"]
        assert location in (page, f"{page}/checking")
        if location != page:
            assert client.get(location).headers["Location"] == page


def test_a_checkout_form_replayed_from_another_session_opens_nothing(app, client):
    """Someone who gets hold of a placed order's checkout form (its one-time key) and sends it
    from their own session gets neither the order page nor a grant to it."""
    product_id = make_product(app, "Blue Mug", stock=5)
    add_to_cart(client, product_id)
    data = checkout_data(client.get("/checkout").text)
    number = order_number(client.post("/checkout", data=data))

    other = app.test_client()  # with a cart of their own: the whole form is checked
    add_to_cart(other, product_id)
    replay = {**data, "csrf_token": csrf_token_from(other.get("/checkout").text)}
    response = other.post("/checkout", data=replay)
    assert response.status_code == 409
    assert "This checkout page was out of date." in response.text
    assert number not in response.text
    assert other.get(f"/orders/{number}").status_code == 404

    empty = app.test_client()  # no cart at all
    replay = {**data, "csrf_token": csrf_token_from(empty.get("/").text)}
    response = empty.post("/checkout", data=replay)
    assert response.status_code in (302, 303)
    assert number not in response.headers["Location"]
    assert empty.get(f"/orders/{number}").status_code == 404

    [order] = all_orders(app)  # one order, one charge, whatever was replayed
    assert len(gateway_sales(app, order.number)) == 1
    assert stock_of(app, product_id) == 4
    # The session that placed it still lands on its order when it sends the form again.
    again = client.post("/checkout", data=data)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/orders/{number}")


# -- The order page -----------------------------------------------------------------------------


def test_only_the_buyer_sees_the_order_page(app, client):
    response, _ = buy(app, client)
    number = order_number(response)
    assert client.get(f"/orders/{number}").status_code == 200  # the session that placed it

    stranger = app.test_client()
    assert stranger.get(f"/orders/{number}").status_code == 404
    make_user(app, "other@example.com")
    login(stranger, "other@example.com")
    assert stranger.get(f"/orders/{number}").status_code == 404
    assert stranger.get("/orders/JZZZZZZZZ").status_code == 404
    assert stranger.get("/orders/not-a-number").status_code == 404


def test_the_signed_link_from_the_email_opens_the_order_anywhere(app, client):
    response, _ = buy(app, client)
    number = order_number(response)
    link = link_to(last_message(app, to="gus@example.com"), "/orders/")
    path = link.removeprefix("http://shop.test")
    elsewhere = app.test_client()
    page = elsewhere.get(path)
    assert page.status_code == 200 and number in page.text
    assert page.headers["X-Robots-Tag"] == "noindex"

    token = path.split("token=")[1]
    assert elsewhere.get(f"/orders/{number}?token={token[:-2]}xx").status_code == 404
    assert app.test_client().get(f"/orders/{number}?token=").status_code == 404
    # A token made for one order does not open another.
    add_to_cart(client, make_product(app, "Another Thing"))
    other = order_number(checkout(client))
    assert app.test_client().get(f"/orders/{other}?token={token}").status_code == 404


def test_account_orders_are_listed_with_their_timeline(app, client):
    make_user(app, "pat@example.com", name="Pat Buyer")
    login(client, "pat@example.com")
    response, _ = buy(app, client, email="pat@example.com")
    number = order_number(response)
    page = client.get("/account/orders")
    assert page.status_code == 200
    assert f'href="/orders/{number}"' in page.text and "$19.95" in page.text
    detail = client.get(f"/orders/{number}")
    assert 'aria-label="My account"' in detail.text  # shown inside the account area
    assert "Order placed" in detail.text and "Timeline" in detail.text
    with app.app_context():
        assert db.session.scalar(select(Order.user_id)) is not None


def test_failed_attempts_are_not_in_the_order_history(app, client):
    make_user(app, "pat@example.com", name="Pat Buyer")
    login(client, "pat@example.com")
    buy(app, client, nonce=DECLINED)
    assert "You have no orders yet." in client.get("/account/orders").text


def test_guest_orders_join_an_account_registered_later_with_that_email(app, client):
    from tests.accounts.helpers import confirm, register, sign_in

    buy(app, client, email="bea@example.com")
    newcomer = app.test_client()
    register(newcomer)  # bea@example.com
    sign_in(newcomer)
    with app.app_context():
        assert db.session.scalar(select(Order.user_id)) is None  # not before confirmation
    assert "You have no orders yet." in newcomer.get("/account/orders").text
    confirm(newcomer)
    with app.app_context():
        assert db.session.scalar(select(Order.user_id)) is not None
    assert "$19.95" in newcomer.get("/account/orders").text


def test_payments_keep_only_what_the_policy_allows(app, client):
    buy(app, client)
    columns = set(Payment.__table__.columns.keys())
    # parent_transaction_id: another Braintree transaction id (a partial settlement's
    # authorization, a refund's settlement), no more about the card.
    assert columns == {
        "id", "order_id", "kind", "transaction_id", "parent_transaction_id", "status",
        "amount_cents", "card_brand", "card_last4", "created_at", "updated_at",
    }  # fmt: skip


def test_resending_a_declined_form_charges_nothing_and_makes_no_order(app, client):
    product_id = make_product(app, "Blue Mug", stock=5)
    add_to_cart(client, product_id)
    data = checkout_data(client.get("/checkout").text, DECLINED)
    assert client.post("/checkout", data=data).status_code == 422
    again = client.post("/checkout", data=data)  # the back button and "send again"
    assert again.status_code == 409
    assert "Location" not in again.headers
    assert "Nothing was charged." in again.text
    assert [o.status for o in all_orders(app)] == ["payment_failed"]
    assert stock_of(app, product_id) == 5
