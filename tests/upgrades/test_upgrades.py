"""Upgrades keep a shop's data. A database is built the way a shop lived through the
releases, with the rows of every case in ``tests/upgrades/cases.py`` written in SQL for the
schema of its revision; ``init_schema`` (what ``init-db`` runs) migrates it to head; then no
table has lost a row and every case's check passes through the app. On SQLite and on
PostgreSQL."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from jomso import create_app
from jomso.backups.databases import row_counts
from jomso.cli import init_schema
from jomso.extensions import db
from jomso.schema import database_revision, head_revision, script_directory
from tests import services
from tests.conftest import _test_config
from tests.upgrades.cases import BUILT_ON_DEMAND, CASES, CASES_REQUIRED_FROM, UpgradeCase


def revision_chain() -> list[str]:
    """Every revision, oldest first (the migrations are one line)."""
    return [script.revision for script in script_directory().walk_revisions()][::-1]


def shop_at(tmp_path, monkeypatch, database_url: str):
    """An app on ``database_url`` with its own instance folder; nothing migrated yet."""
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**_test_config(tmp_path / "unused.sqlite3"), "DATABASE_URL": database_url})


def build_through_the_releases(app, cases: tuple[UpgradeCase, ...] = CASES) -> None:
    """Migrate to each case's revision in turn and insert its rows there."""
    with app.app_context():
        order = revision_chain()
        for case in sorted(cases, key=lambda c: order.index(c.revision)):
            upgrade(revision=case.revision)
            for row in case.rows:
                statement, params = (row, {}) if isinstance(row, str) else row
                db.session.execute(text(statement), params)
            db.session.commit()
        db.session.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A new, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shop.sqlite3'}"
        return
    url = services.create_database(request.getfixturevalue("postgres_admin_url"))
    yield url
    services.drop_database(url)


def test_a_shop_built_through_the_releases_upgrades_to_head_with_its_data(
    tmp_path, monkeypatch, database_url
):
    app = shop_at(tmp_path, monkeypatch, database_url)
    build_through_the_releases(app)
    with app.app_context():
        with db.engine.connect() as connection:
            before = row_counts(connection)
        init_schema()
        db.session.remove()
        with db.engine.connect() as connection:
            after = row_counts(connection)
        assert database_revision() == head_revision()

    changes: dict[str, int | None] = {}
    for case in CASES:
        for table, change in case.row_changes.items():
            changes[table] = None if change is None else (changes.get(table) or 0) + change
    expected = {
        table: count + (changes.get(table) or 0)
        for table, count in before.items()
        if not (table in changes and changes[table] is None)
    }
    assert {table: after.get(table) for table in expected} == expected
    # a shop with a row in every table, so that every migration meets data
    empty = [table for table, count in before.items() if not count]
    assert [table for table in empty if table not in BUILT_ON_DEMAND] == []

    for case in CASES:
        case.check(app, app.test_client())
    with app.app_context():
        db.engine.dispose()


def test_every_migration_since_the_release_has_a_case(app):
    """A migration revising ``R`` (from ``CASES_REQUIRED_FROM`` on) brings a case at ``R``."""
    with app.app_context():
        chain = revision_chain()
    revisions = [case.revision for case in CASES]
    assert len(set(revisions)) == len(revisions), "two cases at one revision: merge them"
    assert set(revisions) <= set(chain), (
        f"cases at unknown revisions: {set(revisions) - set(chain)}"
    )
    start = chain.index(CASES_REQUIRED_FROM)
    missing = [
        f"migration {migration} (revises {revised}): add UpgradeCase(revision={revised!r}, ...)"
        for revised, migration in zip(chain[start:], chain[start + 1 :], strict=False)
        if revised not in revisions
    ]
    assert missing == [], "\n".join(["tests/upgrades/cases.py has no case for", *missing])
