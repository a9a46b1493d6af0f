"""What search engines and link previews read on the storefront pages: descriptions, canonical
URLs, Open Graph tags and schema.org data (JSON-LD).

Every full URL here is made on the shop's own address (``jomso.urls.shop_url_for``), never on
the request's ``Host``: a page kept in the page cache is the same for every visitor, and a
canonical URL must not be one a visitor can choose.

- ``product_summary(product)``: a sentence or two from the description (the page's meta
  description and Open Graph description).
- ``product_page_data(product)``: canonical URL, Open Graph values and the JSON-LD ``Product``
  (with its ``Offer``) and ``BreadcrumbList`` of a product page.
- ``list_canonical_url(category, query, page)``: the canonical URL of a list page, which keeps
  what chooses the products (category, search words, page) and drops the rest (sort order,
  tracking parameters).
"""

from __future__ import annotations

import html
import re

import nh3
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from jomso.catalog.images import THUMBNAIL_SIZES
from jomso.catalog.markdown import render_markdown
from jomso.catalog.models import Category, Product
from jomso.i18n import cents_to_decimal, format_money
from jomso.urls import shop_url_for

SUMMARY_LENGTH = 160  # search engines show about this many characters
OG_IMAGE_SIZE = max(THUMBNAIL_SIZES)
_SCHEMA = "https://schema.org"


def product_summary(product: Product, limit: int = SUMMARY_LENGTH) -> str:
    """The product's description as plain text, cut at a word to at most ``limit``
    characters; without a description, a sentence with its name and price."""
    text = _plain(product.description)
    if not text:
        return _(
            "%(name)s for %(price)s at %(shop)s.",
            name=product.name,
            price=format_money(product.price_cents),
            shop=current_app.config["SHOP_NAME"],
        )
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return f"{cut}…"


def _plain(markdown: str | None) -> str:
    """Markdown as the text a reader sees: no tags, entities read, spaces collapsed."""
    if not markdown:
        return ""
    without_tags = nh3.clean(str(render_markdown(markdown)), tags=set())
    return re.sub(r"\s+", " ", html.unescape(without_tags)).strip()


def product_url(product: Product) -> str:
    return shop_url_for("catalog.product_detail", slug=product.slug)


def product_page_data(product: Product) -> dict:
    """Canonical URL, description, Open Graph values and JSON-LD of a product page."""
    url = product_url(product)
    summary = product_summary(product)
    images = [
        shop_url_for("catalog.product_image", key=image.key, size=OG_IMAGE_SIZE)
        for image in product.images
    ]
    currency = current_app.config["CURRENCY"]
    sold = [variant for variant in product.variants if variant.is_active]

    def offer(price_cents: int, stock: int, sku: str | None = None) -> dict:
        availability = "InStock" if stock > 0 else "OutOfStock"
        return {
            "@type": "Offer",
            **({"sku": sku} if sku else {}),
            "price": str(cents_to_decimal(price_cents, currency)),
            "priceCurrency": currency,
            "availability": f"{_SCHEMA}/{availability}",
            "itemCondition": f"{_SCHEMA}/NewCondition",
            "url": url,
        }

    product_ld = {
        "@context": _SCHEMA,
        "@type": "Product",
        "name": product.name,
        "description": summary,
        "url": url,
    }
    if len(sold) == 1:
        product_ld["sku"] = sold[0].sku
    # One offer, or one per variant on sale (with its SKU); the first is the Open Graph price.
    offers = (
        [offer(v.effective_price_cents, v.stock, v.sku) for v in sold]
        if len(sold) > 1
        else [offer(product.price_min_cents if sold else product.price_cents, product.stock_total)]
    )
    product_ld["offers"] = offers[0] if len(offers) == 1 else offers
    if images:
        product_ld["image"] = images
    if product.category is not None:
        product_ld["category"] = product.category.name
    return {
        "canonical_url": url,
        "description": summary,
        "open_graph": {
            "og:type": "product",
            "og:title": product.name,
            "og:description": summary,
            "og:url": url,
            "og:site_name": current_app.config["SHOP_NAME"],
            **({"og:image": images[0]} if images else {}),
            "product:price:amount": offers[0]["price"],
            "product:price:currency": currency,
            "product:availability": "in stock" if product.stock_total > 0 else "out of stock",
        },
        "json_ld": [product_ld, _breadcrumbs(product, url)],
    }


def _breadcrumbs(product: Product, url: str) -> dict:
    trail = [(_("Home"), shop_url_for("catalog.home"))]
    if product.category is not None:
        trail.append((product.category.name, category_url(product.category)))
    trail.append((product.name, url))
    return {
        "@context": _SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(trail, start=1)
        ],
    }


def category_url(category: Category) -> str:
    return shop_url_for("catalog.product_list", category=category.slug)


def list_canonical_url(category: Category | None, query: str, page: int) -> str:
    """The list page's canonical URL: the category, the search words and the page number
    choose what it shows; the sort order and anything else (utm_source, fbclid...) do not."""
    values: dict[str, object] = {}
    if category is not None:
        values["category"] = category.slug
    if query:
        values["q"] = query
    if page > 1:
        values["page"] = page
    return shop_url_for("catalog.product_list", **values)


def list_description(category: Category | None, query: str, total: int) -> str:
    """The meta description of a list page."""
    shop = current_app.config["SHOP_NAME"]
    if query:
        return _("Products matching “%(query)s” at %(shop)s.", query=query, shop=shop)
    if category is not None:
        return ngettext(
            "%(category)s at %(shop)s: %(num)d product to order online.",
            "%(category)s at %(shop)s: %(num)d products to order online.",
            total,
            category=category.name,
            shop=shop,
        )
    return ngettext(
        "Everything at %(shop)s: %(num)d product to order online.",
        "Everything at %(shop)s: %(num)d products to order online.",
        total,
        shop=shop,
    )
