"""API rate limits (issue 8, section 6): per API key or user, per anonymous address, for quotes, and
for wrong API keys per address; a spent budget is a 429 with Retry-After. The suite's own rates are
out of reach (tests/conftest.py); these tests lower them. Each runs on the cache in memory and on
Redis (REDIS_URL, keys of the test's own prefix), where a request is counted in one round trip."""

import re
import uuid

import pytest
import redis
from rest_framework.test import APIClient

from core.api.throttles import CallerRateThrottle
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

ELEVATORS = "/api/v1/elevators/"


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"tibao-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


@pytest.fixture(autouse=True, params=["memory", "redis"])
def kind_of_cache(request, settings, _api_rates_out_of_reach):
    """The cache in memory (tests/conftest.py), or Redis with keys of this test's own."""
    if request.param == "redis":
        location = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
        settings.CACHES = redis_cache(location)
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        yield request.param
        with redis.Redis.from_url(location) as client:
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)
    else:
        yield request.param


@pytest.fixture
def rates(settings):
    """Lower the API's rates for one test: rates(user="3/min")."""

    def lower(**scopes):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **scopes},
        }

    return lower


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) > 0
    if response["Content-Type"] == "application/json":
        assert re.fullmatch(r"请求已被限流。 预计 \d+ 秒后可用。", response.json()["detail"])


def test_the_settings_name_every_rate():
    from django.conf import settings

    assert set(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) == {"user", "anon", "quotes"}


def test_an_api_key_spends_its_own_budget(world, rates):
    rates(user="3/min")
    client = with_key(world, "city")
    for _ in range(3):
        assert client.get(ELEVATORS).status_code == 200
    assert_throttled(client.get(ELEVATORS))
    # another organisation's key, and the city's own browser session, have budgets of their own
    assert with_key(world, "district").get(ELEVATORS).status_code == 200
    assert session(world, "city").get(ELEVATORS).status_code == 200


def test_a_browser_session_spends_its_users_budget(world, rates):
    rates(user="2/min")
    client = session(world, "district")
    assert [client.get(ELEVATORS).status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get(ELEVATORS))


def test_quotes_have_a_budget_of_their_own(world, rates):
    rates(quotes="2/min")
    client = with_key(world, "pm_fancheng")
    body = {"product_code": "NONE", "elevators": ["311042001201500001"], "start_date": "2026-07-01"}
    assert [client.post("/api/v1/quotes/", body, format="json").status_code for _ in range(2)] == [400, 400]
    assert_throttled(client.post("/api/v1/quotes/", body, format="json"))
    assert client.get(ELEVATORS).status_code == 200  # reading is not pricing


def test_wrong_api_keys_are_throttled_per_address(world, rates):
    rates(anon="3/min")
    guesser = APIClient(REMOTE_ADDR="203.0.113.7")
    guesser.credentials(HTTP_AUTHORIZATION="Api-Key wrong.key")
    assert [guesser.get(ELEVATORS).status_code for _ in range(3)] == [401, 401, 401]
    assert_throttled(guesser.get(ELEVATORS))
    # until the budget refills no key is tried from that address (a right one neither: guessing
    # must not go on); other addresses are answered as before
    right = with_key(world, "city")
    right.defaults["REMOTE_ADDR"] = "203.0.113.7"
    assert_throttled(right.get(ELEVATORS))
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.9")
    elsewhere.credentials(HTTP_AUTHORIZATION="Api-Key wrong.key")
    assert elsewhere.get(ELEVATORS).status_code == 401


def test_right_keys_do_not_spend_the_wrong_key_budget(world, rates):
    rates(anon="2/min")
    client = with_key(world, "city")
    assert all(client.get(ELEVATORS).status_code == 200 for _ in range(5))


def test_a_client_cannot_pick_its_address_with_x_forwarded_for(world, rates):
    rates(anon="2/min")
    for n in range(2):
        guesser = APIClient(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        guesser.credentials(HTTP_AUTHORIZATION="Api-Key wrong.key")
        assert guesser.get(ELEVATORS).status_code == 401
    guesser = APIClient(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.0.0.99")
    guesser.credentials(HTTP_AUTHORIZATION="Api-Key wrong.key")
    assert_throttled(guesser.get(ELEVATORS))


def test_anonymous_callers_are_throttled_per_address(rates):
    rates(anon="2/min")
    client = APIClient(REMOTE_ADDR="203.0.113.8")
    assert [client.get("/api/docs/").status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get("/api/docs/"))
    assert APIClient(REMOTE_ADDR="203.0.113.9").get("/api/docs/").status_code == 200


def test_the_suite_runs_far_below_its_rates(world):
    client = with_key(world, "city")
    assert all(client.get(ELEVATORS).status_code == 200 for _ in range(30))


def test_the_window_slides_as_drfs_and_retry_after_is_drfs(world, rates, monkeypatch):
    """Requests at 0, 10, 20 s of a 3/min budget: refused at 30 s for 30 s (the oldest leaves the
    window at 60 s), and at 50 s for 10 s; allowed at 60 s, refused again at 61 s, and so on."""
    rates(user="3/min")
    request = APIClient().get(ELEVATORS).wsgi_request
    request.user = world.users["city"]
    clock = {"now": 1_000_000.0}
    monkeypatch.setattr(CallerRateThrottle, "timer", lambda self: clock["now"])
    answers = []
    for moment in (0, 10, 20, 30, 50, 60, 61, 70, 79.5, 80.5):
        clock["now"] = 1_000_000.0 + moment
        throttle = CallerRateThrottle()
        allowed = throttle.allow_request(request, None)
        answers.append((moment, allowed, None if allowed else throttle.wait()))
    assert answers == [
        (0, True, None),
        (10, True, None),
        (20, True, None),
        (30, False, 30.0),
        (50, False, 10.0),
        (60, True, None),
        (61, False, 9.0),
        (70, True, None),
        (79.5, False, 0.5),
        (80.5, True, None),
    ]
