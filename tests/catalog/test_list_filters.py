"""The list page's filters (in stock only, a price range), its sale prices, its price sorts by
the lowest variant price and its "new" badge on the newest few."""

from __future__ import annotations

import html
import re

import pytest

from jomso.catalog.models import Product
from jomso.catalog.variants import refresh_summary
from jomso.extensions import db
from tests.catalog.helpers import (
    make_category,
    make_product,
    make_products,
    names_on,
    text_of,
    update_product,
)
from tests.catalog.test_variants import make_shirt


def _set_variant_prices(app, product_id, *prices, compare_at=None):
    """Give a product's variants their own prices (and compare-at prices) and refresh it."""
    with app.app_context():
        product = db.session.get(Product, product_id)
        for variant, price in zip(product.variants, prices, strict=False):
            variant.price_cents = price
            if compare_at is not None:
                variant.compare_at_cents = compare_at
        refresh_summary(product)
        db.session.commit()


@pytest.fixture
def shelf(app):
    """Five products: a sold-out one, cheap to dear, and the shirt sold from $45.00."""
    make_product(app, "Cork Coaster", price_cents=500, age_days=5)
    make_product(app, "Tea Towel", price_cents=1050, age_days=4)
    make_product(app, "Oak Tray", price_cents=2000, stock=0, age_days=3)
    make_product(app, "Clay Vase", price_cents=3000, age_days=2)
    make_shirt(app)  # S / White $45.00 and M / Blue $49.00: "from $45.00"
    return app


def test_in_stock_only_hides_what_is_sold_out(shelf, client):
    everything = names_on(client.get("/products").text)
    assert "Oak Tray" in everything
    page = client.get("/products?in_stock=1")
    assert page.status_code == 200
    assert names_on(page.text) == [n for n in everything if n != "Oak Tray"]
    assert "4 products" in text_of(page.text)
    assert re.search(r'id="filter-in-stock" name="in_stock" value="1" checked', page.text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("min=10&max=30", ["Clay Vase", "Oak Tray", "Tea Towel"]),
        ("min=10.50", ["Clay Vase", "Oak Tray", "Tea Towel", "Linen Shirt"]),
        ("max=10", ["Cork Coaster"]),
        ("min=45&max=45", ["Linen Shirt"]),  # the price the card shows: "from $45.00"
        ("min=46", []),
        ("min=%2410&max=%2420.00", ["Oak Tray", "Tea Towel"]),  # "$10": the symbol is fine
        ("min=5&max=20&in_stock=1", ["Tea Towel", "Cork Coaster"]),
    ],
)
def test_a_price_range_lists_the_products_whose_card_price_is_in_it(shelf, client, query, expected):
    page = client.get(f"/products?{query}")
    assert page.status_code == 200
    assert names_on(page.text) == expected
    assert 'class="error"' not in page.text
    if not expected:
        assert "No products match these filters" in text_of(page.text)


def test_a_german_visitor_types_prices_with_a_comma(shelf, client):
    german = {"Accept-Language": "de"}
    page = client.get("/products?min=10,51&max=30", headers=german)
    assert names_on(page.text) == ["Clay Vase", "Oak Tray"]  # not the $10.50 towel
    assert 'value="10,51"' in page.text and 'aria-invalid="true"' not in page.text
    page = client.get("/products?min=10,50&max=30", headers=german)
    assert names_on(page.text) == ["Clay Vase", "Oak Tray", "Tea Towel"]


@pytest.mark.parametrize(
    ("query", "field", "message", "typed"),
    [
        ("min=ten", "min", "Enter the price as a number, such as 12.50.", "ten"),
        ("max=-5", "max", "The price cannot be negative.", "-5"),
        ("min=30&max=10", "max", "The highest price must not be below the lowest.", "10"),
        ("min=10,50", "min", "Enter the price as a number, such as 12.50.", "10,50"),  # in English
        ("max=" + "9" * 30, "max", "That price is too high. Please check it.", "9" * 30),
        ("min=%3Cb%3E", "min", "Enter the price as a number, such as 12.50.", "<b>"),
    ],
)
def test_a_wrong_price_gets_a_message_and_does_not_filter(
    shelf, client, query, field, message, typed
):
    everything = names_on(client.get("/products").text)
    page = client.get(f"/products?{query}")
    assert page.status_code == 200
    body = page.text
    error = re.search(rf'<p class="error" id="filter-{field}-error">([^<]+)</p>', body)
    assert error and html.unescape(error[1]) == message
    assert f'id="filter-{field}" name="{field}" value="{html.escape(typed)}"' in body
    assert 'aria-invalid="true" aria-describedby="filter-' + field + '-error"' in body
    if query.startswith("min=30"):  # the lowest still filters, the highest not
        assert names_on(body) == ["Clay Vase", "Linen Shirt"]
    else:
        assert names_on(body) == everything


def test_filters_are_kept_in_the_page_links_with_category_search_and_sort(app, client):
    app.config["PRODUCTS_PER_PAGE"] = 2
    kitchen = make_category(app, "Kitchen")
    make_products(app, 9, category_id=kitchen, prefix="Mug", images=0, price_cents=1500)
    make_product(app, "Mug Cheap", category_id=kitchen, price_cents=100)
    make_product(app, "Mug Sold Out", category_id=kitchen, price_cents=1500, stock=0)
    page = client.get(
        "/products?q=mug&category=kitchen&sort=name&in_stock=1&min=10.00&max=20&utm_source=x"
    )
    assert page.status_code == 200
    assert "9 products in Kitchen" in text_of(page.text)
    links = set(re.findall(r'href="(/products\?[^"]*page=\d+)"', page.text))
    assert (
        "/products?q=mug&amp;category=kitchen&amp;sort=name&amp;in_stock=1&amp;min=10.00"
        "&amp;max=20.00&amp;page=2"
    ) in links
    second = client.get(html.unescape(sorted(links)[0]))
    assert names_on(second.text) == ["Mug 3", "Mug 4"]
    # the form shows the filters, with the search kept in a hidden field
    assert 'name="q" value="mug"' in page.text
    assert 'id="filter-min" name="min" value="10.00"' in page.text


def test_a_bad_value_is_left_out_of_the_page_links(app, client):
    app.config["PRODUCTS_PER_PAGE"] = 2
    make_products(app, 5, images=0)
    page = client.get("/products?min=abc&in_stock=1")
    assert 'href="/products?in_stock=1&amp;page=2"' in page.text


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "newest", "name"])
def test_deep_pages_of_a_filtered_sorted_list_follow_on(app, client, sort):
    """Past page 5 a page is read after its boundary (a keyset, per catalog revision): with
    filters, each page still follows the one before, and the pages hold each product once."""
    app.config["PRODUCTS_PER_PAGE"] = 2
    ids = make_products(app, 30, images=0)
    for index, product_id in enumerate(ids):
        if index % 5 == 0:
            update_product(app, product_id, stock=0)  # sold out: filtered away
        else:
            # prices out of step with the names and the age, some equal
            _set_variant_prices(app, product_id, 1000 + (index * 7 % 11) * 100)
    query = f"sort={sort}&in_stock=1&min=11&max=19"
    first = client.get(f"/products?{query}")
    total = int(re.search(r"(\d+) products", text_of(first.text))[1])
    seen = []
    for number in range(1, (total + 1) // 2 + 1):
        seen += names_on(client.get(f"/products?{query}&page={number}").text)
    assert len(seen) == total == len(set(seen)) and total > 12  # pages beyond the fifth
    with app.app_context():
        products = {
            p.name: p for p in db.session.query(Product).filter(Product.name.in_(seen)).all()
        }
        kept = products.values()
        assert all(p.stock_total > 0 and 1100 <= p.price_min_cents <= 1900 for p in kept)
        keys = {
            "price_asc": lambda p: (p.price_min_cents, p.id),
            "price_desc": lambda p: (-p.price_min_cents, -p.id),
            "newest": lambda p: (-p.created_at.timestamp(), -p.id),
            "name": lambda p: (p.name, p.id),
        }
        assert seen == [p.name for p in sorted(products.values(), key=keys[sort])]


def test_price_sorts_follow_the_lowest_variant_price(app, client):
    make_product(app, "Plain Mug", price_cents=1500)
    # its default price is the dearest, but every variant sells for less
    apron = make_product(app, "Linen Apron", price_cents=9900)
    _set_variant_prices(app, apron, 1200)
    make_shirt(app)  # from $45.00
    assert names_on(client.get("/products?sort=price_asc").text) == [
        "Linen Apron", "Plain Mug", "Linen Shirt"]  # fmt: skip
    assert names_on(client.get("/products?sort=price_desc").text) == [
        "Linen Shirt", "Plain Mug", "Linen Apron"]  # fmt: skip


def test_a_card_strikes_through_the_price_a_sale_replaces(app, client):
    mug = make_product(app, "Sale Mug", price_cents=1500)
    update_product(app, mug, compare_at_cents=2000)
    make_product(app, "Plain Mug", price_cents=1500)
    shirt = make_shirt(app)
    with app.app_context():  # the dearer M / Blue is on sale, not the cheapest
        product = db.session.get(Product, shirt)
        product.variants[2].compare_at_cents = 5500
        refresh_summary(product)
        db.session.commit()
    page = client.get("/products").text
    cards = dict(re.findall(r'<span class="name">([^<]+)</span>(.*?)</li>', page, flags=re.S))
    assert text_of(cards["Sale Mug"]).startswith("$15.00 was $20.00")
    assert '<s class="compare-at">' in cards["Sale Mug"]
    assert "compare-at" not in cards["Plain Mug"]
    # the shirt's lowest price is not a sale price: nothing struck through beside it
    assert text_of(cards["Linen Shirt"]).startswith("from $45.00 In stock")
    badges = re.findall(r'<span class="badge badge-sale">Sale</span>\s*<span class="body"><span '
                        r'class="name">([^<]+)', page)  # fmt: skip
    assert sorted(badges) == ["Linen Shirt", "Sale Mug"]
    # the sale ends: the page is made again without it
    update_product(app, mug, compare_at_cents=None)
    assert "compare-at" not in client.get("/products").text


def _new_on(page: str) -> list[str]:
    badged = r'badge-new">New</span>\s*<span class="body"><span class="name">([^<]+)'
    return re.findall(badged, page)


def test_the_new_badge_marks_only_the_newest_few(app, client):
    make_products(app, 12, images=0)  # all within the new period (1 to 12 days old)
    make_product(app, "Old Mug", age_days=60)
    newest = [f"Item {i}" for i in range(12, 4, -1)]  # the 8 newest
    assert _new_on(client.get("/products").text) == newest
    assert ">New<" in client.get("/products/item-5").text
    assert ">New<" not in client.get("/products/item-4").text
    home = client.get("/").text
    assert home.count('badge-new">New<') == 8
    # a new product takes a place: the ninth newest loses its badge
    make_product(app, "Fresh Mug", age_days=0)
    assert ">New<" not in client.get("/products/item-5").text
    assert ">New<" in client.get("/products/fresh-mug").text


def test_the_new_badge_needs_the_new_period_too(app, client):
    make_product(app, "Fresh Mug", age_days=3)
    make_product(app, "Old Mug", age_days=40)
    assert _new_on(client.get("/products").text) == ["Fresh Mug"]


def test_one_cached_page_for_each_way_of_writing_a_filter(app, client):
    make_products(app, 3, images=0, price_cents=1500)
    client.get("/products?min=10")
    pages = app.extensions["jomso.page_cache"]
    stored = len(pages)
    for same in ("min=10.00", "min=%2410", "min=10&utm_source=news", "min=+10+"):
        assert names_on(client.get(f"/products?{same}").text) == ["Item 3", "Item 2", "Item 1"]
    assert len(pages) == stored
    client.get("/products?min=11")
    client.get("/products?min=eleven")  # shown back as typed: a page of its own
    assert len(pages) == stored + 2


def test_search_with_filters_finds_variant_skus_and_option_values(shelf, client):
    assert names_on(client.get("/products?q=linen+shirt+blue&in_stock=1").text) == ["Linen Shirt"]
    assert names_on(client.get("/products?q=SHIRT-M-B&max=50").text) == ["Linen Shirt"]
    assert names_on(client.get("/products?q=shirt+white&max=40").text) == []
    assert names_on(client.get("/products?q=blue&sort=price_asc&min=1").text) == ["Linen Shirt"]
