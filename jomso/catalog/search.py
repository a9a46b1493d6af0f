"""Full-text product search: SQLite FTS5 by default, PostgreSQL's text search otherwise.

SQLite: ``products_fts`` is an FTS5 table with external content (the ``products`` rows
themselves), indexing name, SKU and description with the porter stemmer over unicode61. Triggers
keep it in sync with every insert, delete and change of those three columns (stock and price
updates do not touch it). ``SQLITE_DDL`` holds every statement: ``install_search_ddl`` runs them
after ``create_all`` creates the products table, and the initial Alembic migration can run the
same list (``op.execute`` each; ``SQLITE_DROP`` undoes them). On PostgreSQL the equivalent is a
GIN expression index over a weighted ``tsvector`` (``POSTGRESQL_DDL``).

Whatever a visitor types becomes a safe query: only word characters survive, each term is
quoted, and the last term also matches as a prefix, so punctuation or FTS syntax never errors.
Results are ranked with bm25 (name and SKU weigh more than the description).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    DDL,
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
# Relative weights of name, sku and description in the ranking.
BM25_WEIGHTS = (10.0, 5.0, 1.0)

_SQLITE_INSERT_TRIGGER = """CREATE TRIGGER IF NOT EXISTS products_fts_after_insert
    AFTER INSERT ON products BEGIN
        INSERT INTO products_fts(rowid, name, sku, description)
        VALUES (new.id, new.name, new.sku, new.description);
    END"""

SQLITE_DDL: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(
        name, sku, description,
        content='products', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='2 3'
    )""",
    _SQLITE_INSERT_TRIGGER,
    """CREATE TRIGGER IF NOT EXISTS products_fts_after_delete AFTER DELETE ON products BEGIN
        INSERT INTO products_fts(products_fts, rowid, name, sku, description)
        VALUES ('delete', old.id, old.name, old.sku, old.description);
    END""",
    """CREATE TRIGGER IF NOT EXISTS products_fts_after_update
    AFTER UPDATE OF name, sku, description ON products BEGIN
        INSERT INTO products_fts(products_fts, rowid, name, sku, description)
        VALUES ('delete', old.id, old.name, old.sku, old.description);
        INSERT INTO products_fts(rowid, name, sku, description)
        VALUES (new.id, new.name, new.sku, new.description);
    END""",
    # Index the rows that existed before the table (a no-op on an empty catalog).
    "INSERT INTO products_fts(products_fts) VALUES ('rebuild')",
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


def fts_query(text: str) -> str | None:
    """The visitor's words as a safe FTS5 query (all terms, last one as a prefix), or None.

    >>> fts_query('Mugs, "blue" OR -lamp')
    '"mugs" "blue" "or" "lamp"*'
    """
    terms = [t for t in _TERM.findall(text.lower()) if t.strip("_")][:MAX_TERMS]
    if not terms:
        return None
    quoted = [f'"{term}"' for term in terms]
    if len(terms[-1]) >= 2:  # a one-letter prefix would match half the vocabulary
        quoted[-1] += "*"
    return " ".join(quoted)


def search_terms(text: str) -> str | None:
    """The words of a query for PostgreSQL's ``plainto_tsquery`` (it ignores punctuation)."""
    terms = [t for t in _TERM.findall(text) if t.strip("_")][:MAX_TERMS]
    return " ".join(terms) or None


def matches(text: str, dialect: str) -> Select | None:
    """A select of ``id`` and ``rank`` (lower is better) of the products matching ``text``.

    Join it on ``Product.id``; None when the text holds no searchable word.
    """
    if dialect == "postgresql":
        terms = search_terms(text)
        if terms is None:
            return None
        document = literal_column("(" + POSTGRESQL_DOCUMENT.format(t="products.") + ")")
        query = func.plainto_tsquery("english", bindparam("search_terms", terms))
        products = table("products", sql_column("id"))
        return select(
            products.c.id.label("id"),
            (-func.ts_rank(document, query, type_=Float)).label("rank"),
        ).where(document.op("@@")(query))

    query_text = fts_query(text)
    if query_text is None:
        return None
    fts = table("products_fts", sql_column("rowid"))
    weights = [literal_column(repr(w)) for w in BM25_WEIGHTS]
    return select(
        fts.c.rowid.label("id"),
        func.bm25(literal_column("products_fts"), *weights, type_=Float).label("rank"),
    ).where(literal_column("products_fts").op("MATCH")(bindparam("fts_query", query_text)))


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
            "SELECT id, name, sku, description FROM products WHERE id > :before"
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
