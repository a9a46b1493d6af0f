"""Product cards for the lists: what each card shows, worked out in Python once per page.

A grid of 24 cards built in the template (a macro, several ``url_for`` and gettext calls and a
Babel money format per card) costs more than everything else on the page together. Here URL
prefixes and labels are computed once per page and prices are formatted once per process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Row

from jomso.catalog.images import image_url
from jomso.catalog.page_cache import kept_per_revision
from jomso.catalog.queries import new_since, newest_ids
from jomso.i18n import current_locale, format_money

LOW_STOCK = 5  # "Only N left" from here down
_SAMPLE_KEY = "0" * 32


@dataclass(slots=True)
class ProductCard:
    name: str
    url: str
    price: str
    compare_at: str  # the price struck through (the sale of the cheapest variant), or ""
    on_sale: bool
    src: str
    srcset: str  # empty for the placeholder picture
    stock_class: str
    stock_label: str
    is_new: bool
    lazy: bool


@lru_cache(maxsize=16384)
def _money(cents: int, currency: str, locale: str) -> str:
    return format_money(cents, currency)  # the shop's one formatter, remembered


def money(cents: int) -> str:
    return _money(cents, current_app.config["CURRENCY"], current_locale())


def new_ids() -> frozenset[int]:
    """The products that carry the "new" badge: the ``NEW_PRODUCT_COUNT`` newest active
    products, those of them created within ``NEW_PRODUCT_DAYS``. So a freshly seeded catalog
    marks a few, not all. The newest are read once per catalog revision (no query per page);
    the period is checked at each page, and cached pages are made again each day."""
    limit = int(current_app.config["NEW_PRODUCT_COUNT"])
    newest = kept_per_revision("newest_ids", lambda: tuple(newest_ids(limit)))
    since = new_since()
    return frozenset(product_id for product_id, created_at in newest if created_at >= since)


def stock_state(stock: int) -> tuple[str, str]:
    """The CSS class and label of a stock level: in stock, only N left, sold out."""
    if stock <= 0:
        return "stock-out", _("Sold out")
    if stock <= LOW_STOCK:
        return "stock-low", ngettext("Only %(num)d left", "Only %(num)d left", stock)
    return "stock-in", _("In stock")


def product_cards(rows: Iterable[Row], eager: int = 8) -> list[ProductCard]:
    """Cards for rows with id, slug, name, price_min_cents, price_max_cents (a range shows
    "from" the lowest), on_sale, compare_at_cents (struck through beside the lowest price
    when it is above it), stock, created_at and image_key; the first ``eager`` pictures load
    at once, the others lazily."""
    product_prefix = url_for("catalog.product_detail", slug="x")[:-1]
    image_prefix = image_url(_SAMPLE_KEY, 320).removesuffix(f"{_SAMPLE_KEY}-320.webp")
    placeholder = image_url(None, 320)
    newest = new_ids()
    labels = {"stock-in": stock_state(6), "stock-out": stock_state(0)}
    cards = []
    for index, row in enumerate(rows):
        if row.stock > LOW_STOCK or row.stock <= 0:
            stock_class, stock_label = labels["stock-in" if row.stock > 0 else "stock-out"]
        else:
            stock_class, stock_label = stock_state(row.stock)
        key = row.image_key
        compare_at = row.compare_at_cents
        cards.append(
            ProductCard(
                name=row.name,
                url=product_prefix + row.slug,
                price=(
                    _("from %(price)s", price=money(row.price_min_cents))
                    if row.price_max_cents != row.price_min_cents
                    else money(row.price_min_cents)
                ),
                compare_at=(
                    money(compare_at) if compare_at and compare_at > row.price_min_cents else ""
                ),
                on_sale=bool(row.on_sale),
                src=f"{image_prefix}{key}-320.webp" if key else placeholder,
                srcset=(
                    f"{image_prefix}{key}-320.webp 320w, {image_prefix}{key}-800.webp 800w"
                    if key
                    else ""
                ),
                stock_class=stock_class,
                stock_label=stock_label,
                is_new=row.id in newest,
                lazy=index >= eager,
            )
        )
    return cards
