"""Sitemap benchmark, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_sitemap.py [--products 100000] [--runs 5]

1. Makes a temporary instance and puts ``--products`` products on sale in it (rows written
   straight into the table, as the catalog import would: the sitemaps read nothing else).
2. Times, in-process through the test client (the whole body read, as a search engine
   would), ``/sitemap.xml``, ``/sitemap-pages.xml`` and each ``/sitemap-products-N.xml``
   (50,000 URLs each), ``--runs`` times, and prints the median and the slowest run, the
   median CPU time and the size of each answer; then the same request with the ETag it got
   (a 304).
3. Prints the peak memory Python allocated while writing the first product sitemap
   (tracemalloc), beside the size of that sitemap: it streams, so it never holds all of it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def make_app(instance: Path):
    os.environ["JOMSO_INSTANCE_PATH"] = str(instance)
    from jomso import create_app
    from jomso.cli import init_schema

    app = create_app({"SHOP_URL": "https://shop.example.com", "PAGE_CACHE_ENABLED": False})
    with app.app_context():
        init_schema()
    return app


def seed(app, count: int) -> float:
    """``count`` products on sale (and one in twenty withdrawn on top), in one transaction."""
    from sqlalchemy import insert

    from jomso.catalog.models import Product
    from jomso.extensions import db

    started = time.perf_counter()
    now = datetime.now(UTC)
    rows = [
        {
            "name": f"Product {i}",
            "slug": f"product-{i}",
            "sku": f"SKU-{i:07d}",
            "description": "",
            "price_cents": 100 + i % 9000,
            "stock": i % 7,
            "is_active": i % 20 != 0 or i > count,
            "created_at": now - timedelta(minutes=i),
            "updated_at": now - timedelta(minutes=i),
        }
        for i in range(1, count + count // 20 + 1)
    ]
    with app.app_context():
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(Product), rows[start : start + 10_000])
        db.session.commit()
    return time.perf_counter() - started


def timed(client, path: str, runs: int) -> tuple[list[float], list[float], int, str]:
    """Wall and CPU seconds of each run (the CPU time suffers less from other work on a
    shared machine), the answer's size and its ETag."""
    times, cpu, size, tag = [], [], 0, ""
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        body = response.get_data()  # the whole stream
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (path, response.status_code)
        size, tag = len(body), response.headers["ETag"]
    return times, cpu, size, tag


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder) / "instance")
        from jomso.crawlers import sitemaps

        seconds = seed(app, args.products)
        print(f"seeded {args.products:,} products on sale in {seconds:.1f} s")
        client = app.test_client()
        pages = -(-args.products // sitemaps.URLS_PER_SITEMAP)
        paths = ["/sitemap.xml", "/sitemap-pages.xml"]
        paths += [f"/sitemap-products-{n}.xml" for n in range(1, pages + 1)]
        print(f"{'path':28} {'median':>9} {'slowest':>9} {'cpu':>9} {'bytes':>11} {'304':>8}")
        for path in paths:
            times, cpu, size, tag = timed(client, path, args.runs)
            started = time.perf_counter()
            again = client.get(path, headers={"If-None-Match": tag})
            not_modified = time.perf_counter() - started
            assert again.status_code == 304
            print(
                f"{path:28} {statistics.median(times) * 1000:7.0f} ms "
                f"{max(times) * 1000:7.0f} ms {statistics.median(cpu) * 1000:7.0f} ms "
                f"{size:11,} {not_modified * 1000:5.1f} ms"
            )
        tracemalloc.start()
        response = client.get("/sitemap-products-1.xml")
        size = sum(len(chunk) for chunk in response.response)  # read as it comes
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"/sitemap-products-1.xml: {size / 2**20:.1f} MB written, "
            f"peak Python memory {peak / 2**20:.1f} MB"
        )


if __name__ == "__main__":
    main()
