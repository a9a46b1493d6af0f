"""Placing an order at checkout: reserve the stock, create the order, authorize the card once,
and record the answer.

``place_order`` owns its transactions and commits. Two rules hold:

* **Stock.** Checking and taking stock happen in one write transaction that holds the
  database's write lock from its first statement (``BEGIN IMMEDIATE`` on SQLite, row locks
  on the variants, by ascending id, then their products, on PostgreSQL:
  ``transitions.lock_variants``), and every
  decrement is guarded by ``stock >= quantity`` in the UPDATE itself: concurrent checkouts can
  never sell more than there is. A payment that certainly failed puts the stock back in
  another such transaction, which locks the order first, then its products.
* **Discount codes.** The code's row is locked after the products (``FOR UPDATE`` on
  PostgreSQL; the write lock on SQLite), and its uses are counted under that lock: a code
  that has run out meanwhile (or expired, or been used by this customer) refuses the order
  before anything is charged, and a code limited to one use is used once whatever the
  concurrency.
* **Money.** The order (and its number) is committed before the card is charged, and
  ``payments.authorize`` is called at most once per order: a resubmitted checkout form finds
  the order its one-time key made; a timeout leaves the order "payment unknown" until
  ``orders.reconciling.reconcile`` reads Braintree's record by order number. Prices, shipping
  and totals come from the database, never from the form; the nonce is used once and
  forgotten.

Log lines carry order numbers and transaction ids only.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from jomso import payments
from jomso.accounts.models import User
from jomso.cart.services import CartSummary, clear_cart, line_name
from jomso.catalog.models import ProductVariant
from jomso.catalog.variants import refresh_stock_totals
from jomso.database import commit_keeping_loaded, read_value, utcnow
from jomso.discounts import pricing, usage
from jomso.discounts.codes import lookup_key
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from jomso.i18n import current_language, format_money
from jomso.invoices.issuing import issue_invoice
from jomso.orders import emails, staff_notices
from jomso.orders.models import ADDRESS_PARTS, Order
from jomso.orders.new_rows import insert_order, record_sale
from jomso.orders.queries import new_order_number
from jomso.orders.status import OrderStatus
from jomso.orders.transitions import (
    CUSTOMER,
    lock_order,
    lock_variants,
    move,
    release_stock,
    sale_values,
    write_lock,
)
from jomso.payments import Outcome, PaymentResult
from jomso.payments.messages import UNREACHABLE
from jomso.shop_time import shop_today
from jomso.taxes import services as tax_services

log = logging.getLogger(__name__)

S = OrderStatus


def checkout_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_ORDER_OF_KEY = "SELECT id FROM orders WHERE checkout_key = :key"
_NUMBER_TAKEN = "SELECT id FROM orders WHERE number = :number"
_VARIANTS = ProductVariant.__table__
# Built once (building a statement costs about as much as running it). The guard holds the
# stock at zero or more whatever runs beside it.
_TAKE_STOCK = (
    update(_VARIANTS)
    .where(_VARIANTS.c.id == bindparam("variant_id"), _VARIANTS.c.stock >= bindparam("quantity"))
    .values(stock=_VARIANTS.c.stock - bindparam("quantity"))
)


def _order_of_key(key: str) -> Order | None:
    # Nearly always none: its id read without the ORM (``read_value``), the order loaded if one.
    order_id = read_value(_ORDER_OF_KEY, key=key)
    return db.session.get(Order, order_id) if order_id is not None else None


def order_for_checkout_token(token: str | None) -> Order | None:
    """The order a checkout form with this one-time key already placed, if any."""
    if not token:
        return None
    return _order_of_key(checkout_key(token))


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


class _DiscountRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _AlreadyPlaced(Exception):
    def __init__(self, order: Order):
        super().__init__(order.number)
        self.order = order


def summary_fingerprint(summary: CartSummary) -> str:
    """A digest of what the checkout page showed: each variant, quantity and price, and the
    subtotal. The form carries it back so a change in between is noticed. (The delivery
    methods and their prices have their own digest: ``checkout.delivery``.)"""
    parts = [
        f"{line.variant.id}:{line.quantity}:{line.unit_price_cents}:{line.discount_cents}"
        for line in summary.lines
    ]
    parts.append(f"t{summary.subtotal_cents}")
    if summary.discount_code:
        parts.append(f"d{summary.discount_code}:{summary.discount_cents}:{summary.free_shipping}")
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:32]


def place_order(
    *,
    summary: CartSummary,
    shown_fingerprint: str,
    details: CheckoutDetails,
    nonce: str,
    device_data: str | None,
    checkout_token: str,
    user: User | None,
) -> CheckoutResult:
    """Place the cart as an order and authorize its total on the card behind ``nonce``.

    ``summary`` is the visitor's cart priced for this request (``current_summary``, from
    the database);
    ``shown_fingerprint`` is what the checkout page showed. Prices, shipping and totals are
    taken from the database, never from the form. The nonce is used once and forgotten.
    The caller has looked for an order placed with ``checkout_token`` before (a form sent
    twice); a parallel one is found under the lock, as ``Placement.EXISTING`` or ``FAILED``.
    """
    if summary.is_empty:
        return CheckoutResult(Placement.EMPTY, notices=summary.notices)
    if summary.discount_problem:  # the code expired or ran out since it was entered
        refused = _discount_refused(summary.discount_problem)
        return CheckoutResult(Placement.CHANGED, notices=[refused])
    if summary.notices or summary_fingerprint(summary) != shown_fingerprint:
        return CheckoutResult(Placement.CHANGED, notices=summary.notices or [_CHANGED()])
    try:
        order = _reserve(summary, details, checkout_key(checkout_token), user)
    except _AlreadyPlaced as placed:
        return _already_placed(placed.order)
    except _DiscountRefused as refused:
        return CheckoutResult(Placement.CHANGED, notices=[_discount_refused(refused.message)])
    except _StockChanged as changed:
        return CheckoutResult(Placement.CHANGED, notices=changed.notices)
    except IntegrityError:  # the same form committed a moment ago by a parallel request
        # (write_lock rolled the session back, so it can read that order)
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
    return _settle_authorization(order, result, summary.cart_id)


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


def _discount_refused(problem: str) -> str:
    return _(
        "%(problem)s Your order was not placed and you have not been charged: remove the code "
        "to place it without the discount.",
        problem=problem,
    )


def _BUSY() -> str:
    return _("The shop is very busy right now. You have not been charged: please try again.")


def _reserve(summary: CartSummary, details: CheckoutDetails, key: str, user: User | None) -> Order:
    """Check and take the stock, and create the order (status pending payment), in one
    locked transaction. Raises _AlreadyPlaced, _StockChanged."""
    wanted = {line.variant.id: (line.quantity, line.unit_price_cents) for line in summary.lines}
    shares = {line.variant.id: line.discount_cents for line in summary.lines}
    tax = summary.tax
    # The tax snapshot per variant: (class, rate, tax), from the summary's breakdown.
    snapshot = zip(tax.line_classes, tax.line_percent_thousandths, tax.line_tax_cents, strict=True)
    line_tax = dict(zip((line.variant.id for line in summary.lines), snapshot, strict=False))
    class_names = tax_services.class_names() if tax.tax_lines else {}
    shipping_cents = summary.shipping_cents
    delivery = summary.delivery
    user_id = user.id if user is not None else None
    # The new order stays loaded after the commit: nobody else settles it before
    # ``reconcile_after``, by when this request has ended.
    with write_lock(keep_loaded=True):
        by_id = {variant.id: variant for variant in lock_variants(wanted)}
        # Read after the locks: a parallel request with the same form that held them has
        # committed its order by now (PostgreSQL reads what is committed at each statement).
        found = _order_of_key(key)
        if found is not None:
            raise _AlreadyPlaced(found)
        notices = _stock_notices(wanted, by_id)
        if notices:
            raise _StockChanged(notices)
        code = _locked_code(summary, details, user_id)
        lines = []
        for variant_id, (quantity, price) in sorted(wanted.items()):  # all locked above
            taken = db.session.execute(
                _TAKE_STOCK, {"variant_id": variant_id, "quantity": quantity}
            )
            if taken.rowcount != 1:  # only without row locks could this happen
                raise _StockChanged([_CHANGED()])
            variant = by_id[variant_id]
            tax_class, tax_rate, tax_cents = line_tax.get(variant_id, ("", 0, 0))
            lines.append(
                {
                    "tax_class": tax_class,
                    "tax_percent_thousandths": tax_rate,
                    "tax_cents": tax_cents,
                    "product_id": variant.product_id,
                    "variant_id": variant.id,
                    "name": variant.product.name,
                    "variant_title": variant.title[:200],
                    "sku": variant.sku,
                    "unit_price_cents": price,
                    "quantity": quantity,
                    "line_total_cents": price * quantity,
                    "discount_cents": shares[variant_id] if code is not None else 0,
                }
            )
        refresh_stock_totals(variant.product_id for variant in by_id.values())
        subtotal = sum(line["line_total_cents"] for line in lines)
        discount = sum(line["discount_cents"] for line in lines)
        now = utcnow()
        order = insert_order(
            {
                "number": _unused_number(),
                "status": S.PENDING_PAYMENT,
                "user_id": user_id,
                "checkout_key": key,
                "email": details.email,
                "phone": details.phone,
                "currency": current_app.config["CURRENCY"],
                "language": current_language(),
                "subtotal_cents": subtotal,
                "shipping_cents": shipping_cents,
                "shipping_method_name": delivery.name if delivery else "",
                "discount_code": code.code if code is not None else "",
                "discount_code_id": code.id if code is not None else None,
                "discount_cents": discount,
                "shipping_discount_cents": (
                    summary.shipping_discount_cents if code is not None else 0
                ),
                "tax_cents": tax.tax_cents,
                "shipping_tax_cents": tax.shipping_tax_cents,
                "prices_include_tax": tax.included,
                "total_cents": subtotal - discount + shipping_cents + tax.added_cents,
                "created_at": now,
                "updated_at": now,
                **{f"billing_{k}": details.billing.get(k) or "" for k in ADDRESS_PARTS},
                **{f"shipping_{k}": details.shipping.get(k) or "" for k in ADDRESS_PARTS},
            },
            lines,
            [
                {
                    "tax_class": t.tax_class,
                    "class_name": class_names.get(t.tax_class, t.tax_class)[:80],
                    "percent_thousandths": t.percent_thousandths,
                    "base_cents": t.base_cents,
                    "tax_cents": t.tax_cents,
                }
                for t in tax.tax_lines
            ],
            {
                "from_status": None,
                "to_status": S.PENDING_PAYMENT,
                "actor_label": CUSTOMER,
                "created_at": now,
            },
        )
    log.info("order %s created, %d lines, stock reserved", order.number, len(lines))
    return order


def _locked_code(
    summary: CartSummary, details: CheckoutDetails, user_id: int | None
) -> DiscountCode | None:
    """The summary's discount code read again under its row lock (after the products'), its
    uses counted then; raises _DiscountRefused when it no longer applies."""
    if not summary.discount_code:
        return None
    code = db.session.scalar(
        select(DiscountCode)
        .where(DiscountCode.lookup_key == lookup_key(summary.discount_code))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    uses = usage.for_limits(code, user_id, details.email) if code is not None else usage.Usage()
    refusal = pricing.refusal(code, shop_today(), uses)
    if refusal is not None:
        raise _DiscountRefused(pricing.message(refusal, code, summary.discount_code))
    return code


def _stock_notices(
    wanted: dict[int, tuple[int, int]], variants: dict[int, ProductVariant]
) -> list[str]:
    notices = []
    for variant_id, (quantity, price) in wanted.items():
        variant = variants.get(variant_id)
        if variant is None or not variant.is_active or not variant.product.is_active:
            notices.append(_("One of the products in your cart is no longer available."))
            continue
        name = f"“{line_name(variant.product, variant)}”"
        if variant.stock < quantity:
            if variant.stock <= 0:
                notices.append(_("Sorry, %(name)s sold out a moment ago.", name=name))
            else:
                notices.append(
                    _(
                        "Sorry, only %(num)d of %(name)s are left now.",
                        num=variant.stock,
                        name=name,
                    )
                )
        elif variant.effective_price_cents != price:
            notices.append(
                _(
                    "The price of %(name)s changed from %(old)s to %(new)s.",
                    name=name,
                    old=format_money(price),
                    new=format_money(variant.effective_price_cents),
                )
            )
    return notices


def _unused_number() -> str:
    while True:
        number = new_order_number()
        if read_value(_NUMBER_TAKEN, number=number) is None:
            return number


def _settle_authorization(order: Order, result: PaymentResult, cart_id: int) -> CheckoutResult:
    """Record what ``authorize`` answered for a pending order."""
    if result.outcome is Outcome.APPROVED:
        # Nothing read below depends on what is written here: one flush, at the commit.
        with db.session.no_autoflush:
            record_sale(order, sale_values(result))  # Core statements: the order is new
            issue_invoice(order)  # numbered in this transaction
            clear_cart(cart_id)
            emails.send_confirmation(order)
            staff_notices.send_new_order_notices(order)
        commit_keeping_loaded()  # the order page's redirect reads it
        log.info("order %s paid (transaction %s)", order.number, result.transaction_id)
        return CheckoutResult(Placement.PLACED, order)
    if result.outcome is Outcome.UNAVAILABLE and result.customer_message is not UNREACHABLE:
        # Braintree may hold the money: keep the stock, empty the cart so the customer does not
        # pay again, and let reconciliation settle it.
        note = _("No answer from Braintree (%(error)s).", error=",".join(result.error_codes))
        move(order, S.PAYMENT_UNKNOWN, note=note)
        clear_cart(cart_id)
        db.session.commit()
        log.warning("order %s: payment outcome unknown, to reconcile", order.number)
        return CheckoutResult(Placement.UNKNOWN, order, message=str(result.customer_message))
    # Declined, rejected, invalid, or the request certainly never reached Braintree (a
    # connection that could not be opened, a 503): nothing was charged.
    number = order.number
    with write_lock():
        order = lock_order(number)
        if order.status == S.PENDING_PAYMENT:  # else settled meanwhile (reconciliation)
            release_stock(order)
            codes = ", ".join(c for c in [*result.error_codes, result.processor_response_code] if c)
            note = str(OUTCOME_NOTES[result.outcome])
            move(order, S.PAYMENT_FAILED, note=f"{note} ({codes})" if codes else note)
    log.info("order %s: payment %s, stock released", order.number, result.outcome.value)
    return CheckoutResult(
        Placement.FAILED, order, message=str(result.customer_message or _("Payment failed."))
    )
