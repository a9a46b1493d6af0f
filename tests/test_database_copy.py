"""``flask --app app copy-data``: a shop on SQLite moves into another database (PostgreSQL in
the PostgreSQL run) with every row, and goes on working there."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db
from tests.catalog.helpers import make_product, names_on
from tests.conftest import _test_config
from tests.helpers import login, make_user
from tests.orders.helpers import add_to_cart, checkout, order_number


@pytest.fixture
def old_shop(tmp_path, monkeypatch):
    """A shop on an SQLite file of its own, with a customer, products and a paid order."""
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "old-instance"))
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    shop = create_app(_test_config(url))
    monkeypatch.delenv("JOMSO_INSTANCE_PATH")
    with shop.app_context():
        init_schema()
    make_user(shop, "cleo@example.com", name="Cleo Customer")
    bowl = make_product(shop, "Stoneware Bowl", description="Homeware.", stock=7)
    make_product(shop, "Linen Towel", description="Soft.")
    make_product(shop, "Hidden Jar", is_active=False)
    client = shop.test_client()
    login(client, "cleo@example.com")
    add_to_cart(client, bowl, 2)
    placed = checkout(client)
    assert placed.status_code == 303
    yield shop, url, order_number(placed)
    with shop.app_context():
        db.session.remove()
        db.engine.dispose()


def _counts(app) -> dict[str, int]:
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts


def test_a_shop_moves_with_every_row_and_goes_on_working(old_shop, app, client, runner):
    shop, url, number = old_shop
    result = runner.invoke(args=["copy-data", url])
    assert result.exit_code == 0, result.output
    assert "Copied" in result.output
    assert _counts(app) == _counts(shop)
    assert _counts(app)["orders"] == 1 and _counts(app)["products"] == 3

    # search is made by the new database from the rows; the hidden product stays out
    assert names_on(client.get("/products?q=stonew").text) == ["Stoneware Bowl"]
    assert names_on(client.get("/products?q=jar").text) == []
    # the customer signs in with the same password and finds the order
    login(client, "cleo@example.com")
    assert number in client.get("/account/orders").text
    # new rows get new ids after the copied ones
    towel = make_product(app, "Cotton Towel", stock=3)
    assert towel == 4
    add_to_cart(client, towel)
    placed = checkout(client)
    assert placed.status_code == 303, placed.text[:500]
    assert order_number(placed)
    assert _counts(app)["orders"] == 2


def test_it_refuses_a_database_that_holds_a_shop_already(old_shop, app, runner):
    _, url, _ = old_shop
    make_product(app, "Already Here")
    result = runner.invoke(args=["copy-data", url])
    assert result.exit_code == 1
    assert "already holds shop data (" in result.output
    assert _counts(app)["products"] == 1


def test_it_refuses_another_schema_version(old_shop, app, runner):
    from flask_migrate import downgrade

    shop, url, _ = old_shop
    with shop.app_context():
        downgrade(revision="0002")
        db.session.remove()
    result = runner.invoke(args=["copy-data", url])
    assert result.exit_code == 1
    assert "schema version 0002" in result.output
