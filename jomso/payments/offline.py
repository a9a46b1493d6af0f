"""An offline stand-in for Braintree's servers, plugged into the real SDK as its ``http_strategy``.

Without Braintree credentials the shop runs in demo payments mode: the adapter builds the same
``braintree.BraintreeGateway`` as with real credentials, but the SDK's transport is this class.
It reads the request XML the SDK sends and answers with the XML shapes, statuses and error codes
Braintree's sandbox uses, so the SDK parses its answers into real ``Transaction``,
``SuccessfulResult`` and ``ErrorResult`` objects, and every line of the adapter runs as it
would against Braintree.

State lives in a JSON file (``offline-braintree.json`` in the instance folder), never on the
instance: the SDK may build one strategy object per call, and two gunicorn workers or a restart
must see the same transactions. Every change takes an exclusive ``flock`` on a lock file next to
it and writes a temporary file that replaces the store atomically. The store keeps what
Braintree keeps of a card (brand, BIN, last four, a test expiry): never a nonce or card number.

What it answers, as Braintree's sandbox does:

* Nonces (``braintree.test.nonces.Nonces``): ``fake-valid-nonce`` and ``fake-valid-<brand>-nonce``
  (visa, mastercard, amex, discover, jcb, maestro, dinersclub) pay with the matching test card;
  ``fake-processor-declined-<brand>-nonce`` is declined (2000 Do Not Honor);
  ``fake-gateway-rejected-fraud-nonce`` and ``fake-gateway-rejected-risk-thresholds-nonce`` are
  gateway rejected; ``fake-processor-failure-jcb-nonce`` fails (3000);
  ``fake-luhn-invalid-nonce`` is a validation error on the card number (81715);
  ``fake-consumed-nonce`` is a nonce used before (91564); any other nonce is unknown (91565), and
  a missing one cannot determine the payment method (91508). The fake nonces are reusable, as in
  the sandbox.
* Amounts: 0.01 to 1999.99 authorize; 2000.00 to 2999.99 are ``processor_declined`` with that
  number as the response code; 3000.00 to 3000.99 ``failed`` (Processor Network Unavailable);
  5001.00 is ``gateway_rejected`` (application_incomplete); a missing, malformed or non-positive
  amount is a validation error (81502, 81503, 81531).
* Faults, for tests and demonstrations (not Braintree's, documented in the README):
  4001.00 to 4001.99 authorize and record the sale, then the connection times out (the SDK
  raises ``ReadTimeoutError``), so the sale can be found by order id afterwards;
  4002.00 to 4002.99 time out before reaching the gateway (``ConnectTimeoutError``, nothing
  recorded); 4003.00 to 4003.99 answer 503 (``ServiceUnavailableError``, nothing recorded).
* ``api_request_key`` makes a sale or a refund idempotent: the same key answers with the first.
* find (404 when unknown), submit for settlement (only ``authorized``; at most the authorized
  amount, else 91522), void (``authorized`` or ``submitted_for_settlement``, else 91504), settle
  (the sandbox's ``testing.settle_transaction``: ``submitted_for_settlement`` to ``settled``),
  refund (only ``settled``/``settling``, else 91506; at most what is left, else 91521; nothing
  left: 91512) creating a ``credit`` transaction, and search by order id and ids.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import secrets
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import requests
from braintree.util.http import Http
from braintree.util.xml_util import XmlUtil

STORE_NAME = "offline-braintree.json"
PAGE_SIZE = 50


@dataclass(frozen=True)
class SandboxCard:
    """What Braintree keeps of a test card: brand, BIN and last four digits."""

    card_type: str
    bin: str
    last_4: str


VISA = SandboxCard("Visa", "411111", "1111")
# Nonce -> the test card Braintree's sandbox charges for it.
VALID_NONCES: dict[str, SandboxCard] = {
    "fake-valid-nonce": SandboxCard("Visa", "401288", "1881"),
    "fake-valid-visa-nonce": VISA,
    "fake-valid-mastercard-nonce": SandboxCard("MasterCard", "555555", "4444"),
    "fake-valid-amex-nonce": SandboxCard("American Express", "378282", "0005"),
    "fake-valid-discover-nonce": SandboxCard("Discover", "601111", "1117"),
    "fake-valid-jcb-nonce": SandboxCard("JCB", "353011", "0000"),
    "fake-valid-maestro-nonce": SandboxCard("Maestro", "630400", "0000"),
    "fake-valid-dinersclub-nonce": SandboxCard("Diners Club", "362596", "0004"),
}
DECLINED_NONCES: dict[str, SandboxCard] = {
    "fake-processor-declined-visa-nonce": SandboxCard("Visa", "400011", "1115"),
    "fake-processor-declined-mastercard-nonce": SandboxCard("MasterCard", "510510", "5100"),
    "fake-processor-declined-amex-nonce": SandboxCard("American Express", "378734", "1000"),
    "fake-processor-declined-discover-nonce": SandboxCard("Discover", "601100", "9424"),
}
REJECTED_NONCES: dict[str, tuple[SandboxCard, str]] = {
    "fake-gateway-rejected-fraud-nonce": (SandboxCard("Visa", "400011", "1511"), "fraud"),
    "fake-gateway-rejected-risk-thresholds-nonce": (
        SandboxCard("Visa", "400011", "1511"),
        "risk_threshold",
    ),
}
FAILED_NONCES: dict[str, SandboxCard] = {
    "fake-processor-failure-jcb-nonce": SandboxCard("JCB", "356600", "0505"),
}
LUHN_INVALID_NONCE = "fake-luhn-invalid-nonce"
CONSUMED_NONCE = "fake-consumed-nonce"

# Braintree's processor response texts for the decline codes its sandbox answers with.
PROCESSOR_TEXTS: dict[int, str] = {
    2000: "Do Not Honor",
    2001: "Insufficient Funds",
    2002: "Limit Exceeded",
    2003: "Cardholder's Activity Limit Exceeded",
    2004: "Expired Card",
    2005: "Invalid Credit Card Number",
    2006: "Invalid Expiration Date",
    2007: "No Account",
    2008: "Card Account Length Error",
    2009: "No Such Issuer",
    2010: "Card Issuer Declined CVV",
    2011: "Voice Authorization Required",
    2012: "Processor Declined - Possible Lost Card",
    2013: "Processor Declined - Possible Stolen Card",
    2014: "Processor Declined - Fraud Suspected",
    2015: "Transaction Not Allowed",
    2016: "Duplicate Transaction",
    2017: "Cardholder Stopped Billing",
    2018: "Cardholder Stopped All Billing",
    2019: "Invalid Transaction",
    2020: "Violation",
    2021: "Security Violation",
    2022: "Declined - Updated Cardholder Available",
    2023: "Processor Does Not Support This Feature",
    2024: "Card Type Not Enabled",
    2038: "Processor Declined",
    2041: "Declined - Call For Approval",
    2044: "Declined - Call Issuer",
    2046: "Declined",
    2047: "Call Issuer. Pick Up Card",
    2053: "Card reported as lost or stolen",
    2057: "Issuer or Cardholder has put a restriction on the card",
    2059: "Address Verification Failed",
    2060: "Address Verification and Card Security Code Failed",
}
HARD_DECLINES = {2004, 2005, 2007, 2008, 2009, 2012, 2013, 2014, 2015, 2017, 2018, 2047, 2053}
FAILED_TEXT = "Processor Network Unavailable - Try Again"

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
}

_AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
_ID_ALPHABET = string.ascii_lowercase + string.digits


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
        return f'<{tag} type="datetime">{_timestamp(value)}</{tag}>'
    if isinstance(value, date):
        return f'<{tag} type="date">{value.isoformat()}</{tag}>'
    if isinstance(value, Array):
        inner = "".join(to_xml(value.item_tag, item) for item in value)
        return f'<{tag} type="array">{inner}</{tag}>'
    if isinstance(value, dict):
        inner = "".join(to_xml(key, item) for key, item in value.items())
        return f"<{tag}>{inner}</{tag}>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> str:
    return _timestamp(datetime.now(UTC))


class OfflineGateway:
    """The SDK's ``http_strategy`` in demo mode: answers Braintree's API from a local file.

    Use :meth:`for_store` to get a subclass bound to one store file; the SDK instantiates it
    with ``(config, environment)``.
    """

    store_path: ClassVar[Path | None] = None
    currency: ClassVar[str] = "USD"

    def __init__(self, config, environment=None):
        self.config = config
        self.environment = environment

    @classmethod
    def for_store(cls, path: Path | str, currency: str = "USD") -> type[OfflineGateway]:
        """A subclass whose transactions live in ``path`` (created on first write)."""
        return type(cls.__name__, (cls,), {"store_path": Path(path), "currency": currency})

    # -- the http_strategy interface -------------------------------------------------------

    def http_do(self, verb: str, full_path: str, headers: dict, body) -> tuple[int, str]:
        """Answer one API request as Braintree would: ``(HTTP status, XML body)``."""
        path = urlsplit(full_path).path
        prefix = f"/merchants/{self.config.merchant_id}"
        if not path.startswith(prefix + "/"):
            return 404, ""
        route = path[len(prefix) :]
        params = XmlUtil.dict_from_xml(body) if body and body.strip() else {}
        if verb == "POST" and route == "/client_token":
            return self._client_token()
        if verb == "POST" and route == "/transactions":
            return self._sale(params.get("transaction") or {})
        if verb == "POST" and route == "/transactions/advanced_search_ids":
            return self._search_ids(params.get("search") or {})
        if verb == "POST" and route == "/transactions/advanced_search":
            return self._search(params.get("search") or {})
        match = re.fullmatch(r"/transactions/([A-Za-z0-9_-]+)(?:/(\w+))?", route)
        if match:
            txn_id, action = match.groups()
            handler = {
                ("GET", None): self._find,
                ("PUT", "submit_for_settlement"): self._submit_for_settlement,
                ("PUT", "void"): self._void,
                ("PUT", "settle"): self._settle,
                ("POST", "refund"): self._refund,
            }.get((verb, action))
            if handler:
                return handler(txn_id, params.get("transaction") or {})
        raise NotImplementedError(f"the offline gateway does not answer {verb} {route}")

    def handle_exception(self, exception: Exception) -> None:
        """With ``wrap_http_exceptions`` the SDK turns transport errors into its own; anything
        else raised here is a bug in this class and must surface as itself."""
        if isinstance(exception, requests.exceptions.RequestException):
            Http.handle_exception(self, exception)
        raise exception

    def close(self) -> None:
        """Nothing to close: no connection, no open file between calls."""

    # -- the store ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _store(self, write: bool = False) -> Iterator[dict]:
        if self.store_path is None:
            raise RuntimeError("OfflineGateway needs a store: use OfflineGateway.for_store(path)")
        path = self.store_path
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
            before = path.read_text() if path.exists() else ""
            data = json.loads(before) if before else {}
            data.setdefault("transactions", {})
            data.setdefault("request_keys", {})
            yield data
            after = json.dumps(data, sort_keys=True, separators=(",", ":")) if write else before
            if after != before:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
                try:
                    with os.fdopen(fd, "w") as fh:
                        fh.write(after)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(tmp, path)
                except BaseException:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(tmp)
                    raise
        finally:
            os.close(lock_fd)  # closing the descriptor releases the lock

    # -- endpoints ---------------------------------------------------------------------------

    def _client_token(self) -> tuple[int, str]:
        token = {
            "version": 2,
            "environment": "sandbox",
            "merchantId": self.config.merchant_id,
            "authorizationFingerprint": "offline-" + secrets.token_hex(16),
            "offline": True,
        }
        value = base64.b64encode(json.dumps(token).encode()).decode()
        return 201, to_xml("client_token", {"value": value})

    def _sale(self, params: dict) -> tuple[int, str]:
        if params.get("type") != "sale":
            raise NotImplementedError("the offline gateway only creates sales")
        amount, error = _parse_amount(params.get("amount"))
        if error:
            return _error_response(error, nested=("transaction",))
        nonce = params.get("payment_method_nonce") or ""
        if not nonce:
            return _error_response("91508", nested=("transaction",))
        if nonce == CONSUMED_NONCE:
            return _error_response("91564", nested=("transaction",))
        if nonce == LUHN_INVALID_NONCE:
            return _error_response("81715", nested=("transaction", "credit_card"))
        card = _card_for(nonce)
        if card is None:
            return _error_response("91565", nested=("transaction",))

        whole = int(amount)
        if whole == 4002:
            raise requests.exceptions.ConnectTimeout("offline gateway: simulated connect timeout")
        if whole == 4003:
            return 503, ""

        key = params.get("api_request_key") or None
        with self._store(write=True) as store:
            if key and key in store["request_keys"]:
                txn = store["transactions"][store["request_keys"][key]]
                return _sale_response(txn)
            txn = self._new_transaction(store, "sale", amount, params, card)
            _decide(txn, nonce, amount)
            if key:
                store["request_keys"][key] = txn["id"]
        if whole == 4001:
            raise requests.exceptions.ReadTimeout("offline gateway: simulated read timeout")
        return _sale_response(txn)

    def _find(self, txn_id: str, _params: dict) -> tuple[int, str]:
        with self._store() as store:
            txn = store["transactions"].get(txn_id)
        if txn is None:
            return 404, ""
        return 200, transaction_xml(txn)

    def _submit_for_settlement(self, txn_id: str, params: dict) -> tuple[int, str]:
        with self._store(write=True) as store:
            txn = store["transactions"].get(txn_id)
            if txn is None:
                return 404, ""
            if txn["status"] != "authorized":
                return _error_response("91507", nested=("transaction",))
            amount = Decimal(txn["amount"])
            if params.get("amount"):
                amount, error = _parse_amount(params["amount"])
                if error:
                    return _error_response(error, nested=("transaction",))
                if amount > Decimal(txn["amount"]):
                    return _error_response("91522", nested=("transaction",))
            txn["amount"] = f"{amount:.2f}"
            _set_status(txn, "submitted_for_settlement")
        return 200, transaction_xml(txn)

    def _void(self, txn_id: str, _params: dict) -> tuple[int, str]:
        with self._store(write=True) as store:
            txn = store["transactions"].get(txn_id)
            if txn is None:
                return 404, ""
            if txn["status"] not in ("authorized", "submitted_for_settlement"):
                return _error_response("91504", nested=("transaction",))
            _set_status(txn, "voided")
        return 200, transaction_xml(txn)

    def _settle(self, txn_id: str, _params: dict) -> tuple[int, str]:
        with self._store(write=True) as store:
            txn = store["transactions"].get(txn_id)
            if txn is None:
                return 404, ""
            if txn["status"] not in ("submitted_for_settlement", "settling"):
                return _error_response("91575", nested=("transaction",))
            _set_status(txn, "settled")
        return 200, transaction_xml(txn)

    def _refund(self, txn_id: str, params: dict) -> tuple[int, str]:
        key = params.get("api_request_key") or None
        with self._store(write=True) as store:
            original = store["transactions"].get(txn_id)
            if original is None:
                return 404, ""
            if key and key in store["request_keys"]:
                return 201, transaction_xml(store["transactions"][store["request_keys"][key]])
            if original["type"] == "credit":
                return _error_response("91505", nested=("transaction",))
            if original["status"] not in ("settled", "settling"):
                return _error_response("91506", nested=("transaction",))
            refunded = sum(
                (
                    Decimal(store["transactions"][rid]["amount"])
                    for rid in original["refund_ids"]
                    if store["transactions"][rid]["status"] != "voided"
                ),
                Decimal("0"),
            )
            remaining = Decimal(original["amount"]) - refunded
            if remaining <= 0:
                return _error_response("91512", nested=("transaction",))
            amount = remaining
            if params.get("amount"):
                amount, error = _parse_amount(params["amount"])
                if error:
                    return _error_response(error, nested=("transaction",))
                if amount > remaining:
                    return _error_response("91521", nested=("transaction",))
            card = SandboxCard(**original["credit_card"])
            credit = self._new_transaction(
                store, "credit", amount, {"order_id": original["order_id"]}, card
            )
            credit["refunded_transaction_id"] = original["id"]
            credit["processor_response_code"] = "1002"
            credit["processor_response_text"] = "Processed"
            _set_status(credit, "submitted_for_settlement")
            original["refund_ids"].append(credit["id"])
            if key:
                store["request_keys"][key] = credit["id"]
            original["updated_at"] = _now()
        return 201, transaction_xml(credit)

    def _search_ids(self, criteria: dict) -> tuple[int, str]:
        with self._store() as store:
            ids = [txn["id"] for txn in _matching(store, criteria)]
        results = {"page_size": PAGE_SIZE, "ids": Array("item", ids)}
        return 200, to_xml("search_results", results)

    def _search(self, criteria: dict) -> tuple[int, str]:
        with self._store() as store:
            found = _matching(store, criteria)
        inner = "".join(transaction_xml(txn) for txn in found)
        head = (
            to_xml("current_page_number", 1)
            + to_xml("page_size", PAGE_SIZE)
            + to_xml("total_items", len(found))
        )
        return 200, (
            f'<credit-card-transactions type="collection">{head}{inner}</credit-card-transactions>'
        )

    # -- transactions ------------------------------------------------------------------------

    def _new_transaction(
        self, store: dict, kind: str, amount: Decimal, params: dict, card: SandboxCard
    ) -> dict:
        txn_id = _new_id(store["transactions"])
        now = _now()
        txn = {
            "id": txn_id,
            "seq": len(store["transactions"]) + 1,
            "type": kind,
            "status": "authorizing",
            "amount": f"{amount:.2f}",
            "currency_iso_code": self.currency,
            "merchant_account_id": params.get("merchant_account_id") or self.config.merchant_id,
            "order_id": params.get("order_id") or None,
            "created_at": now,
            "updated_at": now,
            "processor_response_code": "1000",
            "processor_response_text": "Approved",
            "processor_response_type": "approved",
            "processor_authorization_code": None,
            "gateway_rejection_reason": None,
            "refunded_transaction_id": None,
            "refund_ids": [],
            "credit_card": {"card_type": card.card_type, "bin": card.bin, "last_4": card.last_4},
            "status_history": [],
        }
        store["transactions"][txn_id] = txn
        return txn


def transaction_xml(txn: dict) -> str:
    """A stored transaction as Braintree's ``<transaction>`` element."""
    history = Array(
        "status_event",
        (
            {
                "timestamp": _parse_ts(event["timestamp"]),
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
        "created_at": _parse_ts(txn["created_at"]),
        "updated_at": _parse_ts(txn["updated_at"]),
        "processor_response_code": txn["processor_response_code"],
        "processor_response_text": txn["processor_response_text"],
        "processor_response_type": txn["processor_response_type"],
        "processor_authorization_code": txn["processor_authorization_code"],
        "gateway_rejection_reason": txn["gateway_rejection_reason"],
        "refunded_transaction_id": txn["refunded_transaction_id"],
        "refund_ids": Array("item", txn["refund_ids"]),
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


# -- helpers -------------------------------------------------------------------------------


def _card_for(nonce: str) -> SandboxCard | None:
    if nonce in VALID_NONCES:
        return VALID_NONCES[nonce]
    if nonce in DECLINED_NONCES:
        return DECLINED_NONCES[nonce]
    if nonce in REJECTED_NONCES:
        return REJECTED_NONCES[nonce][0]
    return FAILED_NONCES.get(nonce)


def _decide(txn: dict, nonce: str, amount: Decimal) -> None:
    """Settle a new sale's fate by nonce, then by amount, as the sandbox does."""
    whole = int(amount)
    if nonce in REJECTED_NONCES or amount == Decimal("5001.00"):
        reason = REJECTED_NONCES[nonce][1] if nonce in REJECTED_NONCES else None
        txn["gateway_rejection_reason"] = reason or "application_incomplete"
        txn["processor_response_code"] = None
        txn["processor_response_text"] = None
        txn["processor_response_type"] = None
        _set_status(txn, "gateway_rejected")
    elif nonce in FAILED_NONCES or whole == 3000:
        txn["processor_response_code"] = "3000"
        txn["processor_response_text"] = FAILED_TEXT
        txn["processor_response_type"] = "soft_declined"
        _set_status(txn, "failed")
    elif nonce in DECLINED_NONCES or 2000 <= whole <= 2999:
        code = whole if 2000 <= whole <= 2999 else 2000
        txn["processor_response_code"] = str(code)
        txn["processor_response_text"] = PROCESSOR_TEXTS.get(code, "Processor Declined")
        txn["processor_response_type"] = (
            "hard_declined" if code in HARD_DECLINES else "soft_declined"
        )
        _set_status(txn, "processor_declined")
    else:
        txn["processor_authorization_code"] = "".join(
            secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6)
        )
        _set_status(txn, "authorized")


def _sale_response(txn: dict) -> tuple[int, str]:
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


def _error_response(code: str, nested: tuple[str, ...]) -> tuple[int, str]:
    """A 422 validation error, nested under ``transaction`` (and deeper) as Braintree does."""
    attribute, message = ERRORS[code]
    node: dict = {
        "errors": Array("error", [{"code": code, "attribute": attribute, "message": message}])
    }
    for level in reversed(nested):
        node = {"errors": Array("error"), level: node}
    body = to_xml("errors", node) + to_xml("message", message)
    return 422, f"<api-error-response>{body}</api-error-response>"


def _parse_amount(raw: Any) -> tuple[Decimal, str | None]:
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


def _set_status(txn: dict, status: str) -> None:
    now = _now()
    txn["status"] = status
    txn["updated_at"] = now
    txn["status_history"].append({"status": status, "timestamp": now, "amount": txn["amount"]})


def _new_id(existing: dict) -> str:
    while True:
        candidate = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
        if candidate not in existing:
            return candidate


def _parse_ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _matching(store: dict, criteria: dict) -> list[dict]:
    """The transactions a search matches, newest first. Only order id and ids are searchable."""
    unsupported = set(criteria) - {"order_id", "ids"}
    if unsupported:
        raise NotImplementedError(f"the offline gateway cannot search by {sorted(unsupported)}")
    found = list(store["transactions"].values())
    if "ids" in criteria:
        wanted = set(criteria["ids"] or [])
        found = [txn for txn in found if txn["id"] in wanted]
    if "order_id" in criteria:
        found = [txn for txn in found if _text_matches(txn["order_id"], criteria["order_id"])]
    return sorted(found, key=lambda txn: txn["seq"], reverse=True)


def _text_matches(value: str | None, condition: dict) -> bool:
    value = value or ""
    for operator, wanted in condition.items():
        wanted = wanted or ""
        ok = {
            "is": value == wanted,
            "is_not": value != wanted,
            "starts_with": value.startswith(wanted),
            "ends_with": value.endswith(wanted),
            "contains": wanted in value,
        }.get(operator)
        if ok is None:
            raise NotImplementedError(f"the offline gateway cannot search with {operator!r}")
        if not ok:
            return False
    return True
