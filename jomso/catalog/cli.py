"""Catalog commands: ``flask --app app seed-demo`` and ``flask --app app demo``."""

from __future__ import annotations

import socket

import click
from flask import current_app
from sqlalchemy import func, select

from jomso.catalog import bp
from jomso.catalog.models import Product
from jomso.extensions import db

DEMO_PRODUCTS = 120


@bp.cli.command("seed-demo")
@click.option("--products", "count", type=click.IntRange(1, 1_000_000), default=120,
              show_default=True, help="How many products to add.")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Random seed, for a repeatable catalog.")
def seed_demo_command(count: int, seed: int | None) -> None:
    """Add demo categories and COUNT products with pictures drawn locally.

    Running it again adds COUNT more products to the same demo categories (nothing is
    replaced or duplicated). Refused in production.
    """
    from jomso.catalog.demo import seed_demo
    from jomso.taxes.demo import set_up_demo_taxes

    _refuse_in_production("seed-demo")
    click.echo(f"Adding {count} demo products…")
    report = seed_demo(count, seed=seed, progress=_progress if count >= 20_000 else None)
    click.echo(
        f"Added {report.products} products in {report.categories} categories with "
        f"{report.pictures} pictures in {report.seconds:.1f} s."
    )
    if set_up_demo_taxes():  # sales tax by state, or the EU's VAT, unless rates are set
        click.echo("Set the demo's tax rates (see /staff/taxes).")
    _print_demo_staff()


def _refuse_in_production(command: str) -> None:
    """Demo data and demo staff accounts have no place in a real shop."""
    if current_app.config.get("ENV") == "production":
        raise click.ClickException(
            f"{command} is refused in production (JOMSO_ENV=production): it adds demo "
            "products and staff accounts whose passwords are printed. Nothing was changed."
        )


def _print_demo_staff() -> None:
    """One staff member per role, with the passwords kept in the instance folder."""
    from jomso.staff.demo import PASSWORDS_FILE, create_demo_staff

    click.echo(
        "Demo staff accounts (sign in at /account/login; the passwords stay the same and are "
        f"kept in {PASSWORDS_FILE} in the instance folder):"
    )
    for email, password, roles in create_demo_staff():
        click.echo(f"  {', '.join(roles):<8} {email:<28} {password}")


def _progress(message: str) -> None:
    click.echo(f"  {message}")


@bp.cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def demo_command(host: str, port: int) -> None:
    """Try the shop: create the schema, add a demo catalog when there is none, a demo text
    to each content page that has none, demo delivery zones and discount codes, and serve it
    with Flask's development server (not for production: use gunicorn there).

    Refused in production. The port is taken first: when it is in use, the command stops
    before it changes anything."""
    from werkzeug.serving import make_server

    from jomso.catalog.demo import seed_demo
    from jomso.cli import init_schema
    from jomso.discounts.demo import set_up_demo_codes
    from jomso.invoices.demo import set_up_demo_seller
    from jomso.pages.demo import publish_demo_pages
    from jomso.ratelimits import describe
    from jomso.shipping.demo import set_up_demo_shipping
    from jomso.taxes.demo import set_up_demo_taxes

    _refuse_in_production("demo")
    listener = _listen(host, port)
    try:
        init_schema()
        if not db.session.scalar(select(func.count()).select_from(Product)):
            click.echo(f"Adding {DEMO_PRODUCTS} demo products (drawing their pictures)…")
            seed_demo(DEMO_PRODUCTS, seed=2018)
        publish_demo_pages()  # the content pages that have no text yet
        set_up_demo_shipping()  # two zones and three methods, unless the owner set their own
        set_up_demo_codes()  # WELCOME10 and FREESHIP, unless the shop has codes
        set_up_demo_taxes()  # sales tax by state, or the EU's VAT, unless rates are set
        set_up_demo_seller()  # the invoices' seller, unless the owner saved one
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - just a label
        address = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"
        app = current_app._get_current_object()
        if not app.config.get("SHOP_URL"):
            app.config["SHOP_URL"] = address  # links in mail lead to this demo
        _print_demo_staff()
        click.echo(describe(app.config))
        db.session.remove()
        server = make_server(host, port, app, threaded=True, fd=listener.fileno())
    finally:
        listener.close()  # the server holds its own copy of the socket
    click.echo(f"Jomso is running at {address}  (press Ctrl+C to stop)")
    server.serve_forever()


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port``, or a clear error when it cannot be had."""
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(get_sockaddr(host, port, family))
        listener.listen(128)
    except OSError as error:
        listener.close()
        raise click.ClickException(
            f"Cannot listen on {host} port {port}: {error.strerror}. Another program may be "
            "using it: stop it, or choose another port with --port. Nothing was changed."
        ) from None
    return listener


@bp.cli.command("export-products")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_products_command(path: str) -> None:
    """Write the whole catalog to PATH as Jomso's CSV (one row per variant): the same file
    as the staff download (Products > Export)."""
    from jomso.catalog.csv_export import export_header, export_rows
    from jomso.csv_export import csv_lines

    rows = 0

    def counted():
        nonlocal rows
        for row in export_rows():
            rows += 1
            yield row

    with open(path, "w", encoding="utf-8", newline="") as handle:
        for piece in csv_lines(export_header(), counted()):
            handle.write(piece)
    click.echo(f"Exported {rows} variants to {path}.")


@bp.cli.command("import-products")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@click.option("--create-categories", is_flag=True,
              help="Create the categories the file names that the shop does not have.")  # fmt: skip
def import_products_command(path: str, dry_run: bool, create_categories: bool) -> None:
    """Import products from PATH: Jomso's own CSV (the export) or Shopify's product CSV.

    Products are matched by handle, variants by SKU: importing the same file twice changes
    nothing. The whole file is one transaction: on any error nothing is imported."""
    import time

    from jomso.catalog.csv_import import ImportRefused, import_catalog, read_limited

    started = time.perf_counter()
    try:
        with open(path, "rb") as handle:
            data = read_limited(handle)
    except ImportRefused as refused:
        raise click.ClickException(refused.message + " Nothing was imported.") from None
    report = import_catalog(data, dry_run=dry_run, create_categories=create_categories)
    for line in report.lines():
        click.echo(line)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} errors; nothing was imported.")
    click.echo(f"Done in {time.perf_counter() - started:.1f} s.")


@bp.cli.command("stock-alerts")
def stock_alerts_command() -> None:
    """Email the catalog staff the variants that fell to their low-stock threshold since the
    last email; at most one email a day (run it daily: the jomso-stock-alerts timer)."""
    from jomso.catalog.stock_alerts import describe, send_low_stock_email

    click.echo(describe(send_low_stock_email()))
