"""The elevator list's fast path (core.api.fast_list): the same bytes as ElevatorSerializer, fewer costs.

The list is answered from `.values_list()` rows; these tests hold it to the serializer's output for the
same rows — nulls, units without a credit code, districts, dates, flags at their boundaries,
labels in both languages — and check that the cursor, the filters and the query count still hold.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from core.api.fast_list import list_rows
from elevators.api.serializers import ElevatorSerializer
from elevators.api.serializers.elevators import elevator_list_represent
from elevators.api.views import ELEVATOR_RELATIONS, ElevatorViewSet
from elevators.models import OLD_ELEVATOR_YEARS, Elevator, PlaceCategory, years_before
from tests.elevators.factories import ElevatorFactory
from tests.factories import OrganisationFactory
from tests.utils.clients import session

pytestmark = pytest.mark.django_db

ELEVATORS = "/api/v1/elevators/"


@pytest.fixture
def registry(world):
    """Elevators that exercise every representation: full, all nulls, odd units, boundaries."""
    today = timezone.localdate()
    no_code_unit = OrganisationFactory(credit_code="", name="无代码物业")
    return [
        ElevatorFactory(
            district=world.fancheng,
            user_unit=world.orgs["pm_fancheng"],
            maintenance_company=world.orgs["maint"],
        ),
        ElevatorFactory(
            district=world.xiangcheng,
            user_unit=None,
            owner=None,
            maintenance_company=None,
            rescue_code=None,
            code_form="",
            registration_number="",
            registered_on=None,
            manufactured_on=None,
            installed_on=None,
            last_inspected_on=None,
            inspection_result="",
            next_inspection_due=None,
            has_repair_funds=False,
            site_name="",
            manufacturer="",
        ),
        ElevatorFactory(
            district=world.fancheng,
            user_unit=no_code_unit,
            owner=world.orgs["pm_xiangcheng"],
            category="3310",
            equipment_code="33104200120150000077",
            code_form="registration",
            place_category=PlaceCategory.objects.exclude(code="RESIDENTIAL").first(),
            status="suspended",
            inspection_result="fail",
            installed_on=years_before(today, OLD_ELEVATOR_YEARS),
            next_inspection_due=today,
            address='长征路"1"号\\后门\n\u2028<b>',
        ),
        ElevatorFactory(
            district=world.xiangcheng,
            installed_on=years_before(today, OLD_ELEVATOR_YEARS) + timedelta(days=1),
            inspection_result="pass_rectified",
            next_inspection_due=today,
        ),
        ElevatorFactory(district=world.fancheng, next_inspection_due=today - timedelta(days=1)),
    ]


def serializer_page(request_page: dict) -> bytes:
    """What the serializer path rendered for the same page: ElevatorSerializer over model instances."""
    ids = [row["id"] for row in request_page["results"]]
    elevators = Elevator.objects.select_related(*ELEVATOR_RELATIONS).filter(pk__in=ids).order_by("-pk")
    results = ElevatorSerializer(elevators, many=True, context={"today": timezone.localdate()}).data
    envelope = {"next": request_page["next"], "previous": request_page["previous"], "results": results}
    return JSONRenderer().render(envelope)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_is_byte_for_byte_what_the_serializer_gave(world, registry, language):
    response = session(world, "city").get(ELEVATORS, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == len(registry)
    with translation.override(language):
        assert response.content == serializer_page(body)


@pytest.mark.parametrize("casts", [True, False], ids=["casts", "to_char"])
def test_dates_and_times_are_the_serializers_however_postgresql_writes_them(world, registry, casts):
    """PostgreSQL writes them by casts under the ISO DateStyle, by to_char otherwise (SQLite: as stored)."""
    with mock.patch("core.api.fast_list.iso_date_style", return_value=casts):
        response = session(world, "city").get(ELEVATORS)
    assert response.status_code == 200
    assert response.content == serializer_page(response.json())


def test_the_representation_has_the_serializers_keys_in_its_order(world, registry):
    rows = list(ElevatorViewSet.list_queryset().filter(pk=registry[0].pk))
    (represented,) = elevator_list_represent(rows, today=timezone.localdate())
    assert list(represented) == ElevatorSerializer.Meta.fields


def test_flags_match_the_model_predicates_at_their_boundaries(world, registry):
    today = timezone.localdate()
    rows = ElevatorViewSet.list_queryset().filter(pk__in=[e.pk for e in registry]).order_by("pk")
    represented = elevator_list_represent(list(rows), today=today)
    expected = [(e.is_in_scope(on=today), e.is_old(on=today), e.is_three_no()) for e in registry]
    assert [(r["in_scope"], r["is_old"], r["is_three_no"]) for r in represented] == expected
    assert {flags for flags in expected} >= {(True, False, False), (False, True, False), (False, False, True)}


def test_the_cursor_walks_every_visible_elevator_once_newest_first(world, registry):
    client = session(world, "district")
    seen, url = [], f"{ELEVATORS}?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    fancheng = Elevator.objects.filter(district=world.fancheng).order_by("-pk")
    assert seen == list(fancheng.values_list("pk", flat=True))


def test_filters_still_narrow_the_fast_list(world, registry):
    body = session(world, "city").get(f"{ELEVATORS}?status=suspended").json()
    assert [row["id"] for row in body["results"]] == [registry[2].pk]


@pytest.mark.parametrize("page_size", [10, 500])
def test_one_query_for_the_rows_whatever_the_page_size(world, registry, page_size):
    client = session(world, "city")
    client.get(ELEVATORS)  # the session and the user are read once before counting
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{ELEVATORS}?page_size={page_size}")
    assert response.status_code == 200
    elevator_table = Elevator._meta.db_table
    row_queries = [q["sql"] for q in captured if f'FROM "{elevator_table}"' in q["sql"]]
    assert len(row_queries) == 1
    assert len(captured) <= 4
    assert "COUNT(" not in row_queries[0].upper()


def test_the_list_schema_still_describes_every_field(schema):
    listed = schema["paths"][ELEVATORS]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["$ref"].endswith("/PaginatedElevatorList")
    properties = schema["components"]["schemas"]["Elevator"]["properties"]
    assert list(properties) == ElevatorSerializer.Meta.fields
    assert all(
        p.get("description") and ("type" in p or "$ref" in p or "allOf" in p) for p in properties.values()
    )


def test_a_fast_list_selects_the_primary_key_first_for_its_cursor():
    with pytest.raises(ImproperlyConfigured):
        list_rows(Elevator.objects.all(), ("equipment_code", "pk"), {})
    assert list_rows(Elevator.objects.all(), ("pk", "equipment_code"), {}).query.values_select == (
        "pk",
        "equipment_code",
    )
