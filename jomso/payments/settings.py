"""Which Braintree the shop talks to: sandbox, production, or the offline gateway (demo mode).

Demo payments mode is chosen when any of the three Braintree credentials is missing: the
adapter then signs in to the offline gateway with a fixed demo merchant id and public key, and
keeps its transactions in the instance folder. Its private key, which signs and verifies webhook
notifications, is generated once per shop into ``instance/demo-braintree-key`` (mode 0600):
nobody can sign a notification the shop accepts without reading that file. The demo checkout
offers the test cards listed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import braintree
from flask_babel import lazy_gettext as _l

from jomso.config import Defaults
from jomso.instance_secrets import instance_secret
from jomso.payments.messages import Message
from jomso.payments.offline.store import STORE_NAME

ENVIRONMENTS = {
    "sandbox": braintree.Environment.Sandbox,
    "production": braintree.Environment.Production,
}
CREDENTIAL_SETTINGS = ("BRAINTREE_MERCHANT_ID", "BRAINTREE_PUBLIC_KEY", "BRAINTREE_PRIVATE_KEY")
# Demo payments mode signs in to the offline gateway with these; they are not secrets.
DEMO_MERCHANT_ID = "jomso_demo"
DEMO_PUBLIC_KEY = "jomso_demo_public_key"
# The demo private key (it signs webhooks) is generated per shop into this instance file.
DEMO_PRIVATE_KEY_FILE = "demo-braintree-key"


def demo_settings(config: Mapping[str, Any]) -> bool:
    """True when a Braintree credential is missing from ``config``: demo payments mode."""
    return not all(config.get(name) for name in CREDENTIAL_SETTINGS)


def gateway_settings(config: Mapping[str, Any], instance_path: str) -> dict[str, Any]:
    """The adapter's arguments the settings describe: demo mode when a credential is missing."""
    common = {
        "merchant_account_id": str(config.get("BRAINTREE_MERCHANT_ACCOUNT_ID") or ""),
        "timeout": float(config.get("BRAINTREE_TIMEOUT") or Defaults.BRAINTREE_TIMEOUT),
        "currency": config.get("CURRENCY", "USD"),
    }
    if demo_settings(config):
        return {
            "environment": "sandbox",
            "merchant_id": DEMO_MERCHANT_ID,
            "public_key": DEMO_PUBLIC_KEY,
            "private_key": instance_secret(instance_path, DEMO_PRIVATE_KEY_FILE),
            "offline_store": Path(instance_path) / STORE_NAME,
            **common,
        }
    return {
        "environment": str(config.get("BRAINTREE_ENVIRONMENT") or "sandbox"),
        # Environment values are read as JSON, so an all-digit id arrives as an int.
        "merchant_id": str(config["BRAINTREE_MERCHANT_ID"]),
        "public_key": str(config["BRAINTREE_PUBLIC_KEY"]),
        "private_key": str(config["BRAINTREE_PRIVATE_KEY"]),
        **common,
    }


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
