"""Which variant a customer chose on the product page, resolved on the server: one value per
option (``option1``..``option3`` in the form or the query), so that it works without
JavaScript. A product without options has its one variant chosen already."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from flask_babel import gettext as _

from jomso.catalog.models import Product, ProductVariant


class VariantChoice(NamedTuple):
    variant: ProductVariant | None
    values: tuple[str | None, ...]  # the value picked for each option, in their order
    message: str = ""  # why nothing could be chosen (a combination that is not sold)


def sold_variants(product: Product) -> list[ProductVariant]:
    return [v for v in product.variants if v.is_active]


def chosen_variant(product: Product, form: Mapping[str, str], *, required: bool = True):
    """The active variant matching the posted values. ``required``: a missing value is an
    error (the add to cart form); otherwise (a page view) the first variant in stock is
    proposed."""
    sold = sold_variants(product)
    if not product.options:
        variant = sold[0] if sold else None
        return VariantChoice(variant, ())
    values = tuple(
        (form.get(f"option{option.position}") or "").strip() or None for option in product.options
    )
    if not any(values) and not required:
        proposed = next((v for v in sold if v.stock > 0), sold[0] if sold else None)
        return VariantChoice(proposed, tuple(proposed.values) if proposed else values)
    for option, value in zip(product.options, values, strict=True):
        if value is None:
            return VariantChoice(
                None, values, _("Please choose a %(option)s.", option=option.name.lower())
            )
        if value not in option.values:
            return VariantChoice(
                None, values, _("Please choose one of the %(option)s values.", option=option.name)
            )
    for variant in sold:
        picked = tuple(getattr(variant, f"option{o.position}") for o in product.options)
        if picked == values:
            return VariantChoice(variant, values)
    return VariantChoice(None, values, _("This combination is not sold. Please choose another."))


def value_states(product: Product) -> dict[tuple[int, str], str]:
    """For each (option position, value): "" when some variant with it is in stock,
    "sold-out" when every variant with it is sold out, "unsold" when none is sold."""
    states: dict[tuple[int, str], str] = {}
    sold = sold_variants(product)
    for option in product.options:
        for value in option.values:
            having = [v for v in sold if getattr(v, f"option{option.position}") == value]
            if not having:
                states[(option.position, value)] = "unsold"
            elif all(v.stock <= 0 for v in having):
                states[(option.position, value)] = "sold-out"
            else:
                states[(option.position, value)] = ""
    return states


def picker_data(product: Product, max_quantity: int, low_stock: int) -> dict:
    """What the product page's script needs to show a variant in place when the customer
    changes an option (static/js/variants.js), embedded in the page as JSON: no request.
    Each sold variant with its values, price and compare-at price (formatted by the shop's
    formatter), stock label, SKU, picture and the most one can add; and the words the page
    uses for a sold-out value or a combination that is not sold. Empty for a product without
    options (nothing to pick)."""
    from jomso.catalog.cards import money, stock_state
    from jomso.catalog.images import image_url

    if not product.options:
        return {}
    variants = []
    for variant in sold_variants(product):
        stock_class, stock_label = stock_state(variant.stock)
        image = variant.image
        limit = max_quantity if variant.stock > low_stock else max(0, variant.stock)
        variants.append(
            {
                "values": [getattr(variant, f"option{o.position}") for o in product.options],
                "price": money(variant.effective_price_cents),
                "compare_at": money(variant.compare_at_cents) if variant.is_on_sale else "",
                "stock_class": stock_class,
                "stock_label": stock_label,
                "max": limit,
                "sku": variant.sku,
                "image": image_url(image.key, 800) if image else "",
                "alt": (image.alt or product.name) if image else "",
            }
        )
    return {
        "variants": variants,
        "words": {
            "sold_out": _("(sold out)"),
            "unsold": _("(not available)"),
            "not_sold": _("This combination is not sold. Please choose another."),
            "add": _("Add to cart"),
            "sold_out_button": _("Sold out"),
            "unavailable_button": _("Not available"),
            "was": _("was"),
        },
    }
