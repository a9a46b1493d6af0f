import click

from jomso.analytics import bp
from jomso.database import utcnow
from jomso.privacy.retention import run_retention_rules


@bp.cli.command("purge")
def purge_command():
    """Apply the retention rules (shorten old IP addresses, delete old page views, ...).
    Run it daily, e.g. from cron."""
    for name, count in run_retention_rules(utcnow()).items():
        click.echo(f"{name}: {count}")
