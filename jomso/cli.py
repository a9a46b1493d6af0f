"""Operator commands that belong to no single domain. Domain commands live with their
blueprint (``Blueprint(..., cli_group=None)`` puts them at the top level)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from jomso.extensions import db


def init_schema() -> str:
    """Create or upgrade the schema; safe to run again. Returns what was done."""
    from flask_migrate import upgrade

    versions = Path(current_app.root_path).parent / "migrations" / "versions"
    if versions.is_dir() and any(versions.glob("*.py")):
        upgrade()
        return "upgraded"
    db.create_all()
    return "created"


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db_command():
        """Create or upgrade the database schema (idempotent)."""
        done = init_schema()
        click.echo(f"Database schema {done}: {_safe_db_url()}")


def _safe_db_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)
