"""The page cache's pages in Redis (``REDIS_URL``), shared by every worker of every app server.

A page made by one worker is served by all the others, and a catalog change shows on all of
them at once: a page is stored with the catalog revision it was made at, and served only while
that is the current revision, which every worker reads from the shared database (see
``page_cache``). Same rules as the in-process store: one Redis hash, ``jomso:pages``, one field
per page (a digest of its key), at most ``PAGE_CACHE_MAX_PAGES`` of them, a page overwritten by
the next one made for its key. A sorted set, ``jomso:pages:used``, ranks the pages by when they
were last served (a counter, ``jomso:pages:clock``): a full hash drops its least recently used
page before the next goes in. Their bytes are bounded by the count here, and by Redis's own
``maxmemory``. The keys expire a day after the last page was stored, so a shop that stops
leaves nothing behind for long.

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
USED_KEY = f"{KEY_PREFIX}pages:used"
CLOCK_KEY = f"{KEY_PREFIX}pages:clock"
KEEP_SECONDS = 24 * 3600

# A page, and the mark that it was just used.
_GET = """
local page = redis.call('HGET', KEYS[1], ARGV[1])
if page then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1]) end
return page
"""
# Drop the least recently used pages while the hash is full, store the page, mark it used and
# push the keys' expiry back.
_PUT = """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local over = redis.call('HLEN', KEYS[1]) - tonumber(ARGV[3]) + 1
if over > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #oldest, 2 do redis.call('HDEL', KEYS[1], oldest[i]) end
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
    redis.call('DEL', KEYS[1], KEYS[2])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return 1
"""
_KEYS = [PAGES_KEY, USED_KEY, CLOCK_KEY]


class SharedPages:
    """The page store in Redis; the same methods as the in-process ``page_cache._Pages``."""

    def __init__(self, client: redis.Redis, max_pages: int) -> None:
        self.client = client
        self.max_pages = max_pages
        self._get = client.register_script(_GET)
        self._put = client.register_script(_PUT)

    @staticmethod
    def _field(key: tuple) -> str:
        return hashlib.sha256(json.dumps(key).encode()).hexdigest()

    def get(self, key: tuple, revision: int) -> tuple[str, dict] | None:
        try:
            value = self._get(keys=_KEYS, args=[self._field(key)])
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
            self._put(keys=_KEYS, args=[self._field(key), value, self.max_pages, KEEP_SECONDS])
        except redis.RedisError as error:
            warn_unreachable("pages are made without the cache", error)

    def clear(self) -> None:
        self.client.delete(*_KEYS)
