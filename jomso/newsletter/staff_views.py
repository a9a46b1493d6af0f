"""Staff pages for new-product announcements (catalog and owner roles): compose, preview,
send, and the record of what was sent (counts, never the recipients)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from jomso.accounts.forms import EmptyForm
from jomso.extensions import db
from jomso.form_checks import report
from jomso.newsletter import composing, sending
from jomso.newsletter.forms import AnnouncementForm, RetryInterruptedForm
from jomso.newsletter.models import Announcement, AnnouncementStatus
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required
from jomso.security import extend_csp

bp = Blueprint("announcements", __name__, url_prefix="/staff/announcements", cli_group=None)


PER_PAGE = 25
may_compose = permission_required(Permission.COMPOSE_ANNOUNCEMENTS)


def _announcement_or_404(announcement_id: int) -> Announcement:
    return db.session.get(Announcement, announcement_id) or abort(404)


@bp.get("")
@may_compose
def announcement_list():
    pagination = paginate(
        select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc()),
        PER_PAGE,
    )
    return render_template(
        "staff/announcements/list.html",
        pagination=pagination,
        counts=sending.delivery_counts([a.id for a in pagination.items]),
        subscribers=composing.confirmed_subscriber_count(),
        new_products=len(composing.candidate_products()),
        since=composing.candidates_since(),
        last=composing.last_announcement(),
    )


def _compose(announcement: Announcement | None):
    """The compose form, new or editing a draft. Products added since the last announcement
    are offered, all ticked at first."""
    candidates = composing.candidate_products()
    form = AnnouncementForm()
    form.products.choices = [(p.id, p.name) for p in candidates]
    if request.method == "GET":
        if announcement is not None:
            form.subject.data = announcement.subject
            form.intro.data = announcement.intro
            form.products.data = [item.product_id for item in announcement.products]
        else:
            form.subject.data = _("New at %(shop)s", shop=current_app.config["SHOP_NAME"])
            form.products.data = [p.id for p in candidates]
    valid = False
    if form.is_submitted():  # every problem at once: the fields and the products chosen
        valid = form.validate()
        problems = composing.draft_problems(form.products.data or [])
        valid = report(form, [("products", problem) for problem in problems]) and valid
    if valid:
        try:
            announcement = composing.save_draft(
                announcement,
                subject=form.subject.data,
                intro=form.intro.data or "",
                product_ids=form.products.data or [],
                author=current_user._get_current_object(),
            )
        except composing.AnnouncementRefused as error:  # the products changed meanwhile
            report(form, [("products", str(error))])
        else:
            return redirect(url_for(".announcement_detail", announcement_id=announcement.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "staff/announcements/compose.html",
            form=form,
            announcement=announcement,
            candidates=candidates,
            since=composing.candidates_since(),
            last=composing.last_announcement(),
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@may_compose
def announcement_new():
    return _compose(None)


@bp.route("/<int:announcement_id>/edit", methods=["GET", "POST"])
@may_compose
def announcement_edit(announcement_id: int):
    announcement = _announcement_or_404(announcement_id)
    if announcement.status != AnnouncementStatus.DRAFT:
        flash(_("This announcement was already sent and can no longer change."), "error")
        return redirect(url_for(".announcement_detail", announcement_id=announcement.id))
    return _compose(announcement)


@bp.get("/<int:announcement_id>")
@may_compose
def announcement_detail(announcement_id: int):
    """A draft with its preview and the send button, or a sent announcement with its counts."""
    announcement = _announcement_or_404(announcement_id)
    extend_csp(frame_src=["'self'"])  # the preview is an iframe of this shop's own page
    message = composing.preview_message(announcement)
    return render_template(
        "staff/announcements/detail.html",
        announcement=announcement,
        counts=sending.delivery_counts([announcement.id])[announcement.id],
        subscribers=composing.confirmed_subscriber_count(),
        text_preview=message.get_body(preferencelist=("plain",)).get_content(),
        headers={name: message[name] for name in ("From", "Subject", "List-Unsubscribe")},
        button_form=EmptyForm(),
        retry_form=RetryInterruptedForm(),
        send_now_max=int(current_app.config["NEWSLETTER_SEND_NOW_MAX"]),
    )


@bp.get("/<int:announcement_id>/preview")
@may_compose
def announcement_preview(announcement_id: int):
    """The HTML email as subscribers will see it, shown in the detail page's frame. Email
    HTML carries inline styles, so this one response gets a policy admitting them, and
    nothing else (no scripts, no other sites)."""
    announcement = _announcement_or_404(announcement_id)
    message = composing.preview_message(announcement)
    html = message.get_body(preferencelist=("html",)).get_content()
    response = make_response(html)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/<int:announcement_id>/send")
@may_compose
def announcement_send(announcement_id: int):
    """Queue the announcement to every confirmed subscriber; a small list is sent at once,
    a larger one by ``send-announcements`` (cron) or the "send now" button."""
    announcement = _announcement_or_404(announcement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        count = sending.queue_announcement(announcement)
    except composing.AnnouncementRefused as error:
        flash(str(error), "error")
        return redirect(url_for(".announcement_detail", announcement_id=announcement.id))
    if count <= int(current_app.config["NEWSLETTER_SEND_NOW_MAX"]):
        report = sending.send_pending(announcement_id=announcement.id)
        _flash_report(report)
    else:
        flash(
            ngettext(
                "Queued for %(num)d subscriber. The send-announcements command sends it in "
                "batches; you can also send a batch now.",
                "Queued for %(num)d subscribers. The send-announcements command sends them in "
                "batches; you can also send a batch now.",
                count,
            ),
            "success",
        )
    return redirect(url_for(".announcement_detail", announcement_id=announcement.id))


@bp.post("/<int:announcement_id>/send-now")
@may_compose
def announcement_send_now(announcement_id: int):
    """Send up to NEWSLETTER_SEND_NOW_MAX of this announcement's waiting messages now."""
    announcement = _announcement_or_404(announcement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if announcement.status != AnnouncementStatus.SENDING:
        flash(_("Nothing is waiting to be sent for this announcement."), "info")
    else:
        limit = int(current_app.config["NEWSLETTER_SEND_NOW_MAX"])
        _flash_report(
            sending.send_pending(batch_size=limit, max_batches=1, announcement_id=announcement.id)
        )
    return redirect(url_for(".announcement_detail", announcement_id=announcement.id))


@bp.post("/<int:announcement_id>/retry-interrupted")
@may_compose
def announcement_retry_interrupted(announcement_id: int):
    """Send the interrupted deliveries again, once the staff member ticked that they accept
    possible duplicates."""
    announcement = _announcement_or_404(announcement_id)
    form = RetryInterruptedForm()
    if not form.validate_on_submit():
        for message in form.accept_duplicates.errors or [_("Please try again.")]:
            flash(str(message), "error")
        return redirect(url_for(".announcement_detail", announcement_id=announcement.id))
    count = sending.retry_interrupted(announcement)
    if not count:
        flash(_("No interrupted emails are left for this announcement."), "info")
    else:
        flash(
            ngettext(
                "%(num)d interrupted email will be sent again.",
                "%(num)d interrupted emails will be sent again.",
                count,
            ),
            "success",
        )
        limit = int(current_app.config["NEWSLETTER_SEND_NOW_MAX"])
        if count <= limit:
            _flash_report(sending.send_pending(announcement_id=announcement.id))
    return redirect(url_for(".announcement_detail", announcement_id=announcement.id))


@bp.post("/<int:announcement_id>/cancel")
@may_compose
def announcement_cancel(announcement_id: int):
    """Send nothing more of this announcement (waiting and interrupted emails)."""
    announcement = _announcement_or_404(announcement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = sending.cancel_remaining(announcement)
    flash(
        ngettext("%(num)d email will not be sent.", "%(num)d emails will not be sent.", count),
        "success" if count else "info",
    )
    return redirect(url_for(".announcement_detail", announcement_id=announcement.id))


@bp.post("/<int:announcement_id>/delete")
@may_compose
def announcement_delete(announcement_id: int):
    announcement = _announcement_or_404(announcement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        composing.delete_draft(announcement)
    except composing.AnnouncementRefused as error:
        flash(str(error), "error")
        return redirect(url_for(".announcement_detail", announcement_id=announcement.id))
    flash(_("The draft is deleted."), "success")
    return redirect(url_for(".announcement_list"))


def _flash_report(report: sending.SendReport) -> None:
    flash(ngettext("Sent %(num)d email.", "Sent %(num)d emails.", report.sent), "success")
    if report.failed:
        flash(
            ngettext(
                "%(num)d email could not be made; the log has the reason.",
                "%(num)d emails could not be made; the log has the reason.",
                report.failed,
            ),
            "warning",
        )
    if report.remaining:
        flash(
            ngettext(
                "%(num)d email is still waiting.",
                "%(num)d emails are still waiting.",
                report.remaining,
            ),
            "info",
        )
