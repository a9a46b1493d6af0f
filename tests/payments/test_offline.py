"""The offline gateway itself: Braintree's shapes through the SDK, and a store that holds up.

These drive the SDK's own calls (``gateway.braintree.transaction...``) where the adapter would
hide what is checked: nested validation errors, search paging, status history.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from jomso.payments import Outcome, PaymentGateway
from jomso.payments.offline.store import STORE_NAME, read_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def gateway(tmp_path):
    return PaymentGateway(
        environment="sandbox",
        merchant_id="jomso_demo",
        public_key="pub",
        private_key="priv",
        offline_store=tmp_path / STORE_NAME,
    )


def _store(tmp_path) -> dict:
    return read_store(tmp_path / STORE_NAME)


def test_missing_amount_is_81502_on_the_transaction(gateway):
    result = gateway.braintree.transaction.sale({"payment_method_nonce": "fake-valid-nonce"})
    assert not result.is_success
    assert result.transaction is None
    errors = result.errors.for_object("transaction").on("amount")
    assert [(e.code, e.message) for e in errors] == [("81502", "Amount is required.")]


def test_malformed_amount_is_81503(gateway):
    result = gateway.braintree.transaction.sale(
        {"amount": "12,50", "payment_method_nonce": "fake-valid-nonce"}
    )
    assert [e.code for e in result.errors.deep_errors] == ["81503"]


def test_luhn_invalid_nonce_is_an_error_on_the_card_number(gateway):
    result = gateway.braintree.transaction.sale(
        {"amount": "10.00", "payment_method_nonce": "fake-luhn-invalid-nonce"}
    )
    card_errors = result.errors.for_object("transaction").for_object("credit_card")
    assert [e.code for e in card_errors.on("number")] == ["81715"]
    assert result.message == "Credit card number is invalid."


def test_decline_is_an_error_result_carrying_the_transaction(gateway):
    result = gateway.braintree.transaction.sale(
        {"amount": "2000.00", "payment_method_nonce": "fake-valid-nonce", "order_id": "X-1"}
    )
    assert not result.is_success
    assert result.message == "Do Not Honor"
    assert result.errors.deep_errors == []
    assert result.transaction.status == "processor_declined"
    assert result.transaction.processor_response_type == "soft_declined"
    assert result.transaction.order_id == "X-1"


def test_rejection_message_names_the_reason(gateway):
    result = gateway.braintree.transaction.sale(
        {"amount": "10.00", "payment_method_nonce": "fake-gateway-rejected-fraud-nonce"}
    )
    assert result.message == "Gateway Rejected: fraud"
    assert result.transaction.gateway_rejection_reason == "fraud"


def test_status_history_follows_the_transaction(gateway):
    sale = gateway.braintree.transaction.sale(
        {"amount": "10.00", "payment_method_nonce": "fake-valid-nonce"}
    ).transaction
    gateway.braintree.transaction.submit_for_settlement(sale.id, "8.00")
    gateway.braintree.testing.settle_transaction(sale.id)
    found = gateway.braintree.transaction.find(sale.id)
    events = [(e.status, str(e.amount)) for e in found.status_history]
    assert events == [
        ("authorized", "10.00"),
        ("submitted_for_settlement", "8.00"),
        ("settled", "8.00"),
    ]
    assert found.amount == 8
    assert found.currency_iso_code == "USD"
    assert found.credit_card_details.bin == "401288"
    assert found.processor_authorization_code


def test_search_pages_through_more_than_one_page(gateway):
    import braintree

    ids = {
        gateway.braintree.transaction.sale(
            {"amount": "1.00", "payment_method_nonce": "fake-valid-nonce", "order_id": "BULK"}
        ).transaction.id
        for _ in range(55)
    }
    found = gateway.braintree.transaction.search(braintree.TransactionSearch.order_id == "BULK")
    assert found.maximum_size == 55
    assert {t.id for t in found.items} == ids


def test_unsupported_calls_fail_loudly(gateway):
    with pytest.raises(NotImplementedError):
        gateway.braintree.customer.create({"first_name": "Ann"})


def test_store_keeps_no_nonce_or_card_number(gateway, tmp_path):
    for nonce in ("fake-valid-visa-nonce", "fake-valid-mastercard-nonce"):
        sale = gateway.authorize("S-1", 1500, nonce, device_data='{"device_session_id":"dsid"}')
        gateway.capture(sale.transaction_id)
        gateway.settle(sale.transaction_id)
        gateway.refund(sale.transaction_id, 500)
    gateway.authorize("S-1", 1500, "tokencc_bf_secret_nonce_value")
    text = (tmp_path / STORE_NAME).read_text()
    for secret in (
        "nonce",
        "4111111111111111",
        "5555555555554444",
        "dsid",
        "device",
        "tokencc",
    ):
        assert secret not in text
    cards = {
        json.dumps(t["credit_card"], sort_keys=True)
        for t in _store(tmp_path)["transactions"].values()
    }
    assert cards == {
        '{"bin": "411111", "card_type": "Visa", "last_4": "1111"}',
        '{"bin": "555555", "card_type": "MasterCard", "last_4": "4444"}',
    }
    assert oct((tmp_path / STORE_NAME).stat().st_mode & 0o777) == "0o600"


def test_concurrent_threads_do_not_lose_writes(gateway, tmp_path):
    made: list[str] = []

    def buy(worker):
        for i in range(8):
            result = gateway.authorize(f"T-{worker}-{i}", 1000 + i, "fake-valid-nonce")
            made.append(result.transaction_id)

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == len(set(made)) == 32
    assert set(_store(tmp_path)["transactions"]) == set(made)


_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from jomso.payments import Outcome, PaymentGateway

    gateway = PaymentGateway(
        environment="sandbox", merchant_id="jomso_demo", public_key="pub",
        private_key="priv", offline_store=Path(sys.argv[1]),
    )
    for i in range(10):
        sale = gateway.authorize(f"P-{sys.argv[2]}-{i}", 1000, "fake-valid-nonce")
        gateway.capture(sale.transaction_id)
        print(sale.transaction_id)
    """
)


def test_concurrent_processes_do_not_corrupt_the_store(tmp_path):
    store = tmp_path / STORE_NAME
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(store), str(n)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    made = []
    for worker in workers:
        out, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0
        made += out.split()
    assert len(made) == len(set(made)) == 30
    transactions = _store(tmp_path)["transactions"]
    assert set(transactions) == set(made)
    assert {t["status"] for t in transactions.values()} == {"submitted_for_settlement"}
    assert not list(tmp_path.glob("*.tmp"))


def test_the_offline_gateway_can_hang_for_the_whole_timeout_after_authorizing(tmp_path):
    """4004.xx: authorized and recorded, then no answer until the SDK's timeout ends."""
    gateway = PaymentGateway(
        environment="sandbox",
        merchant_id="jomso_demo",
        public_key="pub",
        private_key="priv",
        timeout=0.6,
        offline_store=tmp_path / STORE_NAME,
    )
    started = time.monotonic()
    result = gateway.authorize("J-4004", 400400, "fake-valid-visa-nonce", idempotency_key="J-4004")
    waited = time.monotonic() - started
    assert result.outcome is Outcome.UNAVAILABLE
    assert result.error_codes == ["ReadTimeoutError"]
    assert 0.6 <= waited < 10
    [sale] = gateway.find_by_order("J-4004")
    assert (sale.status, sale.amount_cents) == ("authorized", 400400)


def test_a_write_appends_its_records_and_leaves_the_rest_of_the_file_alone(gateway, tmp_path):
    first = gateway.authorize("A-1", 1000, "fake-valid-nonce").transaction_id
    before = (tmp_path / STORE_NAME).read_bytes()
    gateway.capture(first)
    second = gateway.authorize("A-2", 2000, "fake-valid-nonce").transaction_id
    after = (tmp_path / STORE_NAME).read_bytes()
    assert after.startswith(before) and len(after) > len(before)
    assert [json.loads(line) for line in after[len(before) :].splitlines()] == [
        {"txn": _store(tmp_path)["transactions"][first]},
        {"txn": _store(tmp_path)["transactions"][second]},
    ]
    assert _store(tmp_path)["transactions"][first]["status"] == "submitted_for_settlement"


def test_a_store_written_whole_by_an_earlier_version_is_read_and_appended_to(tmp_path):
    path = tmp_path / STORE_NAME
    writer = PaymentGateway(
        environment="sandbox", merchant_id="jomso_demo", public_key="pub",
        private_key="priv", offline_store=tmp_path / "scratch.json",
    )  # fmt: skip
    old = writer.authorize("OLD-1", 1200, "fake-valid-nonce", idempotency_key="OLD-1")
    data = read_store(tmp_path / "scratch.json")
    path.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")))  # no newline
    gateway = PaymentGateway(
        environment="sandbox", merchant_id="jomso_demo", public_key="pub",
        private_key="priv", offline_store=path,
    )  # fmt: skip
    assert gateway.capture(old.transaction_id).outcome is Outcome.APPROVED
    again = gateway.authorize("OLD-1", 1200, "fake-valid-nonce", idempotency_key="OLD-1")
    assert again.transaction_id == old.transaction_id
    new = gateway.authorize("NEW-1", 1300, "fake-valid-nonce").transaction_id
    stored = read_store(path)["transactions"]
    assert set(stored) == {old.transaction_id, new}
    assert stored[old.transaction_id]["status"] == "submitted_for_settlement"


def test_a_line_half_written_by_a_crash_is_ignored_and_cut_off(gateway, tmp_path):
    kept = gateway.authorize("C-1", 1000, "fake-valid-nonce").transaction_id
    path = tmp_path / STORE_NAME
    with path.open("a") as fh:
        fh.write('{"txn":{"id":"torn","amount":')
    assert set(read_store(path)["transactions"]) == {kept}
    later = gateway.authorize("C-2", 1000, "fake-valid-nonce").transaction_id
    assert set(read_store(path)["transactions"]) == {kept, later}
    assert b"torn" not in path.read_bytes()
    assert all(json.loads(line) for line in path.read_bytes().splitlines())
