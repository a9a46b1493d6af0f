"""Erased means gone from the files too: after an account is deleted, its email address (and its
name and phone number) appear in no file of the instance folder, whatever the encoding: not in
the database, not in SQLite's write-ahead log, not in the outbox, not in a log file. The
confirmation of the deletion still reaches the person, over SMTP, and no copy of it is kept."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from jomso import create_app
from jomso.extensions import db
from jomso.mail import OutgoingMail
from jomso.orders.models import Order
from tests.accounts.helpers import GOOD_PASSWORD, post_form, registered_customer
from tests.catalog.helpers import make_product
from tests.conftest import _test_config
from tests.consent.helpers import choose
from tests.contact.helpers import confirm_subscription, send_contact
from tests.mailbox import outbox_messages
from tests.orders.helpers import add_to_cart, checkout, order_number
from tests.test_mail import smtp_server  # noqa: F401  (a fixture)

EMAIL = "bea@example.com"
NAME = "Bea Customer"
PHONE = "+12025550143"


def needles(text: str) -> set[bytes]:
    """``text`` as it may sit in a file: plain, URL-encoded (``%40``, ``+`` or ``%20`` for
    spaces, ``%2B``), quoted-printable (``=40``), as an HTML entity, and in UTF-16."""
    forms = {
        text,
        quote(text, safe=""),
        quote(text, safe="").replace("%20", "+"),
        quote(text, safe="@+ "),
        text.replace("@", "=40"),
        text.replace("@", "&#64;"),
        text.replace("@", "&#x40;"),
    }
    found = {form.lower().encode() for form in forms}
    found |= {form.encode("utf-16-le") for form in (text, text.lower())}
    return found


def files_holding(folder: Path, text: str) -> list[str]:
    """Every file under ``folder`` that holds ``text`` in one of its forms (case ignored)."""
    wanted = needles(text)
    holding = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        content = path.read_bytes()
        lowered = content.lower()
        if any(n in lowered for n in wanted if not n.startswith(b"\x00")) or any(
            n in content for n in wanted
        ):
            holding.append(str(path.relative_to(folder)))
    return holding


@pytest.fixture
def shop(tmp_path, monkeypatch, sqlite_schema_file):
    """A shop whose database lives in its instance folder (as by default), with a log file
    there too, writing everything the shop and its libraries log at INFO."""
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(instance))
    database = instance / "jomso.sqlite3"
    shutil.copyfile(sqlite_schema_file, database)
    app = create_app({**_test_config(database), "CONTACT_MIN_SECONDS": 0})
    (instance / "logs").mkdir()
    handler = logging.FileHandler(instance / "logs" / "shop.log")
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield app, instance
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _a_customer_with_something_everywhere(app, client) -> None:
    """Registered, confirmed, subscribed, counted with consent, ordered, wrote to the shop,
    asked for a password reset, signed in on a second device."""
    choose(client, "accept")
    registered_customer(client, newsletter="y")
    assert "You are subscribed" in confirm_subscription(client, app, EMAIL).text
    product = make_product(app, "Teapot", price_cents=2400, stock=5)
    client.get("/products/teapot")
    add_to_cart(client, product)
    order = checkout(client, email=EMAIL, phone="(202) 555-0143")
    assert order.status_code == 303, order.text
    order_number(order)
    add_to_cart(client, product)  # a cart left behind
    assert send_contact(client, name=NAME, email=EMAIL, phone="(202) 555-0143").status_code == 303
    post_form(app.test_client(), "/account/password-reset", {"email": EMAIL})


def test_after_deleting_an_account_its_email_is_in_no_file_of_the_instance_folder(shop):
    app, instance = shop
    client = app.test_client()
    _a_customer_with_something_everywhere(app, client)
    before = files_holding(instance, EMAIL)
    # The search finds the address where it is: in the database or its log, and the outbox.
    assert any(name.startswith("jomso.sqlite3") for name in before), before
    assert any(name.startswith("outbox/") for name in before), before

    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.status_code == 302

    for text in (EMAIL, NAME, PHONE):
        assert files_holding(instance, text) == [], text
    wal = instance / "jomso.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    # The rest of the shop is still there: the log, the shop's own mail, the order.
    assert (instance / "logs" / "shop.log").stat().st_size > 0
    with app.app_context():
        rows = db.session.execute(select(OutgoingMail.template, OutgoingMail.to_address))
        held = [tuple(row) for row in rows]
        orders = db.session.scalars(select(Order.email)).all()
    assert ("enquiry_new_staff", "shop@example.com") in held
    assert orders == ["deleted"]


def _registered_through_the_outbox(app, client) -> None:
    """Register and confirm from the outbox, then send mail to the SMTP server again."""
    server = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = ""
    registered_customer(client)
    app.config["MAIL_SERVER"] = server


def test_the_goodbye_goes_over_smtp_and_no_copy_is_kept(app, client, smtp_server):  # noqa: F811
    _registered_through_the_outbox(app, client)
    response = post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert response.status_code == 302
    smtp_server.wait_for(1)
    [goodbye] = smtp_server.messages
    assert goodbye.rcpt_tos == [EMAIL]
    assert "Subject: Your account was deleted" in goodbye.data
    assert "Orders stay in our books" in goodbye.data
    with app.app_context():
        assert db.session.scalars(select(OutgoingMail)).all() == []
    assert outbox_messages(app, to=EMAIL) == []  # the confirmation link's copy went too


def test_a_goodbye_the_server_refuses_is_not_kept_either(app, client, smtp_server):  # noqa: F811
    _registered_through_the_outbox(app, client)
    smtp_server.refuse.add(EMAIL)
    post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    with app.app_context():
        assert db.session.scalars(select(OutgoingMail)).all() == []


def test_without_a_mail_server_the_goodbye_is_not_written_to_the_outbox(app, client, caplog):
    registered_customer(client)
    assert outbox_messages(app, to=EMAIL)  # the confirmation link was
    caplog.set_level(logging.INFO, logger="jomso")
    post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert outbox_messages(app, to=EMAIL) == []
    assert "template=account_deleted via=nowhere (not kept)" in caplog.text
    with app.app_context():
        assert db.session.scalars(select(OutgoingMail)).all() == []


def test_someone_elses_mail_stays_in_the_outbox(app, client):
    registered_customer(client)
    registered_customer(app.test_client(), email="cy@example.com")
    post_form(client, "/account/delete", {"current_password": GOOD_PASSWORD})
    assert [m["Subject"] for m in outbox_messages(app, to="cy@example.com")] == [
        "Please confirm your email address"
    ]
