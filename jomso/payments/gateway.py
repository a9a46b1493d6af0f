"""The payment gateway adapter: the few Braintree operations the shop needs, as our own results.

One ``braintree.BraintreeGateway`` is built per app (``app.extensions["jomso.payments"]``). With
credentials it talks to Braintree; without them (demo payments mode) the same SDK talks to
:class:`~jomso.payments.offline.transport.OfflineGateway`, which answers like Braintree's sandbox.

Write operations (authorize, capture, void, refund, settle) always return a
:class:`PaymentResult`; timeouts, network faults, 5xx answers and credential problems become
``Outcome.UNAVAILABLE`` and never escape as exceptions. Read operations (client token, find,
find by order) raise :class:`GatewayUnavailable` instead, because an empty answer there would be
mistaken for "no payment". Nonces, device data and card numbers are never logged or kept: the
log lines carry the operation, order number, transaction id, outcome, status and codes.
"""

from __future__ import annotations

import base64
import enum
import logging
import secrets
import string
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

import requests
from babel.numbers import get_currency_precision
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

with warnings.catch_warnings():
    # braintree 4.x emits a DeprecationWarning about one of its own enums while it is being
    # imported; it says nothing about our code, and tests turn warnings into errors.
    warnings.simplefilter("ignore", DeprecationWarning)
    import braintree
from braintree.exceptions import (
    AuthenticationError,
    AuthorizationError,
    GatewayTimeoutError,
    InvalidSignatureError,
    NotFoundError,
    RequestTimeoutError,
    ServerError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnexpectedError,
    UpgradeRequiredError,
)
from braintree.exceptions.http.timeout_error import ConnectTimeoutError
from braintree.util.crypto import Crypto

from jomso.payments import messages
from jomso.payments.messages import Message
from jomso.payments.offline.shapes import to_xml
from jomso.payments.offline.store import STORE_NAME
from jomso.payments.offline.transport import OfflineGateway

log = logging.getLogger("jomso.payments")

EXTENSION_KEY = "jomso.payments"
ENVIRONMENTS = {
    "sandbox": braintree.Environment.Sandbox,
    "production": braintree.Environment.Production,
}
CREDENTIAL_SETTINGS = ("BRAINTREE_MERCHANT_ID", "BRAINTREE_PUBLIC_KEY", "BRAINTREE_PRIVATE_KEY")
# Demo payments mode signs in to the offline gateway with these; they are not secrets.
DEMO_MERCHANT_ID = "jomso_demo"
DEMO_PUBLIC_KEY = "jomso_demo_public_key"
DEMO_PRIVATE_KEY = "jomso_demo_private_key"

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

# Dispute webhook kinds and the status the dispute has in them.
DISPUTE_STATUSES = {
    "dispute_opened": "open",
    "dispute_under_review": "under_review",
    "dispute_disputed": "disputed",
    "dispute_won": "won",
    "dispute_lost": "lost",
    "dispute_accepted": "accepted",
    "dispute_auto_accepted": "auto_accepted",
    "dispute_expired": "expired",
}

# Faults after which Braintree may or may not have processed the request: "unavailable".
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    AuthenticationError,
    AuthorizationError,
    GatewayTimeoutError,
    RequestTimeoutError,
    ServerError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UpgradeRequiredError,
    UnexpectedError,  # includes the SDK's wrapped timeouts and connection errors
    requests.exceptions.RequestException,
    ExpatError,  # an answer that is not Braintree's XML (a proxy's error page)
)
# Of those, the ones where the request certainly was not processed.
_NOT_PROCESSED = (
    AuthenticationError,
    AuthorizationError,
    ConnectTimeoutError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UpgradeRequiredError,
    requests.exceptions.ConnectTimeout,
)
_OPERATOR_FAULTS = (AuthenticationError, AuthorizationError, UpgradeRequiredError)


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


@dataclass(frozen=True)
class DemoCard:
    """A test card the demo checkout offers; ``nonce`` is posted as ``payment_method_nonce``."""

    nonce: str
    label: Message
    outcome: Message


def demo_cards() -> tuple[DemoCard, ...]:
    """The test cards the demo checkout offers, in display order."""
    return (
        DemoCard("fake-valid-visa-nonce", _l("Visa ending 1111"), _l("approved")),
        DemoCard("fake-valid-mastercard-nonce", _l("Mastercard ending 4444"), _l("approved")),
        DemoCard(
            "fake-processor-declined-visa-nonce",
            _l("Visa ending 1115"),
            _l("declined by the bank"),
        ),
        DemoCard(
            "fake-gateway-rejected-fraud-nonce",
            _l("Visa ending 1511"),
            _l("rejected by fraud checks"),
        ),
    )


class PaymentGateway:
    """The adapter around one ``braintree.BraintreeGateway``; one per app."""

    def __init__(
        self,
        *,
        environment: str,
        merchant_id: str,
        public_key: str,
        private_key: str,
        merchant_account_id: str = "",
        timeout: float = 30,
        currency: str = "USD",
        offline_store: Path | None = None,
    ) -> None:
        if environment not in ENVIRONMENTS:
            raise ValueError(
                f"Braintree environment must be sandbox or production: {environment!r}"
            )
        self.environment = environment
        self.demo = offline_store is not None
        self.merchant_account_id = merchant_account_id or None
        self.currency = currency
        self._precision = get_currency_precision(currency)
        options: dict[str, Any] = {"timeout": timeout, "wrap_http_exceptions": True}
        if offline_store is not None:
            options["http_strategy"] = OfflineGateway.for_store(offline_store, currency)
        self.braintree = braintree.BraintreeGateway(
            braintree.Configuration(
                ENVIRONMENTS[environment], merchant_id, public_key, private_key, **options
            )
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_path: str) -> PaymentGateway:
        """The gateway the settings describe: demo mode when a credential is missing."""
        common = {
            "merchant_account_id": str(config.get("BRAINTREE_MERCHANT_ACCOUNT_ID") or ""),
            "timeout": float(config.get("BRAINTREE_TIMEOUT") or 30),
            "currency": config.get("CURRENCY", "USD"),
        }
        if _demo_settings(config):
            return cls(
                environment="sandbox",
                merchant_id=DEMO_MERCHANT_ID,
                public_key=DEMO_PUBLIC_KEY,
                private_key=DEMO_PRIVATE_KEY,
                offline_store=Path(instance_path) / STORE_NAME,
                **common,
            )
        return cls(
            environment=str(config.get("BRAINTREE_ENVIRONMENT") or "sandbox"),
            # Environment values are read as JSON, so an all-digit id arrives as an int.
            merchant_id=str(config["BRAINTREE_MERCHANT_ID"]),
            public_key=str(config["BRAINTREE_PUBLIC_KEY"]),
            private_key=str(config["BRAINTREE_PRIVATE_KEY"]),
            **common,
        )

    # -- reads -------------------------------------------------------------------------------

    def client_token(self) -> str:
        """A client token for the browser's Hosted Fields. Raises GatewayUnavailable."""
        params = (
            {"merchant_account_id": self.merchant_account_id} if self.merchant_account_id else {}
        )
        try:
            return self.braintree.client_token.generate(params)
        except (*UNAVAILABLE_ERRORS, ValueError) as exc:  # ValueError: Braintree refused
            self._log_fault("client_token", None, exc)
            raise GatewayUnavailable(type(exc).__name__) from exc

    def find(self, transaction_id: str) -> PaymentResult | None:
        """The transaction as Braintree holds it now; None when unknown."""
        try:
            transaction = self.braintree.transaction.find(transaction_id)
        except NotFoundError:
            return None
        except UNAVAILABLE_ERRORS as exc:
            self._log_fault("find", transaction_id, exc)
            raise GatewayUnavailable(type(exc).__name__) from exc
        return self._from_transaction(transaction)

    def find_by_order(self, order_number: str) -> list[PaymentResult]:
        """Every transaction (sales and refunds) carrying this order number, newest first."""
        try:
            found = self.braintree.transaction.search(
                braintree.TransactionSearch.order_id == order_number
            )
            transactions = list(found.items)
        except UNAVAILABLE_ERRORS as exc:
            self._log_fault("find_by_order", order_number, exc)
            raise GatewayUnavailable(type(exc).__name__) from exc
        results = [self._from_transaction(transaction) for transaction in transactions]
        results.sort(key=lambda r: r.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        return results

    # -- writes ------------------------------------------------------------------------------

    def authorize(
        self,
        order_number: str,
        amount_cents: int,
        nonce: str,
        device_data: str | None = None,
        idempotency_key: str | None = None,
    ) -> PaymentResult:
        """Hold ``amount_cents`` on the card behind ``nonce`` for ``order_number`` (a sale that
        is not submitted for settlement). ``idempotency_key`` is sent as Braintree's
        ``api_request_key``: a retry with the same key does not charge twice."""
        params: dict[str, Any] = {
            "amount": self._amount(amount_cents),
            "payment_method_nonce": nonce,
            "order_id": order_number,
            "options": {"submit_for_settlement": False},
        }
        if self.merchant_account_id:
            params["merchant_account_id"] = self.merchant_account_id
        if device_data:
            params["device_data"] = device_data
        if idempotency_key:
            params["api_request_key"] = idempotency_key
        return self._call(
            "authorize", order_number, lambda: self.braintree.transaction.sale(params)
        )

    def capture(self, transaction_id: str, amount_cents: int | None = None) -> PaymentResult:
        """Submit an authorized transaction for settlement: all of it, or ``amount_cents``."""
        amount = None if amount_cents is None else self._amount(amount_cents)
        return self._call(
            "capture",
            transaction_id,
            lambda: self.braintree.transaction.submit_for_settlement(transaction_id, amount),
        )

    def void(self, transaction_id: str) -> PaymentResult:
        """Cancel an authorization (or a capture not yet settled): nothing is charged."""
        return self._call(
            "void", transaction_id, lambda: self.braintree.transaction.void(transaction_id)
        )

    def refund(
        self,
        transaction_id: str,
        amount_cents: int | None = None,
        idempotency_key: str | None = None,
    ) -> PaymentResult:
        """Refund a settled transaction: what is left of it, or ``amount_cents``. The result
        describes the new refund (a ``credit`` transaction). Give an ``idempotency_key`` (e.g.
        the shop's refund record id) so retrying after UNAVAILABLE cannot refund twice."""
        options: dict[str, Any] = {
            "amount": None if amount_cents is None else self._amount(amount_cents)
        }
        if idempotency_key:
            options["api_request_key"] = idempotency_key
        return self._call(
            "refund",
            transaction_id,
            lambda: self.braintree.transaction.refund(transaction_id, options),
        )

    def settle(self, transaction_id: str) -> PaymentResult:
        """Settle a captured transaction now, as Braintree's nightly batch would. Sandbox and
        demo only (tests, demonstrations); refused in production."""
        self._refuse_in_production("settle")
        return self._call(
            "settle",
            transaction_id,
            lambda: self.braintree.testing.settle_transaction(transaction_id),
        )

    # -- webhooks ----------------------------------------------------------------------------

    def parse_webhook(self, bt_signature: str, bt_payload: str) -> WebhookEvent:
        """Verify and read a webhook POST (``bt_signature``, ``bt_payload``)."""
        try:
            notification = self.braintree.webhook_notification.parse(bt_signature, bt_payload)
        except InvalidSignatureError as exc:
            raise InvalidWebhook(str(exc)) from exc
        except (ValueError, TypeError, KeyError, AttributeError, ExpatError) as exc:
            raise InvalidWebhook(f"unreadable payload ({type(exc).__name__})") from exc
        return self._webhook_event(notification)

    def sample_webhook(self, kind: str, transaction_id: str) -> dict[str, str]:
        """A signed notification as Braintree would POST it, for tests and the demo.

        Dispute kinds (``dispute_opened``, ``dispute_won``, ``dispute_lost``...) describe a
        chargeback on ``transaction_id`` with its real amount and order number; other kinds
        come from the SDK's ``webhook_testing`` (``refund_failed``, ``check``...).
        """
        self._refuse_in_production("sample_webhook")
        config = self.braintree.config
        if kind not in DISPUTE_STATUSES:
            with warnings.catch_warnings():
                # The SDK's sample uses datetime.utcnow(), deprecated from Python 3.12 on.
                warnings.simplefilter("ignore", DeprecationWarning)
                sample = self.braintree.webhook_testing.sample_notification(kind, transaction_id)
            payload = sample["bt_payload"]
            if isinstance(payload, bytes):
                payload = payload.decode("ascii")
            return {"bt_signature": sample["bt_signature"], "bt_payload": payload}
        payment = self.find(transaction_id)
        if payment is None:
            raise ValueError(f"no transaction {transaction_id!r} to dispute")
        amount = self._amount(payment.amount_cents or 0)
        now = datetime.now(UTC)
        dispute_status = DISPUTE_STATUSES[kind]
        dispute = {
            "id": "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8)),
            "amount": amount,
            "amount_disputed": amount,
            "amount_won": amount if dispute_status == "won" else "0.00",
            "case_number": "CASE-" + secrets.token_hex(3).upper(),
            "created_at": now,
            "updated_at": now,
            "currency_iso_code": self.currency,
            "kind": "chargeback",
            "reason": "fraud",
            "status": dispute_status,
            "received_date": now.date(),
            "reply_by_date": date.fromordinal(now.date().toordinal() + 7),
            "transaction": {
                "id": payment.transaction_id,
                "amount": amount,
                "order_id": payment.order_number,
                "created_at": payment.created_at or now,
            },
        }
        notification = {"timestamp": now, "kind": kind, "subject": {"dispute": dispute}}
        payload = base64.encodebytes(to_xml("notification", notification).encode()).decode()
        digest = Crypto.sha1_hmac_hash(config.private_key, payload)
        return {"bt_signature": f"{config.public_key}|{digest}", "bt_payload": payload}

    # -- internals ---------------------------------------------------------------------------

    def _call(self, operation: str, reference: str, send: Callable[[], Any]) -> PaymentResult:
        try:
            result = send()
        except NotFoundError:
            payment = PaymentResult(
                Outcome.INVALID, error_codes=["not_found"], customer_message=messages.NOT_FOUND
            )
        except UNAVAILABLE_ERRORS as exc:
            self._log_fault(operation, reference, exc)
            # The outcome is unknown: Braintree may have done it. Callers check with find or
            # find_by_order before trying again (or retry with the same idempotency key).
            return PaymentResult(
                Outcome.UNAVAILABLE,
                order_number=reference if operation == "authorize" else None,
                error_codes=[type(exc).__name__],
                customer_message=messages.for_unavailable(
                    reached=not isinstance(exc, _NOT_PROCESSED)
                ),
            )
        else:
            payment = self._from_result(result)
        codes = payment.error_codes + [c for c in [payment.processor_response_code] if c]
        log.info(
            "payment %s order=%s transaction=%s outcome=%s status=%s codes=%s",
            operation,
            payment.order_number or (reference if operation == "authorize" else None),
            payment.transaction_id or (None if operation == "authorize" else reference),
            payment.outcome.value,
            payment.status,
            ",".join(codes),
        )
        return payment

    def _from_result(self, result: Any) -> PaymentResult:
        if result.is_success:
            return self._from_transaction(result.transaction, Outcome.APPROVED)
        if result.transaction is not None:
            return self._from_transaction(result.transaction)
        codes = [str(error.code) for error in result.errors.deep_errors]
        return PaymentResult(
            Outcome.INVALID, error_codes=codes, customer_message=messages.for_validation(codes)
        )

    def _from_transaction(self, txn: Any, outcome: Outcome | None = None) -> PaymentResult:
        status = txn.status
        if outcome is None:
            outcome = _outcome_for(status)
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
            amount_cents=self._cents(txn.amount),
            order_number=getattr(txn, "order_id", None),
            card_brand=getattr(card, "card_type", None),
            card_last4=getattr(card, "last_4", None),
            processor_response_code=getattr(txn, "processor_response_code", None),
            processor_response_text=getattr(txn, "processor_response_text", None),
            gateway_rejection_reason=getattr(txn, "gateway_rejection_reason", None),
            customer_message=message,
            refunded_transaction_id=getattr(txn, "refunded_transaction_id", None),
            created_at=_aware(getattr(txn, "created_at", None)),
        )

    def _webhook_event(self, notification: Any) -> WebhookEvent:
        kind = notification.kind
        timestamp = _aware(notification.timestamp) or datetime.now(UTC)
        dispute = getattr(notification, "dispute", None)
        if dispute is not None:
            details = getattr(dispute, "transaction", None)
            amount = getattr(dispute, "amount_disputed", None) or getattr(dispute, "amount", None)
            return WebhookEvent(
                kind=kind,
                timestamp=timestamp,
                transaction_id=getattr(details, "id", None),
                order_number=getattr(details, "order_id", None),
                amount_cents=None if amount is None else self._cents(amount),
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
                amount_cents=self._cents(transaction.amount),
                transaction_status=getattr(transaction, "status", None),
            )
        return WebhookEvent(kind=kind, timestamp=timestamp)

    def _amount(self, cents: int) -> str:
        if isinstance(cents, bool) or not isinstance(cents, int):
            raise TypeError(f"amounts are integer cents, not {type(cents).__name__}")
        return f"{Decimal(cents).scaleb(-self._precision):.{self._precision}f}"

    def _cents(self, amount: Decimal | str) -> int:
        return int(Decimal(amount).scaleb(self._precision).to_integral_value())

    def _refuse_in_production(self, operation: str) -> None:
        if self.environment == "production":
            raise RuntimeError(f"{operation}() is a sandbox testing call; refused in production")

    def _log_fault(self, operation: str, reference: str | None, exc: BaseException) -> None:
        level = logging.ERROR if isinstance(exc, _OPERATOR_FAULTS) else logging.WARNING
        log.log(
            level,
            "payment %s ref=%s outcome=unavailable error=%s",
            operation,
            reference,
            type(exc).__name__,
        )


def _outcome_for(status: str) -> Outcome:
    if status in DECLINED_STATUSES:
        return Outcome.DECLINED
    if status == "gateway_rejected":
        return Outcome.REJECTED
    return Outcome.APPROVED


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _demo_settings(config: Mapping[str, Any]) -> bool:
    return not all(config.get(name) for name in CREDENTIAL_SETTINGS)


# -- the app's gateway -----------------------------------------------------------------------


def is_demo_mode(app: Flask | None = None) -> bool:
    """True when a Braintree credential is missing: payments go to the offline gateway."""
    return _demo_settings((app or current_app).config)


def get_gateway(app: Flask | None = None) -> PaymentGateway:
    """The app's payment gateway (built by :func:`init_payments`)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def init_payments(app: Flask) -> None:
    """Build the app's gateway; refuse demo payments in production unless allowed."""
    config = app.config
    environment = config.get("BRAINTREE_ENVIRONMENT")
    if environment not in ENVIRONMENTS:
        raise RuntimeError(
            f"JOMSO_BRAINTREE_ENVIRONMENT must be 'sandbox' or 'production', not {environment!r}."
        )
    if is_demo_mode(app):
        missing = [f"JOMSO_{name}" for name in CREDENTIAL_SETTINGS if not config.get(name)]
        if config.get("ENV") == "production" and not config.get("ALLOW_DEMO_PAYMENTS"):
            raise RuntimeError(
                "Refusing to start in production with demo payments: "
                f"{', '.join(missing)} not set. Set the Braintree credentials to take real "
                "payments, or set JOMSO_ALLOW_DEMO_PAYMENTS=true to run a demo shop in which "
                "no card is ever charged."
            )
        if len(missing) < len(CREDENTIAL_SETTINGS):
            log.warning("Braintree settings incomplete (%s missing): demo payments", missing)
        elif config.get("ENV") == "production":
            log.warning("Demo payments in production mode: no card is charged")
    app.extensions[EXTENSION_KEY] = PaymentGateway.from_config(config, app.instance_path)

    @app.context_processor
    def _payments_context() -> dict[str, bool]:
        return {"demo_payments": is_demo_mode()}


# -- the operations, on the current app's gateway ----------------------------------------------


def client_token() -> str:
    return get_gateway().client_token()


def authorize(
    order_number: str,
    amount_cents: int,
    nonce: str,
    device_data: str | None = None,
    idempotency_key: str | None = None,
) -> PaymentResult:
    return get_gateway().authorize(
        order_number,
        amount_cents,
        nonce,
        device_data=device_data,
        idempotency_key=idempotency_key,
    )


def capture(transaction_id: str, amount_cents: int | None = None) -> PaymentResult:
    return get_gateway().capture(transaction_id, amount_cents)


def void(transaction_id: str) -> PaymentResult:
    return get_gateway().void(transaction_id)


def refund(
    transaction_id: str, amount_cents: int | None = None, idempotency_key: str | None = None
) -> PaymentResult:
    return get_gateway().refund(transaction_id, amount_cents, idempotency_key=idempotency_key)


def find(transaction_id: str) -> PaymentResult | None:
    return get_gateway().find(transaction_id)


def find_by_order(order_number: str) -> list[PaymentResult]:
    return get_gateway().find_by_order(order_number)


def settle(transaction_id: str) -> PaymentResult:
    return get_gateway().settle(transaction_id)


def parse_webhook(bt_signature: str, bt_payload: str) -> WebhookEvent:
    return get_gateway().parse_webhook(bt_signature, bt_payload)


def sample_webhook(kind: str, transaction_id: str) -> dict[str, str]:
    return get_gateway().sample_webhook(kind, transaction_id)
