"""Row locks on PostgreSQL are taken in one order, and the catalog revision last (at commit),
so putting stock back after a failed payment cannot deadlock with a checkout reserving stock.

The interleaving that deadlocked: a failed payment puts back product A (locking A and, through
the statement trigger, the shared ``catalog_revision`` row), a checkout has locked product B
and takes it (its trigger waits for the revision row), and the failed payment goes on to put
back B (it waits for the checkout): a cycle, which PostgreSQL breaks by failing one of them.
Each test here drives two real connections (or two real requests) through it.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from jomso.catalog.page_cache import catalog_revision
from jomso.extensions import db
from tests.catalog.helpers import make_product
from tests.orders.helpers import DECLINED, VISA, add_to_cart, checkout_data, stock_of

pytestmark = pytest.mark.postgresql_only(reason="row locks and deadlocks of PostgreSQL")

OLD_TRIGGERS = (  # migration 0001's statement triggers, as on a database before 0007
    *(f"DROP TRIGGER {table}_revision_at_commit ON {table}"
      for table in ("products", "categories", "product_images")),
    """CREATE OR REPLACE FUNCTION bump_catalog_revision() RETURNS trigger AS $$
    BEGIN UPDATE catalog_revision SET value = value + 1 WHERE id = 1; RETURN NULL; END
    $$ LANGUAGE plpgsql""",
    *(f"CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE ON {table} "
      "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_revision()"
      for table in ("products", "categories", "product_images")),
)  # fmt: skip


LOCK = "SELECT id FROM products WHERE id = :id FOR NO KEY UPDATE"
# On the products' stock totals, which every checkout and every put-back updates after their
# variants (jomso.catalog.variants.refresh_stock_totals), under the products' triggers.
TAKE = "UPDATE products SET stock_total = stock_total - 1 WHERE id = :id"
PUT_BACK = "UPDATE products SET stock_total = stock_total + 1 WHERE id = :id"


def _stock_total(app, product_id: int) -> int:
    with app.app_context():
        return db.session.execute(
            text("SELECT stock_total FROM products WHERE id = :id"), {"id": product_id}
        ).scalar()


def _waiting_for_a_lock(engine, count: int = 1, timeout: float = 20) -> None:
    """Return once ``count`` other sessions of this database wait for a lock."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} session(s) never waited for a lock")


class _Background:
    """Runs one statement in a thread; ``result()`` returns it or raises what it raised."""

    def __init__(self, connection, statement: str, product_id: int):
        self.error: BaseException | None = None
        args = (connection, statement, product_id)
        self.thread = threading.Thread(target=self._run, args=args)
        self.thread.start()

    def _run(self, connection, statement, product_id):
        try:
            connection.execute(text(statement), {"id": product_id})
        except BaseException as error:  # handed to the test thread
            self.error = error

    def result(self, timeout: float = 30):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "still waiting: nothing broke the cycle"
        if self.error is not None:
            raise self.error


def _interleave(app, a: int, b: int) -> None:
    """The old interleaving, statement by statement, on two connections: ``reserve`` locks B,
    ``release`` puts back A, ``reserve`` takes B, ``release`` puts back B; then both commit.
    Raises the error PostgreSQL gave if it broke a deadlock."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as reserve, engine.connect() as release:
            reserve.execute(text(LOCK), {"id": b})
            release.execute(text(PUT_BACK), {"id": a})
            take = _Background(reserve, TAKE, b)
            take.thread.join(0.5)  # it waits for the revision row only with the old triggers
            put_back = _Background(release, PUT_BACK, b)
            try:
                take.result()
                reserve.commit()
                put_back.result()
                release.commit()
            finally:
                take.thread.join(30)
                put_back.thread.join(30)
    finally:
        engine.dispose()


def test_the_old_statement_triggers_deadlocked_this_interleaving(app):
    """The test below would catch the deadlock: with the triggers of before, PostgreSQL finds
    the cycle through the revision row and fails one transaction."""
    a = make_product(app, "Product A", stock=5)
    b = make_product(app, "Product B", stock=5)
    with app.app_context():
        for statement in OLD_TRIGGERS:
            db.session.execute(text(statement))
        db.session.commit()
    with pytest.raises(OperationalError, match="deadlock detected"):
        _interleave(app, a, b)


def test_the_revision_raised_at_commit_cannot_close_the_cycle(app):
    a = make_product(app, "Product A", stock=5)
    b = make_product(app, "Product B", stock=5)
    with app.app_context():
        before = catalog_revision()
    _interleave(app, a, b)  # no deadlock: both commit
    assert _stock_total(app, a) == 6 and _stock_total(app, b) == 5
    with app.app_context():
        assert catalog_revision() == before + 2  # once per transaction


def test_a_failed_payment_putting_stock_back_races_a_checkout_without_deadlock(app):
    """Two real checkouts: a declined card for products A and B puts their stock back while
    another buyer's checkout holds B's row lock. The release waits for B (locks by ascending
    id, all taken before any change), the checkout takes B and commits, the release goes on:
    both answer, nothing is lost. With the code of before, the release held A and the revision
    row while it waited for B, and the checkout's trigger waited for the revision row."""
    a = make_product(app, "Product A", stock=5)
    b = make_product(app, "Product B", stock=5)
    declined, buyer = app.test_client(), app.test_client()
    add_to_cart(declined, a)
    add_to_cart(declined, b)
    add_to_cart(buyer, b)
    declined_form = checkout_data(declined.get("/checkout").text, DECLINED)
    buyer_form = checkout_data(buyer.get("/checkout").text, VISA, email="bea@example.com")
    with app.app_context():
        engine = db.engine
        revision = catalog_revision()

    buyer_locked, release_started = threading.Event(), threading.Event()

    def locking(statement: str) -> bool:
        return " FOR UPDATE" in statement or " FOR NO KEY UPDATE" in statement

    def after(conn, cursor, statement, parameters, context, executemany):
        buyer = threading.current_thread().name == "buyer"
        if buyer and locking(statement) and not buyer_locked.is_set():
            buyer_locked.set()  # it holds B now: it goes on once the release waits for B
            assert release_started.wait(20)
            _waiting_for_a_lock(engine)

    def before(conn, cursor, statement, parameters, context, executemany):
        # The release's first statement: the order's lock now, a stock update before.
        releasing = (locking(statement) and "FROM orders" in statement) or (
            statement.startswith("UPDATE products SET stock=(products.stock +")
        )
        declined = threading.current_thread().name == "declined"
        if declined and releasing and not release_started.is_set():
            assert buyer_locked.wait(20)
            release_started.set()

    answers: dict = {}

    def post(name, browser, form):
        answers[name] = browser.post("/checkout", data=form)

    declined_thread = threading.Thread(
        target=post, args=("declined", declined, declined_form), name="declined"
    )
    buyer_thread = threading.Thread(target=post, args=("buyer", buyer, buyer_form), name="buyer")
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        # The declined checkout reserves A and B (committed) and is refused by the bank; only
        # then the buyer starts (it would otherwise wait for that reservation's lock on B).
        declined_thread.start()
        assert _wait_for(lambda: _orders_placed(app) == 1)
        buyer_thread.start()
        declined_thread.join(60)
        buyer_thread.join(60)
        assert not declined_thread.is_alive() and not buyer_thread.is_alive()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)

    assert answers["declined"].status_code == 422
    assert "Your bank declined the payment" in answers["declined"].text
    assert answers["buyer"].status_code == 303, answers["buyer"].text[:2000]
    assert stock_of(app, a) == 5 and stock_of(app, b) == 4
    with app.app_context():
        assert catalog_revision() > revision


def _orders_placed(app) -> int:
    with app.app_context():
        count = db.session.execute(text("SELECT count(*) FROM orders")).scalar()
        db.session.remove()
    return count


def _wait_for(condition, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
