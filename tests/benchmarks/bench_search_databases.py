"""Search on SQLite and on PostgreSQL, side by side in one run (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_search_databases.py [--products 10000]
        [--rounds 3] [--runs 15] [--before REV] [--postgres-url URL]

1. Starts a throwaway PostgreSQL (``tests/services.py``; or uses ``--postgres-url``, a server
   where it may create and drop databases).
2. For each code version (this checkout, and with ``--before REV`` that git revision's code
   and migrations) and each database, makes a database with that version's migrations and
   seeds the same ``--products`` demo products into it (``seed_demo`` with a fixed seed), then
   ``ANALYZE`` on PostgreSQL, as autovacuum would have done in a running shop.
3. Times searches (broad, ordinary, a prefix, narrow ones made of common words; best match,
   by price, newest) in interleaved rounds, each version and database in a process of its
   own: ``list_products`` alone (its two statements) and the whole page through the test
   client (page cache off), and prints p50/p95 in milliseconds and the number of matches,
   the databases side by side, so that a search PostgreSQL answers differently shows too.
   Mistyped searches show their correction's cost; "suggest" rows time the "did you mean"
   statement alone (``spelling.suggest``; its "matches" column is the suggestion).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The code to time: this checkout, or another revision's (``--before``), in a child process.
sys.path.insert(0, os.environ.get("BENCH_CODE_ROOT", str(ROOT)))

DATABASES = ("sqlite", "postgresql")
# (search, sort); "{sku}" is a real SKU.
SEARCHES = [
    ("a", "relevance"), ("the", "relevance"), ("home", "relevance"), ("lamp", "relevance"),
    ("linen lamp", "relevance"), ("stoneware mug in sage", "relevance"), ("mugs", "relevance"),
    ("stonew", "relevance"), ("stonew", "price_asc"), ("xylophone", "relevance"),
    ("{sku}", "relevance"), ("{sku} home", "relevance"),
    ("a", "price_asc"), ("home", "price_asc"), ("lamp", "price_asc"), ("lamp", "newest"),
    ("oak", "price_desc"), ("lamp", "name"),
    # mistyped: nothing found, then the correction's words and results ("lamp", "stoneware
    # mug", "linen throw"), or nothing close at all
    ("lmap", "relevance"), ("stonewre mug", "relevance"), ("linnen thorw", "relevance"),
    ("xqzvbnk", "relevance"), ("linen throw", "relevance"),
]  # fmt: skip


def _app(instance: str, url: str):
    os.environ["JOMSO_INSTANCE_PATH"] = instance
    from jomso import create_app

    return create_app(
        {"DATABASE_URL": url, "PAGE_CACHE_ENABLED": False, "ANALYTICS_ENABLED": False}
    )


def setup_child(instance: str, url: str, products: int) -> None:
    """Migrate and seed one database with the code under ``sys.path[0]``."""
    from sqlalchemy import text

    from jomso.catalog.demo import seed_demo
    from jomso.cli import init_schema
    from jomso.extensions import db

    app = _app(instance, url)
    with app.app_context():
        init_schema()
        report = seed_demo(products, seed=2018)
        if db.engine.dialect.name == "postgresql":
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    print(json.dumps({"seconds": report.seconds}))


def time_child(instance: str, url: str, runs: int) -> None:
    """Time every search; print JSON ``{"search|sort": {"matches": .., "list": [s..],
    "page": [s..]}}``."""
    from sqlalchemy import select

    from jomso.catalog.models import Product, ProductVariant
    from jomso.catalog.queries import list_products
    from jomso.extensions import db

    app = _app(instance, url)
    client = app.test_client()
    out = {}
    with app.app_context():
        sku = db.session.scalar(
            select(ProductVariant.sku).join(Product).where(Product.is_active).limit(1)
        )
        searches = [(search, search.format(sku=sku.lower()), sort) for search, sort in SEARCHES]
        for _, query, sort in searches:  # warm: statements built and compiled, pages made
            list_products(query=query, sort=sort)
            client.get("/products", query_string={"q": query, "sort": sort})
        gc.collect()
        gc.freeze()
        for search, query, sort in searches:
            params = {"q": query} if sort == "relevance" else {"q": query, "sort": sort}
            timings: dict[str, list[float]] = {"list": [], "page": []}
            for _ in range(runs):
                started = time.perf_counter()
                result = list_products(query=query, sort=sort)
                timings["list"].append(time.perf_counter() - started)
                started = time.perf_counter()
                response = client.get("/products", query_string=params)
                timings["page"].append(time.perf_counter() - started)
                assert response.status_code == 200
            capped = "+" if getattr(result, "capped", False) else ""
            out[f"{search}|{sort}"] = {"matches": f"{result.total}{capped}", **timings}
        out.update(_suggestions(runs))
        db.session.remove()
        db.engine.dispose()
    print(json.dumps(out))


def code_of(revision: str, into: Path) -> Path:
    """The shop's code and migrations at a git revision, unpacked into ``into``."""
    into.mkdir()
    paths = ["jomso", "templates", "static", "migrations", "app.py"]
    command = ["git", "-C", str(ROOT), "archive", revision, *paths]
    archive = subprocess.run(command, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _child(code: Path, *arguments: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *arguments],
        env={**os.environ, "BENCH_CODE_ROOT": str(code)}, cwd=code,
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.splitlines()[-1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _suggestions(runs: int) -> dict:
    """The "did you mean" statement alone (``spelling.suggest``) for the mistyped searches:
    ``matches`` is the suggestion; "list" and "page" both its time."""
    try:
        from jomso.catalog.spelling import suggest
    except ImportError:  # code from before the vocabulary
        return {}
    from jomso.extensions import db

    out = {}
    for query in ("lmap", "stonewre mug", "linnen thorw", "xqzvbnk"):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            found = suggest(db.session, query)
            times.append(time.perf_counter() - started)
        got = found.query if found else "(none)"
        out[f"{query}|suggest"] = {"matches": f"'{got}'", "list": times, "page": times}
    return out


def run(args) -> None:
    from tests import services

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jomso-searchdb-")))
        admin = args.postgres_url or stack.enter_context(services.postgres_server())
        versions = {"after": ROOT}
        if args.before:
            versions = {"before": code_of(args.before, tmp / "before"), **versions}
        targets = {}  # (version, database) -> (instance, url)
        for version, code in versions.items():
            for database in DATABASES:
                instance = tmp / f"{version}-{database}"
                if database == "sqlite":
                    url = f"sqlite:///{instance / 'jomso.sqlite3'}"
                else:
                    url = services.create_database(admin)
                    stack.callback(services.drop_database, url)
                instance.mkdir()
                seeded = _child(code, "--setup", str(instance), url, str(args.products))
                print(f"{version} code, {database}: {args.products:,} products seeded in "
                      f"{seeded['seconds']:.1f} s", flush=True)  # fmt: skip
                targets[version, database] = (str(instance), url)
        samples: dict[tuple[str, str], dict] = {key: {} for key in targets}
        load_before = os.getloadavg()
        for _ in range(args.rounds):  # interleaved, so a noisy neighbour hits all alike
            for (version, database), (instance, url) in targets.items():
                found = _child(versions[version], "--time", instance, url, str(args.runs))
                for key, got in found.items():
                    mine = samples[version, database].setdefault(key, {"list": [], "page": []})
                    mine["matches"] = got["matches"]
                    mine["list"] += got["list"]
                    mine["page"] += got["page"]
        report(samples, args, load_before, os.getloadavg())


def report(samples, args, load_before, load_after) -> None:
    runs = args.rounds * args.runs
    load = f"{load_before[0]:.2f} before, {load_after[0]:.2f} after, {os.cpu_count()} CPUs"
    print(
        f"\nSearch over {args.products:,} products, SQLite and PostgreSQL 15 side by side: "
        f"ms, p50/p95 of {runs} runs ({args.rounds} interleaved rounds); 'list' is "
        f"list_products (count and rows), 'page' the whole page; load average {load}"
    )
    columns = list(samples)
    header = f"{'search':24} {'sort':10}"
    for version, database in columns:
        label = f"{database} ({version})" if args.before else database
        header += f" | {label:>22} {'list':>11} {'page':>11}"
    print(header)
    for key in samples[columns[-1]]:
        search, sort = key.split("|")
        line = f"{search[:24]:24} {sort:10}"
        for column in columns:
            got = samples[column][key]
            figures = [
                f"{percentile(got[kind], 0.5) * 1000:.1f}/{percentile(got[kind], 0.95) * 1000:.1f}"
                for kind in ("list", "page")
            ]
            line += f" | {got['matches'] + ' matches':>22} {figures[0]:>11} {figures[1]:>11}"
        print(line)
    for column in columns:
        worst = max(percentile(got["list"], 0.95) for got in samples[column].values())
        print(f"{column[1]} ({column[0]} code): slowest list_products p95 {worst * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=15, help="per search and round")
    parser.add_argument("--before", metavar="REV", help="also time the code of this revision")
    parser.add_argument("--postgres-url", help="a server where databases may be made")
    parser.add_argument(
        "--setup", nargs=3, metavar=("INSTANCE", "URL", "N"), help=argparse.SUPPRESS
    )
    parser.add_argument("--time", nargs=3, metavar=("INSTANCE", "URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_child(args.setup[0], args.setup[1], int(args.setup[2]))
    elif args.time:
        time_child(args.time[0], args.time[1], int(args.time[2]))
    else:
        run(args)


if __name__ == "__main__":
    main()
