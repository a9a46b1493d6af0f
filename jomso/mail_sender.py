"""Who delivers queued mail, and when (``MAIL_DELIVERY``); ``jomso.mail_delivery`` delivers.

- ``thread`` (the default): every process that serves requests runs one sender thread, started
  by its first request and woken when the response of a request that committed mail has been
  sent (or by a commit outside requests in a process where it runs); it also looks every
  ``POLL_SECONDS`` for mail due again and for mail queued by commands (``reconcile-payments``,
  ``send-announcements``), which start no thread of their own.
- ``cron``: only ``flask --app app send-mail`` delivers.
- ``commit``: the thread that committed delivers, right after its commit. The default under
  TESTING, so that the outbox is final when a request returns; not for a shop, where the
  request would wait for the mail server again.

A commit "queued mail" when ``jomso.mail.send_mail`` noted it on the session; an SQLAlchemy
``after_commit`` listener acts on it, and a rollback forgets it.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from jomso.database import utcnow
from jomso.extensions import db
from jomso.mail import QUEUED_KEY, MailState, OutgoingMail
from jomso.mail_delivery import deliver_due

log = logging.getLogger(__name__)

MODES = ("thread", "cron", "commit")
POLL_SECONDS = 30.0
_EXTENSION = "jomso.mail_sender"
_WAKE_KEY = "jomso_wake_mail_sender"
_T = OutgoingMail.__table__


# -- The sender thread ------------------------------------------------------------------------


class MailSender:
    """One thread per process and app that delivers what is due, woken after commits."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()  # set while the thread waits for work
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    @property
    def running(self) -> bool:
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def ensure_started(self) -> None:
        # A forked worker (gunicorn --preload) starts its own: threads do not survive fork.
        if self.running:
            return
        with self._lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._wake = threading.Event()
            self._idle = threading.Event()
            self._wake.set()  # look at once: mail may be waiting from before
            self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
            self._thread.start()
            self._pid = os.getpid()
            _senders.add(self)

    def wake(self) -> None:
        self.ensure_started()
        self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until the thread has nothing to do (tests; a health check)."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop after the message in hand; True when the thread ended within ``timeout``."""
        thread = self._thread
        if thread is None or self._pid != os.getpid():
            return True
        self._stop.set()
        self._wake.set()
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self) -> None:
        stop, wake, idle = self._stop, self._wake, self._idle
        while not stop.is_set():
            wake.clear()
            idle.clear()
            pause = POLL_SECONDS
            try:
                with self.app.app_context():
                    deliver_due(stop=stop)
                    pause = _seconds_until_next_due(POLL_SECONDS)
            except Exception:
                log.exception("the mail sender failed; it tries again in %ds", POLL_SECONDS)
            if pause > 0:
                idle.set()
            wake.wait(pause)


def _seconds_until_next_due(limit: float) -> float:
    """Until the next retry or the end of a lease held by a sender that may have died."""
    retry = db.session.scalar(
        select(func.min(_T.c.next_attempt_at)).where(_T.c.state == MailState.QUEUED)
    )
    lease = db.session.scalar(
        select(func.min(_T.c.claimed_until)).where(_T.c.state == MailState.SENDING)
    )
    times = [t for t in (retry, lease) if t is not None]
    if not times:
        return limit
    return max(0.0, min(limit, (min(times) - utcnow()).total_seconds()))


_senders: weakref.WeakSet[MailSender] = weakref.WeakSet()


def _stop_all() -> None:
    for sender in list(_senders):
        sender.stop(timeout=5.0)


atexit.register(_stop_all)


def sender_for(app: Flask) -> MailSender:
    sender = app.extensions.get(_EXTENSION)
    if sender is None:
        sender = app.extensions.setdefault(_EXTENSION, MailSender(app))
    return sender


def stop_sender(app: Flask, timeout: float = 10.0) -> bool:
    """Stop ``app``'s sender thread in this process, if it runs (tests, shutdown)."""
    sender = app.extensions.get(_EXTENSION)
    return sender.stop(timeout) if sender is not None else True


# -- Wiring: the app and the session ----------------------------------------------------------


def delivery_mode(app: Flask) -> str:
    """The configured mode; unset, ``thread``, or ``commit`` under TESTING (as page views are
    written at once under TESTING): a test app never leaves a thread behind."""
    mode = str(app.config["MAIL_DELIVERY"] or ("commit" if app.testing else "thread"))
    mode = mode.strip().lower()
    if mode not in MODES:
        raise ValueError(f"MAIL_DELIVERY must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def init_mail(app: Flask) -> None:
    """Check the delivery mode; in ``thread`` mode the first request starts the sender (so a
    worker sends what commands queued even before it queues mail itself)."""
    delivery_mode(app)

    @app.before_request
    def _start_mail_sender():
        if delivery_mode(app) == "thread":
            sender_for(app).ensure_started()

    @app.after_request
    def _wake_after_the_response(response):
        if g.pop(_WAKE_KEY, False):
            response.call_on_close(sender_for(app).wake)
        return response

    @app.teardown_request
    def _wake_after_an_error(_exc):
        if g.pop(_WAKE_KEY, False):  # no response was made: wake now
            sender_for(app).wake()

    @app.teardown_appcontext
    def _warn_about_uncommitted_mail(_exc):
        if db.session.registry.has():
            dropped = db.session.info.pop(QUEUED_KEY, None)
            if dropped:
                log.error(
                    "mail dropped, its transaction was never committed: templates=%s",
                    ",".join(dropped),
                )


def _queued_mail_committed(app: Flask) -> None:
    """A commit made queued mail real: deliver it now, or wake this process's sender."""
    mode = delivery_mode(app)
    if mode == "commit":
        try:
            deliver_due()
        except Exception:  # the change is committed: a delivery problem must not undo the page
            log.exception("delivering mail after the commit failed; it stays queued")
    elif mode == "thread":
        sender = sender_for(app)
        if has_request_context():
            # Once the response has gone out: delivering meanwhile (in this process) would make
            # the answer slower when mail was queued, and so tell, for one, that an address has
            # an account.
            g.setdefault(_WAKE_KEY, True)
        elif sender.running:
            sender.wake()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(QUEUED_KEY, None) and has_app_context():
        _queued_mail_committed(current_app._get_current_object())


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction: its mail is gone
        session.info.pop(QUEUED_KEY, None)
