"""The owner's view of the access log: filters, pages and a CSV download. Read-only: no
route here or anywhere changes or removes an entry."""

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _

from jomso.audit import record_personal_data_access, record_personal_data_export
from jomso.audit.services import (
    AuditFilter,
    customer_emails,
    entries_csv,
    filtered_entries,
    logged_actors,
)
from jomso.database import utcnow
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required
from jomso.staff.blueprint import bp
from jomso.staff.forms import AuditFilterForm

PER_PAGE = 50


def _filter_from_request() -> tuple[AuditFilterForm, AuditFilter]:
    """The filter form as submitted and what it means; invalid fields filter nothing."""
    form = AuditFilterForm(formdata=request.args)
    form.staff.choices = [("", _("Everyone"))] + [
        (str(actor_id), label) for actor_id, label in logged_actors()
    ]
    form.validate()
    staff = form.staff.data or ""
    flt = AuditFilter(
        actor_id=int(staff) if staff.isdigit() else None,
        customer=(form.customer.data or "").strip(),
        kind=(form.kind.data or None) if not form.kind.errors else None,
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
    )
    flt.resolve()
    return form, flt


@bp.get("/audit")
@permission_required(Permission.ADMINISTER)
def audit_log():
    """The log, filtered, a page at a time. A page that lists entries shows customers' emails
    (and, for refused pages, a customer's own address and IP), so reading it is itself
    logged; an empty page shows nobody's data and is not."""
    form, flt = _filter_from_request()
    pagination = paginate(filtered_entries(flt), PER_PAGE)
    page = render_template(
        "staff/audit.html",
        form=form,
        flt=flt,
        pagination=pagination,
        emails=customer_emails(pagination.items),
    )
    # Written once the page is made (the commit would expire the entries it shows) and before
    # it goes out: a page whose reading could not be logged is not shown.
    if pagination.items:
        record_personal_data_access(
            "staff.audit_log",
            _one_customer(flt),
            f"access log, page {pagination.page}" + _describe(flt),
            subject_email=flt.customer_email,
        )
    return page


@bp.get("/audit.csv")
@permission_required(Permission.ADMINISTER)
def audit_csv():
    """The filtered log as a CSV file. The download is itself logged (it holds customers'
    emails), before the file is made, so it lists itself."""
    _form, flt = _filter_from_request()
    record_personal_data_export(
        "staff.audit_csv",
        _one_customer(flt),
        "access log CSV" + _describe(flt),
        subject_email=flt.customer_email,
    )
    filename = f"access-log-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(
        stream_with_context(entries_csv(flt)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _one_customer(flt: AuditFilter) -> int | None:
    """The customer whose entries are read, when the filter names one that exists."""
    return flt.customer_id if flt.customer_id and flt.customer_id > 0 else None


def _describe(flt: AuditFilter) -> str:
    """The filters, for the log entry; a customer appears as an id, never as an email."""
    parts = []
    if flt.actor_id is not None:
        parts.append(f"staff #{flt.actor_id}")
    if flt.customer_id is not None:
        parts.append(f"customer #{flt.customer_id}" if flt.customer_id > 0 else "no account")
    if flt.customer_email:
        parts.append("by address")
    if flt.kind:
        parts.append(f"kind {flt.kind}")
    if flt.date_from:
        parts.append(f"from {flt.date_from.isoformat()}")
    if flt.date_to:
        parts.append(f"to {flt.date_to.isoformat()}")
    return (", " + ", ".join(parts)) if parts else ""
