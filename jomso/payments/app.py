"""The running app's payment gateway: built by ``init_payments``, and the operations on it.

``init_payments`` checks the Braintree settings (refusing demo payments in production unless
allowed) and keeps one :class:`~jomso.payments.adapter.PaymentGateway` per app; the functions
below run each operation on the current app's gateway, so callers need no gateway object.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app

from jomso.payments.adapter import PaymentGateway
from jomso.payments.brands import card_brand_name
from jomso.payments.results import PaymentResult, WebhookEvent
from jomso.payments.settings import CREDENTIAL_SETTINGS, ENVIRONMENTS, demo_settings

log = logging.getLogger("jomso.payments")

EXTENSION_KEY = "jomso.payments"


def is_demo_mode(app: Flask | None = None) -> bool:
    """True when a Braintree credential is missing: payments go to the offline gateway."""
    return demo_settings((app or current_app).config)


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
    app.jinja_env.filters["card_brand"] = card_brand_name

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


def capture_part(
    transaction_id: str, amount_cents: int, order_number: str | None = None
) -> PaymentResult:
    return get_gateway().capture_part(transaction_id, amount_cents, order_number)


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
