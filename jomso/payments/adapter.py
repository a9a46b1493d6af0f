"""The payment gateway adapter: the few Braintree operations the shop needs, as our own results.

:class:`PaymentGateway` wraps one ``braintree.BraintreeGateway`` and calls the SDK. With
credentials it talks to Braintree; without them (demo payments mode) the same SDK talks to
:class:`~jomso.payments.offline.transport.OfflineGateway`, which answers like Braintree's
sandbox.

Write operations (authorize, capture, void, refund, settle) always return a
:class:`~jomso.payments.results.PaymentResult`; timeouts, network faults, 5xx answers and
credential problems become ``Outcome.UNAVAILABLE`` and never escape as exceptions. Read
operations (client token, find, find by order) raise
:class:`~jomso.payments.results.GatewayUnavailable` instead, because an empty answer there would
be mistaken for "no payment". Nonces, device data and card numbers are never logged or kept: the
log lines carry the operation, order number, transaction id, outcome, status and codes.
"""

from __future__ import annotations

import base64
import logging
import secrets
import string
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

import braintree
import requests
from babel.numbers import get_currency_precision
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
from jomso.payments.offline.shapes import to_xml
from jomso.payments.offline.transport import OfflineGateway
from jomso.payments.results import (
    GatewayUnavailable,
    InvalidWebhook,
    Outcome,
    PaymentResult,
    WebhookEvent,
)
from jomso.payments.settings import ENVIRONMENTS, gateway_settings
from jomso.payments.translate import from_result, from_transaction, to_amount, webhook_event

log = logging.getLogger("jomso.payments")

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
        timeout: float = 10,
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
        return cls(**gateway_settings(config, instance_path))

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
        return from_transaction(transaction, self._precision)

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
        results = [from_transaction(transaction, self._precision) for transaction in transactions]
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

    def capture_part(
        self, transaction_id: str, amount_cents: int, order_number: str | None = None
    ) -> PaymentResult:
        """Settle ``amount_cents`` of an authorization and keep the rest authorized (Braintree's
        ``submit_for_partial_settlement``): one call per parcel. The result describes the new
        child transaction (``authorized_transaction_id`` is ``transaction_id``); the parent
        becomes ``settlement_pending``. Braintree refuses it for payment methods whose
        processor does not settle in parts (915102), for a parent that is not ``authorized`` or
        ``settlement_pending`` (915103), and when the parts would add up to more than was
        authorized (91522). After UNAVAILABLE, ``find_by_order(order_number)`` lists the child
        transactions made so far."""
        params = {"order_id": order_number} if order_number else None
        return self._call(
            "capture_part",
            transaction_id,
            lambda: self.braintree.transaction.submit_for_partial_settlement(
                transaction_id, self._amount(amount_cents), params
            ),
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
        return webhook_event(notification, self._precision)

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
            payment = from_result(result, self._precision)
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

    def _amount(self, cents: int) -> str:
        return to_amount(cents, self._precision)

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
