"""Staff order processing: the list, an order, the pipeline's actions with their payments
(capture on ship, void on cancel, refunds after settlement), refusals, the packing slip, who
may see what, and one access-log entry per page that shows a customer's details."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from jomso.extensions import db
from jomso.orders import list_views
from tests.catalog.helpers import make_product
from tests.helpers import forms_on, login, make_user
from tests.mailbox import last_message, text_of
from tests.orders.helpers import (
    add_to_cart,
    buy,
    checkout,
    confirmed_post,
    gateway_sales,
    get_order,
    order_number,
    staff,
    staff_post,
    stock_of,
)
from tests.staff.helpers import log_entries


@pytest.fixture
def paid(app, client):
    """A paid guest order of 2 units of a 15.00 product (34.95 with shipping); its number."""
    response, product_id = buy(app, client, price_cents=1500, quantity=2, stock=5)
    number = order_number(response)
    return number, product_id


@pytest.fixture
def desk(app):
    return staff(app, app.test_client(), "orders")


def _sale(app, number):
    [sale] = [r for r in gateway_sales(app, number) if r.kind == "sale"]
    return sale


# -- Seeing orders ---------------------------------------------------------------------------------


def test_the_orders_role_sees_the_menu_link_list_and_order(app, desk, paid):
    number, _ = paid
    dashboard = desk.get("/staff/")
    assert 'href="/staff/orders"' in dashboard.text
    listing = desk.get("/staff/orders")
    assert listing.status_code == 200
    assert number in listing.text and "Gus Guest" in listing.text
    assert "gus@example.com" not in listing.text  # the email is the customer record's
    assert "$34.95" in listing.text
    detail = desk.get(f"/staff/orders/{number}")
    assert detail.status_code == 200
    html = detail.text
    assert "1 Harbour Road" in html and "(503) 555-0143" in html
    assert "SKU-THING-1500-5" in html
    assert "Visa •••• 1111" in html and "Authorized: held on the card" in html
    assert "Guest checkout" in html
    assert detail.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", ["analyst", "catalog", "support"])
def test_other_roles_are_refused_every_order_page(app, paid, role):
    number, _ = paid
    other = staff(app, app.test_client(), role)
    assert 'href="/staff/orders"' not in other.get("/staff/").text
    for url in ("/staff/orders", f"/staff/orders/{number}", f"/staff/orders/{number}/packing-slip"):
        response = other.get(url)
        assert response.status_code == 403
        assert "Gus Guest" not in response.text and "Harbour" not in response.text
    assert other.post(f"/staff/orders/{number}/cancel").status_code in (400, 403)
    assert get_order(app, number).status == "paid"


def test_customers_and_visitors_cannot_open_staff_order_pages(app, paid):
    number, _ = paid
    visitor = app.test_client()
    assert visitor.get(f"/staff/orders/{number}").headers["Location"].startswith("/account/login")
    make_user(app, "cus@example.com")
    customer = app.test_client()
    login(customer, "cus@example.com")
    assert customer.get(f"/staff/orders/{number}").status_code == 403


def test_one_access_log_entry_per_page_showing_customer_details(app, desk, paid):
    number, _ = paid
    desk.get(f"/staff/orders/{number}")
    desk.get(f"/staff/orders/{number}/packing-slip")
    desk.get("/staff/orders")
    entries = log_entries(app, kind="view_personal_data")
    assert [(e.view, e.detail) for e in entries] == [
        ("staff_orders.order_detail", f"order {number}"),
        ("staff_orders.order_packing_slip", f"packing slip {number}"),
        ("staff_orders.order_list", "order list, page 1"),
    ]
    assert all(e.actor_label == "orders-person@staff.example.org" for e in entries)
    desk.get("/staff/orders?status=refunded")  # an empty list shows nobody
    assert len(log_entries(app, kind="view_personal_data")) == 3


def test_search_by_number_or_name_and_filter_by_status(app, client, desk, paid):
    number, _ = paid
    add_to_cart(client, make_product(app, "Other Thing"))
    other = order_number(checkout(client, email="zoe@example.com", shipping={"name": "Zoe Zed"}))
    by_number = desk.get(f"/staff/orders?q={number.lower()}")
    assert number in by_number.text and other not in by_number.text
    by_name = desk.get("/staff/orders?q=zoe zed")
    assert other in by_name.text and number not in by_name.text
    assert other not in desk.get("/staff/orders?q=ZOE@example").text  # not by email
    owner = staff(app, app.test_client(), "owner")
    by_email = owner.get("/staff/orders?q=ZOE@example")
    assert other in by_email.text and number not in by_email.text
    assert "No order matches that search." in desk.get("/staff/orders?q=nobody").text
    staff_post(desk, number, "process")
    to_do = desk.get("/staff/orders")
    assert number in to_do.text and other in to_do.text
    processing = desk.get("/staff/orders?status=processing")
    assert number in processing.text and other not in processing.text


def test_the_list_pages(app, client, desk, monkeypatch):
    monkeypatch.setattr(list_views, "PER_PAGE", 2)
    numbers = []
    for index in range(3):
        add_to_cart(client, make_product(app, f"Thing {index}"))
        numbers.append(order_number(checkout(client)))
    first = desk.get("/staff/orders")
    assert numbers[2] in first.text and numbers[0] not in first.text
    assert 'rel="next"' in first.text
    second = desk.get("/staff/orders?page=2")
    assert numbers[0] in second.text


def test_packing_slip_lists_what_goes_in_the_parcel(app, desk, paid):
    number, _ = paid
    slip = desk.get(f"/staff/orders/{number}/packing-slip")
    assert slip.status_code == 200
    assert "Packing slip" in slip.text and "1 Harbour Road" in slip.text
    assert "SKU-THING-1500-5" in slip.text
    assert "$" not in slip.text.split('class="packing-slip"')[1]  # no prices in the parcel
    assert 'class="no-print' in slip.text
    # A document to print: no shop header, search, menu or footer; a Print button for
    # shop.js to show (tests/browser/test_order_list_journey.py clicks it).
    assert 'class="site-header"' not in slip.text and 'role="search"' not in slip.text
    assert 'class="site-footer"' not in slip.text
    assert '<button type="button" class="js-print" hidden>Print</button>' in slip.text


def test_owner_sees_a_customers_orders_on_their_record(app):
    from tests.accounts.helpers import register, sign_in

    shopper = app.test_client()
    register(shopper)
    sign_in(shopper)
    number = buy(app, shopper, email="bea@example.com")[0]
    number = order_number(number)
    owner = staff(app, app.test_client(), "owner")
    listing = owner.get("/staff/customers")
    customer_url = listing.text.split('href="/staff/customers/')[1].split('"')[0]
    record = owner.get(f"/staff/customers/{customer_url}")
    assert f'href="/staff/orders/{number}"' in record.text


# -- The pipeline ----------------------------------------------------------------------------------


def test_from_paid_to_delivered(app, desk, paid):
    number, product_id = paid
    page = desk.get(f"/staff/orders/{number}")
    assert "Start preparing" in page.text and "Ship and capture the payment" in page.text
    response = staff_post(desk, number, "process", follow_redirects=True)
    assert f"Order {number} is being prepared." in response.text

    response = staff_post(desk, number, "ship", {"carrier": "UPS", "tracking_number": "1Z 999 AA1"},
                          follow_redirects=True)  # fmt: skip
    assert f"Order {number} is shipped and its payment captured." in response.text
    order = get_order(app, number)
    assert order.status == "shipped"
    assert (order.carrier, order.tracking_number) == ("UPS", "1Z 999 AA1")
    assert order.sale.status == "submitted_for_settlement"
    assert _sale(app, number).status == "submitted_for_settlement"
    message = last_message(app, to="gus@example.com")
    assert message["Subject"] == f"Your order {number} is on its way"
    assert "Tracking number: 1Z 999 AA1" in text_of(message)
    assert "UPS" in get_order(app, number).changes[-1].note

    response = staff_post(desk, number, "deliver", follow_redirects=True)
    assert "is marked delivered" in response.text
    order = get_order(app, number)
    assert [c.to_status for c in order.changes] == [
        "pending_payment", "paid", "processing", "shipped", "delivered"]  # fmt: skip
    assert {c.actor_label for c in order.changes[2:]} == {"orders-person@staff.example.org"}
    assert stock_of(app, product_id) == 3

    # The customer sees the journey.
    customer_page = app.test_client().get(
        "/orders/" + number + "?token=" + text_of(message).split("token=")[1].split()[0]
    )
    assert "Delivered" in customer_page.text and "Shipped with UPS" in customer_page.text


def test_illegal_transitions_are_refused_with_a_message(app, desk, paid):
    number, _ = paid
    response = staff_post(desk, number, "deliver", follow_redirects=True)
    assert "An order that is “Paid” cannot become “Delivered”." in response.text
    staff_post(desk, number, "process")
    again = staff_post(desk, number, "process", follow_redirects=True)
    assert "An order that is “Being prepared” cannot become “Being prepared”." in again.text
    refund = staff_post(desk, number, "refund", {"amount": "5.00"}, follow_redirects=True)
    assert "This order cannot be refunded now: it is “Being prepared”." in refund.text
    assert get_order(app, number).status == "processing"
    assert desk.post("/staff/orders/JZZZZZZZZ/process").status_code in (400, 404)


def test_shipping_needs_a_carrier_and_tracking_number(app, desk, paid):
    number, _ = paid
    response = staff_post(desk, number, "ship", {"carrier": "", "tracking_number": "<b>"})
    assert response.status_code == 422
    assert "Enter the carrier, e.g. UPS." in response.text
    assert "Use letters, digits, spaces and dashes." in response.text
    assert get_order(app, number).status == "paid"
    assert _sale(app, number).status == "authorized"


def test_cancel_before_shipping_voids_and_restocks(app, desk, paid):
    number, product_id = paid
    assert stock_of(app, product_id) == 3
    response = confirmed_post(desk, number, "cancel", follow_redirects=True)
    assert "is cancelled and its payment voided. Its items are back in stock." in response.text
    order = get_order(app, number)
    assert order.status == "cancelled" and order.sale.status == "voided"
    assert _sale(app, number).status == "voided"
    assert stock_of(app, product_id) == 5
    assert last_message(app, to="gus@example.com")["Subject"] == f"Your order {number} is cancelled"
    assert "Nothing left to do on this order." in desk.get(f"/staff/orders/{number}").text


def test_cancel_after_shipping_voids_before_settlement_without_restocking(app, desk, paid):
    number, product_id = paid
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    response = confirmed_post(desk, number, "cancel", follow_redirects=True)
    assert "is cancelled and its payment voided." in response.text
    assert "back in stock" not in response.text
    assert _sale(app, number).status == "voided"
    assert stock_of(app, product_id) == 3


def test_settled_payments_are_refunded_not_voided(app, desk, paid):
    number, _ = paid
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    page = desk.get(f"/staff/orders/{number}")
    assert (
        "Settle now (demo)" in page.text
        and "Refund" not in page.text.split("Next steps")[1].split("Payment")[0]
    )
    response = staff_post(desk, number, "settle", follow_redirects=True)
    assert "The payment is settled: it can now be refunded." in response.text
    assert _sale(app, number).status == "settled"
    cancel = desk.get(f"/staff/orders/{number}/cancel", follow_redirects=True)
    assert "This payment has settled and can no longer be voided: refund it instead." in cancel.text
    assert get_order(app, number).status == "shipped"


def _settled(desk, number):
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    staff_post(desk, number, "settle")


def _refund_form(client, number, amount=None, reason="Returned"):
    """The refund page's form as the staff member's browser would send it (the amount it
    offers, all that is left, unless ``amount`` is given)."""
    [form] = [f for f in forms_on(client.get(f"/staff/orders/{number}/refund").text)
              if f.action.endswith("/refund")]  # fmt: skip
    return {**form.fields, "reason": reason, **({"amount": amount} if amount else {})}


@contextmanager
def reading_payments_together(app, racers: int):
    """Holds each of ``racers`` requests (threads) right after its first read of the order's
    payments until all of them have read them: they all see the order as it was, then go
    on at the same moment."""
    barrier = threading.Barrier(racers, timeout=20)
    seen = threading.local()
    with app.app_context():
        engine = db.engine

    def hold(conn, cursor, statement, parameters, context, executemany):
        racing = threading.current_thread().name.startswith("racer")
        if racing and "FROM payments" in statement and not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()

    event.listen(engine, "after_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", hold)


def test_two_staff_refunding_at_the_same_moment_make_one_refund(app, desk, paid):
    number, _ = paid
    _settled(desk, number)
    other = staff(app, app.test_client(), "orders", email="second-desk@staff.example.org")
    forms = {desk: _refund_form(desk, number), other: _refund_form(other, number)}
    answers = {}

    def refund(client):
        answers[client] = client.post(f"/staff/orders/{number}/refund", data=forms[client])

    with reading_payments_together(app, 2):
        threads = [threading.Thread(target=refund, args=(c,), name=f"racer-{i}")
                   for i, c in enumerate(forms)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(a.status_code for a in answers.values()) == [303, 303]
    pages = [client.get(answer.headers["Location"]).text for client, answer in answers.items()]
    assert sum(f"Refunded $34.95 on order {number}." in page for page in pages) == 1
    assert sum("Someone else refunded this order while you were on this page" in page
               for page in pages) == 1  # fmt: skip
    order = get_order(app, number)
    assert [r.amount_cents for r in order.refunds] == [3495]
    assert order.status == "refunded"
    assert [r.amount_cents for r in gateway_sales(app, number) if r.kind == "credit"] == [3495]
    assert [c.to_status for c in order.changes].count("refunded") == 1


def test_a_refund_form_from_before_another_refund_is_refused(app, desk, paid):
    number, _ = paid
    _settled(desk, number)
    other = staff(app, app.test_client(), "orders", email="second-desk@staff.example.org")
    late = _refund_form(other, number, "5.00")  # opened before the first refund
    first = desk.post(f"/staff/orders/{number}/refund", data=_refund_form(desk, number, "5.00"))
    assert first.status_code == 303
    response = other.post(f"/staff/orders/{number}/refund", data=late, follow_redirects=True)
    assert response.status_code == 200
    assert "Someone else refunded this order while you were on this page" in response.text
    assert [r.amount_cents for r in get_order(app, number).refunds] == [500]


def test_partial_then_full_refund(app, desk, paid):
    number, _ = paid
    staff_post(desk, number, "ship", {"carrier": "DHL", "tracking_number": "JD0001"})
    staff_post(desk, number, "settle")
    page = desk.get(f"/staff/orders/{number}")
    assert "Up to $34.95." in page.text

    response = confirmed_post(desk, number, "refund", {"amount": "10.50", "reason": "Chipped"},
                              follow_redirects=True)  # fmt: skip
    assert f"Refunded $10.50 on order {number}." in response.text
    order = get_order(app, number)
    assert order.status == "partly_refunded"
    assert (order.refunded_cents, order.refundable_cents) == (1050, 2445)
    message = last_message(app, to="gus@example.com")
    assert message["Subject"] == f"A refund for your order {number}"
    assert "We refunded $10.50" in text_of(message)
    assert "Chipped" not in text_of(message)  # the reason is for the staff

    rest = confirmed_post(desk, number, "refund", {"reason": "Returned"}, follow_redirects=True)
    assert f"Refunded $24.45 on order {number}." in rest.text  # the page offers what is left
    order = get_order(app, number)
    assert order.status == "refunded"
    assert order.refundable_cents == 0
    credits = [r for r in gateway_sales(app, number) if r.kind == "credit"]
    assert sorted(r.amount_cents for r in credits) == [1050, 2445]
    assert [c.to_status for c in order.changes][-2:] == ["partly_refunded", "refunded"]
    assert "Nothing left to do on this order." in desk.get(f"/staff/orders/{number}").text
    assert "Refunded" in desk.get(f"/staff/orders/{number}").text


def test_a_payment_that_cannot_be_captured_leaves_the_order_as_it_was(app, desk, paid):
    from jomso import payments

    number, _ = paid
    with app.app_context():  # Braintree's record moved on without the shop (voided elsewhere)
        payments.void(_sale(app, number).transaction_id)
    response = staff_post(desk, number, "ship", {"carrier": "UPS", "tracking_number": "1Z1"},
                          follow_redirects=True)  # fmt: skip
    assert (
        "The payment could not be captured, so the order was not marked shipped." in response.text
    )
    assert get_order(app, number).status == "paid"
