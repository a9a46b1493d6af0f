"""The offline gateway's API operations: what each Braintree call does to the stored transactions.

Each function answers one API request as Braintree would, ``(HTTP status, XML body)``:

* client token; sale (the nonce and amount rules decide its fate); ``api_request_key`` makes a
  sale or a refund idempotent: the same key answers with the first.
* find (404 when unknown), submit for settlement (only ``authorized``; at most the authorized
  amount, else 91522), void (``authorized`` or ``submitted_for_settlement``, else 91504), settle
  (the sandbox's ``testing.settle_transaction``: ``submitted_for_settlement`` to ``settled``),
  refund (only ``settled``/``settling``, else 91506; at most what is left, else 91521; nothing
  left: 91512) creating a ``credit`` transaction, and search by order id and ids.
* submit for partial settlement, as Braintree documents it: only a sale that is ``authorized``
  or ``settlement_pending`` (and not itself a partial settlement), else 915103; the amounts
  settled so far plus this one at most the authorized amount, else 91522; a payment method
  whose processor does not settle in parts (``rules.PARTIAL_SETTLEMENT_UNSUPPORTED``) 915102.
  Each call creates a child ``sale`` (``submitted_for_settlement``, its own id and amount,
  ``authorized_transaction_id`` naming the parent); the parent becomes ``settlement_pending``,
  lists its children in ``partial_settlement_transaction_ids`` and keeps its authorized
  amount. A card's ``settlement_pending`` parent cannot be voided (91504): only PayPal's can.
"""

from __future__ import annotations

import base64
import json
import secrets
from decimal import Decimal

from jomso.payments.offline.rules import (
    PARTIAL_SETTLEMENT_UNSUPPORTED,
    card_for,
    decide,
    fault_after_recording,
    fault_before_recording,
    nonce_error,
)
from jomso.payments.offline.shapes import (
    error_response,
    parse_amount,
    sale_response,
    search_ids_xml,
    search_xml,
    to_xml,
    transaction_xml,
)
from jomso.payments.offline.store import SandboxCard, Store, matching, now_timestamp, set_status


def client_token(merchant_id: str) -> tuple[int, str]:
    token = {
        "version": 2,
        "environment": "sandbox",
        "merchantId": merchant_id,
        "authorizationFingerprint": "offline-" + secrets.token_hex(16),
        "offline": True,
    }
    value = base64.b64encode(json.dumps(token).encode()).decode()
    return 201, to_xml("client_token", {"value": value})


def sale(store: Store, params: dict, timeout: float) -> tuple[int, str]:
    """A new sale; ``timeout`` is the SDK's, for the fault amounts that hang until it ends."""
    if params.get("type") != "sale":
        raise NotImplementedError("the offline gateway only creates sales")
    amount, error = parse_amount(params.get("amount"))
    if error:
        return error_response(error, nested=("transaction",))
    nonce = params.get("payment_method_nonce") or ""
    invalid = nonce_error(nonce)
    if invalid:
        code, nested = invalid
        return error_response(code, nested=nested)
    card = card_for(nonce)
    if card is None:
        return error_response("91565", nested=("transaction",))

    fault = fault_before_recording(amount)
    if fault:
        return fault

    key = params.get("api_request_key") or None
    with store.open(write=True) as data:
        if key and key in data["request_keys"]:
            txn = data["transactions"][data["request_keys"][key]]
            return sale_response(txn)
        txn = store.new_transaction(data, "sale", amount, params, card)
        decide(txn, nonce, amount)
        if key:
            data["request_keys"][key] = txn["id"]
    fault_after_recording(amount, timeout)
    return sale_response(txn)


def find(store: Store, txn_id: str, _params: dict) -> tuple[int, str]:
    with store.open() as data:
        txn = data["transactions"].get(txn_id)
    if txn is None:
        return 404, ""
    return 200, transaction_xml(txn)


def submit_for_settlement(store: Store, txn_id: str, params: dict) -> tuple[int, str]:
    with store.open(write=True) as data:
        txn = data["transactions"].get(txn_id)
        if txn is None:
            return 404, ""
        if txn["status"] != "authorized":
            return error_response("91507", nested=("transaction",))
        amount = Decimal(txn["amount"])
        if params.get("amount"):
            amount, error = parse_amount(params["amount"])
            if error:
                return error_response(error, nested=("transaction",))
            if amount > Decimal(txn["amount"]):
                return error_response("91522", nested=("transaction",))
        txn["amount"] = f"{amount:.2f}"
        set_status(txn, "submitted_for_settlement")
    return 200, transaction_xml(txn)


def submit_for_partial_settlement(store: Store, txn_id: str, params: dict) -> tuple[int, str]:
    with store.open(write=True) as data:
        parent = data["transactions"].get(txn_id)
        if parent is None:
            return 404, ""
        if (
            parent["type"] != "sale"
            or parent.get("authorized_transaction_id")
            or parent["status"] not in ("authorized", "settlement_pending")
        ):
            return error_response("915103", nested=("transaction",))
        if parent["credit_card"]["card_type"] in PARTIAL_SETTLEMENT_UNSUPPORTED:
            return error_response("915102", nested=("transaction",))
        amount, error = parse_amount(params.get("amount"))
        if error:
            return error_response(error, nested=("transaction",))
        children = parent.setdefault("partial_settlement_transaction_ids", [])
        settled = sum(
            (
                Decimal(data["transactions"][cid]["amount"])
                for cid in children
                if data["transactions"][cid]["status"] != "voided"
            ),
            Decimal("0"),
        )
        if settled + amount > Decimal(parent["amount"]):
            return error_response("91522", nested=("transaction",))
        card = SandboxCard(**parent["credit_card"])
        child = store.new_transaction(
            data,
            "sale",
            amount,
            {
                "order_id": params.get("order_id") or parent["order_id"],
                "merchant_account_id": parent["merchant_account_id"],
            },
            card,
        )
        child["authorized_transaction_id"] = parent["id"]
        child["processor_authorization_code"] = parent["processor_authorization_code"]
        set_status(child, "submitted_for_settlement")
        children.append(child["id"])
        if parent["status"] != "settlement_pending":
            set_status(parent, "settlement_pending")
        else:
            parent["updated_at"] = now_timestamp()
    return 201, transaction_xml(child)


def void(store: Store, txn_id: str, _params: dict) -> tuple[int, str]:
    with store.open(write=True) as data:
        txn = data["transactions"].get(txn_id)
        if txn is None:
            return 404, ""
        if txn["status"] not in ("authorized", "submitted_for_settlement"):
            return error_response("91504", nested=("transaction",))
        set_status(txn, "voided")
    return 200, transaction_xml(txn)


def settle(store: Store, txn_id: str, _params: dict) -> tuple[int, str]:
    with store.open(write=True) as data:
        txn = data["transactions"].get(txn_id)
        if txn is None:
            return 404, ""
        if txn["status"] not in ("submitted_for_settlement", "settling"):
            return error_response("91575", nested=("transaction",))
        set_status(txn, "settled")
    return 200, transaction_xml(txn)


def refund(store: Store, txn_id: str, params: dict) -> tuple[int, str]:
    key = params.get("api_request_key") or None
    with store.open(write=True) as data:
        original = data["transactions"].get(txn_id)
        if original is None:
            return 404, ""
        if key and key in data["request_keys"]:
            return 201, transaction_xml(data["transactions"][data["request_keys"][key]])
        if original["type"] == "credit":
            return error_response("91505", nested=("transaction",))
        if original["status"] not in ("settled", "settling"):
            return error_response("91506", nested=("transaction",))
        refunded = sum(
            (
                Decimal(data["transactions"][rid]["amount"])
                for rid in original["refund_ids"]
                if data["transactions"][rid]["status"] != "voided"
            ),
            Decimal("0"),
        )
        remaining = Decimal(original["amount"]) - refunded
        if remaining <= 0:
            return error_response("91512", nested=("transaction",))
        amount = remaining
        if params.get("amount"):
            amount, error = parse_amount(params["amount"])
            if error:
                return error_response(error, nested=("transaction",))
            if amount > remaining:
                return error_response("91521", nested=("transaction",))
        card = SandboxCard(**original["credit_card"])
        credit = store.new_transaction(
            data, "credit", amount, {"order_id": original["order_id"]}, card
        )
        credit["refunded_transaction_id"] = original["id"]
        credit["processor_response_code"] = "1002"
        credit["processor_response_text"] = "Processed"
        set_status(credit, "submitted_for_settlement")
        original["refund_ids"].append(credit["id"])
        if key:
            data["request_keys"][key] = credit["id"]
        original["updated_at"] = now_timestamp()
    return 201, transaction_xml(credit)


def search_ids(store: Store, criteria: dict) -> tuple[int, str]:
    with store.open() as data:
        ids = [txn["id"] for txn in matching(data, criteria)]
    return 200, search_ids_xml(ids)


def search(store: Store, criteria: dict) -> tuple[int, str]:
    with store.open() as data:
        found = matching(data, criteria)
    return 200, search_xml(found)
