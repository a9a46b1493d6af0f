"""Shared fixtures: an app on a fresh SQLite file per test, a client, a CLI runner."""

from __future__ import annotations

import re

import pytest

from jomso import create_app
from jomso.cli import init_schema
from jomso.extensions import db


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "shop.test",
        }
    )
    # No app context stays pushed during the test: each request gets its own, as in production
    # (a shared one would leak ``g``, and with it the signed-in user, between requests).
    # Touch the database in a test with ``with app.app_context():``.
    with app.app_context():
        init_schema()
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
