"""/api/v1/rescues/ and /api/v1/claim-proposals/ through the generic endpoint tests, and the
rescue writes: single (by equipment or rescue code) and bulk, idempotent by the reporter's number."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from insurance.models import ProductVersion
from maintenance.models import ClaimProposal, RescueIncident
from maintenance.services.claim_proposals import claim_proposal_decline
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy
from tests.maintenance.conftest_rescues import alarm_time, make_cast, trapped_payout_version
from tests.utils.api import ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db
RESCUES = "/api/v1/rescues/"
BULK = f"{RESCUES}bulk/"


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def world(cast):
    return cast.world


def iso(moment) -> str:
    return moment.isoformat()


def maintained_elevator(world):
    return ElevatorFactory(
        district=world.fancheng, maintenance_company=world.orgs["maint"], user_unit=world.orgs["pm_fancheng"]
    )


class TestRescuesEndpoint(ReadEndpointTests):
    url = RESCUES
    viewer = "maint"
    anonymous_calls = ("GET ", "GET {pk}/", "POST ", "POST bulk/")

    @pytest.fixture
    def scene(self, cast):
        alarm = alarm_time()
        early = alarm - timedelta(days=20)
        quick, _ = cast.record(
            "maint", alarm_at=alarm, arrived_at=alarm + timedelta(minutes=12), tier="maintenance_company"
        )
        late, _ = cast.record(
            "maint", cast.xiang, alarm_at=early, arrived_at=early + timedelta(minutes=31), tier="grid_station"
        )
        hidden, _ = cast.record("city", cast.other, alarm_at=alarm)
        day, early_day = timezone.localdate(alarm), timezone.localdate(early)
        return Scene(
            visible=[quick, late],
            hidden=hidden,
            filters=[
                ({"tier": "grid_station"}, [late]),
                ({"within_limit": "true"}, [quick]),
                ({"within_limit": "false"}, [late]),
                ({"district": cast.world.fancheng.pk}, [quick]),
                ({"equipment_code": cast.xiang.equipment_code.lower()}, [late]),
                ({"rescue_code": cast.fan.rescue_code}, [quick]),
                ({"alarm_from": day.isoformat()}, [quick]),
                ({"alarm_to": early_day.isoformat()}, [late]),
                ({"alarm_from": early_day.isoformat(), "alarm_to": early_day.isoformat()}, [late]),
            ],
        )

    def make_visible(self, world, count):
        from maintenance.services.rescues import rescue_record

        elevator = maintained_elevator(world)
        made = []
        for n in range(count):
            data = {
                "rescue_number": f"MV-{RescueIncident.objects.count()}-{n}",
                "equipment_code": elevator.equipment_code,
            }
            made.append(
                rescue_record(
                    user=world.users["maint"], data={**data, "alarm_at": alarm_time() - timedelta(hours=n)}
                )[0]
            )
        return made


class TestClaimProposalsEndpoint(ReadEndpointTests):
    url = "/api/v1/claim-proposals/"
    viewer = "insurer_a"
    anonymous_calls = ("GET ", "GET {pk}/", "POST {pk}/confirm/", "POST {pk}/decline/")

    @pytest.fixture
    def scene(self, cast):
        first, _ = cast.trapped("maint", 45)
        second, _ = cast.trapped("maint", 75)
        version_b = trapped_payout_version(cast.world.orgs["insurer_b"], code="JYB")
        policy(version_b, [cast.xiang], start=timezone.localdate() - timedelta(days=60))
        hidden, _ = cast.trapped("maint", 45, elevator=cast.xiang)
        declined = claim_proposal_decline(
            user=cast.world.users["insurer_a"], proposal=ClaimProposal.objects.get(rescue=second), note="重复"
        )
        return Scene(
            visible=[ClaimProposal.objects.get(rescue=first), declined],
            hidden=ClaimProposal.objects.get(rescue=hidden),
            filters=[
                ({"status": "declined"}, [declined]),
                ({"status": "proposed"}, [ClaimProposal.objects.get(rescue=first)]),
            ],
        )

    def make_visible(self, world, count):
        from maintenance.services.rescues import rescue_record

        version = ProductVersion.objects.filter(product__insurer=world.orgs["insurer_a"]).first()
        elevators = [maintained_elevator(world) for _ in range(count)]
        policy(version, elevators, start=timezone.localdate() - timedelta(days=30))
        alarm = alarm_time()
        for n, elevator in enumerate(elevators):
            rescue_record(
                user=world.users["maint"],
                data={
                    "rescue_number": f"PV-{n}-{elevator.pk}",
                    "equipment_code": elevator.equipment_code,
                    "alarm_at": alarm,
                    "released_at": alarm + timedelta(minutes=40),
                    "people_trapped": 1,
                },
            )
        return list(ClaimProposal.objects.filter(rescue__elevator__in=elevators))


# --- writes ---------------------------------------------------------------------------------------


def item(elevator, number, **fields):
    alarm = alarm_time()
    return {
        "rescue_number": number,
        "equipment_code": elevator.equipment_code,
        "alarm_at": iso(alarm),
        "arrived_at": iso(alarm + timedelta(minutes=25)),
        **fields,
    }


def test_a_single_rescue_by_rescue_code_is_201_then_200(cast):
    client = with_key(cast.world, "maint")
    body = {"rescue_number": "JY-1", "rescue_code": cast.fan.rescue_code, "alarm_at": iso(alarm_time())}
    created = client.post(RESCUES, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["equipment_code"] == cast.fan.equipment_code
    assert created.json()["arrived_within_limit"] is None
    again = client.post(RESCUES, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]


def test_a_single_rescue_needs_a_code_and_the_elevator_must_be_the_reporters(cast):
    client = with_key(cast.world, "maint")
    missing = client.post(RESCUES, {"rescue_number": "JY-2", "alarm_at": iso(alarm_time())}, format="json")
    assert missing.status_code == 400 and "equipment_code" in missing.json()
    other = client.post(RESCUES, item(cast.other, "JY-3"), format="json")
    assert other.status_code == 400
    assert RescueIncident.objects.count() == 0


@pytest.mark.parametrize("key", ["insurer_a", "pm_fancheng", "nfra"])
def test_other_kinds_are_refused_with_403(cast, key):
    client = with_key(cast.world, key)
    assert client.post(RESCUES, item(cast.fan, "JY-4"), format="json").status_code == 403
    assert client.post(BULK, {"rescues": [item(cast.fan, "JY-4")]}, format="json").status_code == 403


def test_bulk_is_idempotent_by_the_reporters_number_with_a_result_per_item(cast):
    client = with_key(cast.world, "maint")
    items = [
        item(cast.fan, "B-1", people_trapped=1),
        item(cast.xiang, "B-2", equipment_code="", rescue_code=cast.xiang.rescue_code),
        item(cast.other, "B-3"),  # not the company's
        {"rescue_number": "B-4", "equipment_code": cast.fan.equipment_code},  # no alarm time
        {"equipment_code": cast.fan.equipment_code, "alarm_at": "yesterday"},  # shape
    ]
    first = client.post(BULK, {"rescues": items}, format="json")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 3}
    assert [r["outcome"] for r in body["results"]] == ["created", "created", "refused", "refused", "refused"]
    assert [r["key"] for r in body["results"]][:4] == ["B-1", "B-2", "B-3", "B-4"]
    assert "equipment_code" in body["results"][2]["errors"] and "alarm_at" in body["results"][3]["errors"]
    ids = {r["key"]: r["id"] for r in body["results"][:2]}
    assert set(RescueIncident.objects.values_list("pk", flat=True)) == set(ids.values())
    again = client.post(BULK, {"rescues": items}, format="json").json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "refused": 3}
    assert [r["id"] for r in again["results"][:2]] == [ids["B-1"], ids["B-2"]]
    changed = client.post(BULK, {"rescues": [{**items[0], "people_trapped": 2}]}, format="json").json()
    assert changed["counts"]["updated"] == 1
    assert RescueIncident.objects.get(pk=ids["B-1"]).people_trapped == 2
    assert RescueIncident.objects.count() == 2


def test_bulk_writes_are_audited_one_entry_per_new_rescue(cast):
    client = with_key(cast.world, "maint")
    client.post(BULK, {"rescues": [item(cast.fan, "A-1"), item(cast.xiang, "A-2")]}, format="json")
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(RescueIncident))
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 2
    assert all(entry.additional_data for entry in entries)  # the API key is named


def test_a_number_repeated_in_one_batch_is_stored_once_then_updated(cast):
    client = with_key(cast.world, "maint")
    alarm = alarm_time()
    items = [
        item(cast.fan, "R-1"),
        item(cast.fan, "R-1", released_at=iso(alarm + timedelta(minutes=50)), people_trapped=1),
    ]
    body = client.post(BULK, {"rescues": items}, format="json").json()
    assert [r["outcome"] for r in body["results"]] == ["created", "updated"]
    assert body["results"][0]["id"] == body["results"][1]["id"]
    rescue = RescueIncident.objects.get()
    assert rescue.minutes_trapped == 50
    assert ClaimProposal.objects.get(rescue=rescue).amount == 200


def test_bulk_proposes_claims_like_single_saves(cast):
    alarm = alarm_time()
    long = item(cast.fan, "P-1", released_at=iso(alarm + timedelta(minutes=75)), people_trapped=3)
    with_key(cast.world, "maint").post(BULK, {"rescues": [long]}, format="json")
    with_key(cast.world, "maint").post(BULK, {"rescues": [long]}, format="json")
    assert list(ClaimProposal.objects.values_list("amount", flat=True)) == [1200]


@pytest.mark.parametrize("body", [{"rescues": []}, {"records": [{}]}, [], {"rescues": "x"}])
def test_a_bulk_body_of_the_wrong_shape_is_400(cast, body):
    assert with_key(cast.world, "maint").post(BULK, body, format="json").status_code == 400


def test_more_than_1000_items_are_refused_whole(cast):
    items = [item(cast.fan, f"M-{n}") for n in range(1001)]
    response = with_key(cast.world, "maint").post(BULK, {"rescues": items}, format="json")
    assert response.status_code == 400
    assert RescueIncident.objects.count() == 0


def test_1000_items_are_taken(cast):
    items = [item(cast.fan, f"K-{n}") for n in range(1000)]
    response = with_key(cast.world, "maint").post(BULK, {"rescues": items}, format="json")
    assert response.json()["counts"]["created"] == 1000


@pytest.mark.parametrize(
    ("key", "count"),
    [
        ("city", 3),
        ("district", 1),
        ("maint", 2),
        ("insurer_a", 1),
        ("pm_fancheng", 1),
        ("nfra", 0),
        ("housing", 3),
    ],
)
def test_who_sees_which_rescues(cast, key, count):
    cast.record("maint")
    cast.record("maint", cast.xiang)
    cast.record("city", cast.other)
    assert len(session(cast.world, key).get(RESCUES).json()["results"]) == count


def test_a_batch_of_new_rescues_costs_the_same_queries_for_5_and_50(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = with_key(cast.world, "maint")
    client.post(BULK, {"rescues": [item(cast.fan, "W-0")]}, format="json")  # one-off work of a first call

    def queries(prefix: str, count: int) -> int:
        items = [item(cast.fan if n % 2 else cast.xiang, f"{prefix}-{n}") for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            body = client.post(BULK, {"rescues": items}, format="json").json()
        assert body["counts"]["created"] == count
        return len(captured)

    assert queries("S", 5) == queries("L", 50)
