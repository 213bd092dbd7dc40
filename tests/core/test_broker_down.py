"""Redis down (issue 11, "Faults"; docs/decisions/0016): pages and the API serve, and a task that
could not be enqueued is kept in the outbox until the broker is back, then sent once.

Redis is "down" by pointing the broker and the cache at a port where nothing listens.
"""

import io
import logging
import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Notice
from core.models import TaskOutbox
from core.outbox import outbox_drain
from maintenance.models import Hazard
from tests.accounts.test_notice_worker import wait_until
from tests.maintenance.conftest_hazards import make_cast
from tests.maintenance.test_hazards_api import HAZARDS, SERIOUS, item
from tests.utils.celery import CLOSED_BROKER, own_queue, through_broker
from tests.utils.clients import browser, session, with_key

NOTIFY = "maintenance.tasks.notify_regulators_of_hazard"


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def redis_down(settings, _celery_in_process):
    """The broker and the cache at a closed port, as a deployment sees them when Redis is gone."""
    settings.CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": CLOSED_BROKER}}
    with through_broker(CLOSED_BROKER) as app:
        yield app


def report_serious_hazard(cast, capture) -> tuple:
    client = with_key(cast.world, "maint")
    with capture(execute=True):  # the enqueue runs after the commit, as in production
        response = client.post(HAZARDS, item(cast.fan, "YH-DOWN", **SERIOUS), format="json")
    return client, response


def notified(cast) -> list[str]:
    """The organisations (world keys) that got a notice: the city and 樊城区's regulators."""
    keys = {org.pk: key for key, org in cast.world.orgs.items()}
    return sorted(keys[n.recipient_organisation_id] for n in Notice.objects.all())


@pytest.mark.django_db
def test_with_redis_down_pages_and_api_serve_and_the_notification_is_kept_then_sent_once(
    cast, redis_down, django_capture_on_commit_callbacks
):
    client, response = report_serious_hazard(cast, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content
    hazard = Hazard.objects.get(hazard_number="YH-DOWN")
    [kept] = TaskOutbox.objects.all()
    assert (kept.task, kept.args, kept.kwargs, kept.attempts) == (NOTIFY, [hazard.pk], {}, 0)
    assert "6390" in kept.last_error
    assert Notice.objects.count() == 0
    # reads serve as usual, through a cache that answers every read as a miss
    assert client.get(HAZARDS).status_code == 200
    assert client.get(f"{HAZARDS}{hazard.pk}/").status_code == 200
    pages = browser(cast.world, "maint")
    assert pages.get(reverse("hazard-list")).status_code == 200
    assert pages.get(reverse("hazard-detail", args=[hazard.pk])).status_code == 200

    # the beat's drain while Redis is still down: the task stays, its attempt noted
    assert outbox_drain() == 0
    kept.refresh_from_db()
    assert kept.attempts == 1 and "6390" in kept.last_error

    # the broker is back (here: tasks in-process, as without REDIS_URL): sent once, then gone
    redis_down.conf.task_always_eager = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("drain_task_outbox", stdout=(out := io.StringIO()))
    assert out.getvalue() == "sent 1, left 0\n"
    assert TaskOutbox.objects.count() == 0
    assert notified(cast) == ["city", "district"] and len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_drain() == 0
    assert notified(cast) == ["city", "district"] and len(mail.outbox) == 2


def test_enqueueing_gives_up_within_seconds_when_the_broker_is_down(settings):
    """What bounds the wait of an enqueue against a dead Redis (connection refused costs nothing,
    a host that does not answer at most the connect timeout, per try)."""
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert (options["socket_connect_timeout"], options["socket_timeout"]) == (2, 5)
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] == 1
    # the result backend's subscription, made at each enqueue, retries ~20 s by default
    assert settings.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["retry_policy"]["max_retries"] == 1
    assert settings.CELERY_REDIS_SOCKET_CONNECT_TIMEOUT == 2


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_kept_task_goes_through_the_real_broker_once_it_is_back(
    cast, redis_down, django_capture_on_commit_callbacks
):
    _client, response = report_serious_hazard(cast, django_capture_on_commit_callbacks)
    assert response.status_code == 201
    assert TaskOutbox.objects.count() == 1
    queue = own_queue()
    with through_broker(os.environ["REDIS_URL"], queue=queue) as app:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10, queues=[queue]):
            app.tasks["core.tasks.drain_task_outbox"].delay()  # what the beat sends every minute
            assert wait_until(
                lambda: Notice.objects.filter(emailed_at__isnull=False).count() == 2, timeout=30
            )
    assert TaskOutbox.objects.count() == 0 and notified(cast) == ["city", "district"]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_with_redis_down_the_rate_limit_serves_and_counts_nothing(world, settings, caplog):
    """The API's rate limit counts on Redis (decision 0024): down, requests are served uncounted."""
    settings.CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": CLOSED_BROKER}}
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "user": "1/min"},
    }
    client = session(world, "district")
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert [client.get("/api/v1/elevators/").status_code for _ in range(3)] == [200, 200, 200]
    assert "sliding_log skipped" in caplog.text
