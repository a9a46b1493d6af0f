"""``/robots.txt`` and the sitemaps (see ``sitemaps.py``)."""

from __future__ import annotations

from flask import Response, abort, request, stream_with_context, url_for

from jomso.crawlers import bp, sitemaps
from jomso.urls import shop_url_for

XML = "application/xml; charset=utf-8"
ROBOTS_MAX_AGE = 3600

# What crawlers are kept out of: personal and transactional pages, none of them content (the
# order pages say noindex too). A rule's variable part is given as "*" and cut off, leaving
# the prefix: checkout.order_page gives /orders/.
PRIVATE_ENDPOINTS = (
    ("staff.dashboard", {}),  # /staff/
    ("accounts.overview", {}),  # /account, and everything under it
    ("cart.view_cart", {}),  # /cart, and the cart's forms
    ("checkout.checkout", {}),
    ("checkout.order_page", {"number": "*"}),
    ("newsletter.confirm", {"token": "*"}),  # links from mail
    ("newsletter.unsubscribe", {"token": "*"}),
)


@bp.get("/robots.txt")
def robots_txt():
    """Crawlers may read the storefront; staff, account, cart, checkout and order pages are
    out of bounds; the sitemap index says where the pages are."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in _private_paths()]
    lines += ["Allow: /", "", f"Sitemap: {shop_url_for('crawlers.sitemap_index')}", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = ROBOTS_MAX_AGE
    return response


def _private_paths() -> list[str]:
    return [url_for(endpoint, **values).removesuffix("*") for endpoint, values in PRIVATE_ENDPOINTS]


@bp.get("/sitemap.xml")
def sitemap_index():
    return _sitemap(lambda: sitemaps.index())


@bp.get("/sitemap-pages.xml")
def pages_sitemap():
    return _sitemap(lambda: sitemaps.pages())


@bp.get("/sitemap-products-<int:number>.xml")
def products_sitemap(number: int):
    if not 1 <= number <= sitemaps.product_sitemap_count():
        abort(404)
    return _sitemap(lambda: stream_with_context(sitemaps.products(number)))


def _sitemap(make_body) -> Response:
    """The sitemap from ``make_body``, or 304 when the asker has this catalog revision's."""
    tag = sitemaps.version_tag()
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = Response(make_body(), mimetype=XML)
    response.set_etag(tag)
    # Any cache must ask again each time: the answer is a cheap 304 until the catalog changes.
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response
