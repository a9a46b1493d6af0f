"""Search: safe queries from any input, bm25 ranking, the index kept in sync by triggers."""

import pytest
from sqlalchemy import DDL, text

from jomso.catalog.models import Product
from jomso.catalog.search import fts_query
from jomso.extensions import db
from tests.catalog.helpers import make_category, make_product, names_on, update_product


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mug", '"mug"*'),
        ("Blue MUGS", '"blue" "mugs"*'),
        ('mug" OR name:*', '"mug" "name"*'),
        ("a", '"a"'),  # only common words: searched all the same
        ("the lamp in", '"lamp"*'),
        ("NEAR(x y) AND -c ^d", '"near" "x" "y" "c" "d"'),
        ("crème brûlée", '"crème" "brûlée"*'),
        ("!!! ??? ***", None),
        ("", None),
        ("___", None),
    ],
)
def test_fts_query_is_always_safe(typed, expected):
    assert fts_query(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ['"', "'", "(", ")", "*", "mug*", "-mug", "mug OR", "AND", "NEAR(", "name:mug", "{x}", "^",
     "%", "\\", "mug;drop table products", "\x00", "ünïcödé", "x" * 500],
)  # fmt: skip
def test_any_search_text_answers_without_error(client, typed):
    make_product(client.application, "Blue Mug")
    response = client.get("/products", query_string={"q": typed})
    assert response.status_code == 200


def test_search_finds_by_name_sku_description_and_prefix(client):
    app = client.application
    make_product(app, "Blue Mug", sku="KIT-000777", description="Stoneware, holds tea.")
    make_product(app, "Linen Towel", description="Soft and thirsty.")
    assert names_on(client.get("/products?q=mug").text) == ["Blue Mug"]
    assert names_on(client.get("/products?q=mugs").text) == ["Blue Mug"]  # stemmed
    assert names_on(client.get("/products?q=stonew").text) == ["Blue Mug"]  # prefix
    assert names_on(client.get("/products?q=KIT-000777").text) == ["Blue Mug"]
    assert names_on(client.get("/products?q=thirsty+towel").text) == ["Linen Towel"]
    empty = client.get("/products?q=teapot")
    assert names_on(empty.text) == []
    assert "Nothing matches “teapot”" in empty.text


def test_ranking_prefers_name_matches(client):
    app = client.application
    make_product(app, "Garden Kneeler", description="Kind to knees. Not a lamp.", age_days=1)
    make_product(app, "Brass Lamp", description="A warm light.", age_days=50)
    make_product(app, "Lamp Shade Lamp", description="For any lamp base.", age_days=90)
    ranked = names_on(client.get("/products?q=lamp").text)
    assert ranked == ["Lamp Shade Lamp", "Brass Lamp", "Garden Kneeler"]
    # another order on request
    by_newest = names_on(client.get("/products?q=lamp&sort=newest").text)
    assert by_newest == ["Garden Kneeler", "Brass Lamp", "Lamp Shade Lamp"]


def test_search_within_category_and_pages(client):
    app = client.application
    lighting = make_category(app, "Lighting")
    for i in range(30):
        make_product(app, f"Lamp {i}", category_id=lighting, sku=f"L-{i}")
    make_product(app, "Lamp Outside", sku="X-1")
    page = client.get("/products?q=lamp&category=lighting&page=2")
    assert len(names_on(page.text)) == 6
    assert "30 products in Lighting" in page.text
    assert "Lamp Outside" not in page.text
    assert "31 products" in client.get("/products?q=lamp").text


def test_index_follows_changes(client):
    app = client.application
    product_id = make_product(app, "Blue Mug", description="Holds tea.", sku="T-1")
    update_product(app, product_id, name="Green Teapot")
    assert names_on(client.get("/products?q=mug").text) == []
    assert names_on(client.get("/products?q=teapot").text) == ["Green Teapot"]
    update_product(app, product_id, is_active=False)
    assert names_on(client.get("/products?q=teapot").text) == []
    update_product(app, product_id, is_active=True)
    assert names_on(client.get("/products?q=teapot").text) == ["Green Teapot"]
    update_product(app, product_id, stock=0, price_cents=1)  # does not touch the index
    with app.app_context():
        db.session.delete(db.session.get(Product, product_id))
        db.session.commit()
    assert names_on(client.get("/products?q=teapot").text) == []


@pytest.mark.sqlite_only(reason="FTS5's index is a table of its own, kept by triggers")
def test_a_deleted_product_leaves_no_row_in_the_fts_index(client):
    app = client.application
    product_id = make_product(app, "Green Teapot")
    with app.app_context():
        db.session.delete(db.session.get(Product, product_id))
        db.session.commit()
        count = db.session.execute(
            text("SELECT count(*) FROM products_fts WHERE products_fts MATCH 'teapot'")
        ).scalar()
    assert count == 0


def test_search_ddl_can_run_again_on_a_filled_catalog(client):
    from jomso.catalog.search import POSTGRESQL_DDL, SQLITE_DDL

    app = client.application
    make_product(app, "Blue Mug")
    make_product(app, "Hidden Mug", is_active=False)
    with app.app_context():
        dialect = db.engine.dialect.name
        for statement in SQLITE_DDL if dialect == "sqlite" else POSTGRESQL_DDL:
            db.session.execute(DDL(statement))
        db.session.commit()
    assert names_on(client.get("/products?q=mug").text) == ["Blue Mug"]
    assert "1 product" in client.get("/products?q=mug").text
