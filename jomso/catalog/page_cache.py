"""One cached page body for every visitor of the storefront, their own pieces put in at the edge.

The home, list and product pages are the same HTML for every visitor but for a few pieces of
their own: the header's account links (with the staff link for staff) and cart count, the
flashes, the signed-in customer's notices, the cookie banner and the CSRF tokens in the forms.
Each worker process keeps such pages in memory with those pieces cut out: the body is rendered
as for an anonymous visitor (the signed-in user is set aside while the view runs), each piece
is a marker (``visitor_piece`` in the templates), and the token is a placeholder. Serving a
page, for a cached body or a freshly made one alike, renders this visitor's pieces (small
templates in templates/partials/) and puts them in. So nothing personal is ever stored in an
entry, and a cart change or a flash shows at once, for anonymous visitors, visitors with a
cart, signed-in customers and staff alike.

A page's key is its endpoint, its path's values and only the query parameters the page reads
(``cached_page(args=...)``): ``?utm_source=`` or ``?fbclid=`` make no entry of their own. The
store keeps at most ``PAGE_CACHE_MAX_PAGES`` pages and ``PAGE_CACHE_MAX_BYTES`` of them, and
drops the least recently used page to make room.

A cached page is used only while the catalog revision it was made at is the current one: a
counter that database triggers raise on every insert, update or delete of products, their
options and variants, categories and product images, whoever makes the change (a staff edit,
a checkout taking stock, another worker); on PostgreSQL when the change commits
(``POSTGRESQL_DDL``). So a change shows at once. An update of a product or variant raises it
only when a page shows what changed (``shown_change``): a checkout taking 1 of 50 in stock
leaves the pages cached; one that sells the last, or brings a product to "only N left", does
not.
Anything but a 200 is never cached.

With ``REDIS_URL`` the pages are kept in Redis instead (``shared_pages``), so that every worker
of every app server serves the pages any of them made; the revision stays in the database.
"""

from __future__ import annotations

import re
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from functools import wraps
from threading import Lock
from typing import TYPE_CHECKING

from flask import current_app, g, has_request_context, render_template, request
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy import DDL, Integer, event, text

from jomso import request_memo
from jomso.accounts import session_values
from jomso.accounts.user_sessions import account_attached_when_used
from jomso.database import read_value, read_values
from jomso.extensions import db, login_manager
from jomso.i18n import current_language
from jomso.redis_store import redis_client
from jomso.session_cookie import csrf_token
from jomso.visitor_pieces import TOKEN, blank_value, making, piece_markup, render_piece

if TYPE_CHECKING:
    from jomso.catalog.shared_pages import SharedPages

_TOKEN_PLACEHOLDER = TOKEN
# What a kept body holds for each visitor's own: a piece, a blank (``visitor_pieces``), the
# CSRF token, and a layout's own blocks. The markers of a body made for the cache are found
# once (``_cut``), not searched for in every page served: 50 µs of a 19 KB page.
_MARKER = re.compile("\x00(piece:[\\w/.-]+|blank:\\w+|csrf-token|block:\\w+)\x00")
MAX_PAGES = 2000
MAX_BYTES = 64 * 1024 * 1024
_EXTENSION = "jomso.page_cache"
_KEPT = "jomso.kept_per_revision"
_RENDERING = "page_cache_rendering"

_TABLES = ("products", "categories", "product_images", "product_options", "product_variants")
_BUMP = "UPDATE catalog_revision SET value = value + 1 WHERE id = 1"

# An update of a product or variant raises the revision only when a page would show it: a
# change of any column but the stock, ``updated_at``, the stock alerts' and the tax class
# (``NOT_SHOWN``: no cached page shows them), or a stock level crossing what the cards and the
# product page show: sold out (0 or less), "only N left" (``cards.LOW_STOCK`` or fewer, each
# number its own label) or in stock. So a
# checkout taking 1 of 50 leaves every cached page in place; taking the last one, or going
# from 6 to 5, does not. Each table's shown columns are written out (SQLite has no row
# comparison that leaves columns out): a new column must join its list
# (``tests/catalog/test_page_cache_revision.py`` holds the lists to the models).
LOW_STOCK = 5  # cards.LOW_STOCK (cards imports the models, which import this module)
SHOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    "products": (
        "id", "name", "slug", "description", "price_cents", "is_active", "created_at",
        "category_id", "price_min_cents", "price_max_cents", "on_sale", "variant_text",
    ),
    "product_variants": (
        "id", "product_id", "position", "sku", "option1", "option2", "option3", "price_cents",
        "compare_at_cents", "weight_grams", "barcode", "is_active", "image_id",
    ),
}  # fmt: skip
STOCK_COLUMNS = {"products": "stock_total", "product_variants": "stock"}
NOT_SHOWN = {
    "products": ("stock_total", "updated_at", "low_stock_threshold", "tax_class"),
    "product_variants": ("stock", "low_stock_alerted_at", "tax_class"),
}


def shown_change(table: str, distinct: str) -> str:
    """The condition (on ``old`` and ``new``) of an update of ``table`` that a page shows;
    ``distinct`` is the dialect's null-safe "differs" (``IS NOT``, ``IS DISTINCT FROM``)."""
    stock = STOCK_COLUMNS[table]
    least = "min" if distinct == "IS NOT" else "LEAST"
    columns = " OR ".join(f"old.{c} {distinct} new.{c}" for c in SHOWN_COLUMNS[table])
    return (
        f"{columns} OR (old.{stock} {distinct} new.{stock} "
        f"AND {least}(old.{stock}, new.{stock}) <= {LOW_STOCK})"
    )


def _sqlite_trigger(table: str, op: str) -> str:
    when = (
        f" WHEN {shown_change(table, 'IS NOT')}"
        if op == "UPDATE" and table in STOCK_COLUMNS
        else ""
    )
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_revision_after_{op.lower()} "
        f"AFTER {op} ON {table}{when} BEGIN {_BUMP}; END"
    )


def _postgresql_triggers(table: str) -> list[str]:
    at_commit = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    run = "EXECUTE FUNCTION bump_catalog_revision()"
    if table not in STOCK_COLUMNS:
        return [
            f"CREATE CONSTRAINT TRIGGER {table}_revision_at_commit "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} {at_commit} {run}"
        ]
    # The WHEN runs at the update; only an update it lets through queues the run at commit.
    return [
        f"CREATE CONSTRAINT TRIGGER {table}_revision_at_commit "
        f"AFTER INSERT OR DELETE ON {table} {at_commit} {run}",
        f"CREATE CONSTRAINT TRIGGER {table}_revision_update_at_commit "
        f"AFTER UPDATE ON {table} {at_commit} "
        f"WHEN ({shown_change(table, 'IS DISTINCT FROM')}) {run}",
    ]


SQLITE_DDL: tuple[str, ...] = (
    # A random start, so a database swapped under running workers never repeats a revision.
    "INSERT OR IGNORE INTO catalog_revision (id, value) VALUES (1, abs(random() %% 1000000000))",
    *(_sqlite_trigger(table, op) for table in _TABLES for op in ("INSERT", "UPDATE", "DELETE")),
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
    *(statement for table in _TABLES for statement in _postgresql_triggers(table)),
)


def install_revision_ddl(metadata) -> None:
    """Create the revision row and triggers once every table exists (``create_all``); the
    Alembic migration runs the same statements."""
    for statement in SQLITE_DDL:
        event.listen(metadata, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in POSTGRESQL_DDL:
        event.listen(metadata, "after_create", DDL(statement).execute_if(dialect="postgresql"))


class _Pages:
    """Pages in this process: at most ``max_pages`` of them and ``max_bytes`` together, the
    least recently used dropped first to make room."""

    def __init__(self, max_pages: int = MAX_PAGES, max_bytes: int = MAX_BYTES) -> None:
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self._pages: OrderedDict[tuple, tuple[int, tuple[str, ...], dict, int]] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._pages)

    @property
    def size(self) -> int:
        """The bytes the stored pages take."""
        return self._bytes

    def get(self, key: tuple, revision: int) -> tuple[tuple[str, ...], dict] | None:
        """The page (cut at its markers: ``_cut``) and its ``g`` values, or None."""
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if entry[0] != revision:  # stale: it will never be served again
                self._drop(key)
                return None
            self._pages.move_to_end(key)
        return entry[1], entry[2]

    def put(self, key: tuple, revision: int, html: str, g_values: dict) -> None:
        body = _cut(html)
        size = sum(map(sys.getsizeof, body))
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            while self._pages and (
                len(self._pages) >= self.max_pages or self._bytes + size > self.max_bytes
            ):
                self._drop(next(iter(self._pages)))
            self._pages[key] = (revision, body, g_values, size)
            self._bytes += size

    def _drop(self, key: tuple) -> None:
        self._bytes -= self._pages.pop(key)[3]

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


def _pages() -> _Pages | SharedPages:
    """This app's pages (one cache per app: tests run many apps in one process): in this
    process, or with ``REDIS_URL`` in Redis, shared by every worker of every server."""
    pages = current_app.extensions.get(_EXTENSION)
    if pages is None:
        client = redis_client(current_app)
        config = current_app.config
        max_pages = int(config.get("PAGE_CACHE_MAX_PAGES", MAX_PAGES))
        if client is None:
            pages = _Pages(max_pages, int(config.get("PAGE_CACHE_MAX_BYTES", MAX_BYTES)))
        else:
            from jomso.catalog.shared_pages import SharedPages

            pages = SharedPages(client, max_pages)
        pages = current_app.extensions.setdefault(_EXTENSION, pages)
    return pages


def raise_revision() -> None:
    """Raise the revision in the current transaction, for a change outside the catalog that
    cached pages show too (a new link in the footer): they are made again once it commits."""
    db.session.execute(text(_BUMP))


_REVISION = "SELECT value FROM catalog_revision WHERE id = 1"


def catalog_revision() -> int:
    """The current revision: without the ORM session on a page served from the cache
    (``database.read_value``)."""
    return read_value(_REVISION)


def request_revision() -> int:
    """The revision this request works at: read once, at its first use; for a signed-in
    visitor, read with their session in its one statement (``session_values``); else with
    what the request will ask for next (``read_with_revision``), or with the statement that
    read first (``keep_request_revision``)."""
    kept = g.setdefault("_kept_per_revision", {})
    revision = kept.get(None)
    if revision is None:
        revision = session_values.read_with_session("catalog_revision")
        if revision is session_values.MISSING:
            revision = _revision_with_riders()
        kept[None] = revision
    return revision


def revision_column():
    """The revision as a scalar subquery, for a statement that reads it beside its own
    columns and hands it to ``keep_request_revision``."""
    return text(_REVISION).columns(value=Integer).scalar_subquery()


def keep_request_revision(revision: int) -> None:
    """The revision a statement of this request read beside its own columns: the request
    works at it if it has not read one yet (no read of its own then)."""
    g.setdefault("_kept_per_revision", {}).setdefault(None, revision)


session_values.register_session_value("catalog_revision", lambda _user_id: revision_column())

# Reads a page without a signed-in session makes right after the revision, made in the
# revision's statement (a guest's cart count, for the header of a page from the cache).
_riders: list[Callable[[], tuple[Hashable, str, dict] | None]] = []


def read_with_revision(rider: Callable[[], tuple[Hashable, str, dict] | None]) -> None:
    """Register ``rider()``: None, or ``(key, sql, parameters)``, a scalar SELECT this visitor
    is about to need, read as a column of the revision's statement and kept for the request
    under ``key`` (``request_memo``, until the request writes)."""
    _riders.append(rider)


def _revision_with_riders() -> int:
    if not has_request_context():  # a command, a mail: no visitor to read ahead for
        return catalog_revision()
    riding = [ride for ride in (rider() for rider in _riders) if ride is not None]
    if not riding:
        return catalog_revision()
    params: dict = {}
    for _key, _sql, ride_params in riding:
        params.update(ride_params)
    columns = "".join(f", ({sql})" for _key, sql, _params in riding)
    values = read_values(f"SELECT ({_REVISION}){columns}", **params)
    for (key, _sql, _params), value in zip(riding, values[1:], strict=True):
        request_memo.keep(key, value)
    return values[0]


def kept_per_revision(name: str, compute):
    """``compute()``, made once per catalog revision in this process and read once per request:
    what every page shows and only a catalog change (or ``raise_revision``) changes, such as
    the header's category menu and the footer's page links. Costs one cheap read of the
    revision per request instead of their queries on every page."""
    kept = g.setdefault("_kept_per_revision", {})
    if name not in kept:
        revision = request_revision()
        store = current_app.extensions.setdefault(_KEPT, {})
        entry = store.get(name)
        if entry is None or entry[0] != revision:
            entry = store[name] = (revision, compute())
        kept[name] = entry[1]
    return kept[name]


def _cache_key(args: tuple[str, ...], normalised=None) -> tuple | None:
    """The key of this request's page (None: not cached): the endpoint, the path's values and
    the query parameters in ``args``, which are all the page reads, and what ``normalised()``
    makes of those it reads in its own way; other parameters (``?utm_source=``,
    ``?fbclid=``) do not change the page, so they make no entry."""
    if not current_app.config["PAGE_CACHE_ENABLED"] or request.method != "GET":
        return None
    path_values = tuple(sorted((request.view_args or {}).items()))
    query = tuple(request.args.get(name) for name in args)
    if normalised is not None:
        query = (*query, normalised(request.args))
    # The day too: "New" badges and the like change with time, not only with the catalog.
    # And the language: the same address answers in each visitor's own (jomso.i18n). And the
    # path prefix the shop is served under (``SCRIPT_NAME``), which every link starts with.
    return (
        request.endpoint,
        path_values,
        query,
        current_language(),
        date.today().isoformat(),
        request.script_root,
    )


def _page_html(result) -> str | None:
    """The HTML of a plain 200 answer (a string, or a (string, 200) pair), else None."""
    if isinstance(result, tuple) and len(result) == 2 and result[1] == 200:
        result = result[0]
    return result if isinstance(result, str) else None


@pass_context
def visitor_piece(context, name: str) -> Markup:
    """``{{ visitor_piece("partials/flashes.html") }}``: a piece of the page that is this
    visitor's own. Rendered in place, except in a page made for the cache: there a marker,
    replaced by the piece made for each visitor the page is served to (``_fill``). Either
    way it is made by ``visitor_pieces.render_piece``: nothing when empty for this visitor,
    else reused when it is the same for every visitor like them."""
    if g.get(_RENDERING):
        return Markup(f"\x00piece:{name}\x00")  # noqa: S704 - a template name we wrote
    return piece_markup(name, context.get_all)


def _cut(html: str) -> tuple[str, ...]:
    """A kept body cut at its markers: text, marker, text, ... text (a marker without its
    ``\\x00``s: "piece:partials/flashes.html", "blank:here", "csrf-token", "block:content")."""
    return tuple(_MARKER.split(html))


def _fill(body: tuple[str, ...] | str, blocks: dict[str, str] | None = None) -> str:
    """This visitor's page: their pieces, blanks and CSRF token put into a kept body (cut at
    its markers, or a string, cut here), and a layout's own ``blocks`` (by name)."""
    parts = list(body if isinstance(body, tuple) else _cut(body))
    token = None
    for index in range(1, len(parts), 2):
        kind, _, name = parts[index].partition(":")
        if kind == "piece":
            parts[index] = render_piece(name)
        elif kind == "blank":
            parts[index] = blank_value(name)
        elif kind == "block":
            parts[index] = blocks[name]
        else:
            parts[index] = token = token or csrf_token()
    return "".join(parts)


def _render_shared(view, args, kwargs):
    """Run the view for the shared body: pieces as markers, the visitor as an anonymous one
    (so a template that asked who is signed in could not put it in the body either)."""
    missing = object()
    user = g.get("_login_user", missing)
    g._login_user = login_manager.anonymous_user()
    g.setdefault(_RENDERING, True)
    try:
        with making():  # the visitor's own values (the page's full address) as blanks
            return view(*args, **kwargs)
    finally:
        g.pop(_RENDERING, None)
        if user is missing:
            g.pop("_login_user", None)
        else:
            g._login_user = user


def cached_page(args: tuple[str, ...] = (), keep: tuple[str, ...] = (), normalised=None):
    """Serve the view's page from the cache, for every visitor, with their own pieces put in.
    ``args`` are the query parameters the page reads (the cache key); ``normalised``, given
    the query's args, returns what the page makes of the parameters it reads as values (say
    "10", "10.00" and "10,00" as the same 1000 cents), so that they share one entry; ``keep``
    are values the view puts on ``g`` for later hooks (analytics), kept and restored with the
    page."""

    def decorator(view):
        @wraps(view)
        def wrapped(*view_args, **view_kwargs):
            key = _cache_key(args, normalised)
            if key is None:
                return view(*view_args, **view_kwargs)
            revision = request_revision()
            hit = _pages().get(key, revision)
            if hit is not None:
                html, g_values = hit
                for name, value in g_values.items():
                    setattr(g, name, value)
                return _fill(html)
            result = _render_shared(view, view_args, view_kwargs)
            html = _page_html(result)
            if html is None:
                return result
            token = g.get("csrf_token")
            stored = html.replace(token, _TOKEN_PLACEHOLDER) if token else html
            g_values = {name: g.get(name) for name in keep if name in g}
            _pages().put(key, revision, stored, g_values)
            return _fill(stored)

        return account_attached_when_used(wrapped)  # the pieces read only the session's values

    return decorator


def layout_page(template_name: str, own: tuple[str, ...] = ("content",), **context) -> str:
    """A page whose blocks named in ``own`` are this visitor's own (the cart's lines) inside a
    layout every visitor shares (base.html: the header and its menus, the footer; and what of
    the page's content is the same for everyone: its headings, labels, links and forms). The
    layout is made like a cached page, once per page, language, day and catalog revision, with
    the visitor's pieces and the own blocks as markers and no view values
    (``_render_shared``), so it must not ask for them outside the own blocks; each request
    renders only the own blocks, with ``context``, and puts them and the visitor's pieces in.
    So, as for a cached page, nothing personal is kept. Each own block is rendered on its
    own, so it holds the imports it uses. A POST's page (a form sent back with its errors)
    and a page made for the cache are rendered whole."""
    key = _cache_key(())
    if key is None or g.get(_RENDERING):
        return render_template(template_name, **context)
    key = ("layout", template_name, own, *key)
    template = current_app.jinja_env.get_template(template_name)
    revision = request_revision()
    hit = _pages().get(key, revision)
    if hit is not None:
        layout = hit[0]
    else:
        layout = _render_shared(_render_layout, (template, own), {})
        token = g.get("csrf_token")
        layout = layout.replace(token, _TOKEN_PLACEHOLDER) if token else layout
        _pages().put(key, revision, layout, {})
    current_app.update_template_context(context)
    render = template.new_context(context)
    blocks = {name: _rendered(template, template.blocks[name], render) for name in own}
    return _fill(layout, blocks)


def _render_layout(template, own: tuple[str, ...]) -> str:
    values: dict = {}
    current_app.update_template_context(values)
    render = template.new_context(values)
    for name in own:
        marker = f"\x00block:{name}\x00"
        render.blocks[name] = [lambda _context, marker=marker: iter((marker,))]
    return _rendered(template, template.root_render_func, render)


def _rendered(template, render, context) -> str:
    # As ``Template.render`` does it: an error's traceback points into the template.
    try:
        return template.environment.concat(render(context))
    except Exception:
        return template.environment.handle_exception()
