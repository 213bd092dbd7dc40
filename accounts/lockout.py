"""Lock-out after repeated password failures (django-axes), and the page that says so.

Two locks, as settings.AXES_LOCKOUT_PARAMETERS lists them: a username from one address is locked
after LOGIN_FAILURE_LIMIT failures (AXES_FAILURE_LIMIT); a username from every address together
after LOGIN_USERNAME_FAILURE_LIMIT, a higher ceiling, so that a stranger who knows a username cannot
lock its owner out from their own address, while guessing spread over many addresses still stops.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

LOCKED_OUT_TEMPLATE = "registration/locked_out.html"


@dataclass(frozen=True)
class Lock:
    """Which lock holds and until when."""

    scope: str  # "address": this username from this address; "username": from every address
    until: datetime | None  # None: no cool-off configured (until an administrator unlocks)

    @property
    def minutes_left(self) -> int | None:
        if self.until is None:
            return None
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PortalLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with the two ceilings above.

    axes compares one figure with one limit (AXES_FAILURE_LIMIT) wherever it decides; the figure
    here is the failures of this username from this address, raised to that limit once the
    username's failures from every address reach LOGIN_USERNAME_FAILURE_LIMIT.
    """

    def _attempts(self, request, credentials):
        from_this_address, from_everywhere = self.get_user_attempts(request, credentials)
        return from_this_address, from_everywhere

    def get_failures(self, request, credentials=None) -> int:
        from_this_address, from_everywhere = self._attempts(request, credentials)
        failures = _failures(from_this_address)
        if _failures(from_everywhere) >= settings.LOGIN_USERNAME_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def lock_of(self, request, credentials=None) -> Lock:
        """The lock that holds for this request (the wider one if both do)."""
        from_this_address, from_everywhere = self._attempts(request, credentials)
        wide = _failures(from_everywhere) >= settings.LOGIN_USERNAME_FAILURE_LIMIT
        attempts = from_everywhere if wide else from_this_address
        cool_off = get_cool_off(request)
        latest = attempts.aggregate(latest=Max("attempt_time"))["latest"]
        until = latest + cool_off if cool_off and latest else None
        return Lock(scope="username" if wide else "address", until=until)


def locked_out(request, original_response=None, credentials=None):
    """The login page's answer to a locked-out attempt (status 429): which lock, for how long."""
    lock = PortalLockoutHandler().lock_of(request, credentials)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": (
            settings.LOGIN_USERNAME_FAILURE_LIMIT if lock.scope == "username" else settings.AXES_FAILURE_LIMIT
        ),
        "lock": lock,
        "until": timezone.localtime(lock.until) if lock.until else None,
    }
    return render(request, LOCKED_OUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
