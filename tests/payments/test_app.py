"""Payments in the app: demo mode, the production guard, the ribbon, webhooks, and logs."""

from __future__ import annotations

import base64
import logging
import stat
from pathlib import Path

import pytest

from jomso import create_app, payments
from jomso.cli import init_schema
from jomso.payments import InvalidWebhook, Outcome, PaymentGateway

CREDENTIALS = {
    "BRAINTREE_MERCHANT_ID": "merchant123",
    "BRAINTREE_PUBLIC_KEY": "public123",
    "BRAINTREE_PRIVATE_KEY": "private123",
}
# Production as jomso.config requires it, so that only the payments guard is under test here.
PRODUCTION = {
    "ENV": "production",
    "SHOP_URL": "https://shop.example.com",
    "SESSION_COOKIE_SECURE": True,
    "SHOP_ADDRESS": "4 Harbour Row\nPortsmouth PO1 2AB",
    "SHOP_EMAIL": "privacy@teakettle.example",
}
RIBBON = "Demo payments: no real card is charged."


@pytest.fixture(autouse=True)
def _own_instance_folder(tmp_path, monkeypatch):
    """Apps made here keep their instance folder (and offline store) in the test's tmp dir."""
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "instance"))


def _app(tmp_path, **settings):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
            **settings,
        }
    )


def test_no_credentials_means_demo_mode(app):
    assert payments.is_demo_mode(app)
    gateway = payments.get_gateway(app)
    assert gateway.demo
    assert gateway.environment == "sandbox"
    assert gateway.braintree.config.merchant_id == "jomso_demo"


def test_one_missing_credential_is_still_demo_mode(tmp_path):
    app = _app(tmp_path, **{**CREDENTIALS, "BRAINTREE_PRIVATE_KEY": ""})
    assert payments.is_demo_mode(app)
    assert payments.get_gateway(app).demo


def test_credentials_configure_the_real_gateway(tmp_path):
    app = _app(
        tmp_path,
        **CREDENTIALS,
        BRAINTREE_ENVIRONMENT="production",
        BRAINTREE_MERCHANT_ACCOUNT_ID="shop_usd",
        BRAINTREE_TIMEOUT=12,
    )
    assert not payments.is_demo_mode(app)
    gateway = payments.get_gateway(app)
    assert not gateway.demo
    assert gateway.environment == "production"
    assert gateway.merchant_account_id == "shop_usd"
    config = gateway.braintree.config
    assert (config.merchant_id, config.public_key, config.private_key) == (
        "merchant123",
        "public123",
        "private123",
    )
    assert config.timeout == 12
    assert config.wrap_http_exceptions
    assert "braintreegateway.com" in config.base_url()
    with pytest.raises(RuntimeError, match="production"):
        gateway.settle("abc")
    with pytest.raises(RuntimeError, match="production"):
        gateway.sample_webhook("dispute_opened", "abc")


def test_all_digit_merchant_id_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("JOMSO_BRAINTREE_MERCHANT_ID", "123456")
    monkeypatch.setenv("JOMSO_BRAINTREE_PUBLIC_KEY", "pk")
    monkeypatch.setenv("JOMSO_BRAINTREE_PRIVATE_KEY", "sk")
    app = create_app()
    assert payments.get_gateway(app).braintree.config.merchant_id == "123456"


def test_production_refuses_demo_payments(tmp_path):
    with pytest.raises(RuntimeError, match="JOMSO_ALLOW_DEMO_PAYMENTS"):
        _app(tmp_path, **PRODUCTION)


def test_production_refuses_incomplete_credentials(tmp_path):
    with pytest.raises(RuntimeError, match="JOMSO_BRAINTREE_PUBLIC_KEY"):
        _app(tmp_path, **PRODUCTION, **{**CREDENTIALS, "BRAINTREE_PUBLIC_KEY": ""})


def test_production_with_demo_payments_allowed(tmp_path, caplog):
    app = _app(tmp_path, **PRODUCTION, ALLOW_DEMO_PAYMENTS=True)
    assert payments.is_demo_mode(app)
    assert "no card is charged" in caplog.text


def test_production_with_credentials_starts(tmp_path):
    app = _app(tmp_path, **PRODUCTION, **CREDENTIALS)
    assert not payments.is_demo_mode(app)


def test_unknown_braintree_environment_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="sandbox' or 'production"):
        _app(tmp_path, BRAINTREE_ENVIRONMENT="staging", **CREDENTIALS)


def test_demo_ribbon_on_every_page(client):
    for url in ("/", "/no-such-page"):
        html = client.get(url).text
        assert 'class="demo-ribbon"' in html
        assert RIBBON in html


def test_no_ribbon_with_credentials(tmp_path):
    app = _app(tmp_path, **CREDENTIALS)
    with app.app_context():
        init_schema()
    html = app.test_client().get("/").text
    assert "demo-ribbon" not in html
    assert RIBBON not in html


def test_demo_cards_are_nonces_the_gateway_knows(app):
    with app.app_context():
        results = {
            card.nonce: payments.authorize("D-1", 1500, card.nonce)
            for card in payments.demo_cards()
        }
        labels = [str(card.label) for card in payments.demo_cards()]
    assert labels[0] == "Visa ending 1111"
    assert [r.outcome for r in results.values()] == [
        Outcome.APPROVED,
        Outcome.APPROVED,
        Outcome.DECLINED,
        Outcome.REJECTED,
    ]


# -- webhooks --------------------------------------------------------------------------------


def _sale(app, order="W-1", cents=4999):
    with app.app_context():
        sale = payments.authorize(order, cents, "fake-valid-visa-nonce")
        payments.capture(sale.transaction_id)
        payments.settle(sale.transaction_id)
        return sale


def test_dispute_webhook_names_the_transaction_and_order(app):
    sale = _sale(app)
    with app.app_context():
        sample = payments.sample_webhook("dispute_opened", sale.transaction_id)
        event = payments.parse_webhook(sample["bt_signature"], sample["bt_payload"])
    assert event.kind == "dispute_opened"
    assert event.transaction_id == sale.transaction_id
    assert event.order_number == "W-1"
    assert event.amount_cents == 4999
    assert event.dispute_status == "open"
    assert event.dispute_reason == "fraud"
    assert event.dispute_id
    assert event.dispute_reply_by > event.timestamp.date()
    assert event.timestamp.tzinfo is not None


@pytest.mark.parametrize(("kind", "status"), [("dispute_won", "won"), ("dispute_lost", "lost")])
def test_dispute_outcomes(app, kind, status):
    sale = _sale(app)
    with app.app_context():
        sample = payments.sample_webhook(kind, sale.transaction_id)
        event = payments.parse_webhook(**sample)
    assert (event.kind, event.dispute_status) == (kind, status)


def test_refund_failed_and_check_webhooks(app):
    with app.app_context():
        failed = payments.parse_webhook(**payments.sample_webhook("refund_failed", "abc123"))
        check = payments.parse_webhook(**payments.sample_webhook("check", "x"))
    assert (failed.kind, failed.transaction_id) == ("refund_failed", "abc123")
    assert failed.transaction_status == "processor_declined"
    assert check.kind == "check" and check.transaction_id is None


def test_dispute_sample_needs_a_real_transaction(app):
    with app.app_context(), pytest.raises(ValueError, match="no transaction"):
        payments.sample_webhook("dispute_opened", "nosuchid")


def test_tampered_webhook_is_refused(app):
    sale = _sale(app)
    with app.app_context():
        sample = payments.sample_webhook("dispute_opened", sale.transaction_id)
        xml = base64.b64decode(sample["bt_payload"]).replace(b"49.99", b"4999.99")
        forged = base64.encodebytes(xml).decode()
        with pytest.raises(InvalidWebhook, match="modified"):
            payments.parse_webhook(sample["bt_signature"], forged)


def test_webhook_signed_with_another_key_is_refused(app, tmp_path):
    other = PaymentGateway(
        environment="sandbox",
        merchant_id="jomso_demo",
        public_key="jomso_demo_public_key",
        private_key="someone-elses-key",
        offline_store=tmp_path / "other.json",
    )
    sample = other.braintree.webhook_testing.sample_notification("check", "x")
    with app.app_context(), pytest.raises(InvalidWebhook):
        payments.parse_webhook(sample["bt_signature"], sample["bt_payload"])


def _signed_by(private_key: str, tmp_path) -> dict:
    """A ``check`` notification signed as the demo gateway with ``private_key`` would."""
    signer = PaymentGateway(
        environment="sandbox",
        merchant_id="jomso_demo",
        public_key="jomso_demo_public_key",
        private_key=private_key,
        offline_store=tmp_path / "signer.json",
    )
    return signer.braintree.webhook_testing.sample_notification("check", "x")


def test_demo_webhooks_are_signed_with_a_key_made_for_this_shop(app, tmp_path):
    key_file = Path(app.instance_path) / "demo-braintree-key"
    key = key_file.read_text().strip()
    assert len(key) == 64 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert payments.get_gateway(app).braintree.config.private_key == key
    again = _app(tmp_path)  # the same instance folder: the key survives a restart
    assert payments.get_gateway(again).braintree.config.private_key == key


def test_a_notification_signed_with_the_old_demo_constant_is_refused(client, tmp_path):
    old_constant = _signed_by("jomso_demo_private_key", tmp_path)
    assert client.post("/webhooks/braintree", data=old_constant).status_code == 400
    with client.application.app_context():
        own = payments.sample_webhook("check", "x")
    assert client.post("/webhooks/braintree", data=own).status_code == 200


def test_another_demo_shop_cannot_sign_for_this_one(app, tmp_path, monkeypatch):
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(tmp_path / "another-instance"))
    another = _app(tmp_path)
    assert Path(another.instance_path) != Path(app.instance_path)
    keys = {payments.get_gateway(a).braintree.config.private_key for a in (app, another)}
    assert len(keys) == 2
    with another.app_context():
        theirs = payments.sample_webhook("check", "x")
    response = app.test_client().post("/webhooks/braintree", data=theirs)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("signature", "payload"),
    [
        (None, "abc"),
        ("", ""),
        ("jomso_demo_public_key|deadbeef", "not base64 !"),
        ("no-pipe", "YWJj"),
        ("jomso_demo_public_key|deadbeef", "YWJj\n"),
    ],
)
def test_garbage_webhooks_are_refused(app, signature, payload):
    with app.app_context(), pytest.raises(InvalidWebhook):
        payments.parse_webhook(signature, payload)


def test_validly_signed_garbage_is_refused(app):
    gateway = payments.get_gateway(app)
    from braintree.util.crypto import Crypto

    config = gateway.braintree.config
    payload = base64.encodebytes(b"<not-a-notification>").decode()
    signature = f"{config.public_key}|" + Crypto.sha1_hmac_hash(config.private_key, payload)
    with pytest.raises(InvalidWebhook, match="unreadable"):
        gateway.parse_webhook(signature, payload)


# -- logs ------------------------------------------------------------------------------------


def test_logs_hold_ids_and_outcomes_but_no_nonce_or_card(app, caplog):
    caplog.set_level(logging.DEBUG)
    secret_nonce = "tokencc_bf_customer_secret_42"
    with app.app_context():
        sale = payments.authorize("L-1", 1500, "fake-valid-visa-nonce", device_data="dd-secret")
        payments.authorize("L-2", 200000, "fake-valid-mastercard-nonce")
        payments.authorize("L-3", 1500, secret_nonce)
        payments.authorize("L-4", 400100, "fake-valid-visa-nonce")
        payments.capture(sale.transaction_id)
        payments.settle(sale.transaction_id)
        payments.refund(sale.transaction_id, 100)
    text = caplog.text
    assert "order=L-1" in text and sale.transaction_id in text
    assert "outcome=declined" in text and "2000" in text
    assert "outcome=invalid" in text and "91565" in text
    assert "ReadTimeoutError" in text
    for secret in (
        "nonce",  # neither a nonce nor the redaction marker: nothing needed redacting
        "tokencc",
        secret_nonce,
        "dd-secret",
        "4111111111111111",
        "5555555555554444",
        "<number>",
    ):
        assert secret not in text
