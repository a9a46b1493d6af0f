"""With Redis (``REDIS_URL``), one mail sender at a time for the whole shop: the sender lease.

Without it, every worker of every server runs a sender (``jomso.mail_sender``) and they share
the queue through the claims on its rows (``jomso.mail_delivery``): no message goes twice, but
with several servers as many senders race for each message, each with its own connection to
the mail server, polling the database. With Redis a run of ``deliver_due`` first takes the
lease, a Redis key holding its random token for ``seconds`` (renewed before each message), and
delivers only while it holds it; a run that finds the lease taken does nothing and returns at
once. Mail then goes out over one connection, oldest first, and the claims remain the guarantee
that a message is never sent twice, should a lease ever run out under a stuck sender.

No message waits for the next poll because of the lease: a run that finds it taken also sets
``jomso:mail-sender:again``, and the holder, when it has sent everything, gives the lease up
only if that flag is not set; if it is, it clears it and looks at the queue again. Both steps
are one Redis script each, so no request can slip between them. A holder that dies leaves the
lease to run out (``seconds``, a minute by default); the next poll or queued mail then takes it.

When Redis does not answer, senders deliver as without it (and the failure is logged once a
minute): the claims alone keep each message to one sender.
"""

from __future__ import annotations

import secrets

import redis
from flask import Flask

from jomso.redis_store import KEY_PREFIX, redis_client, warn_unreachable

LEASE_KEY = f"{KEY_PREFIX}mail-sender"
AGAIN_KEY = f"{KEY_PREFIX}mail-sender:again"
MIN_SECONDS = 30

# KEYS: lease, again; ARGV: token, milliseconds. 1: taken; 0: held by another, told to look again.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('DEL', KEYS[2])
  return 1
end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 0
"""
# KEYS: lease; ARGV: token, milliseconds. 1: still ours, for another term; 0: lost.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS: lease, again; ARGV: token, milliseconds. 1: given up (or already lost); 0: kept, because
# another run asked for a look again meanwhile.
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 1 end
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
redis.call('DEL', KEYS[1])
return 1
"""
# KEYS: lease; ARGV: token. Give it up whatever is waiting (the run was stopped or failed).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class SenderLease:
    """One run's hold on the lease. ``acquire`` first; then ``renew`` before each message,
    ``finish`` when the queue looks empty, ``release`` when stopping early.

    When Redis fails, the run goes on as without Redis (``unchecked``): it delivers, and the
    claims keep each message to one sender."""

    def __init__(self, client: redis.Redis, seconds: float) -> None:
        self.client = client
        self.milliseconds = int(seconds * 1000)
        self.token = secrets.token_hex(16)
        self.held = False
        self.unchecked = False

    def _run(self, script: str, keys: list[str], *args) -> int:
        return int(self.client.register_script(script)(keys=keys, args=[self.token, *args]))

    def _failed(self, error: Exception) -> None:
        warn_unreachable("mail is sent without the sender lease", error)
        self.unchecked = True

    def acquire(self) -> bool:
        """Take the lease (True), or tell its holder to look at the queue again (False)."""
        try:
            self.held = self._run(_ACQUIRE, [LEASE_KEY, AGAIN_KEY], self.milliseconds) == 1
        except redis.RedisError as error:
            self._failed(error)
        return self.held or self.unchecked

    def renew(self) -> bool:
        """Hold the lease for another term; False when it ran out and another run took it."""
        if self.unchecked:
            return True
        if not self.held:
            return False
        try:
            self.held = self._run(_RENEW, [LEASE_KEY], self.milliseconds) == 1
        except redis.RedisError as error:
            self._failed(error)
        return self.held or self.unchecked

    def finish(self) -> bool:
        """Give the lease up (True), unless another run asked for a look again (False: the
        lease is kept for another term)."""
        if not self.held:
            return True
        try:
            finished = self._run(_FINISH, [LEASE_KEY, AGAIN_KEY], self.milliseconds) == 1
        except redis.RedisError as error:
            self._failed(error)
            finished = True
        self.held = not finished
        return finished

    def release(self) -> None:
        """Give the lease up now, if this run still holds it."""
        if not self.held:
            return
        self.held = False
        try:
            self._run(_RELEASE, [LEASE_KEY])
        except redis.RedisError as error:
            self._failed(error)


def lease_seconds(config) -> float:
    """Long enough for one message whose every step waits ``MAIL_TIMEOUT`` (connect, hello,
    TLS, login, send): six times it, and at least ``MIN_SECONDS``."""
    return max(float(MIN_SECONDS), 6 * float(config["MAIL_TIMEOUT"]))


def sender_lease(app: Flask) -> SenderLease | None:
    """A new hold on the lease for one run, or None without ``REDIS_URL``."""
    client = redis_client(app)
    if client is None:
        return None
    return SenderLease(client, lease_seconds(app.config))
