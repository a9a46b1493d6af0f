"""One way to send mail: ``send_mail`` renders a message and queues it in the current transaction.

``send_mail(to, subject, "template_name", **context)`` renders ``templates/email/<name>.txt``
(required) and ``templates/email/<name>.html`` (when it exists), builds a multipart message and
adds an ``OutgoingMail`` row to the current database session. Nothing leaves the process yet:
the caller's commit makes the message real, a rollback drops it with the change that caused
it. ``jomso.mail_delivery`` sends what is queued (a background thread in each worker, or
``flask --app app send-mail``), with retries, and writes each message as a readable ``.eml``
file to ``<instance>/outbox/`` when no SMTP server is set.

Two rules hold for every message, here and nowhere else:

- **No line breaks in headers.** A header value (the address, the subject, the reply-to, an
  extra header, the shop's name and address in ``From``) that holds a line break is refused
  with ``HeaderInjection``; forms refuse them first, beside the field (``SingleLine``).
- **No stranger's text to an unproved address.** The templates greet with ``greeting``: "Hello
  <name>," only when the message goes to the confirmed address of the account passed as
  ``user`` (the name is then that account holder's own), "Hello," otherwise. Templates show
  other text typed by the person who caused the message (an address block) only under
  ``recipient_verified``.
"""

from __future__ import annotations

import binascii
import logging
import secrets
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, make_msgid
from enum import StrEnum
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound
from sqlalchemy import Index, LargeBinary, String, false
from sqlalchemy.orm import Mapped, Session, mapped_column
from wtforms.validators import ValidationError

from jomso.database import UTCDateTime, utcnow
from jomso.extensions import db

log = logging.getLogger(__name__)

# Where a session notes the templates it queued, until its commit (or rollback).
QUEUED_KEY = "jomso_mail_queued"

# Every character Python or a mail program may take as the end of a header line.
LINE_BREAKS = frozenset("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


class MailState(StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a sender until ``claimed_until``
    SENT = "sent"  # handed to the SMTP server (or written to the outbox)
    FAILED = "failed"  # refused for good, or MAIL_MAX_ATTEMPTS attempts failed


class OutgoingMail(db.Model):
    """One message waiting to be sent, or sent (kept MAIL_KEEP_DAYS, then deleted by purge).
    A message queued with ``keep=False`` is deleted as soon as it is sent or given up."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    template: Mapped[str] = mapped_column(String(100))  # for logs and the owner: no address
    to_address: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased
    message: Mapped[bytes] = mapped_column(LargeBinary)  # the RFC 5322 message as sent
    state: Mapped[str] = mapped_column(String(10), default=MailState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A sender's claim: a random token and the end of its lease (see mail_delivery).
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(120), default="")  # error type and code only
    # Sent to an address the shop has just erased: no copy is kept, not even in the outbox.
    forget_when_sent: Mapped[bool] = mapped_column(default=False, server_default=false())


class HeaderInjection(ValueError):
    """A mail header value holds a line break: the message is refused."""


def has_line_break(value: str) -> bool:
    return any(char in LINE_BREAKS for char in value)


class SingleLine:
    """WTForms validator for a field whose value reaches a mail header (an address, a subject):
    a line break comes back as a message beside the field."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_line_break(field.data):
            raise ValidationError(self.message or _l("Line breaks are not allowed here."))


def send_mail(
    to: str,
    subject: str,
    template: str,
    *,
    headers: dict[str, str] | None = None,
    reply_to: str | None = None,
    keep: bool = True,
    **context,
) -> bool:
    """Render one message and queue it in the current transaction; returns True once queued.

    The caller commits: the commit that stores the change causing the message makes the
    message real and wakes the sender; a rollback drops both. ``headers`` adds extra headers,
    e.g. ``{"List-Unsubscribe": "<https://...>", "List-Unsubscribe-Post":
    "List-Unsubscribe=One-Click"}``. The templates receive ``context`` plus ``shop_name``,
    ``shop_email``, ``subject``, ``greeting`` and ``recipient_verified``. Raises
    ``HeaderInjection`` when a header value holds a line break.

    ``keep=False`` is for a message to an address being erased (the confirmation of an account's
    deletion): its row is deleted once the SMTP server took it (or it was given up), and without
    an SMTP server it is not written to the outbox, a folder of the shop's own.
    """
    message = build_message(to, subject, template, headers=headers, reply_to=reply_to, **context)
    db.session.add(
        OutgoingMail(
            template=template,
            to_address=to.strip().lower(),
            message=message,
            state=MailState.QUEUED,
            next_attempt_at=utcnow(),
            forget_when_sent=not keep,
        )
    )
    note_queued(db.session, template)
    log.info("mail queued: template=%s", template)
    return True


def note_queued(session: Session, template: str) -> None:
    """Remember on the session that it holds queued mail (``mail_delivery`` acts on commit)."""
    session.info.setdefault(QUEUED_KEY, []).append(template)


def build_message(
    to: str,
    subject: str,
    template: str,
    *,
    headers: dict[str, str] | None = None,
    reply_to: str | None = None,
    **context,
) -> bytes:
    """The message ``send_mail`` would queue (RFC 5322 bytes), without queueing it.

    Written out by ``_assembled`` (every checkout builds one inside its request): a header
    line per header, non-ASCII values in RFC 2047 encoded words, lines of at most 78
    characters in the parts. Read it with ``parse_message``."""
    config = current_app.config
    sender = config["MAIL_SENDER"]
    extra = dict(headers or {})
    _check_headers(
        {
            "To": to,
            "Subject": subject,
            "Reply-To": reply_to or "",
            "From": f"{config['SHOP_NAME']} <{sender}>",
            **extra,
            **{f"header name {name}": name for name in extra},
        }
    )
    verified = recipient_verified(to, context.get("user"))
    context.update(
        shop_name=config["SHOP_NAME"],
        shop_email=config["SHOP_EMAIL"],
        subject=subject,
        recipient_verified=verified,
        greeting=greeting(context.get("user") if verified else None),
    )
    text = _render(f"email/{template}.txt", context)
    try:
        html = _render(f"email/{template}.html", context)
    except TemplateNotFound:
        html = None

    head = [
        ("From", _named_address(config["SHOP_NAME"], sender)),
        ("To", _header_value("To", to)),
        ("Subject", _header_value("Subject", subject)),
        ("Date", format_datetime(datetime.now(UTC))),
        ("Message-ID", make_msgid(domain=sender.rpartition("@")[2] or None)),
    ]
    if reply_to:
        head.append(("Reply-To", _header_value("Reply-To", reply_to)))
    head.extend((name, _header_value(name, value)) for name, value in extra.items())
    parts = [_text_part(text, "plain")]
    if html is not None:
        parts.append(_text_part(html, "html"))
    return _assembled(head, parts)


def _text_part(text: str, subtype: str) -> tuple[str, bytes]:
    """A text part readable as it is (its MIME headers and its body), encoded as
    ``EmailMessage`` chose: 7bit when it is ASCII in lines of at most 78 characters, else
    UTF-8 in quoted-printable (accented letters and long lines encoded, the rest as written)."""
    if text.isascii() and all(len(line) <= 78 for line in text.splitlines()):
        charset, encoding, body = "us-ascii", "7bit", text.encode()
    else:
        charset, encoding = "utf-8", "quoted-printable"
        body = binascii.b2a_qp(text.encode(), istext=True)
    headers = (
        f'Content-Type: text/{subtype}; charset="{charset}"\n'
        f"MIME-Version: 1.0\nContent-Transfer-Encoding: {encoding}\n"
    )
    return headers, body


def _assembled(head: list[tuple[str, str]], parts: list[tuple[str, bytes]]) -> bytes:
    """The message's bytes: one text part with ``head``'s headers, or a multipart/alternative
    of the parts. Written out here rather than by ``email.generator``, which took two thirds
    of the time a checkout spends on its confirmation; ``parse_message`` reads it back."""
    header_lines = "".join(f"{name}: {value}\n" for name, value in head)
    if len(parts) == 1:
        part_headers, body = parts[0]
        return f"{part_headers}{header_lines}\n".encode() + body
    bodies = b"".join(body for _headers, body in parts)
    boundary = _boundary()
    while boundary.encode() in bodies:
        boundary = _boundary()
    out = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"\nMIME-Version: 1.0\n'
        f"{header_lines}\n".encode()
    ]
    for part_headers, body in parts:
        out.append(f"--{boundary}\n{part_headers}\n".encode() + body + b"\n")
    out.append(f"--{boundary}--\n".encode())
    return b"".join(out)


def _boundary() -> str:
    return f"==============={secrets.randbelow(10**19):019d}=="


def _named_address(name: str, address: str) -> str:
    """``Name <address>``: the name quoted where it must be, or in encoded words."""
    if name.isascii():
        return formataddr((name, address))
    header = Header(name, "utf-8", header_name="From")
    header.append(f"<{address}>", "us-ascii")
    return header.encode()


def _header_value(name: str, value: str) -> str:
    """``value`` as it goes into the header: RFC 2047 encoded words when it is not ASCII."""
    return value if value.isascii() else Header(value, "utf-8", header_name=name).encode()


def _render(name: str, context: dict) -> str:
    """A mail template with ``context`` and Jinja's globals (``url_for``, ``config``, gettext,
    the filters), without the page context processors: a message needs nothing of the page
    being served (its menu's categories, the cart) and must not cost their queries."""
    return current_app.jinja_env.get_template(name).render(context)


def _check_headers(values: dict[str, str]) -> None:
    for name, value in values.items():
        if has_line_break(value):
            # The value is not logged: it may be an address, or the attacker's text.
            log.warning("mail refused: a line break in %s", name.split(" ")[-1])
            raise HeaderInjection(f"line break in the {name} header")


def recipient_verified(to: str, user: Any) -> bool:
    """Whether ``to`` is the confirmed address of the account ``user`` (any object with
    ``email`` and ``is_confirmed``): only then was everything the account typed typed by the
    owner of the mailbox."""
    if user is None or not getattr(user, "is_confirmed", False):
        return False
    email = getattr(user, "email", "") or ""
    return bool(email) and email.strip().lower() == to.strip().lower()


def greeting(user: Any) -> str:
    """The first line: "Hello <name>," with a verified recipient's account, else "Hello,"."""
    name = (getattr(user, "name", "") or "").strip() if user is not None else ""
    if name and not has_line_break(name):
        return _("Hello %(name)s,", name=name)
    return _("Hello,")


def parse_message(raw: bytes) -> EmailMessage:
    """A message as its recipient's mail program reads it (headers decoded, parts)."""
    return BytesParser(policy=policy.default).parsebytes(raw)


def headers_only(raw: bytes) -> bytes:
    """What is kept of a message once it was sent or given up: its header block (to whom, the
    subject, the date), without its body, the names, orders and links in it, and the tokens in
    the links (a password reset, an order's page, an unsubscribe, a data download)."""
    ends = [at + len(gap) for gap in (b"\r\n\r\n", b"\n\n") if (at := raw.find(gap)) != -1]
    return raw[: min(ends)] if ends else raw


def message_subject(raw: bytes) -> str:
    """The subject of a queued message, as its recipient reads it."""
    headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    return str(headers["Subject"] or "")


def outbox_path() -> Path:
    return Path(current_app.instance_path) / "outbox"
