"""The cost of "did you mean" at 10,000 and 100,000 products (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_spelling.py [--products 10000 100000]
        [--words 30000] [--runs 30] [--postgres-url URL]

The demo catalog's names come from a few hundred words whatever its size, which would flatter
the vocabulary; here every product's name is three words drawn from ``--words`` made-up words
(syllables, so that many are close to each other, as in a real language), so the vocabulary
grows with the catalog. For each size and database (SQLite, and a throwaway PostgreSQL from
``tests/services.py``) it inserts the products in bulk (``search.bulk_indexing``: the search
index and the vocabulary), then times, p50/p95 in milliseconds: ``spelling.suggest`` alone for
mistyped searches, ``list_products`` for a mistyped search (nothing found, then the
correction's results) beside the same search typed right, and a product rename (the flush
that moves its words).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SYLLABLES = ("ka", "lo", "mi", "ne", "ra", "su", "to", "vi", "an", "el", "or", "un", "ber",
             "dal", "fin", "gor", "hul", "jas", "mer", "pol", "sten", "war", "ell",
             "ish")  # fmt: skip


def _words(count: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]  # two letters swapped


def _percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{p50 * 1000:.1f}/{p95 * 1000:.1f}"


def measure(url: str, instance: Path, products: int, words: int, runs: int) -> None:
    os.environ["JOMSO_INSTANCE_PATH"] = str(instance)
    from sqlalchemy import func, insert, select, text

    from jomso import create_app
    from jomso.catalog.models import Product, SearchWord
    from jomso.catalog.queries import list_products
    from jomso.catalog.search import bulk_indexing
    from jomso.catalog.spelling import suggest
    from jomso.cli import init_schema
    from jomso.database import utcnow
    from jomso.extensions import db

    rng = random.Random(13)
    pool = _words(words, rng)
    app = create_app({"DATABASE_URL": url, "PAGE_CACHE_ENABLED": False})
    with app.app_context():
        init_schema()
        now = utcnow()
        started = time.perf_counter()
        with bulk_indexing(db.session):
            for start in range(0, products, 10_000):
                rows = []
                for number in range(start, min(products, start + 10_000)):
                    name = " ".join(rng.sample(pool, 3)).title()
                    rows.append({"name": name, "slug": f"p-{number}", "sku": f"S-{number}",
                                 "description": "", "price_cents": 1000, "stock": 5,
                                 "is_active": True, "created_at": now,
                                 "updated_at": now})  # fmt: skip
                db.session.execute(insert(Product), rows)
        db.session.commit()
        seeded = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":  # as autovacuum would have by now
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        vocabulary = db.session.scalar(select(func.count()).select_from(SearchWord))
        dialect = db.engine.dialect.name
        print(f"\n{dialect}, {products:,} products, {vocabulary:,} words in the vocabulary "
              f"(inserted and counted in {seeded:.1f} s); ms, p50/p95 of {runs} runs")  # fmt: skip
        common = db.session.scalars(
            select(SearchWord.word).order_by(SearchWord.products.desc()).limit(200)
        ).all()
        right = [rng.choice(common) for _ in range(runs)]
        typed = [_typo(word, rng) for word in right]
        pairs = [
            f"{_typo(a, rng)} {_typo(b, rng)}" for a, b in zip(right, reversed(right), strict=True)
        ]
        nonsense = ["xqzvbnkw"] * runs
        for label, queries in (("suggest, one word swapped", typed),
                               ("suggest, two words swapped", pairs),
                               ("suggest, nothing close", nonsense)):  # fmt: skip
            times, found = [], 0
            for query in queries:
                begun = time.perf_counter()
                found += suggest(db.session, query) is not None
                times.append(time.perf_counter() - begun)
            print(f"  {label:34} {_percentiles(times):>12}  ({found}/{len(queries)} corrected)")
        for label, queries in (("search typed right", right), ("search mistyped", typed)):
            times = []
            for query in queries:
                begun = time.perf_counter()
                page = list_products(query=query, sort="relevance")
                times.append(time.perf_counter() - begun)
            print(f"  {label:34} {_percentiles(times):>12}  (last: {page.total} found)")
        times = []
        ids = db.session.scalars(select(Product.id).limit(runs)).all()
        for product_id in ids:
            product = db.session.get(Product, product_id)
            begun = time.perf_counter()
            product.name = " ".join(rng.sample(pool, 3)).title()
            db.session.commit()
            times.append(time.perf_counter() - begun)
        print(f"  {'rename a product (commit)':34} {_percentiles(times):>12}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--words", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres-url", help="a server where databases may be made")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    from tests import services

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jomso-spelling-")))
        admin = None
        if not args.sqlite_only:
            admin = args.postgres_url or stack.enter_context(services.postgres_server())
        for products in args.products:
            instance = tmp / f"sqlite-{products}"
            instance.mkdir()
            url = f"sqlite:///{instance / 'jomso.sqlite3'}"
            measure(url, instance, products, args.words, args.runs)
            if admin:
                url = services.create_database(admin)
                stack.callback(services.drop_database, url)
                instance = tmp / f"postgresql-{products}"
                instance.mkdir()
                measure(url, instance, products, args.words, args.runs)


if __name__ == "__main__":
    main()
