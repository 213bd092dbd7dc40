"""Cross-tenant probes for every pair of tenants of one kind (tests.config.tenants.PAIRS): by id the
other's objects are 404, by filter the other's elevator gives an empty list, and the exports hold
none of the other's rows."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.config.tenants import PAIRS
from tests.config.tenants import scene as scene

# API detail routes by the object of side "b" they show.
API_DETAIL = {
    "policy": "/api/v1/policies/{}/", "claim": "/api/v1/claims/{}/", "service": "/api/v1/services/{}/",
    "record": "/api/v1/maintenance-records/{}/", "hazard": "/api/v1/hazards/{}/", "rescue": "/api/v1/rescues/{}/",
    "proposal": "/api/v1/claim-proposals/{}/", "notice": "/api/v1/notices/{}/",
}  # fmt: skip
PAGE_DETAIL = {
    "policy": "/policies/{}/", "claim": "/claims/{}/", "service": "/services/{}/",
    "record": "/maintenance/records/{}/", "hazard": "/hazards/{}/", "rescue": "/rescues/{}/",
}  # fmt: skip
LISTS = [
    "policies",
    "claims",
    "services",
    "maintenance-records",
    "hazards",
    "rescues",
    "claim-proposals",
    "inspections",
]
EXPORTS = ["/elevators/export.xlsx", "/policies/export.xlsx", "/maintenance/records/export.xlsx",
           "/rescues/export.xlsx", "/claim-proposals/export.xlsx", "/hazards/export/", "/services/export/"]  # fmt: skip
SIDES = [(kind, mine, theirs) for kind, pair in PAIRS.items() for mine, theirs in (pair, pair[::-1])]


def _clients(scene, key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {scene.keys[key]}")
    page = Client()
    page.force_login(scene.world.users[key])
    return api, page


def _other(scene, mine):
    return scene.b if mine in {pair[0] for pair in PAIRS.values()} else scene.a


@pytest.mark.parametrize(("kind", "mine", "theirs"), SIDES)
def test_the_other_tenants_objects_are_404_by_id(scene, db, kind, mine, theirs):
    api, page = _clients(scene, mine)
    other = _other(scene, mine)
    seen = [
        f"API {key}"
        for key, url in API_DETAIL.items()
        if api.get(url.format(other.objects[key].pk)).status_code != 404
    ]
    seen += [f"page {key}" for key, url in PAGE_DETAIL.items() if page.get(url.format(other.objects[key].pk)).status_code != 404]  # fmt: skip
    if api.get(f"/api/v1/elevators/{other.elevator.pk}/").status_code != 404:
        seen.append("API elevator")
    assert not seen, f"{mine} sees {theirs}'s {seen}"


@pytest.mark.parametrize(("kind", "mine", "theirs"), SIDES)
def test_filtering_by_the_other_tenants_elevator_gives_nothing(scene, db, kind, mine, theirs):
    api, _ = _clients(scene, mine)
    other = _other(scene, mine).elevator
    rows = {}
    for name in LISTS:
        for query in (f"elevator={other.pk}", f"equipment_code={other.equipment_code}"):
            response = api.get(f"/api/v1/{name}/?{query}")
            assert response.status_code == 200, (name, query, response.status_code)
            body = response.json()
            found = body["results"] if isinstance(body, dict) else body
            if any(
                row.get("elevator") in (other.pk, other.equipment_code) or other.equipment_code in str(row)
                for row in found
            ):
                rows[f"{name}?{query}"] = len(found)
    assert not rows, f"{mine} filters up {theirs}'s rows: {rows}"


@pytest.mark.parametrize(("kind", "mine", "theirs"), SIDES)
def test_exports_hold_none_of_the_other_tenants_rows(scene, db, kind, mine, theirs):
    from io import BytesIO

    import openpyxl

    _, page = _clients(scene, mine)
    code = _other(scene, mine).elevator.equipment_code
    leaked = []
    for url in EXPORTS:
        response = page.get(url)
        if response.status_code != 200:
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content
        book = openpyxl.load_workbook(BytesIO(content), read_only=True)
        if any(
            code in str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
        ):
            leaked.append(url)
    assert not leaked, f"{mine}'s exports hold {theirs}'s elevator {code}: {leaked}"
