"""Staff order pages under /staff/orders (the ``staff_orders`` blueprint): an order, its packing
slip, one POST per action along the pipeline (jomso/orders/status.py), and a confirmation
page before the two that move money back: cancel and refund. The list, its export and bulk
actions are in ``orders.list_views``.

Seeing orders needs ``VIEW_ORDERS``, changing them ``PROCESS_ORDERS`` (the orders and owner
roles). What ``VIEW_ORDERS`` shows of the customer is what the roles table promises and shipping
needs: the shipping name, address and phone. The order's email, billing address and account
belong to the customer's record and show only to those who may see it (``VIEW_CUSTOMERS``).
Every page that shows a customer's details writes one access-log entry.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from jomso import payments
from jomso.accounts.forms import EmptyForm
from jomso.audit import record_personal_data_access
from jomso.extensions import db
from jomso.form_checks import report
from jomso.orders import (
    cli,  # noqa: F401  (the reconcile-payments command, on bp)
    fulfilment,
    list_views,  # noqa: F401  (the list, its export and bulk actions, on bp)
    queries,
    reconciling,
    shipping,
    tool_views,  # noqa: F401  (notes and sending an email again, on bp)
)
from jomso.orders.blueprint import bp
from jomso.orders.forms import CancelForm, refund_form, ship_defaults, ship_form, ship_texts
from jomso.orders.models import Order, Shipment
from jomso.orders.status import (
    ACTION_LABELS,
    SETTLED,
    SHIPPED_STATUSES,
    STATUS_LABELS,
    Action,
    IllegalTransition,
    OrderStatus,
    available_actions,
    event_label,
    label,
    payment_label,
    reconcile_after,
    refund_label,
)
from jomso.orders.visibility import sees_customer_record
from jomso.permissions import Permission, permission_required
from jomso.staff.customers import CustomerSection, register_customer_section


@bp.context_processor
def _order_labels():
    return {
        "label": label,
        "payment_label": payment_label,
        "refund_label": refund_label,
        "event_label": event_label,
    }


def _customer_orders(customer) -> dict:
    return {
        "orders": db.session.scalars(
            select(Order).where(Order.user_id == customer.id).order_by(Order.created_at.desc())
        ).all()
    }


register_customer_section(
    CustomerSection("orders", _l("Orders"), "staff/orders/_customer_orders.html", _customer_orders)
)


def _order_or_404(number: str) -> Order:
    return queries.find_order(number) or abort(404)


def _subject_email(order: Order) -> str | None:
    """The address the order's page is about, for the access log (none once anonymised)."""
    return order.email if order.anonymized_at is None else None


make_ship_form = ship_form


def _detail_page(order: Order, *, ship_form=None, status: int = 200):
    demo = payments.is_demo_mode()
    record_personal_data_access(
        "staff_orders.order_detail",
        order.user_id,
        f"order {order.number}",
        subject_email=_subject_email(order),
    )
    return (
        render_template(
            "staff/orders/detail.html",
            order=order,
            actions=available_actions(order, demo=demo),
            Action=Action,
            action_labels=ACTION_LABELS,
            ship_form=ship_form or make_ship_form(order, formdata=None, data=ship_defaults(order)),
            lines_left=shipping.lines_left(order),
            parcel_amount=shipping.parcel_amount,
            button_form=EmptyForm(),
            demo=demo,
            can_process=current_user.can(Permission.PROCESS_ORDERS),
            record_view=sees_customer_record(),
            form=ship_form,  # a ship form sent back: the error summary at the top
        ),
        status,
    )


@bp.get("/<number>")
@permission_required(Permission.VIEW_ORDERS)
def order_detail(number: str):
    return _detail_page(_order_or_404(number))


@bp.get("/<number>/packing-slip")
@permission_required(Permission.VIEW_ORDERS)
def order_packing_slip(number: str):
    order = _order_or_404(number)
    record_personal_data_access(
        "staff_orders.order_packing_slip",
        order.user_id,
        f"packing slip {order.number}",
        subject_email=_subject_email(order),
    )
    return render_template("staff/orders/packing_slip.html", order=order, parts=None, shipment=None)


@bp.get("/<number>/shipments/<int:shipment_id>/packing-slip")
@permission_required(Permission.VIEW_ORDERS)
def shipment_packing_slip(number: str, shipment_id: int):
    """The packing slip of one parcel: the units in it."""
    order = _order_or_404(number)
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None or shipment.order_id != order.id:
        abort(404)
    record_personal_data_access(
        "staff_orders.shipment_packing_slip",
        order.user_id,
        f"packing slip {order.number} parcel {shipment.number}",
        subject_email=_subject_email(order),
    )
    return render_template(
        "staff/orders/packing_slip.html",
        order=order,
        parts=shipping.parcel_lines(shipment),
        shipment=shipment,
    )


def _after(order: Order, run) -> object:
    """Run a staff action and go back to the order with its message."""
    try:
        result = run()
    except IllegalTransition as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    except payments.GatewayUnavailable:
        db.session.rollback()
        flash(
            _("Braintree could not be reached, so nothing changed. Please try again shortly."),
            "error",
        )
    else:
        flash(result.message, "success" if result.ok else "error")
    return redirect(url_for(".order_detail", number=order.number), 303)


@bp.post("/<number>/process")
@permission_required(Permission.PROCESS_ORDERS)
def order_process(number: str):
    order = _order_or_404(number)
    return _after(order, lambda: fulfilment.mark_processing(order, current_user))


@bp.post("/<number>/ship")
@permission_required(Permission.PROCESS_ORDERS)
def order_ship(number: str):
    """Ship a parcel: the quantities of the form (every problem beside its field, with what
    was typed; nothing shipped until the form is right), captured as ``orders.shipping``
    says."""
    order = _order_or_404(number)
    form = make_ship_form(order)
    valid = form.validate()
    parcel = shipping.check_units(order, ship_texts(form, request.form))
    valid = report(form, parcel.problems) and valid
    if not valid:
        return _detail_page(order, ship_form=form, status=422)
    return _after(
        order,
        lambda: shipping.ship(
            order,
            form.carrier.data,
            form.tracking_number.data,
            current_user,
            units=parcel.units,
        ),
    )


@bp.post("/<number>/deliver")
@permission_required(Permission.PROCESS_ORDERS)
def order_deliver(number: str):
    order = _order_or_404(number)
    return _after(order, lambda: fulfilment.mark_delivered(order, current_user))


# -- Cancel and refund: a confirmation page first ---------------------------------------------
#
# Both act on the customer's money, so each has a page of its own (GET) that says what will
# happen, and the POST acts only on that page's form: a post without it (an old order page,
# a replayed request) shows the page instead of acting. Neither page shows the customer's
# contact or address, so neither is written to the access log.


def _offered(order: Order, action: Action):
    """None when ``order`` offers ``action`` now; else a redirect to the order saying why."""
    if action in available_actions(order, demo=payments.is_demo_mode()):
        return None
    sale = order.sale
    if action is Action.CANCEL and sale is not None and sale.status in SETTLED:
        message = _("This payment has settled and can no longer be voided: refund it instead.")
    elif action is Action.CANCEL:
        message = _(
            "This order cannot be cancelled now: it is “%(status)s”.", status=order.status_label
        )
    else:
        message = _(
            "This order cannot be refunded now: it is “%(status)s”.", status=order.status_label
        )
    flash(message, "error")
    return redirect(url_for(".order_detail", number=order.number), 303)


def _cancel_page(order: Order, form: CancelForm, status: int = 200, changed: bool = False):
    return (
        render_template(
            "staff/orders/cancel.html",
            order=order,
            form=form,
            changed=changed,
            restock=order.status not in SHIPPED_STATUSES,
        ),
        status,
    )


@bp.get("/<number>/cancel")
@permission_required(Permission.PROCESS_ORDERS)
def order_cancel_confirm(number: str):
    """What cancelling does to this order, and the button that does it."""
    order = _order_or_404(number)
    refused = _offered(order, Action.CANCEL)
    if refused is not None:
        return refused
    return _cancel_page(order, CancelForm(formdata=None, data={"shown_status": order.status}))


@bp.post("/<number>/cancel")
@permission_required(Permission.PROCESS_ORDERS)
def order_cancel(number: str):
    """Cancel, from the confirmation page only (see above)."""
    order = _order_or_404(number)
    form = CancelForm()
    if not form.shown_status.data:  # not sent from the confirmation page: ask first
        return redirect(url_for(".order_cancel_confirm", number=order.number), 303)
    refused = _offered(order, Action.CANCEL)
    if refused is not None:
        return refused
    if form.shown_status.data != order.status:  # the order moved on while the page was open
        form.shown_status.data = order.status
        return _cancel_page(order, form, status=409, changed=True)
    if not form.validate():
        return _cancel_page(order, form, status=422)
    return _after(order, lambda: fulfilment.cancel(order, current_user, form.reason.data or ""))


def _refund_page(order: Order, form, status: int = 200):
    return render_template("staff/orders/refund.html", order=order, form=form), status


@bp.get("/<number>/refund")
@permission_required(Permission.PROCESS_ORDERS)
def order_refund_confirm(number: str):
    """The refund page: amount (at most what is left), reason, returned units back in stock,
    and what the refund does."""
    order = _order_or_404(number)
    refused = _offered(order, Action.REFUND)
    if refused is not None:
        return refused
    form = refund_form(
        order,
        formdata=None,
        data={
            "amount": fulfilment.amount_text(order.refundable_cents, order.currency),
            "shown_refunds": str(len(order.refunds)),
        },
    )
    return _refund_page(order, form)


@bp.post("/<number>/refund")
@permission_required(Permission.PROCESS_ORDERS)
def order_refund(number: str):
    """Refund from the refund page's form: every problem comes back at once, beside its field,
    with what was typed; nothing is refunded until the form is right."""
    order = _order_or_404(number)
    refused = _offered(order, Action.REFUND)
    if refused is not None:
        return refused
    form = refund_form(order)
    if request.form.get("paid_for_items"):  # "what was paid for these items": nothing refunded
        return _refund_for_items(order, form)
    valid = form.validate()
    request_ = fulfilment.check_refund(order, form.amount.data or "", form.restock_texts())
    valid = report(form, request_.problems) and valid
    if not valid:
        return _refund_page(order, form, status=422)
    try:
        return _after(
            order,
            lambda: fulfilment.refund(
                order,
                request_.amount_cents,
                current_user,
                form.shown(),
                reason=form.reason.data or "",
                restock=request_.restock,
            ),
        )
    except fulfilment.RefundRefused as refusal:  # the order changed between check and refund
        report(form, [("amount", str(refusal))])
        return _refund_page(order, form, status=422)


def _refund_for_items(order: Order, form):
    """The refund page again with the amount set to what the customer paid for the units typed
    as back in stock (their lines' totals less their discount shares), nothing refunded."""
    request_ = fulfilment.check_refund(order, "", form.restock_texts())
    if request_.problems:
        report(form, request_.problems)
        return _refund_page(order, form, status=422)
    cents = fulfilment.paid_for_units(order, request_.restock)
    form.amount.raw_data = None
    form.amount.data = fulfilment.amount_text(cents, order.currency)
    return _refund_page(order, form)


@bp.post("/<number>/reconcile")
@permission_required(Permission.PROCESS_ORDERS)
def order_reconcile(number: str):
    order = _order_or_404(number)

    def run():
        status = reconciling.reconcile(order, current_user)
        if status == OrderStatus.PAYMENT_UNKNOWN:
            return fulfilment.ActionResult(
                False,
                _(
                    "Braintree holds no payment for this order yet. It may still be finishing "
                    "the payment, so the order stays as it is until its payment attempt is "
                    "%(minutes)d minutes old; check again then.",
                    minutes=max(1, round(reconcile_after().total_seconds() / 60)),
                ),
            )
        return fulfilment.ActionResult(
            True,
            _(
                "Braintree's record is read: the order is now “%(status)s”.",
                status=STATUS_LABELS[status],
            ),
        )

    return _after(order, run)


@bp.post("/<number>/settle")
@permission_required(Permission.PROCESS_ORDERS)
def order_settle(number: str):
    order = _order_or_404(number)
    return _after(order, lambda: fulfilment.settle_demo(order))
