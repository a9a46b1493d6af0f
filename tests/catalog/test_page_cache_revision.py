"""The catalog revision moves only when a page would show the change: a checkout taking 1 of 50
leaves every cached page in place; selling the last one, reaching "only N left", or a change
of price, name, active flag or category makes the pages again (jomso.catalog.page_cache)."""

import pytest
from sqlalchemy import text

from jomso.catalog import cards, page_cache
from jomso.catalog.models import Product, ProductVariant
from jomso.catalog.page_cache import catalog_revision
from jomso.extensions import db
from tests.catalog.helpers import make_category, make_product, update_product
from tests.helpers import counting_statements
from tests.orders.helpers import add_to_cart, checkout, order_number, stock_of


def _revision(app) -> int:
    with app.app_context():
        return catalog_revision()


def _buy(app, product_id: int, quantity: int = 1) -> None:
    """A customer of their own puts ``quantity`` in the cart and pays (the real forms)."""
    customer = app.test_client()
    assert add_to_cart(customer, product_id, quantity).status_code in (302, 303)
    order_number(checkout(customer))


def _served_from_the_cache(app, url: str) -> bool:
    with counting_statements(app) as statements:
        assert app.test_client().get(url).status_code == 200
    reads = [s for s in statements if not s.startswith("INSERT INTO page_views")]
    return reads == ["SELECT value FROM catalog_revision WHERE id = 1"]


def test_a_checkout_taking_one_of_fifty_keeps_the_cached_pages(app, client):
    product_id = make_product(app, "Blue Mug", stock=50)
    for url in ("/", "/products", "/products/blue-mug"):
        assert "In stock" in client.get(url).text or url == "/"
    revision = _revision(app)
    _buy(app, product_id)
    assert stock_of(app, product_id) == 49
    assert _revision(app) == revision
    for url in ("/", "/products", "/products/blue-mug"):
        assert _served_from_the_cache(app, url), url


@pytest.mark.parametrize(
    ("stock", "quantity", "shown"),
    [(1, 1, "Sold out"), (6, 1, "Only 5 left"), (3, 1, "Only 2 left")],
)
def test_a_checkout_crossing_a_stock_state_makes_the_pages_again(
    app, client, stock, quantity, shown
):
    product_id = make_product(app, "Blue Mug", stock=stock)
    client.get("/products")
    client.get("/products/blue-mug")
    revision = _revision(app)
    _buy(app, product_id, quantity)
    assert _revision(app) != revision
    assert shown in client.get("/products").text
    assert shown in client.get("/products/blue-mug").text


def test_stock_put_back_from_sold_out_shows_at_once(app, client):
    product_id = make_product(app, "Blue Mug", stock=0)
    assert "Sold out" in client.get("/products/blue-mug").text
    update_product(app, product_id, stock=40)
    assert "In stock" in client.get("/products/blue-mug").text


def test_the_quantity_field_follows_the_stock_only_from_only_n_left_down(app, client):
    make_product(app, "Blue Mug", stock=50)
    make_product(app, "Red Mug", stock=4)
    assert 'max="99"' in client.get("/products/blue-mug").text
    assert 'max="4"' in client.get("/products/red-mug").text


@pytest.mark.parametrize(
    "change",
    [{"price_cents": 990}, {"name": "Green Mug"}, {"is_active": False}, {"category_id": "new"}],
)
def test_a_change_a_page_shows_raises_the_revision(app, change):
    product_id = make_product(app, "Blue Mug", stock=50)
    if change.get("category_id") == "new":
        change = {"category_id": make_category(app, "Garden")}
    revision = _revision(app)
    update_product(app, product_id, **change)
    assert _revision(app) != revision


def test_stock_moving_above_the_threshold_in_sql_keeps_the_revision(app):
    """Whoever writes the stock (a statement, not the ORM): 50 to 30 and back, no change."""
    make_product(app, "Blue Mug", stock=50)
    revision = _revision(app)
    with app.app_context():
        db.session.execute(text("UPDATE product_variants SET stock = 30"))
        db.session.execute(text("UPDATE products SET stock_total = 30"))
        db.session.commit()
    assert _revision(app) == revision
    with app.app_context():
        db.session.execute(text("UPDATE product_variants SET stock = 0"))
        db.session.commit()
    assert _revision(app) != revision


def test_the_shown_columns_are_every_column_but_the_stock():
    """A new column of products or variants must join ``SHOWN_COLUMNS`` (and a migration make
    the triggers again), or a change to it would not show."""
    for model in (Product, ProductVariant):
        table = model.__table__.name
        shown = set(page_cache.SHOWN_COLUMNS[table]) | set(page_cache.NOT_SHOWN[table])
        assert shown == {column.name for column in model.__table__.columns}
    assert page_cache.LOW_STOCK == cards.LOW_STOCK
