"""``flask --app app doctor``: every production check, one line each."""

from __future__ import annotations

import click
from flask import current_app

from jomso.doctor import bp
from jomso.doctor.checks import FAIL, OK, WARN, run_checks


@bp.cli.command("doctor")
def doctor_command():
    """Print every production check with OK, WARN or FAIL; exit with status 1 on any FAIL."""
    findings = run_checks(current_app)
    width = max(len(finding.area) for finding in findings)
    for finding in findings:
        click.echo(f"{finding.status:<5} {finding.area:<{width}}  {finding.message}")
    counts = {status: sum(f.status == status for f in findings) for status in (FAIL, WARN, OK)}
    click.echo(", ".join(f"{count} {status}" for status, count in counts.items()))
    if counts[FAIL]:
        raise SystemExit(1)
