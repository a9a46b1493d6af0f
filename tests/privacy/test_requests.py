"""Privacy requests from people without an account: the public form, the link that proves the
address, the staff's queue with its deadlines, and each answer (the data by a signed, expiring
link; erasure; correction; extension; refusal), each written to the access log."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from jomso.analytics.models import PageView
from jomso.audit.models import AccessLogEntry
from jomso.consent.models import ConsentRecord
from jomso.database import utcnow
from jomso.extensions import db
from jomso.newsletter.models import Subscriber
from jomso.orders.models import Order
from jomso.privacy.models import PrivacyRequest
from jomso.privacy.requests import add_months
from jomso.privacy.retention import run_retention_rules
from jomso.shop_time import shop_today
from tests.accounts.helpers import build_app, dispose_app, registered_customer
from tests.catalog.helpers import text_of
from tests.consent.helpers import choose
from tests.contact.helpers import (
    confirm_subscription,
    enquiries,
    send_contact,
    subscribe_from_footer,
)
from tests.mailbox import last_message, outbox_messages
from tests.mailbox import text_of as mail_text
from tests.orders.helpers import buy, order_number
from tests.privacy.helpers import (
    confirm_privacy_request,
    mailed_link,
    request_id_of,
    rows_holding,
    send_privacy_request,
)
from tests.staff.helpers import log_entries, post_form, staff_client

GUS = "gus@example.com"


def _request(app, request_id: int) -> PrivacyRequest:
    with app.app_context():
        row = db.session.get(PrivacyRequest, request_id)
        db.session.expunge(row)
        return row


@pytest.fixture
def owner(app):
    return staff_client(app, "owner")


@pytest.fixture
def guest(app):
    """Gus, who never opened an account: a browser that accepted analytics and looked at the
    shop, an order, a message, new-product emails confirmed, all with his address."""
    app.config["CONTACT_MIN_SECONDS"] = 0
    browser = app.test_client()
    choose(browser, "accept")
    browser.get("/")
    browser.get("/products")
    response, _product = buy(app, browser, email=GUS)
    assert send_contact(browser, email=GUS, name="Gus Guest").status_code == 303
    assert subscribe_from_footer(browser, GUS).status_code == 303
    confirm_subscription(browser, app, GUS)
    browser.order_number = order_number(response)
    return browser


def _act(owner, request_id: int, action: str, data: dict):
    """Post one of the request page's forms (extend, complete, refuse) as the owner."""
    page = f"/staff/privacy-requests/{request_id}"
    return post_form(owner, f"{page}/{action}", data, page_url=page)


def _checked(html: str, value: str) -> bool:
    return re.search(rf'<input[^>]*\bchecked\b[^>]*value="{value}"', html) is not None


def _open_request(app, browser, kind: str, details: str = "") -> int:
    assert send_privacy_request(browser, kind, GUS, details).status_code == 303
    response = confirm_privacy_request(browser, app, GUS)
    assert response.status_code == 200
    return request_id_of(app, GUS)


# -- The form and the proof ----------------------------------------------------------------------


def test_the_form_mails_a_link_and_says_nothing_about_what_is_held(app, client):
    page = client.get("/privacy/request?kind=erasure")
    assert page.status_code == 200
    assert _checked(page.text, "erasure") and 'name="email"' in page.text

    held = send_privacy_request(client, "access", "Nobody@Example.com", "Typed by anyone.")
    assert held.status_code == 303 and held.headers["Location"] == "/privacy/request/sent"
    page = client.get("/privacy/request/sent")
    assert "Check your email" in page.text and "works for 7 days" in text_of(page.text)

    message = last_message(app, to="nobody@example.com")
    assert message["Subject"] == "Please confirm your privacy request"
    body = mail_text(message)
    assert "/privacy/request/verify/" in body
    assert "Typed by anyone." not in body  # no stranger's text to an address not yet proved
    request = _request(app, request_id_of(app, "nobody@example.com"))
    assert (request.kind, request.status, request.due_on) == ("access", "unverified", None)


def test_wrong_input_comes_back_with_what_was_typed_and_a_message_beside_the_field(app, client):
    response = send_privacy_request(client, "", "gus@example", "Only this.")
    assert response.status_code == 422
    html = response.text
    assert 'id="kind-error">Choose what you would like us to do.' in html
    assert 'id="email-error">' in html and 'value="gus@example"' in html
    assert "Only this." in html

    response = send_privacy_request(client, "correction", GUS, "")
    assert response.status_code == 422
    assert 'id="details-error">Say what is wrong and what it should say instead.' in response.text
    assert _checked(response.text, "correction")
    with app.app_context():
        assert db.session.scalar(select(PrivacyRequest)) is None
    assert outbox_messages(app) == []


def test_following_the_link_opens_the_request_with_a_one_month_deadline(app, client):
    send_privacy_request(client, "erasure", GUS)
    link = mailed_link(app, GUS, "/privacy/request/verify/")
    page = client.get(link)
    assert page.status_code == 200 and "Yes, send my request" in page.text
    request_id = request_id_of(app, GUS)
    assert _request(app, request_id).status == "unverified"  # a GET changes nothing

    response = confirm_privacy_request(client, app, GUS)
    due = add_months(_today(app), 1)
    request = _request(app, request_id)
    assert (request.status, request.due_on) == ("open", due)
    assert request.verified_at is not None and request.verify_nonce is None
    assert "We answer by email by" in text_of(response.text)
    note = last_message(app, to="shop@example.com")
    assert note["Subject"].startswith(f"Privacy request #{request_id}: answer by")
    assert GUS not in mail_text(note)  # the shop's note holds no personal data

    again = confirm_privacy_request(client, app, GUS)
    assert "was confirmed already" in again.text
    assert _request(app, request_id).due_on == due

    tampered = client.get(link[:-3] + "abc")
    assert tampered.status_code == 400 and "This link does not work" in tampered.text


def _today(app):
    with app.test_request_context():
        return shop_today()


def test_add_months_keeps_the_day_or_takes_the_months_last():
    from datetime import date

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)
    assert add_months(date(2026, 12, 31), 1) == date(2027, 1, 31)


# -- The queue -----------------------------------------------------------------------------------


def test_the_queue_shows_open_requests_with_the_days_left(app, owner, guest):
    first = _open_request(app, guest, "access")
    second = _open_request(app, app.test_client(), "correction", "My name is Gus, not Gas.")
    page = owner.get("/staff/privacy-requests")
    assert page.status_code == 200
    text = text_of(page.text)
    days = (add_months(_today(app), 1) - _today(app)).days
    assert f"#{first}" in text and f"#{second}" in text and GUS in text
    assert f"{days} days left" in text
    (entry,) = log_entries(app, view="privacy_requests_admin.request_list")
    assert entry.detail == "privacy requests, open" and entry.subject_email is None

    detail = owner.get(f"/staff/privacy-requests/{second}")
    assert "My name is Gus, not Gas." in detail.text
    held = detail.text.split('id="held-title"')[1].split("</section>")[0]
    for section in ("orders", "enquiries", "subscriptions"):
        assert f"<code>{section}</code>: 1" in held
    (entry,) = log_entries(app, view="privacy_requests_admin.request_detail")
    assert entry.subject_email == GUS and entry.detail == f"privacy request #{second}"


def test_only_the_privacy_permission_opens_the_queue(app, client):
    assert staff_client(app, "support").get("/staff/privacy-requests").status_code == 403
    assert staff_client(app, "orders").get("/staff/privacy-requests").status_code == 403
    assert client.get("/staff/privacy-requests").status_code == 302  # sign in first
    nav = staff_client(app, "owner", "boss@staff.example.org").get("/staff/").text
    assert 'href="/staff/privacy-requests"' in nav


# -- Access --------------------------------------------------------------------------------------


def test_an_access_request_gets_the_data_by_a_signed_expiring_link(app, owner, guest):
    request_id = _open_request(app, guest, "access")
    assert owner.get(f"/staff/privacy-requests/{request_id}").status_code == 200
    response = _act(owner, request_id, "complete", {"note": ""})
    assert response.status_code == 302
    request = _request(app, request_id)
    assert request.status == "done" and request.outcome.startswith("download link sent")
    message = last_message(app, to=GUS)
    assert message["Subject"] == "Your data from Jomso Demo Shop"
    assert "works for 7 days" in mail_text(message)
    link = mailed_link(app, GUS, "/privacy/request/data/")

    page = guest.get(link)  # the page with the button: opening it downloads nothing
    assert page.status_code == 200 and "Download my data" in page.text
    assert log_entries(app, view="privacy_requests.data") == []
    download = post_form(guest, link)
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    data = json.loads(download.data)
    assert data["format"] == "jomso-data-export" and data["account"] is None
    assert [o["number"] for o in data["orders"]] == [guest.order_number]
    assert data["orders"][0]["shipping_name"] == "Gus Guest"
    assert [e["email"] for e in data["enquiries"]] == [GUS]
    (subscription,) = data["subscriptions"]
    assert [c["choice"] for c in subscription["consents"]] == ["accept"]
    assert data["page_views"], "the browser that followed the link brought its page views"
    assert {c["scope"] for c in data["consents"]} == {"analytics"}
    assert [r["kind"] for r in data["privacy_requests"]] == ["access"]
    assert "verify_nonce" not in download.text and "data_key" not in download.text

    (entry,) = log_entries(app, view="privacy_requests.data")
    assert entry.kind == "export_personal_data" and entry.subject_email == GUS
    assert entry.actor_label == "anonymous"
    (action,) = log_entries(app, kind="privacy_request")
    assert action.detail == f"privacy request #{request_id} (access): download link sent"
    assert action.subject_email == GUS

    # The owner finds every entry about the address in the log, by the address.
    log_page = text_of(owner.get(f"/staff/audit?customer={GUS}").text)
    assert "Exported personal data" in log_page and "Privacy request handled" in log_page


def test_the_data_link_expires(app, owner, guest, monkeypatch):
    request_id = _open_request(app, guest, "access")
    _act(owner, request_id, "complete", {"note": ""})
    link = mailed_link(app, GUS, "/privacy/request/data/")
    assert guest.get(link).status_code == 200
    later = time.time() + 8 * 86400
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = guest.get(link)
    assert response.status_code == 400 and "This link does not work" in response.text
    assert guest.get(link[:-2] + "xx").status_code == 400


# -- Erasure -------------------------------------------------------------------------------------


def test_an_erasure_request_erases_by_the_proved_address(app, owner, guest):
    request_id = _open_request(app, guest, "erasure", "Please forget me.")
    (enquiry,) = enquiries(app)
    staff_client(app, "support").get(f"/staff/enquiries/{enquiry.id}")  # logged with the address
    response = _act(owner, request_id, "complete", {"note": "Done, Gus."})
    assert response.status_code == 302
    page = owner.get(response.headers["Location"])
    assert "The data is erased; the requester was told." in page.text

    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == guest.order_number))
        assert order.email == order.shipping_name == order.phone == "deleted"
        assert order.anonymized_at is not None and order.lines and order.payments
        assert db.session.scalar(select(Subscriber)) is None
        assert db.session.scalars(select(ConsentRecord)).all() == []
        assert (
            db.session.scalars(select(PageView).where(PageView.visitor_id.is_not(None))).all() == []
        )
        assert (
            db.session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.subject_email.is_not(None))
            ).all()
            == []
        )
        left = rows_holding({GUS})
    assert set(left) == {"outgoing_mail"}  # the answer, waiting to be purged
    assert [row["template"] for row in left["outgoing_mail"]] == ["privacy_request_erased"]
    (enquiry,) = enquiries(app)
    assert enquiry.anonymized_at is not None

    request = _request(app, request_id)
    assert request.email is None and request.details == "" and request.erased_at is not None
    assert request.status == "done" and request.outcome.startswith("erased; held: ")
    assert "orders 1" in request.outcome and "enquiries 1" in request.outcome
    message = last_message(app, to=GUS)
    assert "your data is erased" in message["Subject"]
    assert "Done, Gus." in mail_text(message)
    (action,) = log_entries(app, kind="privacy_request")
    assert action.detail == f"privacy request #{request_id} (erasure): data erased"
    assert action.subject_email is None


def test_erasure_deletes_the_account_confirmed_at_the_address(app, owner):
    client = app.test_client()
    registered_customer(client, email=GUS, name="Gus Guest")
    request_id = _open_request(app, app.test_client(), "erasure")
    _act(owner, request_id, "complete", {"note": ""})
    assert client.get("/account").status_code == 302  # signed out: the account is gone
    # The account's deletion notice is forgotten once sent (never in the outbox); the answer
    # to the request is the one message kept for the address.
    subjects = [m["Subject"] for m in outbox_messages(app, to=GUS)]
    assert "Your account was deleted" not in subjects
    assert subjects[-1].endswith("your data is erased")
    with app.app_context():
        assert rows_holding({GUS}).keys() == {"outgoing_mail"}


# -- Correction, extension, refusal --------------------------------------------------------------


def test_a_correction_is_marked_done_with_what_changed(app, owner, guest):
    request_id = _open_request(app, guest, "correction", "The phone on my order is wrong.")
    response = _act(owner, request_id, "complete", {"note": ""})
    assert response.status_code == 422
    assert 'id="note-error">Say what was corrected' in response.text
    _act(owner, request_id, "complete", {"note": "We changed the phone to +1 503 555 0199."})
    request = _request(app, request_id)
    assert (request.status, request.outcome) == ("done", "corrected")
    assert "+1 503 555 0199" in mail_text(last_message(app, to=GUS))
    assert [e.detail for e in log_entries(app, kind="privacy_request")] == [
        f"privacy request #{request_id} (correction): marked corrected"
    ]


def test_the_deadline_is_extended_once_with_a_reason(app, owner, guest):
    request_id = _open_request(app, guest, "access")
    page_url = f"/staff/privacy-requests/{request_id}"
    response = _act(owner, request_id, "extend", {"reason": ""})
    assert response.status_code == 422 and 'id="reason-error">Give the reason' in response.text
    first_due = _request(app, request_id).due_on

    _act(owner, request_id, "extend", {"reason": "Your orders span ten years of archives."})
    request = _request(app, request_id)
    assert request.due_on == add_months(first_due, 2)
    assert request.extension_reason == "Your orders span ten years of archives."
    message = last_message(app, to=GUS)
    assert "more time needed" in message["Subject"]
    assert "ten years of archives" in mail_text(message)
    page = owner.get(page_url).text
    assert "Extend the deadline" not in page  # once only

    again = _act(owner, request_id, "extend", {"reason": "Still busy."})
    assert "extended once already" in owner.get(again.headers["Location"]).text
    assert _request(app, request_id).due_on == request.due_on


def test_a_refusal_says_why(app, owner, guest):
    request_id = _open_request(app, guest, "access")
    _act(owner, request_id, "refuse", {"reason": "The same request was answered yesterday."})
    request = _request(app, request_id)
    assert request.status == "refused" and request.note.startswith("The same request")
    body = mail_text(last_message(app, to=GUS))
    assert "answered yesterday" in body and "data protection authority" in body
    # A closed request takes no more action.
    _act(owner, request_id, "complete", {"note": ""})
    assert _request(app, request_id).status == "refused"
    closed = text_of(owner.get("/staff/privacy-requests?show=closed").text)
    assert f"#{request_id}" in closed and "Refused" in closed


# -- Retention and rate limits -------------------------------------------------------------------


def test_purge_forgets_unconfirmed_requests_and_old_closed_ones(app, owner, client):
    send_privacy_request(client, "access", "never@example.com")
    request_id = _open_request(app, app.test_client(), "access")
    _act(owner, request_id, "refuse", {"reason": "A test."})
    with app.test_request_context():
        run_retention_rules(utcnow() + timedelta(days=6))
        assert len(db.session.scalars(select(PrivacyRequest)).all()) == 2
        run_retention_rules(utcnow() + timedelta(days=8))
        (kept,) = db.session.scalars(select(PrivacyRequest)).all()
        assert kept.id == request_id  # closed, kept as the record of what was done
        run_retention_rules(utcnow() + timedelta(days=1096))
        assert db.session.scalars(select(PrivacyRequest)).all() == []


def test_the_form_is_rate_limited_per_address(tmp_path, monkeypatch):
    app = build_app(
        tmp_path, monkeypatch, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"
    )
    try:
        client = app.test_client()
        for _ in range(3):
            assert send_privacy_request(client, "access", GUS).status_code == 303
        refused = send_privacy_request(app.test_client(), "access", GUS.upper())
        assert refused.status_code == 429
        # Another address from another client is still welcome.
        assert (
            send_privacy_request(app.test_client(), "access", "ann@example.com").status_code == 303
        )
        assert len(outbox_messages(app, to=GUS)) == 3
    finally:
        dispose_app(app)
