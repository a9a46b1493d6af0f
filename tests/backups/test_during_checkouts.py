"""A backup taken while customers check out is the shop at one moment.

The shop runs under gunicorn (two workers) on its SQLite database; three buyers place orders
over HTTP without pause, some of them declined, while the ``backup`` command runs in another
process (this one), as the operator would run it. The archive is restored into a new shop,
which must be the source as it stood at one moment: its orders are the first N of the
source's (SQLite commits one at a time, so ids follow commits) with the same numbers, lines
and totals and a history that is the start of theirs; every product's stock plus what its
orders hold comes to what was put on sale; every payment kept is in the (demo) gateway's
records; the pictures are the same files. Orders answered before the backup began are in it;
orders sent after it ended are not.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import select

from jomso.catalog.models import Product
from jomso.extensions import db
from jomso.orders.models import Order
from jomso.orders.status import OrderStatus
from jomso.payments.offline.store import STORE_NAME, read_store
from tests import services
from tests.backups.helpers import dispose, image_files, make_shop, manifest_of
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.orders.helpers import DECLINED, VISA, checkout_data

PRODUCTS, STOCK, BUYERS = 6, 200, 3
NOT_HOLDING_STOCK = {OrderStatus.PAYMENT_FAILED, OrderStatus.CANCELLED}


class Buyers:
    """Buyers placing orders over HTTP until stopped; ``placed`` holds (sent, answered,
    order number or None) for each checkout sent."""

    def __init__(self, base: str, product_ids: list[int]):
        self.base, self.product_ids = base, product_ids
        self.placed: list[tuple[float, float, str | None]] = []
        self.errors: list[str] = []
        self.checking_out = 0  # checkouts sent and not answered yet
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._buy, args=(n,)) for n in range(BUYERS)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def numbers(self, answered_before: float = float("inf")) -> set[str]:
        return {n for _, answered, n in list(self.placed) if n and answered < answered_before}

    def wait_for(self, count: int, since: float = 0.0, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while sum(1 for sent, _, n in list(self.placed) if n and sent > since) < count:
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, f"only {len(self.placed)} checkouts answered"
            time.sleep(0.05)

    def wait_for_a_checkout_under_way(self, timeout: float = 60) -> None:
        """Return while a checkout is sent and not answered yet."""
        deadline = time.monotonic() + timeout
        while not self.checking_out:
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, "no checkout under way"
            time.sleep(0.001)

    def _buy(self, seed: int) -> None:
        rng, session = random.Random(seed), requests.Session()
        try:
            while not self.stop.is_set():
                cart = session.get(f"{self.base}/cart", timeout=60)
                session.post(f"{self.base}/cart/add", timeout=60, data={
                    "product_id": rng.choice(self.product_ids), "quantity": rng.choice((1, 2)),
                    "csrf_token": csrf_token_from(cart.text)})  # fmt: skip
                page = session.get(f"{self.base}/checkout", timeout=60)
                assert page.status_code == 200, page.status_code
                nonce = DECLINED if rng.random() < 0.2 else VISA
                data = checkout_data(page.text, nonce)
                with self.lock:
                    self.checking_out += 1
                sent = time.monotonic()
                try:
                    answer = session.post(f"{self.base}/checkout", data=data,
                                          allow_redirects=False, timeout=60)  # fmt: skip
                finally:
                    with self.lock:
                        self.checking_out -= 1
                assert answer.status_code in (303, 422), answer.status_code
                match = re.search(r"/orders/(J\w{8})", answer.headers.get("Location", ""))
                self.placed.append((sent, time.monotonic(), match and match.group(1)))
        except Exception as error:  # reported by the main thread
            self.errors.append(repr(error))


def orders_of(app) -> list[dict]:
    with app.app_context():
        orders = [
            {
                "id": o.id, "number": o.number, "status": o.status, "email": o.email,
                "total": o.total_cents, "history": [c.to_status for c in o.changes],
                "lines": [(line.product_id, line.quantity, line.unit_price_cents)
                          for line in o.lines],
                "sales": [p.transaction_id for p in o.payments if p.kind == "sale"],
            }
            for o in db.session.scalars(select(Order).order_by(Order.id))
        ]  # fmt: skip
        db.session.remove()
    return orders


def stock_of(app) -> dict[int, int]:
    with app.app_context():
        stock = dict(db.session.execute(select(Product.id, Product.stock_total)).all())
        db.session.remove()
    return stock


def held(orders: list[dict]) -> dict[int, int]:
    """Units each product's orders hold (every order but those failed or cancelled)."""
    units: dict[int, int] = {}
    for order in orders:
        if order["status"] not in NOT_HOLDING_STOCK:
            for product_id, quantity, _ in order["lines"]:
                units[product_id] = units.get(product_id, 0) + quantity
    return units


def test_a_backup_during_checkouts_restores_one_moment_of_the_shop(
    tmp_path, monkeypatch, sqlite_schema_file
):
    shop = make_shop(tmp_path, monkeypatch, "source", schema=sqlite_schema_file)
    product_ids = [
        make_product(shop, f"Mug {n}", price_cents=1200 + n, stock=STOCK, images=1)
        for n in range(PRODUCTS)
    ]
    dispose(shop)

    port = services.free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("JOMSO_")}
    env.update(JOMSO_INSTANCE_PATH=shop.instance_path, JOMSO_RATELIMIT_ENABLED="false",
               JOMSO_MAIL_DELIVERY="cron", JOMSO_ANALYTICS_ENABLED="false",
               JOMSO_SHOP_URL=f"http://127.0.0.1:{port}")  # fmt: skip
    server = services.gunicorn(port, env, "--workers", "2", log_folder=tmp_path)
    archive = tmp_path / "backups" / "during.tar.gz"
    operator = make_shop(tmp_path, monkeypatch, "source").test_cli_runner()
    try:
        with Buyers(f"http://127.0.0.1:{port}", product_ids) as buyers:
            buyers.wait_for(5)
            began = time.monotonic()
            # Begin while a checkout is under way (a backup of a small shop takes less time than
            # a buyer's other requests: begun at any moment, it could fall between checkouts).
            buyers.wait_for_a_checkout_under_way()
            done = operator.invoke(args=["backup", str(archive)])
            ended = time.monotonic()
            assert done.exit_code == 0, done.output
            buyers.wait_for(2, since=ended)
        assert not buyers.errors, buyers.errors
    finally:
        services.stop(server)
        dispose(operator.app)
    answered_before = buyers.numbers(answered_before=began)
    sent_after = {n for sent, _, n in buyers.placed if n and sent > ended}
    # checkouts were under way while the backup ran: it did not wait for a quiet shop
    assert any(sent < ended and answered > began for sent, answered, _ in buyers.placed)

    source = make_shop(tmp_path, monkeypatch, "source")
    target = make_shop(tmp_path, monkeypatch, "target")
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output

    before, after = orders_of(source), orders_of(target)
    count = len(after)
    assert [o["id"] for o in after] == list(range(1, count + 1))
    assert manifest_of(archive)["database"]["rows"]["orders"] == count
    assert answered_before <= {o["number"] for o in after}
    assert not sent_after & {o["number"] for o in after}
    assert len(before) > count
    for old, new in zip(before, after, strict=False):
        same = ("number", "email", "total", "lines")
        assert {k: new[k] for k in same} == {k: old[k] for k in same}
        assert new["history"] == old["history"][: len(new["history"])]
        assert new["status"] == new["history"][-1]
        assert new["sales"] == old["sales"][: len(new["sales"])]

    for shop_orders, stock in ((before, stock_of(source)), (after, stock_of(target))):
        units = held(shop_orders)
        assert {pid: stock[pid] + units.get(pid, 0) for pid in stock} == dict.fromkeys(stock, STOCK)
    store = read_store(Path(target.instance_path) / STORE_NAME)
    assert {sale for o in after for sale in o["sales"]} <= set(store["transactions"])
    assert image_files(target) == image_files(source) != {}

    page = target.test_client().get("/products/mug-0")
    assert page.status_code == 200 and "Mug 0" in page.text
    dispose(source)
    dispose(target)
