"""The API's base classes: one permission by organisation kind, writes through services, FilterSets
with an API variant, and one reply shape for every bulk endpoint."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.api.bulk import CREATED, REFUSED, UNCHANGED, BulkItemResult, bulk_response, refused
from core.exceptions import ApplicationError, refusal_from
from elevators.filtersets import ElevatorFilterSet
from tests.elevators.factories import ElevatorFactory
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

ELEVATORS = "/api/v1/elevators/"


# --- the permission -------------------------------------------------------------------------------


def test_anonymous_callers_are_asked_to_authenticate(client):
    response = client.get(ELEVATORS)
    assert response.status_code == 401
    assert client.post(ELEVATORS, {}).status_code == 401


def test_a_kind_that_may_not_write_is_refused_with_the_viewsets_message(world):
    response = with_key(world, "insurer_a").post(ELEVATORS, {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "只有市级或本辖区市场监管部门可以修改电梯登记数据。"}


def test_a_kind_that_may_write_reaches_the_shape_check(world):
    response = session(world, "district").post(ELEVATORS, {}, format="json")
    assert response.status_code == 400
    assert "equipment_code" in response.json()


def test_actions_outside_write_actions_are_left_to_the_service(world):
    """Notices declare no write action: any reader may mark its own notice read."""
    from accounts.models import Notice

    notice = Notice.objects.create(
        recipient_organisation=world.orgs["insurer_a"], subject="到期提醒", body="…"
    )
    response = with_key(world, "insurer_a").post(f"/api/v1/notices/{notice.pk}/mark-read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True


# --- writes through services ---------------------------------------------------------------------


def test_an_update_is_answered_with_the_object_as_a_reader_sees_it(world):
    elevator = ElevatorFactory(district=world.fancheng, address="旧地址")
    response = session(world, "district").patch(
        f"{ELEVATORS}{elevator.pk}/", {"address": "新地址"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["address"] == "新地址"
    elevator.refresh_from_db()
    assert elevator.address == "新地址"


def test_another_districts_elevator_is_not_found_for_writing(world):
    elevator = ElevatorFactory(district=world.xiangcheng)
    response = session(world, "district").patch(f"{ELEVATORS}{elevator.pk}/", {"address": "x"}, format="json")
    assert response.status_code == 404


# --- FilterSets ------------------------------------------------------------------------------------


def test_the_api_variant_has_every_filter_but_ordering():
    api = ElevatorFilterSet.for_api()
    assert set(api.base_filters) == set(ElevatorFilterSet.base_filters) - {"ordering"}
    assert "ordering" in ElevatorFilterSet.base_filters
    assert ElevatorFilterSet.for_api() is api  # made once


# --- refusals ------------------------------------------------------------------------------------


def test_a_validation_error_becomes_the_refusal_of_its_first_field_with_all_its_messages():
    error = ValidationError({"address": ["太长。", "含有非法字符。"], "site_name": ["必填。"]})
    refusal = refusal_from(error)
    assert (refusal.field, refusal.message) == ("address", "太长。 含有非法字符。")
    plain = refusal_from(ValidationError(["密码太短。"]), field="password", prefix="密码不符合要求：")
    assert (plain.field, plain.message) == ("password", "密码不符合要求：密码太短。")
    whole = refusal_from(ValidationError({"__all__": ["整体不合规。"]}))
    assert (whole.field, whole.message) == (None, "整体不合规。")


# --- bulk ----------------------------------------------------------------------------------------


class ItemSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=5)


def _store(items):
    """Stores numbers not seen before; "dup" is unchanged, "bad" breaks a rule."""
    results = []
    for n, item in enumerate(items):
        if item["number"] == "bad":
            results.append(refused(ApplicationError("不符合规则。", field="number")))
        elif item["number"] == "dup":
            results.append(BulkItemResult(UNCHANGED, id=99))
        else:
            results.append(BulkItemResult(CREATED, id=n + 1))
    return results


def _bulk(data, max_items=3):
    return bulk_response(
        data=data,
        items_key="items",
        max_items=max_items,
        item_serializer=ItemSerializer(),
        key_field="number",
        store=_store,
    )


def test_bulk_answers_one_result_per_item_in_order_with_the_counts():
    items = [{"number": "A1"}, {"number": "toolong"}, {"number": "dup"}, {"number": "bad"}, "x"]
    response = _bulk({"items": items}, max_items=5)
    assert response.status_code == 200
    assert response.data["counts"] == {"created": 1, "updated": 0, "unchanged": 1, "refused": 3}
    results = response.data["results"]
    assert [(r["index"], r["key"], r["outcome"], r["id"]) for r in results] == [
        (0, "A1", CREATED, 1),
        (1, "toolong", REFUSED, None),
        (2, "dup", UNCHANGED, 99),
        (3, "bad", REFUSED, None),
        (4, None, REFUSED, None),
    ]
    assert list(results[1]["errors"]) == ["number"]
    assert results[3]["errors"] == {"number": ["不符合规则。"]}
    assert list(results[4]["errors"]) == ["non_field_errors"]


@pytest.mark.parametrize("data", [[{"number": "A1"}], {"items": []}, {"items": "A1"}, {"other": []}])
def test_bulk_refuses_a_body_of_the_wrong_shape_whole(data):
    with pytest.raises(serializers.ValidationError) as caught:
        _bulk(data)
    assert list(caught.value.detail) == ["items"]


def test_bulk_refuses_more_than_the_limit_before_storing_anything():
    stored = []
    with pytest.raises(serializers.ValidationError) as caught:
        bulk_response(
            data={"items": [{"number": str(n)} for n in range(4)]},
            items_key="items",
            max_items=3,
            item_serializer=ItemSerializer(),
            key_field="number",
            store=stored.extend,
        )
    assert "一次最多提交3条，本次4条" in str(caught.value.detail["items"][0])
    assert stored == []
