"""The visibility mechanism, proven for every organisation kind."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Notice, Organisation, OrganisationApiKey, OrganisationKind
from accounts.principal import ApiKeyPrincipal
from accounts.services import api_key_create
from tests.factories import NoticeFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = {"city", "district", "housing", "finance", "nfra", "insurer_a", "insurer_b"}
EVERYONE = PUBLIC | {"pm_fancheng", "pm_xiangcheng", "maint"}

# Expected organisations per viewer, written out rather than derived from the rules under test.
EXPECTED_ORGANISATIONS = {
    "city": EVERYONE,
    "nfra": EVERYONE,
    "district": PUBLIC | {"pm_fancheng"},
    "housing": PUBLIC,
    "finance": PUBLIC,
    "insurer_a": PUBLIC,
    "insurer_b": PUBLIC,
    "pm_fancheng": PUBLIC | {"pm_fancheng"},
    "pm_xiangcheng": PUBLIC | {"pm_xiangcheng"},
    "maint": PUBLIC | {"maint"},
}


def names(world, queryset):
    by_pk = {org.pk: key for key, org in world.orgs.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def test_the_world_has_every_kind(world):
    assert {org.kind for org in world.orgs.values()} == set(OrganisationKind.values)


@pytest.mark.parametrize("viewer", sorted(EXPECTED_ORGANISATIONS))
def test_organisations_visible_per_kind(world, viewer):
    visible = Organisation.objects.visible_to(world.users[viewer])
    assert names(world, visible) == EXPECTED_ORGANISATIONS[viewer]


@pytest.mark.parametrize("viewer", sorted(EXPECTED_ORGANISATIONS))
def test_an_api_key_sees_what_its_organisation_sees(world, viewer):
    api_key, _raw = api_key_create(organisation=world.orgs[viewer], name="t")
    visible = Organisation.objects.visible_to(ApiKeyPrincipal(api_key))
    assert names(world, visible) == EXPECTED_ORGANISATIONS[viewer]


def test_anonymous_sees_nothing(world):
    assert not Organisation.objects.visible_to(AnonymousUser()).exists()
    assert not Organisation.objects.visible_to(None).exists()


def test_user_without_organisation_sees_nothing_unless_superuser(world):
    loner = UserFactory(organisation=None)
    assert not Organisation.objects.visible_to(loner).exists()
    loner.is_superuser = True
    assert Organisation.objects.visible_to(loner).count() == len(world.orgs)


def test_inactive_organisation_or_user_sees_nothing(world):
    user = world.users["city"]
    user.is_active = False
    assert not Organisation.objects.visible_to(user).exists()
    user.is_active = True
    world.orgs["city"].is_active = False
    world.orgs["city"].save()
    user.organisation.refresh_from_db()
    assert not Organisation.objects.visible_to(user).exists()


def test_unknown_kind_sees_nothing(world):
    user = world.users["maint"]
    user.organisation.kind = "not_a_kind"
    assert not Organisation.objects.visible_to(user).exists()


@pytest.mark.parametrize("viewer", sorted(EXPECTED_ORGANISATIONS))
def test_api_keys_are_seen_only_by_their_organisation(world, viewer):
    for key, org in world.orgs.items():
        api_key_create(organisation=org, name=f"key-{key}")
    visible = OrganisationApiKey.objects.visible_to(world.users[viewer])
    assert {k.name for k in visible} == {f"key-{viewer}"}


def test_notices_reach_their_organisation_or_their_user(world):
    to_org = NoticeFactory(recipient_organisation=world.orgs["insurer_a"])
    colleague = UserFactory(organisation=world.orgs["insurer_a"])
    to_user = NoticeFactory(recipient_organisation=world.orgs["insurer_a"], recipient_user=colleague)
    NoticeFactory(recipient_organisation=world.orgs["insurer_b"])

    assert set(Notice.objects.visible_to(world.users["insurer_a"])) == {to_org}
    assert set(Notice.objects.visible_to(colleague)) == {to_org, to_user}
    assert (
        not Notice.objects.visible_to(world.users["insurer_b"])
        .filter(pk__in=[to_org.pk, to_user.pk])
        .exists()
    )
    assert not Notice.objects.visible_to(world.users["city"]).exists()
