"""Cookie consent: the banner on every storefront page, the settings page and the one POST
that records a choice. Works as plain HTML forms; static/js/consent.js only saves a reload."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from jomso.consent import bp
from jomso.consent.cookies import (
    ACCEPT,
    VISITOR_COOKIE,
    consent_state,
    cookie_table,
    forget_visitor,
    issue_visitor_id,
    store_choice,
    visitor_id_from_request,
)
from jomso.consent.forms import ConsentForm
from jomso.consent.services import current_policy_version, record_consent
from jomso.security import is_safe_redirect
from jomso.visitor_pieces import EMPTY, piece_key

# Pages where the banner would be out of place: the back office and the settings page itself.
_NO_BANNER_PREFIXES = ("/staff/", "/cookies")


def _banner_wanted() -> bool:
    path = request.path
    if path == "/staff" or path.startswith(_NO_BANNER_PREFIXES):
        return False
    return consent_state().undecided


def _banner_piece():
    """What the cookie banner shows for this visitor (``visitor_pieces``): nothing once a
    choice is made, else one of two texts, with or without Global Privacy Control."""
    if not _banner_wanted():
        return EMPTY
    return (consent_state().gpc,)


piece_key("partials/cookie_banner.html", _banner_piece)


@bp.app_context_processor
def _consent_context():
    # Callables, so pages that never draw the banner pay nothing for it.
    return {"consent": consent_state, "consent_banner_wanted": _banner_wanted}


@bp.get("")
def settings():
    """The current choice, every cookie we set, and the buttons to change the choice."""
    return render_template("consent/settings.html", state=consent_state(), cookies=cookie_table())


@bp.post("/consent")
def record():
    """Record a choice from the banner or the settings page, then go back where it was made.

    Accepting starts the visitor id cookie (unless Global Privacy Control is on); declining
    deletes it at once. A script posting here (Accept: application/json) gets JSON instead of
    the redirect and no flash message.
    """
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    choice = form.choice.data
    source = form.source.data or "banner"
    visitor_id = visitor_id_from_request()

    wants_json = request.accept_mimetypes.best == "application/json"
    target = form.next.data if is_safe_redirect(form.next.data) else url_for(".settings")
    response = jsonify(choice=choice) if wants_json else redirect(target, code=303)

    version = current_policy_version()
    state = store_choice(response, choice, version)
    if state.analytics_allowed:
        visitor_id = visitor_id or issue_visitor_id(response, state)
    elif VISITOR_COOKIE in request.cookies:
        forget_visitor(response)
    record_consent(choice, source=source, visitor_id=visitor_id, policy_version=version)

    if not wants_json:
        if choice == ACCEPT and state.gpc:
            flash(
                _(
                    "Your choice is saved, but your browser's Global Privacy Control signal is "
                    "on, so we record no analytics while it is."
                ),
                "info",
            )
        elif choice == ACCEPT:
            flash(_("Thank you: analytics cookies are on. You can change this at any time."))
        else:
            flash(_("Analytics cookies are off. You can change this at any time."))
    return response
