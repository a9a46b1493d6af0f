"""The order list, its CSV, the customer list's totals and the activity feed on PostgreSQL:
the same pages answer the same on the other database (prefix ranges, INTERSECT, FILTER,
streamed reads)."""

from __future__ import annotations

import csv
import io

import pytest

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db
from tests import services
from tests.conftest import _test_config
from tests.helpers import make_user
from tests.orders.helpers import buy, order_number, staff, staff_post


@pytest.fixture
def pg_app(tmp_path, monkeypatch, postgres_admin_url):
    url = services.create_database(postgres_admin_url)
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**_test_config(tmp_path / "unused.sqlite3"), "DATABASE_URL": url})
    with app.app_context():
        init_schema()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    services.drop_database(url)


def test_the_order_tools_on_postgresql(pg_app):
    app = pg_app
    client = app.test_client()
    gus = order_number(buy(app, client, price_cents=1500, **{"billing-name": "Gus Guest"})[0])
    named = {"billing-name": "José O'Brien"}
    jose = order_number(buy(app, client, price_cents=2500, email="jose@example.org", **named)[0])
    desk = staff(app, app.test_client(), "owner")
    staff_post(desk, gus, "ship", {"carrier": "UPS", "tracking_number": "1Z9"})
    staff_post(desk, gus, "notes", {"body": "Fragile."})

    def found(query):
        page = desk.get("/staff/orders", query_string=query).text
        return {n for n in (gus, jose) if f'value="{n}"' in page}

    assert found({"q": gus[:4]}) >= {gus}
    assert found({"q": "jose"}) == found({"q": "o brien"}) == {jose}
    assert found({"q": "gus gue"}) == {gus} and found({"q": "gus zed"}) == set()
    assert found({"q": "jose@exa"}) == {jose}
    assert found({"q": "sku-thing-1500"}) == {gus}
    assert found({"payment": "captured"}) == {gus}
    assert found({"payment": "authorized", "status": ""}) == {jose}
    assert found({"sort": "total_high", "status": ""}) == {gus, jose}

    export = desk.get("/staff/orders/export.csv?status=&sort=total_high")
    rows = list(csv.DictReader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert [r["number"] for r in rows] == [jose, gus]
    assert rows[1]["tracking_number"] == "1Z9" and rows[1]["shipping_name"] == "Gus Guest"

    ann = make_user(app, "ann@example.com", name="Ann Able")
    with app.app_context():
        from sqlalchemy import update

        from jomso.orders.models import Order

        db.session.execute(update(Order).where(Order.number == jose).values(user_id=ann))
        db.session.commit()
    customers = desk.get("/staff/customers?sort=spent").text
    assert "Ann Able" in customers and "$29.95" in customers

    feed = desk.get("/staff/activity").text
    assert f"Order {gus} shipped." in feed and f"Order {jose} paid: $29.95." in feed
