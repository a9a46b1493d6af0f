"""What the checkout admits from Braintree with real credentials, and links in mail sent from
the command line."""

from __future__ import annotations

import pytest

from jomso.checkout.views import _admit_braintree
from jomso.security import _csp_header
from tests.accounts.helpers import build_app, dispose_app
from tests.mailbox import last_message, text_of
from tests.orders.helpers import buy, order_number

CREDENTIALS = {
    "BRAINTREE_MERCHANT_ID": "merchant123",
    "BRAINTREE_PUBLIC_KEY": "public123",
    "BRAINTREE_PRIVATE_KEY": "private123",
}


@pytest.mark.parametrize(
    ("environment", "api", "analytics"),
    [
        ("sandbox", "api.sandbox.braintreegateway.com",
         "client-analytics.sandbox.braintreegateway.com"),
        ("production", "api.braintreegateway.com", "client-analytics.braintreegateway.com"),
    ],
)  # fmt: skip
def test_hosted_fields_admit_exactly_braintrees_sources(
    tmp_path, monkeypatch, environment, api, analytics
):
    app = build_app(tmp_path, monkeypatch, BRAINTREE_ENVIRONMENT=environment, **CREDENTIALS)
    try:
        with app.test_request_context("/checkout"):
            base = dict(d.split(" ", 1) for d in _csp_header().split("; "))
            _admit_braintree()
            policy = dict(d.split(" ", 1) for d in _csp_header().split("; "))
    finally:
        dispose_app(app)
    assert policy["script-src"] == (
        "'self' https://js.braintreegateway.com https://assets.braintreegateway.com"
    )
    assert policy["frame-src"] == "https://assets.braintreegateway.com"
    assert (
        policy["connect-src"]
        == f"'self' https://{api} https://{analytics} https://*.braintree-api.com"
    )
    assert policy["img-src"] == "'self' data: https://assets.braintreegateway.com"
    changed = {k for k in policy if policy[k] != base[k]}
    assert changed == {"script-src", "frame-src", "connect-src", "img-src"}
    assert policy["style-src"] == "'self'" and policy["frame-ancestors"] == "'none'"


def test_other_pages_never_admit_braintree(client):
    for url in ("/", "/cart", "/products"):
        assert "braintree" not in client.get(url).headers["Content-Security-Policy"]


def test_reconciliation_mail_links_to_the_shop_url(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, SHOP_URL="https://shop.example.com")
    try:
        client = app.test_client()
        number = order_number(buy(app, client, price_cents=400100)[0])
        app.config["SERVER_NAME"] = None  # a command line knows only SHOP_URL
        result = app.test_cli_runner().invoke(args=["reconcile-payments"])
        assert f"{number}: Paid" in result.output
        body = text_of(last_message(app, to="gus@example.com"))
        assert f"https://shop.example.com/orders/{number}?token=" in body
    finally:
        dispose_app(app)
