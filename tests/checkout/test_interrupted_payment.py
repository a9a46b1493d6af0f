"""A gunicorn worker killed in the middle of an authorization (SIGKILL, as the kernel's OOM killer
or gunicorn's own timeout would end it): the customer, coming back, is shown the checking page
and cannot pay twice; the next ``reconcile-payments`` settles the order from Braintree's record;
the card is charged once.

The offline gateway's amount 4004.xx authorizes and records the sale, then hangs for the SDK's
whole timeout before answering: a gateway that authorized but whose answer never came back.
The shop runs under a real gunicorn (one sync worker) in a subprocess, the command runs as an
operator's timer would run it, with the same environment.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import requests

from jomso.extensions import db
from jomso.orders.queries import find_order
from jomso.payments.offline.store import STORE_NAME, read_store
from tests import services
from tests.accounts.helpers import build_app, dispose_app
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.mailbox import outbox_messages
from tests.orders.helpers import all_orders, checkout_data, get_order, stock_of

ROOT = Path(__file__).resolve().parents[2]
HANGING_CENTS = 400400  # 4004.00: authorized, recorded, then no answer for BRAINTREE_TIMEOUT
_LOGGED = re.compile(r"^<(\d+)> (\w+) (\S+) (\d+)$", re.MULTILINE)


def _worker_pid(access_log: Path, base: str) -> int:
    """The pid of the worker that answers (gunicorn's access log, ``%(p)s``)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/healthz", timeout=30)
        except (requests.ConnectionError, requests.Timeout):  # still loading the app
            time.sleep(0.2)
            continue
        text = access_log.read_text() if access_log.exists() else ""
        pids = {pid for pid, _, path, _ in _LOGGED.findall(text) if path == "/healthz"}
        if pids:
            assert len(pids) == 1, pids
            return int(pids.pop())
        time.sleep(0.05)
    raise AssertionError("the gunicorn worker did not answer within 120 s")


def _store_sales(instance: Path) -> list[dict]:
    data = read_store(instance / STORE_NAME)
    return [t for t in data["transactions"].values() if t["type"] == "sale"]


def _wait_for_the_authorization(instance: Path, answered: threading.Event) -> dict:
    """The sale the gateway recorded, while the worker still waits for its answer."""
    deadline = time.monotonic() + 20
    while not (sales := _store_sales(instance)):
        assert not answered.is_set(), "the checkout answered before the gateway recorded a sale"
        assert time.monotonic() < deadline, "the gateway recorded no sale within 20 s"
        time.sleep(0.02)
    assert not answered.is_set()
    [sale] = sales
    return sale


def _reconcile(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "reconcile-payments"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_worker_killed_mid_authorization_is_settled_by_the_next_reconcile_charging_once(
    tmp_path, monkeypatch
):
    app = build_app(tmp_path, monkeypatch, MAIL_DELIVERY="commit")
    product_id = make_product(app, "Slow Teapot", price_cents=HANGING_CENTS, stock=3)
    instance = Path(app.instance_path)
    port = services.free_port()
    base = f"http://127.0.0.1:{port}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOMSO_")}
    env.update(
        JOMSO_INSTANCE_PATH=str(instance),
        JOMSO_DATABASE_URL=app.config["DATABASE_URL"],
        JOMSO_SECRET_KEY="test-secret-key",
        JOMSO_SHOP_URL=base,
        JOMSO_ANALYTICS_ENABLED="false",
        JOMSO_MAIL_DELIVERY="commit",
        # The hang lasts this long: time enough to kill the worker in the middle of it. Within
        # the rules the worker checks at start (gunicorn_hooks): 2 x 25 < 60 < 120.
        JOMSO_BRAINTREE_TIMEOUT="25",
    )
    server = services.gunicorn(
        port, env,
        "--config", "python:jomso.gunicorn_hooks", "--workers", "1", "--worker-class", "sync",
        "--timeout", "60", "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
        log_folder=tmp_path,
    )  # fmt: skip
    try:
        worker = _worker_pid(tmp_path / "access.log", base)
        browser = requests.Session()
        cart = browser.get(f"{base}/cart", timeout=30)
        token = csrf_token_from(cart.text)
        added = browser.post(
            f"{base}/cart/add",
            data={"product_id": product_id, "quantity": 1, "csrf_token": token},
            timeout=30,
        )
        assert added.status_code == 200, added.status_code
        page = browser.get(f"{base}/checkout", timeout=30)
        assert page.status_code == 200
        form = checkout_data(page.text)

        # The customer pays; the worker waits for Braintree's answer, and is killed meanwhile.
        answered = threading.Event()
        outcome: list = []

        def pay() -> None:
            try:
                outcome.append(
                    browser.post(f"{base}/checkout", data=form, allow_redirects=False, timeout=120)
                )
            except requests.RequestException as error:
                outcome.append(error)
            answered.set()

        paying = threading.Thread(target=pay)
        paying.start()
        sale = _wait_for_the_authorization(instance, answered)
        assert sale["status"] == "authorized"
        number = sale["order_id"]
        os.kill(worker, signal.SIGKILL)
        paying.join(timeout=60)
        [lost] = outcome
        assert isinstance(lost, requests.ConnectionError), lost  # no page came back at all
        assert get_order(app, number).status == "pending_payment"
        assert stock_of(app, product_id) == 2  # reserved by the order

        # The customer comes back: to the checkout, or sends the form again. Both lead to the
        # checking page (served by the worker gunicorn started instead), and nothing is paid.
        back = browser.get(f"{base}/checkout", allow_redirects=False, timeout=60)
        assert back.status_code == 303
        assert back.headers["Location"] == f"/orders/{number}/checking"
        again = browser.post(f"{base}/checkout", data=form, allow_redirects=False, timeout=60)
        assert again.status_code == 303
        assert again.headers["Location"] == f"/orders/{number}/checking"
        checking = browser.get(f"{base}/orders/{number}/checking", timeout=30)
        assert checking.status_code == 200
        assert "We are checking your payment" in checking.text
        assert 'http-equiv="refresh"' in checking.text
        assert requests.get(f"{base}/orders/{number}/checking", timeout=30).status_code == 404
        assert len(_store_sales(instance)) == 1

        # The timer's run right away leaves the order alone: its checkout might still be running.
        early = _reconcile(env)
        assert early.returncode == 0, early.stderr
        assert "No order is waiting for its payment to be settled." in early.stdout
        assert get_order(app, number).status == "pending_payment"

        # RECONCILE_AFTER_SECONDS (120) later, as the next runs of the timer would see it: the
        # attempt is made that much older instead of waiting for it.
        with app.app_context():
            order = find_order(number)
            order.created_at -= timedelta(seconds=121)
            db.session.commit()
        settled = _reconcile(env)
        assert settled.returncode == 0, settled.stderr
        assert f"{number}: Paid" in settled.stdout

        # The checking page moves on to the confirmation, and the cart the killed request never
        # emptied no longer holds the teapot.
        done = browser.get(f"{base}/orders/{number}/checking", allow_redirects=False, timeout=30)
        assert done.status_code == 303 and done.headers["Location"] == f"/orders/{number}"
        confirmation = browser.get(f"{base}{done.headers['Location']}", timeout=30)
        assert "Your payment is confirmed and your order is placed." in confirmation.text
        assert "Your cart is empty" in browser.get(f"{base}/cart", timeout=30).text
    finally:
        services.stop(server)

    # One order, paid with the one authorization the gateway holds; the card charged once.
    [order] = all_orders(app)
    assert (order.number, order.status) == (number, "paid")
    [payment] = order.payments
    assert (payment.transaction_id, payment.status, payment.amount_cents) == (
        sale["id"], "authorized", HANGING_CENTS)  # fmt: skip
    [held] = _store_sales(instance)
    assert (held["id"], held["order_id"], held["status"]) == (sale["id"], number, "authorized")
    assert stock_of(app, product_id) == 2
    changes = [(c.to_status, c.actor_label) for c in get_order(app, number).changes]
    assert changes == [
        ("pending_payment", "customer"),
        ("payment_unknown", "command line"),
        ("paid", "command line"),
    ]
    subjects = [m["Subject"] for m in outbox_messages(app)]
    assert subjects == [f"Your order {number} is confirmed"]
    assert f"Worker (pid:{worker}) was sent SIGKILL!" in (tmp_path / "error.log").read_text()
    dispose_app(app)
