"""The staff actions on a placed order: start preparing, mark delivered, cancel (voiding the
payment), refund, and settle a demo payment.

Each action refuses (``IllegalTransition``) what the pipeline (``orders.status``) or the
payment's state does not allow before it asks Braintree anything, and commits what it
changed. Rules that hold:

* **Shipping** (in one parcel or several, each with its capture) is ``orders.shipping``.
* **Money first, then status.** An order moves only after Braintree agreed: a capture, void
  or refund that is refused (or whose answer is lost and Braintree's record does not show it
  done) leaves the order as it was, and the staff see why. Refunds happen only after
  settlement, never exceed what was captured less what was refunded, and carry an
  idempotency key (``<number>-refund-<n>``).
* **One refund for two clicks.** Two staff members refunding the same order at the same
  moment read the same refunds, so both send the same idempotency key and Braintree makes one
  refund; each records it in a write-locked transaction that reads the order again under its
  row lock (``transitions.lock_order``), and the one that finds it recorded already says so
  instead of recording it twice. A refund form sent after another refund was recorded (the
  page was out of date) is refused with a message.
* **Stock.** Cancelling puts the stock back, unless the parcel already left, in one
  write-locked transaction that reads the order again under its row lock. A refund puts back
  the returned units staff ask for, never more of a line than has not gone back yet
  (``restocked_quantity``).
* **Asked first.** Cancel and refund are offered by confirmation pages (``staff_views``);
  ``check_refund`` reads a refund form with every problem at once.

Money is integer cents in the order's currency. Log lines carry order numbers and
transaction ids only.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from jomso import payments
from jomso.accounts.models import User
from jomso.extensions import db
from jomso.i18n import format_money
from jomso.invoices.issuing import issue_credit_note
from jomso.orders import emails
from jomso.orders.models import Order, Payment
from jomso.orders.status import (
    CAPTURED,
    PARTLY_SETTLING,
    SETTLED,
    SHIPPED_STATUSES,
    VOIDABLE,
    IllegalTransition,
    OrderStatus,
    can_move,
    label,
)
from jomso.orders.transitions import lock_order, move, release_stock, write_lock
from jomso.payments import GatewayUnavailable, PaymentResult

log = logging.getLogger(__name__)

S = OrderStatus


@dataclass
class ActionResult:
    ok: bool
    message: str


def _require(order: Order, target: OrderStatus) -> None:
    if not can_move(order.status, target):
        raise IllegalTransition(
            _(
                "An order that is “%(current)s” cannot become “%(target)s”.",
                current=label(order.status),
                target=label(target),
            )
        )


def refresh_sale(sale: Payment) -> PaymentResult | None:
    """Braintree's current record of a sale after a refused or unanswered call, or None."""
    try:
        return payments.find(sale.transaction_id)
    except GatewayUnavailable:
        return None


def mark_processing(order: Order, actor: User) -> ActionResult:
    """Staff start picking and packing."""
    move(order, S.PROCESSING, actor)
    db.session.commit()
    return ActionResult(True, _("Order %(number)s is being prepared.", number=order.number))


def capture_failed(result: PaymentResult) -> str:
    reason = str(result.customer_message) if result.customer_message else ""
    return " ".join(
        [_("The payment could not be captured, so the order was not marked shipped."), reason]
    ).strip()


def mark_delivered(order: Order, actor: User) -> ActionResult:
    move(order, S.DELIVERED, actor)
    db.session.commit()
    return ActionResult(True, _("Order %(number)s is marked delivered.", number=order.number))


def cancel(order: Order, actor: User, reason: str = "") -> ActionResult:
    """Void the payment (authorized, or captured but not settled) and cancel the order; the
    stock goes back unless the parcel already left. A settled payment is refunded instead.
    ``reason`` (optional) goes on the timeline.

    A partially shipped order cancels what is left: the parcels that left keep their captures
    (their settlements are not voided: refund them once settled), the units not shipped go
    back in stock, and the rest of the authorization is never captured. Braintree cannot void a
    card's authorization once part of it is settled (``settlement_pending``: 91504), so the
    bank releases the rest of the hold when the authorization expires; an authorization none
    of whose parcels was captured yet is voided as usual."""
    _require(order, S.CANCELLED)
    sale = order.sale
    partly = order.status == S.PARTIALLY_SHIPPED
    if sale is not None and sale.status not in ("voided", PARTLY_SETTLING):
        if sale.status not in VOIDABLE:
            raise IllegalTransition(
                _("This payment has settled and can no longer be voided: refund it instead.")
            )
        result = payments.void(sale.transaction_id)
        if not result.ok:
            current = refresh_sale(sale)
            if current is None or current.status != "voided":
                reason = str(result.customer_message) if result.customer_message else ""
                message = _("The payment could not be voided, so the order was not cancelled.")
                return ActionResult(False, f"{message} {reason}".strip())
            result = current
        voided_status = result.status or "voided"
    else:
        voided_status = None
    restock = order.status not in SHIPPED_STATUSES
    number = order.number
    with write_lock():
        order = lock_order(number)
        if voided_status is not None:
            order.sale.status = voided_status
        notes = []
        if restock:
            back = release_stock(order, order.units_left() if partly else None)
            if partly:
                notes.append(
                    ngettext(
                        "The rest cancelled: %(num)d item not shipped back in stock.",
                        "The rest cancelled: %(num)d items not shipped back in stock.",
                        back,
                    )
                )
            else:
                notes.append(_("Items back in stock."))
        if reason:
            notes.append(_("Reason: %(reason)s", reason=reason))
        move(order, S.CANCELLED, actor, note=" ".join(notes))
        emails.send_cancelled(order)
    log.info("order %s cancelled", number)
    if partly:
        message = _(
            "Order %(number)s is cancelled: the parcels that left stay paid, the rest is not "
            "charged.",
            number=number,
        )
    else:
        message = _("Order %(number)s is cancelled and its payment voided.", number=number)
    if restock:
        message += " " + _("Its items are back in stock.")
    return ActionResult(True, message)


class RefundRefused(Exception):
    """A refund the shop refuses before asking Braintree; ``str()`` is the message."""


def parse_amount(text: str, currency: str | None = None) -> int:
    """``"12.50"`` in the shop's currency as integer cents; raises ``RefundRefused``."""
    currency = currency or current_app.config["CURRENCY"]
    precision = get_currency_precision(currency)
    cleaned = (text or "").strip()
    pattern = r"-?\d{1,9}" + (rf"(\.\d{{1,{precision}}})?" if precision else "")
    if not re.fullmatch(pattern, cleaned):
        raise RefundRefused(_("Enter an amount like 12.50."))
    try:
        cents = int(Decimal(cleaned).scaleb(precision))
    except InvalidOperation as error:
        raise RefundRefused(_("Enter an amount like 12.50.")) from error
    if cents <= 0:
        raise RefundRefused(_("Enter an amount above zero."))
    return cents


def amount_text(cents: int, currency: str) -> str:
    """The inverse of ``parse_amount``: ``3495`` → ``"34.95"`` (no symbol, as typed)."""
    precision = get_currency_precision(currency)
    return f"{Decimal(cents).scaleb(-precision):.{precision}f}"


@dataclass
class RefundRequest:
    """A refund form read against its order (``check_refund``)."""

    amount_cents: int | None
    restock: dict[int, int]  # order line id → units back in stock
    problems: list[tuple[str, str]]  # (form field, message): every one at once


def check_refund(order: Order, amount_text: str, restock_texts: dict[int, str]) -> RefundRequest:
    """The amount (above zero, at most what is left to refund) and the "back in stock"
    counts (whole numbers, at most the units of each line not back yet), with every problem
    for its field: ``amount``, ``restock_<line id>``."""
    problems: list[tuple[str, str]] = []
    amount = None
    if amount_text:
        try:
            amount = parse_amount(amount_text, order.currency)
        except RefundRefused as refusal:
            problems.append(("amount", str(refusal)))
        else:
            if amount > order.refundable_cents:
                problems.append(("amount", _at_most(order)))
    lines = {line.id: line for line in order.lines}
    restock: dict[int, int] = {}
    for line_id, text in restock_texts.items():
        line = lines.get(line_id)
        field = f"restock_{line_id}"
        if line is None:
            continue
        if not re.fullmatch(r"-?\d{1,6}", text or "0"):
            problems.append((field, _("Enter a whole number of items, like 1.")))
        elif int(text or 0) < 0:
            problems.append((field, _("Enter 0 or more.")))
        elif int(text or 0) > line.restockable:
            problems.append(
                (field, _("At most %(num)d can go back in stock.", num=line.restockable))
            )
        elif int(text or 0):
            restock[line_id] = int(text)
    return RefundRequest(amount, restock, problems)


def paid_for_units(order: Order, units: dict[int, int]) -> int:
    """What the customer paid for ``units`` (order line id → how many): each line's total
    less its share of the discount, per unit; at most what is left to refund."""
    lines = {line.id: line for line in order.lines}
    paid = sum(lines[i].paid_for(n) for i, n in units.items() if i in lines)
    return min(paid, order.refundable_cents)


def _at_most(order: Order) -> str:
    return _(
        "At most %(amount)s can be refunded on this order.",
        amount=format_money(order.refundable_cents, order.currency),
    )


def _refund_note(amount_cents: int, currency: str, reason: str, back: int) -> str:
    """The timeline's note for a refund: amount, the staff's reason, units back in stock."""
    notes = [format_money(amount_cents, currency) + "."]
    if reason:
        notes.append(_("Reason: %(reason)s", reason=reason))
    if back:
        notes.append(ngettext("%(num)d item back in stock.", "%(num)d items back in stock.", back))
    return " ".join(notes)


def refund_sources(order: Order) -> list[tuple[str, int]]:
    """What can be refunded now, transaction by transaction: (transaction id, cents left to
    refund on it), oldest first. The sale when it was captured whole and has settled; else
    each settled partial settlement (one per parcel), less the refunds made on it."""
    settlements = order.settlements
    if not settlements:
        sale = order.sale
        if sale is None or sale.status not in SETTLED:
            return []
        return [(sale.transaction_id, order.refundable_cents)]
    sources = []
    for part in settlements:
        if part.status not in SETTLED:
            continue
        refunded = sum(
            p.amount_cents
            for p in order.refunds
            if p.parent_transaction_id == part.transaction_id and p.status not in Payment.NO_MONEY
        )
        if part.amount_cents - refunded > 0:
            sources.append((part.transaction_id, part.amount_cents - refunded))
    return sources


def refund(
    order: Order,
    amount_cents: int | None,
    actor: User,
    shown_refunds: int | None = None,
    reason: str = "",
    restock: dict[int, int] | None = None,
) -> ActionResult:
    """Refund all that is left (``amount_cents`` None) or a part, after settlement.
    ``shown_refunds`` is how many refunds the staff member's page showed, when known.
    ``reason`` goes on the timeline; ``restock`` (order line id → units) puts returned units
    back in stock, in the same transaction as the refund's record.

    An order captured parcel by parcel is refunded on its parcels' settlements, oldest first:
    one Braintree refund (and one record, timeline entry and email) per settlement it takes
    from, each at most what is left of that settlement. Only settled ones can be refunded."""
    _require(order, S.REFUNDED)
    if shown_refunds is not None and shown_refunds != len(order.refunds):
        return ActionResult(False, _ANOTHER_REFUND())
    sources = refund_sources(order)
    if not sources:
        raise IllegalTransition(
            _("The payment has not settled yet: it cannot be refunded. Cancel the order instead.")
        )
    refundable = order.refundable_cents
    if refundable <= 0:
        raise IllegalTransition(_("Nothing is left to refund on this order."))
    if amount_cents is None:
        amount_cents = refundable
    if amount_cents > refundable:
        raise RefundRefused(_at_most(order))
    available = sum(cents for _id, cents in sources)
    if amount_cents > available:
        raise RefundRefused(
            _(
                "At most %(amount)s can be refunded now: the rest was captured for a parcel "
                "whose payment has not settled yet.",
                amount=format_money(available, order.currency),
            )
        )
    number, currency = order.number, order.currency
    whole = not order.settlements
    total, back, wanted = 0, 0, amount_cents
    for transaction_id, cents in sources:
        if wanted <= 0:
            break
        part = min(wanted, cents)
        key = f"{number}-refund-{len(order.refunds) + 1}"
        result = payments.refund(transaction_id, part, idempotency_key=key)
        if not result.ok:
            log.warning("order %s: refund refused (%s)", number, ",".join(result.error_codes))
            why = str(result.customer_message) if result.customer_message else ""
            if total:
                return ActionResult(
                    False,
                    _(
                        "Refunded %(amount)s on order %(number)s; the rest did not go through.",
                        amount=format_money(total, currency),
                        number=number,
                    )
                    + f" {why}".rstrip(),
                )
            return ActionResult(False, f"{_('The refund did not go through.')} {why}".strip())
        refunded = result.amount_cents or part
        recorded_by_another, order, units_back = _record_refund(
            number,
            result,
            refunded,
            "" if whole else transaction_id,
            actor,
            reason,
            restock if total == 0 else None,
        )
        if recorded_by_another:
            log.info("order %s: refund %s recorded by a parallel request", number, key)
            return ActionResult(False, _ANOTHER_REFUND())
        log.info("order %s: refund %s, %d units back", number, result.transaction_id, units_back)
        total += refunded
        back += units_back
        wanted -= refunded
    message = _(
        "Refunded %(amount)s on order %(number)s.",
        amount=format_money(total, currency),
        number=number,
    )
    if back:
        message += " " + ngettext(
            "%(num)d item is back in stock.", "%(num)d items are back in stock.", back
        )
    return ActionResult(True, message)


def _record_refund(
    number: str,
    result: PaymentResult,
    refunded: int,
    parent_id: str,
    actor: User,
    reason: str,
    restock: dict[int, int] | None,
) -> tuple[bool, Order, int]:
    """Record one refund (payment, stock, timeline, email) under the order's row lock:
    (whether a parallel request recorded it already, the order read again, units back)."""
    back = 0
    with write_lock():  # read the order again: another request may have recorded this refund
        order = lock_order(number)
        if any(p.transaction_id == result.transaction_id for p in order.payments):
            return True, order, 0
        sale = order.sale
        order.payments.append(
            Payment(
                kind=Payment.REFUND,
                transaction_id=result.transaction_id,
                parent_transaction_id=parent_id,
                status=result.status or "",
                amount_cents=refunded,
                card_brand=sale.card_brand,
                card_last4=sale.card_last4,
            )
        )
        db.session.flush()
        back = release_stock(order, restock) if restock else 0
        issue_credit_note(order, order.payments[-1])  # numbered in this transaction
        target = S.REFUNDED if order.refundable_cents == 0 else S.PARTLY_REFUNDED
        note = _refund_note(refunded, order.currency, reason, back)
        move(order, target, actor, note=note)
        emails.send_refunded(order, refunded)  # queued, committed with the move
    return False, order, back


def _ANOTHER_REFUND() -> str:
    return _(
        "Someone else refunded this order while you were on this page, so your refund was not "
        "made. Check the refunds below before refunding again."
    )


def settle_demo(order: Order) -> ActionResult:
    """Demo payments only: settle the captured payment now (the sale captured whole, or each
    parcel's settlement), as Braintree's nightly batch would, so that refunds can be tried."""
    sale = order.sale
    if order.settlements:
        captured = [p for p in order.settlements if p.status in CAPTURED]
    else:
        captured = [sale] if sale is not None and sale.status in CAPTURED else []
    if not payments.is_demo_mode() or not captured:
        raise IllegalTransition(_("Only a captured demo payment can be settled here."))
    for payment in captured:
        result = payments.settle(payment.transaction_id)
        if not result.ok:
            db.session.commit()
            return ActionResult(False, str(result.customer_message or _("Settling failed.")))
        payment.status = result.status or payment.status
    db.session.commit()
    return ActionResult(True, _("The payment is settled: it can now be refunded."))
