"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from jomso.extensions import db
from jomso.schema import head_revision


def _include(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name.startswith("products_fts"))


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _include, "render_as_batch": True}
        )
        assert compare_metadata(context, db.metadata) == []


def test_migrations_install_search_and_revision_triggers(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert "products_fts" in tables
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        triggers = set(
            db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        )
    assert {"products_fts_after_insert", "products_revision_after_update"} <= triggers


def _fts_sql(app) -> str:
    with app.app_context():
        return db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'products_fts'")
        ).scalar()


def test_0003_rebuilds_the_search_index_with_longer_prefixes_active_products_only(app, client):
    """A database at 0001 (index with prefix='2 3', made here by downgrading) with products,
    some inactive: upgraded to head, its index holds prefixes of 3 to 6 letters and only the
    active products, and the triggers still keep it in sync."""
    from flask_migrate import downgrade, upgrade

    from tests.catalog.helpers import make_product, names_on, update_product

    assert "prefix='3 4 5 6'" in _fts_sql(app)
    with app.app_context():
        downgrade(revision="0001")
        db.session.remove()
    assert "prefix='2 3'" in _fts_sql(app)
    make_product(app, "Stoneware Bowl", description="Homeware for the table.")
    hidden = make_product(app, "Stonewashed Cloth", description="Homely.", is_active=False)
    make_product(app, "Glass Jar", description="For the kitchen.")

    with app.app_context():
        upgrade()
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        head = head_revision()
        db.session.remove()
    assert version == head
    fts_sql = _fts_sql(app)
    assert "prefix='3 4 5 6'" in fts_sql and "prefix='2 3'" not in fts_sql
    with app.app_context():

        def matches(query):
            return db.session.scalars(
                text("SELECT rowid FROM products_fts WHERE products_fts MATCH :q"), {"q": query}
            ).all()

        assert len(matches("stone*")) == 1  # not the inactive cloth
        assert matches("homel*") == matches("stonewash*") == []
    assert names_on(client.get("/products?q=ston").text) == ["Stoneware Bowl"]  # 4 letters
    assert names_on(client.get("/products?q=homew").text) == ["Stoneware Bowl"]
    assert names_on(client.get("/products?q=glass").text) == ["Glass Jar"]

    # the triggers still index changes
    update_product(app, hidden, is_active=True)
    make_product(app, "Stonecast Planter")
    assert sorted(names_on(client.get("/products?q=ston").text)) == [
        "Stonecast Planter",
        "Stoneware Bowl",
        "Stonewashed Cloth",
    ]
