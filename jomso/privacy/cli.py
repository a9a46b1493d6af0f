"""``flask --app app purge``: apply every retention rule (``jomso.privacy.retention``), print
what each removed, and empty SQLite's write-ahead log when personal data went. ``--list``
prints the rules and their periods with the current settings and changes nothing.

The rules register when their domains are imported, which ``create_app`` does for every
blueprint before any command runs. This module is a blueprint of its own (listed in
``jomso.BLUEPRINTS``) so that the command comes without importing the policy pages.
"""

from __future__ import annotations

import click
from flask import Blueprint, current_app

from jomso.database import checkpoint_wal, utcnow
from jomso.privacy.retention import retention_table_markdown, run_retention_rules

bp = Blueprint("privacy_cli", __name__, cli_group=None)


@bp.cli.command("purge")
@click.option("--list", "list_only", is_flag=True, help="Print the rules; change nothing.")
def purge_command(list_only: bool):
    """Apply the retention rules: delete, anonymise or shorten what is past its time. Run it
    daily, e.g. from cron."""
    if list_only:
        click.echo(retention_table_markdown(current_app.config))
        return
    counts = run_retention_rules(utcnow())
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
    if any(counts.values()):
        checkpoint_wal()  # no old copy of what went stays in the write-ahead log
