"""What was paid for a discounted line: captured by its parcel, shown to staff, refunded."""

from __future__ import annotations

import re

from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import forms_on
from tests.orders.helpers import (
    add_to_cart,
    checkout,
    confirmed_post,
    get_order,
    order_number,
    staff,
    staff_post,
)


def _discounted_order(app, client) -> tuple[str, dict[str, int]]:
    """A paid order: a Teapot at 30.00 and a Cup at 10.00 with 10.00 off (7.50 and 2.50),
    plus the shipping. Its number and {line name: line id}."""
    with app.app_context():
        db.session.add(
            DiscountCode(code="TENOFF", lookup_key=lookup_key("TENOFF"), kind="amount", value=1000)
        )
        db.session.commit()
    add_to_cart(client, make_product(app, "Teapot", price_cents=3000, stock=5))
    add_to_cart(client, make_product(app, "Cup", price_cents=1000, stock=5))
    page = client.get("/cart")
    client.post(
        "/cart/discount",
        data={"discount_code": "tenoff", "back": "cart", "csrf_token": csrf_token_from(page.text)},
    )
    number = order_number(checkout(client))
    order = get_order(app, number)
    assert {line.name: line.discount_cents for line in order.lines} == {"Teapot": 750, "Cup": 250}
    return number, {line.name: line.id for line in order.lines}


def test_a_parcel_captures_what_was_paid_for_its_lines(app, client):
    number, ids = _discounted_order(app, client)
    desk = staff(app, app.test_client(), "orders")
    page = desk.get(f"/staff/orders/{number}")
    assert "paid $22.50 after discount" in page.text and "Discount (TENOFF)" in page.text
    [form] = [f for f in forms_on(page.text) if f.action.endswith("/ship")]
    data = {**form.fields, "carrier": "UPS", "tracking_number": "1Z1", f"ship_{ids['Cup']}": "0"}
    assert desk.post(f"/staff/orders/{number}/ship", data=data).status_code == 303
    order = get_order(app, number)
    # the Teapot as paid (30.00 less 7.50) and the shipping
    assert [p.amount_cents for p in order.settlements] == [2250 + order.shipping_cents]


def test_refunding_a_discounted_line_gives_back_what_was_paid_for_it(app, client):
    number, ids = _discounted_order(app, client)
    desk = staff(app, app.test_client(), "orders")
    staff_post(desk, number, "ship", {"carrier": "UPS", "tracking_number": "1Z2"})
    staff_post(desk, number, "settle")
    page = desk.get(f"/staff/orders/{number}/refund").text
    assert "Paid for this line: $22.50 ($30.00 less $7.50 discount)." in page
    [form] = [f for f in forms_on(page) if f.action.endswith("/refund")]
    worked_out = desk.post(
        f"/staff/orders/{number}/refund",
        data={**form.fields, f"restock_{ids['Teapot']}": "1", "paid_for_items": "1"},
    )
    assert worked_out.status_code == 200
    assert re.search(r'name="amount"[^>]*value="22.50"', worked_out.text)
    assert get_order(app, number).refunds == []  # nothing refunded yet
    [form] = [f for f in forms_on(worked_out.text) if f.action.endswith("/refund")]
    done = desk.post(
        f"/staff/orders/{number}/refund",
        data={**form.fields, "reason": "Returned the teapot"},
        follow_redirects=True,
    )
    assert "Refunded $22.50" in done.text
    order = get_order(app, number)
    assert order.refunded_cents == 2250
    assert order.refundable_cents == order.total_cents - 2250
    # the rest: at most what is left, whatever the lines say
    rest = confirmed_post(desk, number, "refund", {"reason": "Goodwill"}, follow_redirects=True)
    assert rest.status_code == 200
    assert get_order(app, number).refunded_cents == order.total_cents
