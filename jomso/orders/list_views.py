"""The staff order list (/staff/orders): search, filters and sorting, its CSV export, and the
bulk actions on the ticked orders: start preparing, print the packing slips (one document),
download them as CSV.

Every page or file that shows customers' names, emails or addresses writes the access log:
a list page one entry; the packing slips one entry per order (with its customer); a CSV one
export entry. Ticked orders travel as their numbers; numbers that name no order (a page out
of date, or tampered with) are never acted on and are named in the answer.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from jomso.accounts.forms import EmptyForm
from jomso.audit import (
    AuditKind,
    record_event,
    record_personal_data_access,
    record_personal_data_export,
)
from jomso.csv_export import csv_response
from jomso.database import utcnow
from jomso.extensions import db
from jomso.orders import bulk
from jomso.orders import order_export as export
from jomso.orders import order_list as listing
from jomso.orders.blueprint import bp
from jomso.orders.forms import TO_DO, OrderSearchForm
from jomso.orders.order_list import OrderFilter
from jomso.orders.status import STATUS_LABELS, TO_DO_STATUSES
from jomso.orders.visibility import sees_customer_record
from jomso.pagination import paginate
from jomso.permissions import Permission, permission_required

PER_PAGE = 50
MAX_BULK = 200  # ticked orders one action takes; a page shows 50
FILTER_KEYS = ("q", "status", "date_from", "date_to", "payment", "delivery", "sort")


def _filter_from(args: MultiDict) -> tuple[OrderSearchForm, OrderFilter, list[str]]:
    """The filter form as sent, what it means (fields with errors filter nothing), and
    notices to show about how it was read."""
    form = OrderSearchForm(formdata=args)
    form.validate()
    customer_fields = sees_customer_record()
    if not customer_fields:
        form.q.label.text = _("Order number, name or SKU")
    notices = []
    if form.swap_reversed_dates():
        notices.append(_("The dates were the wrong way round: they are swapped."))
    search = (form.q.data or "") if not form.q.errors else ""
    chosen = form.status.data if not form.status.errors else TO_DO
    narrowed = search or any(
        args.get(key) for key in ("date_from", "date_to", "payment", "delivery")
    )
    if narrowed and chosen == TO_DO and "status" not in args:
        chosen = ""  # a search looks through every order unless told otherwise
        form.status.data = ""
    statuses = sorted(TO_DO_STATUSES) if chosen == TO_DO else ([chosen] if chosen else None)
    flt = OrderFilter(
        search=search,
        statuses=statuses,
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        payment=(form.payment.data or "") if not form.payment.errors else "",
        delivery=(form.delivery.data or "") if not form.delivery.errors else "",
        sort=form.sort.data if not form.sort.errors else listing.Sort.NEWEST,
        customer_fields=customer_fields,
    )
    return form, flt, notices


def _list_query(args: MultiDict) -> str:
    """The list's filters as a query string (only the known keys), to get back to it."""
    return urlencode([(k, v) for k in FILTER_KEYS for v in args.getlist(k) if v is not None])


def _counted(flt, counts: dict[str, int], total: int) -> int | None:
    """How many orders the list holds when the status counts say it already (narrowed by
    in-flight statuses at most, as the to-do list is), else None."""
    if flt.search or flt.date_from or flt.date_to or flt.payment or flt.delivery:
        return None
    if flt.statuses is None:
        return total
    if not set(flt.statuses) <= {str(status) for status in listing.IN_FLIGHT}:
        return None
    return sum(counts.get(status, 0) for status in set(flt.statuses))


@bp.get("")
@permission_required(Permission.VIEW_ORDERS)
def order_list():
    form, flt, notices = _filter_from(request.args)
    counts, total = listing.status_counts()
    known = _counted(flt, counts, total)
    pagination = paginate(listing.filtered_orders(flt), PER_PAGE, total=known)
    html = render_template(
        "staff/orders/list.html",
        form=form,
        flt=flt,
        notices=notices,
        pagination=pagination,
        counts=counts,
        total=total,
        in_flight=listing.IN_FLIGHT,
        to_do=TO_DO_STATUSES,
        labels=STATUS_LABELS,
        bulk_form=EmptyForm(),
        list_query=_list_query(request.args),
        max_bulk=MAX_BULK,
        record_view=flt.customer_fields,
    )
    # Logged once the page is made (its commit would otherwise expire the rows it shows, and
    # every one would be read again); a failure to log still sends no one's data.
    if pagination.items:  # the list shows shipping names (and emails to the owner)
        detail = f"order list, page {pagination.page}" + (", search" if flt.search else "")
        record_personal_data_access("staff_orders.order_list", None, detail)
    return html


@bp.get("/export.csv")
@permission_required(Permission.VIEW_ORDERS)
def order_export():
    """Every order the list's filters match (all pages) as CSV, streamed as it is read. The
    download is logged before the file is made."""
    _form, flt, _notices = _filter_from(request.args)
    described = flt.describe()
    record_personal_data_export(
        "staff_orders.order_export", None, "orders CSV" + (f", {described}" if described else "")
    )
    columns = export.csv_columns(current_user)
    rows = export.rows(export.filtered(flt), columns)
    return csv_response(f"orders-{utcnow():%Y%m%d-%H%M}.csv", [c.header for c in columns], rows)


def _ticked() -> tuple[list, list[str]] | None:
    """The ticked orders and the numbers that name none; None (with a message) when nothing
    usable was ticked."""
    numbers = [n for n in request.form.getlist("order") if n.strip()]
    if not numbers:
        flash(_("Tick at least one order first."), "error")
        return None
    if len(numbers) > MAX_BULK:
        flash(_("Tick at most %(num)d orders at a time.", num=MAX_BULK), "error")
        return None
    return listing.orders_by_number(numbers)


def _sent_list_query() -> str:
    """The list's filters the bulk form carried, rebuilt from the known keys only."""
    sent = MultiDict(parse_qsl(request.form.get("list_query", ""), keep_blank_values=True))
    return _list_query(sent)


def _back() -> object:
    """Back to the list as it was filtered."""
    query = _sent_list_query()
    return redirect(url_for(".order_list") + (f"?{query}" if query else ""), 303)


@bp.post("/bulk/process")
@permission_required(Permission.PROCESS_ORDERS)
def order_bulk_process():
    """Start preparing the ticked orders; the answer lists those done and, with the reason,
    those that could not be."""
    ticked = _ticked()
    if ticked is None:
        return _back()
    orders, unknown = ticked
    result = bulk.mark_processing(orders, current_user._get_current_object(), unknown)
    return render_template(
        "staff/orders/bulk_result.html",
        result=result,
        list_query=_sent_list_query(),
    )


@bp.post("/bulk/packing-slips")
@permission_required(Permission.VIEW_ORDERS)
def order_bulk_packing_slips():
    """The packing slips of the ticked orders in one document to print (a page each)."""
    ticked = _ticked()
    if ticked is None:
        return _back()
    orders, unknown = ticked
    for order in orders:
        record_event(
            AuditKind.VIEW_PERSONAL_DATA,
            customer_id=order.user_id,
            detail=f"packing slip {order.number} (printed with {len(orders)})",
            view="staff_orders.order_bulk_packing_slips",
            commit=False,
        )
    db.session.commit()
    return render_template(
        "staff/orders/packing_slips.html",
        orders=orders,
        unknown=unknown,
        list_query=_sent_list_query(),
    )


@bp.post("/bulk/export.csv")
@permission_required(Permission.VIEW_ORDERS)
def order_bulk_export():
    """The ticked orders as CSV. A file cannot carry a message, so numbers that name no order
    refuse the whole download, with the message on the list."""
    ticked = _ticked()
    if ticked is None:
        return _back()
    orders, unknown = ticked
    if unknown:
        flash(
            ngettext(
                "%(num)d ticked order was not found (%(numbers)s), so nothing was exported. "
                "Reload the list and try again.",
                "%(num)d ticked orders were not found (%(numbers)s), so nothing was exported. "
                "Reload the list and try again.",
                len(unknown),
                numbers=", ".join(unknown),
            ),
            "error",
        )
        return _back()
    record_personal_data_export(
        "staff_orders.order_bulk_export", None, f"orders CSV, {len(orders)} ticked"
    )
    columns = export.csv_columns(current_user)
    numbers = [order.number for order in orders]
    rows = export.rows(export.by_numbers(numbers), columns, numbers)
    return csv_response(f"orders-{utcnow():%Y%m%d-%H%M}.csv", [c.header for c in columns], rows)
