"""Between the SDK's values and the shop's: amounts, transactions, results and notifications.

Braintree speaks decimal amount strings, naive UTC datetimes and its own ``Transaction``,
``SuccessfulResult``/``ErrorResult`` and ``WebhookNotification`` objects; the shop speaks
integer cents and :class:`~jomso.payments.results.PaymentResult` /
:class:`~jomso.payments.results.WebhookEvent`. These functions convert one into the other and
pick the customer message for a failed payment; they call nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from jomso.payments import messages
from jomso.payments.results import DECLINED_STATUSES, Outcome, PaymentResult, WebhookEvent


def to_amount(cents: int, precision: int) -> str:
    """Integer cents as Braintree's amount string (``1500`` -> ``"15.00"``)."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"amounts are integer cents, not {type(cents).__name__}")
    return f"{Decimal(cents).scaleb(-precision):.{precision}f}"


def to_cents(amount: Decimal | str, precision: int) -> int:
    """Braintree's amount as integer cents."""
    return int(Decimal(amount).scaleb(precision).to_integral_value())


def from_result(result: Any, precision: int) -> PaymentResult:
    """An SDK result (success, failed transaction or validation errors) as a PaymentResult."""
    if result.is_success:
        return from_transaction(result.transaction, precision, Outcome.APPROVED)
    if result.transaction is not None:
        return from_transaction(result.transaction, precision)
    codes = [str(error.code) for error in result.errors.deep_errors]
    return PaymentResult(
        Outcome.INVALID, error_codes=codes, customer_message=messages.for_validation(codes)
    )


def from_transaction(txn: Any, precision: int, outcome: Outcome | None = None) -> PaymentResult:
    """An SDK transaction as a PaymentResult; the outcome follows its status unless given."""
    status = txn.status
    if outcome is None:
        outcome = outcome_for(status)
    message = None
    if outcome is Outcome.DECLINED:
        message = messages.for_decline(getattr(txn, "processor_response_code", None))
    elif outcome is Outcome.REJECTED:
        message = messages.for_rejection(getattr(txn, "gateway_rejection_reason", None))
    card = getattr(txn, "credit_card_details", None)
    return PaymentResult(
        outcome,
        transaction_id=txn.id,
        status=status,
        kind=getattr(txn, "type", None),
        amount_cents=to_cents(txn.amount, precision),
        order_number=getattr(txn, "order_id", None),
        card_brand=getattr(card, "card_type", None),
        card_last4=getattr(card, "last_4", None),
        processor_response_code=getattr(txn, "processor_response_code", None),
        processor_response_text=getattr(txn, "processor_response_text", None),
        gateway_rejection_reason=getattr(txn, "gateway_rejection_reason", None),
        customer_message=message,
        refunded_transaction_id=getattr(txn, "refunded_transaction_id", None),
        authorized_transaction_id=getattr(txn, "authorized_transaction_id", None),
        created_at=aware(getattr(txn, "created_at", None)),
    )


def webhook_event(notification: Any, precision: int) -> WebhookEvent:
    """A verified SDK webhook notification as a WebhookEvent (dispute, transaction or bare)."""
    kind = notification.kind
    timestamp = aware(notification.timestamp) or datetime.now(UTC)
    dispute = getattr(notification, "dispute", None)
    if dispute is not None:
        details = getattr(dispute, "transaction", None)
        amount = getattr(dispute, "amount_disputed", None) or getattr(dispute, "amount", None)
        return WebhookEvent(
            kind=kind,
            timestamp=timestamp,
            transaction_id=getattr(details, "id", None),
            order_number=getattr(details, "order_id", None),
            amount_cents=None if amount is None else to_cents(amount, precision),
            dispute_id=getattr(dispute, "id", None),
            dispute_status=getattr(dispute, "status", None),
            dispute_reason=getattr(dispute, "reason", None),
            dispute_reply_by=getattr(dispute, "reply_by_date", None),
        )
    transaction = getattr(notification, "transaction", None)
    if transaction is not None:
        return WebhookEvent(
            kind=kind,
            timestamp=timestamp,
            transaction_id=transaction.id,
            order_number=getattr(transaction, "order_id", None),
            amount_cents=to_cents(transaction.amount, precision),
            transaction_status=getattr(transaction, "status", None),
        )
    return WebhookEvent(kind=kind, timestamp=timestamp)


def outcome_for(status: str) -> Outcome:
    """The outcome a transaction's status means (a sale that was not refused is approved)."""
    if status in DECLINED_STATUSES:
        return Outcome.DECLINED
    if status == "gateway_rejected":
        return Outcome.REJECTED
    return Outcome.APPROVED


def aware(moment: datetime | None) -> datetime | None:
    """The SDK's naive UTC datetime as an aware one."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
