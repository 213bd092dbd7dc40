"""Policies and quotes over the API: single and bulk registration by insurers, renew and cancel,
quotes equal to the rating engine, filters, and one insurer never reaching another's policies."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from elevators.models import PlaceCategory
from insurance.models import Policy
from insurance.rating import quote
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.api import AnonymousRefused, DescribedSchema, ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/policies/"
BULK = "/api/v1/policies/bulk/"
QUOTES = "/api/v1/quotes/"
START = date(2026, 1, 1)


class TestPoliciesEndpoint(ReadEndpointTests):
    """An insurer sees its own policies and no other insurer's."""

    url = POLICIES
    viewer = "insurer_a"
    anonymous_calls = ("GET ", "GET {pk}/", "POST ", "POST bulk/", "POST {pk}/renew/", "POST {pk}/cancel/")

    @pytest.fixture
    def scene(self, world):
        version = product_version(world.orgs["insurer_a"], code="A-LIAB")
        first, second = (ElevatorFactory(user_unit=world.orgs["pm_fancheng"]) for _ in range(2))
        public = policy(version, [first], start=START, number="PA-1", funding_source="public_finance")
        own = policy(version, [second], start=START, number="PA-2")
        theirs = ElevatorFactory(user_unit=world.orgs["pm_xiangcheng"])
        return Scene(
            visible=[public, own],
            hidden=policy(product_version(world.orgs["insurer_b"]), [theirs], start=START, number="PB-1"),
            filters=[
                ({"equipment_code": second.equipment_code}, [own]),
                ({"funding_source": "public_finance"}, [public]),
                ({"q": "PA-2"}, [own]),
            ],
        )

    def make_visible(self, world, count):
        version = product_version(world.orgs["insurer_a"])
        return [policy(version, [ElevatorFactory()], start=START) for _ in range(count)]


class TestQuotesEndpoint(AnonymousRefused, DescribedSchema):
    url = QUOTES
    anonymous_calls = ("POST ",)


@pytest.fixture
def setup(world):
    """insurer_a sells A-LIAB; three elevators of pm_fancheng (one old hospital lift), one of pm_xiangcheng."""
    version = product_version(world.orgs["insurer_a"], code="A-LIAB")
    holder = world.orgs["pm_fancheng"]
    own = [
        ElevatorFactory(user_unit=holder, district=world.fancheng, installed_on=date(2016, 1, 1)),
        ElevatorFactory(user_unit=holder, district=world.fancheng, installed_on=date(2016, 1, 1)),
        ElevatorFactory(
            user_unit=holder,
            district=world.fancheng,
            installed_on=date(2009, 7, 1),
            place_category=PlaceCategory.objects.get(code="HOSPITAL"),
        ),
    ]
    foreign = ElevatorFactory(user_unit=world.orgs["pm_xiangcheng"], district=world.xiangcheng)
    return {"version": version, "holder": holder, "own": own, "foreign": foreign}


def payload(setup, *, number="PICC-2026-0001", elevators=None, **overrides) -> dict:
    body = {
        "number": number,
        "product_code": "A-LIAB",
        "policyholder_credit_code": setup["holder"].credit_code,
        "elevators": [{"equipment_code": e.equipment_code} for e in (elevators or setup["own"][:2])],
        "start_date": START.isoformat(),
        "funding_source": "self",
    }
    body.update(overrides)
    return body


# --- single registration ------------------------------------------------------------------------


def test_an_insurer_registers_a_policy_with_its_api_key(world, setup):
    body = payload(setup, elevators=setup["own"])
    body["elevators"][0]["premium"] = "93.00"
    response = with_key(world, "insurer_a").post(POLICIES, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "PICC-2026-0001"
    assert (data["start_date"], data["end_date"]) == ("2026-01-01", "2026-12-31")
    assert data["insurer_credit_code"] == world.orgs["insurer_a"].credit_code
    assert data["policyholder_credit_code"] == setup["holder"].credit_code
    assert (data["product_code"], data["product_version"], data["model"]) == ("A-LIAB", 1, "liability")
    # 93.00 + 93.00 + the old hospital lift: 93.00 x 1.300 (16 years) x 1.200 (hospital) = 145.08
    assert data["total_premium"] == "331.08"
    assert data["elevator_count"] == 3
    covered = {c["equipment_code"]: c for c in data["covered"]}
    hospital = covered[setup["own"][2].equipment_code]
    assert hospital["premium"] == "145.08"
    assert [(f["factor"], f["input"], f["coefficient"]) for f in hospital["rating"]["factors"]] == [
        ("age", "16年", "1.300"),
        ("place", "医院", "1.200"),
        ("claims", "0次", "1.000"),
        ("maintenance", "无评分", "1.000"),
    ]
    assert Policy.objects.get(number="PICC-2026-0001").created_by is None  # an API key, not a user


def test_policyholder_by_name_and_codes_as_people_type_them(world, setup):
    code = setup["own"][0].equipment_code
    body = payload(setup, elevators=[])
    body.pop("policyholder_credit_code")
    body["policyholder_name"] = setup["holder"].name
    body["elevators"] = [{"equipment_code": f" {code[:4]} {code[4:].lower()} "}]
    response = session(world, "insurer_a").post(POLICIES, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["covered"][0]["equipment_code"] == code


def test_a_policyholder_who_neither_owns_nor_uses_the_elevator_is_refused_naming_it(world, setup):
    body = payload(setup, elevators=[setup["own"][0], setup["foreign"]])
    response = with_key(world, "insurer_a").post(POLICIES, body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert setup["foreign"].equipment_code in error["detail"]
    assert error["elevators"] == [setup["foreign"].equipment_code]
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"product_code": "NO-SUCH"}, "product_code"),
        ({"elevators": [{"equipment_code": "311042001201599999"}]}, "elevators"),
        ({"elevators": [{"equipment_code": "1.1E+19"}]}, "elevators"),
        ({"policyholder_credit_code": "91420600MA4948Y01Z"}, "policyholder_credit_code"),
        ({"policyholder_credit_code": ""}, "policyholder_credit_code"),
        ({"start_date": "2026/13/01"}, "start_date"),
        ({"funding_source": "lottery"}, "funding_source"),
    ],
)
def test_malformed_requests_are_a_400_naming_the_field(world, setup, change, field):
    response = session(world, "insurer_a").post(POLICIES, {**payload(setup), **change}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


@pytest.mark.parametrize("who", ["pm_fancheng", "city", "district", "nfra", "finance", "maint"])
def test_property_managers_and_regulators_cannot_register_for_an_insurer(world, setup, who):
    client = session(world, who)
    assert client.post(POLICIES, payload(setup), format="json").status_code == 403
    assert client.post(BULK, {"policies": [payload(setup)]}, format="json").status_code == 403
    assert not Policy.objects.exists()


def test_an_insurer_cannot_use_another_insurers_product(world, setup):
    product_version(world.orgs["insurer_b"], code="B-LIAB")
    response = session(world, "insurer_a").post(
        POLICIES, payload(setup, product_code="B-LIAB"), format="json"
    )
    assert response.status_code == 400
    assert "product_code" in response.json()


# --- bulk -----------------------------------------------------------------------------------------


def test_bulk_registers_each_policy_on_its_own_and_reports_each(world, setup):
    existing = policy(setup["version"], [setup["own"][2]], start=date(2025, 7, 1), number="OLD-1")
    other = ElevatorFactory(user_unit=setup["holder"], installed_on=date(2016, 1, 1))
    policies = [
        payload(setup, number="B-1", elevators=[setup["own"][0]]),
        payload(setup, number="B-2", elevators=[setup["own"][1], setup["foreign"]]),
        payload(setup, number="B-3", elevators=[setup["own"][2]]),  # OLD-1 runs until 2026-06-30
        {
            **payload(setup, number="B-4", elevators=[]),
            "elevators": [{"equipment_code": other.equipment_code, "premium": "0.00"}],
        },
        {k: v for k, v in payload(setup, number="B-5").items() if k != "start_date"},
        payload(setup, number="", elevators=[other]),
    ]
    response = with_key(world, "insurer_a").post(BULK, {"policies": policies}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "refused": 5}
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4, 5]
    assert [r["key"] for r in results] == ["B-1", "B-2", "B-3", "B-4", "B-5", ""]
    assert [r["outcome"] for r in results] == [
        "created",
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
    ]
    assert results[0]["id"] == Policy.objects.get(number="B-1").pk and results[0]["errors"] == {}
    # the policyholder rule names the elevator
    assert results[1]["details"]["elevators"] == [setup["foreign"].equipment_code]
    (message,) = results[1]["errors"]["elevators"]
    assert setup["foreign"].equipment_code in message
    # an overlap names the conflicting policy number
    assert existing.number in results[2]["errors"]["elevators"][0]
    assert results[2]["details"]["conflicts"] == [
        {"elevator": setup["own"][2].equipment_code, "policy": "OLD-1"}
    ]
    # a premium that cannot be one (zero for a product that charges) is refused with the rating
    (problem,) = results[3]["details"]["premiums"]
    assert (problem["elevator"], problem["declared"], problem["rated"]) == (
        other.equipment_code,
        "0.00",
        "93.00",
    )
    assert "93.00" in results[3]["errors"]["premium"][0] and "不能为0" in results[3]["errors"]["premium"][0]
    # shape errors are the serializer's, field by field
    assert "start_date" in results[4]["errors"]
    assert "number" in results[5]["errors"]  # bulk needs the insurer's own number
    assert list(Policy.objects.values_list("number", flat=True).order_by("number")) == ["B-1", "OLD-1"]


def test_bulk_sent_again_is_unchanged_and_a_changed_policy_is_refused(world, setup):
    client = with_key(world, "insurer_a")
    first = [payload(setup, number="R-1"), payload(setup, number="R-2", elevators=[setup["own"][2]])]
    first[0]["elevators"][0]["premium"] = "93.00"
    assert client.post(BULK, {"policies": first}, format="json").json()["counts"]["created"] == 2
    again = client.post(BULK, {"policies": first}, format="json").json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}
    assert [r["id"] for r in again["results"]] == [
        Policy.objects.get(number="R-1").pk,
        Policy.objects.get(number="R-2").pk,
    ]
    changed = [payload(setup, number="R-1", start_date="2026-02-01")]
    assert client.post(BULK, changed, format="json").status_code == 400  # a bare list is not the shape
    refused = client.post(BULK, {"policies": changed}, format="json").json()
    assert refused["counts"]["refused"] == 1
    (result,) = refused["results"]
    assert "R-1" in result["errors"]["number"][0] and result["details"]["differences"] == ["保险期间"]
    assert Policy.objects.count() == 2


def test_bulk_takes_at_most_500(world, setup):
    response = session(world, "insurer_a").post(BULK, {"policies": [payload(setup)] * 501}, format="json")
    assert response.status_code == 400
    assert not Policy.objects.exists()


def test_a_declared_premium_is_the_contracts_single_and_in_bulk(world, setup):
    # These requests were refused ("保费 … 元与产品费率计算结果 … 元不符"): an insurer's own pricing.
    single = payload(setup, number="P-LOW", elevators=setup["own"][:1])
    single["elevators"][0]["premium"] = "60.00"  # 93.00 rated: 35.5% below, outside -30%..+30%
    client = with_key(world, "insurer_a")
    response = client.post(POLICIES, single, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["total_premium"], data["rated_total_premium"]) == ("60.00", "93.00")
    assert (data["premium_deviation"], data["premium_outside_band"]) == ("-0.3548", True)
    (cover,) = data["covered"]
    assert (cover["premium"], cover["rated_premium"], cover["premium_deviation"]) == (
        "60.00",
        "93.00",
        "-0.3548",
    )
    within = payload(setup, number="P-FAIR", elevators=setup["own"][1:2])
    within["elevators"][0]["premium"] = "90.00"
    bulk = client.post(BULK, {"policies": [within]}, format="json").json()
    assert bulk["counts"]["created"] == 1, bulk
    fair = Policy.objects.get(number="P-FAIR")
    assert (fair.total_premium, fair.rated_total_premium, fair.premium_outside_band) == (90, 93, False)
    # the insurance regulator lists the flagged policies: who, how far off
    flagged = session(world, "nfra").get(POLICIES, {"premium_outside_band": "true"}).json()["results"]
    assert [(p["number"], p["insurer_name"], p["premium_deviation"]) for p in flagged] == [
        ("P-LOW", world.orgs["insurer_a"].name, "-0.3548")
    ]
    far = client.get(POLICIES, {"premium_deviation_at_least": "3"}).json()["results"]
    assert {p["number"] for p in far} == {"P-LOW", "P-FAIR"}
    # sending the same policy again is unchanged; another premium is a difference
    assert client.post(BULK, {"policies": [within]}, format="json").json()["counts"]["unchanged"] == 1
    within["elevators"][0]["premium"] = "91.00"
    again = client.post(BULK, {"policies": [within]}, format="json").json()
    assert again["counts"]["refused"] == 1 and "保费" in again["results"][0]["errors"]["number"][0]


def test_an_absurd_premium_is_refused_with_a_clear_message(world, setup):
    body = payload(setup, elevators=setup["own"][:1])
    body["elevators"][0]["premium"] = "1000000.01"
    response = with_key(world, "insurer_a").post(POLICIES, body, format="json")
    assert response.status_code == 400
    assert "1,000,000" in response.json()["detail"] and response.json()["field"] == "premium"
    assert not Policy.objects.exists()


# --- renew and cancel -----------------------------------------------------------------------------


def test_renew_and_cancel_endpoints(world, setup):
    first = policy(setup["version"], setup["own"][:2], start=START, number="REN-1")
    client = with_key(world, "insurer_a")
    response = client.post(f"{POLICIES}{first.pk}/renew/", {}, format="json")
    assert response.status_code == 201, response.content
    renewal = response.json()
    assert (renewal["start_date"], renewal["end_date"]) == ("2027-01-01", "2027-12-31")
    assert renewal["renewed_from"] == first.pk and renewal["elevator_count"] == 2
    assert client.get(f"{POLICIES}{first.pk}/").json()["renewal"] == renewal["id"]
    again = client.post(f"{POLICIES}{first.pk}/renew/", {}, format="json")
    assert again.status_code == 400
    assert renewal["number"] in again.json()["detail"]  # already renewed: it names the renewal
    # a later start that overlaps nothing is refused just the same (not "系统繁忙")
    later = client.post(f"{POLICIES}{first.pk}/renew/", {"start_date": "2030-01-01"}, format="json")
    assert later.status_code == 400 and renewal["number"] in later.json()["detail"]

    cancel = f"{POLICIES}{renewal['id']}/cancel/"
    assert client.post(cancel, {}, format="json").status_code == 400
    late = client.post(cancel, {"date": "2028-01-01"}, format="json")
    assert late.status_code == 400 and "2027-12-31" in late.json()["detail"]
    early = client.post(cancel, {"date": "2026-12-31"}, format="json")
    assert early.status_code == 400 and "2027-01-01" in early.json()["detail"]
    cancelled = client.post(cancel, {"date": "2027-03-01"}, format="json")
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["cancelled_on"]) == ("cancelled", "2027-03-01")
    assert cancelled.json()["end_date"] == "2027-12-31"  # the contracted end stays
    # the cover ended the day before the cancellation; it had taken effect, so it is not void
    assert {(c["start_date"], c["end_date"], c["is_cancelled"]) for c in cancelled.json()["covered"]} == {
        ("2027-01-01", "2027-02-28", False)
    }
    twice = client.post(cancel, {"date": "2027-04-01"}, format="json")
    assert twice.status_code == 400 and "2027-03-01" in twice.json()["detail"]
    renew_cancelled = client.post(f"{POLICIES}{renewal['id']}/renew/", {}, format="json")
    assert renew_cancelled.status_code == 400 and "已退保" in renew_cancelled.json()["detail"]


def test_an_expired_policy_cannot_be_cancelled(world, setup):
    lapsed = policy(setup["version"], setup["own"][:1], start=date(2024, 1, 1))
    Policy.objects.filter(pk=lapsed.pk).update(status="expired")
    response = with_key(world, "insurer_a").post(
        f"{POLICIES}{lapsed.pk}/cancel/", {"date": "2024-06-01"}, format="json"
    )
    assert response.status_code == 400 and "已到期" in response.json()["detail"]
    lapsed.refresh_from_db()
    assert (lapsed.status, lapsed.cancelled_on) == ("expired", None)


def test_the_policyholder_may_renew_but_only_the_insurer_may_cancel(world, setup):
    first = policy(setup["version"], setup["own"][:1], start=START)
    city = session(world, "city")
    assert city.post(f"{POLICIES}{first.pk}/renew/", {}, format="json").status_code == 403
    assert (
        city.post(f"{POLICIES}{first.pk}/cancel/", {"date": "2026-03-01"}, format="json").status_code == 403
    )
    holder = session(world, "pm_fancheng")
    # Who may act is answered before the body is read: a malformed one is no 400 for a caller who may not
    refused = holder.post(f"{POLICIES}{first.pk}/cancel/", {"date": "not a date"}, format="json")
    assert (refused.status_code, refused.json()["detail"]) == (403, "只有承保的保险机构可以退保。")
    renewal = holder.post(f"{POLICIES}{first.pk}/renew/", {}, format="json")
    assert renewal.status_code == 201
    # DESIGN.md 2: property managers register and renew; cancelling is the insurer's
    assert (
        holder.post(f"{POLICIES}{first.pk}/cancel/", {"date": "2026-03-01"}, format="json").status_code == 403
    )
    first.refresh_from_db()
    assert first.status == "active"
    insurer = with_key(world, "insurer_a")
    assert (
        insurer.post(f"{POLICIES}{first.pk}/cancel/", {"date": "2026-03-01"}, format="json").status_code
        == 200
    )


# --- cross-insurer isolation --------------------------------------------------------------------


def test_another_insurers_policy_does_not_exist_for_an_insurer(world, setup):
    a_policy = policy(setup["version"], setup["own"][:1], start=START, number="A-ONLY")
    client = with_key(world, "insurer_b")
    assert client.get(f"{POLICIES}{a_policy.pk}/").status_code == 404
    assert client.post(f"{POLICIES}{a_policy.pk}/renew/", {}, format="json").status_code == 404
    assert (
        client.post(f"{POLICIES}{a_policy.pk}/cancel/", {"date": "2026-03-01"}, format="json").status_code
        == 404
    )
    assert client.get(POLICIES).json()["results"] == []
    for params in ({"equipment_code": setup["own"][0].equipment_code}, {"q": "A-ONLY"}, {"status": "active"}):
        assert client.get(POLICIES, params).json()["results"] == [], params
    a_policy.refresh_from_db()
    assert a_policy.status == "active" and not Policy.objects.exclude(pk=a_policy.pk).exists()
    # the same policy number is free for insurer_b: numbers are per insurer
    product_version(world.orgs["insurer_b"], code="B-LIAB")
    other = ElevatorFactory(user_unit=setup["holder"])
    response = client.post(
        POLICIES, payload(setup, number="A-ONLY", product_code="B-LIAB", elevators=[other]), format="json"
    )
    assert response.status_code == 201, response.content
    # and insurer_a still sees only its own
    rows = with_key(world, "insurer_a").get(POLICIES).json()["results"]
    assert [r["id"] for r in rows] == [a_policy.pk]


def test_policy_lists_per_kind(world, setup):
    a_policy = policy(setup["version"], setup["own"][:1], start=START)
    foreign = policy(setup["version"], [setup["foreign"]], start=START, funding_source="public_finance")
    expected = {
        "city": {a_policy.pk, foreign.pk},
        "nfra": {a_policy.pk, foreign.pk},
        "district": {a_policy.pk},
        "finance": {foreign.pk},
        "insurer_a": {a_policy.pk, foreign.pk},
        "insurer_b": set(),
        "pm_fancheng": {a_policy.pk},
        "pm_xiangcheng": {foreign.pk},
        "maint": set(),
    }
    for who, ids in expected.items():
        assert {r["id"] for r in session(world, who).get(POLICIES).json()["results"]} == ids, who


# --- filters --------------------------------------------------------------------------------------


def test_filters(world, setup):
    today = timezone.localdate()
    liability = policy(setup["version"], setup["own"][:1], start=today - timedelta(days=340), number="F-1")
    maintenance_version = product_version(world.orgs["insurer_a"], model="insurance_maintenance", code="A-IM")
    bundled = policy(
        maintenance_version, setup["own"][1:2], start=today, number="F-2", funding_source="maintenance_fund"
    )
    lapsed = policy(setup["version"], setup["own"][2:], start=date(2020, 1, 1), number="F-3")
    foreign = policy(setup["version"], [setup["foreign"]], start=today, number="F-4")
    client = with_key(world, "insurer_a")

    def ids(**params):
        return {r["id"] for r in client.get(POLICIES, params).json()["results"]}

    assert ids(model="insurance_maintenance") == {bundled.pk}
    assert ids(funding_source="maintenance_fund") == {bundled.pk}
    assert ids(policyholder_credit_code=world.orgs["pm_xiangcheng"].credit_code.lower()) == {foreign.pk}
    assert ids(equipment_code=setup["own"][2].equipment_code) == {lapsed.pk}
    assert ids(active_on=today.isoformat()) == {liability.pk, bundled.pk, foreign.pk}
    assert ids(active_on="2020-06-01") == {lapsed.pk}
    assert ids(expiring_within=30) == {liability.pk}
    assert ids(insurer=world.orgs["insurer_a"].pk) == {liability.pk, bundled.pk, lapsed.pk, foreign.pk}
    assert ids(insurer=world.orgs["insurer_b"].pk) == set()
    assert ids(q="F-2") == {bundled.pk}
    Policy.objects.filter(pk=lapsed.pk).update(status="expired")
    assert ids(status="expired") == {lapsed.pk}


# --- quotes ---------------------------------------------------------------------------------------


def test_quote_equals_the_rating_engine(world, setup):
    start = date(2026, 7, 1)
    elevators = [*setup["own"], ElevatorFactory(category="3310", installed_on=date(2024, 1, 1))]
    expected = quote(version=setup["version"], elevators=elevators, start=start)
    response = with_key(world, "insurer_a").post(
        QUOTES,
        {
            "product_code": "A-LIAB",
            "elevators": [e.equipment_code for e in elevators],
            "start_date": "2026-07-01",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert Decimal(body["total"]) == expected.total
    assert (body["version"], body["start_date"], body["end_date"]) == (1, "2026-07-01", "2027-06-30")
    lines = {line["equipment_code"]: line for line in body["lines"]}
    for line in expected.lines:
        got = lines[line.elevator.equipment_code]
        assert Decimal(got["premium"]) == line.premium
        assert Decimal(got["base"]) == line.base and got["group"] == line.group
        assert [(f["factor"], f["input"], Decimal(f["coefficient"])) for f in got["factors"]] == [
            (f.factor, f.input, f.coefficient) for f in line.factors
        ]


def test_property_managers_quote_only_their_own_elevators(world, setup):
    client = session(world, "pm_fancheng")
    own = client.post(
        QUOTES,
        {
            "product": setup["version"].product_id,
            "elevators": [setup["own"][0].equipment_code],
            "start_date": "2026-07-01",
        },
        format="json",
    )
    assert own.status_code == 200, own.content
    assert own.json()["lines"][0]["premium"] == "93.00"
    foreign = client.post(
        QUOTES,
        {
            "product_code": "A-LIAB",
            "elevators": [setup["foreign"].equipment_code],
            "start_date": "2026-07-01",
        },
        format="json",
    )
    assert foreign.status_code == 400
    assert setup["foreign"].equipment_code in str(foreign.json()["elevators"])


def test_a_product_code_two_insurers_use_needs_the_insurer(world, setup):
    product_version(world.orgs["insurer_b"], code="A-LIAB")
    client = session(world, "pm_fancheng")
    body = {
        "product_code": "A-LIAB",
        "elevators": [setup["own"][0].equipment_code],
        "start_date": "2026-07-01",
    }
    assert client.post(QUOTES, body, format="json").status_code == 400
    body["insurer_credit_code"] = world.orgs["insurer_b"].credit_code
    response = client.post(QUOTES, body, format="json")
    assert response.status_code == 200
    assert response.json()["insurer_credit_code"] == world.orgs["insurer_b"].credit_code


def test_a_quote_for_a_group_without_a_base_premium_is_a_400(world, setup):
    version = product_version(world.orgs["insurer_a"], code="A-VERT", bases={"vertical": Decimal("90")})
    escalator = ElevatorFactory(category="3310")
    response = session(world, "insurer_a").post(
        QUOTES,
        {"product": version.product_id, "elevators": [escalator.equipment_code], "start_date": "2026-07-01"},
        format="json",
    )
    assert response.status_code == 400
    assert escalator.equipment_code in response.json()["detail"]


def test_the_schema_has_the_policy_paths(schema):
    # every field of their components is described: TestPoliciesEndpoint, TestQuotesEndpoint
    paths = {"/api/v1/policies/", "/api/v1/policies/bulk/", "/api/v1/policies/{id}/renew/"}
    assert paths <= set(schema["paths"])


def test_a_quote_needs_a_product_with_terms_and_a_computable_period(world, setup):
    from insurance.models import Product

    bare = Product.objects.create(
        insurer=world.orgs["insurer_a"], code="A-BARE", name="无条款", model="liability"
    )
    client = session(world, "insurer_a")
    body = {"product": bare.pk, "elevators": [setup["own"][0].equipment_code], "start_date": "2026-07-01"}
    response = client.post(QUOTES, body, format="json")
    assert response.status_code == 400 and "该产品还没有条款版本" in str(response.json())
    late = client.post(
        QUOTES, {**body, "product": setup["version"].product_id, "start_date": "9999-06-01"}, format="json"
    )
    assert late.status_code == 400
    assert late.json() == {"start_date": ["日期须在1900年至2100年之间：9999-06-01。"]}
    register = client.post(POLICIES, payload(setup, product_code="A-BARE"), format="json")
    assert register.status_code == 400 and "该产品还没有条款版本" in str(register.json())


def test_an_overlap_with_another_insurers_policy_does_not_name_it(world, setup):
    policy(setup["version"], setup["own"][:1], start=START, number="A-HIDDEN")
    product_version(world.orgs["insurer_b"], code="B-LIAB")
    body = payload(
        setup, number="B-1", product_code="B-LIAB", elevators=setup["own"][:1], start_date="2026-06-01"
    )
    single = with_key(world, "insurer_b").post(POLICIES, body, format="json")
    assert single.status_code == 400
    assert "A-HIDDEN" not in single.content.decode()
    assert single.json()["conflicts"] == [{"elevator": setup["own"][0].equipment_code, "policy": None}]
    bulk = with_key(world, "insurer_b").post(BULK, {"policies": [body]}, format="json").json()
    assert bulk["counts"]["refused"] == 1 and "A-HIDDEN" not in str(bulk)


def test_another_insurers_product_is_unknown_to_quotes_and_to_bulk(world, setup):
    body = {
        "product_code": "A-LIAB",
        "elevators": [setup["own"][0].equipment_code],
        "start_date": "2026-07-01",
    }
    assert with_key(world, "insurer_b").post(QUOTES, body, format="json").status_code == 400
    quoted = with_key(world, "insurer_b").post(
        QUOTES, {**body, "product": setup["version"].product.pk}, format="json"
    )
    assert quoted.status_code == 400
    response = with_key(world, "insurer_b").post(BULK, {"policies": [payload(setup)]}, format="json")
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["outcome"] == "refused"
    assert not Policy.objects.exists()
