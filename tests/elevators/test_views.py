"""The registry's browser pages: the list (visibility, search, filters, order, pages), its Excel export
and one elevator's page with its timeline."""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationKind
from core.principal import SYSTEM
from core.views import XLSX_CONTENT_TYPE
from elevators import views
from elevators.importing import REGISTRY_COLUMNS, registry_import
from elevators.models import ElevatorStatus, InspectionResult, LifecycleEvent, PlaceCategory
from tests.elevators.factories import ElevatorFactory, InspectionFactory, LifecycleEventFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("elevator-list")
EXPORT = reverse("elevator-export")
CODE_IN_ROW = re.compile(r'<tr data-testid="elevator-row">\s*<td[^>]*>\s*<a[^>]*>(\w+)</a>')


@pytest.fixture(autouse=True)
def reference_data(db):
    call_command("loaddata", "xiangyang", verbosity=0)


@pytest.fixture
def registry(world):
    """Three elevators: two in 樊城区 (one of them the property manager's, maintained by `maint`),
    one hospital lift in 襄城区."""
    hospital = PlaceCategory.objects.get(code="HOSPITAL")
    return {
        "own": ElevatorFactory(
            district=world.fancheng,
            user_unit=world.orgs["pm_fancheng"],
            maintenance_company=world.orgs["maint"],
            address="樊城区春园路8号",
            site_name="春园小区",
        ),
        "neighbour": ElevatorFactory(district=world.fancheng, address="樊城区人民路1号"),
        "hospital": ElevatorFactory(
            district=world.xiangcheng,
            user_unit=world.orgs["pm_xiangcheng"],
            place_category=hospital,
            address="襄城区檀溪路99号",
        ),
    }


def listed_codes(response) -> list[str]:
    assert response.status_code == 200
    return CODE_IN_ROW.findall(response.content.decode())


def visible_codes(client, user, query="") -> set[str]:
    client.force_login(user)
    return set(listed_codes(client.get(f"{LIST}?{query}")))


# --- visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("city", {"own", "neighbour", "hospital"}),
        ("nfra", {"own", "neighbour", "hospital"}),
        ("district", {"own", "neighbour"}),
        ("housing", {"own", "neighbour"}),  # residential places are the housing bureau's sector
        ("pm_fancheng", {"own"}),
        ("pm_xiangcheng", {"hospital"}),
        ("maint", {"own"}),
        ("insurer_a", set()),
    ],
)
def test_list_shows_only_what_the_organisation_may_see(client, world, registry, kind, expected):
    codes = {registry[name].equipment_code for name in expected}
    assert visible_codes(client, world.users[kind]) == codes


def test_list_needs_a_login(client, registry):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_navigation_offers_the_list_to_every_kind(client, world):
    for user in world.users.values():
        client.force_login(user)
        assert f'href="{LIST}"' in client.get(reverse("home")).content.decode()


# --- search and filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("own_code", {"own"}),
        ("own_code_lower_spaced", {"own"}),
        ("own_registration", {"own"}),
        ("春园路", {"own"}),
        ("春园小区", {"own"}),
        ("user_unit_name", {"hospital"}),
        ("没有这个地方", set()),
    ],
)
def test_search_by_code_registration_address_and_user_unit(client, world, registry, query, expected):
    own = registry["own"]
    text = {
        "own_code": own.equipment_code,
        "own_code_lower_spaced": f" {own.equipment_code[:9]} {own.equipment_code[9:]} ".lower(),
        "own_registration": own.registration_number,
        "user_unit_name": world.orgs["pm_xiangcheng"].name,
    }.get(query, query)
    found = visible_codes(client, world.users["city"], f"q={text}")
    assert found == {registry[name].equipment_code for name in expected}


def test_code_prefix_search_narrows_to_the_prefix(client, world, registry):
    escalator = ElevatorFactory(category="3310", district=world.fancheng)
    found = visible_codes(client, world.users["city"], "q=3310")
    assert found == {escalator.equipment_code}


def test_each_filter_narrows_the_list(client, world, registry):
    today = timezone.localdate()
    own, neighbour, hospital = registry["own"], registry["neighbour"], registry["hospital"]
    overdue = ElevatorFactory(
        district=world.fancheng,
        next_inspection_due=today - timedelta(days=1),
        installed_on=today.replace(year=today.year - 20),
        has_repair_funds=False,
        status=ElevatorStatus.SUSPENDED,
    )
    escalator = ElevatorFactory(category="3310", district=world.xiangcheng, maintenance_company=None)
    everyone = {e.equipment_code for e in (own, neighbour, hospital, overdue, escalator)}
    city = world.users["city"]

    def codes(*elevators):
        return {e.equipment_code for e in elevators}

    assert visible_codes(client, city) == everyone
    assert visible_codes(client, city, "district=420602") == codes(hospital, escalator)
    assert visible_codes(client, city, "place_category=HOSPITAL") == codes(hospital)
    assert visible_codes(client, city, "group=escalator") == codes(escalator)
    assert visible_codes(client, city, "group=vertical") == everyone - codes(escalator)
    assert visible_codes(client, city, "status=suspended") == codes(overdue)
    assert visible_codes(client, city, "in_scope=true") == everyone - codes(overdue)
    assert visible_codes(client, city, "in_scope=false") == codes(overdue)
    assert visible_codes(client, city, "old=true") == codes(overdue)
    assert visible_codes(client, city, "old=false") == everyone - codes(overdue)
    assert visible_codes(client, city, "three_no=true") == codes(overdue, escalator)
    assert visible_codes(client, city, "three_no=unknown") == everyone  # the form's "不限"
    assert visible_codes(client, city, "district=420606&in_scope=true") == codes(own, neighbour)


def test_filters_never_widen_visibility(client, world, registry):
    assert visible_codes(client, world.users["pm_fancheng"], "district=420602") == set()
    assert visible_codes(client, world.users["maint"], "q=襄城区") == set()


def test_list_shows_the_filter_form_and_flags(client, world, registry):
    client.force_login(world.users["city"])
    html = client.get(LIST).content.decode()
    for name in views.ElevatorListView.list_filters:
        assert f'name="{name}"' in html
    assert 'name="user_unit"' not in html  # an API filter: no select of every organisation
    assert "不限" in html and "应投保" in html


# --- ordering and pages -------------------------------------------------------------------------


def test_ordering_by_column_both_ways(client, world, registry):
    today = timezone.localdate()
    for offset, elevator in enumerate(registry.values()):
        elevator.next_inspection_due = today + timedelta(days=100 - offset)
        elevator.save()
    by_due = sorted(registry.values(), key=lambda e: e.next_inspection_due)
    client.force_login(world.users["city"])
    ascending = listed_codes(client.get(f"{LIST}?ordering=next_inspection_due"))
    assert ascending == [e.equipment_code for e in by_due]
    descending = listed_codes(client.get(f"{LIST}?ordering=-next_inspection_due"))
    assert descending == ascending[::-1]
    default = listed_codes(client.get(LIST))
    assert default == sorted(default)


def test_sort_links_toggle_and_keep_filters(client, world, registry):
    client.force_login(world.users["city"])
    html = client.get(f"{LIST}?district=420606&ordering=district&page=1").content.decode()
    assert 'href="?district=420606&amp;ordering=-district"' in html  # the current column flips
    assert 'href="?district=420606&amp;ordering=installed_on"' in html
    assert 'aria-sort="ascending"' in html


def test_pagination_keeps_filters_and_order(client, world):
    ElevatorFactory.create_batch(30, district=world.fancheng)
    ElevatorFactory.create_batch(3, district=world.xiangcheng)
    client.force_login(world.users["city"])
    first = client.get(f"{LIST}?district=420606&ordering=-equipment_code")
    codes = listed_codes(first)
    assert len(codes) == 25
    html = first.content.decode()
    assert 'href="?district=420606&amp;ordering=-equipment_code&amp;page=2"' in html
    second = listed_codes(client.get(f"{LIST}?district=420606&ordering=-equipment_code&page=2"))
    assert len(second) == 5
    assert codes + second == sorted(codes + second, reverse=True)
    # The export link carries the same filters, without the page.
    assert f'href="{EXPORT}?district=420606&amp;ordering=-equipment_code"' in html


def test_list_queries_do_not_grow_with_the_rows(client, world):
    client.force_login(world.users["city"])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    for _ in range(3):
        ElevatorFactory(district=world.fancheng, user_unit=OrganisationFactory(), maintenance_company=None)
    count_queries()  # warm up whatever is cached per process
    few = count_queries()
    for _ in range(27):
        ElevatorFactory(
            district=world.xiangcheng,
            user_unit=OrganisationFactory(),
            maintenance_company=OrganisationFactory(kind=OrganisationKind.MAINTENANCE_COMPANY),
            place_category=PlaceCategory.objects.order_by("?").first(),
        )
    assert count_queries() == few


# --- export -------------------------------------------------------------------------------------


def read_export(response) -> tuple[list, list[list]]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, rows


def test_export_holds_exactly_the_filtered_visible_rows(client, world, registry):
    ElevatorFactory(district=world.xiangcheng, user_unit=world.orgs["pm_fancheng"])  # another district
    client.force_login(world.users["district"])
    header, rows = read_export(client.get(f"{EXPORT}?q=樊城区&ordering=-equipment_code"))
    expected = sorted([registry["own"].equipment_code, registry["neighbour"].equipment_code], reverse=True)
    assert [row[0] for row in rows] == expected


def test_export_headers_are_the_import_columns_in_chinese(client, world, registry):
    client.force_login(world.users["city"])
    header, rows = read_export(client.get(f"{EXPORT}?place_category=HOSPITAL"))
    assert header[:3] == ["设备代码", "使用登记证编号", "设备品种"]
    import_headers = {alias for aliases in REGISTRY_COLUMNS.values() for alias in aliases}
    assert set(header) - import_headers == {"有维修资金", "电梯识别码"}
    hospital = registry["hospital"]
    record = dict(zip(header, rows[0], strict=True))
    assert record["设备代码"] == hospital.equipment_code
    assert record["使用登记证编号"] == hospital.registration_number
    assert record["设备品种"] == "曳引驱动乘客电梯"
    assert record["所在区县"] == "襄城区"
    assert record["场所类别"] == "医院"
    assert record["使用单位"] == world.orgs["pm_xiangcheng"].name
    assert record["设备状态"] == "在用"
    assert record["检验结论"] == "合格"
    assert record["下次检验日期"].date() == hospital.next_inspection_due
    assert record["有维修资金"] == "是"
    assert record["电梯识别码"] == hospital.rescue_code  # text: a spreadsheet keeps it as typed


def test_export_can_be_imported_again_unchanged(client, world, registry):
    client.force_login(world.users["city"])
    response = client.get(EXPORT)
    result = registry_import(
        source=io.BytesIO(response.content), filename="export.xlsx", user=SYSTEM, dry_run=True
    )
    assert (result.rows, result.refused, result.created, result.updated) == (3, 0, 0, 0)
    assert result.unchanged == 3


def test_export_in_english_still_writes_the_import_words(client, world, registry):
    client.force_login(world.users["city"])
    client.cookies["django_language"] = "en"
    header, rows = read_export(client.get(f"{EXPORT}?place_category=HOSPITAL"))
    record = dict(zip(header, rows[0], strict=True))
    assert (record["设备状态"], record["检验结论"]) == ("在用", "合格")


def test_export_over_the_limit_says_so(client, world, registry, monkeypatch):
    monkeypatch.setattr(views.ElevatorListView, "export_max_rows", 2)
    client.force_login(world.users["city"])
    response = client.get(f"{EXPORT}?district=", follow=True)
    assert response.redirect_chain[0][0] == f"{LIST}?district="
    html = response.content.decode()
    assert "超过单次导出上限 2 条" in html
    # Narrowed below the limit, it works.
    header, rows = read_export(client.get(f"{EXPORT}?district=420606"))
    assert len(rows) == 2


def test_export_for_an_insurer_is_empty_and_needs_a_login(client, world, registry):
    assert client.get(EXPORT).status_code == 302
    client.force_login(world.users["insurer_a"])
    header, rows = read_export(client.get(EXPORT))
    assert header[0] == "设备代码" and rows == []


# --- one elevator -------------------------------------------------------------------------------


def test_detail_of_an_invisible_elevator_is_404(client, world, registry):
    client.force_login(world.users["pm_fancheng"])
    assert client.get(reverse("elevator-detail", args=[registry["own"].pk])).status_code == 200
    assert client.get(reverse("elevator-detail", args=[registry["hospital"].pk])).status_code == 404
    assert client.get(reverse("elevator-detail", args=[999_999])).status_code == 404


def test_detail_shows_the_facts_and_links_to_the_public_card(client, world, registry):
    own = registry["own"]
    client.force_login(world.users["city"])
    html = client.get(reverse("elevator-detail", args=[own.pk])).content.decode()
    for fact in (
        own.equipment_code,
        own.registration_number,
        "曳引驱动乘客电梯",
        own.address,
        own.site_name,
        "住宅小区",
        "樊城区",
        world.orgs["pm_fancheng"].name,
        world.orgs["maint"].name,
        own.manufacturer,
        own.next_inspection_due.isoformat(),
    ):
        assert fact in html, fact
    assert reverse("elevator-card", args=[own.equipment_code]) in html
    assert reverse("elevator-sign", args=[own.equipment_code]) in html


def test_detail_timeline_lists_every_source_newest_first(client, world, registry):
    own = registry["own"]
    today = timezone.localdate()
    InspectionFactory(
        elevator=own,
        inspected_on=today - timedelta(days=200),
        result=InspectionResult.FAIL,
        next_due=None,
        report_number="DT-OLD",
    )
    InspectionFactory(elevator=own, inspected_on=today - timedelta(days=20), report_number="DT-NEW")
    LifecycleEventFactory(elevator=own, occurred_on=today - timedelta(days=100), description="在用 → 停用")
    LifecycleEventFactory(
        elevator=own, occurred_on=today - timedelta(days=300), kind=LifecycleEvent.Kind.REGISTRATION
    )
    client.force_login(world.users["maint"])
    html = client.get(reverse("elevator-detail", args=[own.pk])).content.decode()
    kinds = re.findall(r'data-testid="timeline-entry" data-kind="(\w+)"', html)
    assert kinds == ["inspection", "status_change", "inspection", "registration"]
    dates = re.findall(r'<time [^>]*datetime="([\d-]+)"', html)
    assert dates == sorted(dates, reverse=True)
    assert html.index("DT-NEW") < html.index("在用 → 停用") < html.index("DT-OLD")


def test_a_bad_filter_is_shown_and_never_exports_everything(client, world, registry):
    client.force_login(world.users["city"])
    html = client.get(f"{LIST}?ordering=premium").content.decode()
    assert "以下筛选条件有误" in html and "排序" in html
    response = client.get(f"{EXPORT}?district=999999", follow=True)
    assert response.redirect_chain[0][0] == f"{LIST}?district=999999"
    assert "筛选条件有误，请修改后再导出。" in response.content.decode()
