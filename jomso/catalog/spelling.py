"""Search's "did you mean": the closest word of the names on sale for each mistyped word.

``suggest`` reads, in one statement, the vocabulary words (``vocabulary``) that share a
trigram with a word of the search and are about as long, the words typed that the vocabulary
holds exactly (or without an English ending: "lamps" is "lamp" to the search's stemmer), and
whether the last word begins one (a prefix is not a typo). Then, for each word of
``MIN_TYPO`` letters or more that the vocabulary does not hold, it picks the closest
word within ``max_edits`` (one letter added, dropped, changed or two swapped, for words of up
to five letters; two for longer ones): the fewest edits first, then the word in the most
products, then the most trigrams in common, then the alphabet. A word of the vocabulary, a
shorter word, a word with digits and a word nothing is close to stay as typed; a search none
of whose words changes has no suggestion. The candidates are the same rows on SQLite and
PostgreSQL and the choice is made here, so both databases suggest the same words.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from sqlalchemy import TextClause, text

from jomso.catalog.search import MIN_PREFIX, STOPWORDS, _terms
from jomso.catalog.vocabulary import MAX_LENGTH, fold, trigrams

MIN_TYPO = 4  # shorter words are never corrected ("mug", "tea", "xl")
CANDIDATE_LIMIT = 2000  # the most frequent first, beyond the words typed and the prefix
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Suggestion:
    """``query``: the search with its mistyped words corrected; ``products``: how many
    products on sale hold the least common of the corrected words (at most what the corrected
    search finds)."""

    query: str
    products: int


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """The optimal string alignment distance (a swap of two neighbours is one edit), or
    ``limit`` + 1 as soon as it must be more than ``limit``.

    >>> edit_distance("lmap", "lamp", 2), edit_distance("stonewre", "stoneware", 2)
    (1, 1)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return min(row[-1], limit + 1)


def similarity(a: str, b: str) -> float:
    """Trigrams in common over trigrams in either, as pg_trgm's ``similarity``."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second)


# English endings the search's stemmer reads past: "lamps" is a word when "lamp" is one.
_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
            ("ing", "e"))  # fmt: skip


def _bases(word: str) -> set[str]:
    """The word without an English ending, as the vocabulary may hold it.

    >>> sorted(_bases("lamps")), sorted(_bases("glazed"))
    (['lamp'], ['glaz', 'glaze'])
    """
    return {
        word[: -len(ending)] + base
        for ending, base in _ENDINGS
        if word.endswith(ending) and len(word) - len(ending) >= MIN_TYPO - 1
    }


def _typos(query: str) -> list[str]:
    """The words of the search that may be corrected."""
    return [
        word
        for word in dict.fromkeys(fold(term) for term in _terms(query.lower()))
        if MIN_TYPO <= len(word) <= MAX_LENGTH
        and _LETTERS.fullmatch(word)
        and word not in STOPWORDS
    ]


# The three parts of the statement: the words typed that the vocabulary holds, the words with
# one of the trigrams (``:grams``) of about their length, a word that begins with ``:prefix``.
_PG_EXACT = """SELECT word, products FROM search_words
    WHERE word IN (SELECT json_array_elements_text(CAST(:words AS json)))"""
_PG_CLOSE = """SELECT * FROM (SELECT word, products FROM search_words
    WHERE ('  ' || word || ' ') LIKE ANY (:grams) AND length(word) BETWEEN :shortest AND :longest
    ORDER BY products DESC, word COLLATE "C" LIMIT :limit) AS close"""
_PG_BEGINS = """SELECT * FROM (SELECT word, products FROM search_words
    WHERE ('  ' || word || ' ') LIKE :prefix LIMIT 1) AS begins"""
_SQLITE_EXACT = """SELECT word, products FROM search_words
    WHERE word IN (SELECT value FROM json_each(:words))"""
_SQLITE_CLOSE = """SELECT * FROM (SELECT w.word, w.products FROM search_words_trigrams
    JOIN search_words AS w ON w.id = search_words_trigrams.rowid
    WHERE search_words_trigrams MATCH :grams AND length(w.word) BETWEEN :shortest AND :longest
    ORDER BY w.products DESC, w.word LIMIT :limit) AS close"""
_SQLITE_BEGINS = """SELECT * FROM (SELECT w.word, w.products FROM search_words_trigrams
    JOIN search_words AS w ON w.id = search_words_trigrams.rowid
    WHERE search_words_trigrams MATCH :prefix LIMIT 1) AS begins"""


@cache
def _statement(dialect: str, prefix: bool) -> TextClause:
    """Takes ``words`` (a JSON array: those typed and their ``_bases``), ``grams``,
    ``shortest``, ``longest``, ``limit`` and, with ``prefix``, ``prefix``: ``word`` and
    ``products`` of the words typed that the vocabulary holds, of at most ``limit`` words with
    one of the trigrams, and of one word that begins with the prefix."""
    if dialect == "postgresql":
        parts = [_PG_EXACT, _PG_CLOSE] + ([_PG_BEGINS] if prefix else [])
    else:
        parts = [_SQLITE_EXACT, _SQLITE_CLOSE] + ([_SQLITE_BEGINS] if prefix else [])
    return text(" UNION ".join(parts))


def _search_grams(word: str) -> set[str]:
    """The trigrams to find candidates by: all of a short word's; a word of six letters or
    more leaves out its first letter's ("  s", which every word beginning with it holds): a
    word within two edits of it still shares some of its other trigrams."""
    grams = trigrams(word)
    return grams - {f"  {word[0]}"} if len(word) >= 6 else grams


def _params(dialect: str, words: list[str], known: list[str], prefix: str | None) -> dict:
    grams = sorted(set().union(*(_search_grams(word) for word in words)))
    params = {
        "words": json.dumps(known),
        "shortest": min(len(word) - max_edits(word) for word in words),
        "longest": max(len(word) + max_edits(word) for word in words),
        "limit": CANDIDATE_LIMIT,
    }
    if dialect == "postgresql":
        params["grams"] = [f"%{gram}%" for gram in grams]
        if prefix:
            params["prefix"] = f"  {prefix}%"
    else:
        params["grams"] = " OR ".join(f'"{gram}"' for gram in grams)
        if prefix:
            params["prefix"] = f'"  {prefix}"'
    return params


def _bag_distance(letters: Counter, other: str) -> int:
    """A lower bound of the edit distance, cheap to compute: the letters one word has more
    of, or fewer, than the other (a swap changes none, any other edit one or two)."""
    rest = letters.copy()
    rest.subtract(other)
    return max(sum(n for n in rest.values() if n > 0), -sum(n for n in rest.values() if n < 0))


def _closest(word: str, vocabulary: dict[str, int]) -> str | None:
    limit = max_edits(word)
    letters = Counter(word)
    best = None
    for candidate, products in vocabulary.items():
        if abs(len(candidate) - len(word)) > limit or _bag_distance(letters, candidate) > limit:
            continue
        edits = edit_distance(word, candidate, limit)
        if edits > limit:
            continue
        key = (edits, -products, -similarity(word, candidate), candidate)
        if best is None or key < best:
            best = key
    return best[-1] if best else None


def suggest(session, query: str) -> Suggestion | None:
    """The search ``query`` with its mistyped words corrected, or None (one statement, none
    when no word may be corrected)."""
    words = _typos(query)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    terms = _terms(query.lower())
    last = fold(terms[-1]) if terms else ""
    prefix = last if last in words and len(last) >= MIN_PREFIX else None
    bases = {word: _bases(word) for word in words}
    known = sorted(set(words).union(*bases.values()))
    statement = _statement(dialect, prefix is not None)
    rows = session.execute(statement, _params(dialect, words, known, prefix))
    vocabulary = {row.word: row.products for row in rows}
    corrections: dict[str, str] = {}
    for word in words:
        if word in vocabulary or bases[word] & vocabulary.keys():
            continue
        if word == prefix and any(known.startswith(prefix) for known in vocabulary):
            continue
        if closest := _closest(word, vocabulary):
            corrections[word] = closest
    if not corrections:
        return None
    corrected = " ".join(corrections.get(fold(term), term) for term in terms)
    return Suggestion(corrected, min(vocabulary[word] for word in corrections.values()))
