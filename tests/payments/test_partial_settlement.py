"""Partial settlement on the offline gateway, as Braintree documents it, through the real SDK
(``gateway.braintree.transaction.submit_for_partial_settlement``) and the adapter
(``capture_part``): a child transaction per settlement, the parent ``settlement_pending`` with
its authorized amount, and the errors Braintree answers with.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from jomso.payments import Outcome, PaymentGateway
from jomso.payments.offline.store import STORE_NAME


@pytest.fixture
def gateway(tmp_path):
    return PaymentGateway(
        environment="sandbox",
        merchant_id="jomso_demo",
        public_key="pub",
        private_key="priv",
        offline_store=tmp_path / STORE_NAME,
    )


def _authorize(gateway, amount_cents=10000, nonce="fake-valid-visa-nonce", order="JPARTS001"):
    result = gateway.authorize(order, amount_cents, nonce)
    assert result.ok and result.status == "authorized"
    return result.transaction_id


def test_each_partial_settlement_is_a_child_and_the_parent_keeps_its_authorization(gateway):
    parent_id = _authorize(gateway)
    result = gateway.braintree.transaction.submit_for_partial_settlement(parent_id, "30.00")
    assert result.is_success
    child = result.transaction
    assert child.id != parent_id
    assert child.type == "sale" and child.status == "submitted_for_settlement"
    assert child.amount == Decimal("30.00")
    assert child.authorized_transaction_id == parent_id
    assert child.order_id == "JPARTS001"
    assert child.credit_card_details.last_4 == "1111"

    parent = gateway.braintree.transaction.find(parent_id)
    assert parent.status == "settlement_pending"
    assert parent.amount == Decimal("100.00")  # the authorization is not changed
    assert parent.partial_settlement_transaction_ids == [child.id]

    second = gateway.braintree.transaction.submit_for_partial_settlement(parent_id, "70.00")
    assert second.is_success and second.transaction.authorized_transaction_id == parent_id
    parent = gateway.braintree.transaction.find(parent_id)
    assert parent.partial_settlement_transaction_ids == [child.id, second.transaction.id]
    # Found by the order number, as reconciliation looks: the parent and both children.
    found = gateway.find_by_order("JPARTS001")
    assert sorted(r.amount_cents for r in found) == [3000, 7000, 10000]


def test_settlements_adding_up_to_more_than_the_authorization_are_91522(gateway):
    parent_id = _authorize(gateway)
    assert gateway.capture_part(parent_id, 6000).ok
    too_much = gateway.capture_part(parent_id, 4001)
    assert too_much.outcome is Outcome.INVALID and too_much.error_codes == ["91522"]
    sdk = gateway.braintree.transaction.submit_for_partial_settlement(parent_id, "40.01")
    errors = sdk.errors.for_object("transaction").on("amount")
    assert [(e.code, e.message) for e in errors] == [("91522", "Settlement amount is too large.")]
    exactly = gateway.capture_part(parent_id, 4000)
    assert exactly.ok and exactly.authorized_transaction_id == parent_id
    # Nothing is left: even a cent more is refused.
    assert gateway.capture_part(parent_id, 1).error_codes == ["91522"]


def test_a_voided_child_frees_its_amount(gateway):
    parent_id = _authorize(gateway)
    child = gateway.capture_part(parent_id, 6000)
    assert gateway.void(child.transaction_id).status == "voided"
    assert gateway.capture_part(parent_id, 10000).ok


def test_only_an_open_authorization_can_be_settled_in_parts(gateway):
    # A child is not a parent; a closed or whole-captured authorization takes no parts.
    parent_id = _authorize(gateway)
    child = gateway.capture_part(parent_id, 1000)
    assert gateway.capture_part(child.transaction_id, 100).error_codes == ["915103"]
    whole_id = _authorize(gateway, order="JPARTS002")
    assert gateway.capture(whole_id).ok
    assert gateway.capture_part(whole_id, 100).error_codes == ["915103"]
    voided_id = _authorize(gateway, order="JPARTS003")
    assert gateway.void(voided_id).ok
    refused = gateway.capture_part(voided_id, 100)
    assert refused.error_codes == ["915103"]
    assert refused.customer_message is not None


def test_a_payment_method_without_partial_settlement_is_915102(gateway):
    parent_id = _authorize(gateway, nonce="fake-valid-maestro-nonce")
    refused = gateway.capture_part(parent_id, 1000)
    assert refused.outcome is Outcome.INVALID and refused.error_codes == ["915102"]
    assert "in parts" in str(refused.customer_message)
    assert gateway.find(parent_id).status == "authorized"  # nothing happened
    assert gateway.capture(parent_id).ok  # captured whole, it goes through


def test_a_card_authorization_partly_settled_cannot_be_voided(gateway):
    # Braintree voids settlement_pending only for PayPal: a card's rest of the hold lapses.
    parent_id = _authorize(gateway)
    assert gateway.capture_part(parent_id, 1000).ok
    refused = gateway.void(parent_id)
    assert refused.error_codes == ["91504"]
    assert gateway.find(parent_id).status == "settlement_pending"


def test_children_settle_and_are_refunded_by_their_own_ids(gateway):
    parent_id = _authorize(gateway)
    first = gateway.capture_part(parent_id, 3000)
    gateway.capture_part(parent_id, 7000)
    # The parent itself is never settled nor refunded.
    assert gateway.refund(parent_id, 100).error_codes == ["91506"]
    assert gateway.settle(first.transaction_id).status == "settled"
    refund = gateway.refund(first.transaction_id, 2500)
    assert refund.ok and refund.refunded_transaction_id == first.transaction_id
    assert gateway.refund(first.transaction_id, 501).error_codes == ["91521"]
