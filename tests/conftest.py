"""Shared fixtures: an app on a fresh database per test (SQLite, or PostgreSQL with
``--database=postgresql`` or ``JOMSO_TEST_DATABASE=postgresql``), a client, a CLI runner.

Each test's database is a copy of a template with the migrated schema, made once per session:
a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL (a throwaway server
started by ``tests/services.py``). A test that only makes sense on one database says so with
``@pytest.mark.sqlite_only(reason=...)`` or ``@pytest.mark.postgresql_only(reason=...)``; on
the other database it is skipped with that reason.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db

DATABASES = ("sqlite", "postgresql")
_ONLY = {"sqlite": "sqlite_only", "postgresql": "postgresql_only"}


def pytest_addoption(parser):
    parser.addoption(
        "--database",
        choices=DATABASES,
        default=os.environ.get("JOMSO_TEST_DATABASE") or "sqlite",
        help="the database the app fixture runs on (default: $JOMSO_TEST_DATABASE or sqlite)",
    )


def pytest_report_header(config):
    return f"database: {config.getoption('--database')}"


# A test that asks for none of these opens no test database.
DATABASE_FIXTURES = {"database_url", "schema_template", "postgres_admin_url"}


def pytest_collection_modifyitems(config, items):
    """Skip the tests marked for the other database, with the marker's reason. On PostgreSQL,
    skip the tests that open no test database too: they ran, the same, on SQLite."""
    database = config.getoption("--database")
    for item in items:
        uses_database = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        if database == "postgresql" and not uses_database:
            item.add_marker(pytest.mark.skip(reason="opens no test database: see the SQLite run"))
        for other, marker_name in _ONLY.items():
            marker = item.get_closest_marker(marker_name)
            if marker is None or other == database:
                continue
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            label = "SQLite" if other == "sqlite" else "PostgreSQL"
            item.add_marker(pytest.mark.skip(reason=f"{label} only: {reason}".rstrip(": ")))


@pytest.fixture(scope="session")
def test_database(request) -> str:
    """``"sqlite"`` or ``"postgresql"``: the database this session's ``app`` fixture uses."""
    return request.config.getoption("--database")


def _test_config(database_url) -> dict:
    """The settings of a test app on ``database_url`` (a URL, or the path of an SQLite file)."""
    if "://" not in str(database_url):
        database_url = f"sqlite:///{database_url}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "shop.test",
        # Mail is delivered (to the outbox) right after the commit that queued it, so what a
        # test finds in the outbox after a request is final. tests/test_mail.py covers the
        # sender thread and the send-mail command.
        "MAIL_DELIVERY": "commit",
    }


def _migrate(database_url: str, instance) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JOMSO_INSTANCE_PATH", str(instance))
        template_app = create_app(_test_config(database_url))
    with template_app.app_context():
        init_schema()
        db.session.remove()
        db.engine.dispose()  # SQLite: the last connection folds the WAL back into the file


@pytest.fixture(scope="session")
def schema_template(request, tmp_path_factory, test_database) -> str:
    """The URL of a database with the schema made by ``init_schema`` (the migrations), made
    once; each test starts from a copy, which is much faster than migrating per test."""
    folder = tmp_path_factory.mktemp("schema")
    if test_database == "postgresql":
        from tests import services

        url = services.create_database(request.getfixturevalue("postgres_admin_url"))
    else:
        url = f"sqlite:///{folder / 'template.sqlite3'}"
    _migrate(url, folder / "instance")
    return url


@pytest.fixture(scope="session")
def sqlite_schema_file(request, tmp_path_factory, test_database) -> str:
    """The path of an SQLite file with the migrated schema, whatever the run's database: for
    tests of a shop whose database is a file in its instance folder (backups, erasure from the
    files, the doctor). On a PostgreSQL run they are skipped unless they open a test database
    too: they ran, the same, on SQLite."""
    if test_database == "sqlite":
        return request.getfixturevalue("schema_template").removeprefix("sqlite:///")
    folder = tmp_path_factory.mktemp("sqlite-schema")
    _migrate(f"sqlite:///{folder / 'template.sqlite3'}", folder / "instance")
    return str(folder / "template.sqlite3")


class DatabaseMaker:
    """Makes fresh databases, copies of the session's template (``make()`` returns the URL),
    and drops them (PostgreSQL) in ``drop_all()``; SQLite files go with their folder."""

    def __init__(self, request, folder, schema_template: str, test_database: str):
        self.request, self.folder = request, folder
        self.template, self.database = schema_template, test_database
        self.made: list[str] = []

    def make(self) -> str:
        if self.database == "postgresql":
            from tests import services

            admin = self.request.getfixturevalue("postgres_admin_url")
            url = services.create_database(admin, template=self.template.rsplit("/", 1)[1])
        else:
            name = f"test-{len(self.made)}.sqlite3" if self.made else "test.sqlite3"
            shutil.copyfile(self.template.removeprefix("sqlite:///"), self.folder / name)
            url = f"sqlite:///{self.folder / name}"
        self.made.append(url)
        return url

    def drop_all(self) -> None:
        if self.database == "postgresql":
            from tests import services

            for url in self.made:
                services.drop_database(url)
        self.made.clear()


@pytest.fixture
def make_database_url(request, tmp_path, schema_template, test_database):
    """Makes fresh databases, copies of the template, for this test; returns their URLs. They
    are dropped (PostgreSQL) or deleted with ``tmp_path`` (SQLite) after the test. A fixture
    of a wider scope uses ``DatabaseMaker`` itself."""
    maker = DatabaseMaker(request, tmp_path, schema_template, test_database)
    yield maker.make
    maker.drop_all()


@pytest.fixture
def database_url(make_database_url) -> str:
    """A fresh database for one test, copied from the template; its URL. Use it for an app a
    test makes itself (``create_app({..., "DATABASE_URL": database_url})``)."""
    return make_database_url()


@pytest.fixture
def app(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(_test_config(database_url))
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
