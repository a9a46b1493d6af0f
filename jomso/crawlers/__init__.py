"""For search engines: ``/robots.txt`` (what they may crawl) and the sitemaps (``/sitemap.xml``,
an index of ``/sitemap-pages.xml`` and ``/sitemap-products-N.xml``). The storefront pages' own
descriptions, canonical URLs and structured data are the catalog's (``catalog/findable.py``)."""

from flask import Blueprint

bp = Blueprint("crawlers", __name__, cli_group=None)

from jomso.crawlers import views  # noqa: E402, F401
