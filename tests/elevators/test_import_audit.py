"""The registry import writes in bulk and is audited like single saves: every elevator, event and
inspection it creates, and every change it makes, has its entry naming the import."""

import io
from datetime import date

import pytest
from auditlog.models import LogEntry

from core.audit import acting_as
from core.principal import SYSTEM
from elevators.importing import registry_import
from elevators.models import Elevator, Inspection, LifecycleEvent
from tests.elevators import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_data(db):
    from django.core.management import call_command

    call_command("loaddata", "xiangyang", verbosity=0)


def run(content: bytes, *, label: str):
    with acting_as(label):
        return registry_import(
            source=io.BytesIO(content),
            filename="台账.xlsx",
            user=SYSTEM,
            dry_run=False,
            today=date(2026, 11, 25),
        )


def entries(obj, action):
    return LogEntry.objects.get_for_object(obj).filter(action=action)


def test_created_rows_each_have_a_creation_entry_naming_the_import():
    run(files.xlsx([files.row()]), label="import:registry")
    elevator = Elevator.objects.get()
    for obj in (
        elevator,
        LifecycleEvent.objects.get(elevator=elevator),
        Inspection.objects.get(elevator=elevator),
    ):
        (entry,) = entries(obj, LogEntry.Action.CREATE)
        assert entry.actor_email == "import:registry"
    assert entries(elevator, LogEntry.Action.CREATE).get().changes["equipment_code"] == [
        "None",
        "311042001201500123",
    ]


def test_an_update_is_logged_with_what_it_changed_and_an_unchanged_row_is_not():
    run(files.xlsx([files.row()]), label="import:first")
    run(files.xlsx([files.row()]), label="import:same")
    elevator = Elevator.objects.get()
    assert not entries(elevator, LogEntry.Action.UPDATE).exists()
    run(files.xlsx([files.row(address="襄阳市樊城区新地址1号")]), label="import:moved")
    (entry,) = entries(elevator, LogEntry.Action.UPDATE)
    assert entry.actor_email == "import:moved"
    assert entry.changes["address"][1] == "襄阳市樊城区新地址1号"
