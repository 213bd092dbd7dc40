"""The services API: /api/v1/services/, /bulk/ and /{id}/attachments/ — wiring, permissions,
isolation per organisation kind, filters, and the generic endpoint tests."""

from datetime import date, timedelta

import pytest

from maintenance.models import Attachment, ServiceRecord
from tests.maintenance.conftest_service_records import IN_COVER, make_cast, service_of
from tests.utils.api import ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/services/"
BULK = "/api/v1/services/bulk/"
PDF = b"%PDF-1.4\n" + b"0" * 50


@pytest.fixture
def world(world):
    world.cast = make_cast(world)
    return world


def item(world, number="S-1", **fields):
    return {
        "service_number": number,
        "kind": "usage_monitoring",
        "equipment_code": world.cast.covered.equipment_code,
        "performed_on": IN_COVER.isoformat(),
        **fields,
    }


class TestServicesEndpoint(ReadEndpointTests):
    """An insurer sees its own services and no other insurer's."""

    url = SERVICES
    viewer = "insurer_a"
    anonymous_calls = ("GET ", "GET {pk}/", "POST ", "POST bulk/", "POST {pk}/attachments/")

    @pytest.fixture
    def scene(self, world):
        cast = world.cast
        usage = service_of(cast, "A-1")
        quality = service_of(
            cast, "A-2", kind="maintenance_quality", quality_score=80, performed_on=date(2026, 5, 1)
        )
        site = service_of(
            cast,
            "A-3",
            kind="training",
            site_name="培训中心",
            policy_number=cast.policy_a.number,
            equipment_codes=[],
        )
        hidden = service_of(cast, "B-1", insurer="insurer_b")
        return Scene(
            visible=[usage, quality, site],
            hidden=hidden,
            filters=[
                ({"kind": "maintenance_quality"}, [quality]),
                ({"equipment_code": cast.covered.equipment_code}, [usage, quality]),
                ({"performed_after": "2026-04-01"}, [quality]),
                ({"performed_before": "2026-04-01"}, [usage, site]),
                ({"policy_number": cast.policy_a.number}, [usage, quality]),
                ({"service_number": "A-3"}, [site]),
            ],
        )

    def make_visible(self, world, count):
        return [service_of(world.cast, f"M-{ServiceRecord.objects.count()}-{n}") for n in range(count)]


@pytest.mark.parametrize(
    ("key", "sees"),
    [
        ("insurer_a", ["A-1"]),
        ("insurer_b", ["B-1"]),
        ("city", ["A-1", "B-1"]),
        ("district", ["A-1", "B-1"]),  # both elevators are in 樊城区
        ("pm_fancheng", ["A-1", "B-1"]),
        ("maint", ["A-1", "B-1"]),
        ("pm_xiangcheng", []),
        ("finance", []),
    ],
)
def test_who_sees_which_service(world, key, sees):
    service_of(world.cast, "A-1")
    service_of(world.cast, "B-1", insurer="insurer_b")
    body = with_key(world, key).get(SERVICES).json()
    assert sorted(row["service_number"] for row in body["results"]) == sees


def test_create_answers_201_then_200_and_the_policy_per_elevator(world):
    client = with_key(world, "insurer_a")
    response = client.post(SERVICES, item(world, findings="曳引机异响"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["elevators"] == [
        {
            "elevator": world.cast.covered.pk,
            "equipment_code": world.cast.covered.equipment_code,
            "policy": world.cast.policy_a.pk,
            "policy_number": world.cast.policy_a.number,
        }
    ]
    assert client.post(SERVICES, item(world, findings="曳引机异响"), format="json").status_code == 200


def test_a_service_under_a_liability_policy_is_a_400_naming_the_elevator(world):
    code = world.cast.liability_only.equipment_code
    response = with_key(world, "insurer_a").post(SERVICES, item(world, equipment_code=code), format="json")
    assert response.status_code == 400
    assert response.json()["elevators"] == [code]
    assert code in response.json()["detail"]


@pytest.mark.parametrize("key", ["maint", "city", "pm_fancheng"])
def test_only_insurers_write(world, key):
    response = with_key(world, key).post(SERVICES, item(world), format="json")
    assert response.status_code == 403


def test_required_fields_are_named(world):
    response = with_key(world, "insurer_a").post(SERVICES, {"kind": "training"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"service_number", "performed_on"}


def test_bulk_is_idempotent_with_a_result_per_item(world):
    client = with_key(world, "insurer_a")
    items = [
        item(world, "B-1"),
        item(world, "B-2", equipment_code=world.cast.other_covered.equipment_code),
        {"service_number": "B-3", "kind": "training", "performed_on": "2026-03-10", "site_name": "培训中心"},
        item(world, "B-4", equipment_codes=[world.cast.covered.equipment_code], equipment_code=None),
    ]
    items[3].pop("equipment_code")
    first = client.post(BULK, {"services": items}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 2}
    outcomes = [(r["key"], r["outcome"]) for r in first.json()["results"]]
    assert outcomes == [("B-1", "created"), ("B-2", "refused"), ("B-3", "refused"), ("B-4", "created")]
    assert first.json()["results"][1]["details"] == {"elevators": [world.cast.other_covered.equipment_code]}
    # A bulk item always names its elevator, even with a site.
    assert first.json()["results"][2]["errors"] == {"equipment_code": ["请填写电梯的设备代码。"]}
    again = client.post(BULK, {"services": items}, format="json").json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "refused": 2}
    assert ServiceRecord.objects.count() == 2


def test_bulk_refuses_more_than_1000_and_a_wrong_body(world):
    client = with_key(world, "insurer_a")
    assert (
        client.post(
            BULK, {"services": [item(world, f"S-{n}") for n in range(1001)]}, format="json"
        ).status_code
        == 400
    )
    assert client.post(BULK, {"records": []}, format="json").status_code == 400
    assert ServiceRecord.objects.count() == 0


def test_upload_an_attachment(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    service = service_of(world.cast, "A-1")
    url = f"{SERVICES}{service.pk}/attachments/"
    client = session(world, "insurer_a")
    response = client.post(url, {"file": _file("report.pdf", PDF)}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/pdf"
    refused = client.post(url, {"file": _file("a.jpg", b"<html></html>")}, format="multipart")
    assert refused.status_code == 400
    # Another insurer does not see the service; its maintenance company sees it but may not add.
    assert (
        session(world, "insurer_b").post(url, {"file": _file("r.pdf", PDF)}, format="multipart").status_code
        == 404
    )
    assert (
        session(world, "maint").post(url, {"file": _file("r.pdf", PDF)}, format="multipart").status_code
        == 403
    )
    assert Attachment.objects.count() == 1
    detail = client.get(f"{SERVICES}{service.pk}/").json()
    assert [a["content_type"] for a in detail["attachments"]] == ["application/pdf"]


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_dates_far_off_are_refused_by_shape(world):
    far = (date.today() + timedelta(days=3650)).isoformat()
    response = with_key(world, "insurer_a").post(SERVICES, item(world, performed_on=far), format="json")
    assert response.status_code == 400
