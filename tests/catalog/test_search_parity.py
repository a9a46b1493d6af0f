"""PostgreSQL's search finds what SQLite's finds: the same products, in the same order for
every sort but best match (whose scores differ: bm25 and ts_rank), for the same words, in the
same catalog, with categories and the cap; and corrects the same mistyped words the same way."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import insert

from jomso import create_app
from jomso.catalog.models import Category, Product
from jomso.catalog.queries import list_products
from jomso.catalog.search import bulk_indexing
from jomso.database import utcnow
from jomso.extensions import db
from tests.conftest import _test_config

pytestmark = pytest.mark.postgresql_only(reason="compares PostgreSQL with SQLite side by side")

MATERIALS = ["Stoneware", "Enamel", "Crème Linen", "Oak", "Recycled Glass", "Brass", "Wool"]
NOUNS = ["Mug", "Teapot", "T-shirt", "Lamp Shade", "Desk Lamp", "Throw", "Mixing Bowl", "Jar"]
PHRASES = [
    "Made for the first coffee of the day.", "A warm light for a dark evening.",
    "Holds 3.5 l, washes by hand.", "Naïve pattern, café colours.", "Sold by the piece.",
    "That suits almost any home.", "foo_bar stays one word", "Dishwasher safe (mostly).",
]  # fmt: skip
SEARCHES = [
    "mug", "mugs", "stonew", "lamp", "lamp shade", "linen lamp", "creme", "crème", "cafe",
    "naive", "t-shirt", "shirt", "3.5", "kit-000007", "KIT-0000", "foo_bar", "home", "a",
    "the", "xl", "st", "sto", "lampsh", "teapots", "washes hand", "zebra", "oak jar",
    # mistyped: the same corrections, the same corrected results
    "lmap", "stonewre mug", "teapto", "enamle jar", "linnen", "wooll throw", "desk lampp",
    "mixng bowl", "brss", "recyled glas", "xqzvbnk", "creem", "shrit",
]  # fmt: skip


def _catalog(count: int = 160) -> tuple[list[dict], list[dict]]:
    rng = random.Random(16)
    now = utcnow()
    categories = [{"id": 1, "name": "Kitchen", "slug": "kitchen", "position": 0},
                  {"id": 2, "name": "Living", "slug": "living", "position": 1}]  # fmt: skip
    products = []
    for number in range(1, count + 1):
        name = f"{rng.choice(MATERIALS)} {rng.choice(NOUNS)}"
        created = now - timedelta(hours=rng.uniform(1, 2000))
        products.append({
            "id": number, "name": name, "slug": f"p-{number}", "sku": f"KIT-{number:06d}",
            "description": " ".join(rng.sample(PHRASES, 3)),
            "price_cents": rng.choice([900, 1250, 1250, 4000, 8800]), "stock": 5,
            "is_active": rng.random() > 0.1, "created_at": created, "updated_at": created,
            "category_id": rng.choice([1, 2, None]),
        })  # fmt: skip
    return categories, products


def _fill(app, categories, products) -> None:
    with app.app_context():
        db.session.execute(insert(Category), categories)
        with bulk_indexing(db.session):
            db.session.execute(insert(Product), products)
        if db.engine.dialect.name == "postgresql":  # the ids were given: go on after them
            for table in ("categories", "products"):
                db.session.execute(db.text(f"SELECT setval('{table}_id_seq', 1000)"))
        db.session.commit()


def _results(app, cap: int) -> dict:
    app.config["SEARCH_MAX_RESULTS"] = cap
    found = {}
    with app.app_context():
        kitchen = db.session.get(Category, 1)
        for query in SEARCHES:
            for category in (None, kitchen):
                for sort in ("relevance", "price_asc", "price_desc", "newest", "name"):
                    page = list_products(query=query, sort=sort, category=category, per_page=200)
                    ids = [row.id for row in page.items]
                    key = (query, category is not None, sort)
                    # best match: the same products (its scores differ between the databases)
                    found[key] = (
                        page.total,
                        page.capped,
                        sorted(ids) if sort == "relevance" else ids,
                        page.suggestion,
                        page.showing_suggestion,
                    )
        db.session.remove()
    return found


def test_postgresql_finds_what_sqlite_finds(app, tmp_path, monkeypatch):
    categories, products = _catalog()
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "sqlite-instance"))
    sqlite_app = create_app(_test_config(f"sqlite:///{tmp_path / 'twin.sqlite3'}"))
    with sqlite_app.app_context():
        from jomso.cli import init_schema

        init_schema()
    _fill(sqlite_app, categories, products)
    _fill(app, categories, products)
    try:
        for cap in (1000, 20):  # all listed; and capped: the 20 newest matches
            on_sqlite, on_postgresql = _results(sqlite_app, cap), _results(app, cap)
            differences = {
                key: (on_sqlite[key], on_postgresql[key])
                for key in on_sqlite
                if on_sqlite[key] != on_postgresql[key]
            }
            assert differences == {}
            assert any(total for total, *_ in on_sqlite.values())
            assert on_sqlite["stonew", False, "newest"][0] > 0
            assert on_sqlite["creme", False, "newest"][0] > 0
            assert on_sqlite["t-shirt", False, "newest"][0] > 0
            assert on_sqlite["lmap", False, "newest"][3:] == ("lamp", True)
            assert on_sqlite["stonewre mug", False, "newest"][3:] == ("stoneware mug", True)
            assert on_sqlite["xqzvbnk", False, "newest"] == (0, False, [], None, False)
    finally:
        with sqlite_app.app_context():
            db.session.remove()
            db.engine.dispose()
