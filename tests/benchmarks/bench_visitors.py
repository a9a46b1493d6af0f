"""Storefront benchmark for every kind of visitor, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_visitors.py [--products 10000] [--rounds 3]
        [--seconds 3] [--connections 8] [--orders 30] [--staff-requests 40] [--pages /cart]

1. Seeds ``--products`` demo products into a temporary instance folder (``seed_demo``), with
   a customer account and an owner account.
2. Serves the shop (``app:app``) and the bare page (``tests/benchmarks/bare_app.py``: the same
   24 rows with raw sqlite3 and one Jinja template) with gunicorn, 2 sync workers each.
3. Loads each storefront page (home, /products, /products?page=300, a search for "lamp", a
   product page, /cart) with wrk (``/usr/bin/wrk``, a C client, so the client is never the
   limit) for three kinds of visitor: anonymous, with a cart (a session cookie with two items
   in the cart) and signed in (a registered customer's session), the cookies set by
   ``visitors.lua`` as each visitor's browser holds them one page after the last redirect (the
   flash read), with the User-Agent they were made with (a signed-in session is tied to it).
   Each cell runs between two runs of the bare page (bare, anonymous, bare, with a cart,
   bare, signed in, bare), in ``--rounds`` interleaved rounds, so a noisy neighbour hits both
   alike; a cell's ratio is its requests per second over the mean of the bare runs either
   side. Prints, per page and visitor, the median ratio with its range over the rounds, and
   wrk's p50/p99 latency (at ``--connections`` concurrent connections, so latency includes
   queueing for the 2 workers).
4. Loads the checkout page (a visitor with a cart) and, with the owner's cookies, the
   dashboard, the order list and an order page with wrk the same way: each between two runs
   of the bare page, in ``--rounds`` interleaved rounds; prints the ratio to the bare page
   (median and range) and p50/p99 under load with the range of the p50s.
5. Places ``--orders`` orders one request at a time (add to cart, GET /checkout, POST
   /checkout through the offline gateway with ``fake-valid-visa-nonce``: wrk cannot place
   orders, each needs its own cart and form) and times, signed in as the owner, the
   dashboard, the order list and an order page over ``--staff-requests`` sequential
   requests each, split over ``--rounds`` rounds, each round after ten requests to the bare
   page. Prints the p50 over all rounds with the range of the rounds' p50s, and how many
   times the bare page's own p50 (one at a time) that is. One at a time, so these are service
   times, what the targets (25 ms, 30 ms) are about. The shop runs with rate limits off, as
   one client address places every order.

The servers are stopped and waited for (each worker writes its queued page views on the way
out) before the temporary folder goes. Absolute figures depend on the machine; the ratios are
what the 0.5 target is about. ``--pages -`` skips the storefront (only steps 4 and 5).

The machine's speed moves between runs, by as much as 2.5 times here (the bare page one at a
time: 1.1 ms in one run, 2.1 ms in another an hour apart: the host's own load). Compare the
milliseconds with the bare page's in the same run, printed beside them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_catalog import free_port, make_app, percentile, seed  # noqa: E402

WRK = "/usr/bin/wrk"
LUA = Path(__file__).with_name("visitors.lua")
PASSWORD = "correct horse battery staple"
VISITORS = ("anonymous", "with a cart", "signed in")
BARE = "bare page"
# The browser every visitor is, here and in visitors.lua: the shop ties a signed-in session to
# its browser, so the cookies must come from the same one wrk sends.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


class Browser:
    """One visitor over plain HTTP: keeps its cookies, fills CSRF tokens from the pages."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Accept-Encoding": "identity", "User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if not morsel.value or "1970" in (morsel["expires"] or ""):
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, text
        finally:
            connection.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post(self, path: str, form: dict, page: str) -> tuple[int, str]:
        _, html = self.get(page)
        return self.request("POST", path, {"csrf_token": csrf(html), **form})


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def serve(name: str, target: str, env: dict, port: int) -> subprocess.Popen:
    """gunicorn, 2 sync workers; the shop with its gunicorn.conf.py (its worker checks), the
    bare page with no settings file (it has no payment timeouts to check)."""
    config = []
    if target != "app:app":
        empty = Path(env["JOMSO_INSTANCE_PATH"]).parent / "bare.gunicorn.conf.py"
        empty.write_text("")
        config = ["--config", str(empty)]
    command = [sys.executable, "-m", "gunicorn", *config, "--workers", "2", "--worker-class",
               "sync", "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level",
               "warning", target]  # fmt: skip
    log = Path(env["JOMSO_INSTANCE_PATH"]).parent / f"{name}.log"
    with log.open("w") as out:  # the shop's log lines stay out of the printed figures
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            Browser(port).get("/")
            return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise SystemExit(f"{name} did not start on port {port}:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server and wait until it has gone: its workers write their queued page views on
    the way out, and must be done before the temporary instance folder is removed."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(port: int, path: str, cookie: str, seconds: int, connections: int) -> dict:
    """One wrk run: requests per second, p50 and p99 in ms; fails on any error response."""
    command = [WRK, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
               "-s", str(LUA), f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    out = subprocess.run(command, env={**os.environ, "BENCH_COOKIE": cookie,
                                       "BENCH_USER_AGENT": USER_AGENT},
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{path}: error responses under load:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
    }


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def prepare(app, products: int) -> dict:
    """Seed the shop; the customer's and owner's accounts; what the pages need."""
    from sqlalchemy import func, select, update

    from jomso.accounts.registration import create_user
    from jomso.catalog.models import Product, ProductVariant
    from jomso.extensions import db
    from jomso.privacy.services import add_acceptance

    seed(app, products)
    with app.app_context():
        # A customer as registering makes one: the policy accepted (read on every page).
        customer = create_user("customer@example.com", PASSWORD, name="Cora Customer")
        add_acceptance(customer, source="registration")
        create_user("owner@example.com", PASSWORD, name="Olive Owner", roles=["owner"])
        # Stock for every order the benchmark places, so none sells out under it.
        db.session.execute(update(ProductVariant).values(stock=10_000))
        db.session.execute(update(Product).where(Product.is_active).values(stock_total=10_000))
        db.session.commit()
        # Products of one variant: those in sizes or colours need a choice to go in the cart.
        variants = (
            select(func.count(ProductVariant.id))
            .where(ProductVariant.product_id == Product.id)
            .scalar_subquery()
        )
        ids = list(
            db.session.scalars(select(Product.id).where(Product.is_active, variants == 1).limit(2))
        )
        slug = db.session.scalar(select(Product.slug).where(Product.is_active).limit(1))
        db.session.remove()
        db.engine.dispose()
    return {"product_ids": ids, "slug": slug}


def visitor_cookies(port: int, product_ids: list[int]) -> dict[str, str]:
    cart = Browser(port)
    for product_id in product_ids:
        status, _ = cart.post("/cart/add", {"product_id": product_id, "quantity": 1}, "/cart")
        assert status in (302, 303), status
    customer = Browser(port)
    status, _ = customer.post(
        "/account/login", {"email": "customer@example.com", "password": PASSWORD},
        "/account/login",
    )  # fmt: skip
    assert status in (302, 303), status
    # One more page each, as a browser goes on after a redirect: the flash read, the cookie
    # as the shop sets it for the rest of the visit (wrk sends a fixed one).
    for browser in (cart, customer):
        browser.get("/cart")
        browser.get("/")
    return {"anonymous": "", "with a cart": cart.cookie_header(),
            "signed in": customer.cookie_header()}  # fmt: skip


def sandwiched(ports: dict, cells: list[tuple], args, runs: dict) -> None:
    """One round: a run of the bare page before each cell (key, path, cookie) and after the
    last, so every cell sits between two; its ``ratio`` is its requests per second over the
    mean of those two bare runs, so a machine whose speed drifts during the round (the host's
    own load) moves both sides alike. Appends to ``runs``: {key: [run, ...]}."""
    before = wrk(ports["bare"], "/", "", args.seconds, args.connections)
    runs.setdefault(BARE, []).append({**before, "ratio": 1.0})
    for key, path, cookie in cells:
        run = wrk(ports["shop"], path, cookie, args.seconds, args.connections)
        after = wrk(ports["bare"], "/", "", args.seconds, args.connections)
        runs[BARE].append({**after, "ratio": 1.0})
        run["ratio"] = run["rps"] / ((before["rps"] + after["rps"]) / 2)
        runs.setdefault(key, []).append(run)
        before = after


def storefront(ports: dict, pages: list, cookies: dict, args) -> dict:
    """{(page, visitor): [run, ...]} with each run's ``ratio`` to the bare runs either side
    (``sandwiched``), under the key ``BARE`` the bare runs."""
    runs: dict = {}
    for path, _ in pages:  # warm every worker on every page
        for visitor in VISITORS:
            wrk(ports["shop"], path, cookies[visitor], 1, args.connections)
    wrk(ports["bare"], "/", "", 1, args.connections)
    for round_number in range(args.rounds):
        print(f"  round {round_number + 1} of {args.rounds}…", flush=True)
        for path, label in pages:
            cells = [((label, visitor), path, cookies[visitor]) for visitor in VISITORS]
            sandwiched(ports, cells, args, runs)
    return runs


def under_load(ports: dict, pages: list, args) -> dict:
    """{label: [run, ...]}: each page (path, cookie) with wrk between two runs of the bare
    page (``sandwiched``), in ``--rounds`` interleaved rounds; the bare runs under ``BARE``."""
    runs: dict = {}
    for path, cookie, _ in pages:  # warm
        wrk(ports["shop"], path, cookie, 1, args.connections)
    for round_number in range(args.rounds):
        print(f"  round {round_number + 1} of {args.rounds}…", flush=True)
        sandwiched(ports, [(label, path, cookie) for path, cookie, label in pages], args, runs)
    return runs


def report_under_load(runs: dict, args) -> None:
    """Ratio to the bare page (median and range) and p50/p99 under wrk, with p50 at one
    connection from the sequential part beside the target."""
    print(
        f"\nCheckout and staff pages under load: wrk, {args.connections} connections, "
        f"{args.seconds} s a run, {args.rounds} interleaved rounds, each page between two bare runs"
    )
    print("| page | ratio to the bare page | p50/p99 ms under load (range of p50) |")
    print("| --- | --- | --- |")
    for label, got in runs.items():
        ratios = [run["ratio"] for run in got]
        p50s = [run["p50"] for run in got]
        print(
            f"| {label} | {statistics.median(ratios):.2f} ({min(ratios):.2f} to "
            f"{max(ratios):.2f}) | {_latency(got)} ({min(p50s):.1f} to {max(p50s):.1f}) |"
        )


def report_storefront(runs: dict, pages: list, args) -> None:
    print(f"\nStorefront: wrk, {args.connections} connections, {args.seconds} s a run, "
          f"{args.rounds} interleaved rounds, gunicorn 2 sync workers, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("Throughput ratio to the bare page: median (range); latency p50/p99 in ms\n")
    print("| page | " + " | ".join(VISITORS) + " |")
    print("| --- | " + " | ".join("---" for _ in VISITORS) + " |")
    bare = runs[BARE]
    bare_rps = statistics.median(run["rps"] for run in bare)
    print(f"| bare page ({bare_rps:.0f} req/s) | p50 {_latency(bare)} | | |")
    missed = []
    for _, label in pages:
        cells = []
        for visitor in VISITORS:
            got = runs[(label, visitor)]
            ratios = [run["ratio"] for run in got]
            median = statistics.median(ratios)
            if median < 0.5:
                missed.append(f"{label} ({visitor})")
            cells.append(f"{median:.2f} ({min(ratios):.2f} to {max(ratios):.2f}), {_latency(got)}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if missed:
        print(f"\nUnder 0.5 of the bare page: {', '.join(missed)}.")
    else:
        print("\nEvery page for every visitor at 0.5 of the bare page or better.")


def _latency(runs: list[dict]) -> str:
    p50 = statistics.median(run["p50"] for run in runs)
    p99 = statistics.median(run["p99"] for run in runs)
    return f"{p50:.1f}/{p99:.1f}"


def checkout(port: int, product_ids: list[int], orders: int) -> dict[str, list[float]]:
    """Place orders one request at a time; the GET and POST of the checkout, in seconds."""
    timings: dict[str, list[float]] = {"GET": [], "POST": []}
    for index in range(orders):
        browser = Browser(port)
        for product_id in product_ids:
            browser.post("/cart/add", {"product_id": product_id, "quantity": 1}, "/cart")
        started = time.perf_counter()
        status, page = browser.get("/checkout")
        timings["GET"].append(time.perf_counter() - started)
        assert status == 200, status
        form = {
            "csrf_token": csrf(page),
            "checkout_token": hidden(page, "checkout_token"),
            "summary_hash": hidden(page, "summary_hash"),
            "delivery_hash": hidden(page, "delivery_hash"),
            "shipping_method": hidden(page, "shipping_method"),
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
        started = time.perf_counter()
        status, _ = browser.request("POST", "/checkout", form)
        timings["POST"].append(time.perf_counter() - started)
        if status != 303:
            raise SystemExit(f"order {index}: checkout answered {status}")
    return timings


def staff(port: int, requests: int) -> dict[str, list[float]]:
    owner = Browser(port)
    status, _ = owner.post(
        "/account/login", {"email": "owner@example.com", "password": PASSWORD}, "/account/login"
    )
    assert status in (302, 303), status
    _, listing = owner.get("/staff/orders")
    number = re.search(r'href="/staff/orders/([^"/?]+)"', listing).group(1)
    pages = {"dashboard": "/staff/", "orders list": "/staff/orders",
             "order page": f"/staff/orders/{number}"}  # fmt: skip
    timings: dict[str, list[float]] = {}
    for label, path in pages.items():
        owner.get(path)  # warm
        for _ in range(requests):
            started = time.perf_counter()
            status, _ = owner.get(path)
            timings.setdefault(label, []).append(time.perf_counter() - started)
            assert status == 200, (path, status)
    return timings


def report_sequential(
    title: str, rounds: list[dict[str, list[float]]], target_ms: float, bare: list[float]
) -> None:
    """p50 over every round's requests, the range of the rounds' p50s, and the bare page's
    p50 one request at a time in the same rounds (the machine's own speed at that moment)."""
    print(f"\n{title} (one request at a time, {len(rounds)} interleaved rounds; target p50 "
          f"under {target_ms:g} ms; the bare page one at a time: p50 "
          f"{percentile(bare, 0.5) * 1000:.1f} ms)")  # fmt: skip
    for label in rounds[0]:
        values = [value for one in rounds for value in one[label]]
        p50 = percentile(values, 0.5) * 1000
        per_round = [percentile(one[label], 0.5) * 1000 for one in rounds]
        verdict = "meets" if p50 < target_ms else "MISSES"
        print(f"  {label:14} p50 {p50:6.1f} ms ({min(per_round):.1f} to {max(per_round):.1f})"
              f"  p99 {percentile(values, 0.99) * 1000:6.1f} ms  ({len(values)} requests;"
              f" {verdict} the target; {p50 / (percentile(bare, 0.5) * 1000):.1f} times the"
              " bare page)")  # fmt: skip


def bare_sequential(port: int, requests: int) -> list[float]:
    browser = Browser(port)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = browser.get("/")
        timings.append(time.perf_counter() - started)
        assert status == 200, status
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--staff-requests", type=int, default=40)
    parser.add_argument(
        "--pages",
        help="load only the storefront pages whose label holds this ('/cart'; '-' for none)",
    )
    args = parser.parse_args()
    if not os.access(WRK, os.X_OK):
        raise SystemExit(f"{WRK} is missing: apt-get install wrk")

    with tempfile.TemporaryDirectory(prefix="jomso-bench-visitors-") as tmp:
        instance = Path(tmp) / "instance"
        app = make_app(instance)
        print(f"Seeding {args.products} products…", flush=True)
        shop = prepare(app, args.products)
        deep = min(300, max(1, args.products // 24))
        pages = [
            ("/", "home"),
            ("/products", "/products"),
            (f"/products?page={deep}", f"/products?page={deep}"),
            ("/products?q=lamp", "search “lamp”"),
            (f"/products/{shop['slug']}", "product page"),
            ("/cart", "/cart"),
        ]
        pages = [page for page in pages if not args.pages or args.pages in page[1]]
        # Rate limits off: one client address places every order (the storefront pages have
        # no limit to check either way).
        env = {**os.environ, "JOMSO_INSTANCE_PATH": str(instance), "JOMSO_RATELIMIT_ENABLED":
               "false", "BENCH_DB": str(instance / "jomso.sqlite3")}  # fmt: skip
        ports = {"shop": free_port(), "bare": free_port()}
        servers = []
        try:
            servers.append(serve("shop", "app:app", env, ports["shop"]))
            servers.append(serve("bare", "tests.benchmarks.bare_app:app", env, ports["bare"]))
            cookies = visitor_cookies(ports["shop"], shop["product_ids"])
            if pages:  # none match "--pages -": only the checkout and the staff pages
                print("Loading the storefront…", flush=True)
                report_storefront(storefront(ports, pages, cookies, args), pages, args)
            owner = Browser(ports["shop"])
            status, _ = owner.post("/account/login", {"email": "owner@example.com",
                                   "password": PASSWORD}, "/account/login")  # fmt: skip
            assert status in (302, 303), status
            checkout(ports["shop"], shop["product_ids"], 3)  # orders for the staff pages
            _, listing = owner.get("/staff/orders")
            number = re.search(r'href="/staff/orders/([^"/?]+)"', listing)
            print("Loading the checkout and the staff pages…", flush=True)
            back_office = [("/checkout", cookies["with a cart"], "checkout GET (with a cart)"),
                           ("/staff/", owner.cookie_header(), "dashboard"),
                           ("/staff/orders", owner.cookie_header(), "orders list")]  # fmt: skip
            if number:
                path = f"/staff/orders/{number.group(1)}"
                back_office.append((path, owner.cookie_header(), "order page"))
            report_under_load(under_load(ports, back_office, args), args)
            print("Placing orders and timing the staff pages one request at a time…", flush=True)
            bare, placed, looked = [], [], []
            for _ in range(args.rounds):  # interleaved: bare, checkout, staff, bare, ...
                bare += bare_sequential(ports["bare"], 10)
                per_round = max(1, args.orders // args.rounds)
                placed.append(checkout(ports["shop"], shop["product_ids"], per_round))
                looked.append(staff(ports["shop"], max(1, args.staff_requests // args.rounds)))
            report_sequential("Checkout", placed, 25, bare)
            report_sequential("Staff pages", looked, 30, bare)
        finally:
            for server in servers:
                stop(server)


if __name__ == "__main__":
    main()
