"""Catalog commands: ``flask --app app seed-demo`` and ``flask --app app demo``."""

from __future__ import annotations

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
    replaced or duplicated).
    """
    from jomso.catalog.demo import seed_demo

    click.echo(f"Adding {count} demo products…")
    report = seed_demo(count, seed=seed, progress=_progress if count >= 20_000 else None)
    click.echo(
        f"Added {report.products} products in {report.categories} categories with "
        f"{report.pictures} pictures in {report.seconds:.1f} s."
    )
    _print_demo_staff()


def _print_demo_staff() -> None:
    """One staff member per role with fresh one-time passwords: demo shops only."""
    from jomso.staff.demo import create_demo_staff

    click.echo("Demo staff accounts (sign in at /account/login; passwords shown only now):")
    for email, password, roles in create_demo_staff():
        click.echo(f"  {', '.join(roles):<8} {email:<28} {password}")


def _progress(message: str) -> None:
    click.echo(f"  {message}")


@bp.cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
def demo_command(host: str, port: int) -> None:
    """Try the shop: create the schema, add a demo catalog when there is none, and serve it
    with Flask's development server (not for production: use gunicorn there)."""
    from werkzeug.serving import run_simple

    from jomso.catalog.demo import seed_demo
    from jomso.cli import init_schema
    from jomso.ratelimits import describe

    init_schema()
    if not db.session.scalar(select(func.count()).select_from(Product)):
        click.echo(f"Adding {DEMO_PRODUCTS} demo products (drawing their pictures)…")
        seed_demo(DEMO_PRODUCTS, seed=2018)
    _print_demo_staff()
    click.echo(describe(current_app.config))
    db.session.remove()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - just a label
    click.echo(f"Jomso is running at http://{shown}:{port}/  (press Ctrl+C to stop)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)
