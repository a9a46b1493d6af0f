"""Mail: the outbox without SMTP settings, a real SMTP conversation with them, and failures that
are logged without addresses and never break the page."""

from __future__ import annotations

import base64
import logging
import socket
import socketserver
import threading

import pytest

from jomso.mail import send_mail
from tests.accounts.helpers import post_form
from tests.helpers import make_user
from tests.mailbox import html_of, last_message, outbox_files, outbox_messages, text_of


def test_outbox_message_has_text_and_html_parts_and_extra_headers(app):
    with app.test_request_context():
        sent = send_mail(
            "ann@example.com",
            "Welcome",
            "password_changed",
            headers={
                "List-Unsubscribe": "<https://shop.test/newsletter/unsubscribe/abc>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            reply_to="help@example.com",
            user=type("U", (), {"name": "Ann"})(),
            reset_url="https://shop.test/account/password-reset",
        )
    assert sent
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
        assert send_mail("ann@example.com", "Gone", "account_deleted", name="Ann")
    message = last_message(app)
    assert not message.is_multipart()
    assert html_of(message) is None
    assert "Hello Ann," in text_of(message)


def test_outbox_names_sort_in_sending_order(app):
    with app.test_request_context():
        for number in range(5):
            send_mail("ann@example.com", f"Message {number}", "account_deleted", name="Ann")
    subjects = [m["Subject"] for m in outbox_messages(app)]
    assert subjects == [f"Message {n}" for n in range(5)]
    names = [p.name for p in outbox_files(app)]
    assert len(set(names)) == 5
    assert not list(outbox_files(app)[0].parent.glob(".*.tmp"))


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 (and AUTH PLAIN) for smtplib to deliver a message."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        received = self.server.received
        self.reply("220 test ESMTP")
        while line := self.rfile.readline().decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-test")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                credentials = base64.b64decode(line.split()[-1]).split(b"\0")
                received.append(("auth", credentials[1].decode(), credentials[2].decode()))
                self.reply("235 ok")
            elif verb == "MAIL":
                received.append(("from", line))
                self.reply("250 ok")
            elif verb == "RCPT":
                received.append(("to", line))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data)
                received.append(("data", b"".join(body).decode()))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_smtp_delivery_when_mail_server_is_set(app, smtp_server):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.server_address[1],
        MAIL_USE_TLS=False,
        MAIL_USERNAME="shop",
        MAIL_PASSWORD="smtp-secret",
    )
    with app.test_request_context():
        assert send_mail(
            "ann@example.com",
            "Hello over SMTP",
            "account_deleted",
            headers={"List-Unsubscribe": "<https://shop.test/u/1>"},
            name="Ann",
        )
    received = dict((kind, value) for kind, *value in smtp_server.received)
    assert received["auth"] == ["shop", "smtp-secret"]
    assert "ann@example.com" in received["to"][0]
    data = received["data"][0]
    assert "Subject: Hello over SMTP" in data
    assert "List-Unsubscribe: <https://shop.test/u/1>" in data
    assert outbox_files(app) == []  # nothing went to the outbox


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_smtp_failure_is_logged_without_address_and_returns_false(app, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_TIMEOUT=2)
    caplog.set_level(logging.INFO)
    with app.test_request_context():
        assert not send_mail("ann@example.com", "Private subject", "account_deleted", name="Ann")
    assert "mail not sent: template=account_deleted" in caplog.text
    assert "ConnectionRefusedError" in caplog.text
    assert "ann@example.com" not in caplog.text
    assert "Private subject" not in caplog.text
    assert "Ann" not in caplog.text


def test_a_mail_failure_never_breaks_the_page(app, client):
    make_user(app, email="ann@example.com")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_TIMEOUT=2)
    response = post_form(client, "/account/password-reset", {"email": "ann@example.com"})
    assert response.status_code == 200
    assert "Check your email" in response.text
