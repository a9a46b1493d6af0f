"""The page cache: fast, never stale, never someone else's page (every kind of visitor and
their own pieces: test_page_cache_visitors.py)."""

import sys

import pytest
from sqlalchemy import text

from jomso.catalog.page_cache import _Pages, _pages
from jomso.extensions import db
from tests.catalog.helpers import make_product, update_product
from tests.conftest import csrf_token_from
from tests.helpers import counting_statements


def _without_token(html: str) -> str:
    return html.replace(csrf_token_from(html), "TOKEN")


@pytest.mark.parametrize("url", ["/", "/products", "/products?q=mug", "/products/blue-mug"])
def test_second_visit_is_served_from_the_cache_with_a_fresh_token(app, client, url):
    make_product(app, "Blue Mug")
    first = client.get(url).text
    other = app.test_client()  # another visitor, with a session of their own
    with counting_statements(app) as statements:
        second = other.get(url).text
    reads = [s for s in statements if not s.startswith("INSERT INTO page_views")]
    assert reads == ["SELECT value FROM catalog_revision WHERE id = 1"]
    assert _without_token(second) == _without_token(first)
    assert csrf_token_from(second) != csrf_token_from(first)
    # The token in the cached page is this visitor's own: their banner form works.
    response = other.post(
        "/cookies/consent",
        data={"csrf_token": csrf_token_from(second), "choice": "decline", "next": url},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("url", ["/", "/products", "/products/blue-mug"])
def test_a_page_is_kept_for_each_path_the_shop_is_served_under(app, client, url):
    # Behind a proxy that serves the shop under /shop (SCRIPT_NAME), every link starts there;
    # the same page asked for without the prefix must not get those links, nor the reverse.
    make_product(app, "Blue Mug")
    under_shop = client.get(url, environ_overrides={"SCRIPT_NAME": "/shop"}).text
    at_root = client.get(url).text
    again = client.get(url, environ_overrides={"SCRIPT_NAME": "/shop"}).text
    assert 'href="/shop/static/css/shop.css' in under_shop
    assert 'href="/shop/static/css/shop.css' in again
    assert "/shop/" not in at_root and 'href="/static/css/shop.css' in at_root


def test_a_price_change_shows_at_once(app, client):
    product_id = make_product(app, "Blue Mug", price_cents=1250)
    assert "$12.50" in client.get("/products").text
    assert "$12.50" in client.get("/products/blue-mug").text
    update_product(app, product_id, price_cents=990)  # as the staff form does
    assert "$9.90" in client.get("/products").text
    assert "$9.90" in client.get("/products/blue-mug").text


def test_stock_taken_outside_the_orm_shows_at_once(app, client):
    make_product(app, "Blue Mug", stock=3)
    assert "Only 3 left" in client.get("/products/blue-mug").text
    with app.app_context():  # as a checkout in another worker takes it: the variant, then the
        # product's stock total (jomso.catalog.variants.refresh_stock_totals)
        db.session.execute(text("UPDATE product_variants SET stock = 0"))
        db.session.execute(text("UPDATE products SET stock_total = 0"))
        db.session.commit()
    assert "Sold out" in client.get("/products/blue-mug").text


def test_consent_choice_gets_the_page_without_the_banner(app, client):
    make_product(app, "Blue Mug")
    assert "cookie-banner" in app.test_client().get("/").text
    page = client.get("/").text
    client.post(
        "/cookies/consent",
        data={"csrf_token": csrf_token_from(page), "choice": "decline", "next": "/"},
    )
    assert "cookie-banner" not in client.get("/").text


def test_the_least_recently_used_page_makes_room():
    pages = _Pages(max_pages=3)
    for number in range(3):
        pages.put(("list", number), 7, f"<p>{number}</p>", {})
    assert pages.get(("list", 0), 7) == (("<p>0</p>",), {})  # used: now the most recent
    pages.put(("home",), 7, "<p>home</p>", {})
    assert len(pages) == 3
    assert pages.get(("list", 1), 7) is None  # the least recently used went
    assert pages.get(("list", 0), 7) == (("<p>0</p>",), {})
    assert pages.get(("list", 2), 7) == (("<p>2</p>",), {})
    assert pages.get(("home",), 7) == (("<p>home</p>",), {})


def test_the_pages_memory_is_bounded():
    page = "<p>" + "x" * 10_000 + "</p>"
    pages = _Pages(max_pages=1000, max_bytes=5 * sys.getsizeof(page))
    for number in range(50):
        pages.put(("list", number), 7, page, {})
        assert pages.size <= pages.max_bytes
    assert len(pages) == 5
    assert pages.get(("list", 49), 7) is not None
    assert pages.get(("list", 44), 7) is None
    pages.put(("huge",), 7, page * 6, {})  # larger than the whole cache: not kept
    assert pages.get(("huge",), 7) is None
    assert len(pages) == 5


def test_a_stale_page_is_dropped_when_found():
    pages = _Pages()
    pages.put(("home",), 7, "<p>home</p>", {})
    assert pages.get(("home",), 8) is None
    assert len(pages) == 0
    assert pages.size == 0


def test_junk_query_parameters_make_no_entries(app, client):
    make_product(app, "Blue Mug")
    app.config["PAGE_CACHE_MAX_PAGES"] = 50
    client.get("/products")
    for number in range(200):
        assert client.get(f"/products?utm_source=mail{number}&fbclid={number}").status_code == 200
    with app.test_request_context():
        assert len(_pages()) == 1
    # Many real pages: the cache stays at its bound, the most recent pages in it.
    for number in range(1, 80):
        client.get(f"/products?page={number}")
    with counting_statements(app) as statements:
        client.get("/products?page=79")
    assert [s for s in statements if "FROM products" in s] == []
    with app.test_request_context():
        assert len(_pages()) == 50
