"""Schemathesis against the portal's own OpenAPI schema (/api/schema/), through the WSGI app (no
server): every operation, with an API key of every organisation kind, must answer without a 5xx
and with a response the schema describes.

The suite runs a few examples per operation within a time budget; `make fuzz` runs many more
(TIBAO_FUZZ_EXAMPLES, TIBAO_FUZZ_SECONDS).
"""

import os
import time
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.clients import with_key

EXAMPLES = int(os.environ.get("TIBAO_FUZZ_EXAMPLES", "3"))
SECONDS = float(os.environ.get("TIBAO_FUZZ_SECONDS", "60"))
CHECKS = [not_a_server_error, response_schema_conformance]
# Every kind of organisation may hold API keys (accounts.services.api_key_create): one of each.
# Found by this test and not yet fixed (owner: the app named): shown as an expected failure with the
# finding, never dropped. Remove an entry once its app is fixed.
KNOWN: set[str] = set()  # e.g. "GET /api/v1/coverage/"; the coverage and organisation findings are fixed
KINDS = ["city", "district", "housing", "finance", "nfra", "insurer_a", "pm_fancheng", "maint"]


@pytest.fixture
def connection_kept():
    """The WSGI app closes the database connection after each request, as it should in production;
    the test's transaction lives on that connection, so keep it open (as Django's test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def scene(world, connection_kept):
    """A little of everything for the generated ids and codes to find: elevators of both districts,
    maintained by `maint`, one insured by insurer_a."""
    pm = world.orgs["pm_fancheng"]
    elevators = [
        ElevatorFactory(
            user_unit=pm, owner=pm, district=world.fancheng, maintenance_company=world.orgs["maint"]
        )
        for _ in range(2)
    ]
    ElevatorFactory(district=world.xiangcheng, maintenance_company=world.orgs["maint"])
    policy(product_version(world.orgs["insurer_a"]), elevators[:1], start=date(2026, 1, 1))
    return world


def fuzzed(operation, headers: dict):
    """A Hypothesis test of one operation: EXAMPLES generated requests, each checked."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    return call


@pytest.mark.django_db
def test_every_operation_for_every_kind(scene):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    deadline = time.monotonic() + SECONDS
    failures, known = [], []
    for key in KINDS:
        with_key(scene, key)  # issues the organisation's key, kept on the world
        headers = {"Authorization": f"Api-Key {scene.api_keys[key][1]}"}
        for operation in operations:
            if time.monotonic() > deadline:
                break

            call = fuzzed(operation, headers)
            try:
                call()
            except (Exception, BaseExceptionGroup) as error:  # every operation's failure, then one report
                finding = f"{key} {operation.label}: {str(error)[:2000]}"
                (known if operation.label in KNOWN else failures).append(finding)
    assert not failures, "\n\n".join(failures)
    if known:
        pytest.xfail(
            "known schema violations: "
            + "; ".join(sorted({line.split(":")[0].split(" ", 1)[1] for line in known}))
        )
