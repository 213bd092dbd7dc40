"""The bulk paths of maintenance records and services: the quick shape check answers as the
serializers do, a batch's flags (decided in the database) are those of records saved one by one,
and rows inserted at once (COPY on PostgreSQL) are audited like saved ones."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.api.shapes import QuickShape
from maintenance.api.serializers.records import MaintenanceRecordWriteSerializer
from maintenance.api.serializers.service_records import (
    ServiceRecordBulkItemSerializer,
    ServiceRecordBulkShape,
)
from maintenance.models import MaintenanceRecord, RecordFlag, RecordItem, ServiceRecord
from maintenance.services.records import records_bulk_upsert
from maintenance.services.service_records import service_record_upsert, service_records_bulk_upsert
from tests.core.test_quick_shape import answer
from tests.maintenance.conftest_records import maintained, world  # noqa: F401
from tests.maintenance.conftest_service_records import IN_COVER, cast  # noqa: F401

TODAY = timezone.localdate()
TZ = ZoneInfo("Asia/Shanghai")
RECORD = {
    "record_number": "W-1", "equipment_code": "311042001201500001", "performed_on": "2026-03-05",
    "level": "half_monthly", "worker_name": "张三", "worker_certificate": "T0001",
    "started_at": "2026-03-05T09:00:00+08:00", "scan_in_latitude": "32.042000", "scan_in_method": "qr",
}  # fmt: skip
RECORD_VARIANTS = {
    "record_number": [" W-1 ", "  ", "", 12, None, "x" * 65],
    "level": ["yearly", "monthly", "", None],
    "performed_on": ["2026-3-5", "1899-12-31", None, 20260305],
    "scan_in_latitude": ["91", "32.0420001", 32.04, None, " 32 "],
    "scan_in_method": ["typed", "", None, "nfc"],
    "items": [[], [{"item_code": "A1-03", "result": "normal"}], [{"item_code": "A1-03"}], None, "x"],
}  # fmt: skip
SERVICE = {
    "service_number": "S-1", "kind": "training", "performed_on": "2026-03-10",
    "equipment_code": " 311042001201500001 ", "attendance": 12, "findings": "按计划完成。",
}  # fmt: skip
SERVICE_VARIANTS = {
    "service_number": [" S-1 ", "", None, 5],
    "kind": ["maintenance_quality", "nonsense", None],
    "equipment_code": ["", None, 3110],
    "equipment_codes": [["311042001201500002", "311042001201500001"], [], "x", None],
    "quality_score": [0, 101, "86", None],
    "amount": ["12.50", "-1", 12, None],
    "repaid": [True, "yes", None],
    "maintenance_company": ["91420600000000000X", None],
    "site_name": ["樊城区培训中心", ""],
}  # fmt: skip


def variants(valid: dict, changes: dict):
    yield valid
    for name, values in changes.items():
        for value in values:
            yield {**valid, name: value}
        yield {key: value for key, value in valid.items() if key != name}
    yield {}
    yield None
    yield []


@pytest.mark.parametrize("item", list(variants(RECORD, RECORD_VARIANTS)), ids=repr)
def test_the_records_bulk_shape_answers_as_the_serializer(item):
    quick = QuickShape(MaintenanceRecordWriteSerializer())
    assert quick.plan is not None  # the serializer stays one the quick path takes
    assert answer(quick, item) == answer(MaintenanceRecordWriteSerializer(), item)


def test_a_padded_record_number_is_trimmed():
    assert (
        MaintenanceRecordWriteSerializer().run_validation({**RECORD, "record_number": " W-1 "})[
            "record_number"
        ]
        == "W-1"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("item", list(variants(SERVICE, SERVICE_VARIANTS)), ids=repr)
def test_the_services_bulk_shape_answers_as_the_serializer(item):
    assert answer(ServiceRecordBulkShape(), item) == answer(ServiceRecordBulkItemSerializer(), item)


def at(hour, minute=0):
    day = TODAY - timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


WORKERS = {"worker_name": "甲", "second_worker_name": "乙", "scan_in_at": at(9), "scan_in_method": "qr"}


def batch_item(elevator, number, **fields):
    return {
        "record_number": number,
        "equipment_code": elevator.equipment_code,
        "performed_on": TODAY - timedelta(days=1),
        "level": "half_monthly",
        **fields,
    }


def details(number):
    record = MaintenanceRecord.objects.get(record_number=number)
    return dict(record.flags.values_list("flag", "detail"))


@pytest.mark.django_db
def test_a_worker_named_second_on_one_record_and_first_on_another_overlaps(world):  # noqa: F811
    elevator = maintained(world)
    timed = {"started_at": at(9), "ended_at": at(10)}
    later = {"started_at": at(9, 30), "ended_at": at(10, 30)}
    items = [
        batch_item(
            elevator, "A", **WORKERS, **timed, worker_certificate="X1", second_worker_certificate="Y1"
        ),
        # Y1 is A's second worker and B's first, at an overlapping time
        batch_item(
            elevator, "B", **WORKERS, **later, worker_certificate="Y1", second_worker_certificate="Z1"
        ),
        # no certificate is no worker: two records without any never overlap
        batch_item(elevator, "C", **WORKERS, **timed, worker_certificate="", second_worker_certificate=""),
        batch_item(elevator, "D", **WORKERS, **later, worker_certificate="", second_worker_certificate=""),
    ]
    results = records_bulk_upsert(user=world.users["maint"], items=items)
    assert {r.outcome for r in results} == {"created"}
    assert details("A")["worker_overlap"] == "同一作业人员同时在记录B中作业"
    assert details("B")["worker_overlap"] == "同一作业人员同时在记录A中作业"
    assert "worker_overlap" not in details("C") and "worker_overlap" not in details("D")
    # sent later, in a batch of its own, a record overlapping A by A's second worker is found too
    (result,) = records_bulk_upsert(
        user=world.users["maint"],
        items=[
            batch_item(
                elevator, "E", **WORKERS, **later, worker_certificate="Q1", second_worker_certificate="Y1"
            )
        ],
    )
    assert result.outcome == "created"
    assert details("E")["worker_overlap"] == "同一作业人员同时在记录A、B中作业"
    # A was flagged already: its flag stays as it was until A itself is saved again
    assert details("A")["worker_overlap"] == "同一作业人员同时在记录B中作业"


@pytest.mark.django_db
def test_the_flags_of_a_batch_with_their_details_and_audit(world):  # noqa: F811
    elevator = maintained(world, latitude=Decimal("32.042000"), longitude=Decimal("112.144000"))
    timed = {"started_at": at(9), "ended_at": at(10)}
    items = [
        batch_item(
            elevator, "A", **WORKERS, **timed, worker_certificate="C1", second_worker_certificate="C2"
        ),
        # shares C1 with A at an overlapping time: both are flagged, each naming the other
        batch_item(
            elevator, "B", **WORKERS, worker_certificate="C1", started_at=at(9, 30), ended_at=at(10, 30)
        ),
        batch_item(elevator, "C", **{**WORKERS, "scan_in_method": "typed"}, worker_certificate="T1"),
        batch_item(elevator, "D", **WORKERS, worker_certificate="S1", started_at=at(9), ended_at=at(9, 20)),
        batch_item(
            elevator,
            "E",
            **WORKERS,
            scan_in_latitude=Decimal("32.052000"),
            scan_in_longitude=Decimal("112.144000"),
        ),
        batch_item(elevator, "F"),
    ]
    results = records_bulk_upsert(user=world.users["maint"], items=items)
    assert {r.outcome for r in results} == {"created"}
    assert details("A") == {"worker_overlap": "同一作业人员同时在记录B中作业"}
    assert details("B") == {"worker_overlap": "同一作业人员同时在记录A中作业"}
    assert details("C") == {"code_typed": "签到时手工输入设备码"}
    assert details("D") == {"too_short": "作业20分钟，少于30分钟"}
    assert details("E") == {"outside_radius": "签到位置距电梯登记位置1112米"}
    assert details("F") == {"one_worker": "仅记录0名作业人员", "no_evidence": "无签到、签退、定位或照片"}
    logged = LogEntry.objects.filter(content_type__model="recordflag")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        RecordFlag.objects.values_list("pk", flat=True)
    )
    # Sent again with the evidence, F's flags go; A and B, unchanged, keep theirs (no duplicates).
    fixed = {**items[-1], **WORKERS}
    again = records_bulk_upsert(user=world.users["maint"], items=[*items[:2], fixed])
    assert [r.outcome for r in again] == ["unchanged", "unchanged", "updated"]
    assert details("F") == {}
    assert RecordFlag.objects.filter(record__record_number__in=["A", "B"]).count() == 2


@pytest.mark.django_db
def test_services_inserted_at_once_are_audited_as_saved_ones(cast):  # noqa: F811
    items = [
        {"service_number": f"S-{n}", "kind": "training", "performed_on": IN_COVER, "attendance": n,
         "equipment_codes": [cast.covered.equipment_code]}
        for n in range(3)
    ]  # fmt: skip
    results = service_records_bulk_upsert(insurer=cast.world.orgs["insurer_a"], items=items)
    assert [r.outcome for r in results] == ["created"] * 3
    services = ServiceRecord.objects.order_by("service_number")
    assert [r.id for r in results] == [s.pk for s in services]
    assert [list(s.covered.values_list("policy", flat=True)) for s in services] == [[cast.policy_a.pk]] * 3
    entries = LogEntry.objects.filter(content_type__model="servicerecord").order_by("object_id")
    assert [(e.object_id, e.object_repr) for e in entries] == [(s.pk, str(s)) for s in services]
    assert str(services[0]) == "S-0 安全培训"
    assert LogEntry.objects.filter(content_type__model="serviceelevator").count() == 3


@pytest.mark.django_db
def test_updates_in_bulk_are_audited_as_saves_and_deletions(world):  # noqa: F811
    elevator = maintained(world)
    user = world.users["maint"]
    first = [
        batch_item(elevator, f"U-{n}", items=[{"item_code": "A1-03", "result": "normal"}]) for n in range(3)
    ]
    records_bulk_upsert(user=user, items=first)
    old_items = {
        r.record_number: list(r.items.values_list("pk", flat=True)) for r in MaintenanceRecord.objects.all()
    }
    before = {r.record_number: r.updated_at for r in MaintenanceRecord.objects.all()}
    changed = [
        {**first[0], "findings": "更换门刀"},  # the items are sent again, the same: replaced all the same
        {**first[1], "items": [{"item_code": "A1-04", "result": "normal"}]},
        {**{k: v for k, v in first[2].items() if k != "items"}, "level": "quarterly"},  # items kept
    ]
    results = records_bulk_upsert(user=user, items=changed)
    assert [r.outcome for r in results] == ["updated"] * 3
    records = {r.record_number: r for r in MaintenanceRecord.objects.all()}
    assert records["U-0"].findings == "更换门刀" and records["U-2"].level == "quarterly"
    assert all(records[n].updated_at > before[n] for n in records)
    assert list(records["U-1"].items.values_list("item_code", flat=True)) == ["A1-04"]
    assert list(records["U-2"].items.values_list("pk", flat=True)) == old_items["U-2"]
    # As a save() is audited (decision 0027): the fields the sender changed, not the time stamped;
    # U-1 changed its items only, which are audited as deleted and created.
    updates = LogEntry.objects.filter(content_type__model="maintenancerecord", action=LogEntry.Action.UPDATE)
    assert {e.object_id: e.changes_dict for e in updates} == {
        records["U-0"].pk: {"findings": ["", "更换门刀"]},
        records["U-2"].pk: {"level": ["half_monthly", "quarterly"]},
    }
    created = LogEntry.objects.filter(content_type__model="recorditem", action=LogEntry.Action.CREATE)
    assert created.count() == 3 + 2  # the first batch's three, then U-0's and U-1's replacements
    deleted = LogEntry.objects.filter(content_type__model="recorditem", action=LogEntry.Action.DELETE)
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(old_items["U-0"] + old_items["U-1"])


def _queries_of(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.django_db
def test_a_records_batch_takes_the_same_queries_whatever_its_size(world):  # noqa: F811
    elevator = maintained(world)
    user = world.users["maint"]
    abnormal = [{"item_code": "A1-03", "result": "abnormal", "note": "门刀磨损"}]

    def batch(prefix: str, count: int, **fields) -> list[dict]:
        return [
            batch_item(elevator, f"{prefix}-{n}", **WORKERS, worker_certificate=f"{prefix}{n}", **fields)
            for n in range(count)
        ]

    def created(prefix: str, count: int) -> int:
        items = batch(prefix, count, items=abnormal)
        return _queries_of(lambda: records_bulk_upsert(user=user, items=items))

    def updated(prefix: str, count: int) -> int:
        items = batch(prefix, count, findings="更换门刀", items=[{"item_code": "A1-04", "result": "normal"}])
        results = []
        count_of = _queries_of(lambda: results.extend(records_bulk_upsert(user=user, items=items)))
        assert [r.outcome for r in results] == ["updated"] * count
        return count_of

    created("W", 1)  # the log's content types are read once, then cached
    assert created("S", 2) == created("L", 12)
    assert updated("S", 2) == updated("L", 12)
    assert MaintenanceRecord.objects.count() == 15
    assert RecordItem.objects.filter(item_code="A1-04").count() == 14


@pytest.mark.django_db
def test_a_services_batch_takes_the_same_queries_whatever_its_size(cast):  # noqa: F811
    insurer = cast.world.orgs["insurer_a"]

    def sent(prefix: str, count: int, outcome: str, **fields) -> int:
        items = [
            {"service_number": f"{prefix}-{n}", "kind": "training", "performed_on": IN_COVER,
             "attendance": n, "equipment_codes": [cast.covered.equipment_code], **fields}
            for n in range(count)
        ]  # fmt: skip
        results = []
        count_of = _queries_of(
            lambda: results.extend(service_records_bulk_upsert(insurer=insurer, items=items))
        )
        assert [r.outcome for r in results] == [outcome] * count
        return count_of

    def created(prefix: str, count: int) -> int:
        return sent(prefix, count, "created")

    def updated(prefix: str, count: int) -> int:
        return sent(prefix, count, "updated", findings="补充签到表。")

    created("W", 1)  # the log's content types are read once, then cached
    assert created("S", 2) == created("L", 12)
    assert updated("S", 2) == updated("L", 12)
    assert list(
        ServiceRecord.objects.filter(service_number="L-11").values_list("attendance", "findings")
    ) == [(11, "补充签到表。")]


@pytest.mark.django_db
def test_services_updated_in_bulk_are_audited_as_saved_ones(cast):  # noqa: F811
    insurer = cast.world.orgs["insurer_a"]
    first = [
        {"service_number": number, "kind": "training", "performed_on": IN_COVER, "attendance": 5,
         "equipment_codes": [cast.covered.equipment_code]}
        for number in ("ONE", "BULK")
    ]  # fmt: skip
    service_records_bulk_upsert(insurer=insurer, items=first)
    change = {"attendance": 9, "findings": "补充签到表。"}
    service_record_upsert(insurer=insurer, data={**first[0], **change})  # through save()
    before = ServiceRecord.objects.get(service_number="BULK").updated_at
    results = service_records_bulk_upsert(insurer=insurer, items=[{**first[1], **change}])
    assert [r.outcome for r in results] == ["updated"]
    one, bulk = (ServiceRecord.objects.get(service_number=n) for n in ("ONE", "BULK"))
    assert (bulk.attendance, bulk.findings) == (9, "补充签到表。") and bulk.updated_at > before

    def update_changes(service):
        entries = LogEntry.objects.filter(
            content_type__model="servicerecord", object_id=service.pk, action=LogEntry.Action.UPDATE
        )
        return [e.changes_dict for e in entries]

    assert (
        update_changes(bulk)
        == update_changes(one)
        == [{"attendance": ["5", "9"], "findings": ["", "补充签到表。"]}]
    )
