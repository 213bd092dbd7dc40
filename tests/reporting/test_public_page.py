"""The public page: published monthly figures of the city and its districts, without login."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.principal import SYSTEM
from reporting.months import month_end, previous_month
from reporting.selectors import coverage_by
from reporting.services import month_approve, month_freeze, month_publish
from tests.utils.dates import today

from .dashboard_scene import build_scene, more_elevators

pytestmark = pytest.mark.django_db
URL = "/open-data/coverage/"


@pytest.fixture
def scene(world):
    return build_scene(world)


def publish(world, month):
    frozen, _ = month_freeze(user=SYSTEM, month=month)
    city = world.users["city"]
    return month_publish(user=city, frozen_month=month_approve(user=city, frozen_month=frozen))


def test_without_a_published_month_the_page_says_so(world, scene):
    month_freeze(user=SYSTEM, month=previous_month(today()))  # a draft is not public
    response = Client().get(URL)
    assert response.status_code == 200
    assert "尚无发布的月度数据" in response.content.decode()
    assert response.context["months"] == []


def test_anyone_reads_the_published_city_and_district_figures_and_nothing_else(world, scene):
    last, before = previous_month(today()), previous_month(previous_month(today()))
    publish(world, before)
    month_freeze(user=SYSTEM, month=last)  # frozen, not published
    response = Client().get(URL)
    assert response.status_code == 200
    assert [month.label for month, _total in response.context["months"]] == [before.strftime("%Y-%m")]
    total = response.context["latest_total"]
    frozen = coverage_by(user=world.users["city"], on=month_end(before)).total
    assert (total.in_scope, total.insured) == (frozen.in_scope, frozen.insured)
    assert {row.key for row, _url in response.context["districts"]} == {"420606", "420602"}
    page = response.content.decode()
    assert scene.elevators["f_never"].equipment_code not in page  # aggregates only
    assert 'id="coverage-data"' in page


def test_the_public_page_costs_the_same_queries_for_more_months(world, scene):
    publish(world, previous_month(previous_month(today())))
    client = Client()
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    more_elevators(world, 3, tag="pub")
    publish(world, previous_month(today()))
    with CaptureQueriesContext(connection) as two:
        client.get(URL)
    assert len(two) == len(one)
