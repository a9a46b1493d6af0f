"""Catalog benchmark, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_catalog.py [--products 10000] [--requests 1200]
        [--concurrency 8] [--rounds 3] [--search-products 100000]

1. Seeds ``--products`` demo products into a temporary instance folder.
2. Serves the shop (``app:app``) and the bare page (``tests/benchmarks/bare_app.py``: the same
   24 rows with raw sqlite3 and one Jinja template) with gunicorn, 2 sync workers each, on free
   loopback ports.
3. Loads, in interleaved rounds, the bare page, catalog page 1, a deep page, a search and a
   product page with concurrent client threads (a new connection per request, as gunicorn's
   sync workers close them), a bounded number of requests each, and prints requests per
   second, p50 and p99 latency and the throughput ratio to the bare page. Target: catalog
   page 1 at 0.5 of the bare page or better.
4. Prints the weight of a catalog page: its HTML plus CSS (target under 60 KB).
5. Seeds ``--search-products`` products into another temporary database and times searches.

The client runs on the same machine as the servers, so absolute figures depend on the machine;
the ratios are what the target is about.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_app(instance: Path):
    """A shop app on the instance folder, with its schema."""
    os.environ["JOMSO_INSTANCE_PATH"] = str(instance)
    from jomso import create_app
    from jomso.cli import init_schema

    app = create_app()
    with app.app_context():
        init_schema()
    return app


def seed(app, count: int) -> float:
    from jomso.catalog.demo import seed_demo

    with app.app_context():
        return seed_demo(count, seed=2018).seconds


def serve(name: str, target: str, env: dict, port: int) -> subprocess.Popen:
    """gunicorn with the same settings for every app: 2 sync workers, no access log."""
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning",
               target]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    for _ in range(150):
        try:
            get(port, "/")
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{name} did not start on port {port}")


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, path: str, total: int, concurrency: int) -> tuple[float, list[float]]:
    """Fire ``total`` requests from ``concurrency`` threads; (elapsed seconds, latencies)."""
    latencies: list[float] = []
    remaining = [total]
    lock = threading.Lock()
    failures: list[str] = []

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            status, _ = get(port, path)
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                if status != 200:
                    failures.append(f"{path}: {status}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"failed requests: {failures[:5]}")
    return elapsed, latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def benchmark(args) -> None:
    with tempfile.TemporaryDirectory(prefix="jomso-bench-") as tmp:
        instance = Path(tmp) / "instance"
        app = make_app(instance)
        print(f"Seeding {args.products} products…", flush=True)
        seconds = seed(app, args.products)
        print(f"  seeded in {seconds:.1f} s")
        with app.app_context():
            from sqlalchemy import select

            from jomso.catalog.models import Product
            from jomso.extensions import db

            slug = db.session.scalar(
                select(Product.slug).where(Product.is_active, Product.stock > 5).limit(1)
            )
            word = db.session.scalar(select(Product.name).where(Product.is_active)).split()[0]
            db.engine.dispose()
        deep = max(1, args.products // 24 * 3 // 4)
        endpoints = [
            ("bare page (raw sqlite3)", "bare", "/"),
            ("catalog page 1", "shop", "/products"),
            (f"catalog page {deep}", "shop", f"/products?page={deep}"),
            (f"search “{word.lower()}”", "shop", f"/products?q={word.lower()}"),
            ("product page", "shop", f"/products/{slug}"),
        ]

        env = {**os.environ, "JOMSO_INSTANCE_PATH": str(instance),
               "BENCH_DB": str(instance / "jomso.sqlite3")}  # fmt: skip
        ports = {"shop": free_port(), "bare": free_port()}
        servers = [
            serve("shop", "app:app", env, ports["shop"]),
            serve("bare", "tests.benchmarks.bare_app:app", env, ports["bare"]),
        ]
        try:
            for _, server, path in endpoints:  # warm up every worker
                load(ports[server], path, 40, args.concurrency)
            totals = {name: [0.0, []] for name, _, _ in endpoints}
            per_round = max(1, args.requests // args.rounds)
            for _ in range(args.rounds):  # interleaved, so a noisy neighbour hits all alike
                for name, server, path in endpoints:
                    elapsed, latencies = load(ports[server], path, per_round, args.concurrency)
                    totals[name][0] += elapsed
                    totals[name][1].extend(latencies)
            report_throughput(totals, args)
            report_weight(ports["shop"])
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)


def report_throughput(totals, args) -> None:
    print(f"\nThroughput: {args.requests} requests per page, {args.concurrency} client threads, "
          f"gunicorn 2 sync workers, {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'page':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}")
    bare_rps = None
    for name, (elapsed, latencies) in totals.items():
        rps = len(latencies) / elapsed
        bare_rps = bare_rps or rps
        print(
            f"{name:32} {rps:8.0f} {percentile(latencies, 0.5) * 1000:8.1f} "
            f"{percentile(latencies, 0.99) * 1000:8.1f} {rps / bare_rps:7.2f}"
        )
    first = list(totals.values())[1]
    ratio = len(first[1]) / first[0] / bare_rps
    verdict = "meets" if ratio >= 0.5 else "MISSES"
    print(f"Catalog page 1 at {ratio:.2f} of the bare page: {verdict} the target of 0.5.")


def report_weight(port: int) -> None:
    """HTML, CSS and JS of catalog page 1, as a first visit downloads them (images aside)."""
    _, html = get(port, "/products")
    assets = {"CSS": [], "JS": []}
    for kind, pattern in (("CSS", rb'<link rel="stylesheet" href="([^"]+)"'),
                          ("JS", rb'<script[^>]* src="([^"]+)"')):  # fmt: skip
        for url in re.findall(pattern, html):
            assets[kind].append(get(port, url.decode().replace("&amp;", "&"))[1])
    css, js = b"".join(assets["CSS"]), b"".join(assets["JS"])
    total = len(html) + len(css) + len(js)
    packed = sum(len(gzip.compress(part)) for part in (html, css, js))
    print(
        f"\nCatalog page weight: HTML {len(html) / 1024:.1f} KB + CSS {len(css) / 1024:.1f} KB"
        f" + JS {len(js) / 1024:.1f} KB = {total / 1024:.1f} KB ({packed / 1024:.1f} KB "
        f"gzipped); target under 60 KB: {'met' if total < 60 * 1024 else 'MISSED'}."
    )


def search_timing(args) -> None:
    with tempfile.TemporaryDirectory(prefix="jomso-search-") as tmp:
        app = make_app(Path(tmp) / "instance")
        print(f"\nSeeding {args.search_products} products for search…", flush=True)
        print(f"  seeded in {seed(app, args.search_products):.1f} s")
        from sqlalchemy import select

        from jomso.catalog.models import Product
        from jomso.catalog.queries import list_products
        from jomso.extensions import db

        with app.app_context():
            sku = db.session.scalar(select(Product.sku).where(Product.is_active).limit(1))
        queries = ["lamp", "linen lamp", "stoneware mug in sage", "oak", sku.lower(), "soft",
                   "the", "xylophone", "l"]  # fmt: skip

        client = app.test_client()
        print(f"{'search':28} {'matches':>8} {'query ms':>9} {'page ms':>8}")
        with app.app_context():
            for query in queries:
                list_products(query=query, sort="relevance")  # warm the page cache
                runs = []
                for _ in range(7):
                    started = time.perf_counter()
                    result = list_products(query=query, sort="relevance")
                    runs.append(time.perf_counter() - started)
                pages = []
                for _ in range(5):
                    started = time.perf_counter()
                    response = client.get("/products", query_string={"q": query})
                    pages.append(time.perf_counter() - started)
                    assert response.status_code == 200
                print(
                    f"{query:28} {result.total:8} {statistics.median(runs) * 1000:9.1f} "
                    f"{statistics.median(pages) * 1000:8.1f}"
                )
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1200, help="per page, all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--search-products", type=int, default=100_000, help="0 skips it")
    args = parser.parse_args()
    benchmark(args)
    if args.search_products:
        search_timing(args)


if __name__ == "__main__":
    main()
