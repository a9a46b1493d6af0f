"""Mail: queued in the transaction that causes it, delivered after the commit (to the outbox
without SMTP settings, to a real SMTP server with them), retried with backoff, given up and
logged without addresses, never sent twice by senders running at once, never inside a request.

The SMTP server here is aiosmtpd, running in a thread of the test process."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select, update

from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import HeaderInjection, MailState, OutgoingMail, message_subject, send_mail
from jomso.mail_delivery import deliver_due
from jomso.mail_sender import sender_for, stop_sender
from tests.accounts.helpers import post_form
from tests.conftest import csrf_token_from
from tests.helpers import make_user
from tests.mailbox import html_of, last_message, outbox_files, outbox_messages, text_of

# -- A real SMTP server -------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: str


class SMTPRecorder:
    """aiosmtpd handler: records what arrives, can refuse recipients, can hold DATA."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.logins: list[tuple[str, str]] = []
        self.refuse: set[str] = set()
        self.release = threading.Event()
        self.release.set()  # set: answer at once; cleared: hold DATA until set (10 s at most)
        self.holding = threading.Event()  # a DATA is being held

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.holding.set()
        deadline = time.monotonic() + 10
        while not self.release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode())
        )
        return "250 2.0.0 Queued"

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback (AUTH PLAIN/LOGIN without TLS, as on a local relay), with
    the app pointed at it. The app's sender thread is stopped before the server."""
    recorder = SMTPRecorder()
    port = _free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        authenticator=recorder.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME="shop",
        MAIL_PASSWORD="smtp-secret",
    )
    yield recorder
    assert stop_sender(app)
    recorder.release.set()
    controller.stop()


def _closed_port() -> int:
    return _free_port()  # nothing listens there once the probe socket is closed


def _queued(app) -> list[OutgoingMail]:
    with app.app_context():
        rows = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
        db.session.expunge_all()
        return rows


def _make_due(app) -> None:
    """Let time pass: every queued message is due now."""
    with app.app_context():
        db.session.execute(update(OutgoingMail).values(next_attempt_at=utcnow()))
        db.session.commit()


class ConfirmedAnn:
    name = "Ann"
    email = "ann@example.com"
    is_confirmed = True


# -- Messages and the outbox --------------------------------------------------------------------


def test_outbox_message_has_text_and_html_parts_and_extra_headers(app):
    with app.test_request_context():
        assert send_mail(
            "ann@example.com",
            "Welcome",
            "password_changed",
            headers={
                "List-Unsubscribe": "<https://shop.test/newsletter/unsubscribe/abc>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            reply_to="help@example.com",
            user=ConfirmedAnn(),
            reset_url="https://shop.test/account/password-reset",
        )
        assert outbox_files(app) == []  # queued only: the commit makes it real
        db.session.commit()
    [path] = outbox_files(app)
    assert path.suffix == ".eml"
    raw = path.read_text()
    assert "Subject: Welcome" in raw  # readable as it is
    message = last_message(app)
    assert message["To"] == "ann@example.com"
    assert message["From"] == "Jomso Demo Shop <shop@example.com>"
    assert message["Reply-To"] == "help@example.com"
    assert message["List-Unsubscribe"] == "<https://shop.test/newsletter/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] and message["Date"]
    assert "Hello Ann," in text_of(message)
    assert "Jomso Demo Shop" in text_of(message)  # the signature
    assert "<p>Hello Ann,</p>" in html_of(message)


def test_text_only_template_sends_plain_message(app):
    with app.test_request_context():
        assert send_mail("ann@example.com", "Gone", "account_deleted")
        db.session.commit()
    message = last_message(app)
    assert not message.is_multipart()
    assert html_of(message) is None
    assert "Hello," in text_of(message)


def test_a_subject_and_shop_name_beyond_ascii_arrive_as_written(app):
    """Encoded words (RFC 2047) where a header is not ASCII, each line of the message short
    enough for every mail server, and the text as written once decoded."""
    app.config["SHOP_NAME"] = "Café Zoë, «Ünïcode» & Co."
    subject = (
        "Ihre Bestellung J3X7HH0ZM ist bestätigt \N{EN DASH} vielen Dank für Ihren Einkauf bei uns"
    )
    with app.test_request_context():
        send_mail("ann@example.com", subject, "account_deleted", headers={"X-Tag": "Grüße"})
        db.session.commit()
    [path] = outbox_files(app)
    raw = path.read_bytes()
    assert raw.isascii() and max(len(line) for line in raw.splitlines()) <= 78
    assert b"\nHello,\n" in raw  # quoted-printable: readable as it is, but for the accents
    message = last_message(app)
    assert message["Subject"] == subject and message["X-Tag"] == "Grüße"
    assert message["From"].addresses[0].display_name == "Café Zoë, «Ünïcode» & Co."
    assert message["From"].addresses[0].addr_spec == "shop@example.com"
    assert "Café Zoë, «Ünïcode» & Co." in text_of(message)  # the signature


def test_outbox_names_sort_in_sending_order(app):
    with app.test_request_context():
        for number in range(5):
            send_mail("ann@example.com", f"Message {number}", "account_deleted")
        db.session.commit()
    subjects = [m["Subject"] for m in outbox_messages(app)]
    assert subjects == [f"Message {n}" for n in range(5)]
    names = [p.name for p in outbox_files(app)]
    assert len(set(names)) == 5
    assert not list(outbox_files(app)[0].parent.glob(".*.tmp"))


def test_mail_is_part_of_the_transaction_that_causes_it(app):
    with app.test_request_context():
        send_mail("ann@example.com", "Never", "account_deleted")
        db.session.rollback()
        send_mail("ann@example.com", "Kept", "account_deleted")
        db.session.commit()
    assert [m["Subject"] for m in outbox_messages(app)] == ["Kept"]
    [row] = _queued(app)
    assert (row.state, row.attempts, row.template) == ("sent", 1, "account_deleted")
    assert row.sent_at is not None


def test_mail_never_committed_is_dropped_and_logged_without_its_address(app, caplog):
    with app.test_request_context():
        send_mail("ann@example.com", "Forgotten", "account_deleted")
    assert "mail dropped, its transaction was never committed: templates=account_deleted" in (
        caplog.text
    )
    assert "ann@example.com" not in caplog.text
    assert _queued(app) == [] and outbox_files(app) == []


@pytest.mark.parametrize(
    "field",
    [
        {"to": "ann@example.com\r\nBcc: all@example.com"},
        {"subject": "Hello\r\nBcc: all@example.com"},
        {"subject": "Hello\nthere"},
        {"reply_to": "help@example.com\rBcc: all@example.com"},
        {"headers": {"List-Unsubscribe": "<https://x>\r\nBcc: all@example.com"}},
    ],
)
def test_send_mail_refuses_line_breaks_in_headers(app, field):
    arguments = {"to": "ann@example.com", "subject": "Hello", **field}
    with app.test_request_context():
        with pytest.raises(HeaderInjection):
            send_mail(arguments.pop("to"), arguments.pop("subject"), "account_deleted", **arguments)
        db.session.commit()
    assert _queued(app) == [] and outbox_files(app) == []


def test_a_shop_name_with_a_line_break_cannot_forge_headers(app):
    app.config["SHOP_NAME"] = "Shop\r\nBcc: all@example.com"
    with app.test_request_context(), pytest.raises(HeaderInjection):
        send_mail("ann@example.com", "Hello", "account_deleted")


# -- SMTP ---------------------------------------------------------------------------------------


def test_smtp_delivery_when_mail_server_is_set(app, smtp_server):
    with app.test_request_context():
        send_mail(
            "ann@example.com",
            "Hello over SMTP",
            "account_deleted",
            headers={"List-Unsubscribe": "<https://shop.test/u/1>"},
        )
        send_mail("bob@example.com", "Second on the same connection", "account_deleted")
        db.session.commit()
    assert smtp_server.logins == [("shop", "smtp-secret")]  # one connection for both
    first, second = smtp_server.messages
    assert first.mail_from == "shop@example.com" and first.rcpt_tos == ["ann@example.com"]
    assert "Subject: Hello over SMTP" in first.data
    assert "List-Unsubscribe: <https://shop.test/u/1>" in first.data
    assert second.rcpt_tos == ["bob@example.com"]
    assert outbox_files(app) == []  # nothing went to the outbox
    assert [row.state for row in _queued(app)] == ["sent", "sent"]


def test_a_mail_server_that_is_down_costs_the_page_nothing_and_the_mail_goes_later(
    app, client, caplog
):
    make_user(app, email="ann@example.com", name="Ann Private")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_TIMEOUT=2)
    caplog.set_level(logging.INFO)
    response = post_form(client, "/account/password-reset", {"email": "ann@example.com"})
    assert response.status_code == 200 and "Check your email" in response.text
    [row] = _queued(app)
    assert (row.state, row.attempts, row.last_error) == ("queued", 1, "ConnectionRefusedError")
    delay = (row.next_attempt_at - utcnow()).total_seconds()
    assert 50 < delay <= 60  # MAIL_RETRY_SECONDS
    assert "mail not sent: template=password_reset error=ConnectionRefusedError" in caplog.text
    for private in ("ann@example.com", "Ann Private", "Reset your password"):
        assert private not in caplog.text

    # The server is back (here: another one) and the retry is due: the command sends it.
    recorder = SMTPRecorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_PORT=port, MAIL_USE_TLS=False)
        result = app.test_cli_runner().invoke(args=["send-mail"])
        assert "Sent 0" in result.output  # not due yet: nothing is hurried
        _make_due(app)
        result = app.test_cli_runner().invoke(args=["send-mail"])
        assert result.exit_code == 0 and "Sent 1" in result.output
    finally:
        controller.stop()
    [message] = recorder.messages
    assert message.rcpt_tos == ["ann@example.com"] and "Reset your password" in message.data
    assert [(r.state, r.attempts) for r in _queued(app)] == [("sent", 2)]


def test_retries_back_off_then_the_message_is_given_up_and_logged_without_personal_data(
    app, caplog
):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=_closed_port(),
        MAIL_MAX_ATTEMPTS=4,
        MAIL_RETRY_SECONDS=60,
    )
    with app.test_request_context():
        send_mail("ann@example.com", "Private subject", "account_deleted")
        db.session.commit()  # the first attempt, at once
    delays = []
    for _ in range(3):
        [row] = _queued(app)
        if row.state == MailState.QUEUED:
            delays.append(round((row.next_attempt_at - utcnow()).total_seconds() / 60))
        _make_due(app)
        with app.app_context():
            deliver_due()
    assert delays == [1, 2, 4]  # minutes: doubled each time
    [row] = _queued(app)
    assert (row.state, row.attempts) == ("failed", 4) and row.failed_at is not None
    assert "mail not sent, given up: id=1 template=account_deleted attempts=4" in caplog.text
    for private in ("ann@example.com", "Private subject"):
        assert private not in caplog.text
    _make_due(app)
    with app.app_context():  # given up means given up
        assert deliver_due().ids == []


def test_a_recipient_refused_for_good_is_given_up_at_once(app, smtp_server):
    smtp_server.refuse.add("nobody@example.com")
    with app.test_request_context():
        send_mail("nobody@example.com", "Hello", "account_deleted")
        send_mail("ann@example.com", "Hello", "account_deleted")
        db.session.commit()
    refused, delivered = _queued(app)
    assert (refused.state, refused.attempts) == ("failed", 1)
    assert refused.last_error == "SMTPRecipientsRefused 550"
    assert delivered.state == "sent"
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ann@example.com"]]


def test_a_message_sent_or_given_up_keeps_only_its_headers(app, smtp_server):
    """The body, with its links and their tokens, is kept only while the message waits."""
    smtp_server.refuse.add("nobody@example.com")
    link = "https://shop.example/account/password-reset/secret-token-123"
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _closed_port()
    with app.test_request_context():
        send_mail("ann@example.com", "Reset your password", "password_reset", link=link,
                  minutes=60)  # fmt: skip
        db.session.commit()  # the server is down: it waits, whole
    [waiting] = _queued(app)
    assert waiting.state == "queued" and b"secret-token-123" in waiting.message.replace(b"=\n", b"")
    app.config["MAIL_PORT"] = port
    with app.test_request_context():
        send_mail("nobody@example.com", "Reset your password", "password_reset", link=link,
                  minutes=60)  # fmt: skip
        db.session.commit()
    _make_due(app)
    with app.app_context():
        deliver_due()
    sent, refused = _queued(app)
    assert (sent.state, refused.state) == ("sent", "failed")
    assert "secret-token-123" in smtp_server.messages[0].data.replace("=\r\n", "")
    for row in (sent, refused):
        assert b"secret-token-123" not in row.message.replace(b"=\n", b"")
        assert b"Reset your password" in row.message and row.message.endswith(b"\n\n")
        assert message_subject(row.message) == "Reset your password"


# -- Several senders ----------------------------------------------------------------------------


def test_senders_running_at_once_never_send_a_message_twice(app, smtp_server):
    app.config["MAIL_DELIVERY"] = "cron"  # only the senders below deliver
    addresses = [f"customer{n}@example.com" for n in range(40)]
    with app.test_request_context():
        for address in addresses:
            send_mail(address, "Hello", "account_deleted")
        db.session.commit()
    assert smtp_server.messages == []
    start = threading.Barrier(4)
    errors = []

    def sender():
        try:
            start.wait()
            with app.app_context():
                deliver_due()
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    received = sorted(m.rcpt_tos[0] for m in smtp_server.messages)
    assert received == sorted(addresses)  # each once
    assert {(r.state, r.attempts) for r in _queued(app)} == {("sent", 1)}


def test_a_claimed_message_waits_for_its_lease_to_end(app, smtp_server):
    """A sender died holding a message: nobody else takes it until its lease ends."""
    app.config["MAIL_DELIVERY"] = "cron"
    with app.test_request_context():
        send_mail("ann@example.com", "Hello", "account_deleted")
        db.session.commit()
        db.session.execute(
            update(OutgoingMail).values(
                state=MailState.SENDING,
                claim="a-sender-that-died",
                claimed_until=utcnow() + timedelta(minutes=5),
                attempts=1,
            )
        )
        db.session.commit()
        assert deliver_due().sent == 0
        db.session.execute(
            update(OutgoingMail).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        assert deliver_due().sent == 1
        assert deliver_due().sent == 0
    assert len(smtp_server.messages) == 1
    assert [(r.state, r.attempts) for r in _queued(app)] == [("sent", 2)]


# -- Outside the request ------------------------------------------------------------------------


def test_the_send_mail_command_delivers_what_requests_queued(app, client):
    app.config["MAIL_DELIVERY"] = "cron"
    make_user(app, email="ann@example.com")
    post_form(client, "/account/password-reset", {"email": "ann@example.com"})
    assert outbox_files(app) == []
    assert [r.state for r in _queued(app)] == ["queued"]
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "Sent 1, to try again 0, given up 0; 0 waiting, 0 failed in all." in result.output
    assert last_message(app, to="ann@example.com")["Subject"] == "Reset your password"


def test_the_sender_thread_delivers_once_the_response_is_sent_and_stops_cleanly(
    app, client, smtp_server
):
    app.config["MAIL_DELIVERY"] = "thread"
    make_user(app, email="ann@example.com")
    page = client.get("/account/password-reset")  # the first request starts the sender
    assert sender_for(app).wait_idle(5)
    response = client.post(
        "/account/password-reset",
        data={"email": "ann@example.com", "csrf_token": csrf_token_from(page.text)},
    )
    assert response.status_code == 200
    time.sleep(0.5)
    assert smtp_server.messages == []  # the response is not closed yet: nothing competes with it
    response.close()  # as the server does once it has sent the response
    smtp_server.wait_for(1)
    assert smtp_server.messages[0].rcpt_tos == ["ann@example.com"]
    assert stop_sender(app)
    assert not [t for t in threading.enumerate() if t.name == "mail-sender"]


def _statements_of_this_thread(app):
    """SQL statements run by the calling thread (the request), not by the sender thread."""
    me = threading.get_ident()
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me:
            statements.append(statement.split("(")[0].split(" WHERE")[0].strip())

    return engine, record, statements


def test_a_password_reset_answers_as_fast_for_known_and_unknown_addresses(app, client, smtp_server):
    """The request only queues the link: a slow mail server (here: one that holds every message
    for up to 10 s) makes neither answer wait, and the work done in the request differs by one
    INSERT of the queued row. No mail is delivered inside the request, for either address."""
    from sqlalchemy import event

    app.config["MAIL_DELIVERY"] = "thread"
    make_user(app, email="ann@example.com")
    smtp_server.release.clear()
    engine, record, statements = _statements_of_this_thread(app)
    work = {}
    for email in ("ann@example.com", "nobody@example.com"):
        page = client.get("/account/password-reset")
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        started = time.monotonic()
        response = client.post(
            "/account/password-reset",
            data={"email": email, "csrf_token": csrf_token_from(page.text)},
        )
        elapsed = time.monotonic() - started
        response.close()  # sent: the sender thread may start
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200 and "Check your email" in response.text
        assert elapsed < 2, f"{email}: {elapsed:.2f} s"
        work[email] = list(statements)
    # Meanwhile the sender thread is in the middle of handing the link over.
    assert smtp_server.holding.wait(5)
    assert smtp_server.messages == []
    known, unknown = work["ann@example.com"], work["nobody@example.com"]
    assert "INSERT INTO outgoing_mail" in known
    known.remove("INSERT INTO outgoing_mail")
    assert known == unknown  # the one difference: the queued row
    smtp_server.release.set()
    smtp_server.wait_for(1)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ann@example.com"]]
