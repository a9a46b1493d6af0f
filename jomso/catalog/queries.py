"""Catalog queries for the storefront: lists, search, product pages and navigation.

Every storefront page runs a fixed number of queries whatever the page size or catalog size:
list rows come with their first image key from one correlated subquery, the total from one
count. ``first_image_key`` is that subquery; the cart, the back office and announcements use it
too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Row, Select, bindparam, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from jomso.catalog import search
from jomso.catalog.models import Category, Product, ProductImage
from jomso.database import utcnow
from jomso.extensions import db
from jomso.pagination import clamp_page, page_count

SORTS = ("newest", "price_asc", "price_desc", "name")
RELEVANCE = "relevance"  # the default order of search results
MAX_QUERY_LENGTH = 200


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
        return page_count(self.total, self.per_page)

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
    result.page = clamp_page(page, total, per_page)
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
