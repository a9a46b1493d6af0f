"""``/robots.txt``, read by the standard library's robots.txt parser as a crawler reads it:
staff, account, cart, checkout and order pages are out of bounds, the storefront is open, and
the sitemap index is named on the shop's own address."""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

import pytest

from tests.accounts.helpers import build_app, dispose_app


def _parser(client) -> RobotFileParser:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    parser = RobotFileParser()
    parser.parse(response.text.splitlines())
    return parser


@pytest.mark.parametrize(
    "path",
    ["/staff/", "/staff/orders/J12345678", "/account", "/account/login", "/account/orders",
     "/cart", "/checkout", "/orders/J12345678", "/orders/J12345678/checking",
     "/newsletter/confirm/abc", "/newsletter/unsubscribe/abc"],
)  # fmt: skip
def test_crawlers_stay_out_of_private_pages(client, path):
    assert not _parser(client).can_fetch("AnyBot", f"http://shop.test{path}")


@pytest.mark.parametrize(
    "path",
    ["/", "/products", "/products/blue-mug", "/products?category=kitchen", "/privacy",
     "/contact", "/sitemap.xml", "/sitemap-products-1.xml"],
)  # fmt: skip
def test_crawlers_may_read_the_storefront(client, path):
    assert _parser(client).can_fetch("Googlebot", f"http://shop.test{path}")


def test_robots_names_the_sitemap_index_on_the_shops_address(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, SERVER_NAME=None, SHOP_URL="https://shop.example.com")
    try:
        client = app.test_client()
        parser = _parser(client)
        assert parser.site_maps() == ["https://shop.example.com/sitemap.xml"]
        assert "public" in client.get("/robots.txt").headers["Cache-Control"]
    finally:
        dispose_app(app)
