"""Helpers for the contact, enquiry and new-product email tests: drive the real forms."""

from __future__ import annotations

import re

from sqlalchemy import select

from jomso.contact.models import Enquiry
from jomso.extensions import db
from jomso.newsletter.models import Subscriber
from tests.conftest import csrf_token_from
from tests.mailbox import link_to, outbox_messages, text_of

_STARTED = re.compile(r'name="started" type="hidden" value="([^"]*)"')

CONTACT = {
    "name": "Carla Customer",
    "email": "carla@example.com",
    "phone": "",
    "topic": "question",
    "order_number": "",
    "message": "Do you ship to Canada?",
    "website": "",
}


def form_stamp(html: str) -> str:
    match = _STARTED.search(html)
    assert match, "the contact form has no time stamp"
    return match.group(1)


def send_contact(client, page_url: str = "/contact", **overrides):
    """Fill in the contact form shown at ``page_url`` and send it, as a browser would (the
    tests set ``CONTACT_MIN_SECONDS`` to 0 unless they test the fill time)."""
    page = client.get(page_url)
    assert page.status_code == 200
    data = {
        **CONTACT,
        "csrf_token": csrf_token_from(page.text),
        "started": form_stamp(page.text),
        **overrides,
    }
    if "product" not in data:
        match = re.search(r'name="product" value="([^"]*)"', page.text)
        if match:
            data["product"] = match.group(1)
    return client.post("/contact", data={k: v for k, v in data.items() if v is not None})


def enquiries(app) -> list[Enquiry]:
    with app.app_context():
        rows = db.session.scalars(select(Enquiry).order_by(Enquiry.id)).all()
        for row in rows:
            _ = row.replies
        db.session.expunge_all()
        return rows


def subscribers(app) -> list[Subscriber]:
    with app.app_context():
        rows = db.session.scalars(select(Subscriber).order_by(Subscriber.id)).all()
        db.session.expunge_all()
        return rows


def subscribe_from_footer(client, email: str, **headers):
    """Post the footer's form of the home page, its CSRF token included."""
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/").text)
    return client.post(
        "/newsletter/subscribe", data={"email": email, "csrf_token": token}, headers=headers
    )


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def confirm_link(app, email: str) -> str:
    """The path of the newest subscription confirmation link mailed to ``email``."""
    for message in reversed(outbox_messages(app, to=email)):
        if "/newsletter/confirm/" in text_of(message):
            return path_of(link_to(message, "/newsletter/confirm/"))
    raise AssertionError(f"no confirmation link was mailed to {email}")


def confirm_subscription(client, app, email: str):
    """Follow the confirmation link mailed to ``email`` and press its button."""
    link = confirm_link(app, email)
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(link, data={"csrf_token": csrf_token_from(page.text)})


def confirmed_subscriber(app, email: str) -> None:
    """Subscribe ``email`` through the footer and confirm it, in a browser of its own."""
    client = app.test_client()
    assert subscribe_from_footer(client, email).status_code == 303
    response = confirm_subscription(client, app, email)
    assert "You are subscribed" in response.text
