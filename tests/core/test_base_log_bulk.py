"""core.audit.log_bulk: a bulk write leaves the entries single writes would, with the same actor."""

import copy

import pytest
from auditlog.models import LogEntry

from accounts.models import Organisation
from core.audit import acting_as, log_bulk
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk")


def test_bulk_created_rows_are_logged_as_creations_by_the_enclosing_actor():
    rows = Organisation.objects.bulk_create(
        [Organisation(kind="insurer", name=f"批量机构{n}") for n in range(3)]
    )
    assert all(not entries_for(row).exists() for row in rows)  # bulk_create sends no signals
    with acting_as("command:bulk", import_run=7):
        assert log_bulk(created=rows) == 3
    for row in rows:
        (entry,) = entries_for(row)
        assert entry.action == LogEntry.Action.CREATE
        assert entry.actor_email == "command:bulk"
        assert entry.additional_data == {"actor": "command:bulk", "import_run": 7}
        assert entry.changes["name"] == ["None", row.name]


def test_bulk_updates_log_what_changed_and_skip_rows_that_did_not_change():
    changed, unchanged = OrganisationFactory(name="旧名"), OrganisationFactory(name="原样")
    before = [copy.copy(changed), copy.copy(unchanged)]
    Organisation.objects.filter(pk=changed.pk).update(name="新名")
    changed.name = "新名"
    with acting_as("task:rename"):
        assert log_bulk(updated=list(zip(before, [changed, unchanged], strict=True))) == 1
    entry = entries_for(changed).last()
    assert (entry.action, entry.changes, entry.actor_email) == (
        LogEntry.Action.UPDATE,
        {"name": ["旧名", "新名"]},
        "task:rename",
    )
    assert entries_for(unchanged).count() == 1  # only its creation


def test_bulk_deletions_are_logged_with_the_rows_as_they_were():
    row = OrganisationFactory(name="将删除")
    with acting_as("command:purge"):
        assert log_bulk(deleted=[row]) == 1
    entry = entries_for(row).get(action=LogEntry.Action.DELETE)
    assert entry.changes["name"] == ["将删除", "None"]
    assert entry.actor_email == "command:purge"
