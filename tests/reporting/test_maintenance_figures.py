"""The maintenance figures beside coverage: services by kind and insurer, the on-time rate (按期维保率),
hazards and rescues, on the dashboard and in the monthly report's "维保与服务" sheet, each reader's
through its visibility (the city, 樊城区's regulator, the housing department's residential sector)."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from core.principal import SYSTEM
from elevators.models import PlaceCategory
from insurance.models import InsuranceModel
from maintenance.models import (
    Hazard,
    HazardStep,
    MaintenanceRecord,
    RescueIncident,
    ServiceElevator,
    ServiceRecord,
)
from reporting.reports.maintenance import maintenance_figures
from reporting.services import month_freeze, report_generate, reports_request
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.api import AnonymousRefused, DescribedSchema
from tests.utils.clients import session

from .conftest import LAST_MONTH, ON

pytestmark = pytest.mark.django_db


def at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def scene(world):
    """On ON, four elevators in use maintained by `maint`:
    - fan_ok (樊城区, residential): maintained ON-5 (on time), a serious open hazard, a rescue in 20 min;
    - xiang_late (襄城区, residential): maintained ON-30 (overdue), an overdue open hazard, a rescue in 45 min;
    - fan_none (樊城区, residential): no record;
    - fan_hospital (樊城区, hospital): maintained ON-3, a hazard rectified on ON-2.
    Services in the month: insurer_a usage monitoring and risk control on fan_ok,
    insurer_b usage monitoring on xiang_late; one more of insurer_a the month before (not counted)."""
    maint = world.orgs["maint"]
    made = {}
    for key, district, place in (
        ("fan_ok", world.fancheng, "RESIDENTIAL"),
        ("xiang_late", world.xiangcheng, "RESIDENTIAL"),
        ("fan_none", world.fancheng, "RESIDENTIAL"),
        ("fan_hospital", world.fancheng, "HOSPITAL"),
    ):
        made[key] = ElevatorFactory(
            district=district,
            place_category=PlaceCategory.objects.get(code=place),
            maintenance_company=maint,
            next_inspection_due=ON + timedelta(days=200),
        )
    for key, days in (("fan_ok", 5), ("xiang_late", 30), ("fan_hospital", 3)):
        MaintenanceRecord.objects.create(
            company=maint,
            elevator=made[key],
            record_number=f"R-{key}",
            performed_on=ON - timedelta(days=days),
        )
    hazard = {"reporter": maint, "found_by": "maintenance", "description": "轿厢照明损坏"}
    Hazard.objects.create(
        **hazard, hazard_number="YH-1", elevator=made["fan_ok"], found_on=ON - timedelta(days=10),
        severity="serious", criterion="other", deadline=ON + timedelta(days=10),
    )  # fmt: skip
    Hazard.objects.create(
        **hazard, hazard_number="YH-2", elevator=made["xiang_late"], found_on=ON - timedelta(days=20),
        severity="general", deadline=ON - timedelta(days=5),
    )  # fmt: skip
    rectified = Hazard.objects.create(
        **hazard, hazard_number="YH-3", elevator=made["fan_hospital"], found_on=ON - timedelta(days=15),
        severity="general", deadline=ON + timedelta(days=5), status="rectified",
    )  # fmt: skip
    HazardStep.objects.create(
        hazard=rectified, status="open", at=at(ON - timedelta(days=15)), by_organisation=maint
    )
    HazardStep.objects.create(
        hazard=rectified, status="rectified", at=at(ON - timedelta(days=2)), by_organisation=maint
    )
    for number, key, day, minutes in (("JY-1", "fan_ok", 3, 20), ("JY-2", "xiang_late", 4, 45)):
        alarm = at(ON - timedelta(days=day))
        RescueIncident.objects.create(
            reporter=maint, rescue_number=number, elevator=made[key], alarm_at=alarm,
            arrived_at=alarm + timedelta(minutes=minutes), people_trapped=1,
        )  # fmt: skip
    ins_maint = InsuranceModel.INSURANCE_MAINTENANCE
    start = LAST_MONTH - timedelta(days=60)
    versions = {
        k: product_version(world.orgs[k], model=ins_maint, code=k) for k in ("insurer_a", "insurer_b")
    }
    covers = {
        (insurer, key): policy(versions[insurer], [made[key]], start=start)
        for insurer, key in (
            ("insurer_a", "fan_ok"),
            ("insurer_b", "xiang_late"),
        )
    }
    for number, insurer, kind, key, day in (
        ("FW-1", "insurer_a", "usage_monitoring", "fan_ok", ON - timedelta(days=6)),
        ("FW-2", "insurer_a", "risk_control", "fan_ok", ON - timedelta(days=7)),
        ("FW-3", "insurer_b", "usage_monitoring", "xiang_late", LAST_MONTH),
        ("FW-0", "insurer_a", "usage_monitoring", "fan_ok", LAST_MONTH - timedelta(days=1)),
    ):
        service = ServiceRecord.objects.create(
            insurer=world.orgs[insurer], service_number=number, kind=kind, performed_on=day
        )
        ServiceElevator.objects.create(service=service, elevator=made[key], policy=covers[insurer, key])
    return made


def figures_of(user):
    return maintenance_figures(user=user, start=LAST_MONTH, end=ON)


def services_of(figures, world) -> set[tuple]:
    names = {world.orgs[k].name: k for k in ("insurer_a", "insurer_b")}
    return {(names[r["insurer_name"]], r["kind"], r["services"], r["elevators"]) for r in figures.services}


A_USAGE, A_RISK, B_USAGE = (
    ("insurer_a", "usage_monitoring", 1, 1),
    ("insurer_a", "risk_control", 1, 1),
    ("insurer_b", "usage_monitoring", 1, 1),
)
HAZARDS = ("found", "open", "serious", "overdue", "rectified", "rectification_rate")
# Per reader: services (insurer, kind, services, elevators); by kind; states (on time, overdue,
# no record, rate); hazards in HAZARDS order; rescues (count, within 30 min, mean minutes, rate).
CITY = {
    "services": {A_USAGE, A_RISK, B_USAGE}, "by_kind": {"usage_monitoring": 2, "risk_control": 1},
    "states": (2, 1, 1, Decimal("0.6667")), "hazards": dict(zip(HAZARDS, (3, 2, 1, 1, 1, 0.3333), strict=True)),
    "rescues": (2, 1, Decimal("32.5"), Decimal("0.5000")),
}  # fmt: skip
DISTRICT = {
    "services": {A_USAGE, A_RISK}, "by_kind": {"usage_monitoring": 1, "risk_control": 1},
    "states": (2, 0, 1, Decimal("1.0000")), "hazards": dict(zip(HAZARDS, (2, 1, 1, 0, 1, 0.5), strict=True)),
    "rescues": (1, 1, Decimal("20.0"), Decimal("1.0000")),
}  # fmt: skip
HOUSING = {
    **CITY,
    "states": (1, 1, 1, Decimal("0.5000")),
    "hazards": dict(zip(HAZARDS, (2, 2, 1, 1, 0, 0.0), strict=True)),
}


@pytest.mark.parametrize("key,expected", [("city", CITY), ("district", DISTRICT), ("housing", HOUSING)])
def test_each_reader_gets_the_figures_of_what_it_sees(
    world, scene, key, expected, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        figures = figures_of(world.users[key])
    assert services_of(figures, world) == expected["services"]
    assert {k["kind"]: k["services"] for k in figures.services_by_kind} == expected["by_kind"]
    assert (figures.on_time, figures.overdue, figures.no_record, figures.on_time_rate) == expected["states"]
    assert figures.hazards == expected["hazards"]
    rescues = figures.rescues
    assert (
        rescues["count"],
        rescues["within_limit"],
        rescues["mean_minutes_to_arrive"],
        rescues["within_limit_rate"],
    ) == expected["rescues"]


def test_a_district_slice_of_the_city_is_the_district(world, scene):
    figures = maintenance_figures(user=world.users["city"], start=LAST_MONTH, end=ON, district=world.fancheng)
    assert services_of(figures, world) == DISTRICT["services"]
    assert figures.hazards == DISTRICT["hazards"]
    assert figures.rescues["count"] == 1
    assert (figures.on_time, figures.overdue, figures.no_record) == DISTRICT["states"][:3]


def panel(client, user):
    client.force_login(user)
    response = client.get(reverse("coverage-overview"), {"on": ON.isoformat()})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "key,rate,hazards,rescues",
    [("city", "66.7%", (2, 1, 1), (2, "50.0%")), ("district", "100.0%", (1, 1, 0), (1, "100.0%"))],
)
def test_the_dashboard_panel_shows_them_with_links(client, world, scene, key, rate, hazards, rescues):
    response = panel(client, world.users[key])
    context = response.context["maintenance"]
    html = response.content.decode()
    assert 'data-testid="section-maintenance"' in html
    assert f'data-testid="on-time-rate">{rate}<' in html
    assert (
        f"未整改 {hazards[0]} 项" in html
        and f"重大 {hazards[1]} 项" in html
        and f"逾期 {hazards[2]} 项" in html
    )
    assert f'data-testid="rescues">{rescues[0]}<' in html and f"30分钟到达率 {rescues[1]}" in html
    assert context["overdue_url"].startswith(reverse("elevator-list") + "?maintenance=overdue")
    assert context["serious_url"] == reverse("hazard-list") + "?open=true&severity=serious"
    assert context["overdue_hazards_url"] == reverse("hazard-list") + "?overdue=true"
    assert context["rescue_url"] == reverse("rescue-board") + f"?month={ON:%Y-%m}"
    kinds = {k["kind"]: k["url"] for k in context["kinds"]}
    assert kinds["usage_monitoring"].endswith("&kind=usage_monitoring")
    assert f"performed_after={LAST_MONTH.isoformat()}" in kinds["usage_monitoring"]
    assert client.get(kinds["usage_monitoring"]).status_code == 200
    assert client.get(context["serious_url"]).status_code == 200


def test_the_dashboard_drilled_into_a_district_links_its_lists(client, world, scene):
    client.force_login(world.users["city"])
    response = client.get(
        reverse("coverage-overview"), {"on": ON.isoformat(), "district": world.fancheng.code}
    )
    context = response.context["maintenance"]
    assert context["figures"].hazards == DISTRICT["hazards"]
    assert context["open_url"] == reverse("hazard-list") + f"?open=true&district={world.fancheng.pk}"


def report_sheet(frozen, department) -> dict:
    [run] = reports_request(user=SYSTEM, frozen_month=frozen, departments=[department], enqueue=False)
    run = report_generate(report_run_id=run.pk)
    with run.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle)["维保与服务"]
    rows = list(sheet.iter_rows(values_only=True))
    figures = {row[0]: row[1] for row in rows[2:14]}
    services = {tuple(row[:4]) for row in rows[16:] if row[0]}
    return {"note": rows[0][0], "figures": figures, "services": services}


@pytest.fixture
def frozen(world, scene, media):
    month, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    return month


def test_the_report_has_the_sheet_with_the_month_figures(world, frozen):
    city = report_sheet(frozen, Department.SAMR)
    assert "按生成报表时的数据统计" in city["note"] and ON.isoformat() in city["note"]
    a, b = world.orgs["insurer_a"].name, world.orgs["insurer_b"].name
    assert city["services"] == {
        (a, "电梯使用状况监测", 1, 1),
        (a, "风险防控（隐患排查）", 1, 1),
        (b, "电梯使用状况监测", 1, 1),
        ("合计", "电梯使用状况监测", 2, None),
        ("合计", "风险防控（隐患排查）", 1, None),
    }
    assert city["figures"] == {
        "按期维保率": pytest.approx(0.6667),
        "按期维保电梯（台）": 2,
        "维保超期电梯（台）": 1,
        "无维保记录电梯（台）": 1,
        "累计发现隐患（项）": 3,
        "未整改隐患（项）": 2,
        "其中重大隐患（项）": 1,
        "其中逾期未整改（项）": 1,
        "隐患整改率": pytest.approx(0.3333),
        "困人救援（次）": 2,
        "平均到达时间（分钟）": pytest.approx(32.5),
        "30分钟到达率": pytest.approx(0.5),
    }


def test_a_department_report_holds_only_its_sector(world, frozen):
    housing = report_sheet(frozen, Department.HOUSING)["figures"]
    assert housing["按期维保率"] == pytest.approx(0.5)
    assert (
        housing["按期维保电梯（台）"],
        housing["维保超期电梯（台）"],
        housing["无维保记录电梯（台）"],
    ) == (1, 1, 1)
    assert (housing["累计发现隐患（项）"], housing["隐患整改率"]) == (2, 0)


# --- the API -----------------------------------------------------------------------------------

API_URL = "/api/v1/coverage/maintenance/"


class TestMaintenanceFiguresApi(AnonymousRefused, DescribedSchema):
    url = API_URL
    anonymous_calls = ("GET ",)

    @pytest.mark.parametrize("key,expected", [("city", CITY), ("district", DISTRICT)])
    def test_the_figures_of_what_the_caller_sees(self, world, scene, key, expected):
        response = session(world, key).get(API_URL, {"on": ON.isoformat()})
        assert response.status_code == 200
        body = response.json()
        assert body["on"] == ON.isoformat() and body["start"] == LAST_MONTH.isoformat()
        names = {world.orgs[k].name: k for k in ("insurer_a", "insurer_b")}
        services = {
            (names[r["insurer_name"]], r["kind"], r["services"], r["elevators"]) for r in body["services"]
        }
        assert services == expected["services"]
        on_time, overdue, no_record, rate = expected["states"]
        assert body["maintenance"] == {
            "on_time": on_time, "overdue": overdue, "no_record": no_record, "on_time_rate": float(rate),
        }  # fmt: skip
        assert body["hazards"] == expected["hazards"]
        count, within, mean, rate = expected["rescues"]
        rescues = body["rescues"]
        assert (rescues["count"], rescues["within_limit"]) == (count, within)
        assert (rescues["mean_minutes_to_arrive"], rescues["within_limit_rate"]) == (float(mean), float(rate))

    def test_a_district_slice_and_refusals(self, world, scene):
        client = session(world, "city")
        body = client.get(API_URL, {"on": ON.isoformat(), "district": world.fancheng.code}).json()
        assert body["hazards"] == DISTRICT["hazards"]
        assert client.get(API_URL, {"on": "2026-13-01"}).status_code == 400
        assert client.get(API_URL, {"district": "999999"}).status_code == 400
