"""The hazard pages: list (filters, search, export), detail with its forms, the report form (only
elevators the user sees), the regulators' board, the navigation and the elevator's timeline."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.navigation import navigation_for
from elevators.selectors import elevator_timeline
from maintenance.models import Hazard
from maintenance.selectors.hazards import hazard_board, hazard_figures
from maintenance.services.hazards import hazard_close, hazard_rectify
from tests.maintenance.conftest_hazards import FOUND, TODAY, make_cast
from tests.utils.clients import browser

pytestmark = pytest.mark.django_db

SERIOUS = {"severity": "serious", "criterion": "inspection_failed"}


@pytest.fixture
def cast(db):
    return make_cast()


def test_list_shows_the_visible_hazards_filtered_searched_and_exported(cast):
    mine = cast.report("maint", hazard_number="WB-77", **SERIOUS)[0]
    cast.report("maint", elevator=cast.xiang, hazard_number="WB-78")
    cast.report("city", elevator=cast.other, hazard_number="SJ-1")
    client = browser(cast.world, "maint")
    page = client.get("/hazards/")
    assert page.status_code == 200
    assert [h.hazard_number for h in page.context["object_list"]] == ["WB-78", "WB-77"]
    assert "SJ-1" not in page.content.decode()
    assert [h.pk for h in client.get("/hazards/", {"severity": "serious"}).context["object_list"]] == [
        mine.pk
    ]
    assert [h.pk for h in client.get("/hazards/", {"q": "WB-77"}).context["object_list"]] == [mine.pk]
    export = client.get("/hazards/export/", {"severity": "serious"})
    assert export.status_code == 200
    rows = list(load_workbook(BytesIO(export.content)).active.values)
    assert [row[0] for row in rows] == ["隐患编号", "WB-77"]


def test_another_tenants_hazard_is_404_on_every_page(cast):
    hidden = cast.report("city", elevator=cast.other)[0]
    client = browser(cast.world, "maint")
    assert client.get(f"/hazards/{hidden.pk}/").status_code == 404
    assert client.post(f"/hazards/{hidden.pk}/rectify/", {"status": "rectifying"}).status_code == 404
    assert client.post(f"/hazards/{hidden.pk}/close/", {"send_back": "0"}).status_code == 404


def test_detail_offers_the_forms_to_those_who_may_and_they_work(cast):
    hazard = cast.report("insurer_a")[0]
    url = f"/hazards/{hazard.pk}/"
    maint, district, insurer_b = (browser(cast.world, k) for k in ("maint", "district", "housing"))
    page = maint.get(url)
    assert "rectify_form" in page.context and "close_form" not in page.context
    assert "rectify_form" not in district.get(url).context
    assert insurer_b.post(f"{url}rectify/", {"status": "rectifying"}).status_code == 403
    refused = maint.post(f"{url}rectify/", {"status": "rectified", "rectification": ""})
    assert refused.status_code == 400
    assert "请说明整改了什么。" in refused.content.decode()
    assert maint.post(f"{url}rectify/", {"status": "rectified", "rectification": "已排水"}).status_code == 302
    assert "close_form" in district.get(url).context
    assert maint.post(f"{url}close/", {"send_back": "0"}).status_code == 403
    assert district.post(f"{url}close/", {"send_back": "0"}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == "closed"
    assert [s.status for s in district.get(url).context["steps"]] == ["open", "rectified", "closed"]


def test_report_form_picks_only_visible_elevators(cast):
    client = browser(cast.world, "district")
    form = {
        "hazard_number": "QX-1", "found_on": FOUND.isoformat(), "severity": "general",
        "description": "层门变形", "criterion": "", "found_by": "", "deadline": "",
    }  # fmt: skip
    refused = client.post("/hazards/new/", {**form, "elevator": cast.xiang.equipment_code})
    assert refused.status_code == 200
    assert "未找到该设备代码的电梯，或您无权查看。" in refused.content.decode()
    done = client.post("/hazards/new/", {**form, "elevator": cast.fan.equipment_code})
    hazard = Hazard.objects.get(hazard_number="QX-1")
    assert done.status_code == 302 and done["Location"] == f"/hazards/{hazard.pk}/"
    assert hazard.found_by == "inspection"
    assert browser(cast.world, "pm_fancheng").get("/hazards/new/").status_code == 403


def test_board_counts_by_district_in_one_query_and_is_for_regulators(cast):
    cast.report("maint", **SERIOUS)
    cast.report("maint", deadline=FOUND)  # overdue today
    closed = cast.report("maint")[0]
    hazard_rectify(user=cast.world.users["maint"], hazard=closed, status="rectified", rectification="修好")
    hazard_close(user=cast.world.users["city"], hazard=closed)
    cast.report("maint", elevator=cast.xiang)
    with CaptureQueriesContext(connection) as queries:
        rows = hazard_board(user=cast.world.users["city"])
    assert len(queries) == 1
    assert [(r["district"], r["open"], r["serious"], r["overdue"]) for r in rows] == sorted(
        [(cast.world.fancheng.name, 2, 1, 1), (cast.world.xiangcheng.name, 1, 0, 0)]
    )
    page = browser(cast.world, "district").get("/hazards/board/")
    assert page.status_code == 200
    assert [r["open"] for r in page.context["rows"]] == [2]
    assert f"?district={cast.world.fancheng.pk}&amp;overdue=true" in page.content.decode()
    assert browser(cast.world, "maint").get("/hazards/board/").status_code == 403


def test_figures_as_they_stood_on_a_day(cast):
    cast.report("maint", **SERIOUS)
    cast.report("maint", deadline=FOUND)
    done = cast.report("maint")[0]
    hazard_rectify(user=cast.world.users["maint"], hazard=done, status="rectified", rectification="修好")
    cast.report("maint", found_on=TODAY)
    city = cast.world.users["city"]
    with CaptureQueriesContext(connection) as queries:
        figures = hazard_figures(user=city)
    assert len(queries) == 1
    assert figures == {
        "found": 4,
        "open": 3,
        "serious": 1,
        "overdue": 1,
        "rectified": 1,
        "rectification_rate": 0.25,
    }
    before = hazard_figures(user=city, on=FOUND)
    assert (before["found"], before["open"], before["rectified"]) == (3, 3, 0)
    assert hazard_figures(user=cast.world.users["insurer_b"])["rectification_rate"] is None


def test_navigation_and_timeline(cast):
    hazard = cast.report("maint", **SERIOUS)[0]
    hazard_rectify(
        user=cast.world.users["maint"], hazard=hazard, status="rectified", rectification="更换限速器"
    )
    names = {
        kind: {i["url_name"] for i in navigation_for(cast.world.users[kind])}
        for kind in ("city", "maint", "nfra")
    }
    assert {"hazard-list", "hazard-board"} <= names["city"]
    assert "hazard-list" in names["maint"] and "hazard-board" not in names["maint"]
    assert "hazard-list" not in names["nfra"]
    entries = [
        e
        for e in elevator_timeline(elevator=cast.fan, user=cast.world.users["pm_fancheng"])
        if e.kind.startswith("hazard")
    ]
    assert [(e.kind, e.tone) for e in entries] == [("hazard_rectified", "primary"), ("hazard_open", "danger")]
    assert "更换限速器" in entries[0].detail
    assert [
        e
        for e in elevator_timeline(elevator=cast.fan, user=cast.world.users["insurer_b"])
        if e.kind.startswith("hazard")
    ] == []
