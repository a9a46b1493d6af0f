"""Catalog queries for the storefront: lists, search, product pages and navigation.

Every storefront page runs a fixed number of queries whatever the page size or catalog size:
list rows come with their first image key from one correlated subquery, the total from one
count (for a search, from its candidates: at most ``SEARCH_MAX_RESULTS`` and one more, so a
search's cost does not grow with the number of matches). A list's count and its deep pages'
boundaries are read once per catalog revision (``list_positions``); a deep page is then read
after its boundary, from an index, with no ``OFFSET``. ``first_image_key`` is that
subquery; the cart, the back office and announcements use it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Integer, Row, Select, bindparam, case, exists, func, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from jomso.catalog import list_positions, search, spelling
from jomso.catalog.models import Category, Product, ProductImage, ProductVariant
from jomso.database import utcnow
from jomso.extensions import db
from jomso.pagination import clamp_page, page_count

SORTS = ("newest", "price_asc", "price_desc", "name")
# A search that lists fewer products looks for mistyped words (one more statement); one that
# lists none shows the corrected search's results instead, one that lists a few offers it when
# its least common corrected word is in ``FAR_MORE`` times as many products.
SUGGEST_BELOW = 3
FAR_MORE = 10
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


def _sale_compare_at():
    """A correlated subquery: the compare-at price of a product's cheapest active variant
    when that variant sells below it (None otherwise, and for products not on sale), so a
    card strikes through the price its lowest price replaces. Read for the page's rows only."""
    effective = func.coalesce(ProductVariant.price_cents, Product.price_cents)
    cheapest = (
        select(func.max(ProductVariant.compare_at_cents))
        .where(ProductVariant.product_id == Product.id, ProductVariant.is_active)
        .where(effective == Product.price_min_cents)
        .scalar_subquery()
    )
    return case((Product.on_sale, cheapest), else_=None)


def _card_columns():
    """What a product card shows: plain rows, no ORM objects to build per card."""
    return (
        Product.id,
        Product.slug,
        Product.name,
        Product.price_cents,
        Product.price_min_cents,
        Product.price_max_cents,
        Product.on_sale,
        _sale_compare_at().label("compare_at_cents"),
        Product.stock_total.label("stock"),
        Product.created_at,
        first_image_key().label("image_key"),
    )


def new_since() -> datetime:
    """Products created after this moment may carry the "new" badge (``cards.new_ids``)."""
    return utcnow() - timedelta(days=int(current_app.config["NEW_PRODUCT_DAYS"]))


@dataclass
class ProductPage:
    """One page of a product list, with what pagination links need. ``capped``: the search
    matched more products than it lists; ``total`` is then the cap (what the pages hold)."""

    items: list[Row]
    total: int
    page: int
    per_page: int
    capped: bool = False
    # The search with its mistyped words corrected ("did you mean"), when offered.
    suggestion: str | None = None
    # These are the results of ``suggestion``: the search as typed found nothing.
    showing_suggestion: bool = False

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


@dataclass(frozen=True)
class ListFilter:
    """The list page's filters: only products in stock, and a range of the price a card shows
    (``price_min_cents``, the "from" price), each end optional, in cents."""

    in_stock: bool = False
    min_cents: int | None = None
    max_cents: int | None = None

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        """Which conditions a list's statements hold (their values are bound parameters)."""
        return (self.in_stock, self.min_cents is not None, self.max_cents is not None)

    @property
    def params(self) -> dict:
        params = {}
        if self.min_cents is not None:
            params["price_min"] = self.min_cents
        if self.max_cents is not None:
            params["price_max"] = self.max_cents
        return params


NO_FILTER = ListFilter()
NO_SHAPE = NO_FILTER.shape


def _list_conditions(by_category: bool, shape: tuple[bool, bool, bool] = NO_SHAPE) -> list:
    """The conditions on the products a list holds: active, in the category, the filters'."""
    in_stock, has_min, has_max = shape
    conditions = [Product.is_active]
    if by_category:
        conditions.append(Product.category_id == bindparam("category_id"))
    if in_stock:
        conditions.append(Product.stock_total > 0)
    if has_min:
        conditions.append(Product.price_min_cents >= bindparam("price_min", type_=Integer))
    if has_max:
        conditions.append(Product.price_min_cents <= bindparam("price_max", type_=Integer))
    return conditions


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


@cache
def _newest_ids_statement() -> Select:
    return (
        select(Product.id, Product.created_at)
        .where(Product.is_active)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(bindparam("limit"))
    )


def newest_ids(limit: int) -> list[tuple[int, datetime]]:
    """The ids and creation times of the ``limit`` newest active products (one query)."""
    return [tuple(row) for row in db.session.execute(_newest_ids_statement(), {"limit": limit})]


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


_ORDERS = {
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "price_asc": (Product.price_min_cents, Product.id),
    "price_desc": (Product.price_min_cents.desc(), Product.id.desc()),
    "name": (Product.name, Product.id),
}


# Each sort's key, unique with the id last, and whether it descends: a deep page of a list is
# read after the key of the last product of the page before it (``list_positions``).
_KEYS = {
    "newest": ((Product.created_at, Product.id), True),
    "price_asc": ((Product.price_min_cents, Product.id), False),
    "price_desc": ((Product.price_min_cents, Product.id), True),
    "name": ((Product.name, Product.id), False),
}
# Pages up to this one are read with OFFSET (cheap that close to the start); deeper ones after
# their page boundary, read once per catalog revision for each list shape.
KEYSET_AFTER_PAGE = 5


@cache
def _boundaries_statement(sort: str, by_category: bool, shape: tuple = NO_SHAPE) -> Select:
    """The sort key of the last product of every full page of a list; takes ``category_id``,
    the filters' ``price_min`` and ``price_max``, and ``per_page``."""
    keys, _ = _KEYS[sort]
    numbered = select(*keys, func.row_number().over(order_by=_ORDERS[sort]).label("n"))
    numbered = numbered.where(*_list_conditions(by_category, shape))
    numbered = numbered.subquery("numbered")
    per_page = bindparam("per_page", type_=Integer)
    return (
        select(*(numbered.c[key.key] for key in keys))
        .where(numbered.c.n % per_page == 0)
        .order_by(numbered.c.n)
    )


@cache
def _keyset_rows_statement(sort: str, by_category: bool, shape: tuple = NO_SHAPE) -> Select:
    """A page of a list read after a boundary (``after_key``, ``after_id``), from the sort's
    index, with no OFFSET; takes ``category_id``, the filters' values and ``limit``."""
    keys, descending = _KEYS[sort]
    boundary = tuple_(
        bindparam("after_key", type_=keys[0].type), bindparam("after_id", type_=Integer)
    )
    after = tuple_(*keys) < boundary if descending else tuple_(*keys) > boundary
    order = _ORDERS[sort]
    picked = select(Product.id).where(*_list_conditions(by_category, shape), after)
    page_ids = picked.order_by(*order).limit(bindparam("limit")).subquery("page")
    return select(*_card_columns()).join(page_ids, page_ids.c.id == Product.id).order_by(*order)


@cache
def _count_statement(
    dialect: str, by_category: bool, searching: bool, words: int = 0, shape: tuple = NO_SHAPE
) -> Select:
    """The first statement of one shape of list: the count; for a search, the ids of the
    matches, newest first, up to one more than the cap, and whether a word is common
    (``search.candidates``). Takes ``category_id``, the filters' values, ``search``,
    ``word0``... and ``candidate_limit``."""
    conditions = _list_conditions(by_category, shape)
    if searching:
        narrowed = by_category or shape != NO_SHAPE
        among = select(Product.id).where(*conditions) if narrowed else None
        return search.candidates(dialect, among, words)
    return select(func.count()).select_from(Product).where(*conditions)


@cache
def _rows_statement(
    dialect: str, sort: str, by_category: bool, searching: bool, bm25: bool, shape=NO_SHAPE
):
    """The rows of one shape of list; takes ``category_id``, the filters' values, ``search``,
    ``named``, ``ids``, ``lowest``, ``limit`` and ``offset``.

    It picks the page's ids first (from an index, the search index or the chosen ids) and only
    then reads those rows with their first image, so deep pages and broad searches stay cheap.
    A search sorts the ids the first statement chose; its best-match order is bm25 over all
    matches when that is cheap (``bm25``), else the name tier.
    """
    limit, offset = bindparam("limit"), bindparam("offset")
    if sort == RELEVANCE and bm25:
        conditions = _list_conditions(by_category, shape)
        narrowed = by_category or shape != NO_SHAPE
        among = select(Product.id).where(*conditions) if narrowed else None
        ranked = search.ranked(dialect, among)
        picked = ranked.selected_columns
        page_ids = ranked.order_by(picked.rank, picked.id).limit(limit).offset(offset)
        page_ids = page_ids.subquery("page")
        order = (page_ids.c.rank, page_ids.c.id)
    elif sort == RELEVANCE:
        chosen = search.chosen_ids(dialect)
        tier = search.name_tier(dialect, chosen).label("rank")
        page_ids = select(chosen.c.id, tier).order_by(tier, chosen.c.id.desc())
        page_ids = page_ids.limit(limit).offset(offset).subquery("page")
        order = (page_ids.c.rank, page_ids.c.id.desc())
    elif searching:
        order = _ORDERS[sort]
        chosen = search.chosen_ids(dialect)
        picked = select(Product.id).select_from(chosen).join(Product, Product.id == chosen.c.id)
        page_ids = picked.order_by(*order).limit(limit).offset(offset).subquery("page")
    else:
        order = _ORDERS[sort]
        picked = select(Product.id).where(*_list_conditions(by_category, shape))
        page_ids = picked.order_by(*order).limit(limit).offset(offset).subquery("page")
    return select(*_card_columns()).join(page_ids, page_ids.c.id == Product.id).order_by(*order)


def list_products(
    *,
    query: str = "",
    category: Category | None = None,
    sort: str = "newest",
    page: int = 1,
    per_page: int = 24,
    correct: bool = True,
    filters: ListFilter = NO_FILTER,
) -> ProductPage:
    """Active products, filtered, sorted and paginated. Two queries: the count (for a search,
    the ids of its candidates) and the rows (none when a search matches nothing).

    A page beyond the last shows the last page; a search with no searchable word lists all.
    A search lists at most ``SEARCH_MAX_RESULTS`` products, the most recently added matches
    (``capped`` when it matches more), so its cost stays bounded however many products match.

    With ``correct``, a search that lists fewer than ``SUGGEST_BELOW`` products looks for a
    correction of its words (``spelling.suggest``, one query): when it listed nothing, the
    corrected search's results come instead (two queries more) with ``showing_suggestion``,
    if it finds any; else ``suggestion`` offers the corrected search when it would find at
    least ``FAR_MORE`` times as many. At most five queries, whatever the catalog.

    ``filters`` narrow the list (and a search's candidates) with the same number of queries:
    their values are bound parameters, and a filtered list's count and page boundaries are
    remembered per catalog revision like the others.
    """
    dialect = db.session.get_bind().dialect.name
    found = search.search_params(query, dialect) if query else None
    if sort == RELEVANCE and found is None:
        sort = "newest"
    if sort != RELEVANCE and sort not in _ORDERS:
        sort = "newest"
    by_category, shape = category is not None, filters.shape
    params: dict = {"limit": per_page, **filters.params}
    if by_category:
        params["category_id"] = category.id
    words = found.words if found else 0
    first = _count_statement(dialect, by_category, found is not None, words, shape)
    capped = common = False
    if found is None:  # counted once per catalog revision
        list_key = ("count", category.id if by_category else None, filters)
        total = list_positions.count(list_key, lambda: db.session.scalar(first, params))
    else:
        cap = max(1, int(current_app.config["SEARCH_MAX_RESULTS"]))
        params.update(found.params, candidate_limit=cap + 1)
        matches = db.session.execute(first, params).all()
        capped = len(matches) > cap
        common = bool(matches and matches[0].common)
        ids = [match.id for match in matches[:cap]]
        total = len(ids)
        params.update(ids=json.dumps(ids), lowest=ids[-1] if ids else 0)
    result = ProductPage(items=[], total=total, page=1, per_page=per_page, capped=capped)
    result.page = clamp_page(page, total, per_page)
    params["offset"] = (result.page - 1) * per_page
    if found is None and result.page > KEYSET_AFTER_PAGE:
        after = _page_boundary(sort, category, per_page, result.page, filters)
        if after is not None:
            params.update(after_key=after[0], after_id=after[1])
            rows = _keyset_rows_statement(sort, by_category, shape)
            result.items = list(db.session.execute(rows, params))
            return result
    if total or found is None:
        bm25 = not (capped or common)  # bm25 reads every match of every word in the catalog
        rows = _rows_statement(dialect, sort, by_category, found is not None, bm25, shape)
        result.items = list(db.session.execute(rows, params))
    if found is None or not correct or total >= SUGGEST_BELOW:
        return result
    suggestion = spelling.suggest(db.session, query)
    if suggestion is None:
        return result
    if total == 0:
        corrected = list_products(
            query=suggestion.query,
            category=category,
            sort=sort,
            page=page,
            per_page=per_page,
            correct=False,
            filters=filters,
        )
        if corrected.total:
            corrected.suggestion, corrected.showing_suggestion = suggestion.query, True
            return corrected
    elif suggestion.products >= FAR_MORE * total:
        result.suggestion = suggestion.query
    return result


def _page_boundary(
    sort: str, category: Category | None, per_page: int, page: int, filters: ListFilter
):
    """The sort key of the last product before ``page`` of a list (None if not known)."""
    by_category = category is not None
    params: dict = {"per_page": per_page, **filters.params}
    if by_category:
        params["category_id"] = category.id
    statement = _boundaries_statement(sort, by_category, filters.shape)
    shape = (sort, category.id if by_category else None, per_page, filters)
    found = list_positions.boundaries(
        shape, lambda: [tuple(row) for row in db.session.execute(statement, params)]
    )
    if found is None or len(found) < page - 1:
        return None
    return found[page - 2]


@cache
def _product_statement() -> Select:
    return (
        select(Product)
        .where(Product.slug == bindparam("slug"), Product.is_active)
        .options(
            joinedload(Product.category),
            selectinload(Product.images),
            selectinload(Product.options),
            selectinload(Product.variants),
        )
    )


def active_product(slug: str) -> Product | None:
    """The product page's product with its category, images, options and variants (four
    queries, whatever their number), if on sale."""
    return db.session.scalar(_product_statement(), {"slug": slug})
