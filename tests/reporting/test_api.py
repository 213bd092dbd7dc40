"""The coverage API: the documented shape, the engine's exact figures, visibility and refusals."""

from datetime import timedelta

import pytest

from reporting.selectors import GROUPINGS, coverage_by, coverage_forecast
from tests.utils.api import AnonymousRefused, DescribedSchema, api_schema
from tests.utils.clients import session, with_key
from tests.utils.dates import today

from .dashboard_scene import build_scene

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage/"
FORECAST_URL = "/api/v1/coverage/forecast/"


@pytest.fixture
def scene(world):
    return build_scene(world)


def without_time(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "computed_at"}


class TestCoverageEndpoint(AnonymousRefused, DescribedSchema):
    url = URL
    anonymous_calls = ("GET ", "GET forecast/")

    @pytest.mark.parametrize("by", [None, *GROUPINGS])
    def test_the_answer_is_the_engines_figures_in_the_documented_shape(self, world, scene, by):
        params = {"on": today().isoformat(), **({"by": by} if by else {})}
        response = with_key(world, "city").get(URL, params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"on", "by", "computed_at", "total", "rows"}
        assert set(body["total"]) == {"in_scope", "insured", "rate"}
        for row in body["rows"]:
            assert set(row) == {"key", "label", "in_scope", "insured", "rate"}
            assert row["rate"] is None or (isinstance(row["rate"], float) and 0 <= row["rate"] <= 1)
        expected = coverage_by(user=world.users["city"], on=today(), by=by).as_dict()
        assert without_time(body) == without_time(expected)
        assert body["computed_at"]

    def test_exact_figures_by_district_with_codes_as_keys(self, world, scene):
        body = session(world, "city").get(URL, {"by": "district"}).json()
        # 樊城区: insured, lapsed, never, mall in scope (the scrapped one is not); 2 insured
        assert body["on"] == today().isoformat()  # today by default
        assert body["total"] == {"in_scope": 6, "insured": 3, "rate": 0.5}
        rows = {row["key"]: (row["in_scope"], row["insured"], row["rate"]) for row in body["rows"]}
        assert rows == {"420606": (4, 2, 0.5), "420602": (2, 1, 0.5)}

    def test_a_rate_is_null_when_nothing_is_in_scope(self, world):
        body = session(world, "city").get(URL).json()
        assert body["total"] == {"in_scope": 0, "insured": 0, "rate": None}

    def test_the_elevator_list_filters_narrow_the_slice(self, world, scene):
        body = with_key(world, "city").get(URL, {"district": "420606", "by": "place_category"}).json()
        expected = coverage_by(
            user=world.users["city"], on=today(), by="place_category", filters={"district": "420606"}
        )
        assert without_time(body) == without_time(expected.as_dict())
        assert body["total"]["in_scope"] == 4

    def test_each_kind_gets_its_own_scope(self, world, scene):
        for key in ("district", "housing", "finance", "insurer_b", "pm_xiangcheng"):
            body = session(world, key).get(URL, {"by": "district"}).json()
            expected = coverage_by(user=world.users[key], on=today(), by="district").as_dict()
            assert without_time(body) == without_time(expected), key
        district = session(world, "district").get(URL, {"by": "district"}).json()
        assert [row["key"] for row in district["rows"]] == ["420606"]

    @pytest.mark.parametrize(
        "params,field",
        [({"by": "colour"}, "by"), ({"on": "2026-13-01"}, "on"), ({"district": "999999"}, "district")],
    )
    def test_a_bad_parameter_is_refused_with_400(self, world, scene, params, field):
        response = with_key(world, "city").get(URL, params)
        assert response.status_code == 400, response.content
        assert field in str(response.json())

    def test_the_forecast_is_the_engines_renewal_cliff(self, world, scene):
        on = today() - timedelta(days=40)  # the lapsed policy was still in force then
        response = with_key(world, "city").get(FORECAST_URL, {"on": on.isoformat(), "days": "30,60"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"on", "computed_at", "total", "points", "policies"}
        points, policies = coverage_forecast(user=world.users["city"], on=on, days=(30, 60))
        assert [(p["days"], p["on"], p["in_scope"], p["insured"], p["rate"]) for p in body["points"]] == [
            (p.days, p.on.isoformat(), p.figure.in_scope, p.figure.insured, float(p.figure.rate))
            for p in points
        ]
        assert (
            [p["id"] for p in body["policies"]] == [p.pk for p in policies] == [scene.policies["f_lapsed"].pk]
        )
        assert body["policies"][0]["elevators_ending"] == 1
        assert body["total"] == coverage_by(user=world.users["city"], on=on).as_dict()["total"]

    def test_the_forecast_defaults_to_30_60_90_and_refuses_bad_days(self, world, scene):
        body = session(world, "city").get(FORECAST_URL).json()
        assert [p["days"] for p in body["points"]] == [30, 60, 90]
        assert session(world, "city").get(FORECAST_URL, {"days": "thirty"}).status_code == 400
        assert session(world, "city").get(FORECAST_URL, {"days": "0"}).status_code == 400


def test_the_schema_documents_the_parameters_and_shows_examples():
    paths = api_schema()["paths"]
    coverage, forecast = paths["/api/v1/coverage/"]["get"], paths["/api/v1/coverage/forecast/"]["get"]
    names = {p["name"] for p in coverage["parameters"]}
    assert {"on", "by", "district", "place_category", "group"} <= names
    assert {"on", "days"} <= {p["name"] for p in forecast["parameters"]}
    for operation in (coverage, forecast):
        content = operation["responses"]["200"]["content"]["application/json"]
        assert content.get("examples"), operation["operationId"]
