"""The staff's variant editor: a product's variants edited as one grid, one removed, the
missing combinations of its option values made. Each change commits here and keeps the
product's summary columns true (``variants.refresh_summary``).

A problem is ``(field name, message)`` with the grid's field names (``v<id>_sku``), so the
view puts each one beside its cell (``form_checks.report``).
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jomso.catalog.editing import CatalogError
from jomso.catalog.models import Product, ProductOption, ProductVariant
from jomso.catalog.variants import refresh_summary
from jomso.extensions import db

log = logging.getLogger(__name__)

SKU_MAX = 64


@dataclass
class VariantRow:
    """One row of the grid as typed (prices in cents; ``price_cents`` None: the product's)."""

    sku: str
    price_cents: int | None
    compare_at_cents: int | None
    stock: int
    weight_grams: int
    barcode: str
    is_active: bool
    tax_class: str = ""  # empty: the product's


def cell(variant_id: int, name: str) -> str:
    """The grid's field name of one cell."""
    return f"v{variant_id}_{name}"


def get_variant(product: Product, variant_id: int) -> ProductVariant | None:
    """One of this product's variants; None for another product's (or no) variant."""
    return next((v for v in product.variants if v.id == variant_id), None)


def grid_problems(product: Product, rows: dict[int, VariantRow]) -> list[tuple[str, str]]:
    """What the catalog refuses in the grid: a SKU typed twice in it or held by another
    product's variant (one query for all of them)."""
    problems = []
    seen: dict[str, int] = {}
    for variant_id, row in rows.items():
        key = row.sku.casefold()
        if key in seen:
            message = _("This SKU is twice in the list.")
            problems.append((cell(seen[key], "sku"), message))
            problems.append((cell(variant_id, "sku"), message))
        else:
            seen[key] = variant_id
    for variant_id, row in rows.items():
        price = product.price_cents if row.price_cents is None else row.price_cents
        if row.compare_at_cents is not None and row.compare_at_cents <= price:
            message = _("The compare-at price must be more than the price.")
            problems.append((cell(variant_id, "compare_at"), message))
    skus = [row.sku for row in rows.values() if row.sku]
    if skus:
        taken = db.session.execute(
            select(ProductVariant.sku, ProductVariant.id).where(
                ProductVariant.sku.in_(skus), ProductVariant.product_id != product.id
            )
        ).all()
        taken_skus = {sku for sku, _id in taken}
        for variant_id, row in rows.items():
            if row.sku in taken_skus:
                problems.append(
                    (cell(variant_id, "sku"), _("Another product has this SKU already."))
                )
    return problems


def save_grid(product: Product, rows: dict[int, VariantRow]) -> None:
    """Write the grid's rows onto the product's own variants (ids of other products are
    never touched), then its summary; raises ``CatalogError`` when another request took a
    SKU meanwhile."""
    for variant in product.variants:
        row = rows.get(variant.id)
        if row is None:
            continue
        for name, value in vars(row).items():
            if getattr(variant, name) != value:
                setattr(variant, name, value)
    refresh_summary(product)
    _commit()
    log.info("variants of product %s saved", product.id)


def delete_variant(product: Product, variant: ProductVariant) -> None:
    """Remove one variant. Order lines that sold it keep their text (their ``variant_id`` is
    set to NULL by the database); the last variant of a product stays."""
    if len(product.variants) <= 1:
        raise CatalogError(_("A product keeps at least one variant. Hide the product instead."))
    product.variants.remove(variant)
    db.session.delete(variant)
    db.session.flush()
    refresh_summary(product)
    db.session.commit()
    log.info("variant %s of product %s deleted", variant.id, product.id)


def _sku_part(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", text.upper()).strip("-") or "X"


def _free_sku(base: str, used: set[str]) -> str:
    base = base[:SKU_MAX]
    candidate, number = base, 1
    while candidate.casefold() in used or db.session.scalar(
        select(ProductVariant.id).where(ProductVariant.sku == candidate)
    ):
        number += 1
        suffix = f"-{number}"
        candidate = base[: SKU_MAX - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def generate_combinations(product: Product) -> int:
    """Make the variants for every combination of the option values the product lacks: SKU
    from the product's first SKU and the values (``SHIRT-M-BLUE``, made unique), stock 0,
    not on sale until someone fills them in. Returns how many were made."""
    options = sorted(product.options, key=lambda o: o.position)
    if not options or not all(o.values for o in options):
        return 0
    have = {tuple(v.values) for v in product.variants}
    first = min(product.variants, key=lambda v: (v.position, v.id), default=None)
    stem = _sku_part(_stem_of(first) if first else product.slug)
    used = {v.sku.casefold() for v in product.variants}
    position = max((v.position for v in product.variants), default=-1)
    made = 0
    for combination in itertools.product(*(o.values for o in options)):
        if tuple(combination) in have:
            continue
        position += 1
        sku = _free_sku("-".join([stem, *(_sku_part(value) for value in combination)]), used)
        values = dict(zip(("option1", "option2", "option3"), combination, strict=False))
        product.variants.append(
            ProductVariant(
                sku=sku, position=position, stock=0, is_active=False, weight_grams=0,
                barcode="", **values,
            )
        )  # fmt: skip
        made += 1
    if made:
        refresh_summary(product)
        _commit()
        log.info("%d variants made for product %s", made, product.id)
    return made


def _stem_of(variant: ProductVariant) -> str:
    """The product part of a variant's SKU: what is left when the parts made of its values
    are cut from the end (``SHIRT-S-B`` of S / Blue gives ``SHIRT``)."""
    parts = variant.sku.split("-")
    for value in reversed(variant.values):
        if len(parts) > 1 and _sku_part(value).startswith(parts[-1]) and parts[-1]:
            parts.pop()
    return "-".join(parts)


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # another request took a SKU a moment ago
        db.session.rollback()
        raise CatalogError(_("Another product took one of these SKUs a moment ago.")) from None


MAX_OPTIONS = 3


def split_values(text: str) -> list[str]:
    """Option values as typed, comma-separated, in their order."""
    return [v.strip() for v in (text or "").split(",") if v.strip()]


def options_problems(product: Product, typed: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """What the catalog refuses in the options form (``typed``: name and values of options
    1..3, empty when absent). Field names ``option<n>_name`` / ``option<n>_values``."""
    problems = []
    filled = [bool(name or values) for name, values in typed]
    names: set[str] = set()
    for index, (name, values) in enumerate(typed, start=1):
        if not filled[index - 1]:
            continue
        if index > 1 and not filled[index - 2]:
            problems.append((f"option{index}_name", _("Fill in the options in order.")))
        if not name:
            problems.append((f"option{index}_name", _("Name the option.")))
        elif name.casefold() in names:
            problems.append((f"option{index}_name", _("Two options have this name.")))
        names.add(name.casefold())
        if not values:
            problems.append((f"option{index}_values", _("Enter at least one value.")))
        folded = [v.casefold() for v in values]
        if len(set(folded)) != len(folded):
            problems.append((f"option{index}_values", _("A value is typed twice.")))
        if any(len(v) > 100 for v in values):
            problems.append((f"option{index}_values", _("A value is too long.")))
        used = {v.values[index - 1] for v in product.variants if len(v.values) >= index}
        gone = sorted(used - set(values))
        if gone and index <= len(product.options):
            message = _("“%(value)s” is a value of variants: remove them first.", value=gone[0])
            problems.append((f"option{index}_values", message))
    kept = sum(filled)
    if kept < len(product.options):
        combos = [tuple(v.values[:kept]) for v in product.variants]
        if len(set(combos)) != len(combos):
            field = f"option{len(product.options)}_name"
            problems.append(
                (field, _("Without this option two variants would be the same: remove one first."))
            )
    return problems


def save_options(product: Product, typed: list[tuple[str, list[str]]]) -> None:
    """Rename, reorder the values of, add and remove options (checked by
    ``options_problems``). A new option gives the variants its first value; a removed one
    takes its value off them."""
    by_position = {o.position: o for o in product.options}
    for position, (name, values) in enumerate(typed, start=1):
        option = by_position.get(position)
        column = f"option{position}"
        if name and values:
            if option is None:
                option = ProductOption(position=position, name=name, values=values)
                product.options.append(option)
                for variant in product.variants:
                    setattr(variant, column, values[0])
            else:
                option.name, option.values = name, list(values)
        elif option is not None:
            product.options.remove(option)
            db.session.delete(option)
            for variant in product.variants:
                setattr(variant, column, None)
    refresh_summary(product)
    _commit()
    log.info("options of product %s saved", product.id)
