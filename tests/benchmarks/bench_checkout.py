"""Checkout benchmark, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_checkout.py [--orders 200] [--products 500]

Builds a shop in a temporary instance folder (SQLite file database, demo payments on the
offline gateway, mail to the outbox), then places ``--orders`` orders one after the other with
Flask's test client, each from a fresh guest cart of one or two products: add to cart, open the
checkout, and POST it. Only the POST is timed: the whole of placing an order (re-pricing the
cart, the locked transaction that takes the stock and creates the order, the authorization
through the Braintree SDK and the offline gateway, recording the payment, emptying the cart and
writing the confirmation email). Prints the median, p90, p99, mean and slowest time.

Everything runs in one process on the same machine, so the figures include the offline
gateway's own work (an XML round trip and a locked JSON file) instead of a network round trip
to Braintree, which in production adds its own latency (typically a few hundred ms).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--products", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jomso-bench-checkout-") as tmp:
        os.environ["JOMSO_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        from jomso import create_app
        from jomso.catalog.demo import seed_demo
        from jomso.catalog.models import Product, ProductVariant
        from jomso.cli import init_schema
        from jomso.extensions import db

        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "RATELIMIT_ENABLED": False,
                "ANALYTICS_WRITE_BEHIND": False,
                "SERVER_NAME": "shop.bench",
            }
        )
        with app.app_context():
            from jomso.shipping.demo import set_up_demo_shipping
            from jomso.taxes.demo import set_up_demo_taxes

            init_schema()
            seed_demo(args.products, seed=7)
            set_up_demo_shipping()  # the checkout asks for a delivery method
            set_up_demo_taxes()  # US sales tax by state (Oregon's buyers pay none)
            db.session.execute(db.update(ProductVariant).values(stock=10_000))
            db.session.commit()
            # Products sold without a choice of options: the add to cart form posts only the id.
            product_ids = list(
                db.session.scalars(
                    db.select(Product.id).where(Product.is_active, ~Product.options.any())
                )
            )

        rng = random.Random(7)
        timings: list[float] = []
        for index in range(args.orders):
            client = app.test_client()
            for product_id in rng.sample(product_ids, rng.choice((1, 2))):
                token = _csrf(client.get("/cart").text)
                client.post(
                    "/cart/add",
                    data={"product_id": product_id, "quantity": 1, "csrf_token": token},
                )
            page = client.get("/checkout").text
            data = _checkout_form(page, index)
            started = time.perf_counter()
            response = client.post("/checkout", data=data)
            timings.append(time.perf_counter() - started)
            if response.status_code != 303:
                raise SystemExit(f"order {index}: checkout answered {response.status_code}")

        with app.app_context():
            from jomso.orders.models import Order

            placed = db.session.scalar(db.select(db.func.count()).select_from(Order))
        _report(timings, placed)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def _checkout_form(html: str, index: int) -> dict:
    return {
        "csrf_token": _csrf(html),
        "checkout_token": _hidden(html, "checkout_token"),
        "summary_hash": _hidden(html, "summary_hash"),
        "delivery_hash": _hidden(html, "delivery_hash"),
        "shipping_method": re.search(r'name="shipping_method"[^>]*value="([^"]*)"', html).group(1),
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
    }


def _report(timings: list[float], placed: int) -> None:
    ms = sorted(t * 1000 for t in timings)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, round(p * (len(ms) - 1)))]

    print(f"checkout POST over {len(ms)} orders ({placed} placed), in-process, SQLite file,")
    print("offline gateway through the Braintree SDK, confirmation mail to the outbox:")
    print(f"  median {statistics.median(ms):7.1f} ms")
    print(f"  p90    {pct(0.90):7.1f} ms")
    print(f"  p99    {pct(0.99):7.1f} ms")
    print(f"  mean   {statistics.fmean(ms):7.1f} ms")
    print(f"  max    {ms[-1]:7.1f} ms")


if __name__ == "__main__":
    main()
