"""Several app servers: two gunicorn servers (two workers each, their own instance folders, as
on two machines) on one PostgreSQL and one Redis, behind nginx sharing the requests out round
robin; mail goes to a real SMTP server (aiosmtpd in this process). Through the proxy, as
customers and staff would:

- a session works across both servers;
- a price change made through one server is shown by the other at once;
- a rate limit counts across both;
- a concurrent checkout of the last unit sells it once;
- each queued mail is sent once, by one sender at a time.

Every answer names the server that made it (nginx's ``X-Upstream`` header), so each test shows
that both servers took part. The servers are started once for the module (docs/several-servers.md
describes the set-up).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import select

from jomso import create_app
from jomso.accounts.models import User
from jomso.catalog.models import Product
from jomso.cli import init_schema
from jomso.extensions import db
from jomso.mail import OutgoingMail
from jomso.orders.models import Order, Payment
from tests import services
from tests.catalog.helpers import make_product
from tests.conftest import csrf_token_from
from tests.helpers import PASSWORD, forms_on, make_user
from tests.orders.helpers import checkout_data

SECRET_KEY = "several-servers-secret-key"
WORKERS = 2  # per server


class Mailbox:
    """aiosmtpd handler: keeps what arrives, taking a moment over each message, and counts the
    messages being handed over at the same moment."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.now = 0
        self.most = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        self.now += 1
        self.most = max(self.most, self.now)
        await asyncio.sleep(0.02)  # long enough for two senders to meet, were there two
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode()))
        self.now -= 1
        return "250 2.0.0 Queued"

    def message_ids(self) -> list[str]:
        found = [re.search(r"^Message-ID: (.+)$", text, re.M | re.I) for _, text in self.messages]
        return [match.group(1).strip() for match in found if match]


class Shop:
    """The running servers, the proxy's address, and an app on the same database for looking
    at the rows."""

    def __init__(self, base: str, upstreams: set[str], app, mailbox: Mailbox) -> None:
        self.base = base
        self.upstreams = upstreams
        self.app = app
        self.mailbox = mailbox
        self._visitors = 0

    def visitor(self) -> requests.Session:
        """A browser with an address of its own (sent as the first proxy would send it)."""
        self._visitors += 1
        browser = requests.Session()
        browser.headers["X-Forwarded-For"] = f"198.51.100.{self._visitors}"
        return browser

    def get(self, browser, path: str, **kwargs) -> requests.Response:
        return browser.get(self.base + path, timeout=60, allow_redirects=False, **kwargs)

    def post(self, browser, path: str, data: dict, **kwargs) -> requests.Response:
        return browser.post(
            self.base + path, data=data, timeout=60, allow_redirects=False, **kwargs
        )

    def from_both(self, browser, path: str) -> list[requests.Response]:
        """GET ``path`` until each server has answered it; every answer."""
        answers = []
        while {answer.headers["X-Upstream"] for answer in answers} != self.upstreams:
            assert len(answers) < 8, f"one server answered every GET {path}"
            answers.append(self.get(browser, path))
        return answers

    def sign_in(self, browser, email: str, password: str = PASSWORD) -> str:
        """Sign in through the form; returns the server that answered."""
        page = self.get(browser, "/account/login")
        form = {"email": email, "password": password, "csrf_token": csrf_token_from(page.text)}
        answer = self.post(browser, "/account/login", form)
        assert answer.status_code == 302, answer.status_code
        return answer.headers["X-Upstream"]


def _proxy(port: int, upstreams: set[str]) -> str:
    """nginx's http{} body: round robin over the servers, each answer naming its server."""
    servers = " ".join(f"server {upstream};" for upstream in sorted(upstreams))
    return f"""
 upstream shop {{ {servers} }}
 server {{
  listen 127.0.0.1:{port};
  location / {{
   proxy_pass http://shop;
   proxy_next_upstream off;
   proxy_set_header Host $http_host;
   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
   proxy_set_header X-Forwarded-Proto $scheme;
   add_header X-Upstream $upstream_addr always;
  }}
 }}"""


def _environment(database_url: str, redis_url: str, smtp_port: int, proxy_port: int) -> dict:
    """What every server is given: the same database, Redis, secret key and mail server."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOMSO_")}
    env.update(
        JOMSO_DATABASE_URL=database_url,
        JOMSO_REDIS_URL=redis_url,
        JOMSO_SECRET_KEY=SECRET_KEY,  # the same on every server: a session holds on both
        JOMSO_SHOP_URL=f"http://127.0.0.1:{proxy_port}",
        # The visitors' addresses come through two proxies: a first one (the test plays it,
        # giving each visitor an address of its own) and nginx.
        JOMSO_PROXY_FIX="2",
        JOMSO_MAIL_SERVER="127.0.0.1",
        JOMSO_MAIL_PORT=str(smtp_port),
        JOMSO_MAIL_USE_TLS="false",
        JOMSO_ANALYTICS_ENABLED="false",
    )
    return env


def _start_servers(folder: Path, env: dict, stack: ExitStack) -> set[str]:
    """Two gunicorn servers (stopped by ``stack``), each with its own instance folder, every
    worker answering; returns their addresses."""
    ports = [services.free_port(), services.free_port()]
    logs = [folder / f"server{index}" for index in range(len(ports))]
    # --preload: each server loads the app once and forks its workers from it.
    options = ("--workers", str(WORKERS), "--preload",
               "--access-logformat", services.ACCESS_LOG_FORMAT)  # fmt: skip

    def start(index: int):
        logs[index].mkdir()
        own = {**env, "JOMSO_INSTANCE_PATH": str(folder / f"instance{index}")}
        process = services.gunicorn(ports[index], own, *options, log_folder=logs[index])
        stack.callback(services.stop, process)
        return process

    with ThreadPoolExecutor(len(ports)) as pool:  # both load the app at the same time
        processes = list(pool.map(start, range(len(ports))))
    for process in processes:  # at the end, both are told to stop before either is waited for
        stack.callback(process.terminate)
    for port, log_folder, process in zip(ports, logs, processes, strict=True):
        services.wait_until_every_worker_answers(port, WORKERS, log_folder / "access.log", process)
    return {f"127.0.0.1:{port}" for port in ports}


@pytest.fixture(scope="module")
def shop(tmp_path_factory, postgres_admin_url):
    folder = tmp_path_factory.mktemp("several-servers")
    with ExitStack() as stack:  # stops everything in the reverse order of starting
        database_url = services.create_database(postgres_admin_url)
        stack.callback(services.drop_database, database_url)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("JOMSO_INSTANCE_PATH", str(folder / "test-instance"))
            app = create_app(
                {"TESTING": True, "SECRET_KEY": SECRET_KEY, "DATABASE_URL": database_url,
                 "MAIL_DELIVERY": "cron"}  # this process only looks: the servers send
            )  # fmt: skip
        stack.callback(_dispose, app)
        with app.app_context():
            init_schema()  # what `flask --app app init-db` does
        mailbox = Mailbox()
        smtp = Controller(mailbox, hostname="127.0.0.1", port=services.free_port())
        smtp.start()
        stack.callback(smtp.stop)
        redis_url = stack.enter_context(services.redis_server(folder / "redis"))
        proxy_port = services.free_port()
        env = _environment(database_url, redis_url, smtp.port, proxy_port)
        upstreams = _start_servers(folder, env, stack)
        stack.enter_context(services.nginx_server(folder / "nginx", _proxy(proxy_port, upstreams)))
        services.wait_for_port(proxy_port)
        yield Shop(f"http://127.0.0.1:{proxy_port}", upstreams, app, mailbox)


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_session_works_across_both_servers(shop):
    make_user(shop.app, email="sam@example.com", name="Sam Shopper")
    product_id = make_product(shop.app, "Oak Bowl", price_cents=3200)
    browser = shop.visitor()
    shop.sign_in(browser, "sam@example.com")
    cart_page = shop.get(browser, "/cart")
    added = shop.post(
        browser, "/cart/add",
        {"product_id": product_id, "quantity": 2, "csrf_token": csrf_token_from(cart_page.text)},
    )  # fmt: skip
    assert added.status_code in (302, 303)
    for path, shows in (("/account", "Sam Shopper"), ("/cart", "Oak Bowl"), ("/", "My account")):
        for page in shop.from_both(browser, path):  # signed in, with the cart, on both
            assert page.status_code == 200, (path, page.headers["X-Upstream"])
            assert shows in page.text

    page = shop.get(browser, "/account")
    out = shop.post(browser, "/account/logout", {"csrf_token": csrf_token_from(page.text)})
    assert out.status_code in (302, 303)
    for page in shop.from_both(browser, "/account"):  # signed out on both
        assert page.status_code == 302


def test_a_price_change_through_one_server_shows_on_the_other_at_once(shop):
    make_user(shop.app, email="cat@staff.example.com", name="Cat Alog", roles=("catalog",))
    product_id = make_product(shop.app, "Stoneware Teapot", price_cents=1250, stock=8)
    anonymous = shop.visitor()
    pages = ("/products/stoneware-teapot", "/products")
    for path in pages:  # both servers show it, and it is cached (in Redis)
        assert all("$12.50" in page.text for page in shop.from_both(anonymous, path))

    staff = shop.visitor()
    shop.sign_in(staff, "cat@staff.example.com")
    page = shop.get(staff, f"/staff/products/{product_id}")
    assert page.status_code == 200
    [form] = [f for f in forms_on(page.text) if "price" in f.fields]
    edit = form.action or f"/staff/products/{product_id}"  # the form posts to its own page
    saved = shop.post(staff, edit, {**form.fields, "price": "9.90", "action": "save"})
    assert saved.status_code == 302, saved.status_code
    changed_by = saved.headers["X-Upstream"]

    assert changed_by in shop.upstreams
    for path in pages:  # every answer from now on, from either server, has the new price
        for page in shop.from_both(anonymous, path):
            assert "$9.90" in page.text and "$12.50" not in page.text, page.headers["X-Upstream"]


def _six_failed_sign_ins(shop, email: str) -> list[tuple[int, str]]:
    browser = shop.visitor()
    page = shop.get(browser, "/account/login")
    form = {
        "email": email,
        "password": "not the password",
        "csrf_token": csrf_token_from(page.text),
    }
    answers = [shop.post(browser, "/account/login", form) for _ in range(6)]
    return [(answer.status_code, answer.headers["X-Upstream"]) for answer in answers]


def test_a_rate_limit_counts_across_both_servers(shop):
    make_user(shop.app, email="rita@example.com")
    answers = _six_failed_sign_ins(shop, "rita@example.com")
    # Five failed sign-ins a minute for an account from one address; the sixth is refused.
    assert [status for status, _ in answers] == [200] * 5 + [429]
    # Both servers counted some of the five: neither alone had seen five.
    assert {server for _, server in answers[:5]} == shop.upstreams
    assert max(Counter(server for _, server in answers[:5]).values()) < 5


def test_a_concurrent_checkout_of_the_last_unit_sells_it_once(shop):
    product_id = make_product(shop.app, "Last Lantern", price_cents=4200, stock=1)
    buyers = []
    for number in range(4):
        browser = shop.visitor()
        page = shop.get(browser, "/cart")
        added = shop.post(
            browser, "/cart/add",
            {"product_id": product_id, "quantity": 1, "csrf_token": csrf_token_from(page.text)},
        )  # fmt: skip
        assert added.status_code in (302, 303)
        page = shop.get(browser, "/checkout")
        assert page.status_code == 200
        buyers.append((browser, checkout_data(page.text, email=f"buyer{number}@example.com")))
    start = threading.Barrier(len(buyers))
    answers = []

    def buy(browser, data):
        start.wait()
        answers.append(shop.post(browser, "/checkout", data))

    threads = [threading.Thread(target=buy, args=buyer) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert {answer.headers["X-Upstream"] for answer in answers} == shop.upstreams
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(303) == 1, statuses
    for answer in answers:
        if answer.status_code == 409:
            assert "sold out" in answer.text.lower()
        else:
            assert answer.status_code in (302, 303), answer.status_code
    with shop.app.app_context():
        assert db.session.get(Product, product_id).default_variant.stock == 0
        orders = db.session.scalars(select(Order).where(Order.email.like("buyer%"))).all()
        assert [order.status for order in orders] == ["paid"]
        assert sum(line.quantity for line in orders[0].lines) == 1
        payments = db.session.scalars(select(Payment).where(Payment.order_id == orders[0].id))
        assert [payment.kind for payment in payments] == ["sale"]


def _accounts(app, emails: list[str]) -> None:
    """Accounts for ``emails``, sharing one password hash (hashing is slow on purpose)."""
    make_user(app, email=emails[0])
    with app.app_context():
        hashed = db.session.scalar(select(User.password_hash).where(User.email == emails[0]))
        db.session.add_all(User(email=email, password_hash=hashed) for email in emails[1:])
        db.session.commit()


def test_each_queued_mail_is_sent_once_by_one_sender_at_a_time(shop):
    addresses = [f"reader{number}@example.com" for number in range(12)]
    _accounts(shop.app, addresses)
    forms = []
    for address in addresses:
        browser = shop.visitor()
        page = shop.get(browser, "/account/password-reset")
        forms.append((browser, {"email": address, "csrf_token": csrf_token_from(page.text)}))
    start = threading.Barrier(4)
    answers = []

    def ask(batch):  # four visitors at a time, on both servers: mail is queued on both at once
        start.wait()
        for browser, form in batch:
            answers.append(shop.post(browser, "/account/password-reset", form))

    threads = [threading.Thread(target=ask, args=(forms[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [answer.status_code for answer in answers] == [200] * len(addresses)
    assert {answer.headers["X-Upstream"] for answer in answers} == shop.upstreams

    with shop.app.app_context():
        queued = db.session.scalar(select(db.func.count()).select_from(OutgoingMail))
    deadline = time.monotonic() + 30
    while len(shop.mailbox.messages) < queued and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # a message sent twice would have come by now
    with shop.app.app_context():
        states = db.session.scalars(select(OutgoingMail.state)).all()
    assert Counter(states) == {"sent": queued}
    assert len(shop.mailbox.messages) == queued  # everything queued in the module, once each
    assert len(set(shop.mailbox.message_ids())) == queued
    received = Counter(to for recipients, _ in shop.mailbox.messages for to in recipients)
    assert all(received[address] == 1 for address in addresses)
    assert shop.mailbox.most == 1  # one sender at a time, whichever worker of which server
