"""The cart page's rows: what each line shows, worked out in Python once per page.

As for the catalog's cards (``catalog.cards``): a row built in the template (a picture macro,
two ``url_for`` calls, three Babel amounts and its labels) costs more than the rest of the
page's content. Here the page's links are built once per process (``cart_links``) and amounts
go through the shop's remembered formatter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, request, url_for

from jomso.cart.services import CartSummary, line_name, max_quantity
from jomso.catalog.images import image_url
from jomso.i18n import money_formatter

_SAMPLE_KEY = "0" * 32
_EXTENSION = "jomso.cart_links"


@dataclass(frozen=True, slots=True)
class CartLinks:
    product_prefix: str  # + a product's slug
    image_prefix: str  # + a picture's key and "-320.webp"
    placeholder: str  # the picture of a product without one
    update: str  # where a line's quantity goes
    remove: str  # where a line's removal goes


def cart_links() -> CartLinks:
    """The links of the cart page's rows, built once per path prefix (the shop's
    ``SCRIPT_NAME``) in this process: ``url_for`` takes 10 µs a link, 40 for a static file's
    (whose version it reads from the file)."""
    kept = current_app.extensions.setdefault(_EXTENSION, {})
    root = request.script_root
    links = kept.get(root)
    if links is None:
        if len(kept) >= 16:
            kept.clear()
        links = kept[root] = CartLinks(
            product_prefix=url_for("catalog.product_detail", slug="x")[:-1],
            image_prefix=image_url(_SAMPLE_KEY, 320).removesuffix(f"{_SAMPLE_KEY}-320.webp"),
            placeholder=image_url(None, 320),
            update=url_for("cart.update_item"),
            remove=url_for("cart.remove_item"),
        )
    return links


@dataclass(slots=True)
class CartRow:
    variant_id: int
    url: str  # the product's page
    src: str  # its picture (320 px), or the placeholder's
    has_picture: bool
    name: str  # the product's
    title: str  # the variant's ("M / Blue"), or ""
    label: str  # "name (title)": what the quantity field and the remove button name
    price: str
    previous_price: str  # the price before a change since it was added, or ""
    total: str
    most: int  # the quantity field's maximum
    quantity: str  # what the field shows: the quantity, or what was typed when refused
    error: str  # why the typed quantity was refused, or ""


def cart_rows(
    summary: CartSummary, links: CartLinks, errors: Mapping[int, tuple[str, str]] | None = None
) -> list[CartRow]:
    """A row for each line of ``summary``; ``errors`` maps a variant id to (what was typed,
    why it was refused) after a refused quantity."""
    errors = errors or {}
    money = money_formatter()
    most = max_quantity()
    rows = []
    for line in summary.lines:
        product, variant = line.product, line.variant
        typed, error = errors.get(variant.id, (None, ""))
        rows.append(
            CartRow(
                variant_id=variant.id,
                url=links.product_prefix + product.slug,
                src=(
                    f"{links.image_prefix}{line.image_key}-320.webp"
                    if line.image_key
                    else links.placeholder
                ),
                has_picture=bool(line.image_key),
                name=product.name,
                title=variant.title,
                label=line_name(product, variant),
                price=money(line.unit_price_cents),
                previous_price=(
                    money(line.previous_price_cents)
                    if line.previous_price_cents is not None
                    else ""
                ),
                total=money(line.line_total_cents),
                most=min(variant.stock, most),
                quantity=str(line.quantity) if typed is None else typed,
                error=error,
            )
        )
    return rows
