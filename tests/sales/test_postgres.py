"""The sales figures on PostgreSQL: local days cut in SQL with an interval, the roll-up built
under its table lock and read in one snapshot, and forgotten by an order's change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.orders.status import OrderStatus
from jomso.orders.transitions import move
from jomso.sales.models import SalesDay, SalesMonth
from tests import services
from tests.conftest import _test_config
from tests.orders.factories import make_order
from tests.sales.helpers import figures, local
from tests.staff.helpers import staff_client


@pytest.fixture
def pg_app(tmp_path, monkeypatch, postgres_admin_url):
    url = services.create_database(postgres_admin_url)
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({**_test_config(tmp_path / "unused.sqlite3"), "DATABASE_URL": url})
    app.config["TIMEZONE"] = "Europe/Berlin"
    with app.app_context():
        init_schema()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    services.drop_database(url)


def test_figures_roll_up_and_forget_on_postgresql(pg_app):
    tz = "Europe/Berlin"
    late = make_order(pg_app, created_at=local(tz, 2026, 3, 1, 23, 30), lines=[(None, 1, 1000)])
    make_order(pg_app, created_at=local(tz, 2026, 3, 29, 23, 30), lines=[(None, 1, 4000)])
    client = staff_client(pg_app, "analyst")
    march = figures(client.get("/staff/sales?start=2026-03-01&end=2026-03-31").text)
    assert march["gross"] == "$50.00" and march["orders"] == "2"
    day = figures(client.get("/staff/sales?start=2026-03-01&end=2026-03-01").text)
    assert day["gross"] == "$10.00"  # 22:30 UTC, the 1st in Berlin
    day = figures(client.get("/staff/sales?start=2026-03-29&end=2026-03-29").text)
    assert day["gross"] == "$40.00"  # 21:30 UTC, after the clocks went forward
    with pg_app.app_context():
        assert db.session.get(SalesMonth, date(2026, 3, 1)) is not None
        order = db.session.scalar(select(Order).where(Order.number == late))
        move(order, OrderStatus.CANCELLED)
        db.session.commit()
        assert db.session.get(SalesDay, date(2026, 3, 1)) is None
        assert db.session.get(SalesMonth, date(2026, 3, 1)) is None
    march = figures(client.get("/staff/sales?start=2026-03-01&end=2026-03-31").text)
    assert march["gross"] == "$40.00" and march["orders"] == "1"
