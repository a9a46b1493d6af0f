"""Read the mail outbox in tests: every message the shop sent while MAIL_SERVER is unset.

Other areas reuse these: ``outbox_messages(app)`` gives parsed ``email.message.EmailMessage``
objects, oldest first; ``text_of`` / ``html_of`` give the bodies; ``links_in`` the URLs.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

_URL = re.compile(r"https?://[^\s<>\"']+")


def outbox_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "outbox"
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def outbox_messages(app, to: str | None = None) -> list[EmailMessage]:
    """Messages in the outbox, oldest first; only those addressed to ``to`` when given."""
    parser = BytesParser(policy=policy.default)
    messages = [parser.parsebytes(path.read_bytes()) for path in outbox_files(app)]
    if to is not None:
        messages = [m for m in messages if to.lower() in str(m["To"]).lower()]
    return messages


def last_message(app, to: str | None = None) -> EmailMessage:
    messages = outbox_messages(app, to)
    assert messages, f"no message in the outbox{' for ' + to if to else ''}"
    return messages[-1]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str | None:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else None


def links_in(message: EmailMessage) -> list[str]:
    """Every URL in the plain-text body, in order."""
    return _URL.findall(text_of(message))


def link_to(message: EmailMessage, fragment: str) -> str:
    """The first URL in the message containing ``fragment``."""
    for url in links_in(message):
        if fragment in url:
            return url
    raise AssertionError(f"no link containing {fragment!r} in {links_in(message)}")


def clear_outbox(app) -> None:
    for path in outbox_files(app):
        path.unlink()
