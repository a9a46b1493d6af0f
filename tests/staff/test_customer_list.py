"""The owner's customer list: how many orders each customer placed and what they spent (paid
orders less refunds), sorted by either, searched, each linking to the record, whose opening
is logged as before."""

from __future__ import annotations

from sqlalchemy import select, update

from jomso.extensions import db
from jomso.orders.models import Order
from tests.helpers import make_user
from tests.orders.helpers import buy, confirmed_post, order_number, staff_post
from tests.staff.helpers import log_entries, staff_client


def give_order(app, client, user_id: int, price_cents: int) -> str:
    """A paid order of ``price_cents`` (plus shipping under 50.00) made the account's."""
    response, _product = buy(app, client, price_cents=price_cents)
    number = order_number(response)
    with app.app_context():
        db.session.execute(update(Order).where(Order.number == number).values(user_id=user_id))
        db.session.commit()
    return number


def rows(html: str) -> list[tuple[str, str, str]]:
    """(name, orders, spent) of each row of the customer table."""
    import re

    body = html.split("<tbody>")[1].split("</tbody>")[0]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        found.append((cells[0], cells[3], cells[4]))
    return found


def test_orders_and_spent_per_customer_sorted_by_either(app, client):
    ann = make_user(app, "ann@example.com", name="Ann Able")
    bob = make_user(app, "bob@example.com", name="Bob Baker")
    make_user(app, "cy@example.com", name="Cy Cole")  # no orders
    give_order(app, client, ann, 6000)  # 60.00, free shipping
    give_order(app, client, bob, 1000)  # 10.00 + 4.95
    give_order(app, client, bob, 1001)  # 10.01 + 4.95
    buy(app, client, price_cents=2000, nonce="fake-processor-declined-visa-nonce")
    with app.app_context():  # a declined attempt is not an order placed
        db.session.execute(
            update(Order).where(Order.status == "payment_failed").values(user_id=bob)
        )
        db.session.commit()

    owner = staff_client(app, "owner")
    newest = rows(owner.get("/staff/customers").text)
    assert newest == [("Cy Cole", "0", "$0.00"), ("Bob Baker", "2", "$29.91"),
                      ("Ann Able", "1", "$60.00")]  # fmt: skip
    assert [r[0] for r in rows(owner.get("/staff/customers?sort=orders").text)] == [
        "Bob Baker", "Ann Able", "Cy Cole"]  # fmt: skip
    assert [r[0] for r in rows(owner.get("/staff/customers?sort=spent").text)] == [
        "Ann Able", "Bob Baker", "Cy Cole"]  # fmt: skip
    assert [r[0] for r in rows(owner.get("/staff/customers?sort=name").text)] == [
        "Ann Able", "Bob Baker", "Cy Cole"]  # fmt: skip
    searched = owner.get("/staff/customers?q=baker&sort=spent").text
    assert rows(searched) == [("Bob Baker", "2", "$29.91")]
    assert f'href="/staff/customers/{bob}"' in searched


def test_refunds_are_taken_off_what_a_customer_spent(app, client):
    ann = make_user(app, "ann@example.com", name="Ann Able")
    number = give_order(app, client, ann, 6000)
    desk = staff_client(app, "orders")
    staff_post(desk, number, "ship", {"carrier": "UPS", "tracking_number": "1Z1"})
    staff_post(desk, number, "settle")
    confirmed_post(desk, number, "refund", {"amount": "15.50", "reason": "Never arrived."})
    owner = staff_client(app, "owner")
    assert rows(owner.get("/staff/customers").text) == [("Ann Able", "1", "$44.50")]
    with app.app_context():
        assert db.session.scalar(select(Order.status).where(Order.number == number)) == (
            "partly_refunded")  # fmt: skip


def test_the_list_and_the_record_are_logged_as_before(app, client):
    ann = make_user(app, "ann@example.com", name="Ann Able")
    give_order(app, client, ann, 6000)
    owner = staff_client(app, "owner")
    owner.get("/staff/customers?sort=spent")
    record = owner.get(f"/staff/customers/{ann}")
    assert record.status_code == 200 and "Ann Able" in record.text
    entries = log_entries(app, kind="view_personal_data")
    assert [(e.view, e.customer_id, e.detail) for e in entries][:1] == [
        ("staff.customer_list", None, "list, page 1")]  # fmt: skip
    assert [(e.view, e.customer_id) for e in entries[1:]] == [("staff.customer_detail", ann)]


def test_an_unknown_sort_shows_the_newest_first(app):
    make_user(app, "ann@example.com", name="Ann Able")
    owner = staff_client(app, "owner")
    page = owner.get("/staff/customers?sort=password_hash")
    assert page.status_code == 200 and "Ann Able" in page.text
