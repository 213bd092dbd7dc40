"""API rate limits on Django's cache (Redis when REDIS_URL is set): per API key or user, per anonymous
address, per scope for costly actions (quotes), and per address for wrong API keys.

Rates are settings (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], from TIBAO_API_RATE_* and
TIBAO_QUOTE_RATE) and are read on each request rather than once at import as DRF's classes do, so
a deployment or a test that changes them is obeyed. A refused request is a 429 with Retry-After.

On Redis (core.cache.TolerantRedisCache) a request is counted in one round trip, by a script over a
sorted set of the caller's request times (`sliding_log`), with DRF's sliding window and its
Retry-After; on any other cache (memory: one process, the tests) DRF's list of times, read and
stored back.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def caller_ident(request) -> str | None:
    """Whose budget a request spends: its API key's, else its signed-in user's; None if anonymous."""
    api_key = getattr(request, "auth", None)
    if getattr(api_key, "pk", None) is not None:
        return f"key-{api_key.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk is not None:
        return f"user-{user.pk}"
    return None


class SettingsRateThrottle(SimpleRateThrottle):
    """A SimpleRateThrottle whose rate is looked up in the settings when it is used."""

    def __init__(self):  # DRF's reads the rate here from a dict bound at import; see get_rate
        pass

    def get_rate(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES
        if self.scope not in rates:
            raise ImproperlyConfigured(f"No API rate for the scope {self.scope!r} in DEFAULT_THROTTLE_RATES.")
        return rates[self.scope]

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        sliding_log = getattr(self.cache, "sliding_log", None)
        if sliding_log is None or self.rate is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        allowed, count, oldest = sliding_log(
            self.key, now=self.now, window=self.duration, allowed=self.num_requests
        )
        if allowed:
            return True
        # What DRF's wait() reads: as many times as counted, the oldest last.
        self.history = [oldest] * count
        return self.throttle_failure()


class CallerRateThrottle(SettingsRateThrottle):
    """Every authenticated caller: TIBAO_API_RATE_USER per API key, or per user of the browser session."""

    scope = "user"

    def get_cache_key(self, request, view):
        ident = caller_ident(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(SettingsRateThrottle):
    """Callers with no credentials: TIBAO_API_RATE_ANON per address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if caller_ident(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ActionRateThrottle(SettingsRateThrottle):
    """A costly action's own budget per caller: the view's `throttle_scope` (e.g. "quotes")."""

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = caller_ident(request) or f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WrongApiKeyThrottle(SettingsRateThrottle):
    """Wrong API keys per address, at the anonymous rate.

    A wrong key fails authentication, which DRF does before any throttle: without this, guesses
    were answered as fast as they came. The authentication asks `refuse_if_exhausted` before
    looking a key up and calls `record_failure` when the key is wrong; right keys cost nothing here.
    """

    scope = "anon"
    cache_format = "throttle_wrong_api_key_%(ident)s"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [
            moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration
        ]

    def refuse_if_exhausted(self, request) -> None:
        """Raise Throttled (a 429 with Retry-After) when this address has used up its wrong keys."""
        self._load(request)
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(wait=self.wait())

    def record_failure(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
