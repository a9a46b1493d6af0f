"""The offline gateway's transactions: the append-only store, its records, and searching them.

State lives in a file (``offline-braintree.json`` in the instance folder), never on the
transport instance: the SDK may build one strategy object per call, and two gunicorn workers or
a restart must see the same transactions. The file holds one JSON document a line, appended,
never rewritten: ``{"txn": {...}}`` is a transaction as it now stands (a later line for the
same id replaces an earlier one), ``{"key": ..., "id": ...}`` the ``api_request_key`` of an
idempotent request and the transaction it made. A store written whole by an earlier version
(one ``{"transactions": ..., "request_keys": ...}`` document) is read as its first line.

Every change takes an exclusive ``flock`` on a lock file next to it (reads a shared one),
appends only the records it changed and fsyncs: a write costs the same with 100 transactions
or 100,000. Each process keeps what it has read and, under the lock, reads only the lines
appended since (a new file, or a shorter one, is read again from the start). A line left half
written by a crash is ignored, and cut off by the next write. The store keeps what Braintree
keeps of a card (brand, BIN, last four, a test expiry): never a nonce or card number.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import secrets
import string
import threading
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
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


@dataclass
class _Snapshot:
    """What this process has read of one store file: up to ``offset`` bytes of inode ``inode``.
    ``open_line``: the last line read has no newline yet (a store written whole before)."""

    inode: int = -1
    offset: int = 0
    open_line: bool = False
    transactions: dict = field(default_factory=dict)
    request_keys: dict = field(default_factory=dict)


# (process id, store path): what this process has read, and the lock its threads take first.
_SNAPSHOTS: dict[tuple[int, str], _Snapshot] = {}
_THREAD_LOCKS: dict[tuple[int, str], threading.Lock] = {}
_GUARD = threading.Lock()


class _Changes(MutableMapping):
    """A writer's view of a snapshot's mapping: what it reads is a copy it may change, what it
    changes or adds is kept apart until the write is committed (nothing on an exception)."""

    def __init__(self, base: dict) -> None:
        self.base = base
        self.touched: dict = {}
        self.added = 0

    def __getitem__(self, key):
        if key not in self.touched:
            self.touched[key] = copy.deepcopy(self.base[key])
        return self.touched[key]

    def __setitem__(self, key, value) -> None:
        if key not in self.touched and key not in self.base:
            self.added += 1
        self.touched[key] = value

    def __delitem__(self, key) -> None:
        raise NotImplementedError("the offline gateway never deletes a record")

    def __contains__(self, key) -> bool:
        return key in self.touched or key in self.base

    def __iter__(self):
        yield from self.base
        yield from (key for key in self.touched if key not in self.base)

    def __len__(self) -> int:
        return len(self.base) + self.added

    def changed(self) -> dict:
        return {k: v for k, v in self.touched.items() if self.base.get(k, _MISSING) != v}


_MISSING = object()


class Store:
    """One store file, and what new transactions in it carry (currency, merchant account)."""

    def __init__(self, path: Path | None, *, currency: str, merchant_id: str) -> None:
        self.path = path
        self.currency = currency
        self.merchant_id = merchant_id

    @contextlib.contextmanager
    def open(self, write: bool = False) -> Iterator[dict]:
        """The store's data, under a shared lock (or an exclusive one to ``write``): a dict of
        ``transactions`` by id and ``request_keys``. Only a writer may change what it holds."""
        if self.path is None:
            raise RuntimeError("OfflineGateway needs a store: use OfflineGateway.for_store(path)")
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        key = (os.getpid(), str(path))
        with _GUARD:
            thread_lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
        with thread_lock:
            lock_fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    snapshot = _read_new_lines(fd, _SNAPSHOTS.get(key))
                    _SNAPSHOTS[key] = snapshot
                    if not write:
                        yield {"transactions": snapshot.transactions,
                               "request_keys": snapshot.request_keys}  # fmt: skip
                        return
                    data = {"transactions": _Changes(snapshot.transactions),
                            "request_keys": _Changes(snapshot.request_keys)}  # fmt: skip
                    yield data
                    _append(fd, snapshot, data["transactions"].changed(),
                            data["request_keys"].changed())  # fmt: skip
                finally:
                    os.close(fd)
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


def read_store(path: Path) -> dict:
    """Every transaction and request key in the store at ``path`` (empty when there is none):
    ``{"transactions": {id: txn}, "request_keys": {key: id}}``."""
    if not path.exists():
        return {"transactions": {}, "request_keys": {}}
    with Store(path, currency="", merchant_id="").open() as data:
        return copy.deepcopy(data)


def _read_new_lines(fd: int, snapshot: _Snapshot | None) -> _Snapshot:
    """``snapshot`` brought up to date with the lines appended since it was read (the whole
    file when it is new, or the file was replaced or cut short)."""
    stat = os.fstat(fd)
    if snapshot is None or snapshot.inode != stat.st_ino or stat.st_size < snapshot.offset:
        snapshot = _Snapshot(inode=stat.st_ino)
    if stat.st_size == snapshot.offset:
        return snapshot
    text = os.pread(fd, stat.st_size - snapshot.offset, snapshot.offset)
    *lines, tail = text.split(b"\n")
    lines = [line for line in lines if line.strip()]
    # One parse for every complete line (a parse a line costs several times more at 100,000).
    for record in json.loads(b"[" + b",".join(lines) + b"]"):
        _apply(snapshot, record)
    snapshot.offset = stat.st_size - len(tail)
    snapshot.open_line = False
    if tail.strip():
        try:
            record = json.loads(tail)
        except ValueError:
            return snapshot  # half written by a crash: the next write cuts it off
        _apply(snapshot, record)  # a store written whole before, with no newline at its end
        snapshot.offset += len(tail)
        snapshot.open_line = True
    return snapshot


def _apply(snapshot: _Snapshot, record: dict) -> None:
    if "txn" in record:
        snapshot.transactions[record["txn"]["id"]] = record["txn"]
    elif "key" in record:
        snapshot.request_keys[record["key"]] = record["id"]
    else:  # the whole store, as an earlier version wrote it
        snapshot.transactions.update(record.get("transactions", {}))
        snapshot.request_keys.update(record.get("request_keys", {}))


def _append(fd: int, snapshot: _Snapshot, transactions: dict, request_keys: dict) -> None:
    """Append the changed records after what ``snapshot`` has read, fsync, and take them in."""
    if not transactions and not request_keys:
        return
    records = [{"txn": txn} for txn in transactions.values()]
    records += [{"key": key, "id": txn_id} for key, txn_id in request_keys.items()]
    lines = "".join(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n" for r in records)
    data = (b"\n" if snapshot.open_line else b"") + lines.encode()
    os.ftruncate(fd, snapshot.offset)  # a line half written by a crash goes
    os.pwrite(fd, data, snapshot.offset)
    os.fsync(fd)
    snapshot.offset += len(data)
    snapshot.open_line = False
    snapshot.transactions.update(transactions)
    snapshot.request_keys.update(request_keys)


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
