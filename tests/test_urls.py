"""The shop's own address (``jomso.urls``): which base full links are made on, and which
forwarded headers the proxy settings believe."""

from __future__ import annotations

import pytest
from flask import request

from jomso.urls import shop_url_for
from tests.accounts.helpers import build_app, dispose_app


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    apps = []

    def make(**settings):
        app = build_app(tmp_path, monkeypatch, **{"SERVER_NAME": None, **settings})
        apps.append(app)
        return app

    yield make
    for app in apps:
        dispose_app(app)


def _link(app, base_url="http://evil.example", **request_args):
    with app.test_request_context("/", base_url=base_url, **request_args):
        return shop_url_for("accounts.password_reset_request", next="/cart")


def test_shop_url_with_a_path_prefix(make_app):
    app = make_app(SHOP_URL="https://example.com/shop")
    assert _link(app) == "https://example.com/shop/account/password-reset?next=/cart"
    with app.app_context():  # a command: no request at all
        assert shop_url_for("catalog.home") == "https://example.com/shop/"


def test_without_shop_url_an_untrusted_host_never_makes_a_link(make_app):
    assert _link(make_app()) == "http://127.0.0.1:5000/account/password-reset?next=/cart"
    app = make_app(SERVER_NAME="shop.test")
    assert _link(app) == "http://shop.test/account/password-reset?next=/cart"


def test_without_shop_url_a_trusted_host_is_used_and_others_refused(make_app):
    app = make_app(TRUSTED_HOSTS="shop.test, www.shop.test")
    assert app.config["TRUSTED_HOSTS"] == ["shop.test", "www.shop.test"]
    assert _link(app, "https://www.shop.test") == (
        "https://www.shop.test/account/password-reset?next=/cart"
    )
    client = app.test_client()
    assert client.get("/healthz", base_url="http://evil.example").status_code == 400
    assert client.get("/healthz", base_url="http://shop.test").status_code == 200


def test_a_malformed_shop_url_is_refused_at_start(make_app):
    with pytest.raises(RuntimeError, match="JOMSO_SHOP_URL must be the shop's full address"):
        make_app(SHOP_URL="shop.example.com")


def _seen_host(app, **headers) -> str:
    app.add_url_rule("/seen-host", "seen_host", lambda: request.host)
    return app.test_client().get("/seen-host", headers=headers).text


def test_the_proxy_settings_ignore_x_forwarded_host_unless_asked(make_app):
    forwarded = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    assert _seen_host(make_app(PROXY_FIX=1), **forwarded) == "localhost"
    assert _seen_host(make_app(PROXY_FIX=1, PROXY_FIX_HOST=True), **forwarded) == "evil.example"
