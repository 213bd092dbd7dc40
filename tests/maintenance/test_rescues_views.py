"""The rescue pages: the list (filters, search, sort, export) and detail through visibility, the
record form (the reporter's elevators, or a typed rescue code), the regulators' board, navigation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.navigation import navigation_for
from maintenance.models import RescueIncident
from tests.maintenance.conftest_rescues import alarm_time, make_cast
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db
ROW = 'data-testid="rescue-row"'


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def rescues(cast):
    alarm = alarm_time()
    quick, _ = cast.record(
        "maint", rescue_number="Q-1", alarm_at=alarm, arrived_at=alarm + timedelta(minutes=10)
    )
    late, _ = cast.record(
        "maint", cast.xiang, rescue_number="L-1", alarm_at=alarm, arrived_at=alarm + timedelta(minutes=40)
    )
    hidden, _ = cast.record("city", cast.other, rescue_number="H-1", alarm_at=alarm)
    return quick, late, hidden


def rows(client, query=None) -> int:
    response = client.get("/rescues/", query or {})
    assert response.status_code == 200
    return response.content.decode().count(ROW)


def test_the_list_shows_what_the_user_sees_and_filters_it(cast, rescues):
    maint, city = browser(cast.world, "maint"), browser(cast.world, "city")
    assert (rows(maint), rows(city), rows(browser(cast.world, "district"))) == (2, 3, 1)
    assert rows(browser(cast.world, "nfra")) == 0
    assert rows(maint, {"within_limit": "false"}) == 1
    assert rows(maint, {"q": "Q-1"}) == 1
    assert rows(maint, {"q": cast.xiang.rescue_code}) == 1
    assert rows(city, {"district": cast.world.fancheng.pk}) == 1
    html = maint.get("/rescues/", {"ordering": "rescue_number"}).content.decode()
    assert html.index("L-1") < html.index("Q-1")


def test_the_export_has_the_visible_rows(cast, rescues):
    import io

    from openpyxl import load_workbook

    response = browser(cast.world, "maint").get("/rescues/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = sorted(row[0].value for row in sheet.iter_rows(min_row=2))
    assert numbers == ["L-1", "Q-1"]
    assert sheet.cell(1, 12).value == "30分钟内到达"


def test_the_detail_of_another_tenants_rescue_is_404(cast, rescues):
    quick, late, hidden = rescues
    client = browser(cast.world, "maint")
    page = client.get(f"/rescues/{late.pk}/")
    assert page.status_code == 200
    assert 'data-testid="late"' in page.content.decode()
    assert client.get(f"/rescues/{hidden.pk}/").status_code == 404
    assert browser(cast.world, "district").get(f"/rescues/{late.pk}/").status_code == 404


def test_the_form_offers_the_companys_elevators_and_records(cast):
    client = browser(cast.world, "maint")
    page = client.get("/rescues/new/").content.decode()
    assert cast.fan.equipment_code in page and cast.xiang.equipment_code in page
    assert cast.other.equipment_code not in page
    alarm = timezone.localtime(alarm_time())
    response = client.post(
        "/rescues/new/",
        {
            "rescue_number": "F-1",
            "elevator": cast.fan.pk,
            "alarm_at": alarm.strftime("%Y-%m-%dT%H:%M"),
            "arrived_at": (alarm + timedelta(minutes=31)).strftime("%Y-%m-%dT%H:%M"),
            "people_trapped": 1,
            "people_injured": 0,
        },
    )
    rescue = RescueIncident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rescues/{rescue.pk}/"
    assert (rescue.elevator, rescue.minutes_to_arrive, rescue.arrived_within_limit) == (cast.fan, 31, False)


def test_the_form_takes_a_typed_rescue_code_and_refuses_a_stranger_elevator(cast):
    client = browser(cast.world, "maint")
    alarm = timezone.localtime(alarm_time()).strftime("%Y-%m-%dT%H:%M")
    base = {"rescue_number": "F-2", "alarm_at": alarm, "people_trapped": 0, "people_injured": 0}
    refused = client.post("/rescues/new/", {**base, "code": cast.other.rescue_code})
    assert refused.status_code == 200 and RescueIncident.objects.count() == 0
    assert "不能为它记录救援" in refused.content.decode()
    client.post("/rescues/new/", {**base, "code": cast.xiang.rescue_code})
    assert RescueIncident.objects.get().elevator == cast.xiang


@pytest.mark.parametrize("key", ["insurer_a", "pm_fancheng", "nfra"])
def test_only_reporters_open_the_form(cast, key):
    assert browser(cast.world, key).get("/rescues/new/").status_code == 403


def test_the_board_for_regulators_by_district(cast, rescues):
    month = {"month": timezone.localdate(alarm_time()).strftime("%Y-%m")}
    page = browser(cast.world, "city").get("/rescues/board/", month)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="board-row"') == 2
    assert 'data-testid="board-count">3<' in html
    assert "25.0" in html  # mean of 10 and 40 minutes
    assert "50.0%" in html  # one of the two arrivals within 30 minutes
    district = browser(cast.world, "district").get("/rescues/board/", month).content.decode()
    assert district.count('data-testid="board-row"') == 1 and "100.0%" in district
    assert browser(cast.world, "maint").get("/rescues/board/").status_code == 403
    assert browser(cast.world, "city").get("/rescues/board/", {"month": "2999-13"}).status_code == 200


def test_navigation_entries(cast):
    names = lambda key: {item["url_name"] for item in navigation_for(cast.world.users[key])}  # noqa: E731
    assert {"rescue-list", "feedback-list"} <= names("maint") and "rescue-board" not in names("maint")
    assert {"rescue-list", "rescue-board", "feedback-list", "claim-proposal-list"} <= names("city")
    assert "claim-proposal-list" in names("insurer_a") and "feedback-list" not in names("insurer_a")
