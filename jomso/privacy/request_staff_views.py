"""The privacy request queue at /staff/privacy-requests (the ``privacy_requests_admin``
blueprint): open requests with their deadlines counting down, closed ones, and one request's
page with its actions (send the data, erase, mark corrected, extend once, refuse).

Every page here shows requesters' addresses and writes one access-log entry; every action
writes its own (``jomso/privacy/request_handling.py``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jomso.audit.services import record_personal_data_access
from jomso.extensions import db
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required
from jomso.privacy import dashboard, request_handling, requests  # noqa: F401  (its card)
from jomso.privacy.forms import CompleteForm, ExtendForm, RefuseForm
from jomso.privacy.models import PrivacyRequest, RequestKind

bp = Blueprint(
    "privacy_requests_admin", __name__, url_prefix="/staff/privacy-requests", cli_group=None
)

may_handle = permission_required(Permission.HANDLE_PRIVACY_REQUESTS)
PER_PAGE = 25


def _request_or_404(request_id: int) -> PrivacyRequest:
    return db.session.get(PrivacyRequest, request_id) or abort(404)


@bp.get("")
@may_handle
def request_list():
    """``?show=open`` (the default: nearest deadline first) or ``?show=closed``."""
    show = "closed" if request.args.get("show") == "closed" else "open"
    pagination = None
    if show == "closed":
        pagination = paginate(requests.closed_requests_query(), PER_PAGE)
        items = pagination.items
    else:
        items = requests.open_requests()
    if items:  # an empty list shows nobody's address
        page = f", page {pagination.page}" if pagination else ""
        record_personal_data_access(
            "privacy_requests_admin.request_list", None, f"privacy requests, {show}{page}"
        )
    return render_template(
        "staff/privacy_requests/list.html",
        show=show,
        rows=[(item, requests.days_left(item)) for item in items],
        pagination=pagination,
        open_count=len(items) if show == "open" else len(requests.open_requests()),
        unverified=requests.unverified_count(),
    )


def _render_detail(privacy_request: PrivacyRequest, status: int = 200, **forms):
    subject = requests.subject_for(privacy_request)
    held = requests.held_counts(subject) if privacy_request.is_open else None
    record_personal_data_access(
        "privacy_requests_admin.request_detail",
        subject.user_id,
        f"privacy request #{privacy_request.id}",
        subject_email=privacy_request.email,
    )
    return (
        render_template(
            "staff/privacy_requests/detail.html",
            privacy_request=privacy_request,
            days_left=requests.days_left(privacy_request),
            held=held,
            account=subject.user,
            extend_form=forms.get("extend_form") or ExtendForm(formdata=None),
            complete_form=forms.get("complete_form") or CompleteForm(formdata=None),
            refuse_form=forms.get("refuse_form") or RefuseForm(formdata=None),
            extension_months=requests.EXTENSION_MONTHS,
            Kind=RequestKind,
        ),
        status,
    )


@bp.get("/<int:request_id>")
@may_handle
def request_detail(request_id: int):
    return _render_detail(_request_or_404(request_id))


def _act(privacy_request: PrivacyRequest, run, done_message: str):
    """Run an action; a request that is no longer open says so instead."""
    try:
        run()
    except request_handling.RequestError as error:
        flash(str(error), "error")
    else:
        flash(done_message, "success")
    return redirect(url_for(".request_detail", request_id=privacy_request.id))


@bp.post("/<int:request_id>/extend")
@may_handle
def request_extend(request_id: int):
    privacy_request = _request_or_404(request_id)
    form = ExtendForm()
    if not form.validate_on_submit():
        return _render_detail(privacy_request, 422, extend_form=form)

    return _act(
        privacy_request,
        lambda: request_handling.extend(privacy_request, form.reason.data, _actor()),
        _("The deadline is extended; the requester was told why."),
    )


@bp.post("/<int:request_id>/complete")
@may_handle
def request_complete(request_id: int):
    """Send the data (access), erase (erasure) or mark corrected (correction)."""
    privacy_request = _request_or_404(request_id)
    form = CompleteForm(kind=privacy_request.kind)
    if not form.validate_on_submit():
        return _render_detail(privacy_request, 422, complete_form=form)
    actor = _actor()
    kind = privacy_request.kind
    if kind == RequestKind.ACCESS:
        return _act(
            privacy_request,
            lambda: request_handling.send_data(privacy_request, actor),
            _("The link to the data was emailed to the requester."),
        )
    if kind == RequestKind.ERASURE:
        return _act(
            privacy_request,
            lambda: request_handling.erase(privacy_request, actor, form.note.data),
            _("The data is erased; the requester was told."),
        )
    return _act(
        privacy_request,
        lambda: request_handling.mark_corrected(privacy_request, form.note.data, actor),
        _("The request is done; the requester was told what was corrected."),
    )


@bp.post("/<int:request_id>/refuse")
@may_handle
def request_refuse(request_id: int):
    privacy_request = _request_or_404(request_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        return _render_detail(privacy_request, 422, refuse_form=form)
    return _act(
        privacy_request,
        lambda: request_handling.refuse(privacy_request, form.reason.data, _actor()),
        _("The request is refused; the requester was told why."),
    )


def _actor():
    return current_user._get_current_object()


@bp.app_template_filter("days_left")
def _days_left_filter(days: int | None) -> str:
    return requests.days_left_text(days)
