"""The Alembic migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from jomso.catalog import search
from jomso.extensions import db


def _include(obj, name, type_, reflected, compare_to):
    """The search index is the database's own machinery, not the models': FTS5's tables on
    SQLite, a generated column and its GIN index on PostgreSQL (``jomso.catalog.search``); so
    is the vocabulary's trigram index (``jomso.catalog.vocabulary``)."""
    if type_ == "table" and name.startswith(("products_fts", "search_words_trigrams")):
        return False
    return not (type_ in ("column", "index") and name in SEARCH_OBJECTS)


SEARCH_OBJECTS = {
    search.POSTGRESQL_COLUMN,
    "ix_products_search_document",
    "ix_search_words_trigrams",
}


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _include, "render_as_batch": True}
        )
        assert compare_metadata(context, db.metadata) == []


@pytest.mark.sqlite_only(reason="FTS5 and SQLite's triggers; the PostgreSQL twin follows")
def test_migrations_install_search_and_revision_triggers(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert "products_fts" in tables
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        triggers = set(
            db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        )
    assert {"products_fts_after_insert", "products_revision_after_update"} <= triggers


def _head(app) -> str:
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_current_head()


def _fts_sql(app) -> str:
    with app.app_context():
        return db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'products_fts'")
        ).scalar()


@pytest.mark.postgresql_only(reason="the search column and deferred triggers of PostgreSQL")
def test_migrations_install_the_search_column_and_deferred_revision_triggers(app):
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("products")}
        indexes = set(db.session.scalars(text("SELECT indexname FROM pg_indexes")))
        triggers = dict(
            db.session.execute(
                text("SELECT tgname, tgdeferrable FROM pg_trigger WHERE NOT tgisinternal")
            ).all()
        )
    assert search.POSTGRESQL_COLUMN in columns
    assert "ix_products_search_document" in indexes and "ix_products_search" not in indexes
    assert triggers == {
        **{
            f"{table}_revision_at_commit": True
            for table in (
                "products",
                "categories",
                "product_images",
                "product_options",
                "product_variants",
            )
        },
        # updates of these raise the revision only when a page shows the change (0017)
        "products_revision_update_at_commit": True,
        "product_variants_revision_update_at_commit": True,
    }


@pytest.mark.sqlite_only(reason="0003 rebuilds FTS5's table; it does nothing on PostgreSQL")
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
    _old_product(app, "Stoneware Bowl", description="Homeware for the table.")
    hidden = _old_product(app, "Stonewashed Cloth", description="Homely.", is_active=False)
    _old_product(app, "Glass Jar", description="For the kitchen.")

    with app.app_context():
        upgrade()
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.remove()
    assert version == _head(app)  # 0003 and every later migration ran
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


def _old_product(app, name: str, description: str = "", is_active: bool = True) -> int:
    """A product written in SQL for a schema before 0015 (its SKU and stock on the product;
    the models' own writes follow the head's schema, such as the search words of 0012)."""
    from jomso.catalog.editing import slugify

    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO products (name, slug, sku, description, price_cents, stock, "
                "is_active, created_at, updated_at) VALUES (:name, :slug, :sku, :description, "
                "1250, 10, :active, '2026-10-01 10:00:00', '2026-10-01 10:00:00')"
            ),
            {
                "name": name,
                "slug": slugify(name),
                "sku": f"SKU-{slugify(name).upper()}",
                "description": description,
                "active": is_active,
            },
        )
        found = db.session.execute(
            text("SELECT id FROM products WHERE slug = :slug"), {"slug": slugify(name)}
        ).scalar()
        db.session.commit()
        return found


def _revision_before(app, revision: str) -> str:
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def _references_to_accounts() -> dict[str, int]:
    """How many rows of each table point at an account, per foreign key (of the tables the
    database has at its revision: later migrations' tables are not there after a downgrade)."""
    from sqlalchemy import func, inspect, select

    counts = {}
    present = set(inspect(db.session.connection()).get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in present:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                counts[f"{table.name}.{fk.parent.name}"] = db.session.execute(
                    select(func.count()).select_from(table).where(fk.parent.is_not(None))
                ).scalar()
    return counts


def _users_sql(app) -> str:
    with app.app_context():
        return db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'users'")
        ).scalar()


@pytest.mark.sqlite_only(reason="0006 rebuilds SQLite's users table; PostgreSQL's ids never repeat")
def test_0006_rebuilds_users_with_autoincrement_and_keeps_every_reference(app):
    """Accounts with addresses, phones, sign-ins, policy acceptances, orders and access-log
    entries; one deleted (the access log keeps "deleted account #N"). Down to the revision
    before 0006 and up again: the users table is rebuilt both ways with foreign keys off, so
    no ON DELETE action empties or deletes the rows that point at an account; afterwards
    foreign keys are on, hold, and a new account gets an id past every id the log names, the
    deleted one's included."""
    from flask_migrate import downgrade, upgrade

    from tests.accounts.helpers import GOOD_PASSWORD, post_form, registered_customer
    from tests.helpers import login, make_user
    from tests.orders.helpers import buy

    assert "AUTOINCREMENT" in _users_sql(app)
    make_user(app, "desk@staff.example.org", roles=["orders"])
    assert login(app.test_client(), "desk@staff.example.org").status_code == 302
    kept = app.test_client()
    registered_customer(kept, email="kept@example.com")
    buy(app, kept)
    leaving = app.test_client()
    registered_customer(leaving, email="leaving@example.com")
    assert leaving.get("/staff/").status_code == 403  # an access-log entry with them as actor
    with app.app_context():
        leaving_id = db.session.execute(
            text("SELECT id FROM users WHERE email = 'leaving@example.com'")
        ).scalar()
    post_form(leaving, "/account/delete", {"current_password": GOOD_PASSWORD})
    with app.app_context():
        before = _references_to_accounts()
        labels = db.session.scalars(text("SELECT actor_label FROM access_log")).all()
    assert f"deleted account #{leaving_id}" in labels
    assert before["addresses.user_id"] and before["phones.user_id"] and before["orders.user_id"]
    assert before["access_log.actor_id"] and before["user_sessions.user_id"]

    with app.app_context():
        downgrade(revision=_revision_before(app, "0006"))
        db.session.remove()
    assert "AUTOINCREMENT" not in _users_sql(app)
    with app.app_context():
        older = _references_to_accounts()  # without the tables of later migrations
        assert older == {key: before[key] for key in older} and set(before) - set(older) == {
            "order_notes.author_id",
            "page_versions.created_by",
            "restock_requests.user_id",
            "shipments.actor_id",
        }
        # Without AUTOINCREMENT SQLite would give the deleted account's id to the next one.
        assert db.session.execute(text("SELECT max(id) FROM users")).scalar() < leaving_id
        upgrade()
        db.session.remove()
    assert "AUTOINCREMENT" in _users_sql(app)
    with app.app_context():
        assert _references_to_accounts() == before
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        columns = db.session.execute(text("PRAGMA table_info(consent_records)")).all()
        assert "gpc" in {column[1] for column in columns}
    assert make_user(app, "next@example.com") > leaving_id


@pytest.mark.postgresql_only(reason="0007 changes PostgreSQL's search and triggers only")
def test_0007_fills_the_search_column_and_raises_the_revision_at_commit(app, client):
    """A PostgreSQL database at 0003 (made here by downgrading: an 'english' expression
    index, whole words only, statement triggers) with products, one inactive: at head, a
    prefix finds them, the inactive one stays out, and a change raises the revision once."""
    from flask_migrate import downgrade, upgrade

    from jomso.catalog.page_cache import catalog_revision
    from tests.catalog.helpers import names_on, update_product

    with app.app_context():
        downgrade(revision="0003")
        db.session.remove()
    _old_product(app, "Stoneware Bowl", description="Homeware for the table.")
    hidden = _old_product(app, "Stonewashed Cloth", description="Homely.", is_active=False)
    _old_product(app, "Crème Jar", description="For the kitchen.")
    with app.app_context():
        upgrade()
        version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.remove()
    assert version == _head(app)  # 0007 and every later migration ran
    assert names_on(client.get("/products?q=stonew").text) == ["Stoneware Bowl"]
    assert names_on(client.get("/products?q=homew").text) == ["Stoneware Bowl"]
    assert names_on(client.get("/products?q=creme").text) == ["Crème Jar"]
    with app.app_context():
        before = catalog_revision()
        db.session.remove()
    update_product(app, hidden, is_active=True)
    with app.app_context():
        assert catalog_revision() == before + 1
    assert sorted(names_on(client.get("/products?q=stonew").text)) == [
        "Stoneware Bowl",
        "Stonewashed Cloth",
    ]
