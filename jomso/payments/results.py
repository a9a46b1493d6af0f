"""What payment operations answer, in the shop's terms: outcomes, results, events and errors.

No Braintree objects here: :class:`PaymentResult` and :class:`WebhookEvent` carry plain values
(amounts in integer cents, Braintree's status strings), and the exceptions are the shop's own.
The status sets say which of Braintree's transaction statuses hold, capture or settle money.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from jomso.payments.messages import Message

# Money is held on the card (authorized) or taken (captured) in these statuses.
HELD_STATUSES = frozenset(
    {
        "authorizing",
        "authorized",
        "submitted_for_settlement",
        "settlement_pending",
        "settling",
        "settled",
        "settlement_confirmed",
    }
)
CAPTURED_STATUSES = HELD_STATUSES - {"authorizing", "authorized"}
SETTLED_STATUSES = frozenset({"settled", "settlement_confirmed"})
DECLINED_STATUSES = frozenset({"processor_declined", "failed", "settlement_declined"})


class Outcome(enum.Enum):
    APPROVED = "approved"  # the operation went through
    DECLINED = "declined"  # the bank or card network said no (processor_declined, failed)
    REJECTED = "rejected"  # Braintree's own checks said no (fraud, CVV, AVS, duplicate...)
    INVALID = "invalid"  # a validation error: unknown or used nonce, refund too large...
    UNAVAILABLE = "unavailable"  # timeout, network, 5xx, credentials: outcome not known


class PaymentError(Exception):
    """Base of the payment exceptions."""


class GatewayUnavailable(PaymentError):
    """A read (client token, find) could not reach Braintree; nothing can be concluded."""


class InvalidWebhook(PaymentError):
    """A webhook whose signature does not verify or whose payload cannot be read."""


@dataclass(frozen=True)
class PaymentResult:
    """What an operation did, in the shop's terms. Amounts are integer cents."""

    outcome: Outcome
    transaction_id: str | None = None
    status: str | None = None  # Braintree's status string: authorized, settled, voided...
    kind: str | None = None  # "sale", or "credit" for a refund
    amount_cents: int | None = None
    order_number: str | None = None
    card_brand: str | None = None  # Braintree's card type: "Visa", "MasterCard"...
    card_last4: str | None = None
    processor_response_code: str | None = None
    processor_response_text: str | None = None
    gateway_rejection_reason: str | None = None
    customer_message: Message | None = None  # translated; None when approved
    error_codes: list[str] = field(default_factory=list)
    refunded_transaction_id: str | None = None
    # A partial settlement's authorization (its parent transaction).
    authorized_transaction_id: str | None = None
    created_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.APPROVED

    @property
    def is_authorized(self) -> bool:
        """Money is held on the card or already taken (captured, settling, settled)."""
        return self.status in HELD_STATUSES

    @property
    def is_captured(self) -> bool:
        return self.status in CAPTURED_STATUSES

    @property
    def is_settled(self) -> bool:
        return self.status in SETTLED_STATUSES


@dataclass(frozen=True)
class WebhookEvent:
    """A verified Braintree webhook notification, reduced to what the shop records."""

    kind: str  # dispute_opened, dispute_won, dispute_lost, refund_failed, check...
    timestamp: datetime
    transaction_id: str | None = None
    order_number: str | None = None
    amount_cents: int | None = None
    transaction_status: str | None = None
    dispute_id: str | None = None
    dispute_status: str | None = None
    dispute_reason: str | None = None
    dispute_reply_by: date | None = None
