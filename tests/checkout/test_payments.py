"""Payments that end in doubt, stock under concurrent checkouts, and what is never kept: a
timeout reconciled by order number, an interrupted checkout, many buyers for few units,
and no card number or nonce in the database, the mail or the logs."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from jomso import payments
from jomso.catalog.models import Product, ProductVariant
from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order, OrderLine, OrderStatusChange
from jomso.orders.queries import find_order, new_order_number
from tests.catalog.helpers import make_product
from tests.helpers import stored_bytes
from tests.mailbox import last_message, outbox_files, outbox_messages, text_of
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
    gateway_sales,
    get_order,
    order_number,
    post_checkouts_together,
    staff,
    staff_post,
    stock_of,
)


def _cart_is_empty(client) -> bool:
    return "Your cart is empty" in client.get("/cart").text


# -- A payment whose outcome is unknown ------------------------------------------------------------


def test_a_timeout_after_the_charge_is_settled_by_reconciliation(app, client, runner):
    # 4001.xx: the offline gateway authorizes and records the sale, then the answer times out.
    response, product_id = buy(app, client, price_cents=400100, stock=3)
    assert response.status_code == 303
    number = order_number(response)
    assert response.headers["Location"] == f"/orders/{number}/checking"
    page = client.get(response.headers["Location"])
    assert "We are checking your payment" in page.text
    assert "you will not be charged twice" in page.text
    page = client.get(f"/orders/{number}")
    assert "Payment being confirmed" in page.text
    assert "You will not be charged twice" in page.text
    order = get_order(app, number)
    assert order.status == "payment_unknown"
    assert order.payments == []
    assert stock_of(app, product_id) == 2  # still reserved
    assert _cart_is_empty(client)  # so that nobody pays twice
    assert not outbox_messages(app)
    [sale] = gateway_sales(app, number)
    assert sale.status == "authorized"

    result = runner.invoke(args=["reconcile-payments"])
    assert result.exit_code == 0, result.output
    assert f"{number}: Paid" in result.output
    order = get_order(app, number)
    assert order.status == "paid"
    assert order.sale.transaction_id == sale.transaction_id
    assert order.sale.amount_cents == 400100
    assert [c.to_status for c in order.changes] == ["pending_payment", "payment_unknown", "paid"]
    assert order.changes[-1].actor_label == "command line"
    assert stock_of(app, product_id) == 2
    message = last_message(app, to="gus@example.com")
    assert message["Subject"] == f"Your order {number} is confirmed"
    assert f"http://shop.test/orders/{number}?token=" in text_of(message)
    assert "Paid" in client.get(f"/orders/{number}").text

    again = runner.invoke(args=["reconcile-payments"])
    assert "No order is waiting for its payment to be settled." in again.output
    assert len(gateway_sales(app, number)) == 1  # never charged again


def test_a_payment_braintree_does_not_hold_fails_only_once_its_attempt_is_over(app, client, runner):
    response, product_id = buy(app, client, price_cents=400100, stock=3)
    number = order_number(response)
    with app.app_context():  # voided at Braintree (its control panel): it holds nothing now
        [sale] = payments.find_by_order(number)
        assert payments.void(sale.transaction_id).ok

    # The attempt is young: Braintree may still be finishing a sale whose answer was lost.
    early = runner.invoke(args=["reconcile-payments"])
    assert early.exit_code == 0, early.output
    assert (
        f"{number}: Payment being confirmed: Braintree holds no payment for it yet; "
        "a later run settles it." in early.output
    )
    desk = staff(app, app.test_client())
    answer = staff_post(desk, number, "reconcile", follow_redirects=True)
    assert (
        "Braintree holds no payment for this order yet. It may still be finishing the payment, "
        "so the order stays as it is until its payment attempt is 2 minutes old" in answer.text
    )
    assert get_order(app, number).status == "payment_unknown"
    assert stock_of(app, product_id) == 2
    assert not outbox_messages(app)

    with app.app_context():  # RECONCILE_AFTER_SECONDS (120) later
        order = find_order(number)
        order.created_at -= timedelta(seconds=121)
        db.session.commit()
    late = runner.invoke(args=["reconcile-payments"])
    assert f"{number}: Payment failed" in late.output
    assert get_order(app, number).status == "payment_failed"
    assert stock_of(app, product_id) == 3
    assert last_message(app)["Subject"] == f"Your order {number} could not be placed"


def _interrupted_checkout(app, product_id: int, minutes_ago: int) -> str:
    """An order whose checkout request died between reserving the stock and the charge."""
    with app.app_context():
        product = db.session.get(Product, product_id)
        variant = product.default_variant
        variant.stock -= 2
        created = utcnow() - timedelta(minutes=minutes_ago)
        order = Order(number=new_order_number(), status="pending_payment",
                      email="gus@example.com", phone="+15035550143", currency="USD",
                      subtotal_cents=2 * product.price_cents, shipping_cents=495,
                      total_cents=2 * product.price_cents + 495, created_at=created,
                      **{f"{kind}_{part}": value for kind in ("billing", "shipping")
                         for part, value in (("name", "Gus Guest"), ("line1", "1 Harbour Road"),
                                             ("city", "Portland"), ("country", "US"))})  # fmt: skip
        order.lines = [OrderLine(product_id=product.id, variant_id=variant.id,
                                 name=product.name, sku=variant.sku,
                                 unit_price_cents=product.price_cents, quantity=2,
                                 line_total_cents=2 * product.price_cents)]  # fmt: skip
        order.changes = [OrderStatusChange(to_status="pending_payment", actor_label="customer")]
        db.session.add(order)
        db.session.commit()
        return order.number


def test_an_interrupted_checkout_without_a_charge_gives_its_stock_back(app, runner):
    product_id = make_product(app, "Blue Mug", stock=5)
    recent = _interrupted_checkout(app, product_id, minutes_ago=1)
    stale = _interrupted_checkout(app, product_id, minutes_ago=3)  # over RECONCILE_AFTER_SECONDS
    assert stock_of(app, product_id) == 1

    result = runner.invoke(args=["reconcile-payments"])
    assert result.exit_code == 0, result.output
    assert f"{stale}: Payment failed" in result.output
    assert recent not in result.output  # its checkout may still be running
    assert get_order(app, stale).status == "payment_failed"
    assert get_order(app, recent).status == "pending_payment"
    assert stock_of(app, product_id) == 3
    message = last_message(app, to="gus@example.com")
    assert message["Subject"] == f"Your order {stale} could not be placed"
    assert "you have not been charged" in text_of(message)


def test_staff_settle_an_unknown_payment_from_the_order_page(app, client):
    response, _ = buy(app, client, price_cents=400150)
    number = order_number(response)
    desk = staff(app, app.test_client())
    page = desk.get(f"/staff/orders/{number}")
    assert "Check the payment with Braintree" in page.text
    answer = staff_post(desk, number, "reconcile", follow_redirects=True)
    assert "Braintree&#39;s record is read: the order is now “Paid”." in answer.text
    order = get_order(app, number)
    assert order.status == "paid"
    assert order.changes[-1].actor_label == "orders-person@staff.example.org"


# -- Stock under concurrent checkouts --------------------------------------------------------------


def test_more_buyers_than_units_sell_exactly_the_stock(app):
    """Eight browsers check out the last three units at the same moment."""
    units, buyers = 3, 8
    product_id = make_product(app, "Last Teapot", price_cents=4200, stock=units)
    forms = []
    for index in range(buyers):
        browser = app.test_client()
        add_to_cart(browser, product_id)
        page = browser.get("/checkout")
        forms.append((browser, checkout_data(page.text, email=f"buyer{index}@example.com")))
    answers = post_checkouts_together(forms)

    assert len(answers) == buyers
    placed = [a for a in answers if a.status_code == 303]
    refused = [a for a in answers if a.status_code != 303]
    assert len(placed) == units
    for answer in refused:  # told on the checkout page, or sent back to the emptied cart
        assert answer.status_code in (409, 302), answer.status_code
        if answer.status_code == 409:
            assert "sold out" in answer.text or "sold out" in answer.text.lower()
    assert stock_of(app, product_id) == 0
    orders = all_orders(app)
    assert sorted(o.status for o in orders) == ["paid"] * units
    assert sum(line.quantity for o in orders for line in o.lines) == units
    assert sum(len(gateway_sales(app, o.number)) for o in orders) == units


def test_stock_never_goes_below_zero_when_a_cart_outgrows_it(app, client):
    product_id = make_product(app, "Blue Mug", stock=4)
    add_to_cart(client, product_id, 4)
    page = client.get("/checkout")
    with app.app_context():  # someone else bought three meanwhile
        db.session.execute(update(ProductVariant).values(stock=1))
        db.session.commit()
    response = client.post("/checkout", data=checkout_data(page.text))
    assert response.status_code == 409
    assert stock_of(app, product_id) == 1
    assert all_orders(app) == []


# -- Nothing of the card is kept ----------------------------------------------------------------

CARD_NUMBERS = ["4111111111111111", "5555555555554444", "4000111111111115", "4012888888881881"]
NONCES = [VISA, MASTERCARD, DECLINED, REJECTED, "fake-valid-nonce"]


def test_no_card_number_or_nonce_in_the_database_mail_or_logs(app, client, runner, caplog):
    caplog.set_level(logging.DEBUG)
    for nonce in (VISA, MASTERCARD, DECLINED, REJECTED):
        product_id = make_product(app, f"Item {len(nonce)}-{nonce[5:9]}", price_cents=1500)
        add_to_cart(client, product_id)
        checkout(client, nonce=nonce, email="card@example.com")
    buy(app, client, price_cents=400100)  # unknown, then reconciled
    runner.invoke(args=["reconcile-payments"])
    desk = staff(app, app.test_client())
    paid = [o for o in all_orders(app) if o.status == "paid"]
    assert len(paid) == 3
    staff_post(desk, paid[0].number, "ship", {"carrier": "UPS", "tracking_number": "1Z999AA1"})

    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # everything written to the database file
    stored = stored_bytes(app)
    files = [*outbox_files(app), *Path(app.instance_path).glob("offline-braintree.json")]
    contents = stored + b"".join(path.read_bytes() for path in files)
    logs = caplog.text.encode()
    assert len(outbox_messages(app)) >= 4 and b"Thing 400100" in stored  # we looked at data
    for secret in CARD_NUMBERS + NONCES + ["tokencc"]:
        assert secret.encode() not in contents, secret
        assert secret.encode() not in logs, secret
    assert "order=J" in caplog.text  # the logs name orders by number
