"""Insurers register products and new versions of their terms in the browser."""

from decimal import Decimal

import pytest

from insurance.models import Product
from tests.insurance.factories import product_version
from tests.utils.clients import browser
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db


def management(prefix="coefficients", total=10):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def product_post(**overrides):
    data = {
        "code": "XY-01",
        "name": "电梯安全责任保险（襄阳）",
        "model": "liability",
        "is_on_sale": "on",
        "deductible": "500",
        "limit_death_disability": "800000",
        "limit_medical": "80000",
        "base_vertical": "93",
        "base_escalator": "95",
        "coefficients-0-factor": "age",
        "coefficients-0-lower": "0",
        "coefficients-0-upper": "5",
        "coefficients-0-value": "0.9",
        "coefficients-1-factor": "age",
        "coefficients-1-lower": "5",
        "coefficients-1-value": "1.1",
        **management(),
    }
    data.update(overrides)
    return data


def test_an_insurers_home_and_product_list_offer_registering_a_product():
    world = make_world()
    client = browser(world, "insurer_a")
    assert 'href="/products/new/"' in client.get("/").content.decode()
    assert 'data-testid="product-create-link"' in client.get("/products/").content.decode()
    regulator = browser(world, "city")
    assert 'href="/products/new/"' not in regulator.get("/").content.decode()
    assert 'data-testid="product-create-link"' not in regulator.get("/products/").content.decode()


def test_an_insurer_registers_a_product_with_its_first_terms():
    world = make_world()
    client = browser(world, "insurer_a")
    assert client.get("/products/new/").status_code == 200
    response = client.post("/products/new/", product_post())
    product = Product.objects.get(code="XY-01")
    assert response.status_code == 302 and response["Location"] == f"/products/{product.pk}/"
    assert product.insurer == world.orgs["insurer_a"] and product.is_on_sale
    version = product.current_version
    assert version.number == 1 and version.deductible == Decimal("500.00")
    assert dict(version.limits.values_list("item", "limit")) == {
        "death_disability": Decimal("800000.00"),
        "medical": Decimal("80000.00"),
    }
    assert dict(version.base_premiums.values_list("group", "amount")) == {
        "vertical": Decimal("93.00"),
        "escalator": Decimal("95.00"),
    }
    rows = sorted(version.coefficients.values_list("factor", "lower", "upper", "value"))
    assert rows == [
        ("age", Decimal("0.00"), Decimal("5.00"), Decimal("0.900")),
        ("age", Decimal("5.00"), None, Decimal("1.100")),
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"limit_medical": "0"},
        {"base_vertical": "-1"},
        {"deductible": "-1"},
        {"limit_death_disability": "", "limit_medical": ""},
        {"base_vertical": "", "base_escalator": ""},
        {"coefficients-1-lower": "3"},  # overlaps [0, 5)
        {"coefficients-0-value": "0"},
        {"coefficients-0-value": ""},
    ],
)
def test_terms_that_cannot_be_are_refused_on_the_form(overrides):
    world = make_world()
    response = browser(world, "insurer_a").post("/products/new/", product_post(**overrides))
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_a_code_already_used_by_the_insurer_is_a_form_error():
    world = make_world()
    product_version(world.orgs["insurer_a"], code="XY-01")
    response = browser(world, "insurer_a").post("/products/new/", product_post())
    assert response.status_code == 200 and response.context["form"].errors["code"]


def test_only_insurers_register_products():
    world = make_world()
    for key in ("city", "pm_fancheng", "nfra"):
        client = browser(world, key)
        assert client.get("/products/new/").status_code == 403
        assert client.post("/products/new/", product_post()).status_code == 403
    assert not Product.objects.exists()


def test_a_new_version_starts_from_the_current_terms_and_keeps_the_old_one():
    world = make_world()
    version = product_version(world.orgs["insurer_a"])
    product = version.product
    client = browser(world, "insurer_a")
    detail = client.get(f"/products/{product.pk}/").content.decode()
    assert f'href="/products/{product.pk}/new-version/"' in detail
    form = client.get(f"/products/{product.pk}/new-version/")
    assert form.status_code == 200
    assert form.context["form"].initial["base_vertical"] == Decimal("93.00")
    rows = form.context["coefficients"].initial
    assert len(rows) == version.coefficients.count()
    data = {
        "deductible": "300",
        "note": "下调免赔额",
        "limit_death_disability": "1000000",
        "base_vertical": "90",
        "coefficients-0-factor": "place",
        "coefficients-0-key": "HOSPITAL",
        "coefficients-0-value": "1.25",
        **management(),
    }
    response = client.post(f"/products/{product.pk}/new-version/", data)
    assert response.status_code == 302
    new = product.versions.order_by("-number").first()
    assert new.number == 2 and new.note == "下调免赔额" and new.deductible == Decimal("300.00")
    assert list(new.coefficients.values_list("factor", "key", "value")) == [
        ("place", "HOSPITAL", Decimal("1.250"))
    ]
    version.refresh_from_db()
    assert version.base_premiums.get(group="vertical").amount == Decimal("93.00")


def test_another_insurers_product_is_404_and_a_regulator_may_not_change_terms():
    world = make_world()
    product = product_version(world.orgs["insurer_b"]).product
    assert browser(world, "insurer_a").get(f"/products/{product.pk}/new-version/").status_code == 404
    city = browser(world, "city")
    assert city.get(f"/products/{product.pk}/").status_code == 200
    assert city.get(f"/products/{product.pk}/new-version/").status_code == 403
    assert (
        'data-testid="product-version-create-link"'
        not in city.get(f"/products/{product.pk}/").content.decode()
    )
