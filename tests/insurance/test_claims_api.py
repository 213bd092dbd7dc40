"""The claims API: /api/v1/claims/ and /api/v1/claims/bulk/ — wiring, permissions, isolation, shape."""

import gc
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from insurance.models import Claim, ClaimPayment, ClaimStatusChange
from insurance.services.claims import claims_bulk_upsert
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.api import ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
BULK = "/api/v1/claims/bulk/"
START = timezone.localdate() - timedelta(days=200)  # the policies run a year from START
INCIDENT_DAY = START + timedelta(days=100)
INCIDENT_AT = f"{INCIDENT_DAY.isoformat()}T10:00:00+08:00"


@pytest.fixture
def world(world):
    # insurer_a covers a 樊城区 elevator, insurer_b a 襄城区 one
    world.elevator_a = ElevatorFactory(district=world.fancheng, user_unit=world.orgs["pm_fancheng"])
    world.elevator_b = ElevatorFactory(district=world.xiangcheng, user_unit=world.orgs["pm_xiangcheng"])
    world.policy_a = policy(
        product_version(world.orgs["insurer_a"]), [world.elevator_a], start=START, number="PA-1"
    )
    world.policy_b = policy(
        product_version(world.orgs["insurer_b"]), [world.elevator_b], start=START, number="PB-1"
    )
    return world


def item(world, number: str = "A-1", insurer: str = "a", **fields) -> dict:
    cover = world.policy_a if insurer == "a" else world.policy_b
    elevator = world.elevator_a if insurer == "a" else world.elevator_b
    data = {
        "claim_number": number,
        "policy_number": cover.number,
        "equipment_code": elevator.equipment_code,
        "incident_at": INCIDENT_AT,
        "kind": "trapping",
        "coverage_item": "medical",
        "reported_on": INCIDENT_DAY.isoformat(),
    }
    return {**data, **fields}


def day(offset: int) -> str:
    return (INCIDENT_DAY + timedelta(days=offset)).isoformat()


def bulk(client, items):
    return client.post(BULK, {"claims": items}, format="json")


def stored(world, *numbers: str, insurer: str = "a", **fields) -> list[Claim]:
    """Claims written through the service, not the endpoint under test (Python values, not JSON)."""
    cover = world.policy_a if insurer == "a" else world.policy_b
    elevator = world.elevator_a if insurer == "a" else world.elevator_b
    base = {
        "policy_number": cover.number,
        "equipment_code": elevator.equipment_code,
        "incident_at": datetime.fromisoformat(INCIDENT_AT),
        "kind": "trapping",
        "coverage_item": "medical",
        "reported_on": INCIDENT_DAY,
    }
    claims_bulk_upsert(insurer=cover.insurer, items=[{**base, "claim_number": n, **fields} for n in numbers])
    claims = list(Claim.objects.filter(insurer=cover.insurer, claim_number__in=numbers))
    assert len(claims) == len(numbers)
    return claims


class TestClaimsEndpoint(ReadEndpointTests):
    """An insurer sees its own claims and no other insurer's."""

    url = CLAIMS
    viewer = "insurer_a"
    anonymous_calls = ("GET ", "GET {pk}/", "POST ", "POST bulk/", "PATCH {pk}/", "PUT {pk}/")

    @pytest.fixture
    def scene(self, world):
        (trapping,) = stored(world, "A-1")
        (injury,) = stored(world, "A-2", kind="injury", coverage_item="death_disability")
        return Scene(
            visible=[trapping, injury],
            hidden=stored(world, "B-1", insurer="b")[0],
            filters=[
                ({"claim_number": "A-2"}, [injury]),
                ({"kind": "trapping"}, [trapping]),
                ({"coverage_item": "death_disability"}, [injury]),
            ],
        )

    def make_visible(self, world, count):
        return stored(world, *(f"M-{n}" for n in range(count)))


# --- bulk -------------------------------------------------------------------------------------


def test_bulk_stores_the_valid_items_and_refuses_the_others_with_reasons(world):
    client = with_key(world, "insurer_a")
    items = [
        item(world, "A-1"),
        item(world, "A-2", amount_claimed="abc"),  # shape
        item(world, "A-3", incident_at=f"{(START - timedelta(days=1)).isoformat()}T10:00:00+08:00"),
        item(world, "A-4", equipment_code=world.elevator_b.equipment_code),  # not covered by PA-1
        item(world, "A-5", policy_number="PB-1"),  # insurer_b's policy
        item(world, "A-6", status="paid", paid_on=day(3), amount_paid="800.00", advance_payment=True),
        {"policy_number": "PA-1"},  # no claim number
    ]
    response = bulk(client, items)
    assert response.status_code == 200
    body = response.json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["key"] for r in results] == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-6", None]
    assert [r["outcome"] for r in results] == [
        "created", "refused", "refused", "refused", "refused", "created", "refused",
    ]  # fmt: skip
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 5}
    assert set(results[1]["errors"]) == {"amount_claimed"}
    assert set(results[2]["errors"]) == {"incident_at"}
    assert "保险期间" in results[2]["errors"]["incident_at"][0]
    assert set(results[3]["errors"]) == {"equipment_code"}
    assert results[4]["errors"] == {"policy_number": ["保单号 PB-1 不存在。"]}
    assert set(results[6]["errors"]) == {"claim_number"}
    assert results[0]["id"] == Claim.objects.get(claim_number="A-1").pk
    assert set(Claim.objects.values_list("claim_number", flat=True)) == {"A-1", "A-6"}
    assert Claim.objects.get(claim_number="A-6").advance_payment is True


def test_resending_the_same_batch_changes_nothing_and_stores_nothing_twice(world):
    client = with_key(world, "insurer_a")
    payments = [{"paid_on": day(4), "amount": "500.00", "payee": "李四", "reference": "P-1"}]
    items = [
        item(world, "A-1"),
        item(world, "A-2", status="paid", paid_on=day(4), payments=payments),
        item(world, "A-3", policy_number="NOPE"),
    ]
    first = bulk(client, items).json()
    assert first["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "refused": 1}
    counts = Claim.objects.count(), ClaimStatusChange.objects.count(), ClaimPayment.objects.count()
    again = bulk(client, items).json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "refused": 1}
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert (Claim.objects.count(), ClaimStatusChange.objects.count(), ClaimPayment.objects.count()) == counts
    assert counts == (2, 2, 1)


def test_resending_with_a_forward_status_change_updates(world):
    client = with_key(world, "insurer_a")
    bulk(client, [item(world, "A-1"), item(world, "A-2")])
    response = bulk(
        client,
        [
            item(world, "A-1", status="accepted", accepted_on=day(1)),
            item(world, "A-2"),
        ],
    )
    assert [r["outcome"] for r in response.json()["results"]] == ["updated", "unchanged"]
    claim = Claim.objects.get(claim_number="A-1")
    assert list(claim.status_changes.values_list("from_status", "to_status")) == [
        ("", "reported"),
        ("reported", "accepted"),
    ]


def test_out_of_order_status_is_refused_and_skipping_ahead_is_allowed(world):
    client = with_key(world, "insurer_a")
    bulk(client, [item(world, "A-1", status="closed", closed_on=day(2)), item(world, "A-2")])
    response = bulk(
        client,
        [
            {"claim_number": "A-1", "status": "accepted", "accepted_on": day(1)},  # closed → accepted
            {"claim_number": "A-2", "status": "paid", "paid_on": day(3), "amount_paid": "120.00"},
        ],
    )
    first, second = response.json()["results"]
    assert first["outcome"] == "refused"
    assert "不能变更为“已受理”" in first["errors"]["status"][0]
    assert second["outcome"] == "updated"
    assert Claim.objects.get(claim_number="A-1").status == "closed"
    assert Claim.objects.get(claim_number="A-2").status == "paid"


def test_more_than_a_thousand_claims_is_refused_whole(world):
    client = with_key(world, "insurer_a")
    response = bulk(client, [item(world, f"A-{n}") for n in range(1001)])
    assert response.status_code == 400
    assert "一次最多提交1000条" in response.json()["claims"][0]
    assert not Claim.objects.exists()


@pytest.mark.parametrize("body", [{}, {"claims": "A-1"}, [{"claim_number": "A-1"}]])
def test_bulk_needs_a_list_of_claims(world, body):
    response = with_key(world, "insurer_a").post(BULK, body, format="json")
    assert response.status_code == 400
    assert "claims" in response.json()


def test_a_thousand_claims_in_one_call(world):
    client = with_key(world, "insurer_a")
    response = bulk(client, [item(world, f"A-{n:04d}") for n in range(1000)])
    assert response.json()["counts"]["created"] == 1000
    assert Claim.objects.count() == ClaimStatusChange.objects.count() == 1000


def test_the_garbage_collector_is_on_again_after_a_bulk_call_stored_or_refused_whole(world):
    client = with_key(world, "insurer_a")
    assert bulk(client, [item(world)]).json()["counts"]["created"] == 1
    assert bulk(client, [item(world, f"A-{n}") for n in range(1001)]).status_code == 400
    assert gc.isenabled()  # paused only while the request ran (core.api.bulk.collector_paused)


# --- one claim ------------------------------------------------------------------------------


def test_create_then_send_again_then_patch(world):
    client = with_key(world, "insurer_a")
    created = client.post(CLAIMS, item(world, "A-1", amount_claimed="2000.00"), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["claim_number"], body["policy_number"], body["status"]) == ("A-1", "PA-1", "reported")
    assert body["equipment_code"] == world.elevator_a.equipment_code
    assert body["amount_claimed"] == "2000.00"
    assert body["status_changes"][0]["to_status"] == "reported"
    again = client.post(CLAIMS, item(world, "A-1", amount_claimed="2000.00"), format="json")
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    patched = client.patch(
        f"{CLAIMS}{body['id']}/",
        {"status": "paid", "paid_on": day(5), "payments": [{"paid_on": day(5), "amount": "1800.00"}]},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["status"], patched.json()["amount_paid"]) == ("paid", "1800.00")
    assert patched.json()["payments"] == [
        {"paid_on": day(5), "amount": "1800.00", "payee": "", "reference": ""}
    ]


def test_a_refused_claim_is_a_400_naming_every_field(world):
    client = with_key(world, "insurer_a")
    response = client.post(CLAIMS, item(world, "A-1", kind="death", coverage_item="overhaul"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] in body["errors"]
    assert set(body["errors"]) == {"people_dead", "coverage_item"}
    assert not Claim.objects.exists()


def test_put_needs_the_whole_claim_and_the_number_cannot_change(world):
    client = with_key(world, "insurer_a")
    claim_id = client.post(CLAIMS, item(world, "A-1"), format="json").json()["id"]
    assert client.put(f"{CLAIMS}{claim_id}/", {"status": "withdrawn"}, format="json").status_code == 400
    full = item(world, "A-1", status="withdrawn", withdrawn_on=day(1))
    assert client.put(f"{CLAIMS}{claim_id}/", full, format="json").json()["status"] == "withdrawn"
    renamed = client.patch(f"{CLAIMS}{claim_id}/", {"claim_number": "A-2"}, format="json")
    assert renamed.status_code == 400
    assert Claim.objects.get().claim_number == "A-1"


def test_list_filters(world):
    client = with_key(world, "insurer_a")
    bulk(
        client,
        [
            item(world, "A-1"),
            item(world, "A-2", kind="injury", people_injured=1, advance_payment=True),
            item(world, "A-3", status="paid", paid_on=day(2), amount_paid="10.00"),
            item(
                world,
                "A-4",
                incident_at=f"{day(10)}T23:30:00+08:00",  # 15:30 UTC: still day(10) in Shanghai
                reported_on=day(10),
            ),
        ],
    )

    def numbers(query: str) -> list[str]:
        response = client.get(f"{CLAIMS}?{query}")
        assert response.status_code == 200
        return sorted(row["claim_number"] for row in response.json()["results"])

    assert numbers("") == ["A-1", "A-2", "A-3", "A-4"]
    assert numbers("status=paid") == ["A-3"]
    assert numbers("kind=injury") == ["A-2"]
    assert numbers("advance_payment=true") == ["A-2"]
    assert numbers("policy_number=PA-1") == ["A-1", "A-2", "A-3", "A-4"]
    assert numbers("policy_number=PB-1") == []
    assert numbers(f"equipment_code={world.elevator_a.equipment_code.lower()}") == [
        "A-1",
        "A-2",
        "A-3",
        "A-4",
    ]
    assert numbers(f"incident_after={day(10)}") == ["A-4"]
    assert numbers(f"incident_before={day(9)}") == ["A-1", "A-2", "A-3"]
    assert numbers("claim_number=A-2") == ["A-2"]


# --- isolation and permissions --------------------------------------------------------------


@pytest.fixture
def theirs(world):
    """A claim of insurer_b, the one insurer_a must never see or touch."""
    response = bulk(
        with_key(world, "insurer_b"), [item(world, "SAME-1", insurer="b", amount_claimed="99.00")]
    )
    assert response.json()["counts"]["created"] == 1
    return Claim.objects.get(insurer=world.orgs["insurer_b"])


@pytest.mark.parametrize("auth", ["key", "session"])
def test_another_insurers_claims_are_invisible_and_untouchable(world, theirs, auth):
    before = Claim.objects.values().get(pk=theirs.pk)
    client = with_key(world, "insurer_a") if auth == "key" else session(world, "insurer_a")
    assert client.get(CLAIMS).json()["results"] == []
    assert client.get(f"{CLAIMS}?claim_number=SAME-1").json()["results"] == []
    url = f"{CLAIMS}{theirs.pk}/"
    assert client.get(url).status_code == 404
    assert (
        client.patch(url, {"status": "withdrawn", "withdrawn_on": day(1)}, format="json").status_code == 404
    )
    assert client.put(url, item(world, "SAME-1", insurer="b"), format="json").status_code == 404
    assert client.delete(url).status_code == 405  # claims are never deleted, anyone's: no leak
    # the single create cannot reach it either: their policy is "not found"
    response = client.post(CLAIMS, item(world, "SAME-1", insurer="b", amount_claimed="1.00"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"policy_number": ["保单号 PB-1 不存在。"]}
    assert Claim.objects.values().get(pk=theirs.pk) == before
    assert Claim.objects.count() == 1


def test_bulk_with_the_other_insurers_claim_number_makes_a_claim_of_ones_own(world, theirs):
    before = Claim.objects.get(pk=theirs.pk)
    response = bulk(
        with_key(world, "insurer_a"), [item(world, "SAME-1", status="withdrawn", withdrawn_on=day(1))]
    )
    (result,) = response.json()["results"]
    assert result["outcome"] == "created"
    assert result["id"] != theirs.pk
    mine = Claim.objects.get(pk=result["id"])
    assert (mine.insurer, mine.claim_number) == (world.orgs["insurer_a"], "SAME-1")
    after = Claim.objects.get(pk=theirs.pk)
    assert (after.status, after.amount_claimed, after.updated_at) == (
        before.status,
        before.amount_claimed,
        before.updated_at,
    )
    assert after.status_changes.count() == 1
    # and insurer_b still sees exactly its own
    rows = with_key(world, "insurer_b").get(CLAIMS).json()["results"]
    assert [(r["id"], r["status"]) for r in rows] == [(theirs.pk, "reported")]


@pytest.mark.parametrize("who", ["pm_fancheng", "city", "nfra", "district", "housing"])
def test_only_insurers_may_write(world, theirs, who):
    for client in (with_key(world, who), session(world, who)):
        assert client.post(CLAIMS, item(world, "X-1"), format="json").status_code == 403
        assert bulk(client, [item(world, "X-1")]).status_code == 403
        assert (
            client.patch(f"{CLAIMS}{theirs.pk}/", {"status": "withdrawn"}, format="json").status_code == 403
        )
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("city", {"A-1", "SAME-1"}),
        ("nfra", {"A-1", "SAME-1"}),
        ("district", {"A-1"}),  # 樊城区: insurer_a's elevator only
        ("housing", set()),  # sector departments see claims in aggregate only
        ("pm_fancheng", set()),
        ("insurer_b", {"SAME-1"}),
    ],
)
def test_readers_see_claims_per_visibility(world, theirs, who, sees):
    bulk(with_key(world, "insurer_a"), [item(world, "A-1")])
    rows = with_key(world, who).get(CLAIMS).json()["results"]
    assert {row["claim_number"] for row in rows} == sees
    if "A-1" in sees:
        mine = Claim.objects.get(claim_number="A-1")
        assert with_key(world, who).get(f"{CLAIMS}{mine.pk}/").status_code == 200


# --- OpenAPI --------------------------------------------------------------------------------


def test_the_schema_has_the_claim_paths(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/claims/"]) >= {"get", "post"}
    assert set(paths["/api/v1/claims/{id}/"]) >= {"get", "put", "patch"}
    assert set(paths["/api/v1/claims/bulk/"]) == {"post"}
    parameters = {p["name"] for p in paths["/api/v1/claims/"]["get"]["parameters"]}
    assert parameters >= {
        "cursor",
        "status",
        "kind",
        "policy_number",
        "equipment_code",
        "incident_after",
        "incident_before",
        "advance_payment",
    }
    assert "parameters" not in paths["/api/v1/claims/bulk/"]["post"] or not [
        p for p in paths["/api/v1/claims/bulk/"]["post"]["parameters"] if p["in"] == "query"
    ]


@pytest.mark.parametrize("component", ["Claim", "ClaimWrite", "BulkResult", "BulkResponse", "BulkCounts"])
def test_every_claim_field_is_described(schema, component):
    properties = schema["components"]["schemas"][component]["properties"]
    assert [name for name, spec in properties.items() if not spec.get("description")] == []
