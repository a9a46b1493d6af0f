"""The one subscriber list: every way in, double opt-in, confirm and unsubscribe links (with
RFC 8058 one-click), tampered and expired links, and the account's side."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update

from jomso.consent.models import ConsentRecord
from jomso.database import utcnow
from jomso.extensions import db
from jomso.newsletter import tokens
from jomso.newsletter.models import Subscriber
from jomso.newsletter.services import unsubscribe_link
from jomso.privacy.retention import run_retention_rules
from tests.accounts.helpers import build_app, dispose_app, post_form, register, registered_customer
from tests.conftest import csrf_token_from
from tests.contact.helpers import (
    confirm_subscription,
    path_of,
    subscribe_from_footer,
    subscribers,
)
from tests.helpers import forms_on
from tests.mailbox import last_message, link_to, outbox_messages
from tests.mailbox import text_of as mail_text

CONFIRM_SUBJECT = "Please confirm: emails about our new products"


def _ledger(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (r.choice, r.scope, r.source)
            for r in db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id))
        ]


def _unsubscribe_path(app, email: str) -> str:
    with app.test_request_context():
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        return path_of(unsubscribe_link(subscriber))


# -- Subscribing -----------------------------------------------------------------------------


def test_every_page_has_the_footer_form_and_it_sets_no_cookie(app, client):
    page = client.get("/")
    assert 'action="/newsletter/subscribe"' in page.text
    assert 'for="footer-subscribe-email">Hear about new products</label>' in page.text


def test_the_footer_form_starts_the_double_opt_in(app, client):
    response = subscribe_from_footer(client, "Ann@Example.com")
    assert response.status_code == 303
    assert response.headers["Location"] == "/newsletter/check-email"
    assert "Check your email" in client.get("/newsletter/check-email").text
    [subscriber] = subscribers(app)
    assert (subscriber.email, subscriber.status, subscriber.source) == (
        "ann@example.com",
        "pending",
        "footer",
    )
    assert subscriber.confirmed_at is None
    message = last_message(app, to="ann@example.com")
    assert message["Subject"] == CONFIRM_SUBJECT
    assert "/newsletter/confirm/" in mail_text(message)
    assert "ann@example.com" not in link_to(message, "/newsletter/confirm/")
    assert _ledger(app) == [("accept", "newsletter", "footer")]


@pytest.mark.parametrize(
    "forged",
    [{"base_url": "http://evil.example"}, {"headers": {"X-Forwarded-Host": "evil.example"}}],
    ids=["host", "x-fwd"],
)
def test_the_confirmation_link_leads_to_the_shop_whatever_host_the_request_named(
    tmp_path, monkeypatch, forged
):
    app = build_app(
        tmp_path, monkeypatch, SHOP_URL="https://shop.example.com", SERVER_NAME=None, PROXY_FIX=1
    )
    try:
        client = app.test_client()
        token = csrf_token_from(client.get("/", **forged).text)
        data = {"email": "ann@example.com", "csrf_token": token}
        assert client.post("/newsletter/subscribe", data=data, **forged).status_code == 303
        message = last_message(app, to="ann@example.com")
        link = link_to(message, "/newsletter/confirm/")
        assert link.startswith("https://shop.example.com/newsletter/confirm/")
    finally:
        dispose_app(app)


def test_an_address_with_a_line_break_comes_back_with_a_message(app, client):
    response = subscribe_from_footer(client, "ann@example.com\r\nBcc: all@example.com")
    assert response.status_code == 422
    assert re.search(r'id="[\w-]*email-error">Line breaks are not allowed here.', response.text)
    assert subscribers(app) == [] and outbox_messages(app) == []


def test_following_the_link_and_pressing_the_button_confirms(app, client):
    subscribe_from_footer(client, "ann@example.com")
    link = path_of(link_to(last_message(app, to="ann@example.com"), "/newsletter/confirm/"))
    page = client.get(link)  # a mail scanner opening the link changes nothing
    assert "Yes, email me about new products" in page.text
    assert subscribers(app)[0].status == "pending"
    response = confirm_subscription(client, app, "ann@example.com")
    assert "Thank you. We will email you when we add new products." in response.text
    subscriber = subscribers(app)[0]
    assert subscriber.status == "confirmed" and subscriber.confirmed_at is not None
    again = confirm_subscription(client, app, "ann@example.com")
    assert "already confirmed" in again.text


def test_the_answer_never_tells_whether_an_address_was_subscribed(app, client):
    first = subscribe_from_footer(client, "ann@example.com")
    confirm_subscription(client, app, "ann@example.com")
    before = len(outbox_messages(app, to="ann@example.com"))
    second = subscribe_from_footer(app.test_client(), "ANN@example.com")
    assert (first.status_code, first.headers["Location"]) == (
        second.status_code,
        second.headers["Location"],
    )
    # A confirmed address gets nothing again; the list keeps one row per address.
    assert len(outbox_messages(app, to="ann@example.com")) == before
    assert [s.status for s in subscribers(app)] == ["confirmed"]


def test_a_pending_address_is_not_mailed_again_and_again(app, client):
    for _ in range(3):
        subscribe_from_footer(client, "ann@example.com")
    assert len(outbox_messages(app, to="ann@example.com")) == 1
    with app.app_context():  # later on, asking again sends a fresh link
        db.session.execute(
            update(Subscriber).values(confirmation_sent_at=utcnow() - timedelta(minutes=11))
        )
        db.session.commit()
    old_link = path_of(link_to(last_message(app, to="ann@example.com"), "/newsletter/confirm/"))
    subscribe_from_footer(client, "ann@example.com")
    assert len(outbox_messages(app, to="ann@example.com")) == 2
    assert client.get(old_link).status_code == 400  # replaced by the newer link


@pytest.mark.parametrize("email", ["", "ann.example.com", "ann@", "a" * 250 + "@x.com"])
def test_a_wrong_address_comes_back_with_a_message(app, client, email):
    response = subscribe_from_footer(client, email)
    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    if email:
        assert f'value="{email}"' in response.text
    assert subscribers(app) == [] and outbox_messages(app) == []


def test_a_post_from_another_site_is_refused(app, client):
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        assert subscribe_from_footer(client, "ann@example.com", **headers).status_code == 400
    assert subscribers(app) == []
    same_site = subscribe_from_footer(
        client, "ann@example.com", Origin="http://shop.test", **{"Sec-Fetch-Site": "same-origin"}
    )
    assert same_site.status_code == 303


def test_the_subscribe_page_works_on_its_own(app, client):
    """The page's own form (not the footer's) sent as a browser sends it."""
    page = client.get("/newsletter/subscribe")
    assert page.status_code == 200
    [form] = [f for f in forms_on(page.text) if "main" in f.landmarks]
    assert (form.method, form.action) == ("post", "/newsletter/subscribe")
    form.fields["email"] = "ann@example.com"
    response = client.post(form.action, data=form.fields, follow_redirects=True)
    assert response.status_code == 200
    assert "Check your email" in response.text
    assert [s.email for s in subscribers(app)] == ["ann@example.com"]


# -- Bad links ---------------------------------------------------------------------------------


def _tampered(token: str) -> str:
    return token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]


def test_a_tampered_confirmation_link_changes_nothing(app, client):
    subscribe_from_footer(client, "ann@example.com")
    link = path_of(link_to(last_message(app, to="ann@example.com"), "/newsletter/confirm/"))
    bad = "/newsletter/confirm/" + _tampered(link.rsplit("/", 1)[1])
    page = client.get(bad)
    assert page.status_code == 400
    assert "This link does not work" in page.text and "Nothing was changed." in page.text
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get(link).text)
    assert client.post(bad, data={"csrf_token": token}).status_code == 400
    assert subscribers(app)[0].status == "pending"


def test_an_expired_confirmation_link_changes_nothing(app, client):
    subscribe_from_footer(client, "ann@example.com")
    subscriber = subscribers(app)[0]

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 8 * 24 * 3600

    serializer = URLSafeTimedSerializer(
        "test-secret-key",
        salt="jomso-newsletter-confirm",
        signer=EightDaysAgo,
        signer_kwargs={"digest_method": hashlib.sha256},
    )
    old = serializer.dumps({"s": subscriber.id, "n": subscriber.confirm_nonce})
    with app.app_context():  # the same token made today would work: only its age differs
        tokens.read_confirm_token(tokens.confirm_token(subscriber.id, subscriber.confirm_nonce))
    page = client.get(f"/newsletter/confirm/{old}")
    assert page.status_code == 400 and "Confirmation links work for 7 days" in page.text
    assert subscribers(app)[0].status == "pending"


def test_a_tampered_unsubscribe_link_changes_nothing(app):
    from tests.contact.helpers import confirmed_subscriber

    confirmed_subscriber(app, "ann@example.com")
    path = _unsubscribe_path(app, "ann@example.com")
    bad = "/newsletter/unsubscribe/" + _tampered(path.rsplit("/", 1)[1])
    client = app.test_client()
    for method in ("GET", "POST"):
        response = client.open(bad, method=method, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
        assert "This link does not work" in response.text
    assert subscribers(app)[0].status == "confirmed"


# -- Unsubscribing -------------------------------------------------------------------------------


def test_unsubscribe_page_asks_then_the_button_unsubscribes(app):
    from tests.contact.helpers import confirmed_subscriber

    confirmed_subscriber(app, "ann@example.com")
    path = _unsubscribe_path(app, "ann@example.com")
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "Stop the emails about new products?" in page.text
    form = page.text.split(f'action="{path}"', 1)[1].split("</form>", 1)[0]
    assert "csrf_token" not in form  # the signed token is the authority
    assert subscribers(app)[0].status == "confirmed"  # opening the link changes nothing
    response = client.post(path)
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    subscriber = subscribers(app)[0]
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at is not None
    assert _ledger(app)[-1] == ("decline", "newsletter", "email_link")
    assert "You are unsubscribed" in client.post(path).text  # again: same answer
    assert "You are unsubscribed" in client.get(path).text
    assert len([r for r in _ledger(app) if r[0] == "decline"]) == 1


def test_one_click_unsubscribe_works_without_a_session_or_csrf_token(app):
    """RFC 8058: the mail provider POSTs ``List-Unsubscribe=One-Click`` to the URL."""
    from tests.contact.helpers import confirmed_subscriber

    confirmed_subscriber(app, "ann@example.com")
    path = _unsubscribe_path(app, "ann@example.com")
    provider = app.test_client(use_cookies=False)
    response = provider.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert subscribers(app)[0].status == "unsubscribed"


def test_an_old_confirmation_link_never_resubscribes(app, client):
    subscribe_from_footer(client, "ann@example.com")
    link = path_of(link_to(last_message(app, to="ann@example.com"), "/newsletter/confirm/"))
    app.test_client().post(_unsubscribe_path(app, "ann@example.com"))
    assert client.get(link).status_code == 400
    assert subscribers(app)[0].status == "unsubscribed"


def test_subscribing_again_after_unsubscribing_needs_a_new_confirmation(app, client):
    from tests.contact.helpers import confirmed_subscriber

    confirmed_subscriber(app, "ann@example.com")
    app.test_client().post(_unsubscribe_path(app, "ann@example.com"))
    subscribe_from_footer(client, "ann@example.com")
    assert subscribers(app)[0].status == "pending"
    assert last_message(app, to="ann@example.com")["Subject"] == CONFIRM_SUBJECT
    confirm_subscription(client, app, "ann@example.com")
    assert subscribers(app)[0].status == "confirmed"


# -- The account's side -------------------------------------------------------------------------


def test_registration_opt_in_joins_the_one_list(app, client):
    register(client, newsletter="y")
    [subscriber] = subscribers(app)
    assert (subscriber.source, subscriber.status) == ("registration", "pending")
    assert _ledger(app) == [("accept", "newsletter", "registration")]
    confirm_subscription(client, app, "bea@example.com")
    assert subscribers(app)[0].status == "confirmed"


def test_the_profile_shows_and_changes_the_subscription(app, client):
    registered_customer(client)
    subscribe_from_footer(client, "bea@example.com")
    confirm_subscription(client, app, "bea@example.com")
    page = client.get("/account/profile")
    assert "You receive them at bea@example.com since" in page.text
    assert re.search(r'<input[^>]* checked [^>]*name="newsletter"', page.text)
    post_form(client, "/account/profile", {"name": "Bea", "phones-0": "2025550143"})
    assert subscribers(app)[0].status == "unsubscribed"
    assert _ledger(app)[-1] == ("decline", "newsletter", "account")


def test_changing_the_account_email_moves_the_subscription(app, client):
    from tests.accounts.helpers import GOOD_PASSWORD, mailed_path

    registered_customer(client)
    post_form(
        client, "/account/profile", {"name": "Bea", "phones-0": "2025550143", "newsletter": "y"}
    )
    confirm_subscription(client, app, "bea@example.com")
    post_form(
        client,
        "/account/email",
        {"email": "bea.new@example.com", "current_password": GOOD_PASSWORD},
    )
    client.get(mailed_path(app, "bea.new@example.com", "/account/email/confirm/"))
    [subscriber] = subscribers(app)
    assert (subscriber.email, subscriber.status) == ("bea.new@example.com", "confirmed")


def test_purge_deletes_addresses_that_never_confirmed(app, client):
    subscribe_from_footer(client, "old@example.com")
    subscribe_from_footer(client, "new@example.com")
    confirmed = app.test_client()
    subscribe_from_footer(confirmed, "kept@example.com")
    confirm_subscription(confirmed, app, "kept@example.com")
    with app.app_context():
        long_ago = utcnow() - timedelta(days=31)
        db.session.execute(
            update(Subscriber)
            .where(Subscriber.email.in_(["old@example.com", "kept@example.com"]))
            .values(created_at=long_ago, confirmation_sent_at=long_ago)
        )
        db.session.commit()
        counts = run_retention_rules(utcnow())
    assert counts["newsletter: unconfirmed addresses deleted"] == 1
    assert sorted(s.email for s in subscribers(app)) == ["kept@example.com", "new@example.com"]


@pytest.fixture
def limited_app(tmp_path, monkeypatch):
    app = build_app(
        tmp_path, monkeypatch, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"
    )
    yield app
    dispose_app(app)


def test_the_footer_form_is_rate_limited(limited_app):
    client = limited_app.test_client()
    for number in range(10):
        assert subscribe_from_footer(client, f"n{number}@example.com").status_code == 303
    response = subscribe_from_footer(client, "n10@example.com")
    assert response.status_code == 429 and "Too many attempts" in response.text
