"""The catalog as Jomso's own CSV: one row per variant, the product's columns repeated on
every row of its variants (the import reads them from a product's first row).

``export_header()`` and ``export_rows()`` feed ``jomso.csv_export`` (BOM, formula cells
quoted), for ``flask --app app export-products`` and the staff download alike, so both give
the same file. ``csv_import`` reads it back: a round trip leaves the catalog unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from jomso.catalog.models import Product
from jomso.extensions import db

COLUMNS = (
    "handle", "name", "category", "active", "price", "description",
    "option1_name", "option1_value", "option2_name", "option2_value",
    "option3_name", "option3_value",
    "sku", "variant_price", "compare_at", "stock", "weight_grams", "barcode",
    "variant_active", "pictures", "tax_class",
)  # fmt: skip
PAGE = 500


def money(cents: int | None) -> str:
    """12.50 from 1250; "" for None. Plain decimals, the same in every language."""
    return "" if cents is None else str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def export_header() -> tuple[str, ...]:
    return COLUMNS


def export_rows() -> Iterator[list]:
    """Every product's variants in product id order, read a page of products at a time."""
    last_id = 0
    while True:
        products = db.session.scalars(
            select(Product)
            .where(Product.id > last_id)
            .order_by(Product.id)
            .limit(PAGE)
            .options(
                selectinload(Product.options),
                selectinload(Product.variants),
                selectinload(Product.images),
                selectinload(Product.category),
            )
        ).all()
        if not products:
            return
        for product in products:
            yield from _product_rows(product)
        last_id = products[-1].id
        db.session.expunge_all()


def _product_rows(product: Product) -> Iterator[list]:
    names = {option.position: option.name for option in product.options}
    pictures = " ".join(image.key for image in product.images)
    for variant in product.variants:
        values = (variant.option1, variant.option2, variant.option3)
        options: list = []
        for position in (1, 2, 3):
            options += [names.get(position, ""), values[position - 1] or ""]
        yield [
            product.slug,
            product.name,
            product.category.name if product.category else "",
            "yes" if product.is_active else "no",
            money(product.price_cents),
            product.description,
            *options,
            variant.sku,
            money(variant.price_cents),
            money(variant.compare_at_cents),
            variant.stock,
            variant.weight_grams,
            variant.barcode,
            "yes" if variant.is_active else "no",
            pictures,
            variant.tax_class or product.tax_class,  # the class the variant is taxed in
        ]
