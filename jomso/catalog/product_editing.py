"""Products in the back office: the staff list (every product, hidden ones too, filtered and
sorted, with each one's first picture) and creating, changing, showing and hiding a product.

Each change commits here; the storefront shows it at once (the search index follows the
products table through its triggers, see search.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from jomso.catalog.category_editing import get_category
from jomso.catalog.editing import CatalogError, _clean_slug, _taken, slug_problem
from jomso.catalog.models import Product, ProductVariant
from jomso.catalog.queries import first_image_key
from jomso.catalog.stock_levels import is_low_stock
from jomso.catalog.variants import refresh_summary, single_variant
from jomso.extensions import db

log = logging.getLogger(__name__)


@dataclass
class ProductData:
    """What the product form holds, already parsed (price in cents). An empty ``slug`` is
    made from the name."""

    name: str
    sku: str
    price_cents: int
    stock: int
    slug: str = ""
    category_id: int | None = None
    is_active: bool = True
    description: str = ""
    low_stock_threshold: int | None = None  # None: the shop's (stock_alerts)
    tax_class: str = "standard"  # a ``taxes.models.TaxClass`` code


STAFF_SORTS = {
    "changed": (Product.updated_at.desc(), Product.id.desc()),
    "name": (Product.name, Product.id),
    "stock": (Product.stock_total, Product.name, Product.id),
}


def get_product(product_id: int) -> Product | None:
    return db.session.get(Product, product_id)


def staff_products(
    query: str = "",
    category: str = "",
    stock: str = "",
    status: str = "",
    sort: str = "changed",
    low_stock: int = 5,
) -> Select:
    """Every product (hidden ones too) for the back office list, filtered (see
    ``staff_filters``)."""
    statement = select(Product).options(joinedload(Product.category))
    statement = statement.where(*staff_filters(query, category, stock, status, low_stock))
    return statement.order_by(*STAFF_SORTS.get(sort, STAFF_SORTS["changed"]))


def staff_filters(
    query: str = "", category: str = "", stock: str = "", status: str = "", low_stock: int = 5
) -> list:
    """The conditions of the back office list's filters: ``query`` in the name or a variant's
    SKU or option value, ``category`` an id or ``"none"``, ``stock`` ``"low"`` (``low_stock``
    or fewer) or ``"out"``, ``status`` ``"active"`` or ``"inactive"``. The bulk edit's "all
    products that match the filters" uses the same."""
    conditions = []
    if query:
        conditions.append(
            Product.name.icontains(query, autoescape=True)
            | Product.variant_text.icontains(query, autoescape=True)
        )
    if category == "none":
        conditions.append(Product.category_id.is_(None))
    elif category.isdigit():
        conditions.append(Product.category_id == int(category))
    if stock == "low":
        conditions.append(is_low_stock(low_stock))
    elif stock == "out":
        conditions.append(Product.stock_total <= 0)
    if status == "active":
        conditions.append(Product.is_active)
    elif status == "inactive":
        conditions.append(~Product.is_active)
    return conditions


def first_image_keys(product_ids: list[int]) -> dict[int, str]:
    """The first picture's key of each of these products that has one (one query)."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(Product.id, first_image_key().label("key")).where(Product.id.in_(product_ids))
    )
    return {row.id: row.key for row in rows if row.key}


def product_problems(data: ProductData, product: Product | None = None) -> list[CatalogError]:
    """Every rule ``save_product`` would refuse, all at once: a slug or SKU another product
    has, an unknown category. Fields the form found wrong (None or empty) are left alone."""
    exclude = product.id if product is not None else None
    problems = [slug_problem(data.slug, Product.slug, exclude, 220)]
    variant = product.default_variant if product is not None else None
    if data.sku and _taken(ProductVariant.sku, data.sku, variant.id if variant else None):
        problems.append(
            CatalogError(
                _("Another product already has the SKU “%(sku)s”.", sku=data.sku), field="sku"
            )
        )
    if data.category_id is not None and get_category(data.category_id) is None:
        problems.append(CatalogError(_("That category no longer exists."), field="category"))
    return [problem for problem in problems if problem is not None]


def save_product(data: ProductData, product: Product | None = None) -> Product:
    """Create a product (``product`` None) or change one. Raises ``CatalogError`` for a slug
    or SKU another product has, or an unknown category (``product_problems``)."""
    exclude = product.id if product is not None else None
    problems = product_problems(data, product)
    if problems:
        raise problems[0]
    slug = _clean_slug(data.slug, data.name, Product.slug, exclude, 220)
    if product is None:
        product = Product()
        db.session.add(product)
    product.name = data.name
    product.slug = slug
    product.category_id = data.category_id
    product.price_cents = data.price_cents
    product.is_active = data.is_active
    product.tax_class = data.tax_class or "standard"
    product.description = data.description.replace("\r\n", "\n")
    product.low_stock_threshold = data.low_stock_threshold
    if not product.options:  # the only variant's SKU and stock are the form's
        single_variant(product, sku=data.sku, stock=data.stock)
    refresh_summary(product)
    try:
        db.session.commit()
    except IntegrityError:  # another request took the slug or SKU a moment ago
        db.session.rollback()
        raise CatalogError(
            _("Another product took this SKU or web address name just now. Please check them.")
        ) from None
    log.info("product %s saved", product.id)
    return product


def set_product_active(product: Product, active: bool) -> None:
    """Put a product on sale or hide it from the shop (its page and search results)."""
    product.is_active = active
    db.session.commit()
    log.info("product %s %s", product.id, "activated" if active else "deactivated")
