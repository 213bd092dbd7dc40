"""core.audit.log_bulk at volume: creations carry auditlog's own change sets, whichever way the
entries are written (INSERT for a few, COPY on PostgreSQL for many)."""

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry

from accounts.models import Organisation
from core.audit import COPY_FROM, acting_as, log_bulk
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [2, COPY_FROM + 1])
def test_creations_have_the_change_sets_auditlog_computes_and_the_actor(count):
    district = DistrictFactory()  # a key and the creation time beside the texts
    rows = Organisation.objects.bulk_create(
        [
            Organisation(kind="insurer", name=f"批量机构{n}", short_name=f"简称{n}", district=district)
            for n in range(count)
        ]
    )
    with acting_as("command:bulk", import_run=3):
        assert log_bulk(created=rows) == count
    entries = {e.object_id: e for e in LogEntry.objects.filter(object_id__in=[r.pk for r in rows])}
    assert len(entries) == count
    for row in rows:
        entry = entries[row.pk]
        expected = {k: list(v) for k, v in model_instance_diff(None, row).items()}
        assert entry.changes == expected  # reverse relations' "app.Model.None" included
        assert (entry.action, entry.object_repr, entry.object_pk) == (
            LogEntry.Action.CREATE,
            str(row),
            str(row.pk),
        )
        assert entry.actor_email == "command:bulk"
        assert entry.additional_data == {"actor": "command:bulk", "import_run": 3}
        assert entry.timestamp is not None
