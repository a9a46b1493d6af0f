"""Full-text product search: SQLite FTS5 by default, PostgreSQL's text search otherwise.

SQLite: ``products_fts`` is an FTS5 table with external content (the ``products`` rows
themselves) indexing the name, the variants' SKUs and option values (``variant_text``, kept by
``variants.refresh_summaries``) and description of the products on sale (``is_active``),
with the porter stemmer over unicode61. Triggers keep it in sync with every insert, delete and
change of those columns (stock and price updates do not touch it). Indexing only active products
lets a search be counted and ranked from the index alone, without visiting the products table.
``SQLITE_DDL`` holds every statement: ``install_search_ddl`` runs them right after
``create_all`` creates the products table, and the initial Alembic migration can run the same
list (``op.execute`` each; ``SQLITE_DROP`` undoes them). The index also holds the prefixes of
3 to 6 letters (``INDEXED_PREFIXES``), so that a last word typed as a prefix is read like a
word; migration 0003 rebuilt the index of databases made with the former '2 3'.

PostgreSQL: the same search over a stored, generated ``tsvector`` column of the products
(``search_document``, weighted name A, SKU B, description C) with a GIN index over the
products on sale, in a text search configuration that splits, folds and stems words as FTS5
does (``POSTGRESQL_DDL``; migration 0007 made it). A prefix is ``'word':*`` in the query.

Whatever a visitor types becomes a safe query: only word characters survive, each term is
quoted, and the last term of ``MIN_PREFIX`` (3) letters or more also matches as a prefix, so
punctuation or FTS syntax never errors. Results are ranked with bm25 (``ts_rank`` with the
same weights on PostgreSQL: name and SKU weigh more than the description).

The cost of a search is bounded, whatever is typed. ``candidates`` reads the ids of the
matches, newest first, and stops one past the cap (``JOMSO_SEARCH_MAX_RESULTS``): that is the
count, and above the cap the cap's most recently added matches are all the search lists. The
page's statement then takes those ids as a JSON array (``chosen_ids``): the index is not read
again for a sort by price, name or date. Best match is bm25 (``ranked``) when it is cheap: FTS5's
bm25 first counts every match of every word in the whole catalog, so it is used only when
neither the search nor any of its words alone matches more than the cap (``candidates`` counts
each word up to the cap and one more). Otherwise ``name_tier`` puts the candidates with every
word in their name or SKU first, newest first within each tier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    ColumnElement,
    Float,
    Integer,
    Select,
    bindparam,
    case,
    cast,
    event,
    false,
    func,
    literal_column,
    select,
    table,
    text,
    true,
)
from sqlalchemy import column as sql_column

from jomso.catalog import vocabulary

MAX_TERMS = 12
# The last word is also a prefix from this length on: "st*" or "a*" would match most of the
# catalog, and a shorter word still finds itself ("xl", "uv").
MIN_PREFIX = 3
# The prefix lengths the index holds (SQLITE_DDL's prefix='3 4 5 6'; migration 0003 rebuilt
# the index of databases made with '2 3'): FTS5 reads such a prefix lazily, like a word. Any
# other prefix makes it merge the whole lists of every word it begins (with their positions)
# each time it is matched, which for a prefix of words in nearly every product ("home*")
# costs about as much as reading the catalog. Up to 6 letters covers the prefixes that begin
# many words; a longer one begins few, so its merge is small ("named" still takes it whole).
# Each length costs index space: about 12 MB more at 100,000 products than '2 3'.
INDEXED_PREFIXES = (3, 4, 5, 6)
# Relative weights of name, sku and description in the ranking.
BM25_WEIGHTS = (10.0, 5.0, 1.0)

_INDEX_NEW = """INSERT INTO products_fts(rowid, name, variant_text, description)
        SELECT new.id, new.name, new.variant_text, new.description WHERE new.is_active;"""
_UNINDEX_OLD = """INSERT INTO products_fts(products_fts, rowid, name, variant_text, description)
        SELECT 'delete', old.id, old.name, old.variant_text, old.description WHERE old.is_active;"""
_SQLITE_INSERT_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_insert
    AFTER INSERT ON products BEGIN
        {_INDEX_NEW}
    END"""

SQLITE_DDL: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(
        name, variant_text, description,
        content='products', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2',
        prefix='3 4 5 6'
    )""",
    _SQLITE_INSERT_TRIGGER,
    f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_delete AFTER DELETE ON products BEGIN
        {_UNINDEX_OLD}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS products_fts_after_update
    AFTER UPDATE OF name, variant_text, description, is_active ON products BEGIN
        {_UNINDEX_OLD}
        {_INDEX_NEW}
    END""",
    # (Re)index the products that already exist (none on a new database), so running this
    # list again is harmless. Not 'rebuild': that would index inactive products too.
    "INSERT INTO products_fts(products_fts) VALUES ('delete-all')",
    """INSERT INTO products_fts(rowid, name, variant_text, description)
        SELECT id, name, variant_text, description FROM products WHERE is_active""",
)
SQLITE_DROP: tuple[str, ...] = (
    "DROP TRIGGER IF EXISTS products_fts_after_insert",
    "DROP TRIGGER IF EXISTS products_fts_after_delete",
    "DROP TRIGGER IF EXISTS products_fts_after_update",
    "DROP TABLE IF EXISTS products_fts",
)

# PostgreSQL: a stored, generated ``tsvector`` column, ``products.search_document`` (not in
# the model, like products_fts), with a GIN index over the products on sale. Its text search
# configuration reads text as FTS5's tokenizer does: every run of characters that are not
# letters or digits separates words (the regexp, before PostgreSQL's parser sees the text, so
# "t-shirt", "3.5" or "a@b.com" are words as on SQLite), diacritics are folded (``unaccent``,
# as remove_diacritics), words are stemmed with the same Porter stemmer, and no word is a
# stop word (``STOPWORDS`` below applies to both databases). The weights rank as BM25_WEIGHTS
# do: name A, SKU B, description C (``POSTGRESQL_RANK_WEIGHTS``).
POSTGRESQL_CONFIG = "jomso_search"
POSTGRESQL_COLUMN = "search_document"
_PG_WORDS = (
    "to_tsvector('jomso_search', regexp_replace(coalesce({c}, ''), '[^[:alnum:]]+', ' ', 'g'))"
)
POSTGRESQL_DOCUMENT = " || ".join(
    f"setweight({_PG_WORDS.format(c=column)}, '{weight}')"
    for column, weight in (("name", "A"), ("variant_text", "B"), ("description", "C"))
)
# ts_rank's weights, in the order D, C, B, A: description 1, SKU 5, name 10 (as BM25_WEIGHTS).
POSTGRESQL_RANK_WEIGHTS = "'{0.1, 0.1, 0.5, 1.0}'::float4[]"
POSTGRESQL_DDL: tuple[str, ...] = (
    # A trusted extension (the database's owner may create it); part of Debian's package.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'jomso_porter') "
    "THEN CREATE TEXT SEARCH DICTIONARY jomso_porter (TEMPLATE = snowball, Language = porter);"
    " END IF; END $$",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'jomso_search') "
    "THEN CREATE TEXT SEARCH CONFIGURATION jomso_search (PARSER = default); "
    "ALTER TEXT SEARCH CONFIGURATION jomso_search ADD MAPPING FOR "
    "asciiword, word, numword, int, uint WITH unaccent, jomso_porter; END IF; END $$",
    f"ALTER TABLE products ADD COLUMN IF NOT EXISTS {POSTGRESQL_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({POSTGRESQL_DOCUMENT}) STORED",
    f"CREATE INDEX IF NOT EXISTS ix_products_search_document ON products "
    f"USING gin ({POSTGRESQL_COLUMN}) WHERE is_active",
)
POSTGRESQL_DROP: tuple[str, ...] = (
    "DROP INDEX IF EXISTS ix_products_search_document",
    f"ALTER TABLE products DROP COLUMN IF EXISTS {POSTGRESQL_COLUMN}",
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {POSTGRESQL_CONFIG}",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS jomso_porter",
)

_TERM = re.compile(r"\w+")
_fts = table("products_fts", sql_column("rowid"))
_products = table(
    "products",
    sql_column("id"),
    sql_column("is_active", Boolean),
    sql_column(POSTGRESQL_COLUMN),
)


def _terms(text: str) -> list[str]:
    return [t for t in _TERM.findall(text) if t.strip("_")][:MAX_TERMS]


# Words too common to narrow a search (and slow to rank: they match nearly every product);
# dropped unless nothing else is left. English, like the porter stemmer; the same list on
# PostgreSQL, whose configuration (``POSTGRESQL_DDL``) has no stop words of its own.
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "of", "on", "or", "the", "this", "to", "with",
))  # fmt: skip


def _search_terms(text: str) -> list[str]:
    terms = _terms(text.lower())
    return [term for term in terms if term not in STOPWORDS] or terms


def fts_query(text: str, prefix_lengths: range | tuple = range(MIN_PREFIX, 1000)) -> str | None:
    """The visitor's words as a safe FTS5 query (all terms, the last one of ``MIN_PREFIX``
    letters or more also as a prefix; only of ``prefix_lengths`` letters when given), or None.

    >>> fts_query('Mugs, "blue" OR -lamp')
    '"mugs" "blue" "lamp"*'
    >>> fts_query("blue st")
    '"blue" "st"'
    """
    terms = _search_terms(text)
    if not terms:
        return None
    quoted = [f'"{term}"' for term in terms]
    if len(terms[-1]) >= MIN_PREFIX and len(terms[-1]) in prefix_lengths:
        quoted[-1] += "*"
    return " ".join(quoted)


def ts_query(text: str, weights: str = "") -> str | None:
    """The visitor's words as a safe ``to_tsquery`` text for PostgreSQL, with the same words
    as ``fts_query``: every term required, the last one of ``MIN_PREFIX`` letters or more also
    as a prefix (``:*``), each quoted. A term with underscores is a phrase of its parts, as
    FTS5 reads ``"foo_bar"``. ``to_tsquery`` stems each word as the document's words were.
    ``weights`` ("AB": the name and the SKU) limits every word to those parts.

    >>> ts_query('Mugs, "blue" OR -lamp')
    "'mugs' & 'blue' & 'lamp':*"
    >>> ts_query("blue st foo_bar")
    "'blue' & 'st' & ('foo' <-> 'bar':*)"
    """
    terms = _search_terms(text)
    if not terms:
        return None
    parts = []
    for index, term in enumerate(terms):
        words = [f"'{word}'" for word in term.split("_") if word]
        if index == len(terms) - 1 and len(term) >= MIN_PREFIX:
            words[-1] += ":*"
        if weights:
            words = [word + (weights if ":" in word else f":{weights}") for word in words]
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


def search_value(text: str, dialect: str) -> str | None:
    """The ``search`` parameter for the statements below: an FTS5 query on SQLite, a
    ``to_tsquery`` text on PostgreSQL; None when the text holds no searchable word (then
    nothing should be filtered)."""
    if dialect == "postgresql":
        return ts_query(text)
    return fts_query(text)


class Search(NamedTuple):
    """The parameters of the statements below for one search, and how many ``word<n>``."""

    params: dict[str, str]
    words: int


def search_params(text: str, dialect: str) -> Search | None:
    """``search``, ``named`` (the same words, found in the name or SKU) and, on SQLite,
    ``word0``, ``word1``...: each word alone, exactly, then the last one as a prefix when it
    is one. On SQLite ``named`` matches a last word longer than the indexed prefixes whole.
    None when the text holds no searchable word."""
    value = search_value(text, dialect)
    if value is None:
        return None
    if dialect == "postgresql":  # the words in the name (weight A) or the SKU (B)
        return Search({"search": value, "named": ts_query(text, weights="AB")}, 0)
    named = fts_query(text, prefix_lengths=INDEXED_PREFIXES)
    params = {"search": value, "named": f"{{name variant_text}} : ({named})"}
    words = [f'"{term}"' for term in _search_terms(text)]
    if value.endswith("*"):
        words.append(value.rsplit(" ", 1)[-1])
    params.update((f"word{index}", word) for index, word in enumerate(words))
    return Search(params, len(words))


# The statements take the search as the bound parameter ``search``: they are built once per
# shape and reused, so a request pays neither for building nor for compiling them.
SEARCH = bindparam("search")
NAMED = bindparam("named")
# JOMSO_SEARCH_MAX_RESULTS + 1: reading candidates stops there.
CANDIDATE_LIMIT = bindparam("candidate_limit")
IDS = bindparam("ids")  # the chosen candidates, a JSON array of ids
LOWEST = bindparam("lowest")  # the lowest chosen id


def _tsquery(parameter=SEARCH) -> ColumnElement:
    return func.to_tsquery(literal_column(f"'{POSTGRESQL_CONFIG}'"), parameter)


def _match(dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return _products.c[POSTGRESQL_COLUMN].op("@@")(_tsquery())
    return literal_column("products_fts").op("MATCH")(SEARCH)


def _matches(dialect: str, among: Select | None) -> Select:
    """The ids (``id``) of the matching active products, optionally only among the ids that
    ``among`` selects (e.g. a category's products); unordered, unlimited."""
    if dialect == "postgresql":
        query = select(_products.c.id.label("id")).where(_match(dialect), _products.c.is_active)
        if among is not None:
            query = query.where(_products.c.id.in_(among))
        return query
    query = select(_fts.c.rowid.label("id")).where(_match(dialect))
    if among is not None:
        # The unary + keeps SQLite from driving the index by this list (one MATCH per listed
        # id, fifty times slower): it matches once, then checks the list.
        query = query.where(literal_column("+products_fts.rowid").in_(among))
    return query


def candidates(dialect: str, among: Select | None = None, words: int = 0) -> Select:
    """``id`` of the matches, the most recently added first, at most ``:candidate_limit`` (one
    more than the cap, so that "more than the cap" shows), and ``common``: whether one of the
    ``words`` (``:word0``...) alone matches more than the cap, which makes bm25 as costly as
    that word is common (always false on PostgreSQL, whose ``ts_rank`` reads no statistics).
    The words are counted in turn and only until one is common: the last word as a prefix,
    the one that can cost a merge (when longer than the indexed prefixes), comes last."""
    if dialect == "postgresql":
        # PostgreSQL chooses by the column's statistics: the GIN index finds a rare word's
        # matches first, then keeps the newest; for a word in most products it walks the
        # products newest first and stops at the cap, as FTS5 does (testing the stored column,
        # never the text again). Forcing the first way made "a" read and test every row.
        query = _matches(dialect, among).add_columns(false().label("common"))
        return query.order_by(_products.c.id.desc()).limit(CANDIDATE_LIMIT)
    common = false()
    if words:  # CASE, unlike OR, stops at the first true count
        common = case(*[(_common(index), true()) for index in range(words)], else_=false())
    query = _matches(dialect, among).add_columns(common.label("common"))
    return query.order_by(_fts.c.rowid.desc()).limit(CANDIDATE_LIMIT)


def _common(index: int) -> ColumnElement:
    """Whether ``:word<index>`` alone matches more than the cap: counted up to the cap + 1."""
    one = select(_fts.c.rowid).where(
        literal_column("products_fts").op("MATCH")(bindparam(f"word{index}"))
    )
    counted = select(func.count()).select_from(one.limit(CANDIDATE_LIMIT).subquery())
    return counted.scalar_subquery() >= CANDIDATE_LIMIT


def chosen_ids(dialect: str):
    """The ids of the JSON array ``:ids`` as a subquery with an ``id`` column."""
    if dialect == "postgresql":
        values = func.json_array_elements_text(cast(IDS, JSON)).table_valued("value")
    else:
        values = func.json_each(IDS).table_valued("value")
    return select(cast(values.c.value, Integer).label("id")).subquery("chosen")


def name_tier(dialect: str, chosen) -> ColumnElement:
    """0 for the ``chosen`` ids that have every word in their name or SKU, 1 for the others:
    best match for a search that bm25 would make costly. On SQLite it reads only the part of
    the index at or above ``:lowest``, the lowest chosen id, and a last word longer than the
    indexed prefixes as a whole word (see ``search_params``), so that it costs no merge. On
    PostgreSQL it tests each chosen row's stored document, read by its key."""
    if dialect == "postgresql":
        # Each chosen row is read by its key (at most the cap of them), not the index.
        named = select(_products.c.id).where(
            _products.c.id == chosen.c.id,
            _products.c[POSTGRESQL_COLUMN].op("@@")(_tsquery(NAMED)),
        )
        return case((named.exists(), 0), else_=1)
    named = select(_fts.c.rowid).where(
        literal_column("products_fts").op("MATCH")(NAMED), _fts.c.rowid >= LOWEST
    )
    return case((chosen.c.id.in_(named.correlate(None)), 0), else_=1)


def ranked(dialect: str, among: Select | None = None) -> Select:
    """``id`` and ``rank`` (lower is better) of the matches, optionally only among the ids that
    ``among`` selects (e.g. a category's products). Reads every match, and bm25 counts every
    match of every word: only for a search whose words each match no more than the cap."""
    if dialect == "postgresql":
        weights = literal_column(POSTGRESQL_RANK_WEIGHTS)
        document = _products.c[POSTGRESQL_COLUMN]
        rank = -func.ts_rank(weights, document, _tsquery(), type_=Float)
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
    part of the transaction, so other connections never see the trigger missing. On both
    databases, the words of the new products' names join the vocabulary ("did you mean")."""
    before = session.execute(text("SELECT coalesce(max(id), 0) FROM products")).scalar()
    if session.get_bind().dialect.name != "sqlite":
        yield
        vocabulary.count_new_products(session, before)
        return
    session.execute(text("DROP TRIGGER IF EXISTS products_fts_after_insert"))
    yield
    vocabulary.count_new_products(session, before)
    session.execute(
        text(
            "INSERT INTO products_fts(rowid, name, variant_text, description) "
            "SELECT id, name, variant_text, description FROM products "
            "WHERE id > :before AND is_active"
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
