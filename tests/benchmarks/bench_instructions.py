"""Instructions a page costs, counted by Valgrind, for comparing code; run by hand (pytest never
collects it):

    .venv/bin/python tests/benchmarks/bench_instructions.py [--page /cart]
        [--visitor with-a-cart|anonymous|signed-in] [--requests 100] [--products 200]
        [TREE ...]

Each TREE is a checkout of the shop (``git worktree add /tmp/before <commit>``; default: this
one). For each, in turn, a process seeds ``--products`` demo products into a temporary
instance folder, makes the visitor (two products in the cart, or the customer signed in),
serves the page 200 times through the WSGI app to warm it, and then ``--requests`` times more
under Valgrind's callgrind with counting switched on only for those (``callgrind_control``).
Prints the instructions per request, and each tree's figure against the first.

Why: on a shared machine wall-clock figures of one process move by 20% from one run to the
next, so a change worth 3% needs many interleaved rounds of ``bench_visitors.py`` to show.
The instructions a request runs repeat to within 0.1%. What they leave out: waiting for
memory, the kernel (sockets, files) and gunicorn. So this compares code; what visitors get is
``bench_visitors.py``'s to say.

Page views are written as each request ends (``ANALYTICS_WRITE_BEHIND`` off): the writer
thread's batches depend on time, which Valgrind stretches fifty times. Needs Debian's
``valgrind``; about 90 s a tree.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VISITORS = ("with-a-cart", "anonymous", "signed-in")


def _inside(tree: Path, page: str, visitor: str, requests: int, products: int) -> None:
    """In the process Valgrind runs: the shop of ``tree``, the visitor, the counted requests."""
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    os.environ["JOMSO_RATELIMIT_ENABLED"] = "false"
    os.environ["JOMSO_ANALYTICS_WRITE_BEHIND"] = "false"
    from tests.benchmarks.bench_catalog import make_app
    from tests.benchmarks.bench_visitors import PASSWORD, USER_AGENT, csrf, prepare

    instance = Path(tempfile.mkdtemp(prefix="jomso-instructions-")) / "instance"
    shop = prepare(make_app(instance), products)
    from jomso import create_app

    app = create_app()
    client = app.test_client()
    headers = {"User-Agent": USER_AGENT}
    if visitor == "with-a-cart":
        for product_id in shop["product_ids"]:
            token = csrf(client.get("/", headers=headers).text)
            form = {"csrf_token": token, "product_id": product_id, "quantity": 1}
            assert client.post("/cart/add", data=form, headers=headers).status_code in (302, 303)
    elif visitor == "signed-in":
        token = csrf(client.get("/account/login", headers=headers).text)
        form = {"csrf_token": token, "email": "customer@example.com", "password": PASSWORD}
        answer = client.post("/account/login", data=form, headers=headers)
        assert answer.status_code in (302, 303)
    client.get("/cart", headers=headers)  # the flash read, as a browser's next page reads it
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    from werkzeug.test import EnvironBuilder

    path, _, query = page.partition("?")
    environ = EnvironBuilder(
        path=path,
        query_string=query,
        headers={"Cookie": cookie, "User-Agent": USER_AGENT, "Host": "localhost"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ).get_environ()

    def serve() -> str:
        status = []
        body = app.wsgi_app(dict(environ), lambda s, h, e=None: status.append(s))
        b"".join(body)
        getattr(body, "close", lambda: None)()
        return status[0]

    if serve() != "200 OK":
        raise SystemExit(f"{page} answered {serve()} for a visitor {visitor}")
    for _ in range(200):
        serve()
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    for _ in range(requests):
        serve()
    subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)


def count(tree: Path, args) -> int:
    """Instructions per request of ``args.page`` in ``tree``, under Valgrind."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            sys.executable, __file__, "--inside", str(tree), "--page", args.page,
            "--visitor", args.visitor, "--requests", str(args.requests),
            "--products", str(args.products),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict orders in every run
        run = subprocess.run(command, env=env, capture_output=True, text=True)
        text = out.read_text() if out.exists() else ""
        found = re.search(r"^totals: (\d+)", text, re.M)
        if run.returncode or found is None:
            raise SystemExit(f"{tree}: {run.stderr[-2000:]}")
        return int(found[1]) // args.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", type=Path, default=[ROOT])
    parser.add_argument("--page", default="/cart")
    parser.add_argument("--visitor", choices=VISITORS, default="with-a-cart")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--inside", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        _inside(args.inside, args.page, args.visitor, args.requests, args.products)
        return
    print(f"{args.page}, visitor {args.visitor}, {args.requests} requests counted")
    first = None
    for tree in args.trees:
        instructions = count(tree.resolve(), args)
        if not instructions:
            raise SystemExit(f"{tree}: Valgrind counted nothing (callgrind_control failed?)")
        first = first or instructions
        print(f"{tree}: {instructions:,} instructions a request ({instructions / first:.3f})")


if __name__ == "__main__":
    main()
