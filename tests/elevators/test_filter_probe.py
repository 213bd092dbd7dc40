"""Organisation filters accept only organisations the caller may see: ids are no way to probe."""

import pytest
from rest_framework.test import APIClient

from tests.elevators.factories import ElevatorFactory
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db


def test_filtering_by_an_invisible_organisation_is_an_error_not_a_probe():
    world = make_world()
    ElevatorFactory(user_unit=world.orgs["pm_xiangcheng"])
    client = APIClient()
    client.force_login(world.users["pm_fancheng"])
    hidden = world.orgs["pm_xiangcheng"].pk
    assert client.get("/api/v1/elevators/", {"user_unit": hidden}).status_code == 400
    own = client.get("/api/v1/elevators/", {"user_unit": world.orgs["pm_fancheng"].pk})
    assert own.status_code == 200
    client.force_login(world.users["city"])
    assert len(client.get("/api/v1/elevators/", {"user_unit": hidden}).json()["results"]) == 1


def test_insured_now_filter_follows_cover_in_force():
    from datetime import timedelta

    from django.utils import timezone

    from tests.insurance.factories import policy, product_version

    world = make_world()
    insured, bare = ElevatorFactory(user_unit=world.orgs["pm_fancheng"]), ElevatorFactory()
    today = timezone.localdate()
    policy(product_version(world.orgs["insurer_a"]), [insured], start=today - timedelta(days=10))
    client = APIClient()
    client.force_login(world.users["city"])
    codes = {
        r["equipment_code"] for r in client.get("/api/v1/elevators/", {"insured": "true"}).json()["results"]
    }
    assert codes == {insured.equipment_code}
    codes = {
        r["equipment_code"] for r in client.get("/api/v1/elevators/", {"insured": "false"}).json()["results"]
    }
    assert codes == {bare.equipment_code}
    for value, listed, left_out in [("true", insured, bare), ("false", bare, insured)]:
        page = client.get("/elevators/", {"insured": value})
        assert [e.pk for e in page.context["object_list"]] == [listed.pk]
        html = page.content.decode()
        assert listed.equipment_code in html and left_out.equipment_code not in html
        assert f'<option value="{value}" selected>' in html  # the form shows the filter in force
