"""The maintenance-record pages: list, export, detail with confirm and review, the form, the review
queue, the ranking; the state on the elevator page and the public card; each flag of the service."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from maintenance.models import MaintenanceRecord
from maintenance.selectors.companies import company_scores
from maintenance.services.records import record_upsert
from tests.maintenance.conftest_records import maintained, stored, world  # noqa: F401
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TZ = ZoneInfo("Asia/Shanghai")


def at(hour, minute=0, day=None):
    d = day or TODAY - timedelta(days=1)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


def record(world, elevator, number="W-1", **fields):
    data = {
        "record_number": number,
        "equipment_code": elevator.equipment_code,
        "performed_on": TODAY - timedelta(days=1),
        "level": "half_monthly",
        **fields,
    }
    return record_upsert(user=world.users["maint"], data=data)[0]


def flags(rec):
    return sorted(rec.flags.values_list("flag", flat=True))


GOOD = {
    "worker_name": "甲", "worker_certificate": "C1", "second_worker_name": "乙", "second_worker_certificate": "C2",
    "scan_in_at": at(9), "scan_in_method": "qr", "started_at": at(9), "ended_at": at(10),
}  # fmt: skip


def test_each_flag(world):
    elevator = maintained(world, latitude=Decimal("32.042000"), longitude=Decimal("112.144000"))
    assert flags(record(world, elevator, "W-0", **GOOD)) == []
    assert flags(record(world, elevator, "W-1")) == ["no_evidence", "one_worker"]
    assert "code_typed" in flags(
        record(
            world,
            elevator,
            "W-2",
            **{
                **GOOD,
                "scan_in_method": "typed",
                "worker_certificate": "T2",
                "second_worker_certificate": "T3",
            },
        )
    )
    far = {
        **GOOD,
        "scan_in_latitude": Decimal("32.052000"),
        "scan_in_longitude": Decimal("112.144000"),
    }  # ~1.1 km north
    assert "outside_radius" in flags(
        record(
            world, elevator, "W-3", **{**far, "worker_certificate": "F1", "second_worker_certificate": "F2"}
        )
    )
    near = {
        **GOOD,
        "scan_in_latitude": Decimal("32.043000"),
        "scan_in_longitude": Decimal("112.144000"),
    }  # ~110 m
    assert (
        flags(
            record(
                world,
                elevator,
                "W-4",
                **{**near, "worker_certificate": "N1", "second_worker_certificate": "N2"},
            )
        )
        == []
    )
    short = record(
        world,
        elevator,
        "W-5",
        **{**GOOD, "worker_certificate": "S1", "second_worker_certificate": "S2", "ended_at": at(9, 29)},
    )
    assert flags(short) == ["too_short"]
    overlap = record(
        world,
        elevator,
        "W-6",
        **{**GOOD, "second_worker_certificate": "Z9", "started_at": at(9, 30), "ended_at": at(10, 30)},
    )
    assert flags(overlap) == ["worker_overlap"]
    assert flags(MaintenanceRecord.objects.get(record_number="W-0")) == ["worker_overlap"]


def test_unknown_location_skips_the_radius_check(world):
    elevator = maintained(world)  # no registered location
    far = {**GOOD, "scan_in_latitude": Decimal("10"), "scan_in_longitude": Decimal("10")}
    assert flags(record(world, elevator, **far)) == []


def test_reused_photo_is_flagged(world):
    from maintenance.models import Attachment

    elevator = maintained(world)
    first, second = (
        record(world, elevator, "W-1", **GOOD),
        record(
            world, elevator, "W-2", **{**GOOD, "worker_certificate": "X", "second_worker_certificate": "Y"}
        ),
    )
    for rec in (first, second):
        Attachment.objects.create(
            record=rec, file="x.jpg", content_type="image/jpeg", size=3, sha256="ab" * 32
        )
    record(
        world,
        elevator,
        "W-2",
        **{**GOOD, "worker_certificate": "X", "second_worker_certificate": "Y", "findings": "复查"},
    )
    assert flags(MaintenanceRecord.objects.get(record_number="W-2")) == ["photo_reused"]


def test_abnormal_item_needs_a_note_and_items_are_of_the_level(world):
    from core.exceptions import ApplicationError

    elevator = maintained(world)
    with pytest.raises(ApplicationError):
        record(world, elevator, items=[{"item_code": "A1-03", "result": "abnormal"}])
    with pytest.raises(ApplicationError):
        record(world, elevator, items=[{"item_code": "A4-05", "result": "normal"}])  # a yearly item
    rec = record(
        world,
        elevator,
        level="yearly",
        items=[{"item_code": "A4-05", "result": "abnormal", "note": "安全钳动作不灵"}],
    )
    assert list(rec.items.values_list("item_code", flat=True)) == ["A4-05"]


def test_an_abnormal_item_opens_one_general_hazard_linked_to_its_record(world):
    from maintenance.models import Hazard

    elevator = maintained(world)
    items = [
        {"item_code": "A4-05", "result": "abnormal", "note": "安全钳动作不灵"},
        {"item_code": "A1-03", "result": "normal"},
    ]
    rec = record(world, elevator, level="yearly", items=items)
    hazard = Hazard.objects.get()
    assert (hazard.hazard_number, hazard.reporter, hazard.elevator) == (
        "W-1/A4-05",
        world.orgs["maint"],
        elevator,
    )
    assert (hazard.severity, hazard.found_by, hazard.found_on) == ("general", "maintenance", rec.performed_on)
    assert hazard.maintenance_record == rec
    assert hazard.description.endswith("安全钳动作不灵")
    record(world, elevator, level="yearly", items=items)  # sent again: still one hazard
    assert Hazard.objects.count() == 1


def test_pages_for_the_company_and_the_regulator(world):
    elevator = maintained(world)
    rec = record(world, elevator)
    company = browser(world, "maint")
    assert company.get("/maintenance/records/").status_code == 200
    assert company.get("/maintenance/records/export.xlsx").status_code == 200
    assert company.get(f"/maintenance/records/{rec.pk}/").status_code == 200
    assert company.get("/maintenance/records/review/").status_code == 200
    form = company.get("/maintenance/records/new/")
    assert elevator.equipment_code in form.content.decode()
    created = company.post(
        "/maintenance/records/new/",
        {
            "elevator": elevator.pk,
            "record_number": "W-9",
            "performed_on": TODAY.isoformat(),
            "level": "quarterly",
        },
    )
    assert created.status_code == 302 and MaintenanceRecord.objects.filter(record_number="W-9").exists()
    assert browser(world, "insurer_a").get(f"/maintenance/records/{rec.pk}/").status_code == 404
    assert browser(world, "insurer_a").get("/maintenance/records/new/").status_code == 403
    regulator = browser(world, "district")
    assert regulator.get("/maintenance/companies/ranking/").status_code == 200
    assert (
        regulator.post(f"/maintenance/records/{rec.pk}/", {"outcome": "accepted", "note": ""}).status_code
        == 302
    )
    rec.refresh_from_db()
    assert rec.review_outcome == "accepted" and rec.reviewed_by == world.users["district"]
    user_unit = browser(world, "pm_fancheng")
    assert user_unit.post(f"/maintenance/records/{rec.pk}/").status_code == 302
    rec.refresh_from_db()
    assert rec.confirmed_by == world.users["pm_fancheng"]
    page = user_unit.get(f"/elevators/{elevator.pk}/").content.decode()
    assert 'data-testid="maintenance-state"' in page


def test_company_scores_on_time_rate(world):
    ok, late, _never = maintained(world), maintained(world), maintained(world)
    stored(ok, TODAY - timedelta(days=3))
    stored(late, TODAY - timedelta(days=30))
    (score,) = [s for s in company_scores(on=TODAY) if s.company == world.orgs["maint"]]
    assert (score.elevators, score.no_record, score.on_time, score.overdue) == (3, 1, 1, 1)
    assert score.on_time_rate == Decimal("0.5000") and score.records == 2


def test_the_same_photo_on_a_second_record_flags_it(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the uploads stay in the test's own folder
    from django.core.files.uploadedfile import SimpleUploadedFile

    elevator = maintained(world)
    first = record(world, elevator, "W-1", **GOOD)
    second = record(
        world, elevator, "W-2", **{**GOOD, "worker_certificate": "X", "second_worker_certificate": "Y"}
    )
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 64
    client = browser(world, "maint")
    for rec in (first, second):
        photo = SimpleUploadedFile("car.jpg", jpeg, content_type="image/jpeg")
        response = client.post(
            f"/maintenance/records/{rec.pk}/", {"file": photo, "spot": "car_top", "moment": "before"}
        )
        assert response.status_code == 302
    assert (flags(first), flags(second)) == ([], ["photo_reused"])
    refused = client.post(
        f"/maintenance/records/{first.pk}/", {"file": SimpleUploadedFile("a.html", b"<html>")}
    )
    assert refused.status_code == 200 and "JPEG" in refused.content.decode()
    assert first.attachments.count() == 1
    other = browser(world, "district").post(
        f"/maintenance/records/{first.pk}/", {"file": SimpleUploadedFile("b.jpg", jpeg)}
    )
    assert other.status_code == 403
