"""The daily roll-up stays true: built once per day that is over, forgotten by every change of
an order's figures, never trusted when built too early or in another time zone, and read
through indexes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders.models import Order, Payment
from jomso.orders.new_rows import record_sale
from jomso.orders.status import OrderStatus
from jomso.orders.transitions import move
from jomso.sales import rollup
from jomso.sales.models import SalesDay, SalesDayProduct, SalesMonth, SalesMonthProduct
from tests.catalog.helpers import make_product
from tests.orders.factories import make_order
from tests.sales.helpers import figures, local
from tests.staff.helpers import staff_client

MARCH_1 = "start=2026-03-01&end=2026-03-01"

# The plan tests read SQLite's EXPLAIN QUERY PLAN; tests/sales/test_postgres.py checks the
# figures on PostgreSQL.
EXPLAINS = "reads SQLite's EXPLAIN QUERY PLAN"


def _rows(app) -> dict[date, SalesDay]:
    with app.app_context():
        rows = {row.day: row for row in db.session.scalars(select(SalesDay))}
        db.session.expunge_all()
        return rows


def _order(app, number: str) -> Order:
    return db.session.scalar(select(Order).where(Order.number == number))


def test_days_that_are_over_are_built_once_and_today_never(app):
    make_order(app, created_at=utcnow() - timedelta(days=2), lines=[(None, 1, 1000)])
    make_order(app, created_at=utcnow(), lines=[(None, 1, 500)])
    client = staff_client(app, "analyst")
    assert figures(client.get("/staff/sales?period=7d").text)["gross"] == "$15.00"
    rows = _rows(app)
    assert len(rows) == 6  # the six days before today
    assert max(rows) < utcnow().date() + timedelta(days=1)
    assert sum(row.gross_cents for row in rows.values()) == 1000
    built = {day: row.built_at for day, row in rows.items()}
    assert figures(client.get("/staff/sales?period=7d").text)["gross"] == "$15.00"
    assert {day: row.built_at for day, row in _rows(app).items()} == built  # not rebuilt


def test_an_order_that_stops_counting_forgets_its_day(app):
    number = make_order(app, created_at=local("UTC", 2026, 3, 1), lines=[(None, 2, 1000)])
    client = staff_client(app, "analyst")
    assert figures(client.get(f"/staff/sales?{MARCH_1}").text)["gross"] == "$20.00"
    assert date(2026, 3, 1) in _rows(app)
    with app.app_context():
        move(_order(app, number), OrderStatus.SHIPPED)  # still counts: the day stays
        db.session.commit()
    assert date(2026, 3, 1) in _rows(app)
    with app.app_context():
        move(_order(app, number), OrderStatus.CANCELLED)
        db.session.commit()
    assert date(2026, 3, 1) not in _rows(app)  # forgotten in the same transaction
    assert figures(client.get(f"/staff/sales?{MARCH_1}").text)["gross"] == "$0.00"
    assert _rows(app)[date(2026, 3, 1)].gross_cents == 0


def _months(app) -> dict[date, dict[int, int]]:
    """The months summed up, each with its products' units (rows of a month forgotten since
    wait to be replaced, unread)."""
    with app.app_context():
        months = {m.month: {} for m in db.session.scalars(select(SalesMonth))}
        for row in db.session.scalars(select(SalesMonthProduct)):
            if row.month in months:
                months[row.month][row.product_id] = row.units
        return months


def test_whole_months_are_summed_once_and_forgotten_with_any_of_their_days(app):
    mug = make_product(app, "Blue Mug")
    make_order(app, created_at=local("UTC", 2026, 2, 27), lines=[(mug, 1, 1000)])
    number = make_order(app, created_at=local("UTC", 2026, 3, 9), lines=[(mug, 2, 1000)])
    make_order(app, created_at=local("UTC", 2026, 3, 30), lines=[(mug, 4, 1000)])
    client = staff_client(app, "analyst")
    html = client.get("/staff/sales?start=2026-02-27&end=2026-03-31").text
    assert '<td class="num">7</td>' in html.split('id="best-units"')[1]
    assert _months(app) == {date(2026, 3, 1): {mug: 6}}  # February is not whole in the range
    with app.app_context():
        move(_order(app, number), OrderStatus.CANCELLED)
        db.session.commit()
    assert _months(app) == {}
    html = client.get("/staff/sales?start=2026-02-27&end=2026-03-31").text
    assert '<td class="num">5</td>' in html.split('id="best-units"')[1]
    assert _months(app) == {date(2026, 3, 1): {mug: 4}}


def test_a_refund_failing_later_forgets_the_day_it_was_made(app):
    make_order(
        app,
        status="refunded",
        created_at=local("UTC", 2026, 2, 20),
        lines=[(None, 1, 1000)],
        refunds=[(1000, local("UTC", 2026, 3, 1), "settled")],
    )
    client = staff_client(app, "analyst")
    assert figures(client.get(f"/staff/sales?{MARCH_1}").text)["refunds"] == "$10.00"
    with app.app_context():
        refund = db.session.scalar(select(Payment).where(Payment.kind == Payment.REFUND))
        refund.status = "failed"  # what the refund_failed webhook records
        db.session.commit()
    assert date(2026, 3, 1) not in _rows(app)
    assert figures(client.get(f"/staff/sales?{MARCH_1}").text)["refunds"] == "$0.00"


def test_a_new_paid_order_on_a_past_day_forgets_it(app):
    client = staff_client(app, "analyst")
    assert figures(client.get(f"/staff/sales?{MARCH_1}").text)["orders"] == "0"
    make_order(app, created_at=local("UTC", 2026, 3, 1), lines=[(None, 1, 100)])
    assert figures(client.get(f"/staff/sales?{MARCH_1}").text)["orders"] == "1"


def test_the_checkouts_order_paid_after_its_day_was_built_forgets_it(app):
    # Placed (pending payment) just before a day ended, paid after the day's figures were
    # built: the checkout writes that payment without the ORM (orders.new_rows).
    number = make_order(
        app, status="pending_payment", created_at=local("UTC", 2026, 3, 1), lines=[(None, 1, 100)]
    )
    client = staff_client(app, "analyst")
    assert figures(client.get(f"/staff/sales?{MARCH_1}").text)["orders"] == "0"
    assert date(2026, 3, 1) in _rows(app)
    with app.test_request_context():
        sale = {"kind": "sale", "transaction_id": "t1", "status": "authorized"}
        record_sale(_order(app, number), {**sale, "amount_cents": 100})
        db.session.commit()
    assert date(2026, 3, 1) not in _rows(app)
    page = client.get(f"/staff/sales?{MARCH_1}").text
    assert figures(page)["orders"] == "1"
    assert figures(page)["gross"] == "$1.00"


def test_changes_that_do_not_touch_the_figures_keep_the_day(app):
    number = make_order(
        app, status="processing", created_at=local("UTC", 2026, 3, 1), lines=[(None, 1, 100)]
    )
    pending = make_order(
        app, status="pending_payment", created_at=local("UTC", 2026, 3, 1), lines=[(None, 1, 9)]
    )
    staff_client(app, "analyst").get(f"/staff/sales?{MARCH_1}")
    with app.app_context():
        order = _order(app, number)
        order.tracking_number = "1Z999"
        order.shipping_name = "deleted"
        move(_order(app, pending), OrderStatus.PAYMENT_FAILED)  # never counted, still not
        db.session.commit()
    assert date(2026, 3, 1) in _rows(app)


@pytest.mark.parametrize(
    "stale",
    [
        {"timezone": "Asia/Tokyo"},  # cut in another time zone
        {"built_at": datetime(2026, 3, 1, 23, 0, tzinfo=UTC)},  # before the day was over
    ],
)
def test_a_row_that_does_not_hold_is_built_again(app, stale):
    make_order(app, created_at=local("UTC", 2026, 3, 1), lines=[(None, 1, 700)])
    with app.app_context():
        values = {"timezone": "UTC", "built_at": utcnow(), **stale}
        db.session.add(
            SalesDay(
                day=date(2026, 3, 1),
                orders=99,
                gross_cents=99_999,
                shipping_cents=0,
                discount_cents=0,
                units=99,
                refunds=0,
                refunded_cents=0,
                visits=0,
                checkout_visits=0,
                order_visits=0,
                **values,
            )
        )
        db.session.add(
            SalesDayProduct(
                day=date(2026, 3, 1), product_id=0, name="x", units=99, revenue_cents=99_999
            )
        )
        db.session.commit()
    html = staff_client(app, "analyst").get(f"/staff/sales?{MARCH_1}").text
    assert figures(html)["gross"] == "$7.00"
    assert "99" not in html.split('id="best-units"')[1].split("</section>")[0]
    assert _rows(app)[date(2026, 3, 1)].gross_cents == 700


def test_when_the_database_is_busy_the_figures_are_computed_and_not_kept(app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    make_order(app, created_at=local("UTC", 2026, 3, 1), lines=[(None, 1, 700)])

    def busy():
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(rollup, "_build_lock", busy)
    html = staff_client(app, "analyst").get(f"/staff/sales?{MARCH_1}").text
    assert figures(html)["gross"] == "$7.00"
    assert _rows(app) == {}


# The tables a page could read in full by mistake; the others are a handful of rows.
BIG_TABLES = (
    "orders",
    "order_lines",
    "payments",
    "page_views",
    "products",
    "enquiries",
    "sales_days",
    "sales_day_products",
    "sales_day_countries",
)


def _plans(app, client, urls) -> list[tuple[str, list[str]]]:
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        for url in urls:
            assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    plans = []
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append((statement, [row[3] for row in rows]))
    return plans


def _many_old_orders(app, count: int) -> None:
    """``count`` delivered orders over the past two years, inserted in one statement, and the
    planner's statistics: with them SQLite picks its plans as in a shop that has run a while
    (many old orders, a few waiting)."""
    from sqlalchemy import insert

    now = utcnow()
    base = {
        "status": "delivered",
        "email": "x@example.com",
        "phone": "+15035550143",
        "currency": "USD",
        "subtotal_cents": 1000,
        "shipping_cents": 0,
        "total_cents": 1000,
        **{
            f"{kind}_{part}": "x"
            for kind in ("billing", "shipping")
            for part in ("name", "line1", "city")
        },
        "billing_country": "US",
        "shipping_country": "US",
    }
    rows = [
        {**base, "number": f"JOLD{i:05d}", "created_at": now - timedelta(hours=5 + i * 8)}
        for i in range(count)
    ]
    with app.app_context():
        db.session.execute(insert(Order), rows)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@pytest.mark.sqlite_only(reason=EXPLAINS)
def test_the_dashboard_and_the_sales_page_read_through_indexes(app):
    _many_old_orders(app, 2000)
    product = make_product(app, "Blue Mug", stock=2)
    for days in range(0, 40, 3):
        make_order(
            app,
            created_at=utcnow() - timedelta(days=days),
            lines=[(product, 1, 1000)],
            refunds=[(100, utcnow() - timedelta(days=days), "settled")],
        )
    client = staff_client(app, "owner")
    urls = ["/staff/", "/staff/sales?period=year", "/staff/sales?period=30d&by=week"]
    client.get("/staff/sales?period=year")  # built: the next reads are the usual ones
    plans = _plans(app, client, urls)
    steps = [step for _statement, found in plans for step in found]
    assert any(s.startswith("SEARCH sales_day_products") for s in steps)
    assert any(s.startswith("SEARCH orders") for s in steps)  # today, the dashboard
    scans = [
        (statement, step)
        for statement, found in plans
        for step in found
        if step.startswith("SCAN") and step.split()[1] in BIG_TABLES
    ]
    assert scans == []


@pytest.mark.sqlite_only(reason=EXPLAINS)
def test_building_reads_through_indexes_too(app):
    make_order(app, created_at=local("UTC", 2026, 3, 1), lines=[(None, 1, 700)])
    with app.app_context(), db.engine.connect() as connection:
        for statement in (
            "SELECT date(created_at, '+0 minutes'), count(*) FROM orders"
            " WHERE status IN ('paid', 'shipped') AND created_at >= '2026-03-01'"
            " AND created_at < '2026-03-02' GROUP BY 1",
            "SELECT count(*) FROM payments WHERE kind = 'refund'"
            " AND created_at >= '2026-03-01' AND created_at < '2026-03-02'",
        ):
            plan = [r[3] for r in connection.execute(text(f"EXPLAIN QUERY PLAN {statement}"))]
            assert any(step.startswith("SEARCH") for step in plan), plan
            assert not any(step.startswith("SCAN") for step in plan), plan
