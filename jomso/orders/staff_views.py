"""Staff order pages under /staff/orders (the ``staff_orders`` blueprint): an order, its packing
slip, and one POST per action along the pipeline (jomso/orders/status.py). The list, its
export and bulk actions are in ``orders.list_views``.

Seeing orders needs ``VIEW_ORDERS``, changing them ``PROCESS_ORDERS`` (the orders and owner
roles). Every page that shows a customer's contact or address writes one access-log entry.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from jomso import payments
from jomso.accounts.forms import EmptyForm
from jomso.audit import record_personal_data_access
from jomso.extensions import db
from jomso.orders import (
    cli,  # noqa: F401  (the reconcile-payments command, on bp)
    fulfilment,
    list_views,  # noqa: F401  (the list, its export and bulk actions, on bp)
    queries,
    reconciling,
    tool_views,  # noqa: F401  (notes and sending an email again, on bp)
)
from jomso.orders.blueprint import bp
from jomso.orders.forms import RefundForm, ShipForm
from jomso.orders.models import Order
from jomso.orders.status import (
    ACTION_LABELS,
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


def _refund_form(order: Order) -> RefundForm:
    """An empty refund form that remembers how many refunds the page shows."""
    return RefundForm(formdata=None, data={"shown_refunds": str(len(order.refunds))})


def _detail_page(order: Order, *, ship_form=None, refund_form=None, status: int = 200):
    demo = payments.is_demo_mode()
    record_personal_data_access("staff_orders.order_detail", order.user_id, f"order {order.number}")
    return (
        render_template(
            "staff/orders/detail.html",
            order=order,
            actions=available_actions(order, demo=demo),
            Action=Action,
            action_labels=ACTION_LABELS,
            ship_form=ship_form or ShipForm(formdata=None),
            refund_form=refund_form or _refund_form(order),
            button_form=EmptyForm(),
            demo=demo,
            can_process=current_user.can(Permission.PROCESS_ORDERS),
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
        "staff_orders.order_packing_slip", order.user_id, f"packing slip {order.number}"
    )
    return render_template("staff/orders/packing_slip.html", order=order)


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
    order = _order_or_404(number)
    form = ShipForm()
    if not form.validate():
        return _detail_page(order, ship_form=form, status=422)
    return _after(
        order,
        lambda: fulfilment.ship(order, form.carrier.data, form.tracking_number.data, current_user),
    )


@bp.post("/<number>/deliver")
@permission_required(Permission.PROCESS_ORDERS)
def order_deliver(number: str):
    order = _order_or_404(number)
    return _after(order, lambda: fulfilment.mark_delivered(order, current_user))


@bp.post("/<number>/cancel")
@permission_required(Permission.PROCESS_ORDERS)
def order_cancel(number: str):
    order = _order_or_404(number)
    return _after(order, lambda: fulfilment.cancel(order, current_user))


@bp.post("/<number>/refund")
@permission_required(Permission.PROCESS_ORDERS)
def order_refund(number: str):
    """Refund what is left (empty amount) or the amount typed, e.g. ``12.50``."""
    order = _order_or_404(number)
    form = RefundForm()
    if not form.validate():
        return _detail_page(order, refund_form=form, status=422)
    try:
        amount = None  # all that is left
        if form.amount.data:
            amount = fulfilment.parse_amount(form.amount.data, order.currency)
        return _after(order, lambda: fulfilment.refund(order, amount, current_user, form.shown()))
    except fulfilment.RefundRefused as refusal:
        form.amount.errors = [*form.amount.errors, str(refusal)]
        return _detail_page(order, refund_form=form, status=422)


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
