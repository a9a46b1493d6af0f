"""The page cache for anonymous visitors: fast, never stale, never someone else's page."""

import pytest
from sqlalchemy import text

from jomso.catalog.models import Product
from jomso.extensions import db
from tests.catalog.helpers import add_to_cart, make_product
from tests.conftest import csrf_token_from
from tests.helpers import counting_statements, login, make_user


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


def test_a_price_change_shows_at_once(app, client):
    product_id = make_product(app, "Blue Mug", price_cents=1250)
    assert "$12.50" in client.get("/products").text
    assert "$12.50" in client.get("/products/blue-mug").text
    with app.app_context():
        db.session.get(Product, product_id).price_cents = 990
        db.session.commit()
    assert "$9.90" in client.get("/products").text
    assert "$9.90" in client.get("/products/blue-mug").text


def test_stock_taken_outside_the_orm_shows_at_once(app, client):
    make_product(app, "Blue Mug", stock=3)
    assert "Only 3 left" in client.get("/products/blue-mug").text
    with app.app_context():
        db.session.execute(text("UPDATE products SET stock = 0"))
        db.session.commit()
    assert "Sold out" in client.get("/products/blue-mug").text


def test_a_visitor_with_a_cart_gets_their_own_page(app, client):
    product_id = make_product(app, "Blue Mug")
    anonymous = app.test_client()
    anonymous.get("/products")  # cached with an empty cart
    add_to_cart(client, product_id, quantity=2)
    page = client.get("/products").text
    assert '<span class="cart-count"' in page
    assert ">2</span>" in page


def test_a_signed_in_customer_is_never_served_a_cached_page(app, client):
    make_user(app)
    make_product(app, "Blue Mug")
    app.test_client().get("/")
    login(client)
    assert "My account" in client.get("/").text


def test_consent_choice_gets_the_page_without_the_banner(app, client):
    make_product(app, "Blue Mug")
    assert "cookie-banner" in app.test_client().get("/").text
    page = client.get("/").text
    client.post(
        "/cookies/consent",
        data={"csrf_token": csrf_token_from(page), "choice": "decline", "next": "/"},
    )
    assert "cookie-banner" not in client.get("/").text
