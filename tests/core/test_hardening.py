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
