"""The hazards API: /api/v1/hazards/, its rectify and close actions and /bulk/ — the generic
endpoint tests, visibility per organisation kind, who may do what (exact status codes), bulk
idempotency."""

import pytest
from auditlog.models import LogEntry
from django.core import mail

from accounts.models import Notice
from maintenance.models import Hazard
from tests.maintenance.conftest_hazards import FOUND, make_cast
from tests.utils.api import ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

HAZARDS = "/api/v1/hazards/"
BULK = "/api/v1/hazards/bulk/"
SERIOUS = {"severity": "serious", "criterion": "governor_safety_gear_failed"}


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def world(cast):
    return cast.world


def item(elevator, number="YH-1", **fields):
    return {
        "hazard_number": number,
        "equipment_code": elevator.equipment_code,
        "found_on": FOUND.isoformat(),
        "severity": "general",
        "description": "底坑积水",
        **fields,
    }


class TestHazardsEndpoint(ReadEndpointTests):
    """A maintenance company sees the hazards of the elevators it maintains and its own reports."""

    url = HAZARDS
    viewer = "maint"
    anonymous_calls = ("GET ", "GET {pk}/", "POST ", "POST bulk/", "POST {pk}/rectify/", "POST {pk}/close/")

    @pytest.fixture
    def scene(self, cast):
        fan_general = cast.report("insurer_a", deadline=FOUND)[0]
        fan_serious = cast.report("maint", **SERIOUS, description="限速器动作异常")[0]
        xiang_closed = cast.report("maint", elevator=cast.xiang, found_on=FOUND.replace(day=1))[0]
        Hazard.objects.filter(pk=xiang_closed.pk).update(status="closed")
        hidden = cast.report("city", elevator=cast.other)[0]
        return Scene(
            visible=[fan_general, fan_serious, xiang_closed],
            hidden=hidden,
            filters=[
                ({"severity": "serious"}, [fan_serious]),
                ({"criterion": "governor_safety_gear_failed"}, [fan_serious]),
                ({"status": "closed"}, [xiang_closed]),
                ({"district": cast.world.fancheng.pk}, [fan_general, fan_serious]),
                ({"overdue": "true"}, [fan_general]),
                ({"overdue": "false"}, [fan_serious, xiang_closed]),
                ({"found_after": FOUND.isoformat()}, [fan_general, fan_serious]),
                ({"found_before": FOUND.replace(day=1).isoformat()}, [xiang_closed]),
                ({"equipment_code": cast.xiang.equipment_code}, [xiang_closed]),
            ],
        )

    def make_visible(self, world, count):
        cast = world.cast_for_tests
        return [cast.report("maint")[0] for _ in range(count)]

    @pytest.fixture(autouse=True)
    def _keep_cast(self, cast):
        cast.world.cast_for_tests = cast


@pytest.mark.parametrize(
    ("key", "sees"),
    [
        ("city", ["fan-i", "fan-m", "other-c", "xiang-m"]),
        ("district", ["fan-i", "fan-m"]),
        ("insurer_a", ["fan-i", "fan-m"]),
        ("insurer_b", []),
        ("maint", ["fan-i", "fan-m", "xiang-m"]),
        ("pm_fancheng", ["fan-i", "fan-m"]),
        ("pm_xiangcheng", ["xiang-m"]),
        ("housing", ["fan-i", "fan-m", "other-c", "xiang-m"]),  # residential elevators are its sector
        ("finance", []),
        ("nfra", []),
    ],
)
def test_visibility_per_kind(cast, key, sees):
    cast.report("insurer_a", hazard_number="fan-i")
    cast.report("maint", hazard_number="fan-m")
    cast.report("maint", elevator=cast.xiang, hazard_number="xiang-m")
    cast.report("city", elevator=cast.other, hazard_number="other-c")
    body = with_key(cast.world, key).get(HAZARDS).json()
    assert sorted(row["hazard_number"] for row in body["results"]) == sees


def test_report_over_the_api_created_then_unchanged(cast):
    client = with_key(cast.world, "maint")
    first = client.post(HAZARDS, item(cast.fan), format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["found_by"], body["status"], body["equipment_code"]) == (
        "maintenance",
        "open",
        cast.fan.equipment_code,
    )
    assert [step["status"] for step in body["steps"]] == ["open"]
    assert client.post(HAZARDS, item(cast.fan), format="json").status_code == 200
    assert Hazard.objects.count() == 1


@pytest.mark.parametrize(("key", "status_code"), [("pm_fancheng", 403), ("housing", 403), ("nfra", 403)])
def test_other_kinds_may_not_report(cast, key, status_code):
    assert with_key(cast.world, key).post(HAZARDS, item(cast.fan), format="json").status_code == status_code
    assert (
        with_key(cast.world, key).post(BULK, {"hazards": [item(cast.fan)]}, format="json").status_code == 403
    )


def test_refusals_are_400_with_the_field(cast):
    client = with_key(cast.world, "maint")
    serious_without = client.post(HAZARDS, item(cast.fan, severity="serious"), format="json")
    assert (serious_without.status_code, serious_without.json()["field"]) == (400, "criterion")
    unseen = client.post(HAZARDS, item(cast.other), format="json")
    assert (unseen.status_code, unseen.json()["field"]) == (400, "equipment_code")
    bad_choice = client.post(HAZARDS, item(cast.fan, severity="fatal"), format="json")
    assert bad_choice.status_code == 400 and "severity" in bad_choice.json()


def test_rectify_and_close_through_the_actions_with_exact_status_codes(cast):
    hazard = cast.report("insurer_a")[0]
    rectify, close = f"{HAZARDS}{hazard.pk}/rectify/", f"{HAZARDS}{hazard.pk}/close/"
    world = cast.world
    # Sees it but may not rectify: 403; does not see it: 404; not rectified yet: 400.
    assert (
        session(world, "district").post(rectify, {"status": "rectifying"}, format="json").status_code == 403
    )
    assert (
        session(world, "insurer_b").post(rectify, {"status": "rectifying"}, format="json").status_code == 404
    )
    assert session(world, "district").post(close, {}, format="json").status_code == 400
    no_text = session(world, "maint").post(rectify, {"status": "rectified"}, format="json")
    assert (no_text.status_code, no_text.json()["field"]) == (400, "rectification")
    done = session(world, "pm_fancheng").post(
        rectify, {"status": "rectified", "rectification": "排水并封堵"}, format="json"
    )
    assert (done.status_code, done.json()["status"]) == (200, "rectified")
    assert session(world, "maint").post(close, {}, format="json").status_code == 403
    assert session(world, "pm_xiangcheng").post(close, {}, format="json").status_code == 404
    back = session(world, "district").post(close, {"send_back": True, "note": "未见照片"}, format="json")
    assert (back.status_code, back.json()["status"]) == (200, "rectifying")
    session(world, "maint").post(rectify, {"status": "rectified", "rectification": "补照片"}, format="json")
    closed = session(world, "city").post(close, {}, format="json")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert [s["status"] for s in closed.json()["steps"]] == [
        "open",
        "rectified",
        "rectifying",
        "rectified",
        "closed",
    ]
    assert session(world, "city").post(close, {}, format="json").status_code == 400


def test_bulk_is_idempotent_and_audited(cast, django_capture_on_commit_callbacks):
    client = with_key(cast.world, "maint")
    items = [
        item(cast.fan, "B-1"),
        item(cast.xiang, "B-2", **SERIOUS),
        item(cast.other, "B-3"),  # not its elevator
        item(cast.fan, "B-4", severity="serious"),  # no criterion
        {"hazard_number": "B-5"},  # shape
    ]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(BULK, {"hazards": items}, format="json")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 3}
    assert [r["outcome"] for r in body["results"]] == ["created", "created", "refused", "refused", "refused"]
    assert body["results"][2]["errors"] == {
        "equipment_code": [f"未找到设备代码为 {cast.other.equipment_code} 的电梯，或您无权查看。"]
    }
    assert list(body["results"][3]["errors"]) == ["criterion"]
    created = Hazard.objects.get(hazard_number="B-1")
    assert body["results"][0]["id"] == created.pk
    entries = LogEntry.objects.get_for_object(created)
    assert [(e.action, e.actor_id) for e in entries] == [(LogEntry.Action.CREATE, None)]
    assert created.steps.count() == 1
    # The serious one (襄城区: no district regulator in this world) went to the city regulator.
    assert Notice.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(BULK, {"hazards": items[:2]}, format="json").json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}
    assert [r["id"] for r in again["results"]] == [r["id"] for r in body["results"][:2]]
    changed = client.post(
        BULK, {"hazards": [item(cast.fan, "B-1", description="底坑积水严重")]}, format="json"
    )
    assert changed.json()["counts"]["updated"] == 1
    assert Hazard.objects.count() == 2 and Notice.objects.count() == 1 and len(mail.outbox) == 1


def test_bulk_limits(cast):
    client = with_key(cast.world, "maint")
    assert client.post(BULK, {"hazards": []}, format="json").status_code == 400
    too_many = [item(cast.fan, f"N-{n}") for n in range(1001)]
    assert client.post(BULK, {"hazards": too_many}, format="json").status_code == 400
    assert Hazard.objects.count() == 0
