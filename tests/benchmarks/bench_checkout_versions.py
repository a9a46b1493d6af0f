"""The checkout of two code versions side by side under gunicorn, run by hand (pytest never
collects it):

    git worktree add /tmp/before <commit>
    .venv/bin/python tests/benchmarks/bench_checkout_versions.py /tmp/before . [--orders 100]
        [--parts 5] [--products 2000]

Each tree given (two or more checkouts of the shop, each with this file) gets a shop of its
own, seeded as ``bench_visitors.py`` seeds it (``--products`` demo products, stock for every
order), and served by gunicorn with 2 sync workers from that tree, with the tree's own
Python packages when it has a ``.venv``. After five warm-up orders each, the shops place
``--orders`` orders each one request at a time, as ``bench_visitors.py`` does (add two products
to a fresh cart, GET /checkout, POST it through the offline gateway), the trees taking turns
order by order in a shuffled order, so that a noisy neighbour hits them alike. Prints, per
tree, the GET's and the POST's p50 over all orders and the POST's p50 in each of ``--parts``
consecutive parts of the run: one tree lower in every part is a difference; parts that cross
are noise.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

# Runs inside each tree: seeds and serves that tree's shop, then places an order per line read.
_SHOP = r"""
import json, os, sys, tempfile
from pathlib import Path

root = Path(sys.argv[1])
sys.path.insert(0, str(root))
from tests.benchmarks import bench_visitors
from tests.benchmarks.bench_catalog import free_port, make_app

with tempfile.TemporaryDirectory(prefix="jomso-bench-versions-") as folder:
    instance = Path(folder) / "instance"
    app = make_app(instance)
    shop = bench_visitors.prepare(app, int(sys.argv[2]))
    env = {**os.environ, "JOMSO_INSTANCE_PATH": str(instance),
           "JOMSO_RATELIMIT_ENABLED": "false", "BENCH_DB": str(instance / "jomso.sqlite3")}
    port = free_port()
    server = bench_visitors.serve("shop", "app:app", env, port)
    try:
        bench_visitors.checkout(port, shop["product_ids"], 5)
        print("ready", flush=True)
        for _ in sys.stdin:
            print(json.dumps(bench_visitors.checkout(port, shop["product_ids"], 1)), flush=True)
    finally:
        bench_visitors.stop(server)
"""


def start(tree: Path, products: int) -> subprocess.Popen:
    venv = tree / ".venv" / "bin" / "python"
    python = str(venv) if venv.exists() else sys.executable
    shop = subprocess.Popen([python, "-c", _SHOP, str(tree), str(products)], cwd=tree,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    for line in shop.stdout:
        if line.strip() == "ready":
            return shop
    raise SystemExit(f"the shop of {tree} did not start")


def place_one(shop: subprocess.Popen) -> dict[str, list[float]]:
    shop.stdin.write("\n")
    shop.stdin.flush()
    for line in shop.stdout:
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit("a shop stopped answering")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--parts", type=int, default=5)
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()
    trees = [tree.resolve() for tree in args.trees]
    shops = {tree: start(tree, args.products) for tree in trees}
    timings = {tree: {"GET": [], "POST": []} for tree in trees}
    try:
        for _ in range(args.orders):
            for tree in random.sample(trees, len(trees)):
                for method, seconds in place_one(shops[tree]).items():
                    timings[tree][method] += seconds
    finally:
        for shop in shops.values():
            shop.stdin.close()
            shop.wait()
    size = max(1, args.orders // args.parts)
    print(f"checkout, {args.orders} orders each, one request at a time, p50 in ms")
    for tree in trees:
        get, post = ([s * 1000 for s in timings[tree][m]] for m in ("GET", "POST"))
        parts = [statistics.median(post[i : i + size]) for i in range(0, len(post), size)]
        print(f"{tree!s:40s} GET {statistics.median(get):6.1f}  POST "
              f"{statistics.median(post):6.1f}  POST by part "
              f"{' '.join(f'{p:.1f}' for p in parts)}")  # fmt: skip


if __name__ == "__main__":
    main()
