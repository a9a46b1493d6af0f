"""The words of the names of the products on sale: what search offers for a mistyped word.

``search_words`` (``models.SearchWord``) holds each word of three to ``MAX_LENGTH`` letters
(``name_words``: lower case, diacritics folded, digits and other characters separate words)
and the number of products on sale whose name holds it. It follows the products as they
change: before each flush (``_follow_products``), the words of every product added, renamed,
put on sale, hidden or deleted are counted in or out in one upsert, and words no product holds
any more are deleted. Only a change of ``name`` or ``is_active`` touches it: a price, stock,
SKU, description or category change costs nothing. Rows inserted without the ORM (the demo
data, the benchmarks) are counted by ``count_new_products`` (``search.bulk_indexing`` calls
it); ``rebuild`` counts the whole catalog again (migration 0012 does the same).

Words are found by their trigrams, the three-letter pieces of the word padded with two spaces
in front and one behind as PostgreSQL's pg_trgm pads it ("  l", " la", "lam", "amp", "mp ")
so that a word shares at least its first letter's trigram with a typo of it. SQLite: an FTS5
table with the ``trigram`` tokenizer (SQLite 3.34 or later) over the padded words, kept by
triggers on ``search_words``. PostgreSQL: a GIN ``gin_trgm_ops`` index (the ``pg_trgm``
extension) over the same padded text, read with ``LIKE '%gram%'``. Both find exactly the words
that contain one of the trigrams asked for, so both databases offer the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from sqlalchemy import DDL, bindparam, column, delete, event, inspect, select, table, text
from sqlalchemy.orm import Session

MIN_LENGTH = 3  # shorter words are never offered
MAX_LENGTH = 40  # nor longer ones (the column holds 64)
_WORD = re.compile(r"[^\W\d_]+")
_words = table("search_words", column("word"), column("products"))  # models.SearchWord

SQLITE_TRIGRAMS = "search_words_trigrams"
SQLITE_DDL: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_words_trigrams USING fts5(
        word, content='search_words', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER IF NOT EXISTS search_words_after_insert AFTER INSERT ON search_words
    BEGIN
        INSERT INTO search_words_trigrams(rowid, word) VALUES (new.id, '  ' || new.word || ' ');
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_words_after_delete AFTER DELETE ON search_words
    BEGIN
        INSERT INTO search_words_trigrams(search_words_trigrams, rowid, word)
        VALUES ('delete', old.id, '  ' || old.word || ' ');
    END""",
)
POSTGRESQL_DDL: tuple[str, ...] = (
    # A trusted extension (the database's owner may create it); part of Debian's package.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_search_words_trigrams ON search_words "
    "USING gin (('  ' || word || ' ') gin_trgm_ops)",
)


def fold(text: str) -> str:
    """Lower case without diacritics, as the search index reads words ("Café" → "cafe")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_words(name: str | None) -> set[str]:
    """The words of a product name that the vocabulary holds.

    >>> sorted(name_words("Stoneware Mug, 2-pack (Café)"))
    ['cafe', 'mug', 'pack', 'stoneware']
    """
    words = _WORD.findall(fold(name or ""))
    return {word for word in words if MIN_LENGTH <= len(word) <= MAX_LENGTH}


def trigrams(word: str) -> set[str]:
    """The padded trigrams of a word, as pg_trgm makes them.

    >>> sorted(trigrams("lamp"))
    ['  l', ' la', 'amp', 'lam', 'mp ']
    """
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _apply(session: Session, changes: Counter) -> None:
    """Add each word's change of count; delete the words no product holds any more."""
    changes = Counter({word: n for word, n in changes.items() if n})
    if not changes:
        return
    connection = session.connection()
    connection.execute(
        text(
            "INSERT INTO search_words (word, products) VALUES (:word, :n) "
            "ON CONFLICT (word) DO UPDATE SET products = search_words.products + excluded.products"
        ),
        [{"word": word, "n": n} for word, n in sorted(changes.items())],
    )
    dropped = sorted(word for word, n in changes.items() if n < 0)
    if dropped:
        connection.execute(
            delete(_words).where(
                _words.c.products <= 0, _words.c.word.in_(bindparam("dropped", expanding=True))
            ),
            {"dropped": dropped},
        )


def _counted(rows) -> Counter:
    counts: Counter = Counter()
    for (name,) in rows:
        counts.update(name_words(name))
    return counts


def count_new_products(session: Session, after_id: int) -> None:
    """Count in the words of the products on sale with an id above ``after_id`` (inserted
    without the ORM, in bulk)."""
    rows = session.execute(
        text("SELECT name FROM products WHERE id > :after AND is_active"), {"after": after_id}
    )
    _apply(session, _counted(rows))


def rebuild(session: Session) -> None:
    """Count every word of the products on sale again, from nothing."""
    session.execute(delete(_words))
    _apply(session, _counted(session.execute(text("SELECT name FROM products WHERE is_active"))))


def install_vocabulary(product_class, words_table) -> None:
    """Create the trigram index with ``search_words`` and keep the words up to date with
    every flush that adds, renames, shows, hides or deletes a product."""
    for statement in SQLITE_DDL:
        event.listen(words_table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in POSTGRESQL_DDL:
        event.listen(words_table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    event.listen(
        words_table,
        "before_drop",
        DDL(f"DROP TABLE IF EXISTS {SQLITE_TRIGRAMS}").execute_if(dialect="sqlite"),
    )

    def follow_products(session: Session, flush_context, instances) -> None:
        _follow_products(session, product_class)

    event.listen(Session, "before_flush", follow_products)


def _changed(product) -> bool:
    attrs = inspect(product).attrs
    return attrs.name.history.has_changes() or attrs.is_active.history.has_changes()


def _follow_products(session: Session, product_class) -> None:
    added = [p for p in session.new if isinstance(p, product_class)]
    deleted = [p for p in session.deleted if isinstance(p, product_class)]
    changed = [p for p in session.dirty if isinstance(p, product_class) and _changed(p)]
    if not (added or deleted or changed):
        return
    counts: Counter = Counter()
    for product in [*added, *changed]:
        if product.is_active is not False:  # None: the column's default, on sale
            counts.update(name_words(product.name))
    before = [p.id for p in [*deleted, *changed] if p.id is not None]
    if before:  # what the database holds now: the words counted so far
        products = product_class.__table__
        rows = session.connection().execute(
            select(products.c.name).where(
                products.c.id.in_(bindparam("ids", expanding=True)), products.c.is_active
            ),
            {"ids": before},
        )
        counts.subtract(_counted(rows))
    _apply(session, counts)
