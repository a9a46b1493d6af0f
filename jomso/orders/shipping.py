"""Shipping an order, in one parcel or several: the shipment, its capture, its email.

Staff ship some units of some lines now (``units``: order line id → how many) and the rest
later; each parcel is a ``Shipment`` with its ``ShipmentLine`` rows, its carrier and tracking
number, who sent it and when. Rules that hold:

* **One parcel, one capture.** An order shipped whole in one parcel submits the authorization
  for settlement whole, as it always did. An order shipped in several captures each parcel
  with Braintree's partial settlement (``payments.capture_part``): a child transaction per
  parcel, kept as a ``Payment`` of kind ``settlement``, while the rest of the authorization
  stays held. A parcel's amount is its lines' share of their totals, and the first parcel
  carries the shipping; the last parcel takes what is left of the authorization, so the parts
  always add up to the authorized amount.
* **Money first, then the parcel.** A capture that Braintree refuses (a payment method it
  does not capture in parts, an authorization closed meanwhile) leaves the order as it was and
  the staff read why. After an unanswered call, Braintree's record decides.
* **Never more than is left.** ``check_units`` reads the form: whole numbers, each at most the
  units of its line not shipped yet, at least one unit in all, and no line of another order;
  ``ship`` checks the same again before it asks Braintree anything. (Two people shipping the
  same units at the same moment could both capture: Braintree takes no idempotency key for a
  partial settlement, and refuses only parts that add up to more than the authorization.)
* **Status.** Every parcel but the last moves the order to ``partially_shipped`` (a timeline
  entry per parcel); the last moves it to ``shipped``. Each parcel sends its own email: what
  is in it, and what follows.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from jomso import payments
from jomso.accounts.models import User
from jomso.extensions import db
from jomso.orders import emails
from jomso.orders.fulfilment import ActionResult, capture_failed, refresh_sale
from jomso.orders.models import Order, OrderLine, Payment, Shipment, ShipmentLine
from jomso.orders.status import (
    AUTHORIZED,
    PARTLY_SETTLING,
    SHIPPABLE_STATUSES,
    IllegalTransition,
    OrderStatus,
)
from jomso.orders.transitions import lock_order, move, write_lock
from jomso.payments import GatewayUnavailable, Outcome, PaymentResult

log = logging.getLogger(__name__)

S = OrderStatus
FIELD = "ship_"  # the form's quantity fields: ship_<order line id>


@dataclass
class ShipmentRequest:
    """A ship form's quantities read against its order (``check_units``)."""

    units: dict[int, int]  # order line id → units in this parcel (none of 0)
    problems: list[tuple[str | None, str]]  # (form field, message)


def check_units(order: Order, texts: dict[str, str] | None) -> ShipmentRequest:
    """``texts`` are the form's ``ship_<line id>`` values as typed (None: everything left).
    Every problem at once, beside its field; a field naming no line of this order with units
    left is a problem of the form (a tampered or out-of-date form), and ships nothing."""
    left = order.units_left()
    if texts is None:
        return ShipmentRequest(dict(left), [])
    problems: list[tuple[str | None, str]] = []
    units: dict[int, int] = {}
    for name, text in texts.items():
        line_id = _line_id(name)
        if line_id is None or line_id not in left:
            problems.append(
                (
                    None,
                    _(
                        "This form names an item that is not left to ship on this order. "
                        "Nothing was shipped: check the quantities below and send them again."
                    ),
                )
            )
            continue
        text = (text or "").strip() or "0"
        if not re.fullmatch(r"-?\d{1,6}", text):
            problems.append((name, _("Enter a whole number of items, like 1.")))
        elif int(text) < 0:
            problems.append((name, _("Enter 0 or more.")))
        elif int(text) > left[line_id]:
            problems.append(
                (
                    name,
                    ngettext(
                        "Only %(num)d is left to ship.",
                        "At most %(num)d are left to ship.",
                        left[line_id],
                    ),
                )
            )
        elif int(text):
            units[line_id] = int(text)
    if not problems and not units:
        first = next((f"{FIELD}{line_id}" for line_id in left), None)
        problems.append((first, _("Ship at least one item: every quantity is 0.")))
    return ShipmentRequest(units, problems)


def _line_id(name: str) -> int | None:
    match = re.fullmatch(rf"{FIELD}(\d{{1,12}})", name)
    return int(match.group(1)) if match else None


def parcel_amount(order: Order, units: dict[int, int]) -> int:
    """What a parcel's capture takes: its units' share of what their lines were paid (their
    totals less their discount shares, with their tax when it was added to the prices), plus
    the shipping (and its tax) on the first parcel; the last parcel takes all that is left of
    the authorization (so that rounding and the parts always add up)."""
    sale = order.sale
    authorized = sale.amount_cents if sale is not None else order.total_cents
    left = authorized - order.captured_cents
    if units == order.units_left():
        return left
    lines = {line.id: line for line in order.lines}
    amount = sum(lines[i].paid_for(n) for i, n in units.items())
    added = not order.prices_include_tax  # the tax added to the prices is captured with them
    if not order.shipments:
        amount += order.shipping_cents + (order.shipping_tax_cents if added else 0)
    return max(0, min(amount, left))


def _parcel_text(order: Order, units: dict[int, int]) -> str:
    lines = {line.id: line for line in order.lines}
    return ", ".join(
        _("%(num)d × %(name)s", num=count, name=lines[line_id].name)  # noqa: RUF001
        for line_id, count in sorted(units.items())
    )


def ship(
    order: Order,
    carrier: str,
    tracking_number: str,
    actor: User,
    units: dict[int, int] | None = None,
) -> ActionResult:
    """Ship ``units`` (order line id → how many; None: everything left) in one parcel:
    capture its part of the payment, record the parcel, move the order and email the
    customer. A capture that fails leaves the order as it was."""
    if order.status not in SHIPPABLE_STATUSES:
        raise IllegalTransition(
            _(
                "This order cannot be shipped now: it is “%(status)s”.",
                status=order.status_label,
            )
        )
    left = order.units_left()
    units = dict(left) if units is None else {i: n for i, n in units.items() if n > 0}
    if not units or any(i not in left or n > left[i] for i, n in units.items()):
        raise IllegalTransition(_("Those items are not left to ship on this order."))
    sale = order.sale
    if sale is None or sale.status not in (AUTHORIZED, PARTLY_SETTLING):
        raise IllegalTransition(_("Only an order whose payment is authorized can be shipped."))
    last = units == left
    whole = last and not order.shipments and sale.status == AUTHORIZED
    amount = parcel_amount(order, units)
    part: PaymentResult | None = None
    if whole:
        result = payments.capture(sale.transaction_id)
        if not result.ok:
            current = refresh_sale(sale)
            if current is None or not current.is_captured:
                log.warning("order %s: capture failed (%s)", order.number, result.outcome.value)
                return ActionResult(False, capture_failed(result))
            result = current  # captured after all (an answer lost on the way)
        sale.status = result.status or sale.status
        sale.amount_cents = result.amount_cents or sale.amount_cents
        amount = sale.amount_cents
    elif amount > 0:
        part = payments.capture_part(sale.transaction_id, amount, order.number)
        if not part.ok:
            unanswered = part.outcome is Outcome.UNAVAILABLE
            found = _part_made(order, sale, amount) if unanswered else None
            if found is None:
                log.warning(
                    "order %s: partial capture failed (%s)",
                    order.number,
                    ",".join(part.error_codes) or part.outcome.value,
                )
                return ActionResult(False, capture_failed(part))
            part = found
    return _record(order.number, carrier, tracking_number, actor, units, amount, part, last)


def _part_made(order: Order, sale: Payment, amount: int) -> PaymentResult | None:
    """After an unanswered partial capture: the child Braintree made meanwhile, if any (one
    of this authorization, of this amount, that the order does not hold yet)."""
    try:
        found = payments.find_by_order(order.number)
    except GatewayUnavailable:
        return None
    known = {p.transaction_id for p in order.payments}
    for result in found:
        if (
            result.authorized_transaction_id == sale.transaction_id
            and result.transaction_id not in known
            and result.amount_cents == amount
            and result.is_captured
        ):
            return result
    return None


def _record(
    number: str,
    carrier: str,
    tracking_number: str,
    actor: User,
    units: dict[int, int],
    amount: int,
    part: PaymentResult | None,
    last: bool,
) -> ActionResult:
    with write_lock():
        order = lock_order(number)
        sale = order.sale
        payment = None
        if part is not None:
            payment = Payment(
                kind=Payment.SETTLEMENT,
                transaction_id=part.transaction_id,
                parent_transaction_id=sale.transaction_id,
                status=part.status or "",
                amount_cents=part.amount_cents or amount,
                card_brand=sale.card_brand,
                card_last4=sale.card_last4,
            )
            order.payments.append(payment)
            sale.status = PARTLY_SETTLING
            db.session.flush()
        shipment = Shipment(
            carrier=carrier,
            tracking_number=tracking_number,
            amount_cents=amount,
            payment_id=payment.id if payment is not None else None,
            actor_id=actor.id,
            actor_label=actor.email,
            lines=[ShipmentLine(order_line_id=i, quantity=n) for i, n in sorted(units.items())],
        )
        order.shipments.append(shipment)
        order.carrier = carrier
        order.tracking_number = tracking_number
        db.session.flush()
        target = S.SHIPPED if last else S.PARTIALLY_SHIPPED
        note = _(
            "Parcel %(parcel)d with %(carrier)s (%(tracking)s): %(items)s.",
            parcel=len(order.shipments),
            carrier=carrier,
            tracking=tracking_number,
            items=_parcel_text(order, units),
        )
        move(order, target, actor, note=note)
        emails.send_shipped(order, shipment)
    log.info("order %s: parcel shipped, %d cents captured", number, amount)
    if last:
        message = _("Order %(number)s is shipped and its payment captured.", number=number)
    else:
        message = _(
            "A parcel of order %(number)s is shipped and its part of the payment captured. "
            "The rest is left to ship.",
            number=number,
        )
    return ActionResult(True, message)


def parcel_lines(shipment: Shipment) -> list[tuple[OrderLine, int]]:
    """(order line, units) in a parcel, in the order of the lines."""
    return [(part.line, part.quantity) for part in shipment.lines]


def lines_left(order: Order) -> list[tuple[OrderLine, int]]:
    """(order line, units not shipped yet), in the order of the lines."""
    left = order.units_left()
    return [(line, left[line.id]) for line in order.lines if line.id in left]
