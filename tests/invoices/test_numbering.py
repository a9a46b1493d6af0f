"""Invoice numbers: every paid order gets one, in a gap-free sequence per calendar year
("2026-000123"), taken in the transaction that records the payment; an order whose payment
failed takes none; parallel checkouts never share or skip a number (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from jomso.extensions import db
from jomso.invoices import numbering
from jomso.invoices.models import Invoice
from tests.catalog.helpers import make_product
from tests.orders.helpers import (
    DECLINED,
    add_to_cart,
    all_orders,
    buy,
    checkout_data,
    get_order,
    order_number,
    post_checkouts_together,
)


def _invoices(app) -> dict[str, str]:
    """Order number → invoice number, in the order the invoices were issued."""
    from jomso.orders.models import Order

    with app.app_context():
        rows = db.session.execute(
            select(Order.number, Invoice.number).join(Invoice).order_by(Invoice.id)
        ).all()
        return dict(rows)


def _year() -> int:
    from jomso.shop_time import shop_today

    return shop_today().year


def test_paid_orders_are_numbered_one_after_another_and_a_declined_payment_takes_none(app, client):
    first = order_number(buy(app, client, price_cents=1500)[0])
    refused = buy(app, app.test_client(), price_cents=1600, nonce=DECLINED)[0]
    assert refused.status_code == 422
    second = order_number(buy(app, app.test_client(), price_cents=1700)[0])
    [declined] = [o for o in all_orders(app) if o.status == "payment_failed"]
    with app.app_context():
        year = _year()
    assert _invoices(app) == {first: f"{year}-000001", second: f"{year}-000002"}
    assert declined.number not in _invoices(app)
    # The buyer's order page links its invoice; the declined one has none to show.
    page = client.get(f"/orders/{first}").text
    assert f"Invoice {year}-000001" in page
    assert f'href="/orders/{first}/invoice"' in page
    assert client.get(f"/orders/{first}/invoice").status_code == 200


def test_an_order_settled_by_reconciliation_gets_its_number_then(app, client):
    # An amount the offline gateway answers with no answer: the outcome is unknown.
    unknown = order_number(buy(app, client, price_cents=400100)[0])
    assert get_order(app, unknown).status == "payment_unknown"
    assert _invoices(app) == {}
    paid = order_number(buy(app, app.test_client(), price_cents=1500)[0])
    result = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert f"{unknown}: Paid" in result.output
    with app.app_context():
        year = _year()
    assert _invoices(app) == {paid: f"{year}-000001", unknown: f"{year}-000002"}
    # Reconciling again changes nothing.
    app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert len(_invoices(app)) == 2


def test_each_year_and_each_kind_has_its_own_sequence(app):
    with app.app_context():
        assert [numbering.take_next(numbering.INVOICE, 2026) for _ in range(3)] == [1, 2, 3]
        assert numbering.take_next(numbering.INVOICE, 2027) == 1
        assert numbering.take_next(numbering.CREDIT_NOTE, 2026) == 1
        db.session.rollback()  # a transaction that rolls back gives its numbers back
        assert numbering.take_next(numbering.INVOICE, 2026) == 1
        db.session.commit()
        assert numbering.take_next(numbering.INVOICE, 2026) == 2
        db.session.commit()
    assert numbering.printed(numbering.INVOICE, 2026, 123) == "2026-000123"
    assert numbering.printed(numbering.CREDIT_NOTE, 2026, 4) == "CN-2026-000004"
    assert numbering.printed(numbering.INVOICE, 2026, 1234567) == "2026-1234567"


def test_the_year_is_the_shops_calendar_year(app):
    app.config["TIMEZONE"] = "Pacific/Auckland"  # UTC+13 on New Year's Eve
    with app.app_context():
        assert numbering.shop_year(datetime(2026, 12, 31, 12, 0, tzinfo=UTC)) == 2027
        app.config["TIMEZONE"] = "America/Los_Angeles"
        assert numbering.shop_year(datetime(2027, 1, 1, 5, 0, tzinfo=UTC)) == 2026


def test_parallel_checkouts_take_every_number_once(app):
    product = make_product(app, "Blue Mug", price_cents=3000, stock=50)
    buyers = 6
    forms = []
    for index in range(buyers):
        browser = app.test_client()
        add_to_cart(browser, product)
        page = browser.get("/checkout")
        forms.append((browser, checkout_data(page.text, email=f"buyer{index}@example.com")))
    answers = post_checkouts_together(forms, timeout=120)
    assert sorted(a.status_code for a in answers) == [303] * buyers
    with app.app_context():
        year = _year()
    numbers = sorted(_invoices(app).values())
    assert numbers == [f"{year}-{seq:06d}" for seq in range(1, buyers + 1)]
