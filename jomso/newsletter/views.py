"""Public pages of the new-product emails: subscribe (the footer form), confirm, unsubscribe.

Confirmation and unsubscribe links open a page with a button rather than acting on the GET:
mail scanners that open links ahead of their reader then change nothing. The unsubscribe POST
also answers RFC 8058 one-click requests (``List-Unsubscribe=One-Click``) sent by mail
providers without a session, so it is exempt from CSRF: the signed token is the authority.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, redirect, render_template, request, url_for

from jomso.accounts.forms import EmptyForm
from jomso.extensions import csrf
from jomso.newsletter import bp, limits, services, tokens
from jomso.newsletter.forms import SubscribeForm
from jomso.newsletter.models import SubscriberSource


@bp.after_request
def _no_store(response):
    # The pages behind a link hold a token: no shared cache may keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _from_another_site() -> bool:
    """Whether the browser says this POST comes from another site's page."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc != request.host


@bp.route("/subscribe", methods=["GET", "POST"])
@limits.subscribe_limit()
def subscribe():
    """The footer form posts here; wrong input comes back on this page with the message.

    Like every form it carries a CSRF token; a post the browser says comes from another
    site is refused too. No account is linked here; the address alone decides.
    """
    form = SubscribeForm()
    if request.method == "POST" and _from_another_site():
        abort(400)
    if form.validate_on_submit():
        services.subscribe(form.email.normalized, SubscriberSource.FOOTER)
        return redirect(url_for(".check_email"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("newsletter/subscribe.html", form=form), status


@bp.get("/check-email")
def check_email():
    return render_template("newsletter/check_email.html")


def _invalid(kind: str):
    return render_template("newsletter/link_invalid.html", kind=kind), 400


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _invalid("confirm")
        try:
            subscriber, newly = services.confirm(token)
        except tokens.InvalidLink:
            return _invalid("confirm")
        return render_template("newsletter/confirmed.html", newly=newly, subscriber=subscriber)
    try:
        subscriber = services.subscriber_for_confirm_token(token)
    except tokens.InvalidLink:
        return _invalid("confirm")
    if subscriber.is_confirmed:
        return render_template("newsletter/confirmed.html", newly=False, subscriber=subscriber)
    return render_template("newsletter/confirm.html", form=form, token=token)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token):
    """GET: a page with the button. POST (the button, or a mail provider's one-click request):
    unsubscribe. A tampered link changes nothing and says so."""
    try:
        subscriber = services.subscriber_for_unsubscribe_token(token)
    except tokens.InvalidLink:
        return _invalid("unsubscribe")
    if request.method == "POST":
        services.unsubscribe(subscriber)
        return render_template("newsletter/unsubscribed.html")
    if not subscriber.is_active:
        return render_template("newsletter/unsubscribed.html")
    return render_template("newsletter/unsubscribe.html", token=token)
