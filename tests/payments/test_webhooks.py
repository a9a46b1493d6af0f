"""POST /webhooks/braintree: signed notifications verified by the SDK, disputes and failed
refunds kept against their order and shown to staff, tampering refused and logged."""

from __future__ import annotations

import logging

import pytest

from jomso import payments
from tests.orders.helpers import (
    buy,
    confirmed_post,
    gateway_sales,
    get_order,
    order_number,
    staff,
    staff_post,
)

URL = "/webhooks/braintree"


@pytest.fixture
def paid(app, client):
    response, _ = buy(app, client, price_cents=1500)
    return order_number(response)


def _transaction(app, number: str) -> str:
    return get_order(app, number).sale.transaction_id


def _sample(app, kind: str, transaction_id: str) -> dict:
    with app.app_context():
        return payments.sample_webhook(kind, transaction_id)


@pytest.mark.parametrize(("kind", "label"), [("dispute_opened", "Dispute opened"),
                                              ("dispute_won", "Dispute won"),
                                              ("dispute_lost", "Dispute lost")])  # fmt: skip
def test_a_dispute_is_recorded_and_shown_to_staff(app, paid, kind, label):
    notification = _sample(app, kind, _transaction(app, paid))
    response = app.test_client().post(URL, data=notification)  # no CSRF token: exempt
    assert response.status_code == 200
    [event] = get_order(app, paid).events
    assert event.kind == kind
    assert event.amount_cents == 1995
    assert event.dispute_id and event.dispute_reason == "fraud"
    assert event.reply_by is not None
    page = staff(app, app.test_client()).get(f"/staff/orders/{paid}")
    assert "Reported by Braintree" in page.text and label in page.text
    assert f"Dispute {event.dispute_id}" in page.text


def test_a_repeated_delivery_is_kept_once(app, paid):
    notification = _sample(app, "dispute_opened", _transaction(app, paid))
    client = app.test_client()
    assert client.post(URL, data=notification).status_code == 200
    assert client.post(URL, data=notification).status_code == 200
    assert len(get_order(app, paid).events) == 1


def test_a_failed_refund_is_recorded_against_the_refund(app, paid):
    desk = staff(app, app.test_client())
    staff_post(desk, paid, "ship", {"carrier": "UPS", "tracking_number": "1Z1"})
    staff_post(desk, paid, "settle")
    confirmed_post(desk, paid, "refund", {"amount": "5.00", "reason": "Damaged"})
    [refund] = get_order(app, paid).refunds
    assert (
        app.test_client()
        .post(URL, data=_sample(app, "refund_failed", refund.transaction_id))
        .status_code
        == 200
    )
    order = get_order(app, paid)
    assert [e.kind for e in order.events] == ["refund_failed"]
    assert order.refunds[0].status == "failed"
    assert order.refundable_cents == 1995  # the money never left: it can be refunded again
    page = desk.get(f"/staff/orders/{paid}")
    assert "Refund failed" in page.text and "was not paid out" in page.text


def test_check_and_unknown_transactions_answer_200_and_keep_nothing(app, paid):
    client = app.test_client()
    assert client.post(URL, data=_sample(app, "check", "anything")).status_code == 200
    with app.app_context():  # a sale the shop knows nothing about
        stray = payments.authorize("X-OTHER", 1000, "fake-valid-visa-nonce")
    assert (
        client.post(URL, data=_sample(app, "dispute_opened", stray.transaction_id)).status_code
        == 200
    )
    assert get_order(app, paid).events == []


def test_a_tampered_notification_is_refused_and_logged_without_its_payload(app, paid, caplog):
    caplog.set_level(logging.INFO)
    notification = _sample(app, "dispute_opened", _transaction(app, paid))
    payload = notification["bt_payload"]
    tampered = {
        **notification,
        "bt_payload": payload[:-8] + ("A" * 8 if payload[-8:] != "A" * 8 else "B" * 8),
    }
    response = app.test_client().post(URL, data=tampered)
    assert response.status_code == 400
    forged = {
        **notification,
        "bt_signature": notification["bt_signature"].split("|")[0] + "|" + "0" * 40,
    }
    assert app.test_client().post(URL, data=forged).status_code == 400
    assert get_order(app, paid).events == []
    refusals = [r for r in caplog.records if "webhook refused" in r.getMessage()]
    assert len(refusals) == 2
    for record in refusals:
        assert payload[:40] not in record.getMessage()


@pytest.mark.parametrize("data", [{}, {"bt_signature": "a|b"}, {"bt_payload": "abc"}])
def test_missing_fields_are_refused(app, data):
    assert app.test_client().post(URL, data=data).status_code == 400


def test_only_post_is_answered(app):
    assert app.test_client().get(URL).status_code == 405


def test_the_dispute_amount_is_the_sale(app, paid):
    [sale] = gateway_sales(app, paid)
    notification = _sample(app, "dispute_lost", sale.transaction_id)
    app.test_client().post(URL, data=notification)
    assert get_order(app, paid).events[0].amount_cents == sale.amount_cents
