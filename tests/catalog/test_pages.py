"""Catalog pages: home, list (category, sort, pages), product page, images, bad input."""

import re

import pytest
from sqlalchemy import func, select

from jomso.cart.models import Cart
from jomso.extensions import db
from tests.catalog.helpers import (
    make_category,
    make_product,
    make_products,
    names_on,
    text_of,
    update_product,
)


def test_home_shows_hero_categories_and_newest(client):
    app = client.application
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Empty Shelf")  # no products: not shown
    make_products(app, 10, category_id=kitchen)
    response = client.get("/")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Welcome to Jomso Demo Shop" in text
    assert "Shop by category" in text
    assert "Empty Shelf" not in text
    assert names_on(response.text) == [f"Item {i}" for i in range(10, 2, -1)]  # newest 8
    assert 'href="/products?category=kitchen"' in response.text


def test_home_of_an_empty_shop_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "There are no products yet" in text_of(response.text)


def test_browsing_creates_no_cart(client):
    make_product(client.application, "Blue Mug")
    for url in ("/", "/products", "/products?q=mug", "/products/blue-mug", "/cart"):
        assert client.get(url).status_code == 200
    with client.session_transaction() as session:
        assert "cart_id" not in session
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cart)) == 0


def test_list_paginates_24_a_page_with_links(client):
    make_products(client.application, 30, images=0)
    first = client.get("/products")
    assert len(names_on(first.text)) == 24
    assert "30 products" in text_of(first.text)
    assert 'href="/products?page=2"' in first.text
    second = client.get("/products?page=2")
    assert names_on(second.text) == [f"Item {i}" for i in range(6, 0, -1)]
    assert 'rel="prev"' in second.text
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2' in second.text


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("page=abc", "Item 30"),
        ("page=-4", "Item 30"),
        ("page=0", "Item 30"),
        ("page=99999999999999999999999", "Item 6"),  # beyond the end: the last page
        ("page=2.5", "Item 30"),
        ("sort=bogus", "Item 30"),
        ("sort=price_asc&page=%00", "Item 1"),
        ("q=", "Item 30"),
        ("q=%22%22%22", "Item 30"),  # no searchable word: everything
    ],
)
def test_nonsense_page_and_sort_fall_back(client, query, expected_first):
    make_products(client.application, 30, images=0, price_cents=1000)
    update_product(client.application, 1, price_cents=100)
    response = client.get(f"/products?{query}")
    assert response.status_code == 200
    assert names_on(response.text)[0] == expected_first


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Cedar Box", "Birch Tray", "Alder Bowl"]),
        ("price_asc", ["Birch Tray", "Cedar Box", "Alder Bowl"]),
        ("price_desc", ["Alder Bowl", "Cedar Box", "Birch Tray"]),
        ("name", ["Alder Bowl", "Birch Tray", "Cedar Box"]),
    ],
)
def test_sorting(client, sort, expected):
    app = client.application
    make_product(app, "Alder Bowl", price_cents=3000, age_days=30)
    make_product(app, "Birch Tray", price_cents=1000, age_days=20)
    make_product(app, "Cedar Box", price_cents=2000, age_days=10)
    response = client.get(f"/products?sort={sort}")
    assert names_on(response.text) == expected
    assert "selected>" in response.text


def test_category_filter_and_unknown_category(client):
    app = client.application
    kitchen = make_category(app, "Kitchen")
    garden = make_category(app, "Garden")
    make_product(app, "Blue Mug", category_id=kitchen)
    make_product(app, "Clay Pot", category_id=garden)
    response = client.get("/products?category=garden")
    assert names_on(response.text) == ["Clay Pot"]
    assert "<h1>Garden</h1>" in response.text
    missing = client.get("/products?category=no-such-thing")
    assert missing.status_code == 404
    assert "Page not found" in missing.text


def test_inactive_products_are_hidden_and_404(client):
    app = client.application
    make_product(app, "Blue Mug")
    make_product(app, "Old Mug", is_active=False)
    assert names_on(client.get("/products").text) == ["Blue Mug"]
    assert client.get("/products/old-mug").status_code == 404
    assert client.get("/products/never-existed").status_code == 404


def test_product_page(client):
    app = client.application
    kitchen = make_category(app, "Kitchen")
    make_product(
        app,
        "Blue Mug",
        price_cents=123456,
        stock=12,
        category_id=kitchen,
        description="Holds **coffee**.\n\n- dishwasher safe\n- 350 ml",
        age_days=2,
        images=2,
    )
    response = client.get("/products/blue-mug")
    assert response.status_code == 200
    html = response.text
    text = text_of(html)
    assert "$1,234.56" in text
    assert "In stock" in text
    assert "New" in text
    assert re.search(r'aria-label="Breadcrumb">\s*<ol>\s*<li><a href="/">Home</a>', html)
    assert '<a href="/products?category=kitchen">Kitchen</a>' in html
    assert '<span aria-current="page">Blue Mug</span>' in html
    assert "<strong>coffee</strong>" in html
    assert "<li>dishwasher safe</li>" in html
    body = html.split("</head>", 1)[1]  # the head names them too, for link previews
    shown = set(re.findall(r"/images/([0-9a-f]{32})-800\.webp", body))
    assert len(shown) == 2  # both pictures in the gallery
    assert 'name="csrf_token"' in html
    assert 'name="quantity"' in html
    assert "Add to cart" in text


@pytest.mark.parametrize(
    ("stock", "expected", "can_buy"),
    [(40, "In stock", True), (5, "Only 5 left", True), (1, "Only 1 left", True),
     (0, "Sold out", False)],
)  # fmt: skip
def test_stock_states(client, stock, expected, can_buy):
    make_product(client.application, "Blue Mug", stock=stock)
    text = text_of(client.get("/products/blue-mug").text)
    assert expected in text
    assert ("Add to cart" in text) is can_buy
    assert expected in text_of(client.get("/products").text)


def test_new_badge_only_for_recent_products(client):
    app = client.application
    make_product(app, "Fresh Mug", age_days=3)
    make_product(app, "Old Mug", age_days=40)
    assert ">New<" in client.get("/products/fresh-mug").text
    assert ">New<" not in client.get("/products/old-mug").text
    app.config["NEW_PRODUCT_DAYS"] = 60
    app.extensions.pop("jomso.page_cache")  # settings change with a restart, which empties it
    assert ">New<" in client.get("/products/old-mug").text


def test_description_markdown_is_sanitized(client):
    make_product(
        client.application,
        "Blue Mug",
        description=(
            "# Big title\n\n<script>alert(1)</script>\n\n"
            '<img src=x onerror="alert(2)">\n\n'
            "[click](javascript:alert(3)) and [ok](https://example.com)"
        ),
    )
    html = client.get("/products/blue-mug").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)" in html  # shown as text, harmless
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert 'href="https://example.com" rel="nofollow noopener noreferrer"' in html
    assert "<h3>Big title</h3>" in html  # the page owns h1; description headings shift down


def test_product_without_picture_shows_placeholder(client):
    make_product(client.application, "Blue Mug", images=0)
    assert "/static/img/product-placeholder.svg" in client.get("/products/blue-mug").text
    assert "/static/img/product-placeholder.svg" in client.get("/products").text


def test_nav_categories_in_header(client):
    app = client.application
    make_category(app, "Garden", position=2)
    kitchen = make_category(app, "Kitchen", position=1)
    make_product(app, "Blue Mug", category_id=kitchen)
    html = client.get("/cart").text
    nav = html.split('aria-label="Categories"')[1].split("</nav>")[0]
    assert "Kitchen" in nav and "Garden" not in nav


def test_product_page_has_a_spot_for_later_links():
    from pathlib import Path

    template = Path(__file__).parents[2] / "templates/catalog/product.html"
    assert "{% block product_extra %}{% endblock %}" in template.read_text()


def test_a_sold_out_product_offers_to_ask_instead_of_free_shipping(app, client):
    make_product(app, "Blue Mug", stock=0)
    make_product(app, "Red Mug", stock=3)
    sold_out = client.get("/products/blue-mug").text
    assert "Sold out" in sold_out
    assert 'href="/contact?product=blue-mug">Ask us when it will be back</a>' in sold_out
    assert "sold out for now" not in sold_out
    assert "Free shipping" not in sold_out and "Add to cart" not in sold_out
    in_stock = client.get("/products/red-mug").text
    assert "Free shipping on orders from" in in_stock
    assert 'href="/contact?product=red-mug">Ask about this product</a>' in in_stock
