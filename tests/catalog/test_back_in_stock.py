""" "Email me when it is back" on a sold-out variant: the form on the product page (no
JavaScript), the confirmation link for an address not proved yet, one email through the mail
queue when the stock goes from 0 to above 0 (by a staff edit or an order's units put back),
the request deleted then or by purge, and the person's requests in their export and erasure."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select, update

from jomso.catalog.models import ProductVariant, RestockRequest
from jomso.database import utcnow
from jomso.extensions import db
from jomso.privacy.retention import run_retention_rules
from tests.accounts.helpers import GOOD_PASSWORD, build_app, dispose_app, registered_customer
from tests.catalog.helpers import text_of
from tests.catalog.test_bulk_edit import _bulk
from tests.catalog.test_variants import make_shirt
from tests.helpers import forms_on
from tests.mailbox import link_to, outbox_messages
from tests.mailbox import text_of as mail_text
from tests.orders.helpers import buy, confirmed_post, order_number, staff
from tests.staff.helpers import post_form, staff_client
from tests.test_mail import smtp_server  # noqa: F401  (a fixture)

SOLD_OUT = "/products/linen-shirt?option1=S&option2=Blue"


def _ask(client, address, page=SOLD_OUT):
    """Fill in the product page's "Email me when it is back" form and send it."""
    html = client.get(page).text
    form = next(f for f in forms_on(html) if "/back-in-stock" in f.action)
    return client.post(form.action, data={**form.fields, "email": address})


def _requests(app):
    with app.app_context():
        rows = db.session.scalars(select(RestockRequest).order_by(RestockRequest.id)).all()
        return [(r.email, r.confirmed_at is not None) for r in rows]


def _back_emails(app, to=None):
    return [m for m in outbox_messages(app, to) if "is back in stock" in str(m["Subject"])]


def test_a_guest_confirms_by_the_link_then_gets_one_email_when_staff_restock(app, client):
    shirt = make_shirt(app)  # S / Blue sold out
    assert not any("/back-in-stock" in f.action for f in forms_on(client.get(
        "/products/linen-shirt?option1=S&option2=White").text))  # in stock: no form  # fmt: skip
    response = _ask(client, "Gus@Example.com")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(SOLD_OUT)
    assert "Check your inbox" in client.get(response.headers["Location"]).text
    assert _requests(app) == [("gus@example.com", False)]

    [confirmation] = outbox_messages(app, "gus@example.com")
    assert "Linen Shirt (S / Blue)" in mail_text(confirmation)
    link = link_to(confirmation, "/back-in-stock/confirm/")
    page = client.get(link)  # a mail scanner following the link confirms nothing
    assert page.status_code == 200 and _requests(app) == [("gus@example.com", False)]
    form = next(f for f in forms_on(page.text) if "/back-in-stock/confirm/" in f.action)
    done = client.post(form.action, data=form.fields)
    assert "we will email you once when Linen Shirt (S / Blue) is back" in text_of(done.text)
    assert _requests(app) == [("gus@example.com", True)]

    catalog = staff_client(app, "catalog")
    _bulk(catalog, ticked=[shirt], action="set_stock", value="3")
    [back] = _back_emails(app, "gus@example.com")
    assert str(back["Subject"]) == "Linen Shirt (S / Blue) is back in stock"
    assert "/products/linen-shirt?option1=S&option2=Blue" in mail_text(back)
    assert _requests(app) == []  # deleted once told
    _bulk(catalog, ticked=[shirt], action="set_stock", value="0")
    _bulk(catalog, ticked=[shirt], action="set_stock", value="5")
    assert len(_back_emails(app)) == 1  # one email, never again


def test_an_unconfirmed_address_is_never_told(app, client):
    shirt = make_shirt(app)
    _ask(client, "gus@example.com")
    _bulk(staff_client(app, "catalog"), ticked=[shirt], action="set_stock", value="3")
    assert _back_emails(app) == []
    assert _requests(app) == [("gus@example.com", False)]  # until purge


def test_a_signed_in_customer_is_recorded_at_once(app, client):
    shirt = make_shirt(app)
    address = registered_customer(client)
    mails = len(outbox_messages(app, address))
    response = _ask(client, address)
    assert "we will email you once when it is back" in client.get(
        response.headers["Location"]).text  # fmt: skip
    assert _requests(app) == [(address, True)]
    assert len(outbox_messages(app, address)) == mails  # no link to follow
    _ask(client, "other@example.com")  # another address must be proved by its link
    assert _requests(app) == [(address, True), ("other@example.com", False)]
    catalog = staff_client(app, "catalog")
    page = catalog.get(f"/staff/products/{shirt}/variants")
    grid = next(f for f in forms_on(page.text) if f.action.endswith("/variants"))
    with app.app_context():
        sb = db.session.scalar(select(ProductVariant.id).where(ProductVariant.sku == "SHIRT-S-B"))
    data = {**grid.fields, f"v{sb}_stock": "2"}
    assert catalog.post(grid.action, data=data).status_code == 302  # by the variant grid
    assert len(_back_emails(app, address)) == 1
    assert _requests(app) == [("other@example.com", False)]


def test_both_emails_go_over_smtp(app, client, smtp_server):  # noqa: F811
    shirt = make_shirt(app)
    _ask(client, "gus@example.com")
    smtp_server.wait_for(1)
    [link] = re.findall(r"https?://\S+/back-in-stock/confirm/\S+", _smtp_text(smtp_server, 0))
    form = next(f for f in forms_on(client.get(link).text) if "/confirm/" in f.action)
    client.post(form.action, data=form.fields)
    _bulk(staff_client(app, "catalog"), ticked=[shirt], action="set_stock", value="3")
    smtp_server.wait_for(2)
    assert smtp_server.messages[1].rcpt_tos == ["gus@example.com"]
    assert "Linen Shirt (S / Blue) is back in stock:" in _smtp_text(smtp_server, 1)


def _smtp_text(server, index: int) -> str:
    message = email.message_from_string(server.messages[index].data, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_bad_address_comes_back_beside_the_field(app, client):
    make_shirt(app)
    response = _ask(client, "not an address")
    assert response.status_code == 422
    assert 'value="not an address"' in response.text
    assert 'id="restock-email-error"' in response.text
    assert "Add to cart" in response.text and "S / Blue" not in _requests(app)
    assert _requests(app) == []


def _confirm_by_link(app, client, address):
    link = link_to(outbox_messages(app, address)[-1], "/back-in-stock/confirm/")
    form = next(f for f in forms_on(client.get(link).text) if "/confirm/" in f.action)
    assert client.post(form.action, data=form.fields).status_code == 200


def test_units_put_back_by_a_cancelled_order_tell_the_waiting(app, client):
    response, _product = buy(app, client, quantity=2, stock=2)  # the last two
    number = order_number(response)
    waiting = app.test_client()
    assert _ask(waiting, "gus@example.com", "/products/thing-1500-2").status_code == 303
    _confirm_by_link(app, waiting, "gus@example.com")
    desk = staff(app, app.test_client(), "orders")
    assert confirmed_post(desk, number, "cancel", {"reason": "Asked"}).status_code == 303
    [back] = _back_emails(app, "gus@example.com")
    assert "Thing 1500-2 is back in stock" in str(back["Subject"])
    assert _requests(app) == []


def test_purge_deletes_unconfirmed_after_two_days_and_the_rest_after_180(app, client):
    make_shirt(app)
    _ask(client, "old@example.com")
    _ask(client, "new@example.com")
    with app.app_context():
        db.session.execute(
            update(RestockRequest).where(RestockRequest.email == "old@example.com")
            .values(created_at=utcnow() - timedelta(days=3))
        )  # fmt: skip
        variant_id = db.session.scalar(select(RestockRequest.variant_id).limit(1))
        db.session.add(
            RestockRequest(
                variant_id=variant_id,
                email="kept@example.com",
                nonce="x",
                confirmed_at=utcnow(),
                created_at=utcnow() - timedelta(days=179),
            )
        )
        db.session.add(
            RestockRequest(
                variant_id=variant_id,
                email="ancient@example.com",
                nonce="x",
                confirmed_at=utcnow(),
                created_at=utcnow() - timedelta(days=181),
            )
        )
        db.session.commit()  # fmt: skip
        counts = run_retention_rules(utcnow())
    assert counts["back in stock: unconfirmed requests deleted"] == 1
    assert counts["back in stock: old requests deleted"] == 1
    assert sorted(e for e, _ in _requests(app)) == ["kept@example.com", "new@example.com"]
    listed = app.test_cli_runner().invoke(args=["purge", "--list"]).output
    assert "JOMSO_RESTOCK_PENDING_DAYS" in listed and "JOMSO_RESTOCK_KEEP_DAYS" in listed


def test_the_export_shows_and_the_account_deletion_erases_the_requests(app, client):
    make_shirt(app)
    address = registered_customer(client)
    _ask(client, address)
    export = client.get("/account/export")
    assert export.status_code == 200
    [row] = export.json["back_in_stock"]
    assert row["email"] == address and row["product"] == "Linen Shirt"
    assert row["variant"] == "S / Blue" and "nonce" not in row
    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert _requests(app) == []


@pytest.fixture
def limited_app(tmp_path, monkeypatch):
    app = build_app(
        tmp_path, monkeypatch, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"
    )
    yield app
    dispose_app(app)


def test_the_form_is_rate_limited(limited_app):
    make_shirt(limited_app)
    client = limited_app.test_client()
    for number in range(10):
        assert _ask(client, f"n{number}@example.com").status_code == 303
    response = _ask(client, "n10@example.com")
    assert response.status_code == 429 and "Too many attempts" in response.text


def test_asking_again_tells_a_guest_nothing_about_who_waits(app, client):
    make_shirt(app)
    _ask(client, "gus@example.com")
    _confirm_by_link(app, client, "gus@example.com")
    other = app.test_client()
    response = _ask(other, "gus@example.com")  # someone else, typing gus's address
    assert "Check your inbox" in other.get(response.headers["Location"]).text
    _ask(other, "new@example.com")
    _ask(other, "new@example.com")  # at once again: no second email
    assert len(outbox_messages(app, "gus@example.com")) == 1
    assert len(outbox_messages(app, "new@example.com")) == 1


def test_choosing_a_sold_out_variant_without_javascript_offers_the_form(app, client):
    make_shirt(app)
    page = client.get("/products/linen-shirt")
    buy = next(f for f in forms_on(page.text) if f.action.endswith("/cart/add"))
    response = client.post(buy.action, data={**buy.fields, "option1": "S", "option2": "Blue"})
    assert response.headers["Location"].endswith(SOLD_OUT)  # back on the variant chosen
    page = client.get(response.headers["Location"])
    form = next(f for f in forms_on(page.text) if "/back-in-stock" in f.action)
    assert "option1=S" in form.action and "option2=Blue" in form.action
    assert (
        client.post(form.action, data={**form.fields, "email": "gus@example.com"}).status_code
        == 303
    )
    assert _requests(app) == [("gus@example.com", False)]
