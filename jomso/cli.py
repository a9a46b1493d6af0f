"""Operator commands that belong to no single domain. Domain commands live with their
blueprint (``Blueprint(..., cli_group=None)`` puts them at the top level)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from jomso.database_copy import CopyRefused, copy_database
from jomso.extensions import db
from jomso.mail_delivery import deliver_due, failed_mail, waiting_count


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

    @app.cli.command("version")
    def version_command():
        """Show the version of Jomso and of the database schema."""
        from jomso import __version__
        from jomso.schema import database_revision, head_revision, known_revisions

        current, head = database_revision(), head_revision()
        if current is None:
            state = "not created yet: run init-db"
        elif current == head:
            state = "up to date"
        elif current in known_revisions():
            state = f"behind: this version migrates it to {head} with init-db"
        else:
            state = f"newer than this version knows (head {head}): install the newer Jomso"
        click.echo(f"Jomso {__version__}")
        click.echo(f"Database schema: {current or 'none'} ({state})")

    @app.cli.command("send-mail")
    def send_mail_command():
        """Send the queued mail that is due (retrying what failed before), then exit. Run it
        every minute or few from cron with MAIL_DELIVERY=cron; harmless beside the threads."""
        report = deliver_due()
        if report.deferred:
            click.echo(
                "Another sender is delivering (it holds the lease in Redis); it sends these."
            )
        failed, _latest = failed_mail(limit=0)
        click.echo(
            f"Sent {report.sent}, to try again {report.retried}, given up {report.failed}; "
            f"{waiting_count()} waiting, {failed} failed in all."
        )

    @app.cli.command("copy-data")
    @click.argument("source_url")
    def copy_data_command(source_url):
        """Copy every row of the shop at SOURCE_URL (e.g. sqlite:////srv/jomso/instance/
        jomso.sqlite3) into this shop's database, new and made with init-db: how a shop moves
        to PostgreSQL. Stop the shop first; nothing is changed when it refuses."""
        try:
            copied = copy_database(source_url, progress=_copied)
        except CopyRefused as refused:
            raise click.ClickException(str(refused)) from refused
        click.echo(f"Copied {sum(copied.values())} rows of {len(copied)} tables into "
                   f"{_safe_db_url()}.")  # fmt: skip


def _copied(table: str, count: int) -> None:
    click.echo(f"  {table}: {count}")


def _safe_db_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)
