"""Links in account mail lead to the shop's own address (``JOMSO_SHOP_URL``), whatever
``Host`` or ``X-Forwarded-Host`` the request that sent the mail carried."""

from __future__ import annotations

import pytest

from tests.accounts.helpers import build_app, dispose_app, registration
from tests.conftest import csrf_token_from
from tests.helpers import make_user
from tests.mailbox import last_message, links_in

SHOP = "https://shop.example.com"
FORGED_HOST = {"base_url": "http://evil.example"}
FORGED_FORWARDED_HOST = {"headers": {"X-Forwarded-Host": "evil.example"}}


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """A shop behind one proxy, its address configured, and no SERVER_NAME (as in production)."""
    app = build_app(tmp_path, monkeypatch, SHOP_URL=SHOP, SERVER_NAME=None, PROXY_FIX=1)
    yield app
    dispose_app(app)


def _post(client, url, data, **request):
    """GET the form and POST it, both requests carrying the same ``request`` arguments."""
    page = client.get(url, **request)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**data, "csrf_token": csrf_token_from(page.text)}, **request)


@pytest.mark.parametrize("forged", [FORGED_HOST, FORGED_FORWARDED_HOST], ids=["host", "x-fwd"])
def test_a_reset_asked_for_with_a_forged_host_mails_a_link_to_the_shop(shop, forged):
    make_user(shop)
    response = _post(shop.test_client(), "/account/password-reset", {"email": "ann@example.com"},
                     **forged)  # fmt: skip
    assert response.status_code == 200
    [link] = links_in(last_message(shop, to="ann@example.com"))
    assert link.startswith(f"{SHOP}/account/password-reset/")


@pytest.mark.parametrize("forged", [FORGED_HOST, FORGED_FORWARDED_HOST], ids=["host", "x-fwd"])
def test_someone_registering_with_a_taken_address_mails_links_to_the_shop(shop, forged):
    make_user(shop, email="bea@example.com")
    response = _post(shop.test_client(), "/account/register", registration(), **forged)
    assert response.status_code == 200
    message = last_message(shop, to="bea@example.com")
    assert message["Subject"] == "Someone tried to open an account with your address"
    links = links_in(message)
    assert links and all(link.startswith(f"{SHOP}/account/") for link in links), links
