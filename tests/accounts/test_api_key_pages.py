"""The organisation's API keys in the browser: shown once, listed without the secret, revocable."""

import pytest
from django.test import Client

from accounts.models import OrganisationApiKey
from tests.factories import UserFactory
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db


def admin_of(org):
    return UserFactory(organisation=org, is_org_admin=True)


def test_a_new_key_is_shown_once_and_then_only_listed():
    world = make_world()
    client = Client()
    client.force_login(admin_of(world.orgs["insurer_a"]))
    created = client.post("/account/api-keys/", {"name": "理赔系统"})
    raw = created.context["new_key"]
    assert raw in created.content.decode()
    key = OrganisationApiKey.objects.get(name="理赔系统")
    assert key.organisation == world.orgs["insurer_a"] and raw.startswith(key.prefix)
    listing = client.get("/account/api-keys/").content.decode()
    assert "理赔系统" in listing and raw not in listing


def test_revoke_own_key_but_never_another_organisations():
    world = make_world()
    mine = OrganisationApiKey.objects.create_key(organisation=world.orgs["insurer_a"], name="旧系统")[0]
    theirs = OrganisationApiKey.objects.create_key(organisation=world.orgs["insurer_b"], name="他们的")[0]
    client = Client()
    client.force_login(admin_of(world.orgs["insurer_a"]))
    assert client.post(f"/account/api-keys/{theirs.pk}/revoke/").status_code == 404
    client.post(f"/account/api-keys/{mine.pk}/revoke/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked and not theirs.revoked


def test_only_organisation_admins_manage_keys():
    world = make_world()
    client = Client()
    client.force_login(world.users["insurer_a"])  # not an org admin
    assert client.get("/account/api-keys/").status_code == 403
    assert client.post("/account/api-keys/", {"name": "x"}).status_code == 403
    assert not OrganisationApiKey.objects.exists()
