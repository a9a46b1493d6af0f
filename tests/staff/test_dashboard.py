"""The dashboard, the menu, staff idle expiry and no-store on staff pages."""

from __future__ import annotations

import time

import pytest

from jomso.staff.session import LAST_SEEN_KEY
from tests.helpers import login, make_user
from tests.staff.helpers import log_entries, staff_client


def _nav(html: str) -> str:
    return html.split('class="side-nav staff-nav"')[1].split("</nav>")[0]


def test_owner_dashboard_has_every_owner_page_and_the_checklist(app):
    owner = staff_client(app, "owner")
    response = owner.get("/staff/")
    assert response.status_code == 200
    text = response.text
    assert "Hello, Owner Person" in text
    for href in ('href="/staff/staff"', 'href="/staff/customers"', 'href="/staff/audit"'):
        assert href in text
        assert href in _nav(text)
    assert "Setup checklist" in text
    assert "Demo payments" in text
    assert "Mail goes to the outbox folder" in text
    assert "was not served over HTTPS" in text
    assert "Privacy policy" in text


@pytest.mark.parametrize("role", ["orders", "support", "catalog", "analyst"])
def test_other_roles_see_only_their_links_and_no_checklist(app, role):
    client = staff_client(app, role)
    text = client.get("/staff/").text
    assert "Setup checklist" not in text
    for href in ('href="/staff/staff"', 'href="/staff/customers"', 'href="/staff/audit"'):
        assert href not in text
    assert 'href="/staff/"' in _nav(text)


def test_checklist_turns_green_when_configured(app):
    app.config.update(
        BRAINTREE_MERCHANT_ID="m",
        BRAINTREE_PUBLIC_KEY="p",
        BRAINTREE_PRIVATE_KEY="k",
        MAIL_SERVER="smtp.example.com",
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,  # what load_config derives from SESSION_COOKIE_SECURE
    )
    owner = staff_client(app, "owner")
    text = owner.get("/staff/").text
    assert "Braintree is configured (sandbox)." in text
    assert "Mail is sent through smtp.example.com." in text
    assert "The shop is served over HTTPS. Its sign-in cookies are sent over HTTPS only." in text
    assert "Demo payments" not in text


def test_a_page_over_https_is_not_enough_when_cookies_may_travel_over_http(app):
    owner = staff_client(app, "owner")
    text = owner.get("/staff/", base_url="https://shop.test").text
    assert "This page came over HTTPS, but the sign-in cookies may also travel over plain" in text
    assert "The shop is served over HTTPS." not in text


def test_half_configured_payments_are_still_demo(app):
    app.config.update(BRAINTREE_MERCHANT_ID="m", BRAINTREE_PUBLIC_KEY="p")
    text = staff_client(app, "owner").get("/staff/").text
    assert "Demo payments" in text


def test_staff_pages_are_never_cached(app):
    owner = staff_client(app, "owner")
    for url in ("/staff/", "/staff/customers", "/staff/audit", "/staff/no-such-page"):
        response = owner.get(url)
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["Pragma"] == "no-cache", url
    anonymous = app.test_client().get("/staff/")
    assert anonymous.headers["Cache-Control"] == "no-store"
    assert "no-store" not in app.test_client().get("/healthz").headers.get("Cache-Control", "")


def _age_session(client, seconds: int) -> None:
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = int(time.time()) - seconds


def test_idle_staff_session_expires(app):
    app.config["STAFF_IDLE_MINUTES"] = 30
    owner = staff_client(app, "owner")
    assert owner.get("/staff/").status_code == 200
    _age_session(owner, 29 * 60)
    assert owner.get("/staff/customers").status_code == 200  # still in time: renewed
    _age_session(owner, 31 * 60)
    response = owner.get("/staff/audit?kind=sign_in")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/staff/audit?kind%3Dsign_in"
    page = owner.get(response.headers["Location"])
    assert "You were signed out after 30 minutes of inactivity." in page.text
    assert owner.get("/staff/").headers["Location"].startswith("/account/login")
    (entry,) = log_entries(app, kind="session_expired")
    assert entry.actor_label == "owner@staff.example.org"
    assert entry.detail == "idle over 30 min"


def test_idle_expiry_on_a_shop_page_signs_out_and_carries_on(app):
    owner = staff_client(app, "catalog")
    _age_session(owner, 3600)
    response = owner.get("/account")
    assert response.status_code == 302  # /account needs a sign-in now
    assert "/account/login" in response.headers["Location"]


def test_idle_expiry_also_ends_keep_me_signed_in(app):
    make_user(app, "own@example.com", roles=["owner"])
    client = app.test_client()
    from tests.conftest import csrf_token_from

    page = client.get("/account/login")
    client.post(
        "/account/login",
        data={
            "email": "own@example.com",
            "password": "correct horse battery staple",
            "remember": "y",
            "csrf_token": csrf_token_from(page.text),
        },
    )
    assert client.get_cookie("jomso_remember", domain="shop.test") is not None
    _age_session(client, 3600)
    client.get("/staff/")
    assert client.get_cookie("jomso_remember", domain="shop.test") is None
    assert client.get("/staff/").status_code == 302


def test_a_session_restored_from_the_remember_cookie_is_not_a_staff_session(app):
    make_user(app, "own@example.com", roles=["owner"])
    client = app.test_client()
    from tests.conftest import csrf_token_from

    page = client.get("/account/login")
    client.post(
        "/account/login",
        data={
            "email": "own@example.com",
            "password": "correct horse battery staple",
            "remember": "y",
            "csrf_token": csrf_token_from(page.text),
        },
    )
    remember = client.get_cookie("jomso_remember", domain="shop.test").value
    browser_restarted = app.test_client()  # the session cookie is gone, the remember cookie not
    browser_restarted.set_cookie("jomso_remember", remember, domain="shop.test")
    response = browser_restarted.get("/staff/")
    assert response.headers["Location"].startswith("/account/login")
    # It was the cookie's sign-in that was ended, not a visitor who was never signed in.
    assert len(log_entries(app, kind="session_expired")) == 1
    assert browser_restarted.get_cookie("jomso_remember", domain="shop.test") is None


def test_customers_are_not_subject_to_staff_expiry(app):
    make_user(app, "c@example.com")
    client = app.test_client()
    login(client, "c@example.com")
    _age_session(client, 24 * 3600)
    assert client.get("/account").status_code == 200


def test_zero_turns_idle_expiry_off(app):
    app.config["STAFF_IDLE_MINUTES"] = 0
    owner = staff_client(app, "owner")
    _age_session(owner, 10 * 24 * 3600)
    assert owner.get("/staff/").status_code == 200


def _failed_mail(app, template="password_reset", to="ann.private@example.com"):
    from jomso.database import utcnow
    from jomso.extensions import db
    from jomso.mail import MailState, OutgoingMail

    with app.app_context():
        db.session.add(
            OutgoingMail(
                template=template,
                to_address=to,
                message=b"To: ann.private@example.com\nSubject: Reset your password\n\nsecret\n",
                state=MailState.FAILED,
                attempts=8,
                failed_at=utcnow(),
                last_error="SMTPRecipientsRefused 550",
            )
        )
        db.session.commit()


def test_the_owner_sees_mail_that_could_not_be_sent_but_never_to_whom(app):
    owner = staff_client(app, "owner")
    assert "could not be sent" not in owner.get("/staff/").text
    _failed_mail(app)
    _failed_mail(app, template="order_confirmation")
    text = owner.get("/staff/").text
    assert "2 messages could not be sent" in text
    assert "password_reset" in text and "order_confirmation" in text
    assert "SMTPRecipientsRefused 550" in text
    for private in ("ann.private", "Reset your password", "secret"):
        assert private not in text


@pytest.mark.parametrize("role", ["orders", "support", "catalog", "analyst"])
def test_other_roles_do_not_see_failed_mail(app, role):
    _failed_mail(app)
    assert "could not be sent" not in staff_client(app, role).get("/staff/").text
