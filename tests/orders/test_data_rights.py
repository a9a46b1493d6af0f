"""Orders in "download my data" and "delete my account": every column of every order row
linked to the customer is in the export; deletion keeps the orders for the books with their
personal fields replaced by "deleted"."""

from __future__ import annotations

import json

from sqlalchemy import select

from jomso import payments
from jomso.accounts.models import User
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.privacy import registry as data_rights
from tests.accounts.helpers import GOOD_PASSWORD, confirm, post_form, register, sign_in
from tests.mailbox import link_to, outbox_messages
from tests.orders.helpers import (
    DECLINED,
    buy,
    confirmed_post,
    get_order,
    order_number,
    staff,
    staff_post,
)
from tests.privacy.helpers import customer_rows, json_objects, personal_columns

ORDER_TABLES = ("orders", "order_lines", "order_status_changes", "payments", "payment_events")


def _customer_with_orders(app, client) -> tuple[int, str]:
    """A signed-in customer with a shipped, settled, partly refunded and disputed order, and a
    failed attempt; returns (account id, the order's number)."""
    register(client)
    sign_in(client)
    number = order_number(buy(app, client, price_cents=2000, email="bea@example.com")[0])
    buy(app, client, price_cents=900, nonce=DECLINED, email="bea@example.com")
    desk = staff(app, app.test_client())
    staff_post(desk, number, "ship", {"carrier": "UPS", "tracking_number": "1Z1"})
    staff_post(desk, number, "settle")
    confirmed_post(desk, number, "refund", {"amount": "3.00", "reason": "Late delivery"})
    with app.app_context():
        sale = get_order(app, number).sale.transaction_id
        notification = payments.sample_webhook("dispute_opened", sale)
    app.test_client().post("/webhooks/braintree", data=notification)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "bea@example.com"))
    return user_id, number


def test_the_export_holds_every_order_column(app, client):
    user_id, number = _customer_with_orders(app, client)
    export = json.loads(client.get("/account/export").data)
    orders = export["orders"]
    assert [o["status"] for o in orders] == ["partly_refunded", "payment_failed"]
    mine = orders[0]
    assert mine["number"] == number and mine["billing_country_name"] == "United States"
    assert mine["lines"][0]["sku"].startswith("SKU-THING")
    assert [p["kind"] for p in mine["payments"]] == ["sale", "refund"]
    assert mine["payments"][0]["card_last4"] == "1111"
    assert mine["payment_events"][0]["kind"] == "dispute_opened"
    assert "checkout_key" not in mine
    assert all("actor_label" not in change for change in mine["status_changes"])

    with app.app_context():
        rows = customer_rows(user_id)
    objects = list(json_objects(export))
    for table_name in ORDER_TABLES:
        assert rows.get(table_name), table_name
        table = db.metadata.tables[table_name]
        columns = personal_columns(table)
        for row in rows[table_name]:
            expected = {c: data_rights.to_jsonable(row[c]) for c in columns}
            assert any(all(o.get(c) == v for c, v in expected.items()) for o in objects), (
                f"{table_name} row {expected} is not in the export"
            )


def test_deleting_the_account_anonymises_its_orders_for_the_books(app, client):
    user_id, number = _customer_with_orders(app, client)
    link = link_to(next(m for m in outbox_messages(app, to="bea@example.com")
                        if "confirmed" in str(m["Subject"])), "/orders/")  # fmt: skip
    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.status_code == 302

    order = get_order(app, number)
    assert order.user_id is None and order.anonymized_at is not None
    assert (order.email, order.phone, order.billing_name, order.shipping_line1) == (
        "deleted", "deleted", "deleted", "deleted")  # fmt: skip
    assert order.shipping_postal_code == "" and order.tracking_number == ""
    assert order.shipping_country == "US"  # kept for the tax records
    assert order.total_cents == 2495 and order.lines[0].unit_price_cents == 2000
    assert order.sale.card_last4 == "1111" and len(order.refunds) == 1
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Order)) == 2
        for table in db.metadata.sorted_tables:  # nothing points at the account any more
            for fk in table.foreign_keys:
                if fk.column.table.name == "users":
                    count = db.session.scalar(
                        select(db.func.count()).select_from(table).where(fk.parent == user_id)
                    )
                    assert not count, f"{table.name}.{fk.parent.name}"

    assert app.test_client().get(link.removeprefix("http://shop.test")).status_code == 404
    page = staff(app, app.test_client(), "owner").get(f"/staff/orders/{number}")
    assert "The customer deleted their account" in page.text
    assert "bea@example.com" not in page.text and "Bea Customer" not in page.text


def test_a_new_account_with_the_same_address_does_not_get_erased_orders(app, client):
    _user_id, _number = _customer_with_orders(app, client)
    post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    again = app.test_client()
    register(again)
    sign_in(again)
    confirm(again)  # confirming links guest orders with this address: erased ones are not
    assert "You have no orders yet." in again.get("/account/orders").text
