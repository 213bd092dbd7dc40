"""Who sees which maintenance records (DESIGN.md section 2): the company its own, the elevator's
regulators, user unit and insurer the records of the elevators they see, nobody else; the same
rule on the list page, the detail page, the export, the timeline; the public card's facts."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from elevators.selectors import elevator_public_card, elevator_timeline
from maintenance.models import MaintenanceRecord
from tests.insurance.factories import policy, product_version
from tests.maintenance.conftest_records import maintained, stored, world  # noqa: F401
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def records(world):
    """`ours`: an elevator in 樊城区 used by pm_fancheng, maintained by maint, insured by insurer_a;
    `theirs`: an elevator in 襄城区 used by pm_xiangcheng, maintained by maint_b."""
    ours = maintained(world)
    theirs = maintained(
        world,
        district=world.xiangcheng,
        user_unit=world.orgs["pm_xiangcheng"],
        owner=world.orgs["pm_xiangcheng"],
        maintenance_company=world.orgs["maint_b"],
    )
    policy(product_version(world.orgs["insurer_a"]), [ours], start=TODAY - timedelta(days=30), number="PA-1")
    return {
        "ours": stored(ours, TODAY - timedelta(days=3), record_number="W-1"),
        "theirs": stored(theirs, TODAY - timedelta(days=4), record_number="B-1"),
    }


SEES = {
    "city": {"ours", "theirs"},
    "district": {"ours"},
    "housing": {"ours", "theirs"},  # residential elevators are the housing department's sector
    "finance": set(),
    "nfra": set(),
    "insurer_a": {"ours"},
    "insurer_b": set(),
    "pm_fancheng": {"ours"},
    "pm_xiangcheng": {"theirs"},
    "maint": {"ours"},
    "maint_b": {"theirs"},
}


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_each_kind_sees_exactly_its_records(world, records, viewer):
    seen = set(
        MaintenanceRecord.objects.visible_to(world.users[viewer]).values_list("record_number", flat=True)
    )
    expected = {records[name].record_number for name in SEES[viewer]}
    assert seen == expected


@pytest.mark.parametrize("viewer", ["maint", "pm_fancheng", "district", "insurer_a"])
def test_pages_show_what_the_viewer_sees_and_404_for_the_rest(world, records, viewer):
    client = browser(world, viewer)
    listed = client.get("/maintenance/records/").content.decode()
    assert "W-1" in listed and "B-1" not in listed
    assert client.get(f"/maintenance/records/{records['ours'].pk}/").status_code == 200
    assert client.get(f"/maintenance/records/{records['theirs'].pk}/").status_code == 404


def test_the_export_holds_the_listed_rows_only(world, records):
    response = browser(world, "maint").get("/maintenance/records/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "维保记录编号"
    assert [row[0] for row in rows[1:]] == ["W-1"]


def test_search_and_filters_on_the_list_page(world, records):
    stored(records["ours"].elevator, TODAY - timedelta(days=100), "yearly", record_number="W-2")
    client = browser(world, "city")
    assert "W-2" not in client.get("/maintenance/records/", {"q": "W-1"}).content.decode()
    page = client.get("/maintenance/records/", {"level": "yearly"}).content.decode()
    assert "W-2" in page and "W-1" not in page and "B-1" not in page


def test_timeline_shows_records_to_those_who_see_them(world, records):
    elevator = records["ours"].elevator
    kinds = [e.kind for e in elevator_timeline(elevator=elevator, user=world.users["pm_fancheng"])]
    assert kinds.count("maintenance") == 1
    assert "maintenance" not in [
        e.kind for e in elevator_timeline(elevator=elevator, user=world.users["maint_b"])
    ]


def test_public_card_has_the_last_maintenance_and_the_state(world, records):
    card = elevator_public_card(code=records["ours"].elevator.equipment_code)
    assert card["last_maintenance"] == TODAY - timedelta(days=3)
    assert card["maintenance_state"]["key"] == "ok"
    page = browser(world, "city").get(f"/e/{records['ours'].elevator.equipment_code}/").content.decode()
    assert 'data-testid="maintenance-state"' in page


def test_elevator_list_page_and_export_filter_by_state(world, records):
    late = maintained(world)
    stored(late, TODAY - timedelta(days=16))
    client = browser(world, "maint")
    page = client.get("/elevators/", {"maintenance": "overdue"}).content.decode()
    assert late.equipment_code in page and records["ours"].elevator.equipment_code not in page
    export = client.get("/elevators/export.xlsx", {"maintenance": "overdue"})
    assert export.status_code == 200
    codes = [row[0] for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)]
    assert late.equipment_code in codes and records["ours"].elevator.equipment_code not in codes
