"""The maintenance-records API: /api/v1/maintenance-records/ (and bulk/, confirm, review) —
wiring, permissions, isolation per organisation kind, shape; the elevator filters by state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maintenance.models import MaintenanceRecord
from maintenance.services.records import records_bulk_upsert
from tests.maintenance.conftest_records import maintained, stored, world  # noqa: F401
from tests.utils.api import ReadEndpointTests, Scene, listed_ids
from tests.utils.clients import session, with_key
from tests.utils.dates import today

pytestmark = pytest.mark.django_db

URL = "/api/v1/maintenance-records/"
BULK = URL + "bulk/"


def item(elevator, number="W-1", **fields):
    data = {
        "record_number": number,
        "equipment_code": elevator.equipment_code,
        "performed_on": (today() - timedelta(days=2)).isoformat(),
        "level": "half_monthly",
    }
    return {**data, **fields}


def service_stored(world, elevator, *numbers, **fields):
    """Records written through the batch service (Python values), not the endpoint under test."""
    base = {
        "equipment_code": elevator.equipment_code,
        "performed_on": today() - timedelta(days=2),
        "level": "half_monthly",
    }
    company = "maint" if elevator.maintenance_company == world.orgs["maint"] else "maint_b"
    results = records_bulk_upsert(
        user=world.users[company], items=[{**base, "record_number": n, **fields} for n in numbers]
    )
    assert {r.outcome for r in results} == {"created"}, results
    return list(
        MaintenanceRecord.objects.filter(record_number__in=numbers, company=elevator.maintenance_company)
    )


class TestRecordsSeenByTheirCompany(ReadEndpointTests):
    """A maintenance company sees its own records only; another company's answers 404."""

    url = URL
    viewer = "maint"
    anonymous_calls = ("GET ", "GET {pk}/", "POST ", "POST bulk/", "PATCH {pk}/", "POST {pk}/confirm/")

    @pytest.fixture
    def scene(self, world):
        elevator = maintained(world)
        (half,) = service_stored(world, elevator, "W-1")
        (yearly,) = service_stored(
            world, elevator, "W-2", level="yearly", performed_on=today() - timedelta(days=40)
        )
        other = maintained(world, maintenance_company=world.orgs["maint_b"])
        return Scene(
            visible=[half, yearly],
            hidden=service_stored(world, other, "B-1")[0],
            filters=[
                ({"level": "yearly"}, [yearly]),
                ({"performed_before": (today() - timedelta(days=10)).isoformat()}, [yearly]),
                (
                    {
                        "equipment_code": elevator.equipment_code,
                        "performed_after": (today() - timedelta(days=5)).isoformat(),
                    },
                    [half],
                ),
            ],
        )

    def make_visible(self, world, count):
        elevator = maintained(world)
        return service_stored(world, elevator, *(f"M-{n}" for n in range(count)))


class TestRecordsSeenByTheDistrictRegulator(ReadEndpointTests):
    """A district regulator sees the records of its district's elevators, whoever maintains them."""

    url = URL
    viewer = "district"

    @pytest.fixture
    def scene(self, world):
        ours = maintained(world)
        (plain,) = service_stored(
            world,
            ours,
            "W-1",
            worker_name="甲",
            second_worker_name="乙",
            scan_in_method="qr",
            scan_in_at=timezone.now(),
        )
        (flagged,) = service_stored(world, ours, "W-2")  # no evidence, no workers: flagged
        elsewhere = maintained(world, district=world.xiangcheng)
        return Scene(
            visible=[plain, flagged],
            hidden=service_stored(world, elsewhere, "X-1")[0],
            filters=[({"flagged": "true"}, [flagged]), ({"flagged": "false"}, [plain])],
        )

    def make_visible(self, world, count):
        return service_stored(world, maintained(world), *(f"M-{n}" for n in range(count)))


def test_create_answers_201_then_200_unchanged(world):
    elevator = maintained(world)
    client = with_key(world, "maint")
    first = client.post(URL, item(elevator), format="json")
    assert first.status_code == 201, first.content
    again = client.post(URL, item(elevator), format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert MaintenanceRecord.objects.count() == 1


def test_another_companys_elevator_is_refused_naming_it(world):
    other = maintained(world, maintenance_company=world.orgs["maint_b"])
    response = with_key(world, "maint").post(URL, item(other), format="json")
    assert response.status_code == 400
    assert other.equipment_code in response.json()["detail"]
    assert not MaintenanceRecord.objects.exists()


@pytest.mark.parametrize("viewer", ["insurer_a", "pm_fancheng", "district"])
def test_other_kinds_may_not_record(world, viewer):
    response = with_key(world, viewer).post(URL, item(maintained(world)), format="json")
    assert response.status_code == 403


def test_patch_changes_only_what_is_sent(world):
    elevator = maintained(world)
    client = with_key(world, "maint")
    pk = client.post(URL, item(elevator, findings="无"), format="json").json()["id"]
    response = client.patch(f"{URL}{pk}/", {"worker_name": "张三"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["worker_name"], response.json()["findings"]) == ("张三", "无")


def test_bulk_is_idempotent_and_answers_per_item(world):
    elevator = maintained(world)
    other = maintained(world, maintenance_company=world.orgs["maint_b"])
    client = with_key(world, "maint")
    items = [
        item(elevator, "W-1", items=[{"item_code": "A1-03", "result": "normal"}]),
        item(elevator, "W-2", level="yearly"),
        item(other, "W-3"),
        item(elevator, "W-4", level="monthly"),
        item(elevator, "W-5", items=[{"item_code": "A1-03", "result": "abnormal"}]),
    ]
    body = client.post(BULK, {"records": items}, format="json").json()
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 3}
    assert [r["outcome"] for r in body["results"]] == ["created", "created", "refused", "refused", "refused"]
    assert other.equipment_code in body["results"][2]["errors"]["equipment_code"][0]
    assert "level" in body["results"][3]["errors"]
    again = client.post(BULK, {"records": items[:2]}, format="json").json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}
    changed = client.post(
        BULK, {"records": [item(elevator, "W-2", level="yearly", findings="更换门刀")]}, format="json"
    )
    assert changed.json()["counts"]["updated"] == 1
    assert MaintenanceRecord.objects.count() == 2


def test_bulk_refuses_more_than_1000(world):
    elevator = maintained(world)
    items = [item(elevator, f"W-{n}") for n in range(1001)]
    response = with_key(world, "maint").post(BULK, {"records": items}, format="json")
    assert response.status_code == 400
    assert not MaintenanceRecord.objects.exists()


def test_bulk_writes_an_audit_entry_per_record(world):
    from auditlog.models import LogEntry

    elevator = maintained(world)
    with_key(world, "maint").post(
        BULK, {"records": [item(elevator, f"W-{n}") for n in range(3)]}, format="json"
    )
    records = MaintenanceRecord.objects.all()
    assert (
        LogEntry.objects.filter(
            object_pk__in=[str(r.pk) for r in records], content_type__model="maintenancerecord"
        ).count()
        == 3
    )


def test_user_unit_confirms_once_and_others_may_not(world):
    elevator = maintained(world)
    (record,) = service_stored(world, elevator, "W-1")
    url = f"{URL}{record.pk}/confirm/"
    assert session(world, "district").post(url).status_code == 403
    assert with_key(world, "pm_fancheng").post(url).status_code == 403  # a key names no person
    confirmed = session(world, "pm_fancheng").post(url)
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]
    assert session(world, "pm_fancheng").post(url).status_code == 400
    record.refresh_from_db()
    assert record.confirmed_by == world.users["pm_fancheng"]


def test_review_by_the_district_regulator_and_not_by_the_user_unit(world):
    (record,) = service_stored(world, maintained(world), "W-1")
    url = f"{URL}{record.pk}/review/"
    assert session(world, "pm_fancheng").post(url, {"outcome": "accepted"}, format="json").status_code == 403
    # who may review is answered before the body is read: a malformed one is no 400 for the user unit
    refused = session(world, "pm_fancheng").post(url, {"outcome": "bogus"}, format="json")
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "只有监管部门或该记录的维保单位可以复核维保记录。",
    )
    assert session(world, "district").post(url, {"outcome": "rejected"}, format="json").status_code == 400
    response = session(world, "district").post(
        url, {"outcome": "rejected", "note": "照片重复"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["review_outcome"], response.json()["review_note"]) == ("rejected", "照片重复")


def test_elevator_api_filters_by_maintenance_state(world):
    ok, late, never = maintained(world), maintained(world), maintained(world)
    stored(ok, today() - timedelta(days=15))
    stored(late, today() - timedelta(days=16))
    stored(late, today() - timedelta(days=120), level="quarterly")
    client = with_key(world, "maint")
    assert listed_ids(client.get("/api/v1/elevators/", {"maintenance": "ok"})) == [ok.pk]
    assert listed_ids(client.get("/api/v1/elevators/", {"maintenance": "overdue"})) == [late.pk]
    assert listed_ids(client.get("/api/v1/elevators/", {"maintenance": "none"})) == [never.pk]
    assert listed_ids(client.get("/api/v1/elevators/", {"maintenance_level_overdue": "quarterly"})) == [
        late.pk
    ]
    assert client.get("/api/v1/elevators/", {"maintenance": "bad"}).status_code == 400
