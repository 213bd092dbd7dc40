"""Inputs that used to reach a 500 (issue 8, section 5): each is now a 4xx saying what is wrong.

Every request here is the one that broke; it stays in the suite so that it cannot break again.
"""

import pytest
from django.test import Client

from tests.utils.clients import browser, session, with_key

pytestmark = pytest.mark.django_db

NUL_REFUSAL = "请求中含有不允许的空字符（NUL）。"


# --- 1. a NUL character anywhere in the request --------------------------------------------------


@pytest.mark.parametrize("path", ["/e/%00/", "/e/%00/sign/", "/e/311012002199902332%00/"])
def test_a_nul_in_the_public_card_path_is_a_400(path):
    response = Client().get(path)
    assert response.status_code == 400
    assert response.content.decode() == NUL_REFUSAL


def test_a_nul_in_the_api_key_revoke_path_is_a_400(world):
    response = browser(world, "insurer_a").post("/account/api-keys/%00/revoke/")
    assert response.status_code == 400
    assert response.content.decode() == NUL_REFUSAL


def test_a_nul_in_the_query_is_a_400(world):
    response = with_key(world, "city").get("/api/v1/elevators/", {"equipment_code": "3110\x00"})
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REFUSAL}
    assert browser(world, "city").get("/elevators/?q=%00").status_code == 400


def test_a_nul_in_a_form_body_is_a_400(world):
    response = browser(world, "insurer_a").post("/account/api-keys/", {"name": "对接\x00系统"})
    assert response.status_code == 400


@pytest.mark.parametrize("body", ['{"claim_number": "C\x00"}', '{"claim_number": "C\\u0000"}'])
def test_a_nul_in_a_json_body_raw_or_escaped_is_a_400(world, body):
    response = with_key(world, "insurer_a").post("/api/v1/claims/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REFUSAL}


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(world):
    response = session(world, "city").post(
        "/api/v1/elevators/", '{"equipment_code": "C\\\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["equipment_code"]  # the shape check saw the text


def test_an_uploaded_file_may_hold_nul_bytes(world):
    """An .xlsx is a zip: its bytes are the import's business, not a query's."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("registry.xlsx", b"PK\x03\x04\x00\x00junk")
    response = browser(world, "city").post("/imports/new/registry/", {"file": upload, "dry_run": "on"})
    assert response.status_code != 400 or NUL_REFUSAL not in response.content.decode()


# --- 2. deeply nested JSON -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "caller, endpoint",
    [("insurer_a", "/api/v1/claims/"), ("city", "/api/v1/elevators/"), ("pm_fancheng", "/api/v1/quotes/")],
)
def test_json_nested_two_thousand_deep_is_a_400(world, caller, endpoint):
    response = session(world, caller).post(endpoint, "[" * 2000, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON 嵌套超过32层。"}


def test_json_nested_within_the_bound_is_parsed(world):
    nested = "[" * 32 + "]" * 32
    response = session(world, "pm_fancheng").post("/api/v1/quotes/", nested, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" not in str(response.json())


def test_brackets_inside_strings_do_not_count_as_nesting():
    from core.api.parsers import nesting_depth

    assert nesting_depth('{"a": "[[[[[[[[[[", "b": ["\\"[[["]}', limit=5) == 2


# --- 5. product terms the database would refuse ---------------------------------------------------

TERMS = {
    "code": "XY-2027",
    "name": "电梯安全责任保险（2027版）",
    "model": "liability",
    "deductible": "300.00",
    "limits": [{"item": "death_disability", "limit": "1000000"}, {"item": "medical", "limit": "100000"}],
    "base_premiums": [{"group": "vertical", "amount": "99.00"}],
    "coefficients": [{"factor": "age", "lower": "0", "upper": "10", "value": "0.950"}],
}


@pytest.mark.parametrize(
    "change, errors",
    [
        ({"limits": [{"item": "medical", "limit": "0"}]}, {"limits": {"0": {"limit": ["须大于0。"]}}}),
        ({"limits": [{"item": "medical", "limit": "-5"}]}, {"limits": {"0": {"limit": ["须大于0。"]}}}),
        (
            {"base_premiums": [{"group": "vertical", "amount": "-1"}]},
            {"base_premiums": {"0": {"amount": ["不能为负数。"]}}},
        ),
        ({"deductible": "-0.01"}, {"deductible": ["不能为负数。"]}),
        (
            {"coefficients": [{"factor": "age", "lower": "0", "upper": "10", "value": "0"}]},
            {"coefficients": {"0": {"value": ["须大于0。"]}}},
        ),
    ],
)
def test_product_terms_the_database_would_refuse_are_field_errors(world, change, errors):
    from insurance.models import Product

    client = with_key(world, "insurer_a")
    created = client.post("/api/v1/products/", {**TERMS, **change}, format="json")
    assert created.status_code == 400
    assert created.json() == errors
    assert not Product.objects.exists()


def test_a_new_version_with_a_zero_limit_is_a_field_error(world):
    from tests.insurance.factories import product_version

    product = product_version(world.orgs["insurer_a"], code="A-LIAB").product
    terms = {k: v for k, v in TERMS.items() if k not in ("code", "name", "model")}
    response = with_key(world, "insurer_a").post(
        f"/api/v1/products/{product.pk}/versions/",
        {**terms, "limits": [{"item": "medical", "limit": "0"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"limits": {"0": {"limit": ["须大于0。"]}}}
    assert product.versions.count() == 1


# --- claim numbers nobody can read; premiums that are not numbers ---------------------------------


@pytest.fixture
def cover(world):
    from datetime import date

    from tests.elevators.factories import ElevatorFactory
    from tests.insurance.factories import policy, product_version

    version = product_version(world.orgs["insurer_a"], code="A-LIAB")
    elevator = ElevatorFactory(
        district=world.fancheng, user_unit=world.orgs["pm_fancheng"], installed_on=date(2016, 1, 1)
    )
    policy(version, [elevator], start=date(2026, 1, 1), number="PA-1")
    return {"version": version, "elevator": elevator}


def claim(cover, **fields) -> dict:
    return {
        "claim_number": "C-1",
        "policy_number": "PA-1",
        "equipment_code": cover["elevator"].equipment_code,
        "incident_at": "2026-03-05T10:00:00+08:00",
        "kind": "trapping",
        "coverage_item": "medical",
        "reported_on": "2026-03-05",
        **fields,
    }


@pytest.mark.parametrize("number", ["\u202e", "\ufeff", "\u200b\u202e\ufeff", " \u202e "])
def test_a_claim_number_of_invisible_or_format_characters_is_refused(world, cover, number):
    from insurance.models import Claim

    client = with_key(world, "insurer_a")
    response = client.post("/api/v1/claims/", claim(cover, claim_number=number), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "不能只由不可见字符或格式字符组成。",
        "field": "claim_number",
        "errors": {"claim_number": ["不能只由不可见字符或格式字符组成。"]},
    }
    bulk = client.post("/api/v1/claims/bulk/", {"claims": [claim(cover, claim_number=number)]}, format="json")
    assert bulk.json()["results"][0]["errors"] == {"claim_number": ["不能只由不可见字符或格式字符组成。"]}
    assert not Claim.objects.exists()


def test_a_claim_number_with_visible_characters_is_kept(world, cover):
    response = with_key(world, "insurer_a").post(
        "/api/v1/claims/", claim(cover, claim_number="C-1"), format="json"
    )
    assert response.status_code == 201, response.content


def test_the_claims_service_refuses_an_incident_in_year_1_from_any_caller(world, cover):
    """The Excel upload reads 0001-01-01 10:00 as a naive datetime; the service bounds it too."""
    from datetime import datetime

    from insurance.services.claims import claims_bulk_upsert

    item = {**claim(cover), "incident_at": datetime(1, 1, 1, 10, 0), "reported_on": None}
    item.pop("reported_on")
    [result] = claims_bulk_upsert(insurer=world.orgs["insurer_a"], items=[item])
    assert "incident_at" in str(result), result
    assert "日期须在1900年至2100年之间：0001-01-01。" in str(result)


@pytest.mark.parametrize("premium", ["NaN", "Infinity", "-Infinity", "sNaN", "九十三"])
def test_a_premium_that_is_not_a_number_is_a_form_error_on_confirm(world, cover, premium):
    from datetime import timedelta

    from django.utils import timezone

    from insurance.models import Policy
    from tests.elevators.factories import ElevatorFactory

    elevator = ElevatorFactory(district=world.fancheng, user_unit=world.orgs["pm_fancheng"])
    response = browser(world, "pm_fancheng").post(
        "/policies/register/",
        {
            "step": "confirm",
            "elevators": [elevator.pk],
            "product": cover["version"].product_id,
            "start_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "funding_source": "self",
            f"premium-{elevator.pk}": premium,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"电梯 {elevator.equipment_code} 的保费“{premium}”不是有效的金额。"
    ]
    assert not Policy.objects.filter(covered__elevator=elevator).exists()


def test_the_product_terms_form_refuses_what_the_database_would():
    from insurance.forms import ProductTermsForm

    form = ProductTermsForm(
        {"deductible": "-0.01", "limit_medical": "0", "limit_death_disability": "-5", "base_vertical": "-1"}
    )
    assert form.errors["deductible"] == ["不能为负数。"]
    assert form.errors["limit_medical"] == ["须大于0。"]
    assert form.errors["limit_death_disability"] == ["须大于0。"]
    assert form.errors["base_vertical"] == ["不能为负数。"]


def test_the_coefficient_row_form_refuses_a_zero_coefficient():
    from insurance.forms import CoefficientRowForm

    form = CoefficientRowForm({"factor": "age", "lower": "0", "upper": "10", "value": "0"})
    assert form.errors["value"][0] == "须大于0。"
