"""Django's Redis cache, tolerant of Redis being down (docs/decisions/0016).

The cache holds nothing that must not be lost: the API's rate limits count on it. With Redis down a
read answers as a miss and a write is dropped, each logged, so pages and the API keep serving
(rate limits are not enforced meanwhile) instead of every request failing on the cache.
"""

import logging

from django.core.cache.backends.redis import RedisCache
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


class TolerantRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis cannot be reached."""

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
