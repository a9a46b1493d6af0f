"""The number of SQL statements per page does not grow with the page size or the catalog."""

import re

import pytest

from jomso.extensions import db
from tests.catalog.helpers import add_to_cart, make_category, make_product, make_products
from tests.helpers import counting_statements, login, make_user

PAGES = [
    "/",
    "/products",
    "/products?page=2",
    "/products?sort=price_desc",
    "/products?category=kitchen",
    "/products?q=item",
    "/products?q=item&category=kitchen&sort=name",
    "/products?q=itme",  # nothing found: the correction ("item") and its results
    "/products?q=itme&exact=1",  # as typed: nothing found, nothing corrected
    "/products?in_stock=1&min=1&max=100&sort=price_asc",  # filtered
    "/products?q=item&category=kitchen&in_stock=1&max=100,00",  # filtered search, a bad max
    "/products/item-2",
    "/cart",
]


# Statements of the catalog and the cart (other areas may add their own to every page).
CATALOG_TABLES = re.compile(r"\b(products|categories|product_images|carts|cart_items)\b")


def statements_per_page(
    client, products: int, per_page: int, images: int, visitor: str = "cart", cached: bool = False
) -> dict[str, int]:
    """Statements per page for a ``visitor``: "cart" (a guest with a cart), "customer" or
    "staff" (signed in, with a cart); pages made each time, or ``cached`` (the page cache)."""
    app = client.application
    app.config["PRODUCTS_PER_PAGE"] = per_page
    app.config["PAGE_CACHE_ENABLED"] = cached
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Garden", position=1)
    make_products(app, products, category_id=kitchen, images=images)
    make_product(app, "Spade", category_id=2, images=0)
    if visitor != "cart":
        make_user(app, roles=("catalog",) if visitor == "staff" else ())
        login(client)
    add_to_cart(client, 1, 1)  # the header counts the cart
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


def _small(client, visitor="cart", cached=False):
    return statements_per_page(
        client, products=3, per_page=2, images=1, visitor=visitor, cached=cached
    )


@pytest.fixture
def small(client):
    return _small(client)


def _big_app(tmp_path, monkeypatch, make_database_url):
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
    return big_app


def test_statement_counts_do_not_grow(small, tmp_path, monkeypatch, make_database_url):
    big_app = _big_app(tmp_path, monkeypatch, make_database_url)
    big = statements_per_page(big_app.test_client(), products=60, per_page=24, images=3)
    assert big == small
    # and the catalog's own are few: the header's cart count, then the page's (the category
    # menu is kept per catalog revision)
    catalog = {url: mine for url, (_, mine) in small.items()}
    # + the rows (the count is read once per catalog revision: jomso.catalog.list_positions)
    assert catalog["/products"] == 2
    assert catalog["/products?category=kitchen"] == 3  # + the category
    assert catalog["/products?q=item&category=kitchen&sort=name"] == 4  # + the count
    # filters change the statements' conditions, not their number
    assert catalog["/products?in_stock=1&min=1&max=100&sort=price_asc"] == 2
    assert catalog["/products?q=item&category=kitchen&in_stock=1&max=100,00"] == 4
    # a mistyped search: its candidates (none, so no rows), the words close to "itme", the
    # corrected search's candidates and rows: two more than a search; as typed, one fewer
    everything = {url: count for url, (count, _) in small.items()}
    assert everything["/products?q=itme"] == everything["/products?q=item"] + 2
    assert everything["/products?q=itme&exact=1"] == everything["/products?q=item"] - 1
    assert catalog["/products/item-2"] == 3  # + the product with its category, its pictures
    # the cart with its priced lines, one statement: the header's count is the one it made
    assert catalog["/cart"] == 1
    assert catalog["/"] == 3  # + category tiles, newest products
    with big_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("visitor", ["cart", "customer", "staff"])
@pytest.mark.parametrize("cached", [False, True], ids=["made", "cached"])
def test_statement_counts_do_not_grow_for_any_visitor(
    client, visitor, cached, tmp_path, monkeypatch, make_database_url
):
    small = _small(client, visitor, cached)
    big_app = _big_app(tmp_path, monkeypatch, make_database_url)
    big = statements_per_page(
        big_app.test_client(), products=60, per_page=24, images=3, visitor=visitor, cached=cached
    )
    assert big == small
    if cached:  # a cached page's only catalog statement is the visitor's cart count
        for url, (_, mine) in small.items():
            # /cart is made for each visitor: the cart with its priced lines, and the header
            # counts them from there; a signed-in visitor's session reads the count beside it
            assert mine == ((1 if visitor == "cart" else 2) if url == "/cart" else 1), url
    with big_app.app_context():
        db.session.remove()
        db.engine.dispose()
