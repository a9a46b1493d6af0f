"""Deleting an account ends the analytics visitor id in the browser that deleted it: the
deletion's response expires the visitor cookie (and the cookie choice, whose ledger record
went with the account), the page views under that id are erased with the account, and the
pages that follow count the browser as a new, undecided visitor."""

from __future__ import annotations

from sqlalchemy import select

from jomso.analytics.models import PageView
from jomso.consent.models import ConsentRecord
from jomso.extensions import db
from tests.accounts.helpers import GOOD_PASSWORD, post_form, registered_customer
from tests.consent.helpers import choose, cookies_set, is_deletion


def _visitor_ids(app) -> set[str | None]:
    with app.app_context():
        return set(db.session.scalars(select(PageView.visitor_id)))


def _ledger_visitor_ids(app) -> set[str | None]:
    with app.app_context():
        return set(db.session.scalars(select(ConsentRecord.visitor_id)))


def test_deleting_the_account_ends_the_visitor_id_in_that_browser(app, client):
    registered_customer(client)
    choose(client, "accept")
    client.get("/products")
    visitor_id = client.get_cookie("jomso_vid", domain="shop.test").value
    assert visitor_id in _visitor_ids(app) and visitor_id in _ledger_visitor_ids(app)

    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.headers["Location"] == "/account/deleted"
    cookies = cookies_set(response)
    assert is_deletion(cookies["jomso_vid"]) and is_deletion(cookies["jomso_consent"])
    assert client.get_cookie("jomso_vid", domain="shop.test") is None
    assert visitor_id not in _visitor_ids(app) | _ledger_visitor_ids(app)

    page = client.get("/account/deleted")
    assert "Your account is deleted" in page.text
    assert "cookie-banner" in page.text  # asked again, as a new visitor
    client.get("/products")
    assert client.get_cookie("jomso_vid", domain="shop.test") is None
    assert _visitor_ids(app) == {None}  # counted, without any identifier

    choose(client, "accept")  # a new choice starts a new, unrelated visitor id
    assert client.get_cookie("jomso_vid", domain="shop.test").value != visitor_id
