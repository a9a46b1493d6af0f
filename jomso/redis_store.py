"""Redis, for a shop served by several app servers (``REDIS_URL``, e.g. ``redis://host:6379/0``).

What the servers must share beyond the database lives there: the rate-limit counters (through
the ``limits`` library's own client, ``jomso.ratelimits``), the page cache
(``jomso.catalog.shared_pages``) and the mail sender's lease (``jomso.mail_lease``). Without
``REDIS_URL`` nothing here is used: the counters are in a file every worker of the machine
shares, each worker keeps its own pages, and every worker's sender may deliver.

One client per app and process (redis-py's pool opens its connections anew after a fork). Keys
start with ``jomso:``; shops sharing a Redis server each take their own database number.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from flask import Flask

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "jomso:"
# A Redis that stops answering costs a request at most twice this long (one try again, for a
# connection Redis closed): the page cache and the mail lease then go on without it, a rate
# limit answers an error. Redis answers a shop in a millisecond.
TIMEOUT_SECONDS = 2.0
TRIES_AGAIN = 1
WARN_EVERY_SECONDS = 60.0
_EXTENSION = "jomso.redis"
_last_warning: float | None = None


def redis_client(app: Flask) -> redis.Redis | None:
    """The app's Redis client, or None without ``REDIS_URL``."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = app.extensions.get(_EXTENSION)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, health_check_interval=30, **client_options())
        client = app.extensions.setdefault(_EXTENSION, client)
    return client


def client_options() -> dict:
    """Timeouts and tries for a client of the shop's Redis (redis-py's defaults would wait
    without end, then try again ten times)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {
        "socket_timeout": TIMEOUT_SECONDS,
        "socket_connect_timeout": TIMEOUT_SECONDS,
        "retry": Retry(NoBackoff(), TRIES_AGAIN),
    }


def close_client(app: Flask) -> None:
    """Close the app's connections to Redis (tests that make many apps; shutdown)."""
    client = app.extensions.pop(_EXTENSION, None)
    if client is not None:
        client.close()


def limits_uri(url: str) -> str:
    """``REDIS_URL`` as the ``limits`` library names the same server (a socket is
    ``redis+unix://`` there, ``unix://`` for redis-py)."""
    scheme, rest = url.split("://", 1)
    return f"redis+unix://{rest}" if scheme == "unix" else url


def safe_url(url: str) -> str:
    """The URL without its password, for logs and the operator."""
    parts = urlsplit(url)
    hosts = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, hosts, parts.path, "", ""))


def warn_unreachable(what: str, error: Exception) -> None:
    """Log that Redis failed, at most once a minute per process (it fails for every request
    while it is down)."""
    global _last_warning
    now = time.monotonic()
    if _last_warning is None or now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        log.warning("Redis did not answer, %s: %s", what, type(error).__name__)
