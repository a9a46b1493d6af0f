"""A page cache for the storefront's anonymous visitors.

Most catalog traffic is visitors who are not signed in and have no cart: for them the home,
list and product pages are the same HTML for everyone, but for the CSRF token in the page's
forms (the cookie banner, add to cart). Each worker process keeps such pages in memory, with
the token cut out, and serves them again while the catalog is unchanged.

"Unchanged" is the catalog revision: a counter that database triggers raise on every insert,
update or delete of products, their options and variants, categories and product images,
whoever makes the change (a staff edit, a checkout taking stock, another worker); on
PostgreSQL when the change commits (``POSTGRESQL_DDL``). A cached page is used only while
its revision is the current one, so a change shows at once. Pages for signed-in visitors,
visitors with a cart or a message waiting, and anything but a 200 are never cached.

With ``REDIS_URL`` the pages are kept in Redis instead (``shared_pages``), so that every worker
of every app server serves the pages any of them made; the revision stays in the database.
"""

from __future__ import annotations

from datetime import date
from functools import wraps
from threading import Lock
from typing import TYPE_CHECKING

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import DDL, event, text

from jomso.extensions import db
from jomso.redis_store import redis_client

if TYPE_CHECKING:
    from jomso.catalog.shared_pages import SharedPages

_TOKEN_PLACEHOLDER = "\x00csrf-token\x00"  # noqa: S105 - a marker, not a secret
MAX_PAGES = 2000
_EXTENSION = "jomso.page_cache"

_TABLES = ("products", "categories", "product_images", "product_options", "product_variants")
_BUMP = "UPDATE catalog_revision SET value = value + 1 WHERE id = 1"

SQLITE_DDL: tuple[str, ...] = (
    # A random start, so a database swapped under running workers never repeats a revision.
    "INSERT OR IGNORE INTO catalog_revision (id, value) VALUES (1, abs(random() %% 1000000000))",
    *(
        f"CREATE TRIGGER IF NOT EXISTS {table}_revision_after_{op.lower()} "
        f"AFTER {op} ON {table} BEGIN {_BUMP}; END"
        for table in _TABLES
        for op in ("INSERT", "UPDATE", "DELETE")
    ),
)
# On PostgreSQL the revision is raised at commit, not where the row changes: a deferred
# constraint trigger runs just before its transaction commits, and only its first run in a
# transaction raises the revision (``jomso.revision_bumped`` holds the transaction's id).
# So the shared revision row is locked last, by a transaction that waits for nothing else
# once it holds it: it can never close a cycle of row locks (two checkouts, or a checkout and
# a failed payment putting stock back, each holding a product the other wants), which it did
# when the trigger ran at each statement. It is raised in the transaction that made the
# change, so a reader never sees the new revision before the change.
POSTGRESQL_DDL: tuple[str, ...] = (
    "INSERT INTO catalog_revision (id, value) VALUES (1, (random() * 1e9)::int) "
    "ON CONFLICT (id) DO NOTHING",
    f"""CREATE OR REPLACE FUNCTION bump_catalog_revision() RETURNS trigger AS $$
    BEGIN
        IF current_setting('jomso.revision_bumped', true) IS DISTINCT FROM
                txid_current()::text THEN
            PERFORM set_config('jomso.revision_bumped', txid_current()::text, true);
            {_BUMP};
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    *(
        f"CREATE CONSTRAINT TRIGGER {table}_revision_at_commit "
        f"AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED "
        f"FOR EACH ROW EXECUTE FUNCTION bump_catalog_revision()"
        for table in _TABLES
    ),
)


def install_revision_ddl(metadata) -> None:
    """Create the revision row and triggers once every table exists (``create_all``); the
    Alembic migration runs the same statements."""
    for statement in SQLITE_DDL:
        event.listen(metadata, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in POSTGRESQL_DDL:
        event.listen(metadata, "after_create", DDL(statement).execute_if(dialect="postgresql"))


class _Pages:
    def __init__(self) -> None:
        self._pages: dict[tuple, tuple[int, str, dict]] = {}
        self._lock = Lock()

    def get(self, key: tuple, revision: int) -> tuple[str, dict] | None:
        entry = self._pages.get(key)
        if entry is None or entry[0] != revision:
            return None
        return entry[1], entry[2]

    def put(self, key: tuple, revision: int, html: str, g_values: dict) -> None:
        with self._lock:
            if len(self._pages) >= MAX_PAGES:
                self._pages.clear()
            self._pages[key] = (revision, html, g_values)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def _pages() -> _Pages | SharedPages:
    """This app's pages (one cache per app: tests run many apps in one process): in this
    process, or with ``REDIS_URL`` in Redis, shared by every worker of every server."""
    pages = current_app.extensions.get(_EXTENSION)
    if pages is None:
        client = redis_client(current_app)
        if client is None:
            pages = _Pages()
        else:
            from jomso.catalog.shared_pages import SharedPages

            pages = SharedPages(client, MAX_PAGES)
        pages = current_app.extensions.setdefault(_EXTENSION, pages)
    return pages


def raise_revision() -> None:
    """Raise the revision in the current transaction, for a change outside the catalog that
    cached pages show too (a new link in the footer): they are made again once it commits."""
    db.session.execute(text(_BUMP))


def catalog_revision() -> int:
    return db.session.execute(text("SELECT value FROM catalog_revision WHERE id = 1")).scalar()


def _cache_key() -> tuple | None:
    """The key of this request's page, or None when the page may differ for this visitor."""
    if not current_app.config["PAGE_CACHE_ENABLED"] or request.method != "GET":
        return None
    if "cart_id" in session or "_flashes" in session or current_user.is_authenticated:
        return None
    from jomso.consent.cookies import consent_state

    state = consent_state()
    # The day too: "New" badges and the like change with time, not only with the catalog.
    today = date.today().isoformat()
    return (request.endpoint, request.full_path, state.undecided, state.gpc, today)


def _page_html(result) -> str | None:
    """The HTML of a plain 200 answer (a string, or a (string, 200) pair), else None."""
    if isinstance(result, tuple) and len(result) == 2 and result[1] == 200:
        result = result[0]
    return result if isinstance(result, str) else None


def cached_page(*g_names: str):
    """Serve the view's page from the cache for anonymous visitors; ``g_names`` are values
    the view puts on ``g`` for later hooks (analytics), kept and restored with the page."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            key = _cache_key()
            if key is None:
                return view(*args, **kwargs)
            revision = catalog_revision()
            hit = _pages().get(key, revision)
            if hit is not None:
                html, g_values = hit
                for name, value in g_values.items():
                    setattr(g, name, value)
                if _TOKEN_PLACEHOLDER in html:
                    html = html.replace(_TOKEN_PLACEHOLDER, generate_csrf())
                return html
            result = view(*args, **kwargs)
            html = _page_html(result)
            if html is not None:
                token = g.get("csrf_token")
                stored = html.replace(token, _TOKEN_PLACEHOLDER) if token else html
                g_values = {name: g.get(name) for name in g_names if name in g}
                _pages().put(key, revision, stored, g_values)
            return result

        return wrapped

    return decorator
