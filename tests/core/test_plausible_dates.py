"""Dates outside 1900..2100 are refused as such everywhere (issue 8, section 5.3 and 5.4): in every
API serializer, the browser forms and the spreadsheet imports, with one message from core.validators.

Year 1 overflowed the timezone conversion of a claim's incident time, year 3 a policy year (year -2),
year 9999 the end of a policy year: each was a 500 or a failed import run."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.validators import validate_plausible_date
from core.xlsx import parse_date
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version
from tests.utils.clients import browser, session, with_key

pytestmark = pytest.mark.django_db


def refusal(value: str) -> list[str]:
    return [f"日期须在1900年至2100年之间：{value}。"]


# --- the validator and the spreadsheet parser ----------------------------------------------------


@pytest.mark.parametrize("day", [date(1900, 1, 1), date(2026, 12, 1), date(2100, 12, 31)])
def test_dates_within_1900_to_2100_are_plausible(day):
    validate_plausible_date(day)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(3, 1, 1), date(1899, 12, 31), date(2101, 1, 1)])
def test_dates_outside_are_refused_quoting_them(day):
    with pytest.raises(ValidationError) as raised:
        validate_plausible_date(day)
    assert raised.value.messages == refusal(day.isoformat())


@pytest.mark.parametrize("value", ["0003-01-01", "0001/1/1", "9999年12月31日", "21010101", date(1899, 1, 1)])
def test_the_spreadsheet_parser_refuses_them_too(value):
    with pytest.raises(ValidationError) as raised:
        parse_date(value)
    assert "1900年至2100年" in raised.value.messages[0]


# --- the API -------------------------------------------------------------------------------------


@pytest.fixture
def cover(world):
    """insurer_a covers a 樊城区 elevator of pm_fancheng for a year from 2026-01-01."""
    version = product_version(world.orgs["insurer_a"], code="A-LIAB")
    elevator = ElevatorFactory(
        district=world.fancheng, user_unit=world.orgs["pm_fancheng"], installed_on=date(2016, 1, 1)
    )
    issued = policy(version, [elevator], start=date(2026, 1, 1), number="PA-1")
    return {"version": version, "elevator": elevator, "policy": issued}


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


@pytest.mark.parametrize("incident_at", ["0001-01-01", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59Z"])
def test_a_claim_incident_in_year_1_is_a_field_error(world, cover, incident_at):
    response = with_key(world, "insurer_a").post("/api/v1/claims/", claim(cover, incident_at=incident_at))
    assert response.status_code == 400
    assert list(response.json()) == ["incident_at"]
    assert "1900年至2100年" in response.json()["incident_at"][0]


def test_in_the_bulk_call_only_that_claim_is_refused(world, cover):
    items = [claim(cover, claim_number="C-1", incident_at="0001-01-01"), claim(cover, claim_number="C-2")]
    response = with_key(world, "insurer_a").post("/api/v1/claims/bulk/", {"claims": items}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "refused": 1}
    assert body["results"][0]["outcome"] == "refused"
    assert list(body["results"][0]["errors"]) == ["incident_at"]
    assert body["results"][1]["outcome"] == "created"


@pytest.mark.parametrize("field", ["reported_on", "closed_on"])
def test_claim_dates_are_bounded(world, cover, field):
    response = with_key(world, "insurer_a").post(
        "/api/v1/claims/", claim(cover, **{field: "0001-01-01"}), format="json"
    )
    assert response.status_code == 400
    assert response.json()[field] == refusal("0001-01-01")


def test_a_payment_date_is_bounded(world, cover):
    payments = [{"paid_on": "0001-01-01", "amount": "10.00"}]
    response = with_key(world, "insurer_a").post(
        "/api/v1/claims/", claim(cover, payments=payments), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"payments": {"0": {"paid_on": refusal("0001-01-01")}}}


def test_a_quote_starting_in_year_3_is_a_field_error(world, cover):
    body = {
        "product_code": "A-LIAB",
        "elevators": [cover["elevator"].equipment_code],
        "start_date": "0003-01-01",
    }
    response = with_key(world, "insurer_a").post("/api/v1/quotes/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"start_date": refusal("0003-01-01")}


@pytest.mark.parametrize("start_date", ["0003-01-01", "9999-06-01"])
def test_a_policy_starting_outside_the_years_is_a_field_error(world, cover, start_date):
    other = ElevatorFactory(district=world.fancheng, user_unit=world.orgs["pm_fancheng"])
    body = {
        "number": "PA-2",
        "product_code": "A-LIAB",
        "policyholder_credit_code": world.orgs["pm_fancheng"].credit_code,
        "elevators": [{"equipment_code": other.equipment_code}],
        "start_date": start_date,
        "funding_source": "self",
    }
    client = with_key(world, "insurer_a")
    response = client.post("/api/v1/policies/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"start_date": refusal(start_date)}
    bulk = client.post("/api/v1/policies/bulk/", {"policies": [body]}, format="json").json()
    assert bulk["results"][0]["errors"] == {"start_date": refusal(start_date)}


def test_renewing_or_cancelling_on_a_date_outside_is_a_field_error(world, cover):
    client = with_key(world, "insurer_a")
    url = f"/api/v1/policies/{cover['policy'].pk}/"
    renewed = client.post(f"{url}renew/", {"start_date": "0003-01-01"}, format="json")
    assert (renewed.status_code, renewed.json()) == (400, {"start_date": refusal("0003-01-01")})
    cancelled = client.post(f"{url}cancel/", {"date": "0001-01-01"}, format="json")
    assert (cancelled.status_code, cancelled.json()) == (400, {"date": refusal("0001-01-01")})


@pytest.mark.parametrize("field", ["installed_on", "registered_on", "manufactured_on"])
def test_an_elevator_date_outside_is_a_field_error(world, field):
    elevator = ElevatorFactory(district=world.fancheng)
    response = session(world, "district").patch(
        f"/api/v1/elevators/{elevator.pk}/", {field: "0001-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()[field] == refusal("0001-01-01")


def test_an_inspection_date_outside_is_a_field_error(world):
    elevator = ElevatorFactory(district=world.fancheng)
    body = {
        "elevator": elevator.pk,
        "inspected_on": "0001-01-01",
        "kind": "periodic",
        "result": "pass",
        "next_due": "9999-12-31",
        "inspection_body": "襄阳市特种设备检验检测所",
        "report_number": "DT-0001",
    }
    response = session(world, "district").post("/api/v1/inspections/", body, format="json")
    assert response.status_code == 400
    assert response.json()["inspected_on"] == refusal("0001-01-01")
    assert response.json()["next_due"] == refusal("9999-12-31")


# --- the browser forms ---------------------------------------------------------------------------


def test_the_registration_form_refuses_a_start_in_year_9999(world, cover):
    other = ElevatorFactory(district=world.fancheng, user_unit=world.orgs["pm_fancheng"])
    response = browser(world, "pm_fancheng").post(
        "/policies/register/",
        {
            "step": "quote",
            "elevators": [other.pk],
            "product": cover["version"].product_id,
            "start_date": "9999-06-01",
            "funding_source": "self",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == refusal("9999-06-01")


def test_the_cancel_form_refuses_a_date_in_year_1(world, cover):
    from insurance.forms import PolicyCancelForm

    form = PolicyCancelForm({"on": "0001-01-01"}, policy=cover["policy"])
    assert form.errors["on"] == refusal("0001-01-01")


# --- the policy list import ----------------------------------------------------------------------


def test_a_policy_list_starting_in_year_3_refuses_that_row_not_the_run(world, cover):
    import openpyxl

    from core.principal import SYSTEM
    from insurance.importing import policy_list_import

    sheet_rows = [
        ["*保单号", "保险公司", "保险产品", "投保模式", "投保人名称", "投保人统一社会信用代码", "设备代码",
         "保险起期", "保险止期", "保费（元）", "资金来源", "备注"],
        ["PX-1", world.orgs["insurer_a"].credit_code, "A-LIAB", "责任险", world.orgs["pm_fancheng"].name,
         world.orgs["pm_fancheng"].credit_code, cover["elevator"].equipment_code, "0003-01-01", "0003-12-31",
         "93", "自筹", ""],
    ]  # fmt: skip
    workbook = openpyxl.Workbook()
    for values in sheet_rows:
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = policy_list_import(source=buffer, filename="保单清单.xlsx", user=SYSTEM, dry_run=True)
    assert {p.row for p in result.problems} == {2}
    assert (2, "保险起期", "日期须在1900年至2100年之间：0003-01-01。") in [
        (p.row, p.column, p.reason) for p in result.problems
    ]


def test_today_is_plausible():
    validate_plausible_date(timezone.localdate() + timedelta(days=365 * 10))
