"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from jomso.extensions import db


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
