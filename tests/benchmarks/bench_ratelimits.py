"""What a rate-limit hit costs: ``memory://`` against the shared SQLite file (jomso.ratelimits).

Run: ``.venv/bin/python tests/benchmarks/bench_ratelimits.py [--hits 20000]``. Prints the
microseconds per hit (``FixedWindowRateLimiter.hit``, what Flask-Limiter calls once per limit a
request passes) and per test (what the sign-in checks read), for one process, then for two
processes hitting the same file at once (as two gunicorn workers would).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from limits import parse  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

import jomso.ratelimits  # noqa: E402, F401 - registers sqlite://

LIMIT = parse("1000000/hour")


def _per_call(operation, hits: int, keys: int) -> float:
    """Microseconds per call, the median of 5 runs."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        for number in range(hits // 5):
            operation(LIMIT, "bench", f"client:{number % keys}")
        runs.append((time.perf_counter() - started) / (hits // 5) * 1e6)
    return statistics.median(runs)


def measure(uri: str, hits: int, keys: int) -> tuple[float, float]:
    strategy = FixedWindowRateLimiter(storage_from_string(uri))
    strategy.hit(LIMIT, "bench", "warm-up")
    return _per_call(strategy.hit, hits, keys), _per_call(strategy.test, hits, keys)


def _hammer(uri: str, hits: int, keys: int, queue) -> None:
    queue.put(measure(uri, hits, keys)[0])


def two_processes(uri: str, hits: int, keys: int) -> list[float]:
    queue = multiprocessing.get_context("fork").Queue()
    workers = [
        multiprocessing.get_context("fork").Process(target=_hammer, args=(uri, hits, keys, queue))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [queue.get() for _ in workers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=20_000, help="hits per measurement")
    parser.add_argument("--keys", type=int, default=1_000, help="distinct counters hit in turn")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite_uri = f"sqlite://{Path(folder) / 'ratelimits.sqlite3'}"
        print(f"{options.hits} hits over {options.keys} counters, median of 5 runs")
        for name, uri in (("memory://", "memory://"), ("shared file", sqlite_uri)):
            hit, test = measure(uri, options.hits, options.keys)
            print(f"  {name:<12} hit {hit:7.1f} µs   test {test:7.1f} µs")
        both = two_processes(sqlite_uri, options.hits, options.keys)
        print(
            "  shared file, 2 processes at once: hit "
            + " / ".join(f"{value:.1f}" for value in both)
            + " µs"
        )


if __name__ == "__main__":
    main()
