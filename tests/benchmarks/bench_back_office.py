"""Back-office benchmark, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_back_office.py [--orders 60000] [--days 365]
        [--views-per-day 2000] [--views-today 20000] [--requests 15] [--timezone Europe/Berlin]

Builds a shop in a temporary instance folder (SQLite file database, WAL, as in production) and
writes straight into it, in bulk: 400 products in 12 categories, ``--orders`` orders spread
over the last ``--days`` days (one to four lines each, shipped to seven countries; the older
ones delivered, the last days' paid or being prepared, a few cancelled, failed or awaiting
payment, one in forty refunded), page views (``--views-per-day`` on every day before today
and ``--views-today`` today, two in five with analytics consent, some on the checkout and
order pages) and a few enquiries. Then, signed in as the owner through Flask's test client:

* the dashboard (``/staff/``);
* the sales page for each preset and for the whole year of orders, first **cold** (the first
  request after the orders were written: it builds the daily roll-up of every day it covers
  that is not built yet) and then **warm** (the median of ``--requests`` requests; the days
  that are over come from the roll-up, today from the orders).

Wall-clock and CPU time (this process, all threads) are printed for each; on a busy machine
the CPU time is the steadier figure. The roll-up is then emptied and the year preset timed
cold again, to show what a shop pays once after upgrading.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

COUNTRIES = ["US"] * 6 + ["CA", "GB", "DE", "FR", "NL", "AU"]
PRESETS = ("today", "7d", "30d", "month", "last_month", "year")
LETTERS = "ABCDEFGHJKMNPQRSTVWXYZ"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def seed(database: Path, orders: int, days: int, views_per_day: int, views_today: int) -> None:
    """Write the shop's rows with plain sqlite3 executemany: about 10 s for 60,000 orders."""
    rnd = random.Random(14)
    now = datetime.now(UTC)
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA synchronous=OFF")
    stamp_now = _stamp(now)
    connection.executemany(
        "INSERT INTO categories (id, name, slug, position) VALUES (?, ?, ?, ?)",
        [(i, f"Category {i}", f"category-{i}", i) for i in range(1, 13)],
    )
    products = [
        (
            i,
            f"Product {i}",
            f"product-{i}",
            f"SKU-{i:05d}",
            "A product.",
            rnd.randint(300, 12_000),
            rnd.choice([0, 1, 2, 3, 4, 8, 20, 50, 120]),
            1,
            1 + i % 12,
            stamp_now,
            stamp_now,
        )
        for i in range(1, 401)
    ]
    # Since migration 0015 the SKU and the stock are the variant's: one variant a product.
    connection.executemany(
        "INSERT INTO products (id, name, slug, description, price_cents, price_min_cents,"
        " price_max_cents, stock_total, is_active, category_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(p[0], p[1], p[2], p[4], p[5], p[5], p[5], p[6], *p[7:]) for p in products],
    )
    connection.executemany(
        "INSERT INTO product_variants (id, product_id, position, sku, stock, weight_grams,"
        " barcode, is_active) VALUES (?, ?, 0, ?, ?, 0, '', 1)",
        [(p[0], p[0], p[3], p[6]) for p in products],
    )
    price = {p[0]: p[5] for p in products}
    popular = [p[0] for p in products for _ in range(1 + (p[0] % 7 == 0) * 6)]  # some sell more

    order_rows, line_rows, payment_rows = [], [], []
    line_id = payment_id = 0
    for order_id in range(1, orders + 1):
        age = timedelta(seconds=rnd.random() * days * 86_400)
        created = now - age
        if age < timedelta(hours=1):
            status = rnd.choice(["paid", "pending_payment", "payment_unknown", "paid"])
        elif age < timedelta(days=3):
            status = rnd.choice(["paid", "processing", "processing", "shipped", "cancelled"])
        else:
            status = rnd.choices(
                ["delivered", "shipped", "cancelled", "payment_failed", "refunded"],
                weights=[88, 4, 3, 3, 2],
            )[0]
        subtotal = 0
        for _ in range(rnd.choice([1, 1, 1, 2, 2, 3, 4])):
            line_id += 1
            product = rnd.choice(popular)
            quantity = rnd.choice([1, 1, 1, 2, 3])
            subtotal += price[product] * quantity
            line_rows.append(
                (line_id, order_id, product, product, f"Product {product}",
                 f"SKU-{product:05d}", price[product], quantity, price[product] * quantity)
            )  # fmt: skip
        shipping = 0 if subtotal >= 5000 else 495
        total = subtotal + shipping
        stamp = _stamp(created)
        number = "J" + "".join(
            LETTERS[(order_id // len(LETTERS) ** k) % len(LETTERS)] for k in range(8)
        )
        order_rows.append(
            (order_id, number, status, f"customer{order_id}@example.com", "+15035550143",
             "Ann Buyer", "1 Main St", "", "Portland", "", "", "US",
             "Ann Buyer", "1 Main St", "", "Portland", "", "", rnd.choice(COUNTRIES),
             "USD", subtotal, shipping, total, "", "", stamp, stamp)
        )  # fmt: skip
        if status not in ("pending_payment", "payment_failed", "payment_unknown"):
            payment_id += 1
            payment_rows.append(
                (payment_id, order_id, "sale", f"sale-{order_id}",
                 "voided" if status == "cancelled" else "settled", total, "Visa", "1111",
                 stamp, stamp)
            )  # fmt: skip
        if status == "refunded":
            payment_id += 1
            when = _stamp(min(now, created + timedelta(days=rnd.randint(1, 20))))
            payment_rows.append(
                (payment_id, order_id, "refund", f"refund-{order_id}", "settled", total, "Visa",
                 "1111", when, when)
            )  # fmt: skip
    connection.executemany(
        "INSERT INTO orders (id, number, status, email, phone, billing_name, billing_line1,"
        " billing_line2, billing_city, billing_region, billing_postal_code, billing_country,"
        " shipping_name, shipping_line1, shipping_line2, shipping_city, shipping_region,"
        " shipping_postal_code, shipping_country, currency, subtotal_cents, shipping_cents,"
        " total_cents, carrier, tracking_number, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        order_rows,
    )
    connection.executemany(
        "INSERT INTO order_lines (id, order_id, product_id, variant_id, name, sku,"
        " unit_price_cents, quantity, line_total_cents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        line_rows,
    )
    connection.executemany(
        "INSERT INTO payments (id, order_id, kind, transaction_id, status, amount_cents,"
        " card_brand, card_last4, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        payment_rows,
    )

    def views(day_start: datetime, count: int, span: float):
        for i in range(count):
            consented = rnd.random() < 0.4
            visitor = f"{rnd.randrange(count // 5 + 1):032x}" if consented else None
            path = rnd.choices(
                ["/", "/products", "/products/product-7", "/checkout", "/orders/<number>"],
                weights=[30, 30, 34, 4, 2],
            )[0]
            yield (_stamp(day_start + timedelta(seconds=span * i / count)), path, 200,
                   int(consented), visitor, 0)  # fmt: skip

    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    insert_views = (
        "INSERT INTO page_views (created_at, path, status, consented, visitor_id, ip_truncated)"
        " VALUES (?, ?, ?, ?, ?, ?)"
    )
    for back in range(1, days + 1):
        connection.executemany(
            insert_views, views(today_start - timedelta(days=back), views_per_day, 86_400)
        )
    elapsed = (now - today_start).total_seconds()
    connection.executemany(insert_views, views(today_start, views_today, elapsed))
    connection.executemany(
        "INSERT INTO enquiries (created_at, updated_at, status, topic, name, email, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (_stamp(now - timedelta(hours=h * 7)), stamp_now, "new" if h < 6 else "answered",
             "question", "Ann Buyer", "ann@example.com", "Hello?")
            for h in range(40)
        ],
    )  # fmt: skip
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def timed(client, url: str) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return time.perf_counter() - start, time.process_time() - cpu


def median_of(client, url: str, n: int) -> tuple[float, float]:
    samples = [timed(client, url) for _ in range(n)]
    return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=60_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--views-per-day", type=int, default=2_000)
    parser.add_argument("--views-today", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--timezone", default="Europe/Berlin")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jomso-bench-back-office-") as tmp:
        os.environ["JOMSO_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        from sqlalchemy import delete, func, select

        from jomso import create_app
        from jomso.cli import init_schema
        from jomso.extensions import db
        from jomso.orders.models import Order, OrderLine
        from jomso.sales.models import SalesDay, SalesDayCountry, SalesDayProduct
        from tests.helpers import login, make_user

        database = Path(tmp) / "bench.sqlite3"
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": f"sqlite:///{database}",
                "RATELIMIT_ENABLED": False,
                "ANALYTICS_ENABLED": False,  # the benchmark's own requests stay out of the log
                "SERVER_NAME": "shop.bench",
                "TIMEZONE": args.timezone,
            }
        )
        with app.app_context():
            init_schema()
            db.session.remove()
        started = time.perf_counter()
        seed(database, args.orders, args.days, args.views_per_day, args.views_today)
        with app.app_context():
            counts = (
                db.session.scalar(select(func.count(Order.id))),
                db.session.scalar(select(func.count(OrderLine.id))),
            )
        print(
            f"seeded {counts[0]:,} orders ({counts[1]:,} lines) over {args.days} days, "
            f"{args.views_per_day:,} page views a day and {args.views_today:,} today "
            f"in {time.perf_counter() - started:.1f} s; time zone {args.timezone}"
        )
        make_user(app, "owner@bench.example", roles=["owner"])
        client = app.test_client()
        login(client, "owner@bench.example")

        # A small staff page, for scale: the cost of any back-office page (session, menu, layout).
        urls = {"for scale: the staff list": "/staff/staff", "dashboard": "/staff/"}
        urls.update({f"sales, {p}": f"/staff/sales?period={p}" for p in PRESETS})
        urls["sales, last 365 days by month"] = (
            f"/staff/sales?start={(datetime.now(UTC) - timedelta(days=364)).date()}"
            f"&end={datetime.now(UTC).date()}&by=month"
        )
        print(f"{'page':<34}{'cold wall':>12}{'cold CPU':>12}{'warm wall':>12}{'warm CPU':>12}")
        for name, url in urls.items():
            cold = timed(client, url)
            warm = median_of(client, url, args.requests)
            print(f"{name:<34}{ms(cold[0])}{ms(cold[1])}   {ms(warm[0])}{ms(warm[1])}")
        print(f"(warm: median of {args.requests} requests)")

        with app.app_context():
            for model in (SalesDayProduct, SalesDayCountry, SalesDay):
                db.session.execute(delete(model))
            db.session.commit()
        wall, cpu = timed(client, urls["sales, last 365 days by month"])
        print(f"after emptying the roll-up, a year cold again: {ms(wall)} wall, {ms(cpu)} CPU")


if __name__ == "__main__":
    main()
