"""Staff order list benchmark, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_order_list.py [--orders 60000] [--runs 15]

Seeds ``--orders`` orders (1 to 3 lines each, a payment each, statuses and days spread over
two years, customers from a few hundred first names and surnames) straight into a SQLite file
database in a temporary instance folder, with their search terms, then times the staff order
list in-process through Flask's test client, signed in as an orders staff member: the whole
GET request (both SQL statements of the page, the access-log entry, the template). Each case
runs ``--runs`` times after one warm-up; it prints the median and the slowest.

Cases: the list as it opens and sorted or filtered; a search of each kind (order number in
full and by its first characters, a name, two words of a name, an email, a SKU), each with a
match and without one; and, for comparison, what the list's search did before this change
(``LIKE '%text%'`` on the email over every order), with and without a match, SQL only. Last,
the CSV of every order, streamed: the time to the first row and to the end.

Target: no search slower than 30 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FIRST = (  # noqa: SIM905 (names read better as words)
    "Anna Ben Chloé David Emma Farid Grace Hugo Ines Jonas Kofi Lea Marta Noah Olga "
    "Pedro Quinn Rosa Sven Tariq Uma Victor Wen Ximena Yusuf Zoé"
).split()
LAST = (  # noqa: SIM905 (names read better as words)
    "Smith Müller Garcia Rossi Nowak Dubois Jensen Silva Kim Okafor Novak Larsen "
    "Moreau Schmidt Fischer Lopez Martin Bernard Kowalski Horvat Ivanova Petit Costa "
    "Weber Wagner Andersen Bauer Cohen Dimitrov Eriksson Fontaine Gallo Haddad Ito "
    "Jovanovic"
).split()
STATUSES = [("delivered", 70), ("shipped", 10), ("refunded", 3), ("partly_refunded", 2),
            ("cancelled", 4), ("payment_failed", 4), ("paid", 4), ("processing", 3)]  # fmt: skip
SALE_STATUS = {"delivered": "settled", "shipped": "submitted_for_settlement",
               "refunded": "settled", "partly_refunded": "settled", "cancelled": "voided",
               "paid": "authorized", "processing": "authorized"}  # fmt: skip


def seed(app, count: int, rng: random.Random) -> tuple[float, dict]:
    """``count`` orders with lines, payments and search terms; returns the seconds it took
    and some values the cases search for."""
    from sqlalchemy import insert

    from jomso.extensions import db
    from jomso.orders.models import Order, OrderLine, OrderSearchTerm, Payment
    from jomso.orders.queries import new_order_number
    from jomso.orders.search_terms import squashed, words

    started = time.perf_counter()
    skus = [
        f"SKU-{word}-{n:03d}" for n in range(100) for word in ("MUG", "BOWL", "JAR", "VASE", "CUP")
    ]
    population = [s for s, weight in STATUSES for _ in range(weight)]
    now = datetime.now(UTC)
    orders, lines, payments, terms = [], [], [], []
    numbers = set()
    sample = {}
    for order_id in range(1, count + 1):
        number = new_order_number()
        while number in numbers:
            number = new_order_number()
        numbers.add(number)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        email = f"{first.lower()}.{last.lower()}{order_id}@example.com"
        status = rng.choice(population)
        created = now - timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600))
        chosen = rng.sample(skus, rng.choice((1, 1, 2, 3)))
        subtotal = 0
        for sku in chosen:
            quantity, price = rng.choice((1, 1, 2)), rng.randrange(500, 9000, 50)
            subtotal += quantity * price
            lines.append({"order_id": order_id, "product_id": None, "name": sku.title(),
                          "sku": sku, "unit_price_cents": price, "quantity": quantity,
                          "line_total_cents": quantity * price})  # fmt: skip
        shipping = 0 if subtotal >= 5000 else 495
        address = {"line1": "1 Harbour Road", "line2": "", "city": "Portland", "region": "OR",
                   "postal_code": "97201", "country": "US"}  # fmt: skip
        orders.append({
            "id": order_id, "number": number, "status": status, "user_id": None,
            "checkout_key": None, "email": email, "phone": "+15035550143",
            **{f"billing_{k}": v for k, v in address.items()}, "billing_name": name,
            **{f"shipping_{k}": v for k, v in address.items()}, "shipping_name": name,
            "currency": "USD", "subtotal_cents": subtotal, "shipping_cents": shipping,
            "total_cents": subtotal + shipping, "carrier": "", "tracking_number": "",
            "created_at": created, "updated_at": created, "anonymized_at": None,
        })  # fmt: skip
        if status in SALE_STATUS:
            payments.append({"order_id": order_id, "kind": "sale",
                             "transaction_id": f"t{order_id:08d}", "status": SALE_STATUS[status],
                             "amount_cents": subtotal + shipping, "card_brand": "Visa",
                             "card_last4": "1111", "created_at": created,
                             "updated_at": created})  # fmt: skip
        found = {w for w in words(name)} | {squashed(email)} | {squashed(s) for s in chosen}
        terms.extend({"order_id": order_id, "term": t} for t in found)
        if order_id == count // 2:
            sample = {"number": number, "first": first, "last": last, "email": email,
                      "sku": chosen[0]}  # fmt: skip
    with app.app_context():
        for model, rows in ((Order, orders), (OrderLine, lines), (Payment, payments),
                            (OrderSearchTerm, terms)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                db.session.execute(insert(model.__table__), rows[start : start + 5000])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return time.perf_counter() - started, sample


def timed(call, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each run (CPU time is what a busy machine does not
    inflate: this process's own work, SQLite's included)."""
    call()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def line(label: str, rows: str, wall: list[float], cpu: list[float], sql=None) -> str:
    text = (
        f"{label:<36} {rows:>6} {statistics.median(wall):7.1f} ms {max(wall):7.1f} ms "
        f"{statistics.median(cpu):7.1f} ms"
    )
    if sql is not None:
        text += f" {statistics.median(sql):7.1f} ms {max(sql):7.1f} ms"
    return text


def sql_only(app, query: str, runs: int) -> list[float]:
    """The CPU milliseconds of the page's SQL alone, as the view runs it: the filter read
    from the query string, the count and the page of orders with their lines (SQLite runs in
    this process, so its work is in this process's CPU time; a busy machine does not inflate
    it as it does wall-clock time)."""
    from flask import request

    from jomso.orders import order_list
    from jomso.orders.list_views import PER_PAGE, _filter_from
    from jomso.pagination import paginate

    with app.test_request_context("/staff/orders" + query):
        _form, flt, _notices = _filter_from(request.args)

        def run():
            return paginate(order_list.filtered_orders(flt), PER_PAGE).items

        _wall, cpu = timed(run, runs)
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", metavar="DIR", help="seed into DIR once and reuse it after")
    parser.add_argument("--no-csv", action="store_true", help="leave out the whole-shop CSV")
    args = parser.parse_args()
    rng = random.Random(2026)

    with tempfile.TemporaryDirectory(prefix="jomso-bench-orders-") as tmp:
        if args.keep:
            tmp = args.keep
            Path(tmp).mkdir(parents=True, exist_ok=True)
        seeded = (Path(tmp) / "sample.json").exists()
        os.environ["JOMSO_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        from jomso import create_app
        from jomso.accounts.registration import create_user
        from jomso.cli import init_schema
        from jomso.extensions import db

        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "RATELIMIT_ENABLED": False,
                "ANALYTICS_WRITE_BEHIND": False,
                "SERVER_NAME": "shop.bench",
                "MAIL_DELIVERY": "commit",
            }
        )
        if seeded:
            s = json.loads((Path(tmp) / "sample.json").read_text())
            print(f"reusing the orders seeded in {tmp}\n")
        else:
            with app.app_context():
                init_schema()
                create_user("desk@staff.example.com", "bench password 1234", roles=["orders"])
            seconds, s = seed(app, args.orders, rng)
            (Path(tmp) / "sample.json").write_text(json.dumps(s))
            print(f"seeded {args.orders} orders in {seconds:.1f} s (SQLite file, in-process)\n")

        client = app.test_client()
        page = client.get("/account/login").text
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/account/login", data={"email": "desk@staff.example.com",
                                             "password": "bench password 1234",
                                             "csrf_token": token})  # fmt: skip

        def get(query: str):
            def call():
                response = client.get("/staff/orders" + query)
                assert response.status_code == 200, response.status_code
                return response

            return call

        found_name = f"{s['first'].lower()} {s['last'].lower()[:3]}"
        cases = [
            ("list: to do (opens with)", ""),
            ("list: every order, page 1", "?status="),
            ("list: every order, page 1000", "?status=&page=1000"),
            ("list: sorted by total", "?status=&sort=total_high"),
            ("list: one month", "?date_from=2025-06-01&date_to=2025-06-30"),
            ("list: payment authorized", "?payment=authorized"),
            ("search number, full: match", f"?q={s['number']}"),
            ("search number, full: no match", "?q=J9999ZZZZ"),
            ("search number, 4 chars: match", f"?q={s['number'][:4]}"),
            ("search number, 5 chars: no match", "?q=JZZZZ"),
            ("search name: match", f"?q={s['last']}"),
            ("search name: no match", "?q=Zebedee"),
            ("search two words: match", f"?q={found_name.replace(' ', '+')}"),
            ("search two words: no match", "?q=anna+zebedee"),
            ("search email: match", f"?q={s['email']}"),
            ("search email: no match", "?q=nobody.here%40example.com"),
            ("search SKU: match", f"?q={s['sku']}"),
            ("search SKU: no match", "?q=SKU-TEAPOT"),
        ]
        header = "GET /staff/orders (whole request)"
        print(
            f"{header:<36} {'found':>6} {'median':>10} {'max':>10} {'CPU median':>10} "
            f"{'SQL CPU':>10} {'SQL max':>10}"
        )
        for label, query in cases:
            response = get(query)()
            rows = response.text.count('name="order" value="')
            total = response.text.split('<p class="muted">')[1].split(" order")[0].strip()
            wall, cpu = timed(get(query), args.runs)
            sql = sql_only(app, query, args.runs)
            print(line(label, total, wall, cpu, sql) + ("" if rows else "  (empty page)"))

        print("\nbefore this change, SQL only (count + page, LIKE '%text%' on every email):")
        with app.app_context():
            from sqlalchemy import func, select

            from jomso.orders.models import Order

            for label, text in (("match", s["email"][:12]), ("no match", "nobody.here")):
                query = select(Order).where(Order.email.icontains(text, autoescape=True))

                def old(query=query):
                    db.session.scalar(select(func.count()).select_from(query.subquery()))
                    db.session.scalars(query.order_by(Order.created_at.desc()).limit(50)).all()

                wall, cpu = timed(old, args.runs)
                print(line("  " + label, "", wall, cpu))

        if args.no_csv:
            return
        started = time.perf_counter()
        response = client.get("/staff/orders/export.csv?status=", buffered=False)
        chunks = iter(response.response)
        next(chunks)
        first_row = next(chunks)
        first = (time.perf_counter() - started) * 1000
        size = sum(len(chunk) for chunk in chunks) + len(first_row)
        whole = time.perf_counter() - started
        print(f"\nCSV of every order, streamed: first rows after {first:.0f} ms, "
              f"all {args.orders} in {whole:.1f} s ({size / 1e6:.1f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
