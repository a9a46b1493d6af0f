"""The sitemaps: what they list and how they are written.

``/sitemap.xml`` is a sitemap index. It names ``/sitemap-pages.xml`` (the home page, the
product list, each category with products, the privacy policy and the contact page) and one
``/sitemap-products-N.xml`` per ``URLS_PER_SITEMAP`` products on sale (the protocol allows at
most 50,000 URLs per file), in the order of their ids, each with its ``lastmod``.

A product sitemap reads only the slug and the day of ``updated_at`` of its products (the
``lastmod``, as a W3C date), in batches, on the database connection without the ORM, and is
written out while it is read (the response streams), so a page of 50,000 URLs costs little
time and memory whatever the catalog's size (``tests/benchmarks/bench_sitemap.py``).

Every sitemap's ETag is the catalog revision (``catalog/page_cache.py``), which every change
to products and categories raises: a search engine asking again with ``If-None-Match`` gets
``304 Not Modified`` without a product being read, until the catalog changes.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape

from sqlalchemy import String, cast, func, select, true

from jomso.catalog import queries
from jomso.catalog.models import Product
from jomso.catalog.page_cache import catalog_revision
from jomso.extensions import db
from jomso.urls import shop_base_url, shop_url_for

URLS_PER_SITEMAP = 50_000  # the sitemap protocol's limit per file; tests lower it
BATCH = 2_000  # product rows read from the database at a time
# Pages every shop has, besides the catalog's (endpoint names).
PAGES = ("catalog.home", "catalog.product_list", "privacy.policy", "contact.contact_form")

_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def version_tag() -> str:
    """The ETag of every sitemap: the catalog revision, the shop's address and the file size
    (a sitemap changes with any of them)."""
    address = zlib.crc32(shop_base_url().encode())
    return f"sitemap-{catalog_revision()}-{address:x}-{URLS_PER_SITEMAP}"


def product_sitemap_count() -> int:
    """How many product sitemaps there are (none for a shop without products on sale)."""
    # "is_active = 1" counts from the (is_active, ...) indexes alone.
    active = db.session.scalar(select(func.count()).where(Product.is_active == true()))
    return math.ceil(active / URLS_PER_SITEMAP)


def index() -> str:
    """The sitemap index: the pages' sitemap and every product sitemap."""
    names = [shop_url_for("crawlers.pages_sitemap")]
    names += [
        shop_url_for("crawlers.products_sitemap", number=number)
        for number in range(1, product_sitemap_count() + 1)
    ]
    entries = "".join(f"<sitemap><loc>{escape(name)}</loc></sitemap>\n" for name in names)
    return f'{_XML}<sitemapindex xmlns="{_NAMESPACE}">\n{entries}</sitemapindex>\n'


def pages() -> str:
    """The sitemap of the shop's own pages and its categories."""
    urls = [shop_url_for(endpoint) for endpoint in PAGES]
    urls += [
        shop_url_for("catalog.product_list", category=category.slug)
        for category in queries.nav_categories()
    ]
    return "".join(_urlset(escape(url) for url in urls))


# Product rows in the order of their ids, the day of updated_at as text ("2026-03-01") on
# SQLite and PostgreSQL alike. "is_active IS NOT false" (the same, as the column is never
# null) keeps SQLite reading the table in id order; with "is_active = 1" it would take an
# is_active index and then sort every product on sale by id, ten times slower.
_PRODUCTS = (
    select(Product.slug, cast(func.date(Product.updated_at), String))
    .where(Product.is_active.is_not(False))
    .order_by(Product.id)
)
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")  # nothing to quote or escape (slugify's output)


def products(number: int) -> Iterator[str]:
    """The ``number``-th product sitemap (from 1), written a batch of rows at a time while
    they are read."""
    prefix = escape(shop_url_for("catalog.product_detail", slug="-").removesuffix("-"))
    statement = _PRODUCTS.limit(URLS_PER_SITEMAP).offset((number - 1) * URLS_PER_SITEMAP)
    yield f'{_XML}<urlset xmlns="{_NAMESPACE}">\n'
    rows = db.session.connection().execution_options(yield_per=BATCH).execute(statement)
    for batch in rows.partitions():
        yield "".join(
            f"<url><loc>{prefix}{_path_part(slug)}</loc><lastmod>{day}</lastmod></url>\n"
            for slug, day in batch
        )
    yield "</urlset>\n"


def _path_part(slug: str) -> str:
    return slug if _URL_SAFE.fullmatch(slug) else quote(slug, safe="")


def _urlset(urls: Iterable[str]) -> Iterator[str]:
    """A urlset of URLs (escaped for XML), without lastmod."""
    yield f'{_XML}<urlset xmlns="{_NAMESPACE}">\n'
    yield "".join(f"<url><loc>{url}</loc></url>\n" for url in urls)
    yield "</urlset>\n"
