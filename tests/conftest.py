"""Suite-wide rules for tests that need a service the embedded default does not have.

Markers (declared in pyproject.toml):
- ``postgres``: needs PostgreSQL as the default database (exclusion constraints, ...);
- ``redis``: needs a Redis broker at REDIS_URL;
- ``browser``: needs Chromium at /usr/bin/chromium.

Without the service such a test is skipped with the reason shown in the summary. With
TIBAO_REQUIRE_SERVICES=1 (set by .ci/run) every skip, whoever raised it, is a failure instead: CI
must never go green because a part of the suite quietly did not run.
"""

import os
import shutil
from functools import cache

import pytest

# The generic endpoint tests live in tests/utils: their asserts explain themselves like a test's.
pytest.register_assert_rewrite("tests.utils")

REQUIRE_SERVICES = os.environ.get("TIBAO_REQUIRE_SERVICES", "") == "1"
CHROMIUM = "/usr/bin/chromium"


@cache
def _redis_problem() -> str | None:
    """Why the Redis at REDIS_URL cannot be used, or None when it answers."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at REDIS_URL does not answer ({error})"
    return None


def _service_problem(item: pytest.Item) -> str | None:
    if item.get_closest_marker("postgres"):
        from django.db import connections

        vendor = connections["default"].vendor
        if vendor != "postgresql":
            return f"needs PostgreSQL (DATABASE_URL=postgres://...), the default database is {vendor}"
    if item.get_closest_marker("redis") and (problem := _redis_problem()):
        return f"needs Redis: {problem}"
    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    # Tests never run collectstatic: WhiteNoise's notice about the missing STATIC_ROOT is noise here.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
    if REQUIRE_SERVICES:
        # A module that skips itself at import becomes a collection error below; run the rest of the
        # suite all the same so that one CI run shows every problem (the run still fails).
        config.option.continue_on_collection_errors = True


def pytest_runtest_setup(item: pytest.Item) -> None:
    if problem := _service_problem(item):
        pytest.skip(problem)


def _as_failure(report, reason: str) -> None:
    report.outcome = "failed"
    report.longrepr = f"Skipped, but TIBAO_REQUIRE_SERVICES=1 allows no skips: {reason}"


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: reason")
        longrepr = longrepr[2]
    return str(longrepr).removeprefix("Skipped: ")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    # An expected failure (xfail) is reported as "skipped" too; it is a deliberate outcome, not a gap.
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        _as_failure(report, _skip_reason(report))


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # A module that skips itself at import (pytest.skip(..., allow_module_level=True)).
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped:
        _as_failure(report, _skip_reason(report))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Password hashing is deliberately slow; the suite hashes hundreds of test passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_optional(settings):
    """The suite signs users in with force_login; no kind must enrol a second factor unless a test
    says so (tests/accounts/test_two_factor.py), whatever DEBUG the suite runs with."""
    settings.TIBAO_2FA_REQUIRED_KINDS = []


@pytest.fixture(autouse=True)
def _api_rates_out_of_reach(settings):
    """The API's rate limits (core.api.throttles) count on the cache. Each test starts with an empty
    cache in memory (never the Redis at REDIS_URL) and rates no test reaches by accident; the tests
    of the limits themselves (tests/core/test_throttling.py) lower them."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "1000000/min"),
    }
    cache.clear()


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Tasks run in-process unless a test asks for the real broker (fixture celery_through_broker).

    With REDIS_URL set (CI), Celery would otherwise queue every task to a broker no worker reads.
    """
    from config.celery_app import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def celery_through_broker(_celery_in_process):
    """Send tasks through Redis to a real worker (tests marked `redis` start one)."""
    from config.celery_app import app

    app.conf.task_always_eager = False
    yield app


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Data migrations fill the place categories; a transactional test ends with a flush that
    empties them. Every test that uses the database finds them in place."""
    if request.node.get_closest_marker("django_db") is None and not DB_FIXTURES & set(request.fixturenames):
        return
    request.getfixturevalue("_django_db_helper")  # what pytest-django's own marker fixture does
    from elevators.models import PlaceCategory

    if not PlaceCategory.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("elevators.migrations.0002_place_categories").load(apps, None)


@pytest.fixture
def world():
    """One organisation of every kind with a user each (tests.utils.world). A test file that needs
    more in its world overrides this fixture and asks for it: `def world(world): ...`."""
    from tests.utils.world import make_world

    return make_world()


@pytest.fixture
def schema(db):
    """The OpenAPI schema served at /api/schema/, as JSON (built once per run)."""
    from tests.utils.api import api_schema

    return api_schema()
