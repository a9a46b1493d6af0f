"""The policy pages, the "I have read it" button, and the ``policy-publish`` command: the
``privacy`` blueprint (``jomso.BLUEPRINTS`` lists this module)."""

from datetime import date
from pathlib import Path

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from jomso.accounts.forms import EmptyForm
from jomso.consent.cookies import cookie_table
from jomso.privacy.editing import publish_version
from jomso.privacy.notice import build_notice
from jomso.privacy.services import (
    acknowledge_policy,
    current_policy,
    get_version,
    policy_versions,
    render_policy,
)
from jomso.security import is_safe_redirect
from jomso.shop_time import shop_today

bp = Blueprint("privacy", __name__, url_prefix="/privacy", cli_group=None)


@bp.get("")
def policy():
    """The policy in effect: the owner's text, and around it what the shop writes from its
    settings and registries (``jomso.privacy.notice``), so that it cannot drift from the code."""
    current = current_policy()
    upcoming = [p for p in policy_versions() if p.effective_date > shop_today()]
    return render_template(
        "privacy/policy.html",
        policy=current,
        body=render_policy(current),
        upcoming=upcoming[-1] if upcoming else None,
        notice=build_notice(current_app.config),
        cookies=cookie_table(),
        request_url=_page_url("/privacy/request"),
    )


def _page_url(path: str) -> str | None:
    """``path`` when the shop serves a page there (the request page for people without an
    account), else None."""
    return path if any(rule.rule == path for rule in current_app.url_map.iter_rules()) else None


@bp.get("/history")
def history():
    return render_template(
        "privacy/history.html",
        versions=policy_versions(),
        current=current_policy(),
        today=shop_today(),
    )


@bp.get("/history/<int:version>")
def version(version):
    policy = get_version(version)
    if policy is None:
        abort(404)
    return render_template(
        "privacy/version.html",
        policy=policy,
        body=render_policy(policy),
        current=current_policy(),
    )


@bp.post("/acknowledge")
@login_required
def acknowledge():
    """Dismiss the "our policy changed" notice: records the current version as accepted."""
    if EmptyForm().validate_on_submit():
        acknowledge_policy(current_user)
        flash(_("Thank you. We will let you know when the policy changes again."), "success")
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("catalog.home"))


@bp.cli.command("policy-publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--summary", required=True, help="What changed, in a sentence or two.")
@click.option(
    "--effective",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the version takes effect (YYYY-MM-DD; default today).",
)
def publish_command(file: Path, summary: str, effective):
    """Publish FILE (Markdown) as a new version of the privacy policy."""
    body = file.read_text(encoding="utf-8")
    if not body.strip():
        raise click.ClickException("The file is empty.")
    effective_date: date | None = effective.date() if effective else None
    policy = publish_version(body, summary, effective_date=effective_date)
    click.echo(
        f"Published privacy policy version {policy.version}, effective {policy.effective_date}."
    )


# Privacy's export section and its receivers of account signals, imported last: the export
# lists sections in registration order, the access log (loaded with ``editing``) first.
from jomso.privacy import data_rights, hooks, request_retention  # noqa: E402, F401
