"""The enquiry inbox for support staff and the owner (/staff/enquiries).

Every page here that shows enquirers' names or email addresses writes one access-log entry.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from jomso.accounts.forms import EmptyForm
from jomso.audit import record_personal_data_access
from jomso.contact import services
from jomso.contact.forms import REPLY_MAX, ReplyForm
from jomso.contact.models import STATUS_LABELS, Enquiry, EnquiryStatus
from jomso.extensions import db
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required
from jomso.request_limits import body_limit
from jomso.staff.customers import CustomerSection, register_customer_section

bp = Blueprint("enquiries", __name__, url_prefix="/staff/enquiries", cli_group=None)

register_customer_section(
    CustomerSection(
        "enquiries",
        _l("Enquiries"),
        "staff/enquiries/_customer_section.html",
        lambda customer: {"enquiries": services.customer_enquiries(customer)},
    )
)

PER_PAGE = 25
may_handle = permission_required(Permission.HANDLE_ENQUIRIES)


def _enquiry_or_404(enquiry_id: int) -> Enquiry:
    return db.session.get(Enquiry, enquiry_id) or abort(404)


@bp.get("")
@may_handle
def enquiry_list():
    """The inbox: ``?status=new|answered|closed`` (default all), ``?q=`` search, ``?page=``."""
    status = request.args.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    search = request.args.get("q", "").strip()[:200]
    pagination = paginate(services.enquiries_query(status or None, search), PER_PAGE)
    if pagination.items:  # an empty page shows nobody's data
        detail = f"inbox, page {pagination.page}" + (f", {status}" if status else "")
        record_personal_data_access(
            "enquiries.enquiry_list", None, detail + (", search" if search else "")
        )
    return render_template(
        "staff/enquiries/list.html",
        pagination=pagination,
        status=status,
        search=search,
        counts=services.status_counts(),
        statuses=STATUS_LABELS,
    )


def _render_detail(enquiry: Enquiry, form: ReplyForm, status: int = 200):
    record_personal_data_access(
        "enquiries.enquiry_detail",
        enquiry.user_id,
        f"enquiry #{enquiry.id}",
        subject_email=enquiry.email or None,
    )
    return (
        render_template(
            "staff/enquiries/detail.html",
            enquiry=enquiry,
            form=form,
            button_form=EmptyForm(),
        ),
        status,
    )


@bp.get("/<int:enquiry_id>")
@may_handle
def enquiry_detail(enquiry_id: int):
    return _render_detail(_enquiry_or_404(enquiry_id), ReplyForm())


@bp.post("/<int:enquiry_id>/reply")
@body_limit(text_characters=REPLY_MAX)
@may_handle
def enquiry_reply(enquiry_id: int):
    """Email the reply to the enquirer; the page comes back with the reply kept on error."""
    enquiry = _enquiry_or_404(enquiry_id)
    form = ReplyForm()
    if enquiry.anonymized_at is not None:
        flash(_("The sender's details were deleted, so this enquiry cannot be answered."), "error")
        return redirect(url_for(".enquiry_detail", enquiry_id=enquiry.id))
    if form.validate_on_submit():
        services.reply(enquiry, form.body.data.strip(), current_user._get_current_object())
        flash(_("Your reply was emailed to the sender."), "success")
        return redirect(url_for(".enquiry_detail", enquiry_id=enquiry.id))
    return _render_detail(enquiry, form, 422)


@bp.post("/<int:enquiry_id>/close")
@may_handle
def enquiry_close(enquiry_id: int):
    enquiry = _enquiry_or_404(enquiry_id)
    if EmptyForm().validate_on_submit() and enquiry.status != EnquiryStatus.CLOSED:
        services.close(enquiry)
        flash(_("Enquiry %(ref)s is closed.", ref=enquiry.reference), "success")
    return redirect(url_for(".enquiry_detail", enquiry_id=enquiry.id))


@bp.post("/<int:enquiry_id>/reopen")
@may_handle
def enquiry_reopen(enquiry_id: int):
    enquiry = _enquiry_or_404(enquiry_id)
    if EmptyForm().validate_on_submit() and enquiry.status == EnquiryStatus.CLOSED:
        services.reopen(enquiry)
        flash(_("Enquiry %(ref)s is open again.", ref=enquiry.reference), "success")
    return redirect(url_for(".enquiry_detail", enquiry_id=enquiry.id))
