"""The number of SQL statements per page does not grow with the page size or the catalog."""

import re

import pytest

from jomso.extensions import db
from tests.catalog.helpers import add_to_cart, make_category, make_product, make_products
from tests.helpers import counting_statements

PAGES = [
    "/",
    "/products",
    "/products?page=2",
    "/products?sort=price_desc",
    "/products?category=kitchen",
    "/products?q=item",
    "/products?q=item&category=kitchen&sort=name",
    "/products/item-2",
    "/cart",
]


# Statements of the catalog and the cart (other areas may add their own to every page).
CATALOG_TABLES = re.compile(r"\b(products|categories|product_images|carts|cart_items)\b")


def statements_per_page(client, products: int, per_page: int, images: int) -> dict[str, int]:
    app = client.application
    app.config["PRODUCTS_PER_PAGE"] = per_page
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Garden", position=1)
    make_products(app, products, category_id=kitchen, images=images)
    make_product(app, "Spade", category_id=2, images=0)
    add_to_cart(client, 1, 1)  # a guest with a cart: the header counts it
    for product_id in range(2, min(products, 6) + 1):
        add_to_cart(client, product_id, 1)
    counts = {}
    for url in PAGES:
        client.get(url)  # warm: first-request work is not per-page work
        with counting_statements(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        mine = [s for s in statements if CATALOG_TABLES.search(s)]
        counts[url] = (len(statements), len(mine))
    return counts


@pytest.fixture
def small(client):
    return statements_per_page(client, products=3, per_page=2, images=1)


def test_statement_counts_do_not_grow(small, tmp_path, monkeypatch, make_database_url):
    from jomso import create_app
    from jomso.cli import init_schema

    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "big"))
    big_app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": make_database_url(),  # on the same database as ``small``
            "SERVER_NAME": "shop.test",
        }
    )
    with big_app.app_context():
        init_schema()
    big = statements_per_page(big_app.test_client(), products=60, per_page=24, images=3)
    assert big == small
    # and the catalog's own are few: the header's categories and cart count, then the page's
    catalog = {url: mine for url, (_, mine) in small.items()}
    # + the rows (the count is read once per catalog revision: jomso.catalog.list_positions)
    assert catalog["/products"] == 3
    assert catalog["/products?category=kitchen"] == 4  # + the category
    assert catalog["/products?q=item&category=kitchen&sort=name"] == 5
    assert catalog["/products/item-2"] == 4  # + the product with its category, its pictures
    assert catalog["/cart"] == 4  # + the cart, its priced lines
    assert catalog["/"] == 4  # + category tiles, newest products
    with big_app.app_context():
        db.session.remove()
        db.engine.dispose()
