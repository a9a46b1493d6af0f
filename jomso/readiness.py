"""Readiness: can this server take customers now? ``/readyz`` (jomso/health.py) answers 503 when
any check fails, and ``flask --app app doctor`` reports the same checks.

- **database**: a ``SELECT 1`` answers.
- **mail queue**: no message has been due for longer than ``MAIL_STUCK_MINUTES``. A sender (a
  worker's thread, or ``send-mail`` from the timer) takes due mail within a minute; a message
  that waits far longer means nobody sends. Mail waiting for its next attempt after a failure
  is not due, so a mail server that is down does not count here (the owner's dashboard shows
  what was given up).
- **redis**: with ``REDIS_URL`` set, the server answers a PING (skipped without it).

Each result says what was found in a few words: never an address, a URL or a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import MailState, OutgoingMail
from jomso.redis_store import redis_client

_T = OutgoingMail.__table__


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``ok`` is None when it was skipped."""

    name: str
    ok: bool | None
    detail: str


def check_database() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return Check("database", False, f"no answer ({type(error).__name__})")
    return Check("database", True, "answers")


def longest_mail_wait() -> timedelta | None:
    """How long the message that has been due the longest has waited for a sender: a queued
    one since its attempt was due, one held by a sender since that sender's lease ran out.
    None when nothing is due."""
    now = utcnow()
    due_since = db.session.scalar(
        select(
            func.min(
                # Rows of one state each: a queued row's next attempt, a held row's lease end.
                func.coalesce(_T.c.claimed_until, _T.c.next_attempt_at)
            )
        ).where(
            or_(
                (_T.c.state == MailState.QUEUED) & (_T.c.next_attempt_at <= now),
                (_T.c.state == MailState.SENDING) & (_T.c.claimed_until < now),
            )
        )
    )
    return None if due_since is None else now - due_since


def check_mail_queue(config: Any = None) -> Check:
    config = config or current_app.config
    limit = timedelta(minutes=float(config["MAIL_STUCK_MINUTES"]))
    try:
        waited = longest_mail_wait()
    except SQLAlchemyError as error:
        db.session.rollback()
        return Check("mail_queue", False, f"cannot be read ({type(error).__name__})")
    if waited is None:
        return Check("mail_queue", True, "nothing waiting")
    minutes = int(waited.total_seconds() // 60)
    if waited > limit:
        return Check("mail_queue", False, f"a message has waited {minutes} minutes for a sender")
    return Check("mail_queue", True, f"the oldest due message has waited {minutes} minutes")


def check_redis(app: Flask | None = None) -> Check:
    """The shop's shared Redis client (``jomso.redis_store``, short timeouts) answers a PING."""
    client = redis_client(app or current_app._get_current_object())
    if client is None:
        return Check("redis", None, "not used (JOMSO_REDIS_URL is not set)")
    import redis

    try:
        client.ping()
    except redis.RedisError as error:
        return Check("redis", False, f"no answer ({type(error).__name__})")
    return Check("redis", True, "answers")


def readiness_checks() -> list[Check]:
    return [check_database(), check_mail_queue(), check_redis()]
