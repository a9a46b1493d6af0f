"""What search engines and link previews read on the storefront (catalog/findable.py): a meta
description on every page, canonical URLs on the shop's own address, Open Graph tags, and the
JSON-LD Product (with its Offer) and BreadcrumbList of product pages, read as a crawler would."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from tests.accounts.helpers import build_app, dispose_app
from tests.catalog.helpers import make_category, make_product

_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(html: str) -> dict[str, dict]:
    """The page's JSON-LD blocks, parsed, by their @type."""
    blocks = [json.loads(block) for block in _LD.findall(html)]
    return {block["@type"]: block for block in blocks}


def meta(html: str, key: str, attribute: str = "property") -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(key)}" content="([^"]*)">', html)
    return unescape(match.group(1)) if match else None


def canonical(html: str) -> str | None:
    match = re.search(r'<link rel="canonical" href="([^"]*)">', html)
    return unescape(match.group(1)) if match else None


@pytest.fixture
def mug(app):
    kitchen = make_category(app, "Kitchen")
    description = "A **sturdy** mug & saucer, glazed by hand.\n\n- holds 300 ml"
    make_product(app, "Blue Mug", category_id=kitchen, price_cents=1250, stock=4, images=2,
                 description=description)  # fmt: skip
    return "/products/blue-mug"


def test_the_product_page_describes_the_product_in_json_ld(client, mug):
    html = client.get(mug).text
    data = json_ld(html)
    product = data["Product"]
    assert product["@context"] == "https://schema.org"
    assert product["name"] == "Blue Mug" and product["sku"] == "SKU-BLUE-MUG"
    assert product["description"] == "A sturdy mug & saucer, glazed by hand. holds 300 ml"
    assert product["url"] == "http://shop.test/products/blue-mug"
    assert product["category"] == "Kitchen"
    assert len(product["image"]) == 2
    assert all(re.fullmatch(r"http://shop\.test/images/\w+-800\.webp", i) for i in product["image"])
    offer = product["offers"]
    assert offer["@type"] == "Offer"
    assert (offer["price"], offer["priceCurrency"]) == ("12.50", "USD")
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == product["url"]

    trail = data["BreadcrumbList"]["itemListElement"]
    assert [(i["position"], i["name"], i["item"]) for i in trail] == [
        (1, "Home", "http://shop.test/"),
        (2, "Kitchen", "http://shop.test/products?category=kitchen"),
        (3, "Blue Mug", "http://shop.test/products/blue-mug"),
    ]


def test_a_sold_out_product_is_offered_out_of_stock(app, client):
    make_product(app, "Red Mug", stock=0)
    product = json_ld(client.get("/products/red-mug").text)["Product"]
    assert product["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert "image" not in product  # no picture yet: none promised
    trail = json_ld(client.get("/products/red-mug").text)["BreadcrumbList"]["itemListElement"]
    assert [i["name"] for i in trail] == ["Home", "Red Mug"]  # no category


def test_the_offer_is_in_the_shops_currency(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, CURRENCY="JPY", LOCALE="ja_JP")
    try:
        make_product(app, "Tea Bowl", price_cents=3200)
        offer = json_ld(app.test_client().get("/products/tea-bowl").text)["Product"]["offers"]
        assert (offer["price"], offer["priceCurrency"]) == ("3200", "JPY")  # no minor unit
    finally:
        dispose_app(app)


def test_a_product_name_cannot_break_out_of_the_json_ld(app, client):
    make_product(app, "Mug </script><script>alert(1)</script>", description="")
    page = client.get("/products/mug-script-script-alert-1-script").text
    assert "<script>alert(1)" not in page
    assert json_ld(page)["Product"]["name"] == "Mug </script><script>alert(1)</script>"


def test_the_product_page_has_its_summary_canonical_url_and_open_graph(client, mug):
    html = client.get(f"{mug}?utm_source=newsletter&fbclid=abc").text
    summary = "A sturdy mug & saucer, glazed by hand. holds 300 ml"
    assert meta(html, "description", "name") == summary
    assert canonical(html) == "http://shop.test/products/blue-mug"  # tracking parameters gone
    assert meta(html, "og:type") == "product"
    assert meta(html, "og:title") == "Blue Mug"
    assert meta(html, "og:description") == summary
    assert meta(html, "og:url") == "http://shop.test/products/blue-mug"
    assert meta(html, "og:site_name") == "Jomso Demo Shop"
    assert re.fullmatch(r"http://shop\.test/images/\w+-800\.webp", meta(html, "og:image"))
    assert meta(html, "product:price:amount") == "12.50"


def test_a_long_description_is_cut_at_a_word_and_an_empty_one_says_name_and_price(app, client):
    long_text = "Very " + "long words here " * 40
    make_product(app, "Long Mug", description=long_text)
    summary = meta(client.get("/products/long-mug").text, "description", "name")
    assert len(summary) <= 160 and summary.endswith("…")
    cut = summary.removesuffix("…")
    assert long_text.startswith(cut) and long_text[len(cut)] == " "  # at the end of a word
    make_product(app, "Plain Mug", description="", price_cents=900)
    plain = meta(client.get("/products/plain-mug").text, "description", "name")
    assert plain == "Plain Mug for $9.00 at Jomso Demo Shop."


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/products", "http://shop.test/products"),
        ("/products?sort=price_asc&utm_source=x", "http://shop.test/products"),
        ("/products?category=kitchen&sort=name&page=1", "http://shop.test/products?category=kitchen"),
        ("/products?category=kitchen&page=2&gclid=1", "http://shop.test/products?category=kitchen&page=2"),
        ("/products?q=mug&sort=price_desc", "http://shop.test/products?q=mug"),
        ("/?utm_campaign=spring", "http://shop.test/"),
    ],
)  # fmt: skip
def test_list_pages_canonical_urls_keep_only_what_chooses_the_products(app, client, url, expected):
    kitchen = make_category(app, "Kitchen")
    for number in range(30):
        make_product(app, f"Mug {number}", category_id=kitchen)
    assert canonical(client.get(url).text) == expected


def test_list_pages_describe_themselves_and_search_results_are_not_indexed(app, client, mug):
    category = client.get("/products?category=kitchen").text
    assert meta(category, "description", "name") == (
        "Kitchen at Jomso Demo Shop: 1 product to order online."
    )
    assert meta(category, "robots", "name") is None
    search = client.get("/products?q=mug").text
    assert meta(search, "description", "name") == "Products matching “mug” at Jomso Demo Shop."
    assert meta(search, "robots", "name") == "noindex, follow"


@pytest.mark.parametrize(
    "url",
    ["/", "/products", "/cart", "/contact", "/privacy", "/cookies", "/account/login",
     "/account/register", "/products/no-such-thing"],
)  # fmt: skip
def test_every_page_has_a_meta_description(client, mug, url):
    description = meta(client.get(url).text, "description", "name")
    assert description and len(description) > 20


def test_the_shops_description_is_a_setting(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, SHOP_DESCRIPTION="Hand-thrown pottery from Leeds.")
    try:
        home = app.test_client().get("/").text
        assert meta(home, "description", "name") == "Hand-thrown pottery from Leeds."
        assert meta(home, "og:description") == "Hand-thrown pottery from Leeds."
    finally:
        dispose_app(app)


def test_canonical_urls_are_on_the_shops_address_not_the_requests(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, SERVER_NAME=None, SHOP_URL="https://shop.example.com")
    try:
        make_product(app, "Blue Mug")
        client = app.test_client()
        page = client.get("/products/blue-mug", headers={"Host": "evil.example"}).text
        assert canonical(page) == "https://shop.example.com/products/blue-mug"
        assert json_ld(page)["Product"]["url"] == "https://shop.example.com/products/blue-mug"
    finally:
        dispose_app(app)
