"""``flask --app app send-announcements``: send queued new-product emails (run it from cron)."""

from __future__ import annotations

import click

from jomso.newsletter import bp
from jomso.newsletter.sending import send_pending


@bp.cli.command("send-announcements")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Messages per batch (default: NEWSLETTER_BATCH_SIZE).",
)
@click.option(
    "--max-batches",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after this many batches; the rest waits for the next run.",
)
def send_announcements_command(batch_size, max_batches):
    """Send the new-product emails waiting to go out, in batches. Safe to run often and to
    interrupt: a message is never sent twice."""
    report = send_pending(batch_size=batch_size, max_batches=max_batches)
    click.echo(
        f"Sent {report.sent}, failed {report.failed}, skipped {report.skipped} "
        f"in {report.batches} batch(es); {report.remaining} waiting."
    )
