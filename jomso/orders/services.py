"""Order services: placing an order, settling unknown payments, the staff actions, webhooks.

They own the transactions and commit. Two rules hold everywhere:

* **Stock.** Checking and taking stock happen in one write transaction that holds the
  database's write lock from its first statement (``BEGIN IMMEDIATE`` on SQLite, row locks
  with ``SELECT ... FOR UPDATE`` on PostgreSQL), and every decrement is guarded by
  ``stock >= quantity`` in the UPDATE itself: concurrent checkouts can never sell more than
  there is.
* **Money.** The order (and its number) is committed before the card is charged, and
  ``payments.authorize`` is called at most once per order: a resubmitted checkout form finds
  the order its one-time key made; a timeout leaves the order "payment unknown" until
  ``reconcile`` reads Braintree's record by order number.

Log lines carry order numbers and transaction ids only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from babel.numbers import get_currency_precision
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from jomso import payments
from jomso.accounts.models import User
from jomso.cart.models import Cart
from jomso.cart.services import CartSummary, clear_cart
from jomso.catalog.models import Product
from jomso.database import utcnow
from jomso.extensions import db
from jomso.i18n import format_money
from jomso.orders import emails
from jomso.orders.models import ADDRESS_PARTS, Order, OrderLine, OrderStatusChange, Payment
from jomso.orders.models import PaymentEvent as PaymentEventRow
from jomso.orders.status import (
    AUTHORIZED,
    CAPTURED,
    PLACED_STATUSES,
    SETTLED,
    SHIPPED_STATUSES,
    VOIDABLE,
    IllegalTransition,
    OrderStatus,
    can_move,
    is_stale_pending,
    label,
)
from jomso.payments import GatewayUnavailable, Outcome, PaymentResult
from jomso.payments.messages import UNREACHABLE

log = logging.getLogger(__name__)

S = OrderStatus
CUSTOMER = "customer"
SYSTEM = "system"
ERASED = "deleted"
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_NUMBER_RE = re.compile(r"^J[0-9A-HJKMNP-TV-Z]{8}$")


# -- Order numbers, lookups --------------------------------------------------------------------


def new_order_number() -> str:
    """``J`` and 8 random Crockford base32 characters (40 bits), e.g. ``J7K2M9QX``: easy to
    read out on the phone, and never a digit run the log redaction would mask."""
    while True:
        body = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if not re.search(r"\d{6}", body):
            return "J" + body


def normalize_number(text: str) -> str:
    """An order number as typed (``j7k2-m9qx``, with o for 0...) in its stored form."""
    cleaned = re.sub(r"[\s-]", "", text or "").upper()
    return cleaned[:1] + cleaned[1:].translate(str.maketrans("OIL", "011"))


def find_order(number: str) -> Order | None:
    number = normalize_number(number)
    if not _NUMBER_RE.match(number):
        return None
    return db.session.scalar(select(Order).where(Order.number == number))


def checkout_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def order_for_checkout_token(token: str | None) -> Order | None:
    """The order a checkout form with this one-time key already placed, if any."""
    if not token:
        return None
    return db.session.scalar(select(Order).where(Order.checkout_key == checkout_key(token)))


def orders_for_user(user: User) -> list[Order]:
    """The customer's placed orders, newest first (attempts whose payment failed left out)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.user_id == user.id, Order.status.in_(PLACED_STATUSES))
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )


def staff_orders_query(statuses: list[str] | None = None, search: str = "") -> Select:
    """Orders for the staff list, newest first: in ``statuses`` (all when None), and when
    ``search`` is given, the order with that number or those whose email contains it."""
    query = select(Order).options(selectinload(Order.lines))
    if statuses:
        query = query.where(Order.status.in_(statuses))
    search = search.strip()
    if search:
        conditions = [Order.email.icontains(search.lower(), autoescape=True)]
        number = normalize_number(search)
        if number.startswith("J") and len(number) > 1:
            conditions.append(Order.number.startswith(number, autoescape=True))
        query = query.where(or_(*conditions))
    return query.order_by(Order.created_at.desc(), Order.id.desc())


def status_counts() -> dict[str, int]:
    rows = db.session.execute(select(Order.status, db.func.count()).group_by(Order.status)).all()
    return {status: count for status, count in rows}


def link_guest_orders(user: User) -> int:
    """Give ``user`` the guest orders placed with their (now confirmed) email; returns how
    many. Called when an account confirms its address."""
    if not user.email_confirmed_at:
        return 0
    result = db.session.execute(
        update(Order)
        .where(Order.user_id.is_(None), Order.email == user.email, Order.anonymized_at.is_(None))
        .values(user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    linked = result.rowcount or 0
    if linked:
        log.info("account %s: %d guest orders linked", user.id, linked)
    return linked


# -- Transactions -----------------------------------------------------------------------------


@contextmanager
def write_lock() -> Iterator[None]:
    """One write transaction that holds the write lock from its first statement: ``BEGIN
    IMMEDIATE`` on SQLite (callers lock rows themselves on other databases). Commits at the
    end, rolls back on any exception. Whatever the session read before is committed first,
    so nothing read outside the lock is trusted inside it."""
    db.session.commit()
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def _actor_label(actor: User | None, default: str) -> str:
    return actor.email if actor is not None else default


def _move(
    order: Order,
    target: OrderStatus,
    actor: User | None = None,
    note: str = "",
    default_actor: str = SYSTEM,
) -> None:
    """Change the status (inside the caller's transaction) and write the timeline row."""
    current = order.status
    if not can_move(current, target):
        raise IllegalTransition(
            _(
                "An order that is “%(current)s” cannot become “%(target)s”.",
                current=label(current),
                target=label(target),
            )
        )
    order.status = target
    order.changes.append(
        OrderStatusChange(
            from_status=current,
            to_status=target,
            actor_id=actor.id if actor is not None else None,
            actor_label=_actor_label(actor, default_actor),
            note=note,
        )
    )


def _release_stock(order: Order) -> None:
    """Put the order's units back on the shelf (inside the caller's transaction)."""
    for line in order.lines:
        if line.product_id is not None:
            db.session.execute(
                update(Product)
                .where(Product.id == line.product_id)
                .values(stock=Product.stock + line.quantity)
                .execution_options(synchronize_session=False)
            )


# -- Placing an order ---------------------------------------------------------------------------


class Placement(StrEnum):
    PLACED = "placed"  # paid: go to the order page
    EXISTING = "existing"  # the form was sent before: go to that order
    UNKNOWN = "unknown"  # the payment's outcome is unknown: go to the order page
    EMPTY = "empty"  # nothing to buy: back to the cart
    CHANGED = "changed"  # prices or stock changed: show the checkout again, nothing charged
    FAILED = "failed"  # declined, rejected, invalid: show the checkout again with the reason
    BUSY = "busy"  # the database stayed locked: try again, nothing charged


@dataclass
class CheckoutDetails:
    """What the checkout form collected, validated and normalised."""

    email: str
    phone: str  # E.164
    billing: dict[str, str]  # name, line1, line2, city, region, postal_code, country
    shipping: dict[str, str]


@dataclass
class CheckoutResult:
    outcome: Placement
    order: Order | None = None
    message: str | None = None
    notices: list[str] = field(default_factory=list)


class _StockChanged(Exception):
    def __init__(self, notices: list[str]):
        super().__init__("stock or prices changed")
        self.notices = notices


class _AlreadyPlaced(Exception):
    def __init__(self, order: Order):
        super().__init__(order.number)
        self.order = order


def summary_fingerprint(summary: CartSummary) -> str:
    """A digest of what the checkout page showed: each product, quantity and price, the
    shipping and the total. The form carries it back so a change in between is noticed."""
    parts = [f"{line.product.id}:{line.quantity}:{line.unit_price_cents}" for line in summary.lines]
    parts.append(f"s{summary.shipping_cents}:t{summary.total_cents}")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:32]


def place_order(
    *,
    cart: Cart | None,
    summary: CartSummary,
    shown_fingerprint: str,
    details: CheckoutDetails,
    nonce: str,
    device_data: str | None,
    checkout_token: str,
    user: User | None,
) -> CheckoutResult:
    """Place the cart as an order and authorize its total on the card behind ``nonce``.

    ``summary`` is ``summarize(cart)`` made for this request (from the database);
    ``shown_fingerprint`` is what the checkout page showed. Prices, shipping and totals are
    taken from the database, never from the form. The nonce is used once and forgotten.
    """
    existing = order_for_checkout_token(checkout_token)
    if existing is not None:
        return _already_placed(existing)
    if cart is None or summary.is_empty:
        return CheckoutResult(Placement.EMPTY, notices=summary.notices)
    if summary.notices or summary_fingerprint(summary) != shown_fingerprint:
        return CheckoutResult(Placement.CHANGED, notices=summary.notices or [_CHANGED()])
    try:
        order = _reserve(summary, details, checkout_key(checkout_token), user)
    except _AlreadyPlaced as placed:
        return _already_placed(placed.order)
    except _StockChanged as changed:
        return CheckoutResult(Placement.CHANGED, notices=changed.notices)
    except IntegrityError:  # the same form committed a moment ago by a parallel request
        existing = order_for_checkout_token(checkout_token)
        if existing is None:
            raise
        return _already_placed(existing)
    except OperationalError:
        log.warning("checkout: database busy, nothing reserved")
        return CheckoutResult(Placement.BUSY, message=_BUSY())

    result = payments.authorize(
        order.number,
        order.total_cents,
        nonce,
        device_data=device_data or None,
        idempotency_key=order.number,
    )
    return _settle_authorization(order, result, cart)


# Why a payment failed, in the staff's timeline.
OUTCOME_NOTES = {
    Outcome.DECLINED: _l("Declined by the bank"),
    Outcome.REJECTED: _l("Rejected by Braintree"),
    Outcome.INVALID: _l("Card details not accepted"),
    Outcome.UNAVAILABLE: _l("Braintree could not be reached"),
}


def _already_placed(order: Order) -> CheckoutResult:
    """The form was sent before: show that order, or the checkout again if its payment
    failed (a double click on a declined card)."""
    if order.status == S.PAYMENT_FAILED:
        message = _("That payment did not go through. Please check the details and try again.")
        return CheckoutResult(Placement.FAILED, order, message=message)
    return CheckoutResult(Placement.EXISTING, order)


def _CHANGED() -> str:
    return _("Your cart changed since this page was shown. Please check the summary and try again.")


def _BUSY() -> str:
    return _("The shop is very busy right now. You have not been charged: please try again.")


def _reserve(summary: CartSummary, details: CheckoutDetails, key: str, user: User | None) -> Order:
    """Check and take the stock, and create the order (status pending payment), in one
    locked transaction. Raises _AlreadyPlaced, _StockChanged."""
    wanted = {line.product.id: (line.quantity, line.unit_price_cents) for line in summary.lines}
    shipping_cents = summary.shipping_cents
    user_id = user.id if user is not None else None
    with write_lock():
        found = db.session.scalar(select(Order).where(Order.checkout_key == key))
        if found is not None:
            raise _AlreadyPlaced(found)
        products = db.session.scalars(
            select(Product)
            .where(Product.id.in_(sorted(wanted)))
            .order_by(Product.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        by_id = {product.id: product for product in products}
        notices = _stock_notices(wanted, by_id)
        if notices:
            raise _StockChanged(notices)
        lines = []
        for product_id, (quantity, price) in wanted.items():
            taken = db.session.execute(
                update(Product)
                .where(Product.id == product_id, Product.stock >= quantity)
                .values(stock=Product.stock - quantity)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # only without row locks could this happen
                raise _StockChanged([_CHANGED()])
            product = by_id[product_id]
            lines.append(
                OrderLine(
                    product_id=product.id,
                    name=product.name,
                    sku=product.sku,
                    unit_price_cents=price,
                    quantity=quantity,
                    line_total_cents=price * quantity,
                )
            )
        subtotal = sum(line.line_total_cents for line in lines)
        order = Order(
            number=_unused_number(),
            status=S.PENDING_PAYMENT,
            user_id=user_id,
            checkout_key=key,
            email=details.email,
            phone=details.phone,
            currency=current_app.config["CURRENCY"],
            subtotal_cents=subtotal,
            shipping_cents=shipping_cents,
            total_cents=subtotal + shipping_cents,
            lines=lines,
            **{f"billing_{k}": details.billing.get(k) or "" for k in ADDRESS_PARTS},
            **{f"shipping_{k}": details.shipping.get(k) or "" for k in ADDRESS_PARTS},
        )
        order.changes.append(
            OrderStatusChange(from_status=None, to_status=S.PENDING_PAYMENT, actor_label=CUSTOMER)
        )
        db.session.add(order)
    log.info("order %s created, %d lines, stock reserved", order.number, len(lines))
    return order


def _stock_notices(wanted: dict[int, tuple[int, int]], products: dict[int, Product]) -> list[str]:
    notices = []
    for product_id, (quantity, price) in wanted.items():
        product = products.get(product_id)
        if product is None or not product.is_active:
            notices.append(_("One of the products in your cart is no longer available."))
            continue
        name = f"“{product.name}”"
        if product.stock < quantity:
            if product.stock <= 0:
                notices.append(_("Sorry, %(name)s sold out a moment ago.", name=name))
            else:
                notices.append(
                    _(
                        "Sorry, only %(num)d of %(name)s are left now.",
                        num=product.stock,
                        name=name,
                    )
                )
        elif product.price_cents != price:
            notices.append(
                _(
                    "The price of %(name)s changed from %(old)s to %(new)s.",
                    name=name,
                    old=format_money(price),
                    new=format_money(product.price_cents),
                )
            )
    return notices


def _unused_number() -> str:
    while True:
        number = new_order_number()
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


def _sale_payment(result: PaymentResult) -> Payment:
    return Payment(
        kind=Payment.SALE,
        transaction_id=result.transaction_id,
        status=result.status or "",
        amount_cents=result.amount_cents or 0,
        card_brand=result.card_brand or "",
        card_last4=result.card_last4 or "",
    )


def _settle_authorization(order: Order, result: PaymentResult, cart: Cart | None) -> CheckoutResult:
    """Record what ``authorize`` answered for a pending order."""
    if result.outcome is Outcome.APPROVED:
        order.payments.append(_sale_payment(result))
        _move(order, S.PAID, default_actor=CUSTOMER)
        if cart is not None:
            clear_cart(cart)
        db.session.commit()
        log.info("order %s paid (transaction %s)", order.number, result.transaction_id)
        emails.send_confirmation(order)
        return CheckoutResult(Placement.PLACED, order)
    if result.outcome is Outcome.UNAVAILABLE and result.customer_message is not UNREACHABLE:
        # Braintree may hold the money: keep the stock, empty the cart so the customer does not
        # pay again, and let reconciliation settle it.
        note = _("No answer from Braintree (%(error)s).", error=",".join(result.error_codes))
        _move(order, S.PAYMENT_UNKNOWN, note=note)
        if cart is not None:
            clear_cart(cart)
        db.session.commit()
        log.warning("order %s: payment outcome unknown, to reconcile", order.number)
        return CheckoutResult(Placement.UNKNOWN, order, message=str(result.customer_message))
    # Declined, rejected, invalid, or the request certainly never reached Braintree (a
    # connection that could not be opened, a 503): nothing was charged.
    with write_lock():
        _release_stock(order)
        codes = ", ".join(c for c in [*result.error_codes, result.processor_response_code] if c)
        note = str(OUTCOME_NOTES[result.outcome])
        _move(order, S.PAYMENT_FAILED, note=f"{note} ({codes})" if codes else note)
    log.info("order %s: payment %s, stock released", order.number, result.outcome.value)
    return CheckoutResult(
        Placement.FAILED, order, message=str(result.customer_message or _("Payment failed."))
    )


# -- Reconciling unknown payments ----------------------------------------------------------------


def needs_reconciling(order: Order) -> bool:
    return order.status == S.PAYMENT_UNKNOWN or is_stale_pending(order)


def orders_to_reconcile() -> list[Order]:
    candidates = db.session.scalars(
        select(Order)
        .where(Order.status.in_([S.PAYMENT_UNKNOWN, S.PENDING_PAYMENT]))
        .order_by(Order.id)
    ).all()
    return [order for order in candidates if needs_reconciling(order)]


def reconcile(order: Order, actor: User | None = None, default_actor: str = SYSTEM) -> OrderStatus:
    """Settle an order whose payment outcome is unknown from what Braintree holds under its
    order number: an authorized (or captured) sale makes it paid; none makes it failed and
    puts the stock back. Raises ``GatewayUnavailable`` when Braintree cannot be asked (nothing
    changes) and ``IllegalTransition`` when the order is not waiting for this."""
    if not needs_reconciling(order):
        raise IllegalTransition(_("This order's payment is already settled."))
    number = order.number
    found = payments.find_by_order(number)  # may raise GatewayUnavailable
    held = [r for r in found if r.kind == "sale" and r.is_authorized]
    with write_lock():
        order = db.session.scalar(select(Order).where(Order.number == number))
        if not needs_reconciling(order):  # settled meanwhile by someone else
            return OrderStatus(order.status)
        if held:
            if order.status == S.PENDING_PAYMENT:
                _move(order, S.PAYMENT_UNKNOWN, actor, note=_("The checkout was interrupted."))
            order.payments.append(_sale_payment(held[0]))
            note = _("Braintree holds an authorized payment for this order.")
            _move(order, S.PAID, actor, note=note, default_actor=default_actor)
        else:
            _release_stock(order)
            _move(
                order,
                S.PAYMENT_FAILED,
                actor,
                note=_("Braintree holds no payment for this order."),
                default_actor=default_actor,
            )
    if len(held) > 1:
        log.error("order %s has %d authorized sales: void the extra ones", number, len(held))
    status = OrderStatus(order.status)
    log.info("order %s reconciled: %s", number, status)
    if status is S.PAID:
        emails.send_confirmation(order)
    else:
        emails.send_payment_failed(order)
    return status


# -- Staff actions ---------------------------------------------------------------------------------


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


def _refresh_sale(sale: Payment) -> PaymentResult | None:
    """Braintree's current record of a sale after a refused or unanswered call, or None."""
    try:
        return payments.find(sale.transaction_id)
    except GatewayUnavailable:
        return None


def mark_processing(order: Order, actor: User) -> ActionResult:
    """Staff start picking and packing."""
    _move(order, S.PROCESSING, actor)
    db.session.commit()
    return ActionResult(True, _("Order %(number)s is being prepared.", number=order.number))


def ship(order: Order, carrier: str, tracking_number: str, actor: User) -> ActionResult:
    """Capture the authorized amount, then mark the order shipped and email the customer.
    A capture that fails leaves the order as it was."""
    _require(order, S.SHIPPED)
    sale = order.sale
    if sale is None or sale.status != AUTHORIZED:
        raise IllegalTransition(_("Only an order whose payment is authorized can be shipped."))
    result = payments.capture(sale.transaction_id)
    if not result.ok:
        current = _refresh_sale(sale)
        if current is None or not current.is_captured:
            log.warning("order %s: capture failed (%s)", order.number, result.outcome.value)
            return ActionResult(False, _capture_failed(result))
        result = current  # captured after all (an answer lost on the way)
    sale.status = result.status or sale.status
    sale.amount_cents = result.amount_cents or sale.amount_cents
    order.carrier = carrier
    order.tracking_number = tracking_number
    _move(order, S.SHIPPED, actor, note=carrier)
    db.session.commit()
    log.info("order %s shipped, payment captured", order.number)
    emails.send_shipped(order)
    return ActionResult(
        True, _("Order %(number)s is shipped and its payment captured.", number=order.number)
    )


def _capture_failed(result: PaymentResult) -> str:
    reason = str(result.customer_message) if result.customer_message else ""
    return " ".join(
        [_("The payment could not be captured, so the order was not marked shipped."), reason]
    ).strip()


def mark_delivered(order: Order, actor: User) -> ActionResult:
    _move(order, S.DELIVERED, actor)
    db.session.commit()
    return ActionResult(True, _("Order %(number)s is marked delivered.", number=order.number))


def cancel(order: Order, actor: User) -> ActionResult:
    """Void the payment (authorized, or captured but not settled) and cancel the order; the
    stock goes back unless the parcel already left. A settled payment is refunded instead."""
    _require(order, S.CANCELLED)
    sale = order.sale
    if sale is not None and sale.status != "voided":
        if sale.status not in VOIDABLE:
            raise IllegalTransition(
                _("This payment has settled and can no longer be voided: refund it instead.")
            )
        result = payments.void(sale.transaction_id)
        if not result.ok:
            current = _refresh_sale(sale)
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
        order = db.session.scalar(select(Order).where(Order.number == number))
        if voided_status is not None:
            order.sale.status = voided_status
        if restock:
            _release_stock(order)
        _move(order, S.CANCELLED, actor, note=_("Items back in stock.") if restock else "")
    log.info("order %s cancelled, payment voided", number)
    emails.send_cancelled(order)
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
    pattern = r"\d{1,9}" + (rf"(\.\d{{1,{precision}}})?" if precision else "")
    if not re.fullmatch(pattern, cleaned):
        raise RefundRefused(_("Enter an amount like 12.50."))
    try:
        cents = int(Decimal(cleaned).scaleb(precision))
    except InvalidOperation as error:
        raise RefundRefused(_("Enter an amount like 12.50.")) from error
    if cents <= 0:
        raise RefundRefused(_("Enter an amount above zero."))
    return cents


def refund(order: Order, amount_cents: int | None, actor: User) -> ActionResult:
    """Refund all that is left (``amount_cents`` None) or a part, after settlement."""
    _require(order, S.REFUNDED)
    sale = order.sale
    if sale is None or sale.status not in SETTLED:
        raise IllegalTransition(
            _("The payment has not settled yet: it cannot be refunded. Cancel the order instead.")
        )
    refundable = order.refundable_cents
    if refundable <= 0:
        raise IllegalTransition(_("Nothing is left to refund on this order."))
    if amount_cents is None:
        amount_cents = refundable
    if amount_cents > refundable:
        raise RefundRefused(
            _(
                "At most %(amount)s can be refunded on this order.",
                amount=format_money(refundable, order.currency),
            )
        )
    key = f"{order.number}-refund-{len(order.refunds) + 1}"
    result = payments.refund(sale.transaction_id, amount_cents, idempotency_key=key)
    if not result.ok:
        log.warning("order %s: refund refused (%s)", order.number, ",".join(result.error_codes))
        reason = str(result.customer_message) if result.customer_message else ""
        return ActionResult(False, f"{_('The refund did not go through.')} {reason}".strip())
    known = {p.transaction_id for p in order.payments}
    if result.transaction_id not in known:
        order.payments.append(
            Payment(
                kind=Payment.REFUND,
                transaction_id=result.transaction_id,
                status=result.status or "",
                amount_cents=result.amount_cents or amount_cents,
                card_brand=sale.card_brand,
                card_last4=sale.card_last4,
            )
        )
    db.session.flush()
    refunded = result.amount_cents or amount_cents
    target = S.REFUNDED if order.refundable_cents == 0 else S.PARTLY_REFUNDED
    _move(order, target, actor, note=format_money(refunded, order.currency))
    db.session.commit()
    log.info("order %s: refund %s", order.number, result.transaction_id)
    emails.send_refunded(order, refunded)
    return ActionResult(
        True,
        _(
            "Refunded %(amount)s on order %(number)s.",
            amount=format_money(refunded, order.currency),
            number=order.number,
        ),
    )


def settle_demo(order: Order) -> ActionResult:
    """Demo payments only: settle the captured payment now, as Braintree's nightly batch
    would, so that refunds can be tried."""
    sale = order.sale
    if not payments.is_demo_mode() or sale is None or sale.status not in CAPTURED:
        raise IllegalTransition(_("Only a captured demo payment can be settled here."))
    result = payments.settle(sale.transaction_id)
    if not result.ok:
        return ActionResult(False, str(result.customer_message or _("Settling failed.")))
    sale.status = result.status or sale.status
    db.session.commit()
    return ActionResult(True, _("The payment is settled: it can now be refunded."))


# -- Webhooks -----------------------------------------------------------------------------------


def record_webhook(event: payments.WebhookEvent) -> PaymentEventRow | None:
    """Keep a dispute or failed refund Braintree announced against its order (found by
    transaction id, else by order number); a repeated delivery is kept once. Returns the
    row, or None for kinds the shop does not keep and for unknown transactions."""
    if not (event.kind.startswith("dispute_") or event.kind == "refund_failed"):
        return None  # "check" and kinds the shop does not follow
    payment = None
    if event.transaction_id:
        payment = db.session.scalar(
            select(Payment).where(Payment.transaction_id == event.transaction_id)
        )
    order = payment.order if payment is not None else None
    if order is None and event.order_number:
        order = find_order(event.order_number)
    if order is None:
        log.warning("webhook %s for a transaction of no order", event.kind)
        return None
    for known in order.events:
        if (
            known.kind == event.kind
            and known.transaction_id == (event.transaction_id or "")
            and known.dispute_id == (event.dispute_id or "")
            and known.occurred_at == event.timestamp
        ):
            return known
    row = PaymentEventRow(
        kind=event.kind,
        transaction_id=event.transaction_id or "",
        dispute_id=event.dispute_id or "",
        dispute_status=event.dispute_status or "",
        dispute_reason=event.dispute_reason or "",
        reply_by=event.dispute_reply_by,
        amount_cents=event.amount_cents,
        occurred_at=event.timestamp,
    )
    order.events.append(row)
    if event.kind == "refund_failed" and payment is not None and payment.kind == Payment.REFUND:
        payment.status = "failed"
    db.session.commit()
    log.info("order %s: webhook %s recorded", order.number, event.kind)
    return row


# -- Data rights ----------------------------------------------------------------------------------


def anonymize_orders(user: User) -> None:
    """Replace the personal fields of the account's orders by "deleted" and unlink them
    (inside the account deletion's transaction). Lines, totals and payment ids stay for the
    books; the country stays for tax records; links mailed earlier stop working."""
    now = utcnow()
    for order in db.session.scalars(select(Order).where(Order.user_id == user.id)):
        order.email = ERASED
        order.phone = ERASED
        for kind in ("billing", "shipping"):
            for part in ("name", "line1", "city"):
                setattr(order, f"{kind}_{part}", ERASED)
            for part in ("line2", "region", "postal_code"):
                setattr(order, f"{kind}_{part}", "")
        order.tracking_number = ""
        order.checkout_key = None
        order.user_id = None
        order.anonymized_at = now
    db.session.flush()
