"""New-product announcements: compose, preview, send to confirmed subscribers only, in batches,
never twice (two runs, a crash between batches, a sender that died mid-batch), with one-click
unsubscribe headers; refusals; what staff see; permissions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from jomso.database import utcnow
from jomso.extensions import db
from jomso.newsletter.models import Announcement, Delivery, DeliveryState
from tests.catalog.helpers import make_product, text_of, update_product
from tests.conftest import csrf_token_from
from tests.contact.helpers import (
    confirmed_subscriber,
    path_of,
    subscribe_from_footer,
    subscribers,
)
from tests.mailbox import link_to, outbox_messages
from tests.mailbox import text_of as mail_text
from tests.staff.helpers import post_form, staff_client

SUBJECT = "Fresh from the kiln"


@pytest.fixture
def shop(app):
    """Two new products, one old one, and subscribers in every state."""
    ids = {
        "mug": make_product(app, "Speckled Mug", price_cents=1850, age_days=2, images=1),
        "vase": make_product(app, "Tall Vase", price_cents=4200, age_days=5),
        "old": make_product(app, "Old Bowl", age_days=90),
    }
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        confirmed_subscriber(app, email)
    subscribe_from_footer(app.test_client(), "pending@example.com")
    confirmed_subscriber(app, "gone@example.com")
    app.test_client().post(_unsubscribe_path(app, "gone@example.com"))
    return ids


def _unsubscribe_path(app, email):
    from jomso.newsletter.models import Subscriber
    from jomso.newsletter.services import unsubscribe_link

    with app.test_request_context():
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == email))
        return path_of(unsubscribe_link(subscriber))


def _announcements(app):
    return [m for m in outbox_messages(app) if m["Subject"] == SUBJECT]


def _draft(client, products, subject=SUBJECT, intro="Two new pieces this week."):
    response = post_form(
        client,
        "/staff/announcements/new",
        {"subject": subject, "intro": intro, "products": [str(p) for p in products]},
    )
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _send(client, announcement_id):
    url = f"/staff/announcements/{announcement_id}"
    return post_form(client, f"{url}/send", page_url=url)


def _deliveries(app):
    with app.app_context():
        rows = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
        db.session.expunge_all()
        return rows


# -- Composing and preview ------------------------------------------------------------------------


def test_compose_offers_the_new_products_ticked(app, shop):
    catalog = staff_client(app, "catalog")
    page = catalog.get("/staff/announcements/new")
    assert page.status_code == 200
    for name in ("mug", "vase"):
        assert re.search(
            rf'name="products" id="product-{shop[name]}" value="{shop[name]}" checked', page.text
        )
    assert f'value="{shop["old"]}"' not in page.text  # older than the "new" badge
    assert 'value="New at Jomso Demo Shop"' in page.text


def test_a_draft_shows_the_email_as_subscribers_will_see_it(app, shop):
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    page = catalog.get(f"/staff/announcements/{announcement}")
    assert page.status_code == 200
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    assert f'src="/staff/announcements/{announcement}/preview"' in page.text
    assert "Two new pieces this week." in page.text and "Speckled Mug: $18.50" in page.text
    assert "Send to 3 subscribers" in page.text  # confirmed ones only
    preview = catalog.get(f"/staff/announcements/{announcement}/preview")
    assert preview.status_code == 200
    assert "Speckled Mug" in preview.text and "Tall Vase" not in preview.text
    assert "style-src 'unsafe-inline'" in preview.headers["Content-Security-Policy"]
    assert "script-src" not in preview.headers["Content-Security-Policy"]
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert _announcements(app) == []  # nothing sent yet


def test_a_draft_can_be_edited_and_deleted(app, shop):
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    url = f"/staff/announcements/{announcement}"
    post_form(catalog, f"{url}/edit", {"subject": "Changed", "products": [str(shop["vase"])]})
    page = catalog.get(url)
    assert "Changed" in page.text and "Tall Vase" in page.text and "Speckled Mug" not in page.text
    post_form(catalog, f"{url}/delete", page_url=url)
    assert catalog.get(url).status_code == 404


def test_no_product_ticked_is_refused_with_a_message(app, shop):
    catalog = staff_client(app, "catalog")
    response = post_form(catalog, "/staff/announcements/new", {"subject": SUBJECT})
    assert response.status_code == 422
    assert "Choose at least one new product to announce." in response.text
    response = post_form(
        catalog, "/staff/announcements/new", {"subject": SUBJECT, "products": [str(shop["old"])]}
    )
    assert "Choose at least one new product to announce." in response.text
    response = post_form(catalog, "/staff/announcements/new", {"subject": "", "products": []})
    assert 'id="subject-error">Give the email a subject.' in response.text


def test_with_no_new_products_an_announcement_is_refused(app):
    make_product(app, "Old Bowl", age_days=90)
    catalog = staff_client(app, "catalog")
    page = catalog.get("/staff/announcements/new")
    assert "No new products to announce" in page.text
    response = post_form(
        catalog,
        "/staff/announcements/new",
        {"subject": SUBJECT, "products": ["1"]},
        page_url="/staff/announcements",
    )
    assert response.status_code == 422
    assert "No products were added since the last announcement." in response.text
    with app.app_context():
        assert db.session.scalars(select(Announcement)).all() == []


# -- Sending ---------------------------------------------------------------------------------------


def test_only_confirmed_subscribers_receive_it_once_with_one_click_unsubscribe(app, shop):
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"], shop["vase"]])
    response = _send(catalog, announcement)
    assert response.status_code == 302
    page = catalog.get(f"/staff/announcements/{announcement}")
    assert "Sent 3 emails." in page.text

    messages = _announcements(app)
    assert sorted(str(m["To"]) for m in messages) == [
        "ann@example.com",
        "bob@example.com",
        "cy@example.com",
    ]
    for message in messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        header = message["List-Unsubscribe"]
        assert re.fullmatch(r"<http://shop\.test/newsletter/unsubscribe/[\w.-]+>", header)
        body = mail_text(message)
        assert "Two new pieces this week." in body
        assert "Speckled Mug: $18.50" in body and "http://shop.test/products/speckled-mug" in body
        assert header[1:-1] == link_to(message, "/newsletter/unsubscribe/")
        assert 'src="http://shop.test/images/' in message.get_body(("html",)).get_content()

    # The link in Ann's email unsubscribes Ann, in one click, from any mail client.
    ann = next(m for m in messages if str(m["To"]) == "ann@example.com")
    one_click = app.test_client(use_cookies=False).post(
        path_of(ann["List-Unsubscribe"][1:-1]), data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    states = {s.email: s.status for s in subscribers(app)}
    assert states["ann@example.com"] == "unsubscribed" and states["bob@example.com"] == "confirmed"

    # Sending again is refused; running the sender again sends nothing.
    again = _send(catalog, announcement)
    assert "This announcement was already sent." in catalog.get(again.headers["Location"]).text
    result = app.test_cli_runner().invoke(args=["send-announcements"])
    assert result.exit_code == 0 and "Sent 0" in result.output
    assert len(_announcements(app)) == 3


def test_links_lead_to_the_shop_whatever_host_the_staff_request_named(app, shop):
    app.config["SHOP_URL"] = "https://shop.example.com"
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    url = f"/staff/announcements/{announcement}"
    # The staff member's browser reaches the shop under another name (a proxy passing any Host).
    session = catalog.get_cookie("jomso_session", domain="shop.test").value
    catalog.set_cookie("jomso_session", session, domain="evil.example")
    page = catalog.get(url, base_url="http://evil.example")
    sent = catalog.post(
        f"{url}/send",
        data={"csrf_token": csrf_token_from(page.text)},
        base_url="http://evil.example",
    )
    assert sent.status_code == 302
    messages = _announcements(app)
    assert len(messages) == 3
    for message in messages:
        assert message["List-Unsubscribe"].startswith(
            "<https://shop.example.com/newsletter/unsubscribe/"
        )
        assert "https://shop.example.com/products/speckled-mug" in mail_text(message)
        assert "evil.example" not in message.as_string()


def test_a_large_list_is_queued_and_sent_in_batches_by_the_command(app, shop):
    app.config["NEWSLETTER_SEND_NOW_MAX"] = 2  # three recipients: too many to send at once
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    _send(catalog, announcement)
    page = catalog.get(f"/staff/announcements/{announcement}")
    assert "Queued for 3 subscribers." in page.text and "Send the next 2 now" in page.text
    assert _announcements(app) == []
    assert [d.state for d in _deliveries(app)] == ["pending"] * 3

    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-announcements", "--batch-size", "2", "--max-batches", "1"])
    assert "Sent 2" in first.output and "1 waiting" in first.output
    assert len(_announcements(app)) == 2
    second = runner.invoke(args=["send-announcements", "--batch-size", "2"])
    assert "Sent 1" in second.output and "0 waiting" in second.output
    third = runner.invoke(args=["send-announcements"])
    assert "Sent 0" in third.output
    recipients = [str(m["To"]) for m in _announcements(app)]
    assert sorted(recipients) == ["ann@example.com", "bob@example.com", "cy@example.com"]
    with app.app_context():
        assert db.session.get(Announcement, announcement).status == "sent"
    listing = text_of(catalog.get("/staff/announcements").text)
    assert f"{SUBJECT} Sent" in listing and "1 3 3 0 0" in listing  # products, recipients...
    assert "ann@example.com" not in catalog.get("/staff/announcements").text


def test_a_batch_can_be_sent_from_the_page(app, shop):
    app.config["NEWSLETTER_SEND_NOW_MAX"] = 2
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    _send(catalog, announcement)
    url = f"/staff/announcements/{announcement}"
    post_form(catalog, f"{url}/send-now", page_url=url)
    assert len(_announcements(app)) == 2
    post_form(catalog, f"{url}/send-now", page_url=url)
    assert len(_announcements(app)) == 3
    response = post_form(catalog, f"{url}/send-now", page_url=url)
    assert "Nothing is waiting" in catalog.get(response.headers["Location"]).text


def _left_sending(app, deliveries, minutes_ago=60):
    """What a sender of the earlier version left when it died mid-batch: rows taken
    (committed as "sending") and never marked, whether or not their message went out."""
    with app.app_context():
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_([d.id for d in deliveries]))
            .values(
                state=DeliveryState.SENDING,
                claimed_at=utcnow() - timedelta(minutes=minutes_ago),
                attempts=1,
            )
        )
        db.session.commit()


def test_a_crash_never_makes_a_message_go_twice(app, shop):
    """A sender died after taking two rows: no run takes them again by itself."""
    app.config["NEWSLETTER_SEND_NOW_MAX"] = 0
    catalog = staff_client(app, "catalog")
    _send(catalog, _draft(catalog, [shop["mug"]]))
    first, second, _third = _deliveries(app)
    _left_sending(app, [first, second])
    result = app.test_cli_runner().invoke(args=["send-announcements"])
    assert "Sent 1" in result.output
    assert [d.state for d in _deliveries(app)] == ["sending", "sending", "sent"]
    assert len(_announcements(app)) == 1
    page = catalog.get(f"/staff/announcements/{first.announcement_id}")
    assert "Interrupted (not sent again)" in page.text
    assert "2 emails were interrupted" in page.text
    assert "sending them again may send the same email twice to some people" in page.text


def test_interrupted_emails_are_sent_again_only_when_staff_accept_duplicates(app, shop):
    app.config["NEWSLETTER_SEND_NOW_MAX"] = 0
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    _send(catalog, announcement)
    app.test_cli_runner().invoke(args=["send-announcements", "--max-batches", "1"])
    _first, second, third = _deliveries(app)
    _left_sending(app, [second, third])
    url = f"/staff/announcements/{announcement}"
    sent_before = sorted(str(m["To"]) for m in _announcements(app))

    refused = post_form(catalog, f"{url}/retry-interrupted", {}, page_url=url)
    page = catalog.get(refused.headers["Location"]).text
    assert "Tick the box to send them again, or cancel them instead." in page
    assert [d.state for d in _deliveries(app)] == ["sent", "sending", "sending"]

    app.config["NEWSLETTER_SEND_NOW_MAX"] = 50
    response = post_form(
        catalog, f"{url}/retry-interrupted", {"accept_duplicates": "y"}, page_url=url
    )
    page = catalog.get(response.headers["Location"]).text
    assert "2 interrupted emails will be sent again." in page and "Sent 2 emails." in page
    assert [d.state for d in _deliveries(app)] == ["sent", "sent", "sent"]
    after = sorted(str(m["To"]) for m in _announcements(app))
    # The row that was certainly sent is not sent again; the two interrupted ones go once more.
    expected = sorted([*sent_before, _address(app, second), _address(app, third)])
    assert after == expected
    with app.app_context():
        assert db.session.get(Announcement, announcement).status == "sent"


def test_staff_can_stop_an_announcement_and_nothing_more_goes(app, shop):
    app.config["NEWSLETTER_SEND_NOW_MAX"] = 0
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    _send(catalog, announcement)
    first, _second, _third = _deliveries(app)
    _left_sending(app, [first])
    url = f"/staff/announcements/{announcement}"
    assert "Do not send the 3 remaining" in catalog.get(url).text
    response = post_form(catalog, f"{url}/cancel", {}, page_url=url)
    page = catalog.get(response.headers["Location"]).text
    assert "3 emails will not be sent." in page and "Cancelled (not sent)" in page
    assert [d.state for d in _deliveries(app)] == ["cancelled"] * 3
    result = app.test_cli_runner().invoke(args=["send-announcements"])
    assert "Sent 0" in result.output and _announcements(app) == []
    with app.app_context():
        assert db.session.get(Announcement, announcement).status == "sent"


def test_a_subject_with_a_line_break_comes_back_with_a_message(app, shop):
    catalog = staff_client(app, "catalog")
    response = post_form(
        catalog,
        "/staff/announcements/new",
        {
            "subject": "New things\r\nBcc: everyone@example.com",
            "intro": "",
            "products": [str(shop["mug"])],
        },
    )
    assert response.status_code == 422
    assert "Line breaks are not allowed here." in response.text
    with app.app_context():
        assert db.session.scalars(select(Announcement)).all() == []


def _address(app, delivery):
    from jomso.newsletter.models import Subscriber

    with app.app_context():
        return db.session.get(Subscriber, delivery.subscriber_id).email


def test_someone_unsubscribing_before_their_turn_is_skipped(app, shop):
    app.config["NEWSLETTER_SEND_NOW_MAX"] = 0
    catalog = staff_client(app, "catalog")
    _send(catalog, _draft(catalog, [shop["mug"]]))
    app.test_client().post(_unsubscribe_path(app, "bob@example.com"))
    app.test_cli_runner().invoke(args=["send-announcements"])
    assert sorted(str(m["To"]) for m in _announcements(app)) == [
        "ann@example.com",
        "cy@example.com",
    ]
    assert sorted(d.state for d in _deliveries(app)) == ["sent", "sent", "skipped"]


def test_the_next_announcement_offers_only_products_added_since(app, shop):
    catalog = staff_client(app, "catalog")
    _send(catalog, _draft(catalog, [shop["mug"]]))
    page = catalog.get("/staff/announcements/new")
    assert "No new products to announce" in page.text  # the vase was left out, not new now
    newer = make_product(app, "Blue Jug", age_days=0)
    page = catalog.get("/staff/announcements/new")
    assert f'value="{newer}" checked' in page.text and f'value="{shop["vase"]}"' not in page.text


def test_nobody_confirmed_means_nothing_to_send(app):
    product = make_product(app, "Speckled Mug", age_days=1)
    subscribe_from_footer(app.test_client(), "pending@example.com")
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [product])
    page = catalog.get(f"/staff/announcements/{announcement}")
    assert "Nobody has confirmed a subscription yet" in page.text
    response = _send(catalog, announcement)
    assert (
        "Nobody has confirmed a subscription yet" in catalog.get(response.headers["Location"]).text
    )
    assert [m["Subject"] for m in outbox_messages(app, to="pending@example.com")] == [
        "Please confirm: emails about our new products"
    ]


def test_a_product_taken_off_sale_before_sending_is_refused(app, shop):
    catalog = staff_client(app, "catalog")
    announcement = _draft(catalog, [shop["mug"]])
    update_product(app, shop["mug"], is_active=False)
    response = _send(catalog, announcement)
    assert (
        "None of the chosen products is on sale any more"
        in catalog.get(response.headers["Location"]).text
    )
    assert _announcements(app) == []


@pytest.mark.parametrize("role", ["support", "orders", "analyst"])
def test_other_roles_get_403(app, shop, role):
    client = staff_client(app, role)
    for url in ("/staff/announcements", "/staff/announcements/new"):
        assert client.get(url).status_code == 403


def test_the_owner_and_catalog_find_announcements_in_the_menu(app):
    for role in ("owner", "catalog"):
        assert 'href="/staff/announcements"' in staff_client(app, role).get("/staff/").text
