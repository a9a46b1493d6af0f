"""The page cache in Redis (REDIS_URL): a page made by one server is served by the others, a
change shows on all of them at once, and without Redis each process keeps its own pages.

"Servers" here are two apps on one database, each with its own instance folder, as on two
machines; the Redis server is a real one (tests/services.py)."""

from __future__ import annotations

import logging
import shutil

import pytest
import redis

from jomso import create_app, redis_store
from jomso.catalog.shared_pages import CLOCK_KEY, KEEP_SECONDS, PAGES_KEY, USED_KEY, SharedPages
from jomso.extensions import db
from jomso.redis_store import close_client
from tests.catalog.helpers import make_product, update_product
from tests.conftest import _test_config, csrf_token_from
from tests.helpers import counting_statements
from tests.services import free_port

REVISION_READ = "SELECT value FROM catalog_revision WHERE id = 1"


@pytest.fixture
def servers(tmp_path, monkeypatch, sqlite_schema_file):
    """Make apps ("servers") on one shared database: ``servers(**settings)``."""
    database = tmp_path / "shared.sqlite3"
    shutil.copyfile(sqlite_schema_file, database)
    made = []

    def make(**settings):
        monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / f"instance{len(made)}"))
        app = create_app({**_test_config(database), **settings})
        made.append(app)
        return app

    yield make
    for app in made:
        close_client(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _reads(app, url: str) -> tuple[str, list[str]]:
    """The page at ``url`` for a new anonymous visitor, and the SQL it cost."""
    with counting_statements(app) as statements:
        html = app.test_client().get(url).text
    return html, [s for s in statements if not s.startswith("INSERT INTO page_views")]


def _without_token(html: str) -> str:
    return html.replace(csrf_token_from(html), "TOKEN")


@pytest.mark.parametrize("url", ["/", "/products", "/products?q=mug", "/products/blue-mug"])
def test_a_page_made_by_one_server_is_served_by_the_other(servers, redis_url, url):
    first, second = servers(REDIS_URL=redis_url), servers(REDIS_URL=redis_url)
    make_product(first, "Blue Mug")
    made, _ = _reads(first, url)
    served, statements = _reads(second, url)
    assert statements == [REVISION_READ]  # nothing else: the page came from Redis
    assert _without_token(served) == _without_token(made)
    assert csrf_token_from(served) != csrf_token_from(made)  # the visitor's own token
    stored = redis.Redis.from_url(redis_url).hvals(PAGES_KEY)
    assert len(stored) == 1
    assert csrf_token_from(made).encode() not in stored[0]


def test_without_redis_each_server_makes_its_own_pages(servers):
    first, second = servers(), servers()
    make_product(first, "Blue Mug")
    _reads(first, "/products/blue-mug")
    _, statements = _reads(second, "/products/blue-mug")
    assert len(statements) > 1  # made again
    _, statements = _reads(second, "/products/blue-mug")
    assert statements == [REVISION_READ]  # and kept by that server


def test_a_change_made_on_one_server_shows_on_every_server_at_once(servers, redis_url):
    first, second = servers(REDIS_URL=redis_url), servers(REDIS_URL=redis_url)
    product_id = make_product(first, "Blue Mug", price_cents=1250)
    for app in (first, second):
        assert "$12.50" in _reads(app, "/products/blue-mug")[0]
        assert "$12.50" in _reads(app, "/products")[0]
    update_product(first, product_id, price_cents=990)  # as the staff form does
    for app in (second, first):
        assert "$9.90" in _reads(app, "/products/blue-mug")[0]
        assert "$9.90" in _reads(app, "/products")[0]


def test_the_pages_in_redis_are_bounded_least_recently_used_first_and_expire(redis_url):
    client = redis.Redis.from_url(redis_url)
    pages = SharedPages(client, max_pages=3)
    keys = [("catalog.product_list", (), (str(number),), "day") for number in range(3)]
    for key in keys:
        pages.put(key, 7, "<p>page</p>", {})
    assert client.hlen(PAGES_KEY) == 3
    for key in (PAGES_KEY, USED_KEY, CLOCK_KEY):
        assert 0 < client.ttl(key) <= KEEP_SECONDS
    assert pages.get(keys[0], 7) == ("<p>page</p>", {})  # used: now the most recent
    home = ("catalog.home", (), (), "day")
    pages.put(home, 7, "<p>home</p>", {"analytics_product_id": 3})
    assert client.hlen(PAGES_KEY) == 3  # full: the least recently used one made room
    assert pages.get(keys[1], 7) is None
    assert pages.get(keys[0], 7) is not None
    assert pages.get(keys[2], 7) is not None
    assert pages.get(home, 7) == ("<p>home</p>", {"analytics_product_id": 3})
    assert pages.get(home, 8) is None  # the catalog changed since
    pages.put(home, 8, "<p>home again</p>", {})  # overwritten, not a page more
    assert client.hlen(PAGES_KEY) == 3
    assert client.zcard(USED_KEY) == 3
    client.close()


def test_a_redis_that_does_not_answer_leaves_the_pages_uncached_and_correct(
    servers, caplog, monkeypatch
):
    monkeypatch.setattr(redis_store, "_last_warning", None)  # said once a minute: say it now
    app = servers(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    product_id = make_product(app, "Blue Mug", price_cents=1250)
    with caplog.at_level(logging.WARNING, logger="jomso.redis_store"):
        assert "$12.50" in _reads(app, "/products/blue-mug")[0]
        update_product(app, product_id, price_cents=990)
        assert "$9.90" in _reads(app, "/products/blue-mug")[0]
    assert "Redis did not answer, pages are made without the cache" in caplog.text
