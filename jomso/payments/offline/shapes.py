"""The XML the offline gateway speaks: Braintree's response shapes, and reading request amounts.

Requests arrive as the SDK's XML (read with the SDK's own ``XmlUtil``); answers are rendered
here the way Braintree's API renders them (dashed tags, typed attributes, ``nil``), so the SDK
parses them into real ``Transaction``, ``SuccessfulResult`` and ``ErrorResult`` objects: a
stored transaction as ``<transaction>``, a declined or rejected sale and a validation error as
``<api-error-response>`` (with the codes and wording Braintree uses), and search results.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

from jomso.payments.offline.store import parse_timestamp, timestamp

PAGE_SIZE = 50

# Validation errors: code -> (attribute, message), as Braintree words them.
ERRORS: dict[str, tuple[str, str]] = {
    "81502": ("amount", "Amount is required."),
    "81503": ("amount", "Amount is an invalid format."),
    "81531": ("amount", "Amount must be greater than zero."),
    "81715": ("number", "Credit card number is invalid."),
    "91504": (
        "base",
        "Transaction can only be voided if status is authorized, submitted_for_settlement, "
        "or - for PayPal - settlement_pending.",
    ),
    "91505": ("base", "Cannot refund credit"),
    "91506": ("base", "Cannot refund transaction unless it is settled."),
    "91507": ("base", "Cannot submit for settlement unless status is authorized."),
    "91508": ("base", "Cannot determine payment method."),
    "91512": ("base", "Transaction has already been fully refunded."),
    "91521": ("amount", "Refund amount is too large."),
    "91522": ("amount", "Settlement amount is too large."),
    "91564": ("payment_method_nonce", "Cannot use a payment_method_nonce more than once."),
    "91565": ("payment_method_nonce", "Unknown payment_method_nonce."),
    "91575": ("base", "Cannot simulate transaction settlement."),
    "915102": ("base", "Processor does not support partial settlement."),
    "915103": ("base", "Cannot submit for partial settlement."),
}

_AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")


class Array(list):
    """A list rendered as ``<tag type="array">`` with one ``<item_tag>`` per element."""

    def __init__(self, item_tag: str, items=()):
        super().__init__(items)
        self.item_tag = item_tag


def to_xml(tag: str, value: Any) -> str:
    """Render a value the way Braintree's API does: dashed tags, typed attributes, nil."""
    tag = tag.replace("_", "-")
    if value is None:
        return f'<{tag} nil="true"/>'
    if isinstance(value, bool):
        return f'<{tag} type="boolean">{"true" if value else "false"}</{tag}>'
    if isinstance(value, int):
        return f'<{tag} type="integer">{value}</{tag}>'
    if isinstance(value, datetime):
        return f'<{tag} type="datetime">{timestamp(value)}</{tag}>'
    if isinstance(value, date):
        return f'<{tag} type="date">{value.isoformat()}</{tag}>'
    if isinstance(value, Array):
        inner = "".join(to_xml(value.item_tag, item) for item in value)
        return f'<{tag} type="array">{inner}</{tag}>'
    if isinstance(value, dict):
        inner = "".join(to_xml(key, item) for key, item in value.items())
        return f"<{tag}>{inner}</{tag}>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def transaction_xml(txn: dict) -> str:
    """A stored transaction as Braintree's ``<transaction>`` element."""
    history = Array(
        "status_event",
        (
            {
                "timestamp": parse_timestamp(event["timestamp"]),
                "status": event["status"],
                "amount": event["amount"],
                "user": None,
                "transaction_source": "api",
            }
            for event in txn["status_history"]
        ),
    )
    card = txn["credit_card"]
    fields = {
        "id": txn["id"],
        "status": txn["status"],
        "type": txn["type"],
        "currency_iso_code": txn["currency_iso_code"],
        "amount": txn["amount"],
        "merchant_account_id": txn["merchant_account_id"],
        "order_id": txn["order_id"],
        "created_at": parse_timestamp(txn["created_at"]),
        "updated_at": parse_timestamp(txn["updated_at"]),
        "processor_response_code": txn["processor_response_code"],
        "processor_response_text": txn["processor_response_text"],
        "processor_response_type": txn["processor_response_type"],
        "processor_authorization_code": txn["processor_authorization_code"],
        "gateway_rejection_reason": txn["gateway_rejection_reason"],
        "refunded_transaction_id": txn["refunded_transaction_id"],
        "refund_ids": Array("item", txn["refund_ids"]),
        "authorized_transaction_id": txn.get("authorized_transaction_id"),
        "partial_settlement_transaction_ids": Array(
            "item", txn.get("partial_settlement_transaction_ids") or []
        ),
        "payment_instrument_type": "credit_card",
        "credit_card": {
            "token": None,
            "bin": card["bin"],
            "last_4": card["last_4"],
            "card_type": card["card_type"],
            "expiration_month": "12",
            "expiration_year": "2030",
            "cardholder_name": None,
            "customer_location": "US",
        },
        "status_history": history,
        "disputes": Array("dispute"),
    }
    return to_xml("transaction", fields)


def sale_response(txn: dict) -> tuple[int, str]:
    """A new sale's answer: 201 with the transaction, or 422 carrying it when it failed."""
    if txn["status"] not in ("processor_declined", "gateway_rejected", "failed"):
        return 201, transaction_xml(txn)
    if txn["status"] == "gateway_rejected":
        message = f"Gateway Rejected: {txn['gateway_rejection_reason']}"
    else:
        message = txn["processor_response_text"]
    body = (
        to_xml("errors", {"errors": Array("error")})
        + to_xml("params", {"transaction": {"amount": txn["amount"], "type": "sale"}})
        + to_xml("message", message)
        + transaction_xml(txn)
    )
    return 422, f"<api-error-response>{body}</api-error-response>"


def error_response(code: str, nested: tuple[str, ...]) -> tuple[int, str]:
    """A 422 validation error, nested under ``transaction`` (and deeper) as Braintree does."""
    attribute, message = ERRORS[code]
    node: dict = {
        "errors": Array("error", [{"code": code, "attribute": attribute, "message": message}])
    }
    for level in reversed(nested):
        node = {"errors": Array("error"), level: node}
    body = to_xml("errors", node) + to_xml("message", message)
    return 422, f"<api-error-response>{body}</api-error-response>"


def search_ids_xml(ids: list[str]) -> str:
    """The answer to an ids search: every matching id, on pages of ``PAGE_SIZE``."""
    results = {"page_size": PAGE_SIZE, "ids": Array("item", ids)}
    return to_xml("search_results", results)


def search_xml(found: list[dict]) -> str:
    """The answer to a search for one page of transactions: all of ``found``."""
    inner = "".join(transaction_xml(txn) for txn in found)
    head = (
        to_xml("current_page_number", 1)
        + to_xml("page_size", PAGE_SIZE)
        + to_xml("total_items", len(found))
    )
    return f'<credit-card-transactions type="collection">{head}{inner}</credit-card-transactions>'


def parse_amount(raw: Any) -> tuple[Decimal, str | None]:
    """A request's amount, and the validation error code when it is missing or malformed."""
    if raw is None or raw == "":
        return Decimal(0), "81502"
    text = str(raw).strip()
    if not _AMOUNT_RE.match(text):
        return Decimal(0), "81503"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return Decimal(0), "81503"
    if amount <= 0:
        return amount, "81531"
    return amount, None
