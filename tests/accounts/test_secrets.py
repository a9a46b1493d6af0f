"""No password, link token or session token is ever logged or stored in clear; no email address,
name or phone number is logged either."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from jomso.database import checkpoint_wal
from jomso.extensions import db
from jomso.logging_setup import redact
from jomso.mail import OutgoingMail
from tests.accounts.helpers import (
    GOOD_PASSWORD,
    mailed_path,
    post_form,
    register,
    session_id,
    sign_in,
    sign_out,
)
from tests.conftest import csrf_token_from
from tests.helpers import stored_bytes
from tests.mailbox import outbox_files

WRONG_PASSWORD = "guessing staple horse"
CHANGED_PASSWORD = "velvet comet under bridges"
RESET_PASSWORD = "pebble orchard lantern tide"


def _token(path: str) -> str:
    return urlsplit(path).path.rstrip("/").rsplit("/", 1)[-1]


def _session_token(client) -> str:
    return session_id(client).split(":")[2]


@pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")
def test_secrets_never_reach_the_logs_or_the_database(app, client, caplog):
    caplog.set_level(logging.WARNING, logger="sqlalchemy")  # SQL echo is never on in production
    caplog.set_level(logging.DEBUG)  # (after: set_level also sets the capture handler's level)
    secrets: list[str] = [GOOD_PASSWORD, WRONG_PASSWORD, CHANGED_PASSWORD, RESET_PASSWORD]
    personal = ["bea@example.com", "bea.new@example.com", "Bea Customer", "+12025550143"]

    register(client, newsletter="y")
    confirm_path = mailed_path(app, "bea@example.com", "/account/confirm/")
    register(app.test_client())  # a duplicate, for its email
    secrets.append(_token(confirm_path))
    client.get(confirm_path)

    sign_in(client, password=WRONG_PASSWORD)
    sign_in(client, remember=True)
    secrets.append(_session_token(client))
    page = client.get("/account")
    client.post("/account/confirm/resend", data={"csrf_token": csrf_token_from(page.text)})
    post_form(client, "/account/profile", {"name": "Bea Customer", "phones-0": "2025550143"})

    post_form(
        client,
        "/account/email",
        {"email": "bea.new@example.com", "current_password": GOOD_PASSWORD},
    )
    change_path = mailed_path(app, "bea.new@example.com", "/account/email/confirm/")
    secrets.append(_token(change_path))
    client.get(change_path)

    post_form(
        client,
        "/account/password",
        {
            "current_password": GOOD_PASSWORD,
            "password": CHANGED_PASSWORD,
            "password_confirm": CHANGED_PASSWORD,
        },
    )
    sign_out(client)

    post_form(client, "/account/password-reset", {"email": "bea.new@example.com"})
    reset_path = mailed_path(app, "bea.new@example.com", "/account/password-reset/")
    secrets.append(_token(reset_path))
    client.get(reset_path)
    post_form(
        client,
        reset_path,
        {"password": RESET_PASSWORD, "password_confirm": RESET_PASSWORD},
    )
    sign_in(client, "bea.new@example.com", RESET_PASSWORD)
    secrets.append(_session_token(client))
    client.get("/account/export")

    # The development server logs each request line; the token part of these URLs is masked.
    for path in (confirm_path, change_path, reset_path):
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET %s HTTP/1.1" 200 -', path)

    with app.app_context():
        # Every message went: what the shop keeps of each is its headers (each body is read
        # here as its reader would, quoted-printable's folded lines joined).
        kept = _unfolded(b"".join(db.session.scalars(select(OutgoingMail.message))))
        checkpoint_wal()  # as SQLite reuses its log: no old copy of a page stays there
    assert b"Subject:" in kept
    stored = _unfolded(stored_bytes(app))
    assert b"bea.new@example.com" in stored  # what was read is the database
    outbox = b"".join(p.read_bytes() for p in outbox_files(app))
    logged = caplog.text
    assert "signed in" in logged and "mail sent" in logged  # the logs did run
    for secret in secrets:
        assert secret not in logged, secret
        assert secret.encode() not in stored, secret
        assert secret.encode() not in kept, secret
    for password in (GOOD_PASSWORD, WRONG_PASSWORD, CHANGED_PASSWORD, RESET_PASSWORD):
        assert password.encode() not in outbox
    for value in personal:
        assert value not in logged, value

    post_form(client, "/account/delete", {"current_password": RESET_PASSWORD})
    assert RESET_PASSWORD not in caplog.text
    assert "bea.new@example.com" not in caplog.text


def _unfolded(data: bytes) -> bytes:
    """Quoted-printable's soft line breaks taken out: a link folded over two lines whole again."""
    return re.sub(rb"=\r?\n", b"", data)


def test_the_log_filter_masks_every_account_link_shape():
    for path in (
        "/account/confirm/eyJ1IjoxfQ.aaa.bbb",
        "/account/email/confirm/eyJ1IjoxfQ.aaa.bbb",
        "/account/password-reset/eyJ1IjoxfQ.aaa.bbb",
    ):
        assert "eyJ1IjoxfQ" not in redact(f"GET {path} HTTP/1.1")
