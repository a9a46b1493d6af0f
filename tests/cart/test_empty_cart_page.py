"""The empty cart is the same page for every visitor: served from the page cache, with each
visitor's own pieces; a cart with something in it is never that page."""

from __future__ import annotations

from jomso.catalog.page_cache import _pages
from tests.catalog.helpers import add_to_cart, default_variant_id, make_product
from tests.conftest import csrf_token_from
from tests.helpers import counting_statements, login, make_user


def _cached_carts(app) -> int:
    with app.test_request_context():
        return sum(key[0] == "cart.view_cart" for key in _pages()._pages)


def test_the_empty_cart_is_made_once_and_served_to_every_visitor(app, client):
    app.config["PAGE_CACHE_ENABLED"] = True
    make_user(app, email="ann@example.com")
    first = client.get("/cart")
    assert first.status_code == 200 and "Your cart is empty" in first.text
    other = app.test_client()
    with counting_statements(app) as statements:
        page = other.get("/cart").text
    reads = [s for s in statements if "page_views" not in s]
    assert reads == ["SELECT value FROM catalog_revision WHERE id = 1"]
    assert "Your cart is empty" in page
    assert csrf_token_from(page) != csrf_token_from(first.text)
    login(other, email="ann@example.com")
    signed_in = other.get("/cart").text
    assert "Your cart is empty" in signed_in and "My account" in signed_in
    assert _cached_carts(app) == 1


def test_a_cart_with_lines_is_never_the_cached_empty_page(app, client):
    app.config["PAGE_CACHE_ENABLED"] = True
    mug = make_product(app, "Blue Mug", price_cents=1200)
    app.test_client().get("/cart")  # the empty page, cached
    add_to_cart(client, mug, quantity=2)
    page = client.get("/cart").text
    assert "Blue Mug" in page and "Your cart is empty" not in page
    variant = default_variant_id(app, mug)
    client.post("/cart/remove", data={"variant_id": variant, "csrf_token": csrf_token_from(page)})
    emptied = client.get("/cart").text
    assert "Your cart is empty" in emptied and "cart-table" not in emptied
    assert "Removed “Blue Mug” from your cart." in emptied  # its flash, put in
    assert _cached_carts(app) == 1


def test_a_signed_in_customer_with_an_empty_cart_gets_the_cached_page(app, client):
    app.config["PAGE_CACHE_ENABLED"] = True
    make_user(app, email="ann@example.com")
    mug = make_product(app, "Blue Mug", price_cents=1200)
    app.test_client().get("/cart")  # the empty page, cached
    login(client, email="ann@example.com")
    client.get("/cart")
    with counting_statements(app) as statements:
        page = client.get("/cart").text
    reads = [s for s in statements if "page_views" not in s]
    assert len(reads) == 1 and "user_sessions" in reads[0], reads  # the session's statement
    assert "Your cart is empty" in page and "My account" in page
    add_to_cart(client, mug, quantity=1)
    assert "Blue Mug" in client.get("/cart").text
