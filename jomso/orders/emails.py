"""The emails an order sends: confirmation, shipment, refund, cancellation, failed payment.

Each carries the signed link to the order page (see ``orders.access``), so a guest can follow
the order without an account. Links are built on the shop's own address
(``jomso.urls.shop_url_for``), whether the mail is sent from a page or a command. Each is
queued in the caller's transaction (the one that moves the order), which commits it.
Greeting by name and the delivery address appear only when the order's address is the
confirmed address of the account that placed it (see ``jomso.mail``): a guest could have
typed anyone's address.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.i18n import format_money, mail_language
from jomso.mail import send_mail
from jomso.orders import access
from jomso.orders.models import Order, Shipment
from jomso.urls import shop_url_for


def order_link(order: Order) -> str:
    """The order page with its signed token, as a full URL."""
    return shop_url_for("checkout.order_page", number=order.number, token=access.make_token(order))


def _send(order: Order, subject: LazyString, template: str, **context) -> bool:
    # In the language the order was placed in, whoever's page or command sends it.
    with mail_language(order.language):
        return send_mail(
            order.email,
            str(subject),
            template,
            order=order,
            link=order_link(order),
            user=db.session.get(User, order.user_id) if order.user_id else None,
            # lazy strings made in the mail's language; other values as they are
            **{k: str(v) if isinstance(v, LazyString) else v for k, v in context.items()},
        )


def send_confirmation(order: Order) -> bool:
    return _send(
        order, _l("Your order %(number)s is confirmed", number=order.number), "order_confirmation"
    )


def send_shipped(order: Order, shipment: Shipment | None = None) -> bool:
    """The email of one parcel (the latest when none is given): what is in it, its tracking,
    what its capture took, and what follows in later parcels."""
    shipment = shipment or (order.shipments[-1] if order.shipments else None)
    if len(order.shipments) > 1 or order.units_left():
        subject = _l("A parcel of your order %(number)s is on its way", number=order.number)
    else:
        subject = _l("Your order %(number)s is on its way", number=order.number)
    if shipment is None:  # shipped before parcels were recorded: the whole order
        parcel = [(line, line.quantity) for line in order.lines]
        carrier, tracking, url = order.carrier, order.tracking_number, order.tracking_url
        amount = order.total_cents
    else:
        parcel = [(part.line, part.quantity) for part in shipment.lines]
        carrier, tracking = shipment.carrier, shipment.tracking_number
        url, amount = shipment.tracking_url, shipment.amount_cents
    left = order.units_left()
    return _send(
        order,
        subject,
        "order_shipped",
        parcel=parcel,
        carrier=carrier,
        tracking=tracking,
        tracking_url=url,
        amount=amount,
        following=[(line, left[line.id]) for line in order.lines if line.id in left],
    )


def send_refunded(order: Order, amount_cents: int) -> bool:
    return _send(
        order,
        _l("A refund for your order %(number)s", number=order.number),
        "order_refunded",
        amount=_Money(amount_cents, order.currency),
    )


def send_cancelled(order: Order) -> bool:
    return _send(
        order, _l("Your order %(number)s is cancelled", number=order.number), "order_cancelled"
    )


def send_payment_failed(order: Order) -> bool:
    """After reconciliation found no payment: the order was not placed, nothing charged."""
    return _send(
        order,
        _l("Your order %(number)s could not be placed", number=order.number),
        "order_payment_failed",
        shop_url=shop_url_for("catalog.home"),
    )


class _Money:
    """An amount written when the mail is, in the mail's language."""

    def __init__(self, cents: int, currency: str) -> None:
        self.cents, self.currency = cents, currency

    def __str__(self) -> str:
        return format_money(self.cents, self.currency)
