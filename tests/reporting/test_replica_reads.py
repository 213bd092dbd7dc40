"""Dashboards, reports and Excel exports read from the replica when one is configured (core.dbrouter);
everything else, and every write, stays on the primary.

The replica here is a second PostgreSQL connection to the test database, registered as the
"replica" alias for the test: the tests are transactional, so what the primary's connection writes
is committed and the replica's connection reads it, as it would from a streaming replica.
"""

import copy
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dbrouter import REPLICA, ReplicaRouter, read_db, replica_reads
from core.principal import SYSTEM
from elevators.models import Elevator
from reporting.models import FrozenMonth, ReportRun, ReportStatus
from reporting.services import month_freeze, report_generate, reports_request

from .conftest import LAST_MONTH

TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
# What the primary still reads inside the entry points: the rows written just before (a report's
# run, the frozen month and its figures; docs/decisions/0014) and, for a page, the request's own
# session, user and organisation, loaded before the view.
PRIMARY_TABLES = {"reporting_reportrun", "reporting_frozenmonth", "reporting_frozenfigure"}
REQUEST_TABLES = {"django_session", "accounts_user", "accounts_organisation"}


def tables(captured) -> set[str]:
    return {name for query in captured.captured_queries for name in TABLE.findall(query["sql"])}


@pytest.fixture
def replica():
    """The "replica" alias: a second connection to the test database, for this test only."""
    if connection.vendor != "postgresql":
        pytest.skip("a replica connection needs PostgreSQL")
    config = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings.DATABASES[REPLICA] = config
    connections[REPLICA] = load_backend(config["ENGINE"]).DatabaseWrapper(config, REPLICA)
    # Connected here: the test case refuses to open connections it was not told of (its database
    # list is fixed before this fixture runs), but not to use one already open.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del settings.DATABASES[REPLICA]


def on_both(replica):
    return CaptureQueriesContext(replica), CaptureQueriesContext(connections[DEFAULT_DB_ALIAS])


def test_without_a_replica_every_read_stays_on_the_primary():
    assert read_db() == DEFAULT_DB_ALIAS
    with replica_reads():
        assert Elevator.objects.all().db == DEFAULT_DB_ALIAS
    assert ReplicaRouter().allow_migrate(REPLICA, "elevators") is False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestWithAReplica:
    def test_the_router_sends_only_the_entry_points_reads_to_the_replica(self, replica):
        assert read_db() == REPLICA
        assert Elevator.objects.all().db == DEFAULT_DB_ALIAS  # outside replica_reads()
        with replica_reads():
            assert Elevator.objects.all().db == REPLICA
            assert Elevator.objects.select_for_update().db == DEFAULT_DB_ALIAS  # a lock is a write
            for model in (Session, ReportRun, FrozenMonth):
                assert model.objects.all().db == DEFAULT_DB_ALIAS
            assert ReplicaRouter().db_for_write(Elevator) == DEFAULT_DB_ALIAS

    def test_the_dashboard_reads_the_registry_on_the_replica(self, replica, world, registry, client):
        client.force_login(world.users["city"])
        on_replica, on_default = on_both(replica)
        with on_replica, on_default:
            response = client.get(reverse("coverage-overview"))
        assert response.status_code == 200
        assert {"elevators_elevator", "insurance_policyelevator"} <= tables(on_replica)
        assert tables(on_default) <= PRIMARY_TABLES | REQUEST_TABLES
        # The page shows the replica's figures: the city's 6 elevators in scope, 3 insured.
        assert response.context["total"].in_scope == 6 and response.context["total"].insured == 3

    def test_other_pages_read_only_the_primary(self, replica, world, registry, client):
        client.force_login(world.users["city"])
        on_replica, on_default = on_both(replica)
        with on_replica, on_default:
            response = client.get(reverse("elevator-list"))
        assert response.status_code == 200
        assert len(on_replica) == 0 and "elevators_elevator" in tables(on_default)

    def test_a_report_reads_its_work_list_on_the_replica(self, replica, world, registry, media):
        frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
        [run] = reports_request(user=SYSTEM, frozen_month=frozen, departments=["HOUSING"], enqueue=False)
        on_replica, on_default = on_both(replica)
        with on_replica, on_default:
            run = report_generate(report_run_id=run.pk)
        assert run.status == ReportStatus.DONE and run.size > 0
        assert "elevators_elevator" in tables(on_replica)
        assert tables(on_default) <= PRIMARY_TABLES
        assert any(q["sql"].startswith("UPDATE") for q in on_default.captured_queries)  # the run's row
        assert not any(q["sql"].startswith(("UPDATE", "INSERT")) for q in on_replica.captured_queries)

    def test_an_export_reads_its_rows_on_the_replica(self, replica, world, registry, client):
        client.force_login(world.users["city"])
        on_replica, on_default = on_both(replica)
        with on_replica, on_default:
            response = client.get(reverse("elevator-export"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "elevators_elevator" in tables(on_replica)
        assert tables(on_default) <= REQUEST_TABLES
