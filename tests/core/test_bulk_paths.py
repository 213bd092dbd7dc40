"""The plumbing of the bulk paths: reading a batch's rows by `any_of`, COPY's text of the common
types, and the garbage collector paused around a bulk request."""

import gc
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Organisation
from core.api.bulk import collector_paused
from core.audit import json_text
from core.pgcopy import any_of, copy_insert, rows_update
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("probe", [False, True])
def test_any_of_finds_the_rows_named_as_the_in_lookup_does(probe):
    district = DistrictFactory()
    names = [f"批量{n}" for n in range(5)]
    rows = Organisation.objects.bulk_create(
        [Organisation(kind="insurer", name=name, district=district) for name in names]
    )
    wanted = [names[1], names[3], "没有这家"]
    by_any = set(
        Organisation.objects.filter(any_of("name", wanted, probe=probe)).values_list("pk", flat=True)
    )
    by_in = set(Organisation.objects.filter(name__in=wanted).values_list("pk", flat=True))
    assert by_any == by_in == {rows[1].pk, rows[3].pk}
    keys = [rows[0].pk, rows[4].pk]
    found = Organisation.objects.filter(any_of("pk", keys, probe=probe)).values_list("pk", flat=True)
    assert set(found) == set(keys)
    assert not Organisation.objects.filter(any_of("name", [], probe=probe)).exists()


def test_any_of_sends_one_array_on_postgresql():
    query = str(Organisation.objects.filter(any_of("name", ["甲", "乙"])).query)
    if connection.vendor == "postgresql":
        assert "= ANY(" in query
        probed = str(Organisation.objects.filter(any_of("name", ["甲"], probe=True)).query)
        assert "= ANY(ARRAY(SELECT unnest(" in probed
    else:
        assert " IN (" in query


def test_copy_insert_stores_the_values_bulk_create_would():
    district = DistrictFactory()
    texts = ["平常", "带\t制表符", "带\\反斜杠", "带\n换行"]
    rows = [
        Organisation(kind="insurer", name=name, short_name=f"简{n}", district=district)
        for n, name in enumerate(texts)
    ]
    stored = (
        copy_insert(rows) if connection.vendor == "postgresql" else Organisation.objects.bulk_create(rows)
    )
    again = {o.pk: o for o in Organisation.objects.filter(pk__in=[r.pk for r in stored])}
    assert [again[r.pk].name for r in stored] == texts
    assert all(again[r.pk].district_id == district.pk for r in stored)


def test_rows_update_writes_the_named_columns_of_each_row_and_no_other():
    first, second = DistrictFactory(), DistrictFactory()
    rows = Organisation.objects.bulk_create(
        [Organisation(kind="insurer", name=f"改前{n}", short_name=f"简{n}", district=first) for n in range(3)]
    )
    rows[0].name, rows[0].district = "带\t制表符", second
    rows[1].name, rows[1].short_name = "改后", "不写这一列"
    assert rows_update(rows, ["name", "district_id"]) == 3
    again = {o.pk: o for o in Organisation.objects.filter(pk__in=[r.pk for r in rows])}
    assert [(again[r.pk].name, again[r.pk].short_name, again[r.pk].district_id) for r in rows] == [
        ("带\t制表符", "简0", second.pk),
        ("改后", "简1", first.pk),  # short_name was not named
        ("改前2", "简2", first.pk),
    ]
    assert rows_update([], ["name"]) == 0


def test_json_text_is_the_json_of_the_value_whichever_encoder_writes_it():
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    plain = {"name": ["None", "批量机构"], "count": 3}
    assert json.loads(json_text(plain)) == plain
    unusual = {"amount": Decimal("1.50"), "day": date(2026, 3, 5)}  # only the encoder knows these
    assert json.loads(json_text(unusual, DjangoJSONEncoder)) == {"amount": "1.50", "day": "2026-03-05"}


def test_the_collector_is_paused_inside_and_restored_after_nested_pauses():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
