"""One way to send mail: through SMTP when ``MAIL_SERVER`` is set, otherwise into an outbox.

``send_mail(to, subject, "template_name", **context)`` renders ``templates/email/<name>.txt``
(required) and ``templates/email/<name>.html`` (when it exists), builds a multipart message and
delivers it. Without SMTP settings each message becomes a readable ``.eml`` file in
``<instance>/outbox/``, named so that sorting the names sorts the messages by time.

Delivery failures are logged with the template name and the error type only (never the
address or the body) and reported by the return value: the page the visitor is on goes on.
"""

from __future__ import annotations

import itertools
import logging
import os
import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template
from jinja2 import TemplateNotFound

log = logging.getLogger(__name__)

_sequence = itertools.count()


def send_mail(
    to: str,
    subject: str,
    template: str,
    *,
    headers: dict[str, str] | None = None,
    reply_to: str | None = None,
    **context,
) -> bool:
    """Render and deliver one message; returns whether it was handed over (SMTP or outbox).

    ``headers`` adds extra headers, e.g. ``{"List-Unsubscribe": "<https://...>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}``. The templates receive
    ``context`` plus ``shop_name``, ``shop_email`` and ``subject``.
    """
    message = build_message(to, subject, template, headers=headers, reply_to=reply_to, **context)
    try:
        if current_app.config.get("MAIL_SERVER"):
            _deliver_smtp(message)
            where = "smtp"
        else:
            where = _write_outbox(message)
    except (smtplib.SMTPException, OSError) as error:
        code = getattr(error, "smtp_code", "")
        log.error("mail not sent: template=%s error=%s %s", template, type(error).__name__, code)
        return False
    log.info("mail sent: template=%s via=%s", template, where)
    return True


def build_message(
    to: str,
    subject: str,
    template: str,
    *,
    headers: dict[str, str] | None = None,
    reply_to: str | None = None,
    **context,
) -> EmailMessage:
    """The message ``send_mail`` would deliver, without delivering it."""
    config = current_app.config
    context.update(shop_name=config["SHOP_NAME"], shop_email=config["SHOP_EMAIL"], subject=subject)
    text = render_template(f"email/{template}.txt", **context)
    try:
        html = render_template(f"email/{template}.html", **context)
    except TemplateNotFound:
        html = None

    sender = config["MAIL_SENDER"]
    message = EmailMessage()
    message["From"] = Address(display_name=config["SHOP_NAME"], addr_spec=sender)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if reply_to:
        message["Reply-To"] = reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def outbox_path() -> Path:
    return Path(current_app.instance_path) / "outbox"


def _write_outbox(message: EmailMessage) -> str:
    """Write the message as ``<UTC time>-<sequence>-<random>.eml``; returns "outbox"."""
    folder = outbox_path()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{stamp}-{next(_sequence) % 1_000_000:06d}-{secrets.token_hex(4)}.eml"
    partial = folder / f".{name}.tmp"
    partial.write_bytes(message.as_bytes())
    # Readers of the folder never see a half-written message.
    os.replace(partial, folder / name)
    return "outbox"


def _deliver_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
