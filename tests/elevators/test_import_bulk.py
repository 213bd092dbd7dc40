"""The registry import's set-based writes: rows across chunks, the queries a chunk costs whatever its
size, updates written by one statement, and a refused file that writes nothing more after its first
refused row yet reports every row and counts the rest as a clean file would."""

import io
from datetime import date

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.principal import SYSTEM
from elevators.importing import registry_import
from elevators.models import Elevator, Inspection, LifecycleEvent
from tests.elevators import files

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def reference_data(db):
    from django.core.management import call_command

    call_command("loaddata", "xiangyang", verbosity=0)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr("elevators.importing.registry.CHUNK_ROWS", 2)


def run(rows: list[list], *, dry_run=False):
    return registry_import(
        source=io.BytesIO(files.xlsx(rows)), filename="台账.xlsx", user=SYSTEM, dry_run=dry_run, today=TODAY
    )


def code(n: int) -> str:
    return f"3110420012015{n:05d}"


def counts(result) -> tuple:
    return (result.rows, result.created, result.updated, result.unchanged, result.refused)


def test_a_code_repeated_in_a_later_chunk_is_counted_once_and_the_last_row_wins(small_chunks):
    rows = [
        files.row(code=code(1), address="旧地址"),
        files.row(code=code(2)),
        files.row(code=code(3)),
        files.row(code=code(1), address="新地址"),
    ]
    result = run(rows)
    assert counts(result) == (4, 3, 0, 0, 0)
    assert result.duplicates == [(4, 7, code(1))]
    assert Elevator.objects.get(equipment_code=code(1)).address == "新地址"
    entries = LogEntry.objects.count()
    again = run(rows)
    # Streamed a chunk at a time, the first row of the code sets the old address back (counted as
    # an update of that elevator) and its repeat the new one again (not counted twice).
    assert counts(again) == (4, 0, 1, 2, 0)
    assert Elevator.objects.get(equipment_code=code(1)).address == "新地址"
    assert (Elevator.objects.count(), Inspection.objects.count(), LifecycleEvent.objects.count()) == (3, 3, 3)
    # The row that set the old address back and the one that set the new address again are audited.
    assert LogEntry.objects.count() == entries + 2


def test_a_refused_row_stops_the_writes_but_every_row_is_checked_and_counted(small_chunks):
    valid = [
        files.row(code=code(1)),
        files.row(code=code(2)),
        files.row(code=code(1), address="新地址"),
        files.row(code=code(3)),
    ]
    run([files.row(code=code(3))])  # known already: counted as an update, not written
    clean = run(valid, dry_run=True)
    rows = [files.row(code=code(9), place="游乐园"), *valid, files.row(code=code(8), district="火星区")]
    with CaptureQueriesContext(connection) as queries:
        refused = run(rows)
    assert [(p.row, p.column) for p in refused.problems] == [(4, "场所类别"), (9, "所在区县")]
    assert counts(refused)[1:4] == counts(clean)[1:4] == (2, 0, 1)
    assert clean.duplicates == [(4, 6, code(1))]
    assert refused.duplicates == [(5, 7, code(1))]  # one row further down
    written = [
        q["sql"] for q in queries.captured_queries if "nextval" in q["sql"] or q["sql"].startswith("UPDATE")
    ]
    assert written == []
    assert list(Elevator.objects.values_list("equipment_code", flat=True)) == [code(3)]


@pytest.mark.postgres  # the counts are of the COPY path (core.audit.COPY_FROM); SQLite batches otherwise
def test_a_chunk_costs_the_same_queries_for_few_rows_or_many():
    def queries(rows: list[list]) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert run(rows).refused == 0
        return len(captured.captured_queries)

    run([files.row(code=code(9999))])  # the organisations exist
    # (above core.audit.COPY_FROM entries either way: fewer are inserted by a query of their own)
    few, many = (
        [files.row(code=code(n)) for n in range(110)],
        [files.row(code=code(n)) for n in range(110, 330)],
    )
    assert queries(few) == queries(many)  # new elevators
    changed = [files.row(code=row[0], address="新地址") for row in [*few, *many]]
    assert queries(changed[:110]) == queries(changed[110:])  # known ones, changed


def test_an_update_writes_every_changed_column_and_one_audit_entry_per_elevator():
    run([files.row(inspected=date(2026, 3, 1), due=date(2027, 3, 1))])
    elevator = Elevator.objects.get()
    # The file moves it, hands it to another user unit and maintenance company, suspends it and
    # names an older inspection: the facts stay those of the latest inspection.
    run(
        [
            files.row(
                address="襄阳市樊城区新地址1号",
                user_unit="新物业公司",
                maintenance="新维保公司",
                status="停用",
                registration="梯11鄂F00009(21)",
                inspected=date(2025, 3, 1),
                result="不合格",
                due=date(2026, 3, 1),
                installed=date(2016, 1, 1),
            )
        ]
    )
    after = Elevator.objects.select_related("user_unit", "maintenance_company").get()
    assert (after.address, after.user_unit.name, after.maintenance_company.name) == (
        "襄阳市樊城区新地址1号",
        "新物业公司",
        "新维保公司",
    )
    assert (after.status, after.registration_number, after.installed_on) == (
        "suspended",
        "梯11鄂F00009(21)",
        date(2016, 1, 1),
    )
    assert (after.last_inspected_on, after.inspection_result, after.next_inspection_due) == (
        date(2026, 3, 1),
        "pass",
        date(2027, 3, 1),
    )
    assert after.updated_at > elevator.updated_at
    assert set(after.events.values_list("kind", flat=True)) == {
        "registration",
        "status_change",
        "registration_change",
    }
    assert after.inspections.count() == 2
    (entry,) = LogEntry.objects.get_for_object(after).filter(action=LogEntry.Action.UPDATE)
    assert {"address", "user_unit", "maintenance_company", "status", "registration_number"} <= set(
        entry.changes
    )
    assert "last_inspected_on" not in entry.changes  # changed by the file, then back to the latest


def test_inspection_and_event_name_their_choice_as_their_display():
    elevator = Elevator(equipment_code=code(1))
    inspection = Inspection(elevator=elevator, inspected_on=TODAY, result="fail")
    event = LifecycleEvent(elevator=elevator, occurred_on=TODAY, kind="status_change")
    assert str(inspection) == f"{code(1)} {TODAY} {inspection.get_result_display()}"
    assert str(event) == f"{code(1)} {TODAY} {event.get_kind_display()}"
    inspection.result = "unknown"
    assert str(inspection).endswith(" unknown")


def test_refused_rows_sharing_values_are_each_reported_as_written():
    rows = [files.row(code=code(n), district="火星区", address=f"地址{n}") for n in range(3)]
    result = run(rows)
    assert [p.row for p in result.problems] == [4, 5, 6]
    assert len({p.reason for p in result.problems}) == 1 and "火星区" in result.problems[0].reason
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_report())).active
    table = list(sheet.values)[1:]
    assert [(r[0], r[6], r[7]) for r in table] == [(code(n), "火星区", f"地址{n}") for n in range(3)]
