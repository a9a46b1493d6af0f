"""The "we are checking your payment" page (``/orders/<number>/checking``): shown instead of an
error while a payment's outcome is unknown, reloading itself until ``reconcile-payments`` knows,
then on to the confirmation (paid) or back to the checkout with the cart kept (failed). Only the
buyer sees it. The worker killed mid-payment is in test_interrupted_payment.py."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from jomso import payments
from jomso.analytics.models import PageView
from jomso.extensions import db
from jomso.orders.queries import find_order
from tests.helpers import login, make_user
from tests.mailbox import outbox_messages
from tests.orders.helpers import (
    buy,
    gateway_sales,
    order_number,
    stock_of,
)

# 4001.xx: the offline gateway authorizes and records the sale, then the answer times out.
LOST_ANSWER_CENTS = 400100


def _unknown_payment(app, client, stock=3):
    """A checkout whose payment's outcome is unknown: (number, product id)."""
    response, product_id = buy(app, client, price_cents=LOST_ANSWER_CENTS, stock=stock)
    assert response.status_code == 303
    number = order_number(response)
    assert response.headers["Location"] == f"/orders/{number}/checking"
    return number, product_id


def _attempt_made_older(app, number: str, seconds: int) -> None:
    """As if ``seconds`` had passed since the payment attempt (its order's creation)."""
    with app.app_context():
        order = find_order(number)
        order.created_at -= timedelta(seconds=seconds)
        db.session.commit()


def _void_at_braintree(app, number: str) -> None:
    """The authorization is voided at Braintree (as from its control panel): it holds nothing."""
    with app.app_context():
        [sale] = payments.find_by_order(number)
        assert payments.void(sale.transaction_id).ok


def _cart_quantities(client) -> dict[str, int]:
    page = client.get("/cart").text
    return {
        name: int(quantity)
        for name, quantity in re.findall(
            r'<span>([^<]+)</span>\s*</a>.*?name="quantity"[^>]*value="(\d+)"', page, re.S
        )
    }


def test_an_unknown_payment_shows_a_page_that_reloads_itself_without_script(app, client):
    number, _ = _unknown_payment(app, client)
    page = client.get(f"/orders/{number}/checking")
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="5">' in page.text
    assert "We are checking your payment" in page.text
    assert "your payment of $4,001.00" in page.text
    assert "Please do not pay again: you will not be charged twice." in page.text
    assert f'<a class="button" href="/orders/{number}/checking">Check now</a>' in page.text
    assert 'class="site-header"' in page.text  # the shop's own page, not a bare notice
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    client.get(f"/orders/{number}/checking")
    client.get(f"/orders/{number}")
    with app.app_context():  # its reloads are not visits; the order page is one
        paths = db.session.scalars(select(PageView.path)).all()
    assert "/orders/<number>" in paths and "/orders/<number>/checking" not in paths
    # The cart was emptied: the checkout offers nothing to pay twice meanwhile.
    again = client.get("/checkout")
    assert again.status_code == 302 and again.headers["Location"] == "/cart"


def test_when_the_payment_is_found_the_page_moves_on_to_the_confirmation(app, client, runner):
    number, _ = _unknown_payment(app, client)
    assert client.get(f"/orders/{number}/checking").status_code == 200

    result = runner.invoke(args=["reconcile-payments"])
    assert f"{number}: Paid" in result.output

    moved = client.get(f"/orders/{number}/checking")
    assert moved.status_code == 303
    assert moved.headers["Location"] == f"/orders/{number}"
    confirmation = client.get(moved.headers["Location"])
    assert "Your payment is confirmed and your order is placed." in confirmation.text
    assert "Paid" in confirmation.text
    assert 'http-equiv="refresh"' not in confirmation.text
    assert len(gateway_sales(app, number)) == 1


def test_when_the_payment_failed_the_page_goes_back_to_the_checkout_with_the_cart(
    app, client, runner
):
    number, product_id = _unknown_payment(app, client, stock=3)
    assert _cart_quantities(client) == {}  # emptied, so that nobody pays twice meanwhile
    _void_at_braintree(app, number)
    assert client.get(f"/orders/{number}/checking").status_code == 200

    _attempt_made_older(app, number, seconds=121)  # RECONCILE_AFTER_SECONDS is 120
    result = runner.invoke(args=["reconcile-payments"])
    assert f"{number}: Payment failed" in result.output
    assert stock_of(app, product_id) == 3

    back = client.get(f"/orders/{number}/checking")
    assert back.status_code == 303 and back.headers["Location"] == "/checkout"
    checkout = client.get("/checkout")
    assert checkout.status_code == 200
    assert (
        f"We could not confirm your payment for order {number}, so it was not placed and you "
        "have not been charged. Your cart is as you left it" in checkout.text
    )
    assert "Thing 400100-3" in checkout.text and "$4,001.00" in checkout.text
    assert _cart_quantities(client) == {"Thing 400100-3": 1}
    # Coming back to the page does not add the lines again.
    client.get(f"/orders/{number}/checking")
    assert _cart_quantities(client) == {"Thing 400100-3": 1}
    subjects = [m["Subject"] for m in outbox_messages(app)]
    assert subjects == [f"Your order {number} could not be placed"]


def test_only_the_buyer_sees_the_page(app, client):
    number, _ = _unknown_payment(app, client)
    assert client.get(f"/orders/{number}/checking").status_code == 200
    stranger = app.test_client()
    assert stranger.get(f"/orders/{number}/checking").status_code == 404
    assert stranger.get("/orders/JZZZZZZZZ/checking").status_code == 404
    make_user(app, email="other@example.com")
    signed_in = app.test_client()
    login(signed_in, "other@example.com")
    assert signed_in.get(f"/orders/{number}/checking").status_code == 404
    # The link from the order email opens the order page, not this one.
    with app.test_request_context():
        from jomso.orders.access import make_token

        token = make_token(find_order(number))
    assert stranger.get(f"/orders/{number}/checking?token={token}").status_code == 404
