"""The organisations a user may see, in the browser: the home page's figure links to their list."""

import pytest

from accounts.models import Organisation
from tests.utils.clients import browser
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db


def listed(response) -> set[str]:
    return {org.name for org in response.context["paginator"].object_list}


def test_the_home_figure_links_to_the_list_of_the_same_count():
    world = make_world()
    client = browser(world, "pm_fancheng")
    home = client.get("/")
    assert 'href="/organisations/"' in home.content.decode()
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert response.context["paginator"].count == home.context["visible_organisation_count"]


def test_the_list_shows_only_what_the_role_may_see():
    world = make_world()
    names = listed(browser(world, "pm_fancheng").get("/organisations/"))
    assert world.orgs["pm_fancheng"].name in names and world.orgs["insurer_a"].name in names
    assert world.orgs["pm_xiangcheng"].name not in names and world.orgs["maint"].name not in names
    district = listed(browser(world, "district").get("/organisations/"))
    assert world.orgs["pm_fancheng"].name in district and world.orgs["pm_xiangcheng"].name not in district
    assert listed(browser(world, "city").get("/organisations/")) == set(
        Organisation.objects.values_list("name", flat=True)
    )


def test_search_kind_and_district_filters():
    world = make_world()
    client = browser(world, "city")
    insurer = world.orgs["insurer_a"]
    assert listed(client.get("/organisations/", {"q": insurer.name})) == {insurer.name}
    assert listed(client.get("/organisations/", {"q": insurer.credit_code})) == {insurer.name}
    kinds = listed(client.get("/organisations/", {"kind": "insurer"}))
    assert kinds == {world.orgs["insurer_a"].name, world.orgs["insurer_b"].name}
    district = listed(client.get("/organisations/", {"district": world.xiangcheng.code}))
    assert district == {world.orgs["pm_xiangcheng"].name, world.orgs["maint"].name}


def test_a_search_never_reaches_past_visibility():
    world = make_world()
    hidden = world.orgs["pm_xiangcheng"]
    response = browser(world, "pm_fancheng").get("/organisations/", {"q": hidden.name})
    assert response.status_code == 200 and listed(response) == set()
    assert 'data-testid="organisation-row"' not in response.content.decode()
