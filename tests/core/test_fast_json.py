"""The API's JSON (core.api.fast_json) is byte for byte DRF's JSONRenderer's, and its filter
backend (core.api.filtering) skips the FilterSet only when a call names no filter."""

import datetime
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from core.api.fast_json import OrjsonRenderer
from tests.elevators.factories import ElevatorFactory
from tests.utils.clients import session

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
AWKWARD = {
    "text": '长征路"1"号\\后门\n\t\u2028\u2029<b>&\x00\x1f\x7f é',
    "empty": "",
    "numbers": [0, -1, 2**63 - 1, -(2**63), 1.5, 0.1, -0.0, 123456.789],
    "flags": [True, False, None],
    "nested": {"a": [{"b": {}}], "list": [], "tuple": (1, "2")},
    "day": datetime.date(2026, 12, 1),
    "moment": datetime.datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC),
    "local": datetime.datetime(2026, 12, 1, 8, 30, tzinfo=SHANGHAI),
    "naive": datetime.datetime(2026, 12, 1, 8, 30, 0, 500),
    "clock": datetime.time(9, 5, 1, 250000),
    "money": Decimal("1234.50"),
    "lazy": gettext_lazy("设备状态"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "bytes": b"abc",
    "huge": 2**70,
    1: "an integer key",
}


@pytest.mark.parametrize("value", [AWKWARD, [AWKWARD, AWKWARD], "\u2028", [], {}, 0, "plain"])
def test_the_bytes_are_drfs(value):
    assert OrjsonRenderer().render(value) == JSONRenderer().render(value)


def test_indented_answers_are_drfs():
    context = {"indent": 4}
    assert OrjsonRenderer().render(AWKWARD, "application/json", context) == JSONRenderer().render(
        AWKWARD, "application/json", context
    )
    media = "application/json; indent=2"
    assert OrjsonRenderer().render(AWKWARD, media) == JSONRenderer().render(AWKWARD, media)


def test_no_data_is_no_body():
    assert OrjsonRenderer().render(None) == b""


@pytest.mark.django_db
def test_a_call_naming_no_filter_builds_no_filterset(world):
    ElevatorFactory(district=world.fancheng, status="suspended")
    ElevatorFactory(district=world.fancheng)
    client = session(world, "city")
    with mock.patch("django_filters.filterset.BaseFilterSet.__init__", side_effect=AssertionError) as built:
        response = client.get("/api/v1/elevators/?page_size=1")
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    assert not built.called
    assert len(client.get("/api/v1/elevators/?status=suspended").json()["results"]) == 1
    refused = client.get("/api/v1/elevators/?status=nonsense")
    assert refused.status_code == 400 and "status" in refused.json()
    assert len(client.get(f"/api/v1/elevators/?cursor=&day={timezone.localdate()}").json()["results"]) == 2
