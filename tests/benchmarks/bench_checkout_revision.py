"""What a checkout a second does to the page cache: anonymous pages served in-process (one
worker, a mix of the home, list, deep list and product pages), while once a second a sale
takes one unit of a random product in stock, with the statements a checkout runs (its
variant's stock, then ``refresh_stock_totals``). Printed for the catalog revision's triggers as
they are and as they were before migration 0017 (every stock change raised it): requests a
second and the share served from the cache.

    python -m tests.benchmarks.bench_checkout_revision --products 2000 --seconds 10
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, select, text, update

from tests.benchmarks.bench_catalog import make_app, seed

_MIGRATION = (
    Path(__file__).parents[2] / "migrations/versions/0017_catalog_revision_shown_changes.py"
)


def _old_triggers(app) -> None:
    """The triggers before 0017: every update of a product or variant raises the revision."""
    from jomso.extensions import db

    spec = importlib.util.spec_from_file_location("m0017", _MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        for statement in migration._sqlite(when=False):
            db.session.execute(text(statement))
        db.session.commit()


def _sell_one(app, rng: random.Random) -> None:
    from jomso.catalog.models import ProductVariant
    from jomso.catalog.variants import refresh_stock_totals
    from jomso.extensions import db

    with app.app_context():
        ids = db.session.execute(
            select(ProductVariant.id, ProductVariant.product_id).where(ProductVariant.stock > 0)
        ).all()
        variant_id, product_id = rng.choice(ids)
        db.session.execute(
            update(ProductVariant)
            .where(ProductVariant.id == variant_id)
            .values(stock=ProductVariant.stock - 1)
        )
        refresh_stock_totals([product_id])
        db.session.commit()


def run(old: bool, args) -> tuple[float, float, int]:
    from jomso.catalog.models import Product
    from jomso.extensions import db

    with tempfile.TemporaryDirectory() as instance:
        app = make_app(Path(instance))
        seed(app, args.products)
        if old:
            _old_triggers(app)
        with app.app_context():
            slugs = db.session.scalars(select(Product.slug).where(Product.is_active)).all()
        rng = random.Random(7)
        urls = ["/", "/products", *(f"/products?page={n}" for n in range(2, 12))]
        urls += [f"/products/{slug}" for slug in rng.sample(slugs, 40)]
        client = app.test_client()
        for url in urls:  # warm: every page once
            client.get(url)
        statements = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        served = hits = sales = 0
        start = next_sale = time.perf_counter()
        while (now := time.perf_counter()) - start < args.seconds:
            if now >= next_sale:
                _sell_one(app, rng)
                sales += 1
                next_sale += 1.0
            statements.clear()
            client.get(rng.choice(urls))
            served += 1
            reads = len(statements)
            hits += reads <= 2  # the revision (and the page view): from the cache
        elapsed = time.perf_counter() - start
        return served / elapsed, hits / served, sales


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    for label, old in (("before 0017 (every stock change)", True), ("now (shown changes)", False)):
        rate, hit, sales = run(old, args)
        print(f"{label:34} {rate:7.0f} req/s  {hit:6.1%} from the cache  ({sales} sales)")


if __name__ == "__main__":
    main()
