# ruff: noqa: RUF001, RUF002 (the emails and pages write quantities with a multiplication sign)
"""Shipping an order in several parcels: the staff's ship form (a quantity per line), a
partial settlement per parcel on the offline gateway through the real SDK, the statuses, the
emails (one per parcel, through the outbox), the order pages, the packing slips, and
cancelling or refunding an order captured in parts."""

from __future__ import annotations

import pytest

from jomso.extensions import db
from jomso.orders.models import Order
from tests.catalog.helpers import make_product
from tests.helpers import forms_on
from tests.mailbox import link_to, outbox_messages, text_of
from tests.orders.helpers import (
    add_to_cart,
    checkout,
    confirmed_post,
    gateway_sales,
    get_order,
    order_number,
    staff,
    staff_post,
    stock_of,
)


@pytest.fixture
def desk(app):
    return staff(app, app.test_client(), "orders")


@pytest.fixture
def three_lines(app, client):
    """A paid guest order: 2 × Teapot at 10.00, 1 × Cup at 5.00, 1 × Saucer at 7.50 (32.50,
    37.45 with the 4.95 shipping). Its number and {name: product id}."""
    products = {}
    for name, price in (("Teapot", 1000), ("Cup", 500), ("Saucer", 750)):
        products[name] = make_product(app, name, price_cents=price, stock=5)
    add_to_cart(client, products["Teapot"], 2)
    add_to_cart(client, products["Cup"], 1)
    add_to_cart(client, products["Saucer"], 1)
    number = order_number(checkout(client))
    assert get_order(app, number).total_cents == 3745
    return number, products


def _lines(app, number) -> dict[str, int]:
    """Line name → order line id."""
    return {line.name: line.id for line in get_order(app, number).lines}


def _ship_form(client, number):
    page = client.get(f"/staff/orders/{number}")
    assert page.status_code == 200
    [form] = [f for f in forms_on(page.text) if f.action.endswith("/ship")]
    return page, form


def ship(client, number, quantities: dict[int, object] | None = None, tracking="1Z0001", **extra):
    """Send the order page's ship form as a browser would, with ``quantities`` (line id →
    what is typed) instead of the defaults."""
    _page, form = _ship_form(client, number)
    data = {**form.fields, "carrier": "UPS", "tracking_number": tracking, **extra}
    for line_id, typed in (quantities or {}).items():
        data[f"ship_{line_id}"] = str(typed)
    return client.post(f"/staff/orders/{number}/ship", data=data)


def _children(app, number):
    return sorted(
        (r for r in gateway_sales(app, number) if r.authorized_transaction_id),
        key=lambda r: r.created_at,
    )


def test_ship_two_of_three_lines_then_the_rest(app, client, desk, three_lines):
    number, products = three_lines
    ids = _lines(app, number)
    _page, form = _ship_form(desk, number)
    # Every line, everything left by default.
    assert {k: v for k, v in form.fields.items() if k.startswith("ship_")} == {
        f"ship_{ids['Teapot']}": "2", f"ship_{ids['Cup']}": "1", f"ship_{ids['Saucer']}": "1"
    }  # fmt: skip

    response = ship(desk, number, {ids["Saucer"]: 0}, tracking="1ZFIRST")
    assert response.status_code == 303
    first_page = desk.get(f"/staff/orders/{number}").text
    assert "A parcel of order" in first_page and "The rest is left to ship." in first_page
    order = get_order(app, number)
    assert order.status == "partially_shipped"
    assert order.sale.status == "settlement_pending"
    # The first parcel: its lines (20.00 + 5.00) and the shipping (4.95).
    assert [(p.amount_cents, p.status) for p in order.settlements] == [
        (2995, "submitted_for_settlement")
    ]
    [child] = _children(app, number)
    assert (
        child.amount_cents == 2995 and child.authorized_transaction_id == order.sale.transaction_id
    )
    assert child.transaction_id == order.settlements[0].transaction_id
    # The staff page: parcels, what is left, and a form for the rest only.
    assert "Partially shipped" in first_page and "Left to ship" in first_page
    assert f'name="ship_{ids["Teapot"]}"' not in first_page
    assert f'name="ship_{ids["Saucer"]}"' in first_page
    assert "Captured: $29.95." in first_page

    mail = [m for m in outbox_messages(app, to="gus@example.com") if "on its way" in m["Subject"]]
    assert [m["Subject"] for m in mail] == [f"A parcel of your order {number} is on its way"]
    text = text_of(mail[0])
    parcel, following = text.split("Following in a later parcel")
    assert "2 × Teapot" in parcel and "1 × Cup" in parcel and "Saucer" not in parcel
    assert "1 × Saucer" in following and "Teapot" not in following
    assert "$29.95 of your payment was taken for this parcel" in text
    assert "Tracking number: 1ZFIRST" in text

    # The customer's page, through the emailed link.
    customer = app.test_client().get(link_to(mail[0], f"/orders/{number}"))
    assert customer.status_code == 200
    assert (
        "Partially shipped" in customer.text and "Part of your order is on its way" in customer.text
    )
    assert "Parcel 1" in customer.text and "Still to come" in customer.text

    # The rest: the last parcel settles what is left of the authorization.
    assert ship(desk, number, tracking="1ZSECOND").status_code == 303
    order = get_order(app, number)
    assert order.status == "shipped"
    assert [p.amount_cents for p in order.settlements] == [2995, 750]
    assert sum(p.amount_cents for p in order.settlements) == order.sale.amount_cents == 3745
    assert order.captured_cents == 3745
    children = _children(app, number)
    # (made in the same second: compared without their order)
    assert sorted(c.amount_cents for c in children) == [750, 2995]
    sale = order.sale.transaction_id
    assert [c.status for c in gateway_sales(app, number) if c.transaction_id == sale] == [
        "settlement_pending"
    ]
    assert [c.to_status for c in order.changes][-2:] == ["partially_shipped", "shipped"]
    assert order.changes[-2].note == "Parcel 1 with UPS (1ZFIRST): 2 × Teapot, 1 × Cup."
    assert order.changes[-1].note == "Parcel 2 with UPS (1ZSECOND): 1 × Saucer."

    mail = [m for m in outbox_messages(app, to="gus@example.com") if "on its way" in m["Subject"]]
    assert len(mail) == 2
    last = text_of(mail[1])
    assert "1 × Saucer" in last and "Following" not in last and "Teapot" not in last
    assert "This is the last parcel: $7.50 of your payment was taken for it." in last
    staff_page = desk.get(f"/staff/orders/{number}").text
    assert "Parcel 2" in staff_page and "Left to ship" not in staff_page
    assert "Ship and capture the payment" not in staff_page
    customer = app.test_client().get(link_to(mail[1], f"/orders/{number}")).text
    assert "Your parcel is on its way." in customer and "Still to come" not in customer
    assert "1ZFIRST" in customer and "1ZSECOND" in customer
    # The stock was taken at checkout, once.
    assert [stock_of(app, products[n]) for n in ("Teapot", "Cup", "Saucer")] == [3, 4, 4]


def test_a_packing_slip_per_parcel(app, desk, three_lines):
    number, _ = three_lines
    ids = _lines(app, number)
    ship(desk, number, {ids["Teapot"]: 1, ids["Saucer"]: 0})
    order = get_order(app, number)
    with app.app_context():
        shipment_id = db.session.get(Order, order.id).shipments[0].id
    slip = desk.get(f"/staff/orders/{number}/shipments/{shipment_id}/packing-slip")
    assert slip.status_code == 200
    assert "Packing slip, parcel 1" in slip.text
    assert "Teapot" in slip.text and "Cup" in slip.text and "Saucer" not in slip.text
    # The order's own slip lists what is left to pack.
    rest = desk.get(f"/staff/orders/{number}/packing-slip").text
    assert "Saucer" in rest and "Teapot" in rest and "Cup" not in rest
    # A parcel of another order is not found through this one.
    other = desk.get(f"/staff/orders/JZZZZZZZZ/shipments/{shipment_id}/packing-slip")
    assert other.status_code == 404
    assert desk.get(f"/staff/orders/{number}/shipments/999999/packing-slip").status_code == 404


def test_zero_units_or_more_than_left_are_refused_beside_the_field(app, desk, three_lines):
    number, _ = three_lines
    ids = _lines(app, number)
    nothing = ship(desk, number, {i: 0 for i in ids.values()})
    assert nothing.status_code == 422
    assert f'id="ship_{ids["Teapot"]}-error"' in nothing.text
    assert "Ship at least one item: every quantity is 0." in nothing.text
    assert 'class="error-summary"' in nothing.text

    too_many = ship(desk, number, {ids["Teapot"]: 5, ids["Cup"]: "two", ids["Saucer"]: -1})
    assert too_many.status_code == 422
    assert "At most 2 are left to ship." in too_many.text
    assert "Enter a whole number of items, like 1." in too_many.text
    assert "Enter 0 or more." in too_many.text
    # What was typed comes back.
    assert f'name="ship_{ids["Teapot"]}"' in too_many.text and 'value="5"' in too_many.text
    assert 'value="two"' in too_many.text and 'value="1ZFIRST"' not in too_many.text
    order = get_order(app, number)
    assert order.status == "paid" and order.sale.status == "authorized" and not order.settlements
    assert not _children(app, number)

    # After a first parcel, the rest is the limit.
    ship(desk, number, {ids["Teapot"]: 1})
    again = ship(desk, number, {ids["Teapot"]: 2})
    assert again.status_code == 422 and "Only 1 is left to ship." in again.text


def test_a_tampered_line_id_ships_nothing(app, client, desk, three_lines):
    number, _ = three_lines
    ids = _lines(app, number)
    other = make_product(app, "Other", price_cents=900, stock=3)
    add_to_cart(client, other, 1)
    other_number = order_number(checkout(client))
    [other_line] = _lines(app, other_number).values()
    _page, form = _ship_form(desk, number)
    data = {**form.fields, "carrier": "UPS", "tracking_number": "1Z0001"}
    data.pop(f"ship_{ids['Teapot']}")
    data[f"ship_{other_line}"] = "1"  # a line of another order
    response = desk.post(f"/staff/orders/{number}/ship", data=data)
    assert response.status_code == 422
    assert "This form names an item that is not left to ship on this order." in response.text
    for each in (number, other_number):
        order = get_order(app, each)
        assert order.status == "paid" and not order.settlements
    data[f"ship_{other_line}"] = "x"
    data["ship_abc"] = "1"
    assert desk.post(f"/staff/orders/{number}/ship", data=data).status_code == 422
    assert get_order(app, number).status == "paid"


def test_shipping_needs_the_permission_and_a_csrf_token(app, desk, three_lines):
    from tests.conftest import csrf_token_from

    number, _ = three_lines
    ids = _lines(app, number)
    catalog = staff(app, app.test_client(), "catalog")
    token = csrf_token_from(catalog.get("/account/login").text)
    data = {
        "csrf_token": token,
        "carrier": "UPS",
        "tracking_number": "1Z",
        f"ship_{ids['Cup']}": "1",
    }
    assert catalog.post(f"/staff/orders/{number}/ship", data=data).status_code == 403
    assert catalog.get(f"/staff/orders/{number}").status_code == 403
    _page, form = _ship_form(desk, number)
    no_token = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    response = desk.post(f"/staff/orders/{number}/ship", data={**no_token, "tracking_number": "1Z"})
    assert response.status_code == 400
    assert get_order(app, number).status == "paid"


def test_cancel_after_a_parcel_voids_only_what_was_not_captured(app, desk, three_lines):
    number, products = three_lines
    ids = _lines(app, number)
    ship(desk, number, {ids["Saucer"]: 0, ids["Teapot"]: 1})
    page = desk.get(f"/staff/orders/{number}/cancel").text
    assert "Puts the items back in stock" in page
    response = confirmed_post(desk, number, "cancel", follow_redirects=True)
    assert "the parcels that left stay paid, the rest is not charged" in response.text
    order = get_order(app, number)
    assert order.status == "cancelled"
    # The parcel's capture stands; the authorization is not voided (Braintree cannot void a
    # card's partly settled authorization: the rest of the hold lapses).
    assert [p.status for p in order.settlements] == ["submitted_for_settlement"]
    assert order.sale.status == "settlement_pending"
    assert [c.status for c in _children(app, number)] == ["submitted_for_settlement"]
    # Only what was not shipped is back in stock: 1 Teapot and the Saucer.
    assert [stock_of(app, products[n]) for n in ("Teapot", "Cup", "Saucer")] == [4, 4, 5]
    assert "1 item not shipped" not in order.changes[-1].note
    assert "2 items not shipped back in stock" in order.changes[-1].note
    mail = outbox_messages(app, to="gus@example.com")[-1]
    assert "The rest of your order" in text_of(mail) and "$19.95" in text_of(mail)
    customer = app.test_client().get(link_to(mail, f"/orders/{number}")).text
    assert "The parcels that were sent stay paid" in customer

    # Once its parcel's payment settled, what was captured can be refunded, no more.
    desk_page = desk.get(f"/staff/orders/{number}").text
    assert "Settle now (demo)" in desk_page and "Refund…" not in desk_page
    staff_post(desk, number, "settle")
    refund_page = desk.get(f"/staff/orders/{number}/refund").text
    assert 'value="19.95"' in refund_page
    over = confirmed_post(desk, number, "refund", {"amount": "20.00", "reason": "Broken"})
    assert over.status_code == 422 and "At most $19.95 can be refunded" in over.text
    done = confirmed_post(desk, number, "refund", {"reason": "Broken"}, follow_redirects=True)
    assert "Refunded $19.95" in done.text
    order = get_order(app, number)
    assert order.status == "refunded" and order.refundable_cents == 0


def test_a_refund_takes_from_each_parcels_settlement(app, desk, three_lines):
    number, _ = three_lines
    ids = _lines(app, number)
    ship(desk, number, {ids["Saucer"]: 0})
    ship(desk, number)
    staff_post(desk, number, "settle")
    order = get_order(app, number)
    assert [p.status for p in order.settlements] == ["settled", "settled"]
    response = confirmed_post(desk, number, "refund", {"amount": "32.00", "reason": "Returned"},
                              follow_redirects=True)  # fmt: skip
    assert "Refunded $32.00" in response.text
    order = get_order(app, number)
    first, second = (p.transaction_id for p in order.settlements)
    assert [(r.parent_transaction_id, r.amount_cents) for r in order.refunds] == [
        (first, 2995), (second, 205)
    ]  # fmt: skip
    assert order.status == "partly_refunded" and order.refundable_cents == 545
    credits = [r for r in gateway_sales(app, number) if r.kind == "credit"]
    assert sorted(c.refunded_transaction_id for c in credits) == sorted([first, second])
    rest = confirmed_post(desk, number, "refund", {"reason": "All of it"}, follow_redirects=True)
    assert "Refunded $5.45" in rest.text
    assert get_order(app, number).status == "refunded"


def test_a_payment_method_braintree_does_not_capture_in_parts(app, client, desk):
    product = make_product(app, "Lamp", price_cents=2000, stock=5)
    add_to_cart(client, product, 2)
    number = order_number(checkout(client, nonce="fake-valid-maestro-nonce"))
    [line_id] = _lines(app, number).values()
    refused = ship(desk, number, {line_id: 1})
    assert refused.status_code == 303
    page = desk.get(f"/staff/orders/{number}").text
    assert "The payment could not be captured, so the order was not marked shipped." in page
    assert "does not capture this payment method in parts" in page
    order = get_order(app, number)
    assert order.status == "paid" and order.sale.status == "authorized" and not order.shipments
    # Everything in one parcel is captured whole.
    assert ship(desk, number).status_code == 303
    order = get_order(app, number)
    assert order.status == "shipped" and order.sale.status == "submitted_for_settlement"
    assert not order.settlements and order.captured_cents == order.total_cents
