"""The dashboards in the browser: who may open them, that they show the engine's figures for the
viewer's scope, the drill-down to the work list and its export, and a constant query count."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.selectors import coverage_by, insurance_summary, worklist_headers
from tests.utils.clients import browser
from tests.utils.dates import today

from .dashboard_scene import build_scene, more_elevators

pytestmark = pytest.mark.django_db

OVERVIEW = "/coverage/"
WORKLIST = "/coverage/uninsured/"
INSURERS = "/coverage/insurers/"
READERS = ("city", "district", "housing", "finance", "nfra")
OTHERS = ("insurer_a", "pm_fancheng", "maint")


@pytest.fixture
def scene(world):
    return build_scene(world)


def test_the_readers_open_the_dashboard_and_find_it_in_the_navigation(world, scene):
    for key in READERS:
        response = browser(world, key).get(OVERVIEW)
        assert response.status_code == 200, key
        assert any(item["url_name"] == "coverage-overview" for item in response.context["nav_items"]), key
    for key in OTHERS:
        assert browser(world, key).get(OVERVIEW).status_code == 403, key
        home = browser(world, key).get("/")
        assert all(item["url_name"] != "coverage-overview" for item in home.context["nav_items"]), key
    assert browser(world, "housing").get(INSURERS).status_code == 403
    assert browser(world, "nfra").get(INSURERS).status_code == 200
    anonymous = browser(world, "city")
    anonymous.logout()
    assert anonymous.get(OVERVIEW).status_code == 302


@pytest.mark.parametrize("key", READERS)
def test_each_kind_sees_the_engines_figures_for_its_scope_only(world, scene, key):
    response = browser(world, key).get(OVERVIEW)
    user = world.users[key]
    expected = coverage_by(user=user, on=today(), by="district")
    total = response.context["total"]
    assert (total.in_scope, total.insured) == (expected.total.in_scope, expected.total.insured)
    districts = next(s for s in response.context["sections"] if s["key"] == "districts")
    assert {row.key: (row.in_scope, row.insured) for row, _url in districts["rows"]} == {
        row.key: (row.in_scope, row.insured) for row in expected.rows
    }
    assert response.context["insurance"] == insurance_summary(user=user, on=today())
    assert response.context["chart_data"]["total"] == {**expected.total.as_dict()}
    if key == "district":
        assert [row.key for row, _url in districts["rows"]] == ["420606"]


def test_the_page_shows_the_figures_as_of_the_chosen_day_and_the_target(world, scene, settings):
    settings.TIBAO = {**settings.TIBAO, "COVERAGE_TARGET": 0.6}
    on = today() - timedelta(days=150)  # the lapsed and the public-housing elevators were insured then
    response = browser(world, "city").get(OVERVIEW, {"on": on.isoformat()})
    page = response.content.decode()
    expected = coverage_by(user=world.users["city"], on=on)
    assert (response.context["total"].in_scope, response.context["total"].insured) == (6, 2)
    assert expected.total.insured == 2
    assert f"截至 {on.isoformat()}" in page
    assert 'data-testid="target-rate">60.0%' in page
    assert "尚无冻结月份" in page
    assert 'id="coverage-data"' in page and "js/coverage.js" in page
    # a bad day falls back to today with the error shown, never a 500
    bad = browser(world, "city").get(OVERVIEW, {"on": "2026-02-30"})
    assert bad.status_code == 200 and bad.context["on"] == today()


def test_the_drill_down_goes_city_district_place_category_work_list(world, scene):
    client = browser(world, "city")
    city = client.get(OVERVIEW)
    districts = next(s for s in city.context["sections"] if s["key"] == "districts")
    fancheng_url = dict((row.key, url) for row, url in districts["rows"])["420606"]
    district = client.get(fancheng_url)
    assert district.context["district"].code == "420606"
    assert district.context["total"].in_scope == 4
    assert "districts" not in [s["key"] for s in district.context["sections"]]
    places = next(s for s in district.context["sections"] if s["key"] == "places")
    residential_url = dict((row.key, url) for row, url in places["rows"])["RESIDENTIAL"]
    residential = client.get(residential_url)
    assert residential.context["place_category"].code == "RESIDENTIAL"
    assert residential.context["total"].in_scope == 3  # insured, lapsed, never
    worklist = client.get(residential.context["worklist_url"])
    assert worklist.status_code == 200
    listed = [row["pk"] for row in worklist.context["rows"]]
    assert sorted(listed) == sorted([scene.elevators["f_lapsed"].pk, scene.elevators["f_never"].pk])


def test_the_work_list_says_who_should_insure_and_whether_it_lapsed_and_exports_as_shown(world, scene):
    client = browser(world, "city")
    response = client.get(WORKLIST, {"district": "420606"})
    headers = worklist_headers()
    rows = {row["pk"]: row["cells"] for row in response.context["rows"]}
    lapsed, never = scene.elevators["f_lapsed"], scene.elevators["f_never"]
    assert set(rows) == {lapsed.pk, never.pk}
    cell = dict(zip(headers, rows[lapsed.pk], strict=True))
    cover_end = scene.policies["f_lapsed"].end_date
    assert (cell["投保情况"], cell["脱保日期"]) == ("脱保", cover_end + timedelta(days=1))
    cell = dict(zip(headers, rows[never.pk], strict=True))
    assert (cell["投保情况"], cell["脱保日期"]) == ("从未投保", None)
    assert (cell["使用单位"], cell["联系电话"]) == (never.user_unit.name, "0710-1234567")
    page = response.content.decode()
    assert page.index("设备代码") < page.index("使用单位") < page.index("联系电话") < page.index("脱保日期")

    export = client.get(WORKLIST + "export.xlsx", {"district": "420606", "ordering": "equipment_code"})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == headers
    assert [r[0] for r in table[1:]] == sorted([lapsed.equipment_code, never.equipment_code])
    assert table[1 if lapsed.equipment_code < never.equipment_code else 2][9] == "脱保"


def test_a_district_regulator_lists_only_its_districts_uninsured(world, scene):
    response = browser(world, "district").get(WORKLIST)
    assert {row["pk"] for row in response.context["rows"]} == {
        scene.elevators["f_lapsed"].pk,
        scene.elevators["f_never"].pk,
    }
    housing = browser(world, "housing").get(WORKLIST)  # residential and public housing, both districts
    assert {row["pk"] for row in housing.context["rows"]} == {
        scene.elevators["f_lapsed"].pk,
        scene.elevators["f_never"].pk,
        scene.elevators["x_never"].pk,
    }


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [OVERVIEW, f"{OVERVIEW}?district=420606", WORKLIST, INSURERS])
def test_every_dashboard_costs_the_same_queries_for_more_data(world, scene, url):
    client = browser(world, "city")
    client.get(url)  # one-off work of a first request
    small = queries_for(client, url)
    more_elevators(world, 6, tag="more")
    assert queries_for(client, url) == small


def test_the_trend_shows_frozen_months_against_their_targets_and_the_change(world, scene):

    from core.principal import SYSTEM
    from reporting.months import month_start, previous_month
    from reporting.selectors import coverage_change
    from reporting.services import month_approve, month_freeze, month_publish, target_set

    last = previous_month(today())
    before = previous_month(last)
    target_set(user=world.users["city"], due_on=today() + timedelta(days=200), rate="0.75")
    for month in (before, last):
        month_freeze(user=SYSTEM, month=month)
    older, _ = month_freeze(user=SYSTEM, month=before)
    month_publish(
        user=world.users["city"], frozen_month=month_approve(user=world.users["city"], frozen_month=older)
    )

    city = browser(world, "city").get(OVERVIEW)
    trend = city.context["trend"]
    assert [m["month"] for m in trend] == [before.strftime("%Y-%m"), last.strftime("%Y-%m")]
    assert city.context["target"] == 0.75  # the target set for today, not the configured one
    assert [m["target"] for m in city.context["chart_data"]["trend"]] == [0.75, 0.75]
    assert city.context["changes"] == coverage_change(months=trend)
    assert "尚无冻结月份" not in city.content.decode()
    # a district regulator reads published months only, of its district
    district = browser(world, "district").get(OVERVIEW).context["trend"]
    assert [m["month"] for m in district] == [before.strftime("%Y-%m")]
    assert month_start(today()) > last


def test_the_change_between_months_is_in_rate_points():
    from decimal import Decimal

    from reporting.selectors import coverage_change

    months = [
        {"month": "2025-06", "total": {"rate": 0.5}},
        {"month": "2026-05", "total": {"rate": 0.6}},
        {"month": "2026-06", "total": {"rate": 0.625}},
    ]
    change = coverage_change(months=months)
    assert (change.month, change.month_on_month, change.year_on_year) == (
        "2026-06",
        Decimal("0.0250"),
        Decimal("0.1250"),
    )
    assert coverage_change(months=[{"month": "2026-01", "total": {"rate": None}}]).month_on_month is None


def test_the_work_list_is_as_of_the_chosen_day(world, scene):
    on = today() - timedelta(days=150)  # before the first policy of f_insured and the mall's began
    response = browser(world, "city").get(WORKLIST, {"on": on.isoformat()})
    e = scene.elevators
    assert {row["pk"] for row in response.context["rows"]} == {
        e["f_insured"].pk,
        e["f_mall"].pk,
        e["f_never"].pk,
        e["x_never"].pk,
    }
    assert f'value="{on.isoformat()}"' in response.content.decode()
