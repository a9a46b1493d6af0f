"""Offline gateway store benchmark, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_offline_store.py [--sizes 1000 100000] [--writes 20]

For each size, fills a store in a temporary folder with that many transactions (in one write),
then times ``--writes`` sales one after the other through the gateway's own sale operation
(lock, read what changed, record the transaction, write it to disk with fsync) and prints the
p50 and slowest write, and how long a process's first look at the store takes (it reads the
whole file once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from jomso.payments.offline import endpoints, store  # noqa: E402

SALE = {"type": "sale", "amount": "10.00", "payment_method_nonce": "fake-valid-nonce"}


def fill(path: Path, count: int) -> store.Store:
    shop = store.Store(path, currency="USD", merchant_id="bench")
    card = store.SandboxCard("Visa", "411111", "1111")
    with shop.open(write=True) as data:
        for index in range(count):
            txn = shop.new_transaction(data, "sale", Decimal("10.00"), {"order_id": f"B{index}"},
                                       card)  # fmt: skip
            store.set_status(txn, "authorized")
    return shop


def forget_what_was_read() -> None:
    """As a new process would: nothing of the store read yet."""
    getattr(store, "_SNAPSHOTS", {}).clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="jomso-bench-store-") as tmp:
            path = Path(tmp) / store.STORE_NAME
            shop = fill(path, size)
            forget_what_was_read()
            started = time.perf_counter()
            with shop.open():
                pass
            first = time.perf_counter() - started
            timings = []
            for _ in range(args.writes):
                started = time.perf_counter()
                status, _ = endpoints.sale(shop, SALE, 10)
                timings.append(time.perf_counter() - started)
                assert status == 201, status
            print(f"{size:>7,} transactions ({path.stat().st_size / 1e6:.1f} MB): sale write p50 "
                  f"{statistics.median(timings) * 1000:8.2f} ms, slowest "
                  f"{max(timings) * 1000:8.2f} ms; first read in a process "
                  f"{first * 1000:8.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
