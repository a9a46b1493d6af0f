"""What recording page views costs a page: the same pages with recording on and off.

Run from the repository root:  python tests/benchmarks/bench_pageviews.py [--requests 400]

The app runs in-process on a fresh SQLite file (WAL, as in production) behind Flask's test
client. For each page, rounds alternate between recording off (ANALYTICS_ENABLED false), on
for a visitor who declined (anonymous row) and on for a visitor who accepted (row with visitor
id and IP), each with the background writer (the default) and with the synchronous insert
(ANALYTICS_WRITE_BEHIND false), so machine noise hits every mode alike. A round ends when its
rows are written, so the writer thread's work counts. The median round decides. Not
collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jomso import create_app
from jomso.analytics.writer import flush_page_views
from jomso.cli import init_schema

UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
PAGES = ("/products", "/", "/cookies")


def make_app(folder: str):
    os.environ["JOMSO_INSTANCE_PATH"] = str(Path(folder) / "instance")
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "shop.test",
        }
    )
    with app.app_context():
        init_schema()
    return app


def visitor(app, choice: str):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": UA})
    html = client.get("/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/cookies/consent", data={"csrf_token": token, "choice": choice, "next": "/"})
    return client


def timed(client, path: str, n: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds per request over n requests, until their rows are written.
    CPU time counts every thread of this process (the writer's too) and little of what the
    rest of the machine does, so it is the steadier figure on a busy machine."""
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
    flush_page_views()
    return (time.perf_counter() - start) / n, (time.process_time() - cpu_start) / n


def _diff(value: float, base: float, name: str) -> str:
    if name == "off":
        return ""
    return f"{(value - base) * 1e6:+.0f} µs ({(value / base - 1) * 100:+.1f}%)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        consented, declined = visitor(app, "accept"), visitor(app, "decline")
        modes = {  # name: (ANALYTICS_ENABLED, ANALYTICS_WRITE_BEHIND, visitor)
            "off": (False, True, consented),
            "declined": (True, True, declined),
            "accepted": (True, True, consented),
            "declined, sync": (True, False, declined),
            "accepted, sync": (True, False, consented),
        }
        print(f"{args.rounds} rounds x {args.requests} requests per page and mode; median round")
        print(f"{'page':<12}{'mode':<16}{'wall':>9}{'difference':>22}{'CPU':>9}{'difference':>22}")
        for path in PAGES:
            for enabled, behind, client in modes.values():  # warm up caches, the UA parser
                app.config.update(ANALYTICS_ENABLED=enabled, ANALYTICS_WRITE_BEHIND=behind)
                timed(client, path, 20)
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in modes}
            for _ in range(args.rounds):
                for name, (enabled, behind, client) in modes.items():
                    app.config.update(ANALYTICS_ENABLED=enabled, ANALYTICS_WRITE_BEHIND=behind)
                    results[name].append(timed(client, path, args.requests))
            base_wall = statistics.median(w for w, _ in results["off"])
            base_cpu = statistics.median(c for _, c in results["off"])
            for name, samples in results.items():
                wall = statistics.median(w for w, _ in samples)
                cpu = statistics.median(c for _, c in samples)
                print(
                    f"{path:<12}{name:<16}{wall * 1e6:>6.0f} µs{_diff(wall, base_wall, name):>22}"
                    f"{cpu * 1e6:>6.0f} µs{_diff(cpu, base_cpu, name):>22}"
                )
        with app.app_context():
            from sqlalchemy import func, select

            from jomso.analytics.models import PageView
            from jomso.extensions import db

            rows = db.session.scalar(select(func.count(PageView.id)))
        print(f"page views recorded during the run: {rows}")


if __name__ == "__main__":
    main()
