"""The "new order" email to staff: each staff member who switched it on for themselves
(``User.notify_new_orders``, their own choice on /staff/notifications) and who may see orders
(``VIEW_ORDERS``; the choice stays stored but sleeps while they hold no such role) gets one
email per order that is placed and paid: when the card is authorized at checkout, or when
reconciliation finds the payment. A failed or unknown payment sends none.

The email is queued in the order's own transaction (``jomso.mail.send_mail``), so it leaves
only once the order is committed. It is written in the shop's language (the staff member's
page language is not stored; the customer's is theirs). It carries the order number, the total,
the number of items and the link to the staff order page, and of the customer no more than
the recipient's roles show on that page: the shipping name and the destination town and
country for ``VIEW_ORDERS``, the customer's email too for ``VIEW_CUSTOMERS``. The full address
and the phone stay on the page, where each look is written to the access log.

The shop keeps no copy (``keep=False``): the queue's row goes once the SMTP server took the
message (or gave up), and without an SMTP server it is not written to the outbox. The mail
queue would otherwise hold the customer's name under a staff member's address for
``MAIL_KEEP_DAYS``, where the customer's own erasure does not look.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from jomso.accounts.models import User
from jomso.addresses import country_name
from jomso.extensions import db
from jomso.i18n import mail_language
from jomso.mail import send_mail
from jomso.orders.models import Order
from jomso.permissions import Permission
from jomso.urls import shop_url_for

log = logging.getLogger(__name__)

TEMPLATE = "order_new_staff"


@dataclass(frozen=True)
class OrderNotice:
    """What one recipient's email shows of the customer; empty where their roles show less."""

    ship_to_name: str = ""
    ship_to_place: str = ""  # "Portland, United States"
    customer_email: str = ""


_ASKED = (
    select(User).where(User.notify_new_orders.is_(True), User.active.is_(True)).order_by(User.id)
)  # built once: every order placed reads it


def recipients() -> list[User]:
    """The active staff who asked for the email and may see orders, by id."""
    asked = db.session.scalars(_ASKED).all()
    return [user for user in asked if user.can(Permission.VIEW_ORDERS)]


def notice_for(order: Order, recipient: User) -> OrderNotice:
    """The customer's details ``recipient``'s roles show on the staff order page, and only
    those (``jomso.orders.visibility``)."""
    if not recipient.can(Permission.VIEW_ORDERS):
        return OrderNotice()
    place = ", ".join(
        part for part in (order.shipping_city, country_name(order.shipping_country)) if part
    )
    return OrderNotice(
        ship_to_name=order.shipping_name,
        ship_to_place=place,
        customer_email=order.email if recipient.can(Permission.VIEW_CUSTOMERS) else "",
    )


def send_new_order_notices(order: Order) -> int:
    """Queue the email for each recipient in the caller's transaction (which commits it with
    the order); returns how many were queued."""
    sent = 0
    link = shop_url_for("staff_orders.order_detail", number=order.number)
    for user in recipients():
        with mail_language():  # the shop's language, not the order's
            send_mail(
                user.email,
                _("New order %(number)s", number=order.number),
                TEMPLATE,
                order=order,
                notice=notice_for(order, user),
                link=link,
                user=user,
                keep=False,
            )
        sent += 1
    if sent:
        log.info("order %s: new-order email queued for %d staff", order.number, sent)
    return sent
