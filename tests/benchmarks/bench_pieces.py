"""In-process cost of serving a cached storefront page, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_pieces.py [--products 2000] [--requests 400]

Seeds a temporary shop, then requests a cached page (``/products`` by default) with Flask's
test client for three kinds of visitor (anonymous, with a cart, signed in) and prints the
median wall time and CPU time (``time.process_time``) per request, and the median time
``page_cache._fill`` takes to put the visitor's pieces into the cached body. The visitors
are interleaved request by request, so a noisy neighbour hits them alike.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_catalog import make_app, seed  # noqa: E402

PASSWORD = "correct horse battery staple"


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def visitors(app) -> dict:
    from sqlalchemy import select

    from jomso.accounts.registration import create_user
    from jomso.catalog.models import Product
    from jomso.extensions import db

    with app.app_context():
        create_user("customer@example.com", PASSWORD, name="Cora Customer")
        ids = list(db.session.scalars(select(Product.id).where(Product.is_active).limit(2)))
        db.session.remove()
    clients = {"anonymous": app.test_client(), "with a cart": app.test_client(),
               "signed in": app.test_client()}  # fmt: skip
    cart = clients["with a cart"]
    for product_id in ids:
        token = _token(cart.get("/cart").get_data(as_text=True))
        answer = cart.post("/cart/add", data={"product_id": product_id, "quantity": 1,
                                              "csrf_token": token})  # fmt: skip
        assert answer.status_code in (302, 303), answer.status_code
    customer = clients["signed in"]
    token = _token(customer.get("/account/login").get_data(as_text=True))
    answer = customer.post(
        "/account/login",
        data={"email": "customer@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert answer.status_code in (302, 303), answer.status_code
    return clients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--path", default="/products")
    parser.add_argument(
        "--profile",
        choices=("anonymous", "with a cart", "signed in"),
        help="print a cProfile of this visitor's requests instead",
    )
    args = parser.parse_args()
    from jomso.catalog import page_cache

    fill_times: list[float] = []
    original_fill = page_cache._fill

    def timed_fill(*args) -> str:  # a body (and a layout's content)
        start = time.perf_counter()
        try:
            return original_fill(*args)
        finally:
            fill_times.append(time.perf_counter() - start)

    page_cache._fill = timed_fill
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder) / "instance")
        seed(app, args.products)
        clients = visitors(app)
        for client in clients.values():  # warm the cache and the templates
            for _ in range(20):
                assert client.get(args.path).status_code == 200
        if args.profile:
            import cProfile
            import pstats

            client = clients[args.profile]
            profile = cProfile.Profile()
            profile.runcall(lambda: [client.get(args.path) for _ in range(args.requests)])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
            return
        wall: dict = {name: [] for name in clients}
        cpu: dict = {name: [] for name in clients}
        fill: dict = {name: [] for name in clients}
        for _ in range(args.requests):
            for name, client in clients.items():
                fill_times.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(args.path)
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
                fill[name].extend(fill_times)
        print(f"{args.path}, {args.products} products, {args.requests} requests each (median ms)")
        print(f"{'visitor':<14}{'wall':>8}{'cpu':>8}{'pieces':>8}")
        for name in clients:
            print(f"{name:<14}{statistics.median(wall[name]) * 1000:8.2f}"
                  f"{statistics.median(cpu[name]) * 1000:8.2f}"
                  f"{statistics.median(fill[name]) * 1000:8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
