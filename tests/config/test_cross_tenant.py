"""Cross-tenant probes for every pair of tenants of one kind (tests.config.tenants.PAIRS): by id the
other's objects are 404, by filter the other's elevator gives an empty list, the exports hold
none of the other's rows, and a bulk upload aimed at the other's elevator and objects writes nothing."""

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
# Each page's history tab (core.views.ObjectHistoryView) finds its object as the page does.
PAGE_HISTORY = {key: f"{url}history/" for key, url in PAGE_DETAIL.items()}
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
    seen += [f"history {key}" for key, url in PAGE_HISTORY.items() if page.get(url.format(other.objects[key].pk)).status_code != 404]  # fmt: skip
    if api.get(f"/api/v1/elevators/{other.elevator.pk}/").status_code != 404:
        seen.append("API elevator")
    if page.get(f"/elevators/{other.elevator.pk}/history/").status_code != 404:
        seen.append("elevator history")
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


def _aimed_at(other) -> dict[str, tuple[str, dict]]:
    """One item for each bulk API aimed at the other side: its elevator, and its own object's number,
    as if to overwrite it (the URL name, the body's list key and the item)."""
    from datetime import timedelta

    from django.utils import timezone

    o, code = other.objects, other.elevator.equipment_code
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    alarm = f"{day}T10:00:00+08:00"
    return {
        "claim-bulk": ("claims", {
            "claim_number": o["claim"].claim_number, "policy_number": o["policy"].number, "equipment_code": code,
            "incident_at": alarm, "kind": "trapping", "coverage_item": "rescue", "reported_on": day,
        }),
        "policy-bulk": ("policies", {
            "number": o["policy"].number, "product": o["product"].pk, "elevators": [code], "start_date": day,
        }),
        "service-bulk": ("services", {
            "service_number": o["service"].service_number, "kind": "usage_monitoring", "equipment_code": code,
            "performed_on": day,
        }),
        "maintenance-record-bulk": ("records", {
            "record_number": o["record"].record_number, "equipment_code": code, "performed_on": day,
            "level": "half_monthly",
        }),
        "hazard-bulk": ("hazards", {
            "hazard_number": o["hazard"].hazard_number, "equipment_code": code, "found_on": day,
            "severity": "general", "description": "底坑积水",
        }),
        "rescue-bulk": ("rescues", {
            "rescue_number": o["rescue"].rescue_number, "equipment_code": code, "alarm_at": alarm,
            "arrived_at": f"{day}T10:20:00+08:00",
        }),
    }  # fmt: skip


# The matrix's column for each tenant of side "b" is its side-"a" counterpart of the same kind.
COLUMN_OF = {theirs: mine for mine, theirs in PAIRS.values()} | {mine: mine for mine, _ in PAIRS.values()}


@pytest.mark.parametrize(("kind", "mine", "theirs"), SIDES)
def test_bulk_uploads_cannot_reach_the_other_tenants_objects(scene, db, kind, mine, theirs):
    """Every bulk API, with one item aimed at the other tenant's elevator and reusing the number of the
    other's own object: refused item by item for a kind that may write there (per the authorisation
    matrix), 403 for the others; nothing is written and the other's objects are as they were."""
    from django.apps import apps
    from django.forms.models import model_to_dict
    from django.urls import reverse

    from tests.config.authorization_matrix import MATRIX

    api, _ = _clients(scene, mine)
    other = _other(scene, mine)
    keys = ("claim", "policy", "service", "record", "hazard", "rescue")
    before = {key: model_to_dict(other.objects[key]) for key in keys}
    counts = {model: model.objects.count() for model in (apps.get_model(m) for m in (
        "insurance.Claim", "insurance.Policy", "maintenance.ServiceRecord", "maintenance.MaintenanceRecord",
        "maintenance.Hazard", "maintenance.RescueIncident"))}  # fmt: skip
    for name, (items_key, item) in _aimed_at(other).items():
        response = api.post(reverse(name), {items_key: [item]}, format="json")
        if MATRIX[f"api:{name}", "POST"][COLUMN_OF[mine]] == "400":  # the kind may write there
            answer = (response.status_code, [result["outcome"] for result in response.json()["results"]])
            assert answer == (200, ["refused"]), (name, response.json())
        else:
            assert response.status_code == 403, (name, response.status_code)
    assert {model: model.objects.count() for model in counts} == counts
    assert {key: model_to_dict(type(obj).objects.get(pk=obj.pk)) for key, obj in
            ((k, other.objects[k]) for k in keys)} == before  # fmt: skip
