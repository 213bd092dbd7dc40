"""API-key authentication and GET /api/v1/organisations/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import OrganisationApiKey, OrganisationKind
from accounts.services import api_key_create, api_key_revoke
from tests.factories import OrganisationFactory
from tests.utils.api import ReadEndpointTests, Scene

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


class TestOrganisationsEndpoint(ReadEndpointTests):
    """A property manager sees the public bodies and itself (DESIGN.md section 2), not its peers."""

    url = URL
    viewer = "pm_fancheng"

    @pytest.fixture
    def scene(self, world):
        public = ["city", "district", "housing", "finance", "nfra", "insurer_a", "insurer_b"]
        orgs = world.orgs
        return Scene(
            visible=[orgs[key] for key in [*public, "pm_fancheng"]],
            hidden=orgs["pm_xiangcheng"],
            filters=[
                ({"kind": "insurer"}, [orgs["insurer_a"], orgs["insurer_b"]]),
                ({"district": "420606"}, [orgs["district"], orgs["pm_fancheng"]]),
                ({"department": "HOUSING"}, [orgs["housing"]]),
                ({"q": orgs["insurer_b"].credit_code}, [orgs["insurer_b"]]),
            ],
        )

    def make_visible(self, world, count):
        return OrganisationFactory.create_batch(count, kind=OrganisationKind.INSURER)


def client_with_key(raw_key: str | None = None, header: str | None = None) -> APIClient:
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    elif raw_key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def listed_names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


def test_valid_key_lists_what_its_organisation_may_see(world):
    api_key, raw = api_key_create(organisation=world.orgs["pm_fancheng"], name="物业系统")
    response = client_with_key(raw).get(URL)
    assert response.status_code == 200
    expected = {
        o.name
        for o in world.orgs.values()
        if o.kind != "property_manager" and o.kind != "maintenance_company"
    }
    assert listed_names(response) == expected | {world.orgs["pm_fancheng"].name}
    row = next(r for r in response.json()["results"] if r["name"] == world.orgs["pm_fancheng"].name)
    assert set(row) >= {"kind", "name", "credit_code", "district"}
    assert row["credit_code"] == world.orgs["pm_fancheng"].credit_code
    assert row["district"] == "420606"


def test_use_records_last_used_time(world):
    api_key, raw = api_key_create(organisation=world.orgs["insurer_a"], name="理赔系统")
    assert api_key.last_used_at is None
    client_with_key(raw).get(URL)
    api_key.refresh_from_db()
    assert timezone.now() - api_key.last_used_at < timedelta(minutes=1)


def test_key_is_stored_hashed(world):
    api_key, raw = api_key_create(organisation=world.orgs["insurer_a"], name="理赔系统")
    stored = OrganisationApiKey.objects.get(pk=api_key.pk)
    assert raw not in (stored.hashed_key, stored.id)
    assert raw.split(".")[1] not in stored.hashed_key


def test_revoked_key_is_refused(world):
    api_key, raw = api_key_create(organisation=world.orgs["insurer_a"], name="旧系统")
    api_key_revoke(api_key=api_key)
    response = client_with_key(raw).get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_expired_key_is_refused(world):
    api_key, raw = api_key_create(organisation=world.orgs["insurer_a"], name="临时")
    api_key.expiry_date = timezone.now() - timedelta(days=1)
    api_key.save()
    assert client_with_key(raw).get(URL).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Api-Key wrong.key", "Api-Key ", "Api-Key nodot", "Api-Key {prefix}.tampered"],
)
def test_wrong_key_is_refused(world, header):
    api_key, raw = api_key_create(organisation=world.orgs["insurer_a"], name="x")
    response = client_with_key(header=header.format(prefix=api_key.prefix)).get(URL)
    assert response.status_code == 401


def test_key_of_a_deactivated_organisation_is_refused(world):
    org = world.orgs["insurer_a"]
    _key, raw = api_key_create(organisation=org, name="x")
    org.is_active = False
    org.save()
    assert client_with_key(raw).get(URL).status_code == 401


def test_browser_session_works_too(world):
    client = APIClient()
    client.force_login(world.users["district"])
    response = client.get(URL)
    assert response.status_code == 200
    assert world.orgs["pm_xiangcheng"].name not in listed_names(response)


def test_invisible_organisation_is_404_not_403(world):
    _key, raw = api_key_create(organisation=world.orgs["insurer_a"], name="x")
    hidden = world.orgs["pm_xiangcheng"]
    assert client_with_key(raw).get(f"{URL}{hidden.pk}/").status_code == 404
    assert client_with_key(raw).get(f"{URL}{world.orgs['insurer_b'].pk}/").status_code == 200


def test_search_by_credit_code_in_any_spelling(world):
    _key, raw = api_key_create(organisation=world.orgs["city"], name="x")
    code = world.orgs["maint"].credit_code
    response = client_with_key(raw).get(URL, {"q": code.lower()})
    assert listed_names(response) == {world.orgs["maint"].name}


def test_duplicate_active_key_name_is_refused(world):
    from core.exceptions import ApplicationError

    api_key_create(organisation=world.orgs["insurer_a"], name="理赔系统")
    with pytest.raises(ApplicationError):
        api_key_create(organisation=world.orgs["insurer_a"], name="理赔系统")
    # another organisation may use the same name
    api_key_create(organisation=world.orgs["insurer_b"], name="理赔系统")


def test_schema_describes_organisations(world):
    client = APIClient()
    client.force_login(world.users["city"])
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/organisations/" in response.json()["paths"]
