"""Insurers update a claim in the browser: allowed status transitions, payments, reserve."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core.models import ImportRun
from insurance.models import Claim, ClaimStatusChange
from tests.insurance import test_claims_views as claims_views
from tests.insurance.test_claims_views import INCIDENT_DAY, sheet_rows, upload, workbook
from tests.utils.clients import browser

# The claim pages' cast: two insurers' policies and claims, and an uploader running imports at once.
world, claims, media, uploader = (
    claims_views.world,
    claims_views.claims,
    claims_views.media,
    claims_views.uploader,
)

pytestmark = pytest.mark.django_db

DAY = INCIDENT_DAY + timedelta(days=3)


def management(total=3, initial=0):
    return {"payments-TOTAL_FORMS": str(total), "payments-INITIAL_FORMS": str(initial)}


def update(client, claim, **fields):
    data = {"status": claim.status, "amount_claimed": "0", "amount_reserved": "0", **management(), **fields}
    return client.post(f"/claims/{claim.pk}/update/", data)


def test_the_insurer_sees_the_update_button_and_only_allowed_statuses(world, claims):
    client = browser(world, "insurer_b")
    claim = claims["B-1"]
    assert 'data-testid="claim-update-link"' in client.get(f"/claims/{claim.pk}/").content.decode()
    form = client.get(f"/claims/{claim.pk}/update/")
    assert form.status_code == 200
    offered = {value for value, _label in form.context["form"].fields["status"].choices}
    assert offered == {"reported", "accepted", "rejected", "withdrawn", "paid", "closed"}
    paid = browser(world, "insurer_a").get(f"/claims/{claims['A-1'].pk}/update/")
    assert {value for value, _label in paid.context["form"].fields["status"].choices} == {"paid", "closed"}


def test_accepting_with_a_reserve_records_the_status_change(world, claims):
    claim = claims["B-1"]
    response = update(
        browser(world, "insurer_b"),
        claim,
        status="accepted",
        status_date=DAY.isoformat(),
        amount_claimed="5000",
        amount_reserved="3000",
    )
    assert response.status_code == 302 and response["Location"] == f"/claims/{claim.pk}/"
    claim.refresh_from_db()
    assert claim.status == "accepted" and claim.accepted_on == DAY
    assert claim.amount_reserved == Decimal("3000.00") and claim.amount_claimed == Decimal("5000.00")
    change = ClaimStatusChange.objects.filter(claim=claim).latest("pk")
    assert (change.from_status, change.to_status, change.on) == ("reported", "accepted", DAY)


def test_paying_with_payments_sets_the_amount_paid_to_their_sum(world, claims):
    claim = claims["B-1"]
    response = update(
        browser(world, "insurer_b"),
        claim,
        status="paid",
        status_date=DAY.isoformat(),
        **{
            "payments-0-paid_on": DAY.isoformat(),
            "payments-0-amount": "400",
            "payments-0-payee": "张三",
            "payments-1-paid_on": DAY.isoformat(),
            "payments-1-amount": "250.50",
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.amount_paid == Decimal("650.50")
    assert sorted(claim.payments.values_list("amount", flat=True)) == [Decimal("250.50"), Decimal("400.00")]


def test_a_transition_the_rules_do_not_allow_is_refused(world, claims):
    claim = claims["A-1"]  # paid: only closed comes next
    response = update(browser(world, "insurer_a"), claim, status="accepted", status_date=DAY.isoformat())
    assert response.status_code == 200 and response.context["form"].errors["status"]
    claim.refresh_from_db()
    assert claim.status == "paid"


def test_the_services_refusal_is_shown_on_the_form(world, claims):
    claim = claims["B-1"]
    # a paid claim needs a positive amount paid: no payments given
    response = update(browser(world, "insurer_b"), claim, status="paid", status_date=DAY.isoformat())
    assert response.status_code == 200 and response.context["form"].errors
    claim.refresh_from_db()
    assert claim.status == "reported"


def test_a_status_change_needs_its_date_and_amounts_cannot_be_negative(world, claims):
    claim = claims["B-1"]
    client = browser(world, "insurer_b")
    assert update(client, claim, status="accepted").context["form"].errors["status_date"]
    assert update(client, claim, amount_reserved="-1").context["form"].errors["amount_reserved"]
    claim.refresh_from_db()
    assert claim.status == "reported" and claim.amount_reserved == Decimal("0.00")


def test_another_insurers_claim_is_404_and_a_regulator_may_not_update(world, claims):
    claim = claims["A-1"]
    assert browser(world, "insurer_b").get(f"/claims/{claim.pk}/update/").status_code == 404
    city = browser(world, "city")
    assert city.get(f"/claims/{claim.pk}/update/").status_code == 403
    assert 'data-testid="claim-update-link"' not in city.get(f"/claims/{claim.pk}/").content.decode()


def test_a_claims_dry_run_with_refused_rows_offers_importing_the_valid_ones(world, uploader):
    upload(uploader, workbook(sheet_rows(world)), dry_run=True)
    checked = ImportRun.objects.get()
    assert checked.summary["refused"] == 2
    page = uploader.get(f"/imports/{checked.pk}/").content.decode()
    assert 'data-testid="import-valid-rows"' in page
    response = uploader.post(f"/imports/{checked.pk}/confirm/")
    real = ImportRun.objects.exclude(pk=checked.pk).get()
    assert response["Location"] == f"/imports/{real.pk}/"
    assert real.status == ImportRun.Status.DONE and not real.dry_run
    assert set(Claim.objects.values_list("claim_number", flat=True)) == {"X-1", "X-2"}


def test_a_dry_run_where_every_row_is_refused_offers_nothing(world, uploader):
    upload(uploader, workbook(sheet_rows(world)[2:]), dry_run=True)
    checked = ImportRun.objects.get()
    assert checked.summary["refused"] == 2 and checked.summary["created"] == 0
    assert (
        f'action="/imports/{checked.pk}/confirm/"'
        not in uploader.get(f"/imports/{checked.pk}/").content.decode()
    )
    uploader.post(f"/imports/{checked.pk}/confirm/")
    assert ImportRun.objects.count() == 1
