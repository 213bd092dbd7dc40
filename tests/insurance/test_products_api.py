"""Products over the API: who sees which product, creating products and versions, the shape."""

from datetime import date
from decimal import Decimal

import pytest

from insurance.models import Product
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.api import ReadEndpointTests, Scene
from tests.utils.clients import session, with_key

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def listed(client, **params) -> list[dict]:
    response = client.get(PRODUCTS, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def catalogue(world):
    """insurer_a: one product on sale and one withdrawn; insurer_b: one on sale."""
    a_sale = product_version(world.orgs["insurer_a"], code="A-LIAB").product
    a_stopped = product_version(world.orgs["insurer_a"], code="A-OLD").product
    Product.objects.filter(pk=a_stopped.pk).update(is_on_sale=False)
    b_sale = product_version(world.orgs["insurer_b"], code="B-LIAB").product
    return {"a_sale": a_sale, "a_stopped": a_stopped, "b_sale": b_sale}


class TestProductsEndpoint(ReadEndpointTests):
    """An insurer sees its own products, on sale or not, and no other insurer's."""

    url = PRODUCTS
    viewer = "insurer_a"
    anonymous_calls = ("GET ", "GET {pk}/", "GET {pk}/versions/", "POST ", "POST {pk}/versions/")

    @pytest.fixture
    def scene(self, catalogue):
        return Scene(
            visible=[catalogue["a_sale"], catalogue["a_stopped"]],
            hidden=catalogue["b_sale"],
            filters=[
                ({"is_on_sale": "false"}, [catalogue["a_stopped"]]),
                ({"code": "A-LIAB"}, [catalogue["a_sale"]]),
            ],
        )

    def make_visible(self, world, count):
        return [product_version(world.orgs["insurer_a"]).product for _ in range(count)]


def test_insurers_see_their_own_products_including_those_not_on_sale(world, catalogue):
    codes = {row["code"] for row in listed(with_key(world, "insurer_a"))}
    assert codes == {"A-LIAB", "A-OLD"}
    assert {row["code"] for row in listed(session(world, "insurer_b"))} == {"B-LIAB"}


@pytest.mark.parametrize("who", ["city", "district", "nfra", "pm_fancheng", "pm_xiangcheng"])
def test_regulators_and_property_managers_see_every_product_on_sale(world, catalogue, who):
    assert {row["code"] for row in listed(session(world, who))} == {"A-LIAB", "B-LIAB"}


def test_maintenance_companies_see_no_products(world, catalogue):
    assert listed(session(world, "maint")) == []


def test_the_insurers_credit_code_and_the_current_terms_are_shown(world, catalogue):
    (row,) = listed(session(world, "pm_fancheng"), code="B-LIAB")
    insurer = world.orgs["insurer_b"]
    assert (row["insurer"], row["insurer_name"], row["insurer_credit_code"]) == (
        insurer.pk,
        insurer.name,
        insurer.credit_code,
    )
    assert row["model"] == "liability" and row["is_on_sale"] is True
    current = row["current_version"]
    assert current["number"] == 1 and current["deductible"] == "500.00"
    assert {"item": "death_disability", "item_display": "每人死亡伤残", "limit": "800000.00"} in current[
        "limits"
    ]
    assert {b["group"]: b["amount"] for b in current["base_premiums"]}["vertical"] == "93.00"
    place = [c for c in current["coefficients"] if c["factor"] == "place"]
    assert {(c["key"], c["value"]) for c in place} == {("HOSPITAL", "1.200"), ("MALL", "1.150")}
    age = [c for c in current["coefficients"] if c["factor"] == "age"]
    assert {"lower": "15.00", "upper": None, "value": "1.300"}.items() <= age[-1].items()


def test_filters_by_insurer_credit_code(world, catalogue):
    client = session(world, "city")
    rows = listed(client, insurer_credit_code=world.orgs["insurer_a"].credit_code.lower())
    assert {row["code"] for row in rows} == {"A-LIAB"}  # the city sees products on sale


def test_another_insurers_product_is_not_found(world, catalogue):
    client = session(world, "insurer_a")
    assert client.get(f"{PRODUCTS}{catalogue['b_sale'].pk}/").status_code == 404
    assert client.get(f"{PRODUCTS}{catalogue['b_sale'].pk}/versions/").status_code == 404
    response = client.post(f"{PRODUCTS}{catalogue['b_sale'].pk}/versions/", TERMS, format="json")
    assert response.status_code == 404
    assert session(world, "pm_fancheng").get(f"{PRODUCTS}{catalogue['a_stopped'].pk}/").status_code == 404


def test_who_may_change_a_product_is_answered_before_the_body_is_read(world, catalogue):
    # the city sees a product on sale but may not change its terms: a malformed body is no 400 for it
    url = f"{PRODUCTS}{catalogue['a_sale'].pk}/versions/"
    city = session(world, "city")
    assert city.get(url).status_code == 200
    refused = city.post(url, {"deductible": "not money"}, format="json")
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "只有保险机构本身可以维护自己的产品和保单。",
    )
    assert (
        with_key(world, "insurer_a").post(url, {"deductible": "not money"}, format="json").status_code == 400
    )
    assert catalogue["a_sale"].versions.count() == 1


TERMS = {
    "deductible": "300.00",
    "note": "2027年费率调整",
    "limits": [
        {"item": "death_disability", "limit": "1000000"},
        {"item": "medical", "limit": "100000"},
    ],
    "base_premiums": [
        {"group": "vertical", "amount": "99.00"},
        {"group": "escalator", "amount": "120.00"},
    ],
    "coefficients": [
        {"factor": "age", "lower": "0", "upper": "10", "value": "0.950"},
        {"factor": "age", "lower": "10", "upper": None, "value": "1.250"},
        {"factor": "place", "key": "医院", "value": "1.300"},
        {"factor": "claims", "lower": "1", "value": "1.400"},
    ],
}


def test_an_insurer_creates_a_product_with_its_first_version(world):
    response = with_key(world, "insurer_a").post(
        PRODUCTS,
        {"code": "XY-2027", "name": "电梯安全责任保险（2027版）", "model": "liability", **TERMS},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["insurer_credit_code"] == world.orgs["insurer_a"].credit_code
    assert body["current_version"]["number"] == 1
    product = Product.objects.get(code="XY-2027")
    assert product.insurer == world.orgs["insurer_a"]
    version = product.current_version
    assert version.deductible == Decimal("300.00") and version.note == "2027年费率调整"
    assert version.coefficients.get(factor="place").key == "HOSPITAL"  # the name was understood
    # the same code again is refused with the service's message
    again = with_key(world, "insurer_a").post(
        PRODUCTS, {"code": "XY-2027", "name": "重复", "model": "liability", **TERMS}, format="json"
    )
    assert again.status_code == 400
    assert "XY-2027" in again.json()["detail"]


@pytest.mark.parametrize("who", ["pm_fancheng", "city", "nfra", "maint"])
def test_only_insurers_create_products(world, who):
    response = session(world, who).post(
        PRODUCTS, {"code": "X", "name": "X", "model": "liability", **TERMS}, format="json"
    )
    assert response.status_code == 403
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"limits": []}, "limits"),
        ({"base_premiums": [{"group": "vertical", "amount": "1"}, {"group": "vertical", "amount": "2"}]}, "base_premiums"),
        ({"coefficients": [{"factor": "place", "key": "游乐园", "value": "1.1"}]}, "coefficients"),
        ({"coefficients": [{"factor": "age", "lower": "0", "upper": "10", "value": "1"}, {"factor": "age", "lower": "5", "value": "1"}]}, "coefficients"),
        ({"coefficients": [{"factor": "claims", "lower": "3", "upper": "1", "value": "1"}]}, "coefficients"),
        ({"coefficients": [{"factor": "age", "key": "HOSPITAL", "value": "1"}]}, "coefficients"),
    ],
)  # fmt: skip
def test_malformed_terms_are_a_400_naming_the_field(world, catalogue, change, field):
    client = session(world, "insurer_a")
    response = client.post(
        f"{PRODUCTS}{catalogue['a_sale'].pk}/versions/", {**TERMS, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert catalogue["a_sale"].versions.count() == 1


def test_a_new_version_leaves_issued_policies_on_theirs(world, catalogue):
    product = catalogue["a_sale"]
    first = product.current_version
    elevator = ElevatorFactory(user_unit=world.orgs["pm_fancheng"], installed_on=date(2016, 1, 1))
    issued = policy(first, [elevator], start=date(2026, 1, 1))
    client = with_key(world, "insurer_a")
    response = client.post(f"{PRODUCTS}{product.pk}/versions/", TERMS, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    issued.refresh_from_db()
    assert issued.product_version == first
    assert issued.covered.get().premium == Decimal("93.00")
    # the product now shows the new terms, and the history keeps both
    body = client.get(f"{PRODUCTS}{product.pk}/").json()
    assert body["current_version"]["number"] == 2 and body["version_count"] == 2
    history = client.get(f"{PRODUCTS}{product.pk}/versions/").json()
    assert [v["number"] for v in history] == [2, 1]
    # the policy's detail still names version 1; a renewal is priced on version 2
    policies = client.get(f"/api/v1/policies/{issued.pk}/").json()
    assert policies["product_version"] == 1
    renewal = client.post(f"/api/v1/policies/{issued.pk}/renew/", {}, format="json").json()
    assert renewal["product_version"] == 2
    assert renewal["total_premium"] == "123.75"  # 99.00 x 1.250 (11 years on 2027-01-01)


def test_property_managers_cannot_change_a_product_they_see(world, catalogue):
    response = session(world, "pm_fancheng").post(
        f"{PRODUCTS}{catalogue['a_sale'].pk}/versions/", TERMS, format="json"
    )
    assert response.status_code == 403
    assert catalogue["a_sale"].versions.count() == 1


def test_the_schema_has_the_product_paths(schema):
    # every field of their components is described: TestProductsEndpoint, TestQuotesEndpoint
    assert {"/api/v1/products/", "/api/v1/products/{id}/versions/", "/api/v1/quotes/"} <= set(schema["paths"])


def test_a_version_declares_its_premium_band_and_the_next_keeps_it(world, catalogue):
    product = catalogue["a_sale"]
    assert (product.current_version.premium_band_lower, product.current_version.premium_band_upper) == (
        Decimal("-0.3000"),
        Decimal("0.3000"),
    )
    client = with_key(world, "insurer_a")
    banded = {**TERMS, "premium_band_lower": "-0.15", "premium_band_upper": "0.10"}
    response = client.post(f"{PRODUCTS}{product.pk}/versions/", banded, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["premium_band_lower"], response.json()["premium_band_upper"]) == (
        "-0.1500",
        "0.1000",
    )
    kept = client.post(f"{PRODUCTS}{product.pk}/versions/", TERMS, format="json").json()
    assert (kept["number"], kept["premium_band_lower"], kept["premium_band_upper"]) == (
        3,
        "-0.1500",
        "0.1000",
    )
    wrong = client.post(
        f"{PRODUCTS}{product.pk}/versions/", {**TERMS, "premium_band_lower": "0.05"}, format="json"
    )
    assert wrong.status_code == 400 and "premium_band_lower" in wrong.json()
    assert product.versions.count() == 3
    page = session(world, "insurer_a").get(f"/products/{product.pk}/").content.decode()
    assert "-15.0% — +10.0%" in page
