"""Full-text product search: SQLite FTS5 by default, PostgreSQL's text search otherwise.

SQLite: ``products_fts`` is an FTS5 table with external content (the ``products`` rows
themselves) indexing the name, SKU and description of the products on sale (``is_active``),
with the porter stemmer over unicode61. Triggers keep it in sync with every insert, delete and
change of those columns (stock and price updates do not touch it). Indexing only active products
lets a search be counted and ranked from the index alone, without visiting the products table.
``SQLITE_DDL`` holds every statement: ``install_search_ddl`` runs them right after
``create_all`` creates the products table, and the initial Alembic migration can run the same
list (``op.execute`` each; ``SQLITE_DROP`` undoes them). On PostgreSQL the equivalent is a GIN
expression index over a weighted ``tsvector`` (``POSTGRESQL_DDL``).

Whatever a visitor types becomes a safe query: only word characters survive, each term is
quoted, and the last term of ``MIN_PREFIX`` (3) letters or more also matches as a prefix, so
punctuation or FTS syntax never errors. Results are ranked with bm25 (name and SKU weigh more
than the description).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    DDL,
    Boolean,
    ColumnElement,
    Float,
    Select,
    bindparam,
    event,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy import column as sql_column

MAX_TERMS = 12
# The last word is also a prefix from this length on: "st*" or "a*" would match most of the
# catalog, and a shorter word still finds itself ("xl", "uv").
MIN_PREFIX = 3
# Relative weights of name, sku and description in the ranking.
BM25_WEIGHTS = (10.0, 5.0, 1.0)

_INDEX_NEW = """INSERT INTO products_fts(rowid, name, sku, description)
        SELECT new.id, new.name, new.sku, new.description WHERE new.is_active;"""
_UNINDEX_OLD = """INSERT INTO products_fts(products_fts, rowid, name, sku, description)
        SELECT 'delete', old.id, old.name, old.sku, old.description WHERE old.is_active;"""
_SQLITE_INSERT_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_insert
    AFTER INSERT ON products BEGIN
        {_INDEX_NEW}
    END"""

SQLITE_DDL: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(
        name, sku, description,
        content='products', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='2 3'
    )""",
    _SQLITE_INSERT_TRIGGER,
    f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_delete AFTER DELETE ON products BEGIN
        {_UNINDEX_OLD}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_update
    AFTER UPDATE OF name, sku, description, is_active ON products BEGIN
        {_UNINDEX_OLD}
        {_INDEX_NEW}
    END""",
    # (Re)index the products that already exist (none on a new database), so running this
    # list again is harmless. Not 'rebuild': that would index inactive products too.
    "INSERT INTO products_fts(products_fts) VALUES ('delete-all')",
    """INSERT INTO products_fts(rowid, name, sku, description)
        SELECT id, name, sku, description FROM products WHERE is_active""",
)
SQLITE_DROP: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS products_fts_after_insert",
    "DROP TRIGGER IF EXISTS products_fts_after_delete",
    "DROP TRIGGER IF EXISTS products_fts_after_update",
    "DROP TABLE IF EXISTS products_fts",
)

# The same expression in the index and in queries, so PostgreSQL uses the index.
POSTGRESQL_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce({t}name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce({t}sku, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce({t}description, '')), 'B')"
)
POSTGRESQL_DDL: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS ix_products_search ON products USING gin (("
    + POSTGRESQL_DOCUMENT.format(t="")
    + "))",
)
POSTGRESQL_DROP: tuple[str, ...] = ("DROP INDEX IF EXISTS ix_products_search",)

_TERM = re.compile(r"\w+")
_fts = table("products_fts", sql_column("rowid"))
_products = table("products", sql_column("id"), sql_column("is_active", Boolean))


def _terms(text: str) -> list[str]:
    return [t for t in _TERM.findall(text) if t.strip("_")][:MAX_TERMS]


# Words too common to narrow a search (and slow to rank: they match nearly every product);
# dropped unless nothing else is left. English, like the porter stemmer; PostgreSQL's
# 'english' configuration drops its own list.
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "of", "on", "or", "the", "this", "to", "with",
))  # fmt: skip


def fts_query(text: str) -> str | None:
    """The visitor's words as a safe FTS5 query (all terms, the last one of ``MIN_PREFIX``
    letters or more also as a prefix), or None.

    >>> fts_query('Mugs, "blue" OR -lamp')
    '"mugs" "blue" "lamp"*'
    >>> fts_query("blue st")
    '"blue" "st"'
    """
    terms = _terms(text.lower())
    terms = [term for term in terms if term not in STOPWORDS] or terms
    if not terms:
        return None
    quoted = [f'"{term}"' for term in terms]
    if len(terms[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)


def search_value(text: str, dialect: str) -> str | None:
    """The ``search`` parameter for the statements below: an FTS5 query on SQLite, plain
    words for PostgreSQL's ``plainto_tsquery``; None when the text holds no searchable word
    (then nothing should be filtered)."""
    if dialect == "postgresql":
        return " ".join(_terms(text)) or None
    return fts_query(text)


# The statements take the search as the bound parameter ``search``: they are built once per
# shape and reused, so a request pays neither for building nor for compiling them.
SEARCH = bindparam("search")


def _document():
    return literal_column("(" + POSTGRESQL_DOCUMENT.format(t="products.") + ")")


def _match(dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return _document().op("@@")(func.plainto_tsquery("english", SEARCH))
    return literal_column("products_fts").op("MATCH")(SEARCH)


def matching_ids(dialect: str) -> Select:
    """Ids of the matching active products: use as ``Product.id.in_(...)``. SQLite reads the
    index once (a correlated MATCH per product row would be thousands of times slower)."""
    if dialect == "postgresql":
        return select(_products.c.id).where(_match(dialect), _products.c.is_active)
    return select(_fts.c.rowid).where(_match(dialect))


def count_matches(dialect: str) -> Select | None:
    """A count of all matches straight from the index, or None where there is no shortcut."""
    if dialect == "postgresql":
        return None
    return select(func.count()).select_from(_fts).where(_match(dialect))


def ranked(dialect: str, among: Select | None = None) -> Select:
    """``id`` and ``rank`` (lower is better) of the matches, optionally only among the ids that
    ``among`` selects (e.g. a category's products)."""
    if dialect == "postgresql":
        tsquery = func.plainto_tsquery("english", SEARCH)
        rank = -func.ts_rank(_document(), tsquery, type_=Float)
        query = select(_products.c.id.label("id"), rank.label("rank")).where(
            _match(dialect), _products.c.is_active
        )
        if among is not None:
            query = query.where(_products.c.id.in_(among))
        return query
    weights = [literal_column(repr(w)) for w in BM25_WEIGHTS]
    rank = func.bm25(literal_column("products_fts"), *weights, type_=Float)
    query = select(_fts.c.rowid.label("id"), rank.label("rank")).where(_match(dialect))
    if among is not None:
        # The unary + keeps SQLite from driving the index by this list (one MATCH per listed
        # id, fifty times slower): it matches once, then checks the list.
        query = query.where(literal_column("+products_fts.rowid").in_(among))
    return query


@contextmanager
def bulk_indexing(session) -> Iterator[None]:
    """Around a bulk insert of products in one transaction: on SQLite, index the new rows with
    one statement at the end instead of one trigger run per row (ten times faster). The DDL is
    part of the transaction, so other connections never see the trigger missing."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("SELECT coalesce(max(id), 0) FROM products")).scalar()
    session.execute(text("DROP TRIGGER IF EXISTS products_fts_after_insert"))
    yield
    session.execute(
        text(
            "INSERT INTO products_fts(rowid, name, sku, description) "
            "SELECT id, name, sku, description FROM products WHERE id > :before AND is_active"
        ),
        {"before": before},
    )
    session.execute(text(_SQLITE_INSERT_TRIGGER))


def install_search_ddl(target_table) -> None:
    """Create the search index right after the products table, on SQLite and PostgreSQL."""
    for statement in SQLITE_DDL:
        event.listen(target_table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in SQLITE_DROP:
        event.listen(target_table, "before_drop", DDL(statement).execute_if(dialect="sqlite"))
    for statement in POSTGRESQL_DDL:
        event.listen(target_table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
