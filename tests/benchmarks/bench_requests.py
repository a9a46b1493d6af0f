"""In-process timings of the pages that are rendered for one visitor, run by hand (pytest never
collects it):

    .venv/bin/python tests/benchmarks/bench_requests.py [--products 3000] [--orders 20000]
        [--requests 40] [--profile "checkout POST"] [--keep DIR] [--locale en_DE]
        [--cart-lines 6] [--only "/cart"]

Builds a shop in a temporary instance folder (SQLite file, WAL, as in production): the
back-office benchmark's orders, lines, payments and page views written in bulk
(``bench_back_office.seed``), then ``--products`` demo products, a customer and an owner, and
the demo's delivery zones, discount codes and taxes for the shop's country (``--locale``: the
default ``en_US`` adds US sales tax at checkout; ``en_DE`` makes a German shop, prices with
VAT from the EU rates file, in euros, its checkouts to an address in Berlin; a ``--keep``
folder holds one locale's shop). Then, through Flask's test client, in interleaved rounds (one
request of each kind per round, so a noisy neighbour hits every kind alike):

* /cart for a guest with ``--cart-lines`` lines, variants of the newest products (two of
  each), with the demo's WELCOME10 code applied;
* checkout GET and POST for a guest with a fresh cart of two products (the POST through the
  offline gateway with ``fake-valid-visa-nonce``);
* checkout GET for the signed-in customer;
* the home page for an anonymous visitor and for the guest with a cart, and the signed-in
  customer's home, /products and a product page (served from the page cache with their
  pieces put in);
* signed in as the owner: the dashboard, the order list and an order page.

Prints the median wall and CPU time (``time.process_time``) of each, over ``--requests``
rounds. ``--profile LABEL`` prints a pyinstrument profile of that kind of request over the
rounds instead of timing them all (pyinstrument is in requirements-dev.txt). The CPU times
are the figure to compare between code versions on a shared machine; run both versions with
the same arguments.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "correct horse battery staple"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else ""


def build(folder: Path, products: int, orders: int, locale: str = "en_US"):
    """The app over a seeded database in ``folder`` (seeded once; reused when it is there)."""
    os.environ["JOMSO_INSTANCE_PATH"] = str(folder / "instance")
    from jomso import create_app
    from jomso.cli import init_schema
    from jomso.extensions import db

    database = folder / "bench.sqlite3"
    fresh = not database.exists()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{database}",
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "shop.bench",
            "LOCALE": locale,
            "CURRENCY": "USD" if locale.endswith("_US") else "EUR",
        }
    )
    if fresh:
        from sqlalchemy import update

        from jomso.accounts.registration import create_user
        from jomso.catalog.demo import seed_demo
        from jomso.catalog.models import Product, ProductVariant
        from jomso.discounts.demo import set_up_demo_codes
        from jomso.shipping.demo import set_up_demo_shipping
        from jomso.taxes.demo import set_up_demo_taxes
        from tests.benchmarks.bench_back_office import seed

        with app.app_context():
            init_schema()
            db.session.remove()
        seed(database, orders, 365, 200, 2_000)
        with app.app_context():
            seed_demo(products, seed=7)
            db.session.execute(update(ProductVariant).values(stock=100_000))
            db.session.execute(update(Product).values(stock_total=100_000))
            create_user("customer@bench.example", PASSWORD, name="Cora Customer")
            create_user("owner@bench.example", PASSWORD, name="Olive Owner", roles=["owner"])
            db.session.commit()
            set_up_demo_shipping()
            set_up_demo_codes()
            set_up_demo_taxes()
    return app


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/account/login")
    response = client.post(
        "/account/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf(page.text)},
    )
    assert response.status_code in (302, 303), response.status_code
    return client


def guest_with_cart(app, product_ids: list[int]):
    client = app.test_client()
    for product_id in product_ids:
        token = csrf(client.get("/cart").text)
        client.post("/cart/add", data={"product_id": product_id, "quantity": 1,
                                       "csrf_token": token})  # fmt: skip
    return client


def guest_with_lines(app, variants: list[tuple[int, list[str]]]):
    """A guest with two of each (product id, option values) in the cart and WELCOME10 applied."""
    client = app.test_client()
    for product_id, values in variants:
        token = csrf(client.get("/cart").text)
        form = {"product_id": product_id, "quantity": 2, "csrf_token": token}
        form.update({f"option{n}": value for n, value in enumerate(values, start=1)})
        client.post("/cart/add", data=form)
    token = csrf(client.get("/cart").text)
    client.post("/cart/discount", data={"discount_code": "WELCOME10", "csrf_token": token})
    page = client.get("/cart").text
    assert page.count('name="variant_id"') == 2 * len(variants), "not every line was added"
    assert "WELCOME10" in page
    return client


GERMAN_ADDRESS = {"billing-line1": "Hauptstr. 1", "billing-city": "Berlin", "billing-region": "",
                  "billing-postal_code": "10115", "billing-country": "DE"}  # fmt: skip


def checkout_form(html: str, index: int, country: str = "US") -> dict:
    german = GERMAN_ADDRESS if country == "DE" else {}
    return {
        "csrf_token": csrf(html),
        "checkout_token": hidden(html, "checkout_token"),
        "summary_hash": hidden(html, "summary_hash"),
        "delivery_hash": hidden(html, "delivery_hash"),
        "shipping_method": hidden(html, "shipping_method"),
        "email": f"bench{index}@example.com",
        "phone": "(503) 555-0143",
        "billing-name": "Bench Buyer",
        "billing-line1": "1 Harbour Road",
        "billing-city": "Portland",
        "billing-region": "OR",
        "billing-postal_code": "97201",
        "billing-country": "US",
        "shipping_same": "y",
        "payment_method_nonce": "fake-valid-visa-nonce",
        **german,
    }


class Timer:
    def __init__(self, profile: str | None, only: str | None = None) -> None:
        self.samples: dict[str, list[tuple[float, float]]] = {}
        self.profile = profile
        self.only = only
        self.profiler = None
        if profile:
            from pyinstrument import Profiler

            self.profiler = Profiler(interval=0.0002)

    def __call__(self, label: str, call):
        if self.only and self.only not in label:
            # Not timed; the checkouts run anyway (they are the orders the staff pages list).
            return call() if "checkout" in label else None
        profiling = self.profiler is not None and label == self.profile
        if profiling:
            self.profiler.start()
        wall, cpu = time.perf_counter(), time.process_time()
        response = call()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiling:
            self.profiler.stop()
        assert response.status_code in (200, 303), (label, response.status_code)
        self.samples.setdefault(label, []).append((wall, cpu))
        return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=3_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--profile", help="a label below: print its profile")
    parser.add_argument("--keep", help="seed into this folder once and reuse it")
    parser.add_argument("--locale", default="en_US", help="the shop's LOCALE (en_DE: EU VAT)")
    parser.add_argument("--cart-lines", type=int, default=6)
    parser.add_argument("--only", help="time only the kinds of request whose label has this")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jomso-bench-req-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run(folder, args)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, args) -> None:
    import logging

    from sqlalchemy import select

    from jomso.addresses import shop_country
    from jomso.catalog.models import Product, ProductVariant
    from jomso.extensions import db
    from jomso.orders.models import Order

    started = time.perf_counter()
    app = build(folder, args.products, args.orders, args.locale)
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(Product.id).where(Product.is_active).order_by(Product.id.desc()).limit(50)
            )
        )
        slug = db.session.scalar(select(Product.slug).where(Product.id == ids[0]))
        number = db.session.scalar(select(Order.number).order_by(Order.id.desc()).limit(1))
        orders = db.session.scalar(select(db.func.count(Order.id)))
        country = shop_country()
        variants = [
            (variant.product_id, variant.values)
            for variant in db.session.scalars(
                select(ProductVariant)
                .where(ProductVariant.is_active, ProductVariant.option1.is_not(None))
                .order_by(ProductVariant.product_id.desc(), ProductVariant.id)
            )
            .unique()
            .all()[: args.cart_lines * 3 : 3]
        ]
    logging.disable(logging.INFO)  # the shop's log lines stay out of the figures
    print(f"shop ready in {time.perf_counter() - started:.1f} s: {orders:,} orders", flush=True)

    customer = signed_in(app, "customer@bench.example")
    owner = signed_in(app, "owner@bench.example")
    customer.post("/cart/add", data={"product_id": ids[1], "quantity": 1,
                                     "csrf_token": csrf(customer.get("/cart").text)})  # fmt: skip
    timer = Timer(args.profile, args.only)
    cart_visitor = guest_with_lines(app, variants)
    anonymous = app.test_client()
    for warm in (True, False):
        for index in range(2 if warm else args.requests):
            timer("/cart with a cart", lambda: cart_visitor.get("/cart"))
            guest = guest_with_cart(app, ids[index % 20 : index % 20 + 2])
            page = timer("checkout GET", lambda guest=guest: guest.get("/checkout"))
            form = checkout_form(page.text, index, country)
            response = timer(
                "checkout POST", lambda guest=guest, form=form: guest.post("/checkout", data=form)
            )
            assert response.status_code == 303, response.text[:2000]
            timer("checkout GET, signed in", lambda: customer.get("/checkout"))
            timer("home, anonymous", lambda: anonymous.get("/"))
            timer("home, with a cart", lambda: cart_visitor.get("/"))
            timer("home, signed in", lambda: customer.get("/"))
            timer("/products, signed in", lambda: customer.get("/products"))
            timer("product page, signed in", lambda: customer.get(f"/products/{slug}"))
            timer("dashboard", lambda: owner.get("/staff/"))
            timer("orders list", lambda: owner.get("/staff/orders"))
            timer("order page", lambda: owner.get(f"/staff/orders/{number}"))
        if warm:
            timer.samples.clear()
            if timer.profiler is not None:
                timer.profiler.reset()

    if timer.profiler is not None:
        from pyinstrument.renderers import ConsoleRenderer

        print(
            timer.profiler.output_text(
                unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"
            )
        )
        print("Where the time is spent (self time, the heaviest functions):")
        flat = ConsoleRenderer(unicode=True, color=False, flat=True, time="percent_of_total")
        print("\n".join(timer.profiler.output(flat).splitlines()[:40]))
        return
    print(f"{'request':<28}{'wall p50':>10}{'CPU p50':>10}{'CPU p90':>10}  ms, {args.requests}"
          f" interleaved rounds, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for label, samples in timer.samples.items():
        cpus = sorted(c for _, c in samples)
        print(f"{label:<28}{statistics.median(w for w, _ in samples) * 1000:10.1f}"
              f"{statistics.median(cpus) * 1000:10.1f}"
              f"{cpus[int(0.9 * (len(cpus) - 1))] * 1000:10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
