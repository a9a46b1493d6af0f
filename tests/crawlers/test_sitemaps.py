"""The sitemaps, parsed as XML as a search engine reads them: an index of a pages sitemap and
product sitemaps of at most ``URLS_PER_SITEMAP`` URLs each (lowered here), every product on sale
listed once with its lastmod, none other; a constant number of queries whatever their size;
ETags from the catalog revision, so they change exactly when the catalog does."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select, update

from jomso.catalog.models import Product
from jomso.crawlers import sitemaps
from jomso.extensions import db
from tests import services
from tests.accounts.helpers import build_app, dispose_app
from tests.catalog.helpers import make_category, make_product, make_products
from tests.helpers import counting_statements

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _xml(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/xml"
    return ET.fromstring(response.data)  # noqa: S314 - the shop's own output


def _locs(root: ET.Element) -> list[str]:
    return [loc.text for loc in root.iterfind(".//s:loc", NS)]


def _path(url: str) -> str:
    return url.removeprefix("http://shop.test")


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(sitemaps, "URLS_PER_SITEMAP", 3)


def test_the_page_size_is_the_protocols_limit():
    assert sitemaps.URLS_PER_SITEMAP == 50_000


def test_the_index_splits_the_products_into_sitemaps_of_at_most_the_page_size(
    app, client, small_pages
):
    make_products(app, 7, images=0)
    make_product(app, "Withdrawn Mug", is_active=False)
    index = _xml(client, "/sitemap.xml")
    assert index.tag == f"{{{NS['s']}}}sitemapindex"
    assert [_path(url) for url in _locs(index)] == [
        "/sitemap-pages.xml",
        "/sitemap-products-1.xml",
        "/sitemap-products-2.xml",
        "/sitemap-products-3.xml",
    ]
    with app.app_context():
        changed = {
            f"/products/{slug}": updated.date().isoformat()
            for slug, updated in db.session.execute(select(Product.slug, Product.updated_at))
        }
    listed = []
    for number, size in ((1, 3), (2, 3), (3, 1)):
        urlset = _xml(client, f"/sitemap-products-{number}.xml")
        urls = urlset.findall("s:url", NS)
        assert len(urls) == size <= sitemaps.URLS_PER_SITEMAP
        for url in urls:  # lastmod: the day the product last changed, a W3C date
            path = _path(url.find("s:loc", NS).text)
            assert url.find("s:lastmod", NS).text == changed[path]
        listed += _locs(urlset)
    assert sorted(_path(url) for url in listed) == sorted(
        f"/products/item-{i}" for i in range(1, 8)
    )
    # Past the last one, and before the first: nothing there.
    assert client.get("/sitemap-products-4.xml").status_code == 404
    assert client.get("/sitemap-products-0.xml").status_code == 404


def test_every_listed_product_page_exists(app, client):
    make_products(app, 3, images=0)
    for url in _locs(_xml(client, "/sitemap-products-1.xml")):
        assert client.get(_path(url)).status_code == 200


def test_the_pages_sitemap_lists_the_shop_and_its_categories(app, client):
    kitchen = make_category(app, "Kitchen")
    make_category(app, "Empty Shelf")
    make_product(app, "Blue Mug", category_id=kitchen)
    assert [_path(url) for url in _locs(_xml(client, "/sitemap-pages.xml"))] == [
        "/", "/products", "/privacy", "/contact", "/products?category=kitchen"]  # fmt: skip


def test_a_shop_without_products_has_only_the_pages_sitemap(client):
    assert [_path(url) for url in _locs(_xml(client, "/sitemap.xml"))] == ["/sitemap-pages.xml"]
    assert client.get("/sitemap-products-1.xml").status_code == 404


def test_a_product_sitemap_takes_the_same_few_queries_whatever_its_size(app, client):
    make_products(app, 5, images=0)
    with counting_statements(app) as few:
        assert len(_locs(_xml(client, "/sitemap-products-1.xml"))) == 5
    make_products(app, 60, prefix="More", images=0)
    with counting_statements(app) as many:
        assert len(_locs(_xml(client, "/sitemap-products-1.xml"))) == 65
    assert len(many) == len(few) <= 4


def test_sitemaps_change_exactly_when_the_catalog_does(app, client):
    make_product(app, "Blue Mug")
    first = client.get("/sitemap-products-1.xml")
    tag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    # Asked again with the tag: not modified, and no product is read.
    with counting_statements(app) as statements:
        again = client.get("/sitemap-products-1.xml", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert not any("products.slug" in statement for statement in statements)

    make_product(app, "Green Mug")
    changed = client.get("/sitemap-products-1.xml", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "/products/green-mug" in changed.text

    tag = changed.headers["ETag"]
    with app.app_context():
        db.session.execute(
            update(Product).where(Product.slug == "blue-mug").values(is_active=False)
        )
        db.session.commit()
    withdrawn = client.get("/sitemap-products-1.xml", headers={"If-None-Match": tag})
    assert withdrawn.status_code == 200 and "/products/blue-mug" not in withdrawn.text
    assert client.get("/sitemap.xml", headers={"If-None-Match": tag}).status_code == 200


def test_the_sitemaps_on_postgresql(tmp_path, monkeypatch, postgres_admin_url, small_pages):
    database = services.create_database(postgres_admin_url)
    app = build_app(tmp_path, monkeypatch, DATABASE_URL=database)
    try:
        make_products(app, 4, images=0)
        make_product(app, "Withdrawn Mug", is_active=False)
        client = app.test_client()
        names = [_path(url) for url in _locs(_xml(client, "/sitemap.xml"))]
        assert names == ["/sitemap-pages.xml", "/sitemap-products-1.xml", "/sitemap-products-2.xml"]
        first = _xml(client, "/sitemap-products-1.xml")
        assert [_path(url) for url in _locs(first)] == [f"/products/item-{i}" for i in (1, 2, 3)]
        lastmod = first.find("s:url/s:lastmod", NS).text
        assert len(lastmod) == 10 and lastmod.count("-") == 2
        assert len(_locs(_xml(client, "/sitemap-products-2.xml"))) == 1
    finally:
        dispose_app(app)
        services.drop_database(database)
