"""The registry API: /api/v1/elevators/ and /api/v1/inspections/ — wiring, permissions and shape."""

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from elevators.models import Elevator, Inspection, LifecycleEvent, PlaceCategory
from elevators.services import elevator_follow_latest_inspection
from tests.elevators.factories import ElevatorFactory, InspectionFactory
from tests.elevators.test_visibility import cover
from tests.factories import OrganisationFactory, credit_code_for
from tests.utils.api import ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

ELEVATORS = "/api/v1/elevators/"
INSPECTIONS = "/api/v1/inspections/"

# What an insurer reads about an elevator it does not cover yet (DESIGN.md section 2), written out.
QUOTE_KEYS = {
    "equipment_code",
    "category",
    "category_display",
    "group",
    "group_display",
    "district",
    "district_name",
    "place_category",
    "place_category_name",
    "installed_on",
    "status",
    "status_display",
    "in_scope",
    "next_inspection_due",
    "user_unit",
    "user_unit_name",
    "owner",
    "owner_name",
}


def place(code: str) -> PlaceCategory:
    return PlaceCategory.objects.get(code=code)


def fancheng_elevator(world, **fields) -> Elevator:
    """An elevator of 樊城区 used and owned by pm_fancheng, maintained by maint."""
    defaults = {
        "district": world.fancheng,
        "user_unit": world.orgs["pm_fancheng"],
        "owner": world.orgs["pm_fancheng"],
        "maintenance_company": world.orgs["maint"],
    }
    return ElevatorFactory(**{**defaults, **fields})


def new_elevator_payload(world, **overrides) -> dict:
    payload = {
        "equipment_code": "3110 42001 2019 00077",
        "registration_number": "梯11鄂F00077(19)",
        "registered_on": "2019-08-01",
        "category": "3110",
        "installed_on": "2019-06-01",
        "site_name": "汉江花园",
        "address": "樊城区汉江路77号",
        "district": "420606",
        "place_category": "RESIDENTIAL",
        "user_unit": world.orgs["pm_fancheng"].credit_code,
        "owner": world.orgs["pm_fancheng"].credit_code,
        "maintenance_company": world.orgs["maint"].credit_code,
    }
    payload.update(overrides)
    return payload


# --- the endpoints as every endpoint is tested (tests/utils/api.py) ------------------------------


class TestElevatorsEndpoint(ReadEndpointTests):
    """The district regulator of 樊城区 sees its district's registry."""

    url = ELEVATORS
    viewer = "district"
    anonymous_calls = (
        "GET ",
        "GET {pk}/",
        "GET {pk}/timeline/",
        "GET by-code/311042001201500001/",
        "POST ",
        "PATCH {pk}/",
    )

    @pytest.fixture
    def scene(self, world):
        home = fancheng_elevator(world)
        suspended = fancheng_elevator(world, status="suspended")
        escalator = fancheng_elevator(world, category="3310")
        return Scene(
            visible=[home, suspended, escalator],
            hidden=ElevatorFactory(district=world.xiangcheng),
            filters=[
                ({"status": "suspended"}, [suspended]),
                ({"group": "escalator"}, [escalator]),
                ({"equipment_code": home.equipment_code}, [home]),
            ],
        )

    def make_visible(self, world, count):
        return [fancheng_elevator(world) for _ in range(count)]


class TestInspectionsEndpoint(ReadEndpointTests):
    url = INSPECTIONS
    viewer = "district"
    anonymous_calls = ("GET ", "GET {pk}/", "POST ", "PATCH {pk}/")

    @pytest.fixture
    def scene(self, world):
        own = fancheng_elevator(world)
        passed = InspectionFactory(elevator=own, result="pass")
        failed = InspectionFactory(elevator=own, result="fail", kind="self", next_due=None)
        return Scene(
            visible=[passed, failed],
            hidden=InspectionFactory(elevator=ElevatorFactory(district=world.xiangcheng)),
            filters=[({"result": "fail"}, [failed]), ({"kind": "periodic"}, [passed])],
        )

    def make_visible(self, world, count):
        return [InspectionFactory(elevator=fancheng_elevator(world)) for _ in range(count)]


# --- lists, filters ------------------------------------------------------------------------------


def test_list_shows_only_what_the_caller_sees(world):
    own = fancheng_elevator(world)
    ElevatorFactory(district=world.xiangcheng)  # someone else's
    response = session(world, "pm_fancheng").get(ELEVATORS)
    assert [row["id"] for row in response.json()["results"]] == [own.pk]
    assert session(world, "insurer_a").get(ELEVATORS).json()["results"] == []


@pytest.fixture
def filter_registry(world):
    """Four elevators that differ in every filtered fact, keyed by their address."""
    today = timezone.localdate()
    fancheng_elevator(world, address="甲", place_category=place("RESIDENTIAL"), category="3110")
    fancheng_elevator(
        world,
        address="乙",
        district=world.xiangcheng,
        place_category=place("MALL"),
        category="3310",
        status=Elevator.Status.SUSPENDED,
    )
    fancheng_elevator(
        world,
        address="丙",
        place_category=place("HOSPITAL"),
        category="3320",
        installed_on=date(2000, 1, 1),
        next_inspection_due=today - timedelta(days=1),
    )
    fancheng_elevator(
        world,
        address="人民路8号",
        district=world.xiangcheng,
        place_category=place("RESIDENTIAL"),
        category="3110",
        equipment_code="311042001201500A01",
        maintenance_company=None,
        user_unit=OrganisationFactory(name="幸福里物业"),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("district=420606", {"甲", "丙"}),
        ("district=420602", {"乙", "人民路8号"}),
        ("place_category=RESIDENTIAL", {"甲", "人民路8号"}),
        ("category=3320", {"丙"}),
        ("group=vertical", {"甲", "人民路8号"}),
        ("group=escalator", {"乙"}),
        ("group=moving_walkway", {"丙"}),
        ("status=suspended", {"乙"}),
        ("status=in_use", {"甲", "丙", "人民路8号"}),
        ("in_scope=true", {"甲", "人民路8号"}),
        ("in_scope=false", {"乙", "丙"}),
        ("old=true", {"丙"}),
        ("old=false", {"甲", "乙", "人民路8号"}),
        ("three_no=true", {"人民路8号"}),
        ("three_no=false", {"甲", "乙", "丙"}),
        ("q=人民路", {"人民路8号"}),
        ("q=幸福里", {"人民路8号"}),
        (f"q={quote('３１１０４２００１２０１５００ａ')}", {"人民路8号"}),
        (f"equipment_code={quote('311042001201500a01')}", {"人民路8号"}),
        ("district=420606&in_scope=true", {"甲"}),
        ("", {"甲", "乙", "丙", "人民路8号"}),
    ],
)
def test_each_filter_of_the_list_page_works(world, filter_registry, query, expected):
    response = session(world, "city").get(f"{ELEVATORS}?{query}")
    assert response.status_code == 200, response.content
    assert {row["address"] for row in response.json()["results"]} == expected


def test_a_bad_filter_value_is_a_400(world):
    response = session(world, "city").get(f"{ELEVATORS}?district=999999")
    assert response.status_code == 400
    assert "district" in response.json()


def test_the_list_costs_the_same_number_of_queries_for_3_or_30_elevators(world):
    client = session(world, "city")

    def queries_for_list():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{ELEVATORS}?page_size=100")
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    for _ in range(3):
        fancheng_elevator(world)
    few = queries_for_list()
    for _ in range(27):
        fancheng_elevator(world, user_unit=OrganisationFactory(), maintenance_company=None, owner=None)
    many = queries_for_list()
    assert (few[1], many[1]) == (3, 30)
    assert few[0] == many[0]


# --- detail, by code, timeline -------------------------------------------------------------------


def test_detail_has_every_fact_and_computed_flags(world):
    elevator = fancheng_elevator(world, installed_on=date(2001, 5, 1))
    response = session(world, "district").get(f"{ELEVATORS}{elevator.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["equipment_code"] == elevator.equipment_code
    assert body["code_form"] == "device"
    assert body["category"] == "3110"
    assert body["category_display"] == "曳引驱动乘客电梯"
    assert (body["group"], body["group_display"]) == ("vertical", "垂直电梯")
    assert (body["district"], body["district_name"]) == ("420606", "樊城区")
    assert (body["place_category"], body["place_category_name"]) == ("RESIDENTIAL", "住宅小区")
    assert body["user_unit"] == world.orgs["pm_fancheng"].credit_code
    assert body["user_unit_name"] == world.orgs["pm_fancheng"].name
    assert body["maintenance_company_name"] == world.orgs["maint"].name
    assert (body["status"], body["status_display"]) == ("in_use", "在用")
    assert (body["inspection_result"], body["inspection_result_display"]) == ("pass", "合格")
    assert (body["in_scope"], body["is_old"], body["is_three_no"]) == (True, True, False)


def test_detail_of_an_invisible_elevator_is_404(world):
    elevator = fancheng_elevator(world)
    assert session(world, "pm_xiangcheng").get(f"{ELEVATORS}{elevator.pk}/").status_code == 404
    assert session(world, "insurer_a").get(f"{ELEVATORS}{elevator.pk}/").status_code == 404
    assert session(world, "pm_fancheng").get(f"{ELEVATORS}{elevator.pk}/").status_code == 200


def test_lookup_by_code_accepts_full_width_lower_case_and_spaces(world):
    elevator = fancheng_elevator(world, equipment_code="311042001201500A01")
    typed = quote("３１１０ ４２００１ ２０１５ ００ａ０１")
    response = session(world, "pm_fancheng").get(f"{ELEVATORS}by-code/{typed}/")
    assert response.status_code == 200
    assert response.json()["id"] == elevator.pk
    assert "registration_number" in response.json()


def test_lookup_by_code_of_an_elevator_the_caller_cannot_see_is_404(world):
    elevator = fancheng_elevator(world)
    response = session(world, "pm_xiangcheng").get(f"{ELEVATORS}by-code/{elevator.equipment_code}/")
    assert response.status_code == 404
    assert session(world, "maint").get(f"{ELEVATORS}by-code/{elevator.equipment_code}/").status_code == 200


def test_an_insurer_looks_up_any_elevator_for_quoting_but_reads_only_the_quoting_facts(world):
    elevator = fancheng_elevator(world, installed_on=date(2012, 3, 1))
    client = with_key(world, "insurer_a")
    response = client.get(f"{ELEVATORS}by-code/{elevator.equipment_code.lower()}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == QUOTE_KEYS
    assert body["equipment_code"] == elevator.equipment_code
    assert (body["district"], body["place_category"], body["group"]) == ("420606", "RESIDENTIAL", "vertical")
    assert body["installed_on"] == "2012-03-01"
    assert body["in_scope"] is True
    assert body["next_inspection_due"] == elevator.next_inspection_due.isoformat()
    assert body["user_unit"] == body["owner"] == world.orgs["pm_fancheng"].credit_code
    assert body["owner_name"] == world.orgs["pm_fancheng"].name
    # ... and the lookup does not open the list or the detail.
    assert client.get(ELEVATORS).json()["results"] == []
    assert client.get(f"{ELEVATORS}{elevator.pk}/").status_code == 404
    assert client.get(f"{ELEVATORS}{elevator.pk}/timeline/").status_code == 404


def test_an_insurer_reads_the_full_record_of_an_elevator_it_covers(world):
    elevator = fancheng_elevator(world)
    cover(elevator, insurer=world.orgs["insurer_a"])
    client = with_key(world, "insurer_a")
    body = client.get(f"{ELEVATORS}by-code/{elevator.equipment_code}/").json()
    assert body["id"] == elevator.pk
    assert set(body) > QUOTE_KEYS


def test_lookup_of_an_unknown_or_malformed_code(world):
    client = with_key(world, "insurer_a")
    assert client.get(f"{ELEVATORS}by-code/311042001201599999/").status_code == 404
    response = client.get(f"{ELEVATORS}by-code/1.1E+19/")
    assert response.status_code == 400
    assert "科学计数法" in response.json()["code"][0]


# --- writes --------------------------------------------------------------------------------------


def test_city_regulator_registers_an_elevator_with_an_api_key(world):
    client = with_key(world, "city")
    payload = new_elevator_payload(
        world,
        equipment_code="３１１０ ４２００１ ２０１９ ０００ｂ７",
        registration_number="梯11鄂f00077（19）",
        category="曳引驱动乘客电梯",
        place_category="住宅小区",
        user_unit=" ".join(world.orgs["pm_fancheng"].credit_code.lower()),
    )
    response = client.post(ELEVATORS, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["equipment_code"] == "3110420012019000B7"
    assert body["code_form"] == "device"
    assert body["registration_number"] == "梯11鄂F00077(19)"
    assert (body["category"], body["place_category"]) == ("3110", "RESIDENTIAL")
    assert body["user_unit"] == world.orgs["pm_fancheng"].credit_code
    # Not inspected yet: not in scope.
    assert (body["next_inspection_due"], body["in_scope"]) == (None, False)

    elevator = Elevator.objects.get(pk=body["id"])
    timeline = client.get(f"{ELEVATORS}{elevator.pk}/timeline/").json()
    assert [entry["kind"] for entry in timeline] == ["registration"]
    assert timeline[0]["on"] == "2019-08-01"
    assert "梯11鄂F00077(19)" in timeline[0]["detail"]

    entry = LogEntry.objects.get_for_object(elevator).get(action=LogEntry.Action.CREATE)
    assert entry.actor_email == f"api-key:{client.api_key.prefix}"


def test_district_regulator_registers_only_in_its_district(world):
    client = session(world, "district")
    own = client.post(ELEVATORS, new_elevator_payload(world), format="json")
    assert own.status_code == 201, own.json()
    other = client.post(
        ELEVATORS,
        new_elevator_payload(world, equipment_code="311042001201900078", district="420602"),
        format="json",
    )
    assert other.status_code == 403
    assert not Elevator.objects.filter(equipment_code="311042001201900078").exists()


@pytest.mark.parametrize("kind", ["insurer_a", "pm_fancheng", "maint", "housing", "nfra", "finance"])
def test_nobody_else_registers_elevators(world, kind):
    client = with_key(world, kind)
    response = client.post(ELEVATORS, new_elevator_payload(world), format="json")
    assert response.status_code == 403
    assert "市场监管" in response.json()["detail"]
    assert not Elevator.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"equipment_code": "1.1E+19"}, "equipment_code", "科学计数法"),
        ({"equipment_code": 1.1e19}, "equipment_code", "科学计数法"),
        ({"equipment_code": "31104200120190007"}, "equipment_code", "18位"),
        ({"equipment_code": "999942001201900077"}, "equipment_code", "电梯类别代码"),
        ({"category": "3310"}, "registration_number", "不一致"),
        ({"registration_number": "梯11京A00077(19)"}, "registration_number", "省份简称"),
        ({"registration_number": "11-00077"}, "registration_number", "格式不正确"),
        ({"category": "9999"}, "category", "未知的设备品种"),
        ({"district": "420699"}, "district", "未知的区县代码"),
        ({"place_category": "游乐园"}, "place_category", "未知的场所类别"),
        ({"user_unit": "91420600MA4XXXXX0X"}, "user_unit", "统一社会信用代码"),
        ({"user_unit": credit_code_for(999_999)}, "user_unit", "不存在"),
        ({"maintenance_company": "PM"}, "maintenance_company", "不是维保单位"),
    ],
)
def test_validation_errors_are_field_errors_in_chinese(world, overrides, field, words):
    if overrides.get("maintenance_company") == "PM":
        overrides = {"maintenance_company": world.orgs["pm_fancheng"].credit_code}
    response = session(world, "city").post(ELEVATORS, new_elevator_payload(world, **overrides), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field], errors
    assert words in errors[field][0], errors


def test_an_equipment_code_is_registered_once(world):
    existing = fancheng_elevator(world)
    payload = new_elevator_payload(world, equipment_code=existing.equipment_code.lower())
    response = session(world, "city").post(ELEVATORS, payload, format="json")
    assert response.status_code == 400
    assert "已经登记" in response.json()["equipment_code"][0]


def test_missing_required_facts_are_named(world):
    response = session(world, "city").post(ELEVATORS, {}, format="json")
    assert response.status_code == 400
    assert {"equipment_code", "category", "address", "district", "place_category"} <= set(response.json())


def test_status_change_joins_the_timeline(world):
    elevator = fancheng_elevator(world)
    client = session(world, "district")
    response = client.patch(f"{ELEVATORS}{elevator.pk}/", {"status": "suspended"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["in_scope"]) == ("suspended", False)
    timeline = client.get(f"{ELEVATORS}{elevator.pk}/timeline/").json()
    change = next(entry for entry in timeline if entry["kind"] == "status_change")
    assert change["on"] == timezone.localdate().isoformat()
    assert "在用 → 停用" in change["detail"]


def test_a_new_registration_number_joins_the_timeline(world):
    elevator = fancheng_elevator(world)
    old_number = elevator.registration_number
    response = session(world, "city").patch(
        f"{ELEVATORS}{elevator.pk}/", {"registration_number": "梯11鄂F09999(26)"}, format="json"
    )
    assert response.status_code == 200, response.json()
    event = LifecycleEvent.objects.get(elevator=elevator, kind="registration_change")
    assert event.reference == "梯11鄂F09999(26)"
    assert old_number in event.description


def test_changing_the_category_checks_the_registration_number_again(world):
    elevator = fancheng_elevator(world)
    response = session(world, "city").patch(f"{ELEVATORS}{elevator.pk}/", {"category": "3310"}, format="json")
    assert response.status_code == 400
    assert "不一致" in response.json()["registration_number"][0]


def test_put_of_an_unchanged_record_keeps_a_unit_without_credit_code(world):
    unit = OrganisationFactory(name="无代码物业", credit_code="")
    elevator = fancheng_elevator(world, user_unit=unit, owner=unit)
    client = session(world, "city")
    record = client.get(f"{ELEVATORS}{elevator.pk}/").json()
    assert record["user_unit"] == ""
    response = client.put(f"{ELEVATORS}{elevator.pk}/", record, format="json")
    assert response.status_code == 200, response.json()
    elevator.refresh_from_db()
    assert (elevator.user_unit, elevator.owner) == (unit, unit)
    assert not LifecycleEvent.objects.filter(elevator=elevator).exists()
    cleared = client.patch(f"{ELEVATORS}{elevator.pk}/", {"owner": None}, format="json")
    assert cleared.status_code == 200
    assert cleared.json()["owner"] is None


def test_read_only_facts_cannot_be_written(world):
    elevator = fancheng_elevator(world)
    due = elevator.next_inspection_due
    response = session(world, "city").patch(
        f"{ELEVATORS}{elevator.pk}/",
        {"next_inspection_due": "2099-01-01", "inspection_result": "fail", "code_form": "registration"},
        format="json",
    )
    assert response.status_code == 200
    elevator.refresh_from_db()
    assert (elevator.next_inspection_due, elevator.inspection_result, elevator.code_form) == (
        due,
        "pass",
        "device",
    )


def test_a_district_regulator_cannot_write_outside_its_district(world):
    elsewhere = ElevatorFactory(district=world.xiangcheng)
    own = fancheng_elevator(world)
    client = session(world, "district")
    # Another district's elevator does not exist for it ...
    assert (
        client.patch(f"{ELEVATORS}{elsewhere.pk}/", {"status": "suspended"}, format="json").status_code == 404
    )
    # ... and it may not move its own elevator out of its reach.
    moved = client.patch(f"{ELEVATORS}{own.pk}/", {"district": "420602"}, format="json")
    assert moved.status_code == 403
    own.refresh_from_db()
    assert own.district_id == "420606"


def test_those_who_see_an_elevator_but_may_not_write_get_403(world):
    elevator = fancheng_elevator(world)
    for key in ("pm_fancheng", "maint", "housing"):
        response = session(world, key).patch(
            f"{ELEVATORS}{elevator.pk}/", {"status": "suspended"}, format="json"
        )
        assert response.status_code == 403, key
    elevator.refresh_from_db()
    assert elevator.status == "in_use"


def test_elevators_are_never_deleted(world):
    elevator = fancheng_elevator(world)
    assert session(world, "city").delete(f"{ELEVATORS}{elevator.pk}/").status_code == 405
    assert Elevator.objects.filter(pk=elevator.pk).exists()


# --- inspections ---------------------------------------------------------------------------------


def test_recording_an_inspection_brings_the_elevator_back_in_scope(world):
    today = timezone.localdate()
    elevator = fancheng_elevator(world, next_inspection_due=today - timedelta(days=10))
    client = session(world, "district")
    assert client.get(f"{ELEVATORS}{elevator.pk}/").json()["in_scope"] is False
    payload = {
        "elevator": elevator.pk,
        "inspected_on": today.isoformat(),
        "kind": "periodic",
        "result": "pass",
        "next_due": (today + timedelta(days=365)).isoformat(),
        "inspection_body": "襄阳市特种设备检验检测所",
        "report_number": "DT-2026-0001",
    }
    response = client.post(INSPECTIONS, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["equipment_code"] == elevator.equipment_code
    assert response.json()["result_display"] == "合格"
    body = client.get(f"{ELEVATORS}{elevator.pk}/").json()
    assert body["next_inspection_due"] == (today + timedelta(days=365)).isoformat()
    assert body["last_inspected_on"] == today.isoformat()
    assert body["in_scope"] is True
    kinds = [entry["kind"] for entry in client.get(f"{ELEVATORS}{elevator.pk}/timeline/").json()]
    assert "inspection" in kinds

    failed = client.post(
        INSPECTIONS, {**payload, "kind": "self", "result": "fail", "next_due": None}, format="json"
    )
    assert failed.status_code == 201, failed.json()
    assert client.get(f"{ELEVATORS}{elevator.pk}/").json()["in_scope"] is False


def test_an_inspection_twice_or_with_a_bad_due_date_is_a_400(world):
    today = timezone.localdate()
    elevator = fancheng_elevator(world)
    client = session(world, "city")
    payload = {"elevator": elevator.pk, "inspected_on": today.isoformat(), "result": "pass"}
    assert client.post(INSPECTIONS, payload, format="json").status_code == 201
    again = client.post(INSPECTIONS, payload, format="json")
    assert again.status_code == 400
    assert "当天已有" in again.json()["detail"]
    backwards = client.post(
        INSPECTIONS,
        {**payload, "kind": "self", "next_due": (today - timedelta(days=1)).isoformat()},
        format="json",
    )
    assert backwards.status_code == 400
    assert "晚于检验日期" in str(backwards.json())


def test_only_registry_writers_record_inspections(world):
    elevator = fancheng_elevator(world)
    payload = {"elevator": elevator.pk, "inspected_on": timezone.localdate().isoformat(), "result": "pass"}
    assert session(world, "pm_fancheng").post(INSPECTIONS, payload, format="json").status_code == 403
    client = with_key(world, "insurer_a")
    assert client.post(INSPECTIONS, payload, format="json").status_code == 403
    # A district regulator cannot name an elevator of another district: it does not exist for it.
    elsewhere = ElevatorFactory(district=world.xiangcheng)
    response = session(world, "district").post(
        INSPECTIONS, {**payload, "elevator": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert "不存在或无权查看" in response.json()["elevator"][0]


def test_inspections_are_listed_through_visibility_and_filtered(world):
    own = fancheng_elevator(world)
    passed = InspectionFactory(elevator=own, result="pass")
    failed = InspectionFactory(elevator=own, result="fail", kind="self", next_due=None)
    InspectionFactory(elevator=ElevatorFactory(district=world.xiangcheng))
    client = session(world, "pm_fancheng")
    listed = client.get(INSPECTIONS).json()["results"]
    assert {row["id"] for row in listed} == {passed.pk, failed.pk}
    assert [row["id"] for row in client.get(f"{INSPECTIONS}?result=fail").json()["results"]] == [failed.pk]
    by_code = client.get(f"{INSPECTIONS}?equipment_code={own.equipment_code.lower()}").json()["results"]
    assert {row["id"] for row in by_code} == {passed.pk, failed.pk}
    assert client.get(f"{INSPECTIONS}{passed.pk}/").status_code == 200
    hidden = InspectionFactory(elevator=ElevatorFactory(district=world.xiangcheng))
    assert client.get(f"{INSPECTIONS}{hidden.pk}/").status_code == 404


def test_a_regulator_corrects_an_inspection_and_the_elevator_follows(world):
    elevator = fancheng_elevator(world)
    inspection = InspectionFactory(elevator=elevator)
    elevator_follow_latest_inspection(elevator=elevator)
    client = session(world, "district")
    response = client.patch(f"{INSPECTIONS}{inspection.pk}/", {"result": "fail"}, format="json")
    assert response.status_code == 200, response.content
    assert Elevator.objects.get(pk=elevator.pk).inspection_result == "fail"
    # Who may not write the registry (DESIGN.md section 2: an insurer writes its products, policies
    # and claims; a property manager its policies) is refused before any row is looked up: 403
    # whether it sees the inspection (pm_fancheng) or not (insurer_a), and for an id that does not
    # exist, so the answer tells nothing about another organisation's rows.
    for who in ("insurer_a", "pm_fancheng"):
        for pk in (inspection.pk, inspection.pk + 1000):
            response = session(world, who).patch(f"{INSPECTIONS}{pk}/", {"result": "pass"}, format="json")
            assert response.status_code == 403, (who, pk)
    # A registry writer is refused another district's inspection as if it did not exist.
    elsewhere = InspectionFactory(elevator=ElevatorFactory(district=world.xiangcheng))
    assert client.patch(f"{INSPECTIONS}{elsewhere.pk}/", {"result": "fail"}, format="json").status_code == 404
    assert Inspection.objects.get(pk=inspection.pk).result == "fail"
    assert Inspection.objects.get(pk=elsewhere.pk).result == "pass"
    assert client.delete(f"{INSPECTIONS}{inspection.pk}/").status_code == 405


# --- OpenAPI -------------------------------------------------------------------------------------


def test_the_schema_has_the_registry_paths(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/elevators/"]) >= {"get", "post"}
    assert set(paths["/api/v1/elevators/{id}/"]) >= {"get", "put", "patch"}
    assert "delete" not in paths["/api/v1/elevators/{id}/"]
    assert "get" in paths["/api/v1/elevators/by-code/{code}/"]
    assert "get" in paths["/api/v1/elevators/{id}/timeline/"]
    assert set(paths["/api/v1/inspections/"]) >= {"get", "post"}
    assert set(paths["/api/v1/inspections/{id}/"]) == {"get", "patch", "put"}
    parameters = {p["name"] for p in paths["/api/v1/elevators/"]["get"]["parameters"]}
    assert parameters >= {
        "cursor",
        "page_size",
        "q",
        "district",
        "place_category",
        "category",
        "group",
        "status",
        "in_scope",
        "old",
        "three_no",
        "equipment_code",
    }
    assert "ordering" not in parameters  # the cursor orders the API


def test_every_elevator_field_is_in_the_schema(schema):
    from elevators.api.serializers import ElevatorSerializer

    assert set(schema["components"]["schemas"]["Elevator"]["properties"]) == set(
        ElevatorSerializer.Meta.fields
    )
