"""The payment adapter through the real braintree SDK, answered by the offline gateway.

Nothing here mocks the SDK: every call builds Braintree's request XML, the offline gateway
answers with Braintree's XML, and the SDK parses it into its own result objects.
"""

from __future__ import annotations

import base64
import json

import pytest

from jomso import create_app, payments
from jomso.payments import Outcome, messages


@pytest.fixture
def ctx(app):
    """These tests call the payment functions directly, as the checkout's services will."""
    with app.app_context():
        yield app


def _paid(order="J-1001", cents=1500, nonce="fake-valid-visa-nonce"):
    result = payments.authorize(order, cents, nonce)
    assert result.outcome is Outcome.APPROVED, result
    return result


def test_client_token_is_a_base64_token(ctx):
    token = payments.client_token()
    decoded = json.loads(base64.b64decode(token))
    assert decoded["merchantId"] == "jomso_demo"
    assert decoded["offline"] is True


@pytest.mark.parametrize(
    ("nonce", "brand", "last4"),
    [
        ("fake-valid-visa-nonce", "Visa", "1111"),
        ("fake-valid-mastercard-nonce", "MasterCard", "4444"),
        ("fake-valid-amex-nonce", "American Express", "0005"),
        ("fake-valid-nonce", "Visa", "1881"),
    ],
)
def test_approved_authorization_holds_the_amount(ctx, nonce, brand, last4):
    result = payments.authorize("J-1001", 12345, nonce)
    assert result.outcome is Outcome.APPROVED
    assert result.ok and result.is_authorized and not result.is_captured
    assert result.status == "authorized"
    assert result.kind == "sale"
    assert result.amount_cents == 12345
    assert result.order_number == "J-1001"
    assert (result.card_brand, result.card_last4) == (brand, last4)
    assert result.processor_response_code == "1000"
    assert result.customer_message is None
    assert result.transaction_id
    assert result.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("cents", "code", "text", "message"),
    [
        (200000, "2000", "Do Not Honor", messages.BANK_DECLINED),
        (200100, "2001", "Insufficient Funds", messages.INSUFFICIENT_FUNDS),
        (200400, "2004", "Expired Card", messages.EXPIRED_CARD),
        (201500, "2015", "Transaction Not Allowed", messages.CARD_NOT_ALLOWED),
        (299999, "2999", "Processor Declined", messages.DECLINED),
    ],
)
def test_declined_amounts_explain_the_reason(ctx, cents, code, text, message):
    result = payments.authorize("J-1002", cents, "fake-valid-visa-nonce")
    assert result.outcome is Outcome.DECLINED
    assert not result.ok and not result.is_authorized
    assert result.status == "processor_declined"
    assert (result.processor_response_code, result.processor_response_text) == (code, text)
    assert str(result.customer_message) == str(message)
    assert result.transaction_id and result.card_last4 == "1111"


def test_do_not_honor_reads_like_a_person_wrote_it(ctx):
    result = payments.authorize("J-1002", 200000, "fake-valid-visa-nonce")
    assert str(result.customer_message) == (
        "Your bank declined the payment. Please use another card or contact your bank."
    )


def test_declined_card_nonce(ctx):
    result = payments.authorize("J-1003", 1500, "fake-processor-declined-visa-nonce")
    assert result.outcome is Outcome.DECLINED
    assert result.processor_response_code == "2000"


def test_processor_network_failure(ctx):
    result = payments.authorize("J-1004", 300000, "fake-valid-visa-nonce")
    assert result.outcome is Outcome.DECLINED
    assert result.status == "failed"
    assert result.processor_response_code == "3000"
    assert "You have not been charged" in str(result.customer_message)


@pytest.mark.parametrize(
    ("cents", "nonce", "reason"),
    [
        (1500, "fake-gateway-rejected-fraud-nonce", "fraud"),
        (1500, "fake-gateway-rejected-risk-thresholds-nonce", "risk_threshold"),
        (500100, "fake-valid-visa-nonce", "application_incomplete"),
    ],
)
def test_gateway_rejections(ctx, cents, nonce, reason):
    result = payments.authorize("J-1005", cents, nonce)
    assert result.outcome is Outcome.REJECTED
    assert result.status == "gateway_rejected"
    assert result.gateway_rejection_reason == reason
    assert result.customer_message
    assert "fraud" not in str(result.customer_message).lower()


@pytest.mark.parametrize(
    ("nonce", "code", "message"),
    [
        ("tokencc_bc_not_a_real_one", "91565", messages.CARD_FORM_EXPIRED),
        ("fake-consumed-nonce", "91564", messages.CARD_FORM_EXPIRED),
        ("fake-luhn-invalid-nonce", "81715", messages.CARD_DETAILS_WRONG),
        ("", "91508", messages.CARD_MISSING),
    ],
)
def test_unusable_nonces_are_invalid_with_a_clear_message(ctx, nonce, code, message):
    result = payments.authorize("J-1006", 1500, nonce)
    assert result.outcome is Outcome.INVALID
    assert result.error_codes == [code]
    assert result.transaction_id is None
    assert str(result.customer_message) == str(message)
    assert payments.find_by_order("J-1006") == []


def test_fake_nonces_are_reusable_as_in_the_sandbox(ctx):
    first = _paid("J-1007")
    second = _paid("J-1008")
    assert first.transaction_id != second.transaction_id


def test_zero_amount_is_refused(ctx):
    result = payments.authorize("J-1009", 0, "fake-valid-visa-nonce")
    assert result.outcome is Outcome.INVALID
    assert result.error_codes == ["81531"]


def test_amount_must_be_integer_cents(ctx):
    with pytest.raises(TypeError):
        payments.authorize("J-1009", 12.5, "fake-valid-visa-nonce")


def test_timeout_after_the_sale_is_recorded_then_reconciled_by_order(ctx):
    result = payments.authorize("J-2001", 400150, "fake-valid-visa-nonce")
    assert result.outcome is Outcome.UNAVAILABLE
    assert result.error_codes == ["ReadTimeoutError"]
    assert str(result.customer_message) == str(messages.NO_ANSWER)
    assert result.transaction_id is None

    found = payments.find_by_order("J-2001")
    assert len(found) == 1
    sale = found[0]
    assert sale.is_authorized and sale.status == "authorized"
    assert sale.amount_cents == 400150
    assert sale.kind == "sale"
    assert sale.order_number == "J-2001"


def test_timeout_before_reaching_the_gateway_records_nothing(ctx):
    result = payments.authorize("J-2002", 400200, "fake-valid-visa-nonce")
    assert result.outcome is Outcome.UNAVAILABLE
    assert result.error_codes == ["ConnectTimeoutError"]
    assert str(result.customer_message) == str(messages.UNREACHABLE)
    assert "You have not been charged" in str(result.customer_message)
    assert payments.find_by_order("J-2002") == []


def test_service_unavailable_is_unavailable(ctx):
    result = payments.authorize("J-2003", 400300, "fake-valid-visa-nonce")
    assert result.outcome is Outcome.UNAVAILABLE
    assert result.error_codes == ["ServiceUnavailableError"]
    assert payments.find_by_order("J-2003") == []


def test_same_idempotency_key_charges_once(ctx):
    first = payments.authorize("J-2004", 1500, "fake-valid-visa-nonce", idempotency_key="J-2004")
    again = payments.authorize("J-2004", 1500, "fake-valid-visa-nonce", idempotency_key="J-2004")
    assert again.transaction_id == first.transaction_id
    assert len(payments.find_by_order("J-2004")) == 1
    other = payments.authorize("J-2005", 1500, "fake-valid-visa-nonce", idempotency_key="J-2005")
    assert other.transaction_id != first.transaction_id


def test_retry_after_timeout_with_same_key_finds_the_first_sale(ctx):
    lost = payments.authorize("J-2006", 400100, "fake-valid-visa-nonce", idempotency_key="k-2006")
    assert lost.outcome is Outcome.UNAVAILABLE
    retry = payments.authorize("J-2006", 400100, "fake-valid-visa-nonce", idempotency_key="k-2006")
    assert retry.outcome is Outcome.APPROVED
    assert [r.transaction_id for r in payments.find_by_order("J-2006")] == [retry.transaction_id]


def test_device_data_is_passed_through(ctx):
    result = payments.authorize(
        "J-2007", 1500, "fake-valid-visa-nonce", device_data='{"correlation_id":"abc"}'
    )
    assert result.ok


def test_find(ctx):
    sale = _paid("J-3001", 2500)
    found = payments.find(sale.transaction_id)
    assert found.transaction_id == sale.transaction_id
    assert found.status == "authorized" and found.amount_cents == 2500
    assert payments.find("nosuchid") is None
    assert payments.find("../etc") is None


def test_find_by_order_lists_newest_first_and_only_that_order(ctx):
    first = payments.authorize("J-3002", 200000, "fake-valid-visa-nonce")  # declined
    second = _paid("J-3002", 1500)
    _paid("J-3003", 1500)
    found = payments.find_by_order("J-3002")
    assert [r.transaction_id for r in found] == [second.transaction_id, first.transaction_id]
    assert [r.outcome for r in found] == [Outcome.APPROVED, Outcome.DECLINED]


def test_capture_all_and_part(ctx):
    sale = _paid("J-4001", 5000)
    captured = payments.capture(sale.transaction_id)
    assert captured.outcome is Outcome.APPROVED
    assert captured.status == "submitted_for_settlement"
    assert captured.is_captured and captured.amount_cents == 5000

    other = _paid("J-4002", 5000)
    partial = payments.capture(other.transaction_id, 3000)
    assert partial.ok and partial.amount_cents == 3000


def test_capture_more_than_authorized_is_refused(ctx):
    sale = _paid("J-4003", 5000)
    result = payments.capture(sale.transaction_id, 5001)
    assert result.outcome is Outcome.INVALID
    assert result.error_codes == ["91522"]
    assert str(result.customer_message) == str(messages.CAPTURE_TOO_LARGE)
    assert payments.find(sale.transaction_id).status == "authorized"


def test_capture_twice_is_refused(ctx):
    sale = _paid("J-4004")
    assert payments.capture(sale.transaction_id).ok
    again = payments.capture(sale.transaction_id)
    assert again.outcome is Outcome.INVALID and again.error_codes == ["91507"]


def test_capture_unknown_transaction(ctx):
    result = payments.capture("nosuchid")
    assert result.outcome is Outcome.INVALID
    assert result.error_codes == ["not_found"]


def test_void_before_capture_and_after_capture(ctx):
    sale = _paid("J-5001")
    voided = payments.void(sale.transaction_id)
    assert voided.outcome is Outcome.APPROVED
    assert voided.status == "voided" and not voided.is_authorized

    captured = _paid("J-5002")
    payments.capture(captured.transaction_id)
    assert payments.void(captured.transaction_id).status == "voided"


def test_void_after_settlement_is_refused(ctx):
    sale = _paid("J-5003")
    payments.capture(sale.transaction_id)
    settled = payments.settle(sale.transaction_id)
    assert settled.ok and settled.status == "settled" and settled.is_settled
    result = payments.void(sale.transaction_id)
    assert result.outcome is Outcome.INVALID
    assert result.error_codes == ["91504"]
    assert str(result.customer_message) == str(messages.CANNOT_VOID)


def test_settle_needs_a_capture(ctx):
    sale = _paid("J-5004")
    result = payments.settle(sale.transaction_id)
    assert result.outcome is Outcome.INVALID and result.error_codes == ["91575"]


def test_refund_before_settlement_is_refused(ctx):
    sale = _paid("J-6001")
    payments.capture(sale.transaction_id)
    result = payments.refund(sale.transaction_id)
    assert result.outcome is Outcome.INVALID
    assert result.error_codes == ["91506"]
    assert str(result.customer_message) == str(messages.NOT_SETTLED)


def _settled(order, cents):
    sale = _paid(order, cents)
    payments.capture(sale.transaction_id)
    payments.settle(sale.transaction_id)
    return sale


def test_partial_refunds_then_the_rest(ctx):
    sale = _settled("J-6002", 10000)
    part = payments.refund(sale.transaction_id, 3000)
    assert part.outcome is Outcome.APPROVED
    assert part.kind == "credit"
    assert part.amount_cents == 3000
    assert part.refunded_transaction_id == sale.transaction_id
    assert part.order_number == "J-6002"
    assert part.transaction_id != sale.transaction_id

    too_much = payments.refund(sale.transaction_id, 7001)
    assert too_much.outcome is Outcome.INVALID
    assert too_much.error_codes == ["91521"]
    assert str(too_much.customer_message) == str(messages.REFUND_TOO_LARGE)

    rest = payments.refund(sale.transaction_id)
    assert rest.ok and rest.amount_cents == 7000

    original = payments.get_gateway().braintree.transaction.find(sale.transaction_id)
    assert sorted(original.refund_ids) == sorted([part.transaction_id, rest.transaction_id])
    kinds = sorted(r.kind for r in payments.find_by_order("J-6002"))
    assert kinds == ["credit", "credit", "sale"]


def test_full_refund_twice_is_refused(ctx):
    sale = _settled("J-6003", 4200)
    assert payments.refund(sale.transaction_id).amount_cents == 4200
    again = payments.refund(sale.transaction_id)
    assert again.outcome is Outcome.INVALID
    assert again.error_codes == ["91512"]
    assert str(again.customer_message) == str(messages.ALREADY_REFUNDED)


def test_a_refund_cannot_be_refunded(ctx):
    sale = _settled("J-6004", 4200)
    credit = payments.refund(sale.transaction_id, 100)
    result = payments.refund(credit.transaction_id)
    assert result.outcome is Outcome.INVALID and result.error_codes == ["91505"]


def test_transactions_survive_a_restart(app, tmp_path):
    with app.app_context():
        sale = _settled("J-7001", 9900)
    # A new app on the same instance folder: a restart, or another gunicorn worker.
    restarted = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        }
    )
    assert restarted.instance_path == app.instance_path
    assert payments.get_gateway(restarted) is not payments.get_gateway(app)
    with restarted.app_context():
        found = payments.find(sale.transaction_id)
        assert found.status == "settled" and found.amount_cents == 9900
        refunded = payments.refund(sale.transaction_id, 900)
        assert refunded.ok
        assert [r.kind for r in payments.find_by_order("J-7001")] == ["credit", "sale"]


def test_refund_retried_with_the_same_key_refunds_once(ctx):
    sale = _settled("J-6005", 5000)
    first = payments.refund(sale.transaction_id, 1000, idempotency_key="refund-1")
    again = payments.refund(sale.transaction_id, 1000, idempotency_key="refund-1")
    assert first.ok and again.transaction_id == first.transaction_id
    other = payments.refund(sale.transaction_id, 1000, idempotency_key="refund-2")
    assert other.transaction_id != first.transaction_id
    credits = [r for r in payments.find_by_order("J-6005") if r.kind == "credit"]
    assert sum(r.amount_cents for r in credits) == 2000
