"""The page cache's pages in Redis (``REDIS_URL``), shared by every worker of every app server.

A page made by one worker is served by all the others, and a catalog change shows on all of
them at once: a page is stored with the catalog revision it was made at, and served only while
that is the current revision, which every worker reads from the shared database (see
``page_cache``). Same rules as the in-process store: one Redis hash, ``jomso:pages``, one field
per page (a digest of its key), at most ``MAX_PAGES`` of them (a full hash is emptied before
the next page goes in), a page overwritten by the next one made for its key. The hash expires a
day after its last page was stored, so a shop that stops leaves nothing behind for long.

Values are JSON, never pickles: whoever can write to the Redis server cannot make the shop run
code. When Redis does not answer, the page is made as if it were not cached (and the failure
logged once a minute): the storefront keeps working without it.
"""

from __future__ import annotations

import hashlib
import json

import redis

from jomso.redis_store import KEY_PREFIX, warn_unreachable

PAGES_KEY = f"{KEY_PREFIX}pages"
KEEP_SECONDS = 24 * 3600

# Empty the hash when it is full, then store the page and push its expiry back.
_PUT = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


class SharedPages:
    """The page store in Redis; the same methods as the in-process ``page_cache._Pages``."""

    def __init__(self, client: redis.Redis, max_pages: int) -> None:
        self.client = client
        self.max_pages = max_pages
        self._put = client.register_script(_PUT)

    @staticmethod
    def _field(key: tuple) -> str:
        return hashlib.sha256(json.dumps(key).encode()).hexdigest()

    def get(self, key: tuple, revision: int) -> tuple[str, dict] | None:
        try:
            value = self.client.hget(PAGES_KEY, self._field(key))
        except redis.RedisError as error:
            warn_unreachable("pages are made without the cache", error)
            return None
        if value is None:
            return None
        stored_revision, html, g_values = json.loads(value)
        if stored_revision != revision:
            return None
        return html, g_values

    def put(self, key: tuple, revision: int, html: str, g_values: dict) -> None:
        value = json.dumps([revision, html, g_values])
        try:
            self._put(
                keys=[PAGES_KEY], args=[self._field(key), value, self.max_pages, KEEP_SECONDS]
            )
        except redis.RedisError as error:
            warn_unreachable("pages are made without the cache", error)

    def clear(self) -> None:
        self.client.delete(PAGES_KEY)
