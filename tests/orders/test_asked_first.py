"""Cancel and refund ask first: each has a confirmation page (GET) that says what will happen,
and its POST acts only on that page's form. A refund takes an amount (at most what is left),
a reason kept on the order's timeline, and returned units to put back in stock; bad input
comes back beside its field with what was typed."""

from __future__ import annotations

import re

import pytest

from tests.helpers import forms_on
from tests.orders.helpers import (
    buy,
    confirmed_post,
    gateway_sales,
    get_order,
    order_number,
    staff,
    staff_post,
    stock_of,
)


@pytest.fixture
def paid(app, client):
    """A paid order of 2 units of a 15.00 product (34.95 with shipping): number, product."""
    response, product_id = buy(app, client, price_cents=1500, quantity=2, stock=5)
    return order_number(response), product_id


@pytest.fixture
def desk(app):
    return staff(app, app.test_client(), "orders")


def _settled(desk, number):
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    staff_post(desk, number, "settle")


def _beside(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert match, f"no message beside {field}"
    return match.group(1)


def _value(html: str, field: str) -> str:
    match = re.search(rf'<(?:input|textarea)[^>]*\bname="{field}"[^>]*>', html)
    assert match, f"no field {field}"
    tag = match.group(0)
    if tag.startswith("<textarea"):
        return html[match.end() :].split("</textarea>")[0].strip()
    found = re.search(r'\bvalue="([^"]*)"', tag)
    return found.group(1) if found else ""


# -- The order page links to the confirmation pages; it posts neither --------------------------


def test_the_order_page_links_to_cancel_and_refund_instead_of_posting(app, desk, paid):
    number, _ = paid
    page = desk.get(f"/staff/orders/{number}").text
    assert f'href="/staff/orders/{number}/cancel"' in page
    assert not [f for f in forms_on(page) if f.action.endswith(("/cancel", "/refund"))]
    _settled(desk, number)
    page = desk.get(f"/staff/orders/{number}").text
    assert f'href="/staff/orders/{number}/refund"' in page
    assert not [f for f in forms_on(page) if f.action.endswith(("/cancel", "/refund"))]


# -- Cancel ------------------------------------------------------------------------------------


def test_the_cancel_page_says_what_happens(app, desk, paid):
    number, _ = paid
    page = desk.get(f"/staff/orders/{number}/cancel")
    assert page.status_code == 200
    text = page.text
    assert f"Cancel order {number}?" in text
    assert "Voids the payment of $34.95 on Visa •••• 1111: the customer is not charged." in text
    assert "Puts the items back in stock:" in text
    assert "2 \N{MULTIPLICATION SIGN} Thing 1500-5" in text
    assert "Emails the customer that the order is cancelled." in text
    assert "It cannot be undone." in text
    assert "Cancel the order and void the payment" in text
    assert get_order(app, number).status == "paid"  # looking changes nothing


def test_a_cancel_post_without_the_confirmation_cancels_nothing(app, desk, paid):
    number, product_id = paid
    response = staff_post(desk, number, "cancel")  # the order page's token, no confirmation
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/orders/{number}/cancel")
    assert get_order(app, number).status == "paid"
    assert [s.status for s in gateway_sales(app, number)] == ["authorized"]
    assert stock_of(app, product_id) == 3


def test_cancel_from_the_page_voids_restocks_and_keeps_the_reason(app, desk, paid):
    number, product_id = paid
    response = confirmed_post(desk, number, "cancel", {"reason": "Customer asked by phone"})
    assert response.status_code == 303
    order = get_order(app, number)
    assert order.status == "cancelled" and order.sale.status == "voided"
    assert stock_of(app, product_id) == 5
    assert "Reason: Customer asked by phone" in order.changes[-1].note
    assert [line.restocked_quantity for line in order.lines] == [2]
    timeline = desk.get(f"/staff/orders/{number}").text.split("Timeline")[1]
    assert "Customer asked by phone" in timeline


def test_a_cancel_page_left_open_while_the_order_shipped_asks_again(app, desk, paid):
    number, _ = paid
    page = desk.get(f"/staff/orders/{number}/cancel").text
    [form] = [f for f in forms_on(page) if f.action.endswith("/cancel")]
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    response = desk.post(f"/staff/orders/{number}/cancel", data=form.fields)
    assert response.status_code == 409
    assert "This order changed while the page was open: it is now “Shipped”." in response.text
    assert "The stock stays taken, as the parcel has left." in response.text
    assert get_order(app, number).status == "shipped"


def test_no_cancel_page_for_an_order_that_cannot_be_cancelled(app, desk, paid):
    number, _ = paid
    _settled(desk, number)
    response = desk.get(f"/staff/orders/{number}/cancel")
    assert response.status_code == 303
    page = desk.get(response.headers["Location"]).text
    assert "This payment has settled and can no longer be voided: refund it instead." in page


# -- Refund ------------------------------------------------------------------------------------


def test_the_refund_page_offers_the_most_and_says_what_happens(app, desk, paid):
    number, _ = paid
    _settled(desk, number)
    page = desk.get(f"/staff/orders/{number}/refund").text
    assert _value(page, "amount") == "34.95"
    assert "At most $34.95." in page
    assert "Braintree pays the amount back to Visa •••• 1111" in page
    assert "It cannot be undone." in page
    assert _value(page, "restock_1") == "0"
    assert "2 sold, 2 can go back." in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("40.00", "At most $34.95 can be refunded on this order."),
        ("0", "Enter an amount above zero."),
        ("0.00", "Enter an amount above zero."),
        ("-5", "Enter an amount above zero."),
        ("twelve", "Enter an amount like 12.50."),
        ("1.234", "Enter an amount like 12.50."),
        ("", "Enter the amount to refund."),
    ],
    ids=["over", "zero", "zero-cents", "negative", "words", "three-decimals", "empty"],
)
def test_a_wrong_amount_comes_back_beside_the_field_with_what_was_typed(
    app, desk, paid, typed, message
):
    number, _ = paid
    _settled(desk, number)
    response = confirmed_post(desk, number, "refund", {"amount": typed, "reason": "Late"})
    assert response.status_code == 422
    assert message in _beside(response.text, "amount")
    assert _value(response.text, "amount") == typed
    assert _value(response.text, "reason") == "Late"
    assert "error-summary" in response.text
    assert get_order(app, number).refunds == []
    assert not [s for s in gateway_sales(app, number) if s.kind == "credit"]


def test_every_refund_problem_comes_back_at_once(app, desk, paid):
    number, _ = paid
    _settled(desk, number)
    response = confirmed_post(
        desk, number, "refund", {"amount": "99", "reason": "", "restock_1": "3"}
    )
    assert response.status_code == 422
    assert "At most $34.95" in _beside(response.text, "amount")
    assert "kept on the order's timeline" in _beside(response.text, "reason")
    assert "At most 2 can go back in stock." in _beside(response.text, "restock_1")
    assert _value(response.text, "restock_1") == "3"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("1.5", "Enter a whole number of items"), ("-1", "Enter 0 or more."), ("x", "whole number")],
)
def test_a_wrong_restock_count_is_refused(app, desk, paid, typed, message):
    number, product_id = paid
    _settled(desk, number)
    response = confirmed_post(desk, number, "refund", {"reason": "Back", "restock_1": typed})
    assert response.status_code == 422
    assert message in _beside(response.text, "restock_1")
    assert stock_of(app, product_id) == 3 and get_order(app, number).refunds == []


def test_a_refund_post_without_the_page_refunds_nothing(app, desk, paid):
    number, _ = paid
    _settled(desk, number)
    response = staff_post(desk, number, "refund", {"amount": "5.00"})  # the old one-field form
    assert response.status_code == 422
    assert get_order(app, number).refunds == []
    assert not [s for s in gateway_sales(app, number) if s.kind == "credit"]


def test_a_refund_with_returned_items_and_a_reason(app, desk, paid):
    number, product_id = paid
    _settled(desk, number)
    assert stock_of(app, product_id) == 3
    response = confirmed_post(
        desk, number, "refund",
        {"amount": "15.00", "reason": "One mug arrived broken", "restock_1": "1"},
        follow_redirects=True,
    )  # fmt: skip
    assert f"Refunded $15.00 on order {number}. 1 item is back in stock." in response.text
    order = get_order(app, number)
    assert order.status == "partly_refunded"
    assert stock_of(app, product_id) == 4
    assert [line.restocked_quantity for line in order.lines] == [1]
    note = order.changes[-1].note
    assert "$15.00" in note and "Reason: One mug arrived broken" in note
    assert "1 item back in stock." in note
    assert "One mug arrived broken" in response.text.split("Timeline")[1]

    # The same units cannot go back twice: one is left to put back.
    page = desk.get(f"/staff/orders/{number}/refund").text
    assert "2 sold, 1 can go back." in page
    again = confirmed_post(desk, number, "refund", {"reason": "Other one", "restock_1": "2"})
    assert "At most 1 can go back in stock." in _beside(again.text, "restock_1")
    confirmed_post(desk, number, "refund", {"reason": "Other one too", "restock_1": "1"})
    assert stock_of(app, product_id) == 5
    order = get_order(app, number)
    assert order.status == "refunded"
    assert [line.restocked_quantity for line in order.lines] == [2]


def test_no_refund_page_before_the_payment_settled(app, desk, paid):
    number, _ = paid
    response = desk.get(f"/staff/orders/{number}/refund", follow_redirects=True)
    assert "This order cannot be refunded now: it is “Paid”." in response.text


def test_other_roles_cannot_open_the_confirmation_pages(app, paid):
    from tests.staff.helpers import staff_client

    number, _ = paid
    support = staff_client(app, "support")
    for action in ("cancel", "refund"):
        assert support.get(f"/staff/orders/{number}/{action}").status_code == 403
