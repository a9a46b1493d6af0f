"""Catalog queries for the storefront (lists, search, product pages, navigation), and the back
office's changes to products, pictures and categories (at the end of this module).

Every storefront page runs a fixed number of queries whatever the page size or catalog size:
list rows come with their first image key from one correlated subquery, the total from one
count.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Row, Select, bindparam, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from jomso.catalog import search
from jomso.catalog.images import THUMBNAIL_SIZES, image_path, save_product_image
from jomso.catalog.models import Category, Product, ProductImage
from jomso.database import utcnow
from jomso.extensions import db

SORTS = ("newest", "price_asc", "price_desc", "name")
RELEVANCE = "relevance"  # the default order of search results
MAX_QUERY_LENGTH = 200

log = logging.getLogger(__name__)


def first_image_key(product_id_column=Product.id):
    """A correlated subquery: the key of a product's first image (None when it has none)."""
    return (
        select(ProductImage.key)
        .where(ProductImage.product_id == product_id_column)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .scalar_subquery()
    )


def _card_columns():
    """What a product card shows: plain rows, no ORM objects to build per card."""
    return (
        Product.id,
        Product.slug,
        Product.name,
        Product.price_cents,
        Product.stock,
        Product.created_at,
        first_image_key().label("image_key"),
    )


def new_since() -> datetime:
    """Products created after this moment carry the "new" badge."""
    return utcnow() - timedelta(days=int(current_app.config["NEW_PRODUCT_DAYS"]))


@dataclass
class ProductPage:
    """One page of a product list, with what pagination links need."""

    items: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, None marking a gap: 1 … 4 5 [6] 7 8 … 40."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers: list[int | None] = []
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def _has_active_products():
    return exists().where(Product.category_id == Category.id, Product.is_active)


# Statements are built once and reused with bound parameters: building and compiling a
# select costs more than SQLite takes to answer it.
@cache
def _nav_statement() -> Select:
    return (
        select(Category.id, Category.name, Category.slug)
        .where(_has_active_products())
        .order_by(Category.position, Category.name)
    )


def nav_categories() -> list[Row]:
    """Categories that hold at least one active product, in shop order (one query)."""
    return list(db.session.execute(_nav_statement()))


@cache
def _tiles_statement() -> Select:
    newest = (
        select(first_image_key())
        .where(Product.category_id == Category.id, Product.is_active)
        .order_by(Product.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Category.id, Category.name, Category.slug, newest.label("image_key"))
        .where(_has_active_products())
        .order_by(Category.position, Category.name)
    )


def category_tiles() -> list[Row]:
    """Categories for the home page, each with the picture of its newest product."""
    return list(db.session.execute(_tiles_statement()))


@cache
def _newest_statement() -> Select:
    return (
        select(*_card_columns())
        .where(Product.is_active)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(bindparam("limit"))
    )


def newest_products(limit: int = 8) -> list[Row]:
    return list(db.session.execute(_newest_statement(), {"limit": limit}))


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


_ORDERS = {
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "price_asc": (Product.price_cents, Product.id),
    "price_desc": (Product.price_cents.desc(), Product.id.desc()),
    "name": (Product.name, Product.id),
}


@cache
def _list_statements(dialect: str, sort: str, by_category: bool, searching: bool):
    """The count and rows statements of one shape of list; they take ``category_id``,
    ``search``, ``limit`` and ``offset`` as parameters.

    The rows statement picks the page's ids first (from an index, or the search index) and
    only then reads those rows with their first image, so deep pages and broad searches stay
    cheap.
    """
    conditions = [Product.is_active]
    if by_category:
        conditions.append(Product.category_id == bindparam("category_id"))
    count = select(func.count()).select_from(Product).where(*conditions)
    if searching:
        shortcut = None if by_category else search.count_matches(dialect)
        in_matches = Product.id.in_(search.matching_ids(dialect))
        count = shortcut if shortcut is not None else count.where(in_matches)

    limit, offset = bindparam("limit"), bindparam("offset")
    if sort == RELEVANCE:
        among = select(Product.id).where(*conditions) if by_category else None
        ranked = search.ranked(dialect, among)
        picked = ranked.selected_columns
        page_ids = ranked.order_by(picked.rank, picked.id).limit(limit).offset(offset)
        page_ids = page_ids.subquery("page")
        order = (page_ids.c.rank, page_ids.c.id)
    else:
        order = _ORDERS[sort]
        picked = select(Product.id).where(*conditions)
        if searching:
            picked = picked.where(Product.id.in_(search.matching_ids(dialect)))
        page_ids = picked.order_by(*order).limit(limit).offset(offset).subquery("page")
    rows = select(*_card_columns()).join(page_ids, page_ids.c.id == Product.id).order_by(*order)
    return count, rows


def list_products(
    *,
    query: str = "",
    category: Category | None = None,
    sort: str = "newest",
    page: int = 1,
    per_page: int = 24,
) -> ProductPage:
    """Active products, filtered, sorted and paginated. Two queries: the count and the rows.

    A page beyond the last shows the last page; a search with no searchable word lists all.
    """
    dialect = db.session.get_bind().dialect.name
    found = search.search_value(query, dialect) if query else None
    if sort == RELEVANCE and found is None:
        sort = "newest"
    if sort != RELEVANCE and sort not in _ORDERS:
        sort = "newest"
    count, rows = _list_statements(dialect, sort, category is not None, found is not None)
    params = {"limit": per_page}
    if category is not None:
        params["category_id"] = category.id
    if found is not None:
        params["search"] = found

    total = db.session.scalar(count, params)
    result = ProductPage(items=[], total=total, page=1, per_page=per_page)
    result.page = min(max(1, page), result.pages)
    params["offset"] = (result.page - 1) * per_page
    result.items = list(db.session.execute(rows, params))
    return result


@cache
def _product_statement() -> Select:
    return (
        select(Product)
        .where(Product.slug == bindparam("slug"), Product.is_active)
        .options(joinedload(Product.category), selectinload(Product.images))
    )


def active_product(slug: str) -> Product | None:
    """The product page's product with its category and images (two queries), if on sale."""
    return db.session.scalar(_product_statement(), {"slug": slug})


def slugify(text: str, max_length: int = 200) -> str:
    """A URL slug: lower-case ASCII words and dashes ("Crème Brûlée Set" → "creme-brulee-set")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


# -- Back office: products, pictures and categories for staff ------------------------------------
# Used by jomso/catalog/staff_views.py. Each change commits here; the storefront shows it at
# once (the search index follows the products table through its triggers, see search.py).


class CatalogError(Exception):
    """A change the catalog refuses (a taken SKU, a category that still holds products);
    ``field`` names the form field the message belongs beside (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


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


MAX_IMAGES_PER_PRODUCT = 20
STAFF_SORTS = {
    "changed": (Product.updated_at.desc(), Product.id.desc()),
    "name": (Product.name, Product.id),
    "stock": (Product.stock, Product.name, Product.id),
}


def get_product(product_id: int) -> Product | None:
    return db.session.get(Product, product_id)


def get_category(category_id: int) -> Category | None:
    return db.session.get(Category, category_id)


def all_categories() -> list[Category]:
    """Every category in shop order, empty ones too (for the back office's selects)."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def staff_products(
    query: str = "",
    category: str = "",
    stock: str = "",
    status: str = "",
    sort: str = "changed",
    low_stock: int = 5,
) -> Select:
    """Every product (hidden ones too) for the back office list, filtered: ``query`` in the
    name or SKU, ``category`` an id or ``"none"``, ``stock`` ``"low"`` (``low_stock`` or
    fewer) or ``"out"``, ``status`` ``"active"`` or ``"inactive"``."""
    statement = select(Product).options(joinedload(Product.category))
    if query:
        statement = statement.where(
            Product.name.icontains(query, autoescape=True)
            | Product.sku.icontains(query, autoescape=True)
        )
    if category == "none":
        statement = statement.where(Product.category_id.is_(None))
    elif category.isdigit():
        statement = statement.where(Product.category_id == int(category))
    if stock == "low":
        statement = statement.where(Product.stock <= low_stock)
    elif stock == "out":
        statement = statement.where(Product.stock <= 0)
    if status == "active":
        statement = statement.where(Product.is_active)
    elif status == "inactive":
        statement = statement.where(~Product.is_active)
    return statement.order_by(*STAFF_SORTS.get(sort, STAFF_SORTS["changed"]))


def first_image_keys(product_ids: list[int]) -> dict[int, str]:
    """The first picture's key of each of these products that has one (one query)."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(Product.id, first_image_key().label("key")).where(Product.id.in_(product_ids))
    )
    return {row.id: row.key for row in rows if row.key}


def _taken(column, value: str, exclude_id: int | None) -> bool:
    model = column.class_
    statement = select(model.id).where(column == value)
    if exclude_id is not None:
        statement = statement.where(model.id != exclude_id)
    return db.session.scalar(statement.limit(1)) is not None


def _free_slug(column, base: str, exclude_id: int | None, max_length: int) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet."""
    slug, number = base, 1
    while _taken(column, slug, exclude_id):
        number += 1
        suffix = f"-{number}"
        slug = base[: max_length - len(suffix)].rstrip("-") + suffix
    return slug


def _clean_slug(typed: str, name: str, column, exclude_id: int | None, max_length: int) -> str:
    """The slug to store: the typed one made URL-safe (its clash is an error), or one made
    from the name (a clash gets a number added)."""
    if typed:
        if not re.search(r"[A-Za-z0-9]", typed):
            raise CatalogError(_("Use letters, digits and dashes."), field="slug")
        slug = slugify(typed, max_length)
        if _taken(column, slug, exclude_id):
            raise CatalogError(
                _("Another one already uses the web address name “%(slug)s”.", slug=slug),
                field="slug",
            )
        return slug
    return _free_slug(column, slugify(name, max_length), exclude_id, max_length)


def save_product(data: ProductData, product: Product | None = None) -> Product:
    """Create a product (``product`` None) or change one. Raises ``CatalogError`` for a slug
    or SKU another product has, or an unknown category."""
    exclude = product.id if product is not None else None
    slug = _clean_slug(data.slug, data.name, Product.slug, exclude, 220)
    if _taken(Product.sku, data.sku, exclude):
        raise CatalogError(
            _("Another product already has the SKU “%(sku)s”.", sku=data.sku), field="sku"
        )
    if data.category_id is not None and get_category(data.category_id) is None:
        raise CatalogError(_("That category no longer exists."), field="category")
    if product is None:
        product = Product()
        db.session.add(product)
    product.name = data.name
    product.slug = slug
    product.sku = data.sku
    product.category_id = data.category_id
    product.price_cents = data.price_cents
    product.stock = data.stock
    product.is_active = data.is_active
    product.description = data.description.replace("\r\n", "\n")
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


def add_product_image(product: Product, data: BinaryIO, alt: str = "") -> ProductImage:
    """Store an uploaded picture as the product's last one. Raises ``ImageRejected`` (bad
    file: nothing is stored) or ``CatalogError`` (too many pictures)."""
    if len(product.images) >= MAX_IMAGES_PER_PRODUCT:
        raise CatalogError(
            _("A product can have at most %(num)d pictures.", num=MAX_IMAGES_PER_PRODUCT),
            field="image",
        )
    picture = save_product_image(product, data, alt=alt)
    db.session.commit()
    log.info("picture %s added to product %s", picture.id, product.id)
    return picture


def get_product_image(product: Product, image_id: int) -> ProductImage | None:
    """The picture with this id when it belongs to ``product``."""
    return next((image for image in product.images if image.id == image_id), None)


def update_image_alt(image: ProductImage, alt: str) -> None:
    image.alt = alt.strip()[:200]
    db.session.commit()


def _move(items: list, item, direction: str) -> bool:
    """Swap ``item`` with its neighbour in ``items`` (ordered) and renumber ``position``
    0, 1, 2...; False when it is already first (up) or last (down)."""
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    return True


def move_image(image: ProductImage, direction: str) -> bool:
    """Move a picture one place up (earlier) or down; the first picture is the one lists
    show. Returns whether it moved."""
    pictures = sorted(image.product.images, key=lambda p: (p.position, p.id))
    moved = _move(pictures, image, direction)
    db.session.commit()
    return moved


def delete_product_image(image: ProductImage) -> None:
    """Remove a picture; its files go too unless another product's picture shares them."""
    product, key = image.product, image.key
    product.images.remove(image)
    for position, picture in enumerate(sorted(product.images, key=lambda p: (p.position, p.id))):
        picture.position = position
    db.session.commit()
    still_used = db.session.scalar(select(ProductImage.id).where(ProductImage.key == key).limit(1))
    if still_used is None:
        for size in THUMBNAIL_SIZES:
            path = image_path(key, size)
            if path is not None:
                path.unlink(missing_ok=True)
    log.info("picture of product %s deleted", product.id)


@dataclass
class CategoryRow:
    category: Category
    products: int  # all of them, hidden ones too
    on_sale: int


def category_rows() -> list[CategoryRow]:
    """Every category in shop order with how many products it holds (one query)."""
    statement = (
        select(
            Category,
            func.count(Product.id),
            func.count(Product.id).filter(Product.is_active),
        )
        .outerjoin(Product, Product.category_id == Category.id)
        .group_by(Category.id)
        .order_by(Category.position, Category.id)
    )
    return [CategoryRow(*row) for row in db.session.execute(statement)]


def save_category(name: str, slug: str = "", category: Category | None = None) -> Category:
    """Create a category (at the end of the order) or rename one. Its slug stays unless a
    new one is typed; an empty slug on a new category is made from the name."""
    exclude = category.id if category is not None else None
    if category is not None and not slug:
        slug = category.slug  # renaming keeps the address (links to it keep working)
    slug = _clean_slug(slug, name, Category.slug, exclude, 140)
    if category is None:
        last = db.session.scalar(select(func.max(Category.position)))
        category = Category(position=(last if last is not None else -1) + 1)
        db.session.add(category)
    category.name = name
    category.slug = slug
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        message = _("Another category took this web address name just now.")
        raise CatalogError(message, field="slug") from None
    return category


def move_category(category: Category, direction: str) -> bool:
    """Move a category one place up or down in the shop's menu."""
    moved = _move(all_categories(), category, direction)
    db.session.commit()
    return moved


def delete_category(category: Category) -> None:
    """Delete an empty category. One that still holds products (hidden ones included) is
    refused: moving them elsewhere is a decision for a person, not a side effect."""
    count = db.session.scalar(
        select(func.count(Product.id)).where(Product.category_id == category.id)
    )
    if count:
        raise CatalogError(
            ngettext(
                "“%(name)s” still holds %(num)d product. Move it to another category first.",
                "“%(name)s” still holds %(num)d products. Move them to another category first.",
                count,
                name=category.name,
            )
        )
    db.session.delete(category)
    db.session.flush()
    for position, each in enumerate(all_categories()):
        each.position = position
    db.session.commit()
