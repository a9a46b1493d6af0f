"""Shared fixtures: an app on a fresh SQLite file per test, a client, a CLI runner."""

from __future__ import annotations

import re
import shutil

import pytest

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db


def _test_config(database) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": f"sqlite:///{database}",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "shop.test",
        # Mail is delivered (to the outbox) right after the commit that queued it, so what a
        # test finds in the outbox after a request is final. tests/test_mail.py covers the
        # sender thread and the send-mail command.
        "MAIL_DELIVERY": "commit",
    }


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory):
    """A database file with the schema made by ``init_schema`` (the migrations), made once;
    each test starts from a copy, which is much faster than migrating per test."""
    folder = tmp_path_factory.mktemp("schema")
    database = folder / "template.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JOMSO_INSTANCE_PATH", str(folder / "instance"))
        template_app = create_app(_test_config(database))
    with template_app.app_context():
        init_schema()
        db.session.remove()
        db.engine.dispose()  # the last connection folds the WAL back into the file
    return database


@pytest.fixture
def app(tmp_path, monkeypatch, schema_template):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    database = tmp_path / "test.sqlite3"
    shutil.copyfile(schema_template, database)
    app = create_app(_test_config(database))
    # No app context stays pushed during the test: each request gets its own, as in production
    # (a shared one would leak ``g``, and with it the signed-in user, between requests).
    # Touch the database in a test with ``with app.app_context():``.
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page, as a browser would submit it."""
    match = _CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture(scope="session")
def postgres_admin_url():
    """The admin URL of a PostgreSQL server for this test session (tests/services.py); create
    a database on it with ``services.create_database``."""
    from tests import services

    with services.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def _redis_server(tmp_path_factory):
    from tests import services

    with services.redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(_redis_server):
    """The URL of a redis-server for this test session, emptied before each test."""
    import redis

    client = redis.Redis.from_url(_redis_server)
    client.flushall()
    client.close()
    return _redis_server
