"""PostgreSQL gone in the middle of a bulk claim upload (issue 11, "Faults").

The server is not restarted (others share it): the request's own backend is terminated with
pg_terminate_backend from the test's connection while the request holds its transaction open, the
claims of the batch already inserted in it. That is what a restart does to every open connection.
The client must get an error and no row, or the full result; sending the batch again completes it.
"""

import threading
from unittest import mock

import pytest
import requests
from django.db import connection

from accounts.services import api_key_create
from insurance.models import Claim, ClaimStatusChange
from insurance.services.claims import writes
from tests.insurance.test_claims_api import BULK, item, world  # noqa: F401 (the claims API's world)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BATCH = 20


class PausedInTransaction:
    """Wraps the audit insert of the new claims: the request thread notes its backend's pid, says it
    is inside the transaction (its claims inserted) and waits until the test has cut it off."""

    def __init__(self):
        self.inside, self.resume, self.pid = threading.Event(), threading.Event(), None

    def __call__(self, **kwargs):
        with connection.cursor() as cursor:  # the request thread's own connection
            cursor.execute("SELECT pg_backend_pid()")
            [self.pid] = cursor.fetchone()
        self.inside.set()
        self.resume.wait(timeout=20)
        return original_log_bulk(**kwargs)


original_log_bulk = writes.log_bulk


def post_batch(live_server, raw_key: str, items: list[dict]) -> requests.Response:
    return requests.post(
        live_server.url + BULK,
        json={"claims": items},
        headers={"Authorization": f"Api-Key {raw_key}"},
        timeout=30,
    )


def backend_state(pid: int) -> tuple[str, bool] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, xact_start IS NOT NULL FROM pg_stat_activity WHERE pid = %s AND datname = %s",
            [pid, connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()


def test_a_batch_cut_off_by_the_database_is_refused_whole_and_completes_when_sent_again(
    world,  # noqa: F811 (the fixture imported above)
    live_server,
):
    _key, raw_key = api_key_create(organisation=world.orgs["insurer_a"], name="断线重发")
    items = [item(world, f"F-{n:03d}") for n in range(BATCH)]
    pause, answer = PausedInTransaction(), {}

    with mock.patch.object(writes, "log_bulk", pause):
        request = threading.Thread(target=lambda: answer.update(r=post_batch(live_server, raw_key, items)))
        request.start()
        assert pause.inside.wait(timeout=20), "the request never reached the claims' insert"
        # the request's backend is in its transaction, the batch's claims inserted but not committed
        assert backend_state(pause.pid) == ("idle in transaction", True)
        assert Claim.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pause.pid])
            assert cursor.fetchone() == (True,)
        pause.resume.set()
        request.join(timeout=30)

    response = answer["r"]
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Retry-After"] == "10"
    assert response.json() == {"detail": "数据库暂时不可用，请求未能完成，请稍后重新发送。"}
    assert Claim.objects.count() == 0 and ClaimStatusChange.objects.count() == 0  # no partial write

    again = post_batch(live_server, raw_key, items)
    assert again.status_code == 200
    assert again.json()["counts"] == {"created": BATCH, "updated": 0, "unchanged": 0, "refused": 0}
    once_more = post_batch(live_server, raw_key, items)
    assert once_more.json()["counts"] == {"created": 0, "updated": 0, "unchanged": BATCH, "refused": 0}
    assert Claim.objects.count() == BATCH and ClaimStatusChange.objects.count() == BATCH
    assert sorted(Claim.objects.values_list("claim_number", flat=True)) == [i["claim_number"] for i in items]
