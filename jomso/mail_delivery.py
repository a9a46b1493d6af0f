"""Delivering queued mail (``jomso.mail`` queues it): claims, SMTP or the outbox folder, retries
with exponential backoff. Who calls ``deliver_due`` when is ``jomso.mail_sender``'s; ``flask
--app app send-mail`` calls it too, in any mode.

**Claims.** Any number of senders (threads in several gunicorn workers and processes, cron)
may run at once. A sender takes one message at a time with ``UPDATE outgoing_mail SET
state='sending', claim=<random>, claimed_until=<now + LEASE> WHERE id=<the next due> AND <it is
still due>``, committed before it speaks to the server, and marks it sent only while it still
holds that claim: two senders never hold the same message, so a message is not sent twice.
The lease is for a sender that dies holding a message (the process was killed): LEASE after
its claim the message is due again. Only a sender killed in the instant between the server's
"250 accepted" and its own commit could make that one message go out twice.

With Redis (``REDIS_URL``) one sender at a time delivers for the whole shop, whichever
server it runs on: the one holding the sender lease (``jomso.mail_lease``).

**Failures.** A message the server refuses for good (5xx for the recipient or the content) is
marked failed at once; any other failure (server down, timeout, authentication) is tried again
``MAIL_RETRY_SECONDS`` later, then twice that, and so on, until ``MAIL_MAX_ATTEMPTS`` attempts
failed. Logs name the template, the row id and the error type, never the address or the body;
the owner's dashboard shows the failed ones (``failed_mail``).

**What is kept.** A message sent or given up keeps only its headers (``mail.headers_only``):
its body, with the links and their tokens, is needed by nobody once it went (the data download
shows the subject), so the row holds it only while the message waits. ``purge`` deletes the
rest after ``MAIL_KEEP_DAYS``.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select, update

from jomso.database import checkpoint_wal, utcnow
from jomso.extensions import db
from jomso.mail import MailState, OutgoingMail, headers_only, outbox_path, parse_message
from jomso.mail_lease import sender_lease

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # far longer than one message takes (each step times out)
_T = OutgoingMail.__table__


# -- Delivering what is due -----------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0  # failed this time, tried again later
    failed: int = 0  # failed for good
    ids: list[int] = field(default_factory=list)  # the rows this run handled
    deferred: bool = False  # another sender held the lease (Redis): it delivers what is due


def deliver_due(*, stop: threading.Event | None = None) -> DeliveryReport:
    """Send every message that is due, oldest first, until none is left (or ``stop`` is set).
    Uses connections of its own, never the session: it may run inside another's commit.

    With ``REDIS_URL`` only the holder of the sender lease delivers (``jomso.mail_lease``): a
    run that finds it held returns at once (``deferred``), and the holder looks again."""
    report = DeliveryReport()
    lease = sender_lease(current_app)
    if lease is None:
        _deliver(report, stop)
        return report
    if not lease.acquire():
        report.deferred = True
        return report
    try:
        while _deliver(report, stop, lease.renew) and not lease.finish():
            pass  # mail was queued elsewhere while this run delivered: look again
    finally:
        lease.release()  # stopped, failed or lost; nothing to do once finished
    return report


def _deliver(report: DeliveryReport, stop: threading.Event | None, keep=None) -> bool:
    """Deliver what is due; True once nothing is left, False when ``stop`` was set or ``keep``
    (the lease's renewal, before each message) said to stop."""
    engine = db.engine
    config = current_app.config
    with _Transport(config, outbox_path()) as transport:
        while True:
            if (stop is not None and stop.is_set()) or (keep is not None and not keep()):
                return False
            claimed = _claim_next(engine)
            if claimed is None:
                return True
            row, token = claimed
            report.ids.append(row.id)
            try:
                where = transport.send(row.message, keep_copy=not row.forget_when_sent)
            except Exception as error:  # whatever it was, the row must not stay claimed
                _record_failure(engine, config, row, token, error, report)
            else:
                _record_sent(engine, row, token)
                report.sent += 1
                log.info("mail sent: id=%s template=%s via=%s", row.id, row.template, where)


def _due(now: datetime):
    return or_(
        and_(_T.c.state == MailState.QUEUED, _T.c.next_attempt_at <= now),
        and_(_T.c.state == MailState.SENDING, _T.c.claimed_until < now),
    )


def _claim_next(engine):
    """Claim the oldest due message: (row, claim token), or None when nothing is due."""
    for _attempt in range(10):
        now = utcnow()
        token = secrets.token_hex(16)
        oldest = select(_T.c.id).where(_due(now)).order_by(_T.c.id).limit(1).scalar_subquery()
        with engine.begin() as connection:
            result = connection.execute(
                update(_T)
                .where(_T.c.id == oldest, _due(now))
                .values(
                    state=MailState.SENDING,
                    claim=token,
                    claimed_until=now + LEASE,
                    attempts=_T.c.attempts + 1,
                )
            )
            if result.rowcount == 1:
                row = connection.execute(
                    select(
                        _T.c.id, _T.c.template, _T.c.message, _T.c.attempts, _T.c.forget_when_sent
                    ).where(_T.c.claim == token)
                ).one()
                return row, token
            if connection.scalar(select(_T.c.id).where(_due(now)).limit(1)) is None:
                return None
        # Another sender took that one a moment ago: ask for the next.
    return None


def _record_sent(engine, row, token: str) -> None:
    if row.forget_when_sent:
        _forget(engine, row, token)
        return
    with engine.begin() as connection:
        result = connection.execute(
            update(_T)
            .where(_T.c.id == row.id, _T.c.claim == token)
            .values(
                state=MailState.SENT,
                sent_at=utcnow(),
                claim=None,
                claimed_until=None,
                last_error="",
                message=headers_only(row.message),
            )
        )
    if result.rowcount != 1:
        log.warning("mail %s was sent after its claim ran out", row.id)


def _forget(engine, row, token: str) -> None:
    """A message to an erased address, sent or given up: its row goes, and with it the last
    copy of the address (the write-ahead log is emptied too)."""
    with engine.begin() as connection:
        connection.execute(delete(_T).where(_T.c.id == row.id, _T.c.claim == token))
    checkpoint_wal()


def _record_failure(engine, config, row, token: str, error: Exception, report) -> None:
    now = utcnow()
    described = describe_error(error)
    max_attempts = max(int(config["MAIL_MAX_ATTEMPTS"]), 1)
    if is_permanent(error) or row.attempts >= max_attempts:
        values = {"state": MailState.FAILED, "failed_at": now, "message": headers_only(row.message)}
        report.failed += 1
        log.error(
            "mail not sent, given up: id=%s template=%s attempts=%d error=%s",
            row.id,
            row.template,
            row.attempts,
            described,
        )
        if row.forget_when_sent:
            _forget(engine, row, token)
            return
    else:
        delay = float(config["MAIL_RETRY_SECONDS"]) * 2 ** (row.attempts - 1)
        values = {"state": MailState.QUEUED, "next_attempt_at": now + timedelta(seconds=delay)}
        report.retried += 1
        log.warning(
            "mail not sent: template=%s error=%s id=%s attempt=%d, next in %ds",
            row.template,
            described,
            row.id,
            row.attempts,
            delay,
        )
    with engine.begin() as connection:
        connection.execute(
            update(_T)
            .where(_T.c.id == row.id, _T.c.claim == token)
            .values(claim=None, claimed_until=None, last_error=described[:120], **values)
        )


def describe_error(error: Exception) -> str:
    """The error's type and SMTP code: never its text, which may quote the address."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(c) for c, _message in error.recipients.values()})
        code = ",".join(codes)
    return f"{type(error).__name__} {code}".strip() if code else type(error).__name__


def is_permanent(error: Exception) -> bool:
    """The server refused this recipient or this content for good (a 5xx answer to them)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


class _Transport:
    """Hands messages over: to the SMTP server (one connection for a whole run, opened at the
    first message) or, without ``MAIL_SERVER``, to the outbox folder."""

    def __init__(self, config, outbox: Path) -> None:
        self.config = config
        self.outbox = outbox
        self.smtp: smtplib.SMTP | None = None
        self.sequence = 0

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        self._close()

    def send(self, raw: bytes, keep_copy: bool = True) -> str:
        if not self.config.get("MAIL_SERVER"):
            if not keep_copy:  # the outbox is the shop's own folder: no copy of this one
                return "nowhere (not kept)"
            self._write_outbox(raw)
            return "outbox"
        message = parse_message(raw)
        try:
            self._connection().send_message(message)
        except Exception:
            self._close(quit_first=False)  # the next message starts on a fresh connection
            raise
        return "smtp"

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = self.config
            host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
            timeout = float(config["MAIL_TIMEOUT"])
            context = ssl.create_default_context()
            if config.get("MAIL_USE_SSL"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
            try:
                if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                    smtp.starttls(context=context)
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            except Exception:
                smtp.close()
                raise
            self.smtp = smtp
        return self.smtp

    def _close(self, quit_first: bool = True) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if quit_first:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()

    def _write_outbox(self, raw: bytes) -> None:
        """Write the message as ``<UTC time>-<sequence>-<random>.eml``, so that sorting the
        names sorts the messages by sending time; readers never see a half-written file."""
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.sequence += 1
        name = f"{stamp}-{self.sequence % 1_000_000:06d}-{secrets.token_hex(4)}.eml"
        partial = self.outbox / f".{name}.tmp"
        partial.write_bytes(raw)
        os.replace(partial, self.outbox / name)


# -- Forgetting what the outbox holds -----------------------------------------------------------


def delete_outbox_files_to(addresses: set[str] | list[str]) -> int:
    """Delete the outbox's copies of the messages sent to any of ``addresses`` (an erasure);
    returns how many went."""
    wanted = {address.strip().lower() for address in addresses if address}
    folder = outbox_path()
    if not wanted or not folder.is_dir():
        return 0
    parser = BytesParser(policy=policy.default)
    deleted = 0
    for path in folder.glob("*.eml"):
        try:
            with path.open("rb") as handle:
                headers = parser.parse(handle, headersonly=True)
        except OSError:
            continue
        recipients = {
            address.addr_spec.lower()
            for header in (headers.get_all("To") or [])
            for address in getattr(header, "addresses", ())
        }
        if recipients & wanted:
            path.unlink(missing_ok=True)
            deleted += 1
    if deleted:
        log.info("outbox: %d messages to an erased address deleted", deleted)
    return deleted


def delete_old_outbox_files(cutoff: datetime) -> int:
    """Delete the outbox's messages written before ``cutoff`` (retention); returns how many."""
    folder = outbox_path()
    if not folder.is_dir():
        return 0
    limit = cutoff.timestamp()
    deleted = 0
    for path in folder.glob("*.eml"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted


# -- What the owner sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class FailedMail:
    template: str
    created_at: datetime
    failed_at: datetime | None
    attempts: int
    error: str


def failed_mail(limit: int = 20) -> tuple[int, list[FailedMail]]:
    """How many messages failed for good (still held, see MAIL_KEEP_DAYS), and the latest
    ``limit`` of them: template, times, attempts and error type; never the address."""
    total = db.session.scalar(
        select(func.count()).select_from(_T).where(_T.c.state == MailState.FAILED)
    )
    rows = db.session.execute(
        select(_T.c.template, _T.c.created_at, _T.c.failed_at, _T.c.attempts, _T.c.last_error)
        .where(_T.c.state == MailState.FAILED)
        .order_by(_T.c.failed_at.desc(), _T.c.id.desc())
        .limit(limit)
    ).all()
    return total or 0, [FailedMail(*row) for row in rows]


def waiting_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(_T)
        .where(_T.c.state.in_([MailState.QUEUED, MailState.SENDING]))
    )
