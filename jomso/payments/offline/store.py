"""The offline gateway's transactions: the JSON store, its records, and searching them.

State lives in a JSON file (``offline-braintree.json`` in the instance folder), never on the
transport instance: the SDK may build one strategy object per call, and two gunicorn workers or
a restart must see the same transactions. Every change takes an exclusive ``flock`` on a lock
file next to it and writes a temporary file that replaces the store atomically. The store keeps
what Braintree keeps of a card (brand, BIN, last four, a test expiry): never a nonce or card
number. Besides the transactions it keeps the ``api_request_key`` of each idempotent request
and the transaction that request made.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

STORE_NAME = "offline-braintree.json"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_ID_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class SandboxCard:
    """What Braintree keeps of a test card: brand, BIN and last four digits."""

    card_type: str
    bin: str
    last_4: str


class Store:
    """One store file, and what new transactions in it carry (currency, merchant account)."""

    def __init__(self, path: Path | None, *, currency: str, merchant_id: str) -> None:
        self.path = path
        self.currency = currency
        self.merchant_id = merchant_id

    @contextlib.contextmanager
    def open(self, write: bool = False) -> Iterator[dict]:
        """The store's data, under a shared lock (or an exclusive one to ``write``)."""
        if self.path is None:
            raise RuntimeError("OfflineGateway needs a store: use OfflineGateway.for_store(path)")
        path = self.path
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

    def new_transaction(
        self, data: dict, kind: str, amount: Decimal, params: dict, card: SandboxCard
    ) -> dict:
        """Add a transaction (status ``authorizing``) to the open store's ``data``."""
        txn_id = _new_id(data["transactions"])
        now = now_timestamp()
        txn = {
            "id": txn_id,
            "seq": len(data["transactions"]) + 1,
            "type": kind,
            "status": "authorizing",
            "amount": f"{amount:.2f}",
            "currency_iso_code": self.currency,
            "merchant_account_id": params.get("merchant_account_id") or self.merchant_id,
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
        data["transactions"][txn_id] = txn
        return txn


def set_status(txn: dict, status: str) -> None:
    """Move a transaction to ``status``, and record the move in its status history."""
    now = now_timestamp()
    txn["status"] = status
    txn["updated_at"] = now
    txn["status_history"].append({"status": status, "timestamp": now, "amount": txn["amount"]})


def timestamp(moment: datetime) -> str:
    """A moment as the store (and Braintree's XML) writes it: UTC, whole seconds."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def now_timestamp() -> str:
    return timestamp(datetime.now(UTC))


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def matching(data: dict, criteria: dict) -> list[dict]:
    """The transactions a search matches, newest first. Only order id and ids are searchable."""
    unsupported = set(criteria) - {"order_id", "ids"}
    if unsupported:
        raise NotImplementedError(f"the offline gateway cannot search by {sorted(unsupported)}")
    found = list(data["transactions"].values())
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


def _new_id(existing: dict) -> str:
    while True:
        candidate = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
        if candidate not in existing:
            return candidate
