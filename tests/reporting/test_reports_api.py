"""GET /api/v1/reports/ and GET /api/v1/coverage/trend/."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.base import ContentFile

from accounts.models import Department
from core.principal import SYSTEM
from reporting.models import FrozenMonth, MonthStatus, ReportRun, ReportStatus
from reporting.services import month_approve, month_freeze, month_publish
from tests.utils.api import ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

from .conftest import LAST_MONTH

pytestmark = pytest.mark.django_db

FROZEN_AT = datetime(2021, 7, 1, tzinfo=UTC)
_months = iter(range(10_000))


def published_month(status=MonthStatus.PUBLISHED) -> FrozenMonth:
    n = next(_months)
    first = date(1950 + n // 12, n % 12 + 1, 1)
    return FrozenMonth.objects.create(
        month=first, on=first.replace(day=28), status=status, frozen_at=FROZEN_AT
    )


def run_of(month, department, status=ReportStatus.DONE) -> ReportRun:
    run = ReportRun.objects.create(frozen_month=month, department=department, status=status)
    run.file.save(run.filename, ContentFile(b"PK fake workbook"), save=True)
    return run


class TestReportsEndpoint(ReadEndpointTests):
    """A department sees its own reports of published months; never another's, never a draft's."""

    url = "/api/v1/reports/"
    viewer = "housing"

    @pytest.fixture(autouse=True)
    def _media(self, media):
        return media

    @pytest.fixture
    def scene(self, world):
        june, july = published_month(), published_month()
        draft = published_month(MonthStatus.DRAFT)
        mine = [run_of(june, Department.HOUSING), run_of(july, Department.HOUSING, ReportStatus.FAILED)]
        run_of(draft, Department.HOUSING)
        return Scene(
            visible=mine,
            hidden=run_of(june, Department.FINANCE),
            filters=[({"month": june.label}, [mine[0]]), ({"status": "failed"}, [mine[1]])],
        )

    def make_visible(self, world, count):
        return [run_of(published_month(), Department.HOUSING) for _ in range(count)]


def test_the_report_list_names_a_download_that_answers_the_workbook(world, media):
    run = run_of(published_month(), Department.HOUSING)
    client = with_key(world, "housing")
    [row] = client.get("/api/v1/reports/").json()["results"]
    assert set(row) == {
        "id",
        "month",
        "department",
        "department_label",
        "status",
        "checksum",
        "size",
        "created_at",
        "finished_at",
        "download",
    }
    assert row["download"].endswith(f"/api/v1/reports/{run.pk}/download/")
    response = client.get(row["download"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"PK fake workbook"
    assert with_key(world, "finance").get(f"/api/v1/reports/{run.pk}/download/").status_code == 404
    assert client.get("/api/v1/reports/", {"month": "2021-13"}).status_code == 400


def test_the_trend_answers_frozen_months_only_in_the_issue_shape(world, registry):
    frozen, _ = month_freeze(user=SYSTEM, month=LAST_MONTH)
    city = session(world, "city")
    body = city.get("/api/v1/coverage/trend/", {"by": "district"}).json()
    assert set(body) == {"by", "scope", "months"}
    [month] = body["months"]
    assert set(month) == {"month", "status", "frozen_at", "target", "total", "rows"}
    assert (month["month"], month["status"]) == (f"{LAST_MONTH:%Y-%m}", "draft")
    assert month["total"] == {"in_scope": 6, "insured": 3, "rate": 0.5}
    assert {r["key"] for r in month["rows"]} == {"420606", "420602"}
    assert set(month["rows"][0]) == {"key", "label", "in_scope", "insured", "rate"}
    # a month not frozen is absent; a draft is the city regulator's alone
    assert city.get("/api/v1/coverage/trend/", {"to": "2000-01"}).json()["months"] == []
    assert session(world, "district").get("/api/v1/coverage/trend/").json()["months"] == []
    month_approve(user=SYSTEM, frozen_month=frozen)
    month_publish(user=SYSTEM, frozen_month=frozen)
    district = session(world, "district").get("/api/v1/coverage/trend/").json()
    assert district["scope"] == {"kind": "district", "code": "420606"}
    assert district["months"][0]["total"] == {"in_scope": 4, "insured": 2, "rate": 0.5}
    assert city.get("/api/v1/coverage/trend/", {"by": "colour"}).status_code == 400
    assert city.get("/api/v1/coverage/trend/", {"from": "June"}).status_code == 400
