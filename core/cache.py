"""Django's Redis cache, tolerant of Redis being down (docs/decisions/0016).

The cache holds nothing that must not be lost: the API's rate limits count on it. With Redis down a
read answers as a miss and a write is dropped, each logged, so pages and the API keep serving
(rate limits are not enforced meanwhile) instead of every request failing on the cache.

`sliding_log` is a rate limit's log of request times kept in Redis itself (a sorted set, one script
run per request): the API's throttles asked for the whole list and stored it back, two round trips
and the list pickled both ways on every request (core.api.throttles).
"""

import logging
import secrets

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


def _tolerant(name: str, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except REDIS_DOWN as exc:
            logger.warning("cache unavailable, %s skipped: %s", name, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


# KEYS[1]: a caller's request times (a sorted set scored by time); ARGV: now, the window in seconds,
# the requests allowed in it, a member name for now. Drops the times at or before now - window (as
# DRF's SimpleRateThrottle does); when fewer than allowed remain, adds now and answers {1, count};
# else answers {0, count, oldest time kept} without adding now.
SLIDING_LOG = """
local now, window, allowed = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= allowed then
  return {0, count, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(window))
return {1, count}
"""


class ReusedClients(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool: it made a new
    one for every cache call (about 90 µs here, its response callbacks built each time)."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:  # the pools live as long as this object
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class TolerantRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis cannot be reached."""

    _sliding_log_script = None

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients

    def sliding_log(
        self, key: str, *, now: float, window: float, allowed: int
    ) -> tuple[bool, int, float | None]:
        """Count a request at `now` against `allowed` per `window` seconds under `key`, in one round
        trip: (whether it is allowed and was counted, the requests already in the window, the oldest
        of them when refused). Redis down: allowed, uncounted, logged (decision 0016)."""
        try:
            client = self._cache.get_client(key, write=True)
            if self._sliding_log_script is None:
                self._sliding_log_script = client.register_script(SLIDING_LOG)
            answer = self._sliding_log_script(
                keys=[self.make_and_validate_key(f"{key}:times")],  # not a key get/set ever held
                args=[repr(now), repr(float(window)), allowed, f"{now!r}-{secrets.token_hex(4)}"],
                client=client,
            )
        except REDIS_DOWN as exc:
            logger.warning("cache unavailable, sliding_log skipped: %s", exc)
            return True, 0, None
        if answer[0] == 1:
            return True, answer[1], None
        return False, answer[1], float(answer[2])

    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", lambda keys, version=None: {})
    has_key = _tolerant("has_key", False)
    set = _tolerant("set", None)
    add = _tolerant("add", False)
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    set_many = _tolerant("set_many", lambda data, *args, **kwargs: list(data))
    delete_many = _tolerant("delete_many", None)
    clear = _tolerant("clear", None)
