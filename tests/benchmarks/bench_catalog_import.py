"""Catalog import benchmark, run by hand (pytest never collects it):

    .venv/bin/python tests/benchmarks/bench_catalog_import.py [--variants 10000] [--per-product 5]

Writes a Jomso CSV of ``--variants`` variants (``--per-product`` sizes per product, pictures
none) and imports it into a new SQLite database in a temporary instance folder: first into
the empty catalog (everything created), then again (nothing changes), then the export of the
result (the round trip). Prints the seconds of each step and the variants per second.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def make_csv(variants: int, per_product: int) -> bytes:
    from jomso.catalog.csv_export import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    sizes = ["XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL"][:per_product]
    for n in range(variants):
        product, size = divmod(n, len(sizes))
        writer.writerow([
            f"bench-shirt-{product}", f"Bench Shirt {product}", "Shirts", "yes", "29.00",
            f"Shirt number {product}, *cotton*.", "Size", sizes[size], "", "", "", "",
            f"BS-{product}-{sizes[size]}", "" if size < 3 else "32.00", "", n % 17, 200, "",
            "yes", "",
        ])  # fmt: skip
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--per-product", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        os.environ["JOMSO_INSTANCE_PATH"] = instance
        from jomso import create_app
        from jomso.catalog.csv_export import export_header, export_rows
        from jomso.catalog.csv_import import import_catalog
        from jomso.cli import init_schema
        from jomso.csv_export import csv_lines

        app = create_app()
        data = make_csv(args.variants, args.per_product)
        print(f"{args.variants} variants, {len(data) / 2**20:.1f} MB of CSV")
        with app.app_context():
            init_schema()
            for label in ("first import (all created)", "second import (unchanged)"):
                started = time.perf_counter()
                report = import_catalog(data, create_categories=True)
                seconds = time.perf_counter() - started
                assert not report.errors, report.lines()
                print(
                    f"{label:<28} {seconds:6.2f} s  {args.variants / seconds:8.0f} variants/s  "
                    f"({report.created} created, {report.updated} updated, "
                    f"{report.unchanged} unchanged)"
                )
            started = time.perf_counter()
            exported = "".join(csv_lines(export_header(), export_rows())).encode()
            print(f"{'export':<28} {time.perf_counter() - started:6.2f} s")
            started = time.perf_counter()
            report = import_catalog(exported)
            seconds = time.perf_counter() - started
            assert report.created == report.updated == 0, report.lines()
            print(f"{'round trip import':<28} {seconds:6.2f} s  (unchanged: {report.unchanged})")


if __name__ == "__main__":
    main()
