"""The public privacy request pages at /privacy/request: the form, the link that proves the
address, and the download of an access request's data (the ``privacy_requests`` blueprint,
listed in ``jomso.BLUEPRINTS``).

The proof and download links open a page with a button rather than acting on the GET: mail
scanners that open links ahead of their reader then change nothing and download nothing.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user

from jomso.accounts.forms import EmptyForm
from jomso.consent.cookies import visitor_id_from_request
from jomso.privacy import request_handling, request_links, requests
from jomso.privacy.forms import PrivacyRequestForm
from jomso.privacy.limits import request_limits
from jomso.privacy.models import RequestKind, RequestStatus

bp = Blueprint("privacy_requests", __name__, url_prefix="/privacy/request", cli_group=None)


@bp.after_request
def _no_store(response):
    # The pages behind a link hold a token, the download personal data: no cache may keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("", methods=["GET", "POST"])
@request_limits
def request_form():
    """GET ``?kind=access|erasure|correction`` chooses the kind. A valid post stores the
    request and emails the link; the next page is the same whatever the shop holds for the
    address. Wrong input comes back with what was typed and a message beside the field."""
    form = PrivacyRequestForm()
    if request.method == "GET":
        kind = request.args.get("kind", "")
        form.kind.data = kind if kind in {k.value for k in RequestKind} else None
    elif form.validate_on_submit():
        requests.submit_request(form.kind.data, form.email.normalized, form.details.data)
        return redirect(url_for(".sent"), code=303)
    status = 422 if request.method == "POST" else 200
    signed_in = current_user.is_authenticated
    return render_template("privacy/request_form.html", form=form, signed_in=signed_in), status


@bp.get("/sent")
def sent():
    return render_template("privacy/request_sent.html", days=request_links.VERIFY_MAX_AGE // 86400)


def _invalid(kind: str):
    return render_template("privacy/request_link_invalid.html", kind=kind), 400


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token):
    try:
        privacy_request = requests.request_for_verify_token(token)
    except request_links.InvalidLink:
        return _invalid("verify")
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _invalid("verify")
        privacy_request, newly = requests.verify(token, visitor_id_from_request())
        return render_template(
            "privacy/request_verified.html", privacy_request=privacy_request, newly=newly
        )
    if privacy_request.status != RequestStatus.UNVERIFIED:
        return render_template(
            "privacy/request_verified.html", privacy_request=privacy_request, newly=False
        )
    return render_template(
        "privacy/request_verify.html", form=form, token=token, privacy_request=privacy_request
    )


@bp.route("/data/<token>", methods=["GET", "POST"])
def data(token):
    """GET: the page with the download button. POST: the JSON file, made now and logged."""
    try:
        privacy_request = request_handling.request_for_data_token(token)
    except request_links.InvalidLink:
        return _invalid("data")
    form = EmptyForm()
    if request.method == "GET":
        return render_template(
            "privacy/request_data.html", form=form, token=token, privacy_request=privacy_request
        )
    if not form.validate_on_submit():
        return _invalid("data")
    privacy_request, content = request_handling.download(token)
    day = content["exported_at"][:10]
    return Response(
        json.dumps(content, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="jomso-data-{day}.json"'},
    )
