"""core.audit.log_bulk at volume: creations carry auditlog's own change sets, whichever way the
entries are written (INSERT for a few, COPY on PostgreSQL for many)."""

import copy

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


def test_updates_have_the_change_sets_auditlog_computes_field_by_field():
    first, second = DistrictFactory(code="420606"), DistrictFactory(code="420602")
    rows = Organisation.objects.bulk_create(
        [Organisation(kind="insurer", name=f"改前{n}", short_name=f"简{n}", district=first) for n in range(5)]
    )
    before = list(Organisation.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk"))
    deferred = list(Organisation.objects.filter(pk__in=[r.pk for r in rows]).only("name").order_by("pk"))
    after = [copy.copy(row) for row in before]
    after[0].name = "改后"  # a text
    after[1].district = second  # a key
    after[2].kind = Organisation._meta.get_field("kind").choices[1][0]  # a choice
    after[3].name = str(after[3].name)  # an equal text, another object: no change
    pairs = list(zip(before, after, strict=True))
    pairs.append((deferred[4], after[4]))  # the other side's fields deferred: read by auditlog
    expected = [model_instance_diff(old, new) for old, new in pairs]
    assert log_bulk(updated=pairs) == sum(1 for diff in expected if diff)
    for (_old, new), diff in zip(pairs, expected, strict=True):
        entries = LogEntry.objects.filter(object_id=new.pk, action=LogEntry.Action.UPDATE)
        assert [e.changes for e in entries] == ([{k: list(v) for k, v in diff.items()}] if diff else [])
    assert expected[0] == {"name": ("改前0", "改后")}
    assert expected[1] == {"district": (str(first.pk), str(second.pk))}
    assert expected[3] is None or expected[3] == {}
