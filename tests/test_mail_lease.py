"""The mail sender's lease in Redis (REDIS_URL, jomso/mail_lease.py): one sender at a time for
the whole shop, the others leave the queue to it and it looks again for what they saw queued;
a lease left by a dead sender runs out; without an answer from Redis mail goes as without it.

A real Redis server (tests/services.py) and a real SMTP server (aiosmtpd, as in test_mail)."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import select

from jomso import redis_store
from jomso.extensions import db
from jomso.mail import OutgoingMail, send_mail
from jomso.mail_delivery import deliver_due
from jomso.mail_lease import AGAIN_KEY, LEASE_KEY, SenderLease, lease_seconds, sender_lease
from jomso.redis_store import close_client, redis_client
from tests import test_mail
from tests.services import free_port

smtp_server = test_mail.smtp_server  # the real SMTP server fixture


class CountingSMTP(test_mail.SMTPRecorder):
    """Also counts the messages being handed over at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0
        self.most = 0

    async def handle_DATA(self, server, session, envelope):
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            return await super().handle_DATA(server, session, envelope)
        finally:
            self.now -= 1


@pytest.fixture
def shop(app, redis_url):
    """The app with Redis; only the calls in the test deliver."""
    app.config.update(REDIS_URL=redis_url, MAIL_DELIVERY="cron")
    yield app
    close_client(app)


def _queue(app, *addresses: str) -> None:
    with app.test_request_context():
        for address in addresses:
            send_mail(address, "Hello", "account_deleted")
        db.session.commit()


def _states(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutgoingMail.state).order_by(OutgoingMail.id)))


def test_only_the_holder_delivers_and_looks_again_for_mail_queued_meanwhile(shop, smtp_server):
    holder = sender_lease(shop)
    assert holder.acquire()
    _queue(shop, "ann@example.com")
    with shop.app_context():
        report = deliver_due()  # another sender: leaves it to the holder, and tells it
    assert (report.deferred, report.sent) == (True, 0)
    assert _states(shop) == ["queued"]
    assert not holder.finish()  # asked to look again: the lease is kept
    assert holder.finish()  # nothing asked since: given up
    with shop.app_context():
        assert deliver_due().sent == 1
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ann@example.com"]]
    assert redis_client(shop).exists(LEASE_KEY, AGAIN_KEY) == 0


def test_senders_at_once_deliver_one_at_a_time_and_each_message_once(shop):
    recorder = CountingSMTP()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    shop.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    addresses = [f"customer{n}@example.com" for n in range(30)]
    _queue(shop, *addresses[:20])
    recorder.release.clear()  # the first message waits in DATA until the others have come
    reports = []

    def sender(start: threading.Barrier):
        start.wait()
        with shop.app_context():
            reports.append(deliver_due())

    start = threading.Barrier(4)
    threads = [threading.Thread(target=sender, args=(start,)) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        assert recorder.holding.wait(10)
        _queue(shop, *addresses[20:])  # queued while the holder delivers, by a fifth sender
        threads.append(threading.Thread(target=sender, args=(threading.Barrier(1),)))
        threads[-1].start()
        deadline = time.monotonic() + 8
        while len(reports) < 4 and time.monotonic() < deadline:  # all but the holder are back
            time.sleep(0.01)
        recorder.release.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        recorder.release.set()
        controller.stop()
    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == sorted(addresses)  # each once
    assert recorder.most == 1  # one sender at a time
    assert sorted(r.sent for r in reports) == [0, 0, 0, 0, 30]  # the holder sent them all
    assert sum(r.deferred for r in reports) == 4  # the others left the queue to it at once
    assert set(_states(shop)) == {"sent"}


def test_a_lease_left_by_a_dead_sender_runs_out(shop, smtp_server):
    dead = SenderLease(redis_client(shop), seconds=0.3)
    assert dead.acquire()  # and never gives it up
    _queue(shop, "ann@example.com")
    with shop.app_context():
        assert deliver_due().deferred
        time.sleep(0.4)
        assert deliver_due().sent == 1
    assert not dead.renew()  # it ran out, and another run has had it since


def test_a_sender_whose_lease_ran_out_stops_before_the_next_message(shop):
    client = redis_client(shop)
    first = SenderLease(client, seconds=60)
    assert first.acquire()
    client.delete(LEASE_KEY)  # as if it had run out
    second = SenderLease(client, seconds=60)
    assert second.acquire()
    assert not first.renew()
    first.release()  # gives up nothing that is not its own
    assert client.get(LEASE_KEY) == second.token.encode()
    assert second.finish()


def test_the_lease_outlasts_a_message_that_waits_on_every_step(shop):
    assert lease_seconds({"MAIL_TIMEOUT": 10}) == 60
    assert lease_seconds({"MAIL_TIMEOUT": 2}) == 30
    lease = sender_lease(shop)
    assert lease.acquire()
    assert 0 < redis_client(shop).pttl(LEASE_KEY) <= lease_seconds(shop.config) * 1000
    lease.release()
    assert redis_client(shop).exists(LEASE_KEY) == 0


def test_send_mail_says_when_another_sender_delivers(shop):
    holder = sender_lease(shop)
    assert holder.acquire()
    _queue(shop, "ann@example.com")
    result = shop.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "Another sender is delivering" in result.output
    assert "Sent 0, to try again 0, given up 0; 1 waiting" in result.output
    holder.release()


def test_without_an_answer_from_redis_mail_goes_as_without_it(
    app, smtp_server, caplog, monkeypatch
):
    monkeypatch.setattr(redis_store, "_last_warning", None)  # said once a minute: say it now
    app.config.update(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", MAIL_DELIVERY="cron")
    _queue(app, "ann@example.com", "bea@example.com")
    with caplog.at_level(logging.WARNING, logger="jomso.redis_store"), app.app_context():
        assert deliver_due().sent == 2
    assert "Redis did not answer, mail is sent without the sender lease" in caplog.text
    assert len(smtp_server.messages) == 2
    close_client(app)


def test_without_redis_no_lease_is_taken(app, redis_url):
    assert sender_lease(app) is None
    _queue(app, "ann@example.com")  # delivered after the commit, as always under TESTING
    assert _states(app) == ["sent"]
    assert redis.Redis.from_url(redis_url).keys("*") == []
