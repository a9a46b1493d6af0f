"""The "new order" email to staff: each staff member who may see orders switches it on or off
for themselves; it goes out over SMTP once the order is placed and paid, never for a failed
payment, never to staff without the orders permission; it shows of the customer no more than
the recipient's roles show on the staff order page.

The SMTP server is aiosmtpd (``tests.test_mail``)."""

from __future__ import annotations

import re
from email import policy
from email.parser import Parser
from urllib.parse import urlsplit

from sqlalchemy import select, update

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.mail import OutgoingMail
from tests import test_mail
from tests.conftest import csrf_token_from
from tests.helpers import make_user
from tests.orders.helpers import DECLINED, buy, order_number
from tests.staff.helpers import staff_client

smtp_server = test_mail.smtp_server  # the real SMTP server fixture

CUSTOMER_EMAIL = "gus@example.com"  # tests.orders.helpers.checkout_data's


def _switch(client, on: bool):
    """Tick or untick the box on one's own notifications page and save, as a browser would."""
    page = client.get("/staff/notifications")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token_from(page.text)}
    if on:
        data["new_orders"] = "y"
    return client.post("/staff/notifications", data=data, follow_redirects=True)


def _staff_mail(smtp_server, to: str) -> list:
    """The "new order" emails that reached ``to`` over SMTP, parsed."""
    found = []
    for received in smtp_server.messages:
        if received.rcpt_tos == [to]:
            message = Parser(policy=policy.default).parsestr(received.data)
            if str(message["Subject"]).startswith("New order"):
                found.append(message)
    return found


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _set_flag(app, email: str, on: bool = True) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(notify_new_orders=on))
        db.session.commit()


def test_a_staff_member_switches_the_email_on_and_off_for_themselves(app, smtp_server):
    desk = staff_client(app, "orders", email="desk@staff.example.org")
    page = desk.get("/staff/notifications").text
    assert 'name="new_orders"' in page and "checked" not in page.split('name="new_orders"')[1][:40]
    assert "Your notifications" in desk.get("/staff/").text  # in their menu

    answer = _switch(desk, on=True)
    assert "You will get an email for each new order, at desk@staff.example.org." in answer.text
    assert re.search(
        r'<input[^>]*checked[^>]*name="new_orders"|name="new_orders"[^>]*checked', answer.text
    )
    number = order_number(buy(app, app.test_client(), price_cents=1500, quantity=2)[0])
    [mail] = _staff_mail(smtp_server, "desk@staff.example.org")
    assert str(mail["Subject"]) == f"New order {number}"
    body = _body(mail)
    assert f"A new order {number} was placed and paid: $" in body
    assert "2 items." in body
    assert f"/staff/orders/{number}" in body
    # The customer got their confirmation too: the order's own email is unchanged.
    assert any(r.rcpt_tos == [CUSTOMER_EMAIL] for r in smtp_server.messages)
    # The shop keeps no copy of the staff email (the customer's is kept as usual).
    with app.app_context():
        kept = db.session.scalars(select(OutgoingMail.to_address)).all()
    assert kept == [CUSTOMER_EMAIL]

    answer = _switch(desk, on=False)
    assert "You will no longer get an email for each new order." in answer.text
    buy(app, app.test_client(), price_cents=1600)
    assert len(_staff_mail(smtp_server, "desk@staff.example.org")) == 1  # none for the second


def test_nobody_gets_it_without_asking(app, smtp_server):
    staff_client(app, "orders", email="desk@staff.example.org")
    staff_client(app, "owner", email="boss@staff.example.org")
    number = order_number(buy(app, app.test_client())[0])
    assert number
    assert [r.rcpt_tos for r in smtp_server.messages] == [[CUSTOMER_EMAIL]]


def test_each_role_reads_no_more_of_the_customer_than_its_order_page_shows(app, smtp_server):
    desk = staff_client(app, "orders", email="desk@staff.example.org")
    boss = staff_client(app, "owner", email="boss@staff.example.org")
    _switch(desk, on=True)
    _switch(boss, on=True)
    number = order_number(buy(app, app.test_client(), price_cents=2500)[0])

    [for_desk] = _staff_mail(smtp_server, "desk@staff.example.org")
    [for_boss] = _staff_mail(smtp_server, "boss@staff.example.org")
    desk_body, boss_body = _body(for_desk), _body(for_boss)
    for body in (desk_body, boss_body):
        assert number in body and "$" in body and "1 item." in body
        assert "Ship to: Gus Guest, Portland, United States" in body
        # Never the street, the postal code or the phone: those stay on the logged page.
        for kept_back in ("1 Harbour Road", "97201", "555", "0143"):
            assert kept_back not in body
    # The orders role does not see the customer's email on the order page: nor in the mail.
    assert CUSTOMER_EMAIL not in desk_body
    assert CUSTOMER_EMAIL not in str(for_desk)  # not in any header either
    assert f"Customer's email: {CUSTOMER_EMAIL}" in boss_body
    desk_page = desk.get(f"/staff/orders/{number}").text
    assert CUSTOMER_EMAIL not in desk_page and "Gus Guest" in desk_page
    assert CUSTOMER_EMAIL in boss.get(f"/staff/orders/{number}").text
    # Each page's list of what the email shows says the same.
    assert "the customer's email address" not in desk.get("/staff/notifications").text
    assert "the customer's email address" in boss.get("/staff/notifications").text
    # The link opens the order for the staff member (signed in).
    [link] = [u for u in re.findall(r"https?://\S+", desk_body) if "/staff/orders/" in u]
    assert urlsplit(link).path == f"/staff/orders/{number}"
    assert desk.get(urlsplit(link).path).status_code == 200


def test_not_sent_when_the_payment_fails(app, smtp_server):
    desk = staff_client(app, "orders", email="desk@staff.example.org")
    _switch(desk, on=True)
    response, _product = buy(app, app.test_client(), nonce=DECLINED)
    assert response.status_code in (200, 422)
    assert _staff_mail(smtp_server, "desk@staff.example.org") == []
    buy(app, app.test_client(), price_cents=1700)
    assert len(_staff_mail(smtp_server, "desk@staff.example.org")) == 1


def test_not_sent_to_staff_without_the_orders_permission_even_with_the_flag(app, smtp_server):
    # Support and catalog staff cannot open the page to ask for it...
    support = staff_client(app, "support", email="help@staff.example.org")
    assert support.get("/staff/notifications").status_code == 403
    assert "Your notifications" not in support.get("/staff/").text
    staff_client(app, "catalog", email="shelf@staff.example.org")
    # ...and a flag left from an earlier role (or set in the database) sleeps.
    _set_flag(app, "help@staff.example.org")
    _set_flag(app, "shelf@staff.example.org")
    make_user(app, email="gone@staff.example.org", roles=["orders"])
    _set_flag(app, "gone@staff.example.org")
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == "gone@staff.example.org").values(active=False)
        )
        db.session.commit()
    buy(app, app.test_client())
    assert [r.rcpt_tos for r in smtp_server.messages] == [[CUSTOMER_EMAIL]]


def test_the_owner_sees_who_gets_it(app, smtp_server):
    desk = staff_client(app, "orders", email="desk@staff.example.org")
    _switch(desk, on=True)
    staff_client(app, "support", email="help@staff.example.org")
    _set_flag(app, "help@staff.example.org")
    make_user(app, email="quiet@staff.example.org", roles=["orders"])
    boss = staff_client(app, "owner", email="boss@staff.example.org")
    listing = boss.get("/staff/staff").text
    assert "New-order emails" in listing

    def row(email):
        return listing.split(email)[1].split("</tr>")[0]

    assert "<td>on</td>" in row("desk@staff.example.org")
    assert "off" in row("quiet@staff.example.org")
    assert "on, but not sent: no role that sees orders" in row("help@staff.example.org")
    with app.app_context():
        desk_id = db.session.scalar(select(User.id).where(User.email == "desk@staff.example.org"))
    assert "Email for each new order: on" in re.sub(
        r"\s+", " ", boss.get(f"/staff/staff/{desk_id}").text
    )
    # The owner sees it but does not switch it for someone else: the choice is their own.
    assert 'name="new_orders"' not in boss.get(f"/staff/staff/{desk_id}").text


def test_an_order_settled_by_reconciliation_is_announced_then_and_once(app, smtp_server):
    app.config["SHOP_URL"] = "https://shop.example.com"
    desk = staff_client(app, "orders", email="desk@staff.example.org")
    _switch(desk, on=True)
    # An amount the offline gateway answers with no answer: the outcome is unknown.
    number = order_number(buy(app, app.test_client(), price_cents=400100)[0])
    assert _staff_mail(smtp_server, "desk@staff.example.org") == []
    app.config["SERVER_NAME"] = None  # a command line knows only SHOP_URL
    result = app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert f"{number}: Paid" in result.output
    [mail] = _staff_mail(smtp_server, "desk@staff.example.org")
    assert f"https://shop.example.com/staff/orders/{number}" in _body(mail)
    app.test_cli_runner().invoke(args=["reconcile-payments"])
    assert len(_staff_mail(smtp_server, "desk@staff.example.org")) == 1


def test_without_an_smtp_server_no_copy_goes_to_the_outbox(app):
    from tests.mailbox import outbox_messages

    desk = staff_client(app, "orders", email="desk@staff.example.org")
    _switch(desk, on=True)
    buy(app, app.test_client())
    assert [str(m["To"]) for m in outbox_messages(app)] == [CUSTOMER_EMAIL]


def test_the_choice_is_in_the_staff_members_own_data_download(app):
    import json

    desk = staff_client(app, "orders", email="desk@staff.example.org")
    before = json.loads(desk.get("/account/export").data)
    _switch(desk, on=True)
    after = json.loads(desk.get("/account/export").data)
    sections = {key: value for key, value in after.items() if isinstance(value, dict)}
    account = next(v for v in sections.values() if v.get("email") == "desk@staff.example.org")
    assert account["notify_new_orders"] is True
    assert json.dumps(before).count('"notify_new_orders": false') == 1
