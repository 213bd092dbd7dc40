"""Rescue → claim (maintenance.services.claim_proposals): a long trapping proposes a claim to the
insurer of the policy in force, once, for people × the product's payout; only that insurer confirms
(one claim, linked back) or declines; the pages and the API answer the same."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Notice
from core.exceptions import ApplicationError
from insurance.models import Claim, ProductVersion
from maintenance.models import ClaimProposal
from maintenance.services.claim_proposals import claim_proposal_confirm, claim_proposal_decline
from tests.maintenance.conftest_rescues import make_cast
from tests.utils.clients import browser, session, with_key

pytestmark = pytest.mark.django_db
PROPOSALS = "/api/v1/claim-proposals/"


@pytest.fixture
def cast(db):
    return make_cast()


def proposal_of(rescue):
    return ClaimProposal.objects.filter(rescue=rescue).first()


@pytest.mark.parametrize(
    ("minutes", "amount"), [(45, "400.00"), (75, "800.00"), (60, "400.00"), (61, "800.00")]
)
def test_two_people_trapped_propose_the_payout_for_the_time_trapped(cast, minutes, amount):
    rescue, _ = cast.trapped("maint", minutes, people=2)
    proposal = proposal_of(rescue)
    assert proposal.amount == Decimal(amount)
    assert (proposal.insurer, proposal.policy, proposal.status) == (
        cast.world.orgs["insurer_a"],
        cast.policy,
        "proposed",
    )


@pytest.mark.parametrize("minutes", [20, 30])
def test_no_proposal_up_to_the_threshold(cast, minutes):
    rescue, _ = cast.trapped("maint", minutes)
    assert proposal_of(rescue) is None


def test_no_proposal_until_released_then_once_however_often_saved(cast):
    alarm = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate() - timedelta(days=2), timezone.datetime.min.time())
    ) + timedelta(hours=10)
    data = {"rescue_number": "JY-9", "alarm_at": alarm, "people_trapped": 3}
    rescue, _ = cast.record("maint", **data)
    assert proposal_of(rescue) is None
    cast.record("maint", **data, released_at=alarm + timedelta(minutes=45))
    cast.record("maint", **data, released_at=alarm + timedelta(minutes=45))
    cast.record("maint", **data, released_at=alarm + timedelta(minutes=50), note="更正")
    assert ClaimProposal.objects.count() == 1
    assert ClaimProposal.objects.get().amount == Decimal("600.00")
    assert Notice.objects.filter(recipient_organisation=cast.world.orgs["insurer_a"]).count() == 1


def test_the_insurer_is_told_naming_the_elevator(cast):
    cast.trapped("maint", 45)
    notice = Notice.objects.get()
    assert notice.recipient_organisation == cast.world.orgs["insurer_a"]
    assert cast.fan.equipment_code in notice.subject


def test_no_proposal_without_the_option_or_without_a_policy(cast):
    ProductVersion.objects.filter(pk=cast.version.pk).update(trapped_threshold_minutes=None)
    rescue, _ = cast.trapped("maint", 75)
    uninsured, _ = cast.trapped("maint", 75, elevator=cast.xiang)
    assert proposal_of(rescue) is None and proposal_of(uninsured) is None


def test_no_proposal_when_nobody_was_trapped(cast):
    rescue, _ = cast.trapped("maint", 75, people=0)
    assert proposal_of(rescue) is None


def test_no_proposal_for_an_alarm_before_the_policy_began(cast):
    before = timezone.now() - timedelta(days=90)
    rescue, _ = cast.record(
        "maint", alarm_at=before, released_at=before + timedelta(minutes=70), people_trapped=1
    )
    assert proposal_of(rescue) is None


def test_confirm_creates_exactly_one_claim_linked_back(cast):
    rescue, _ = cast.trapped("maint", 75, people=1)
    proposal = claim_proposal_confirm(user=cast.world.users["insurer_a"], proposal=proposal_of(rescue))
    claim = Claim.objects.get()
    assert proposal.claim == claim and proposal.status == "confirmed" and proposal.decided_at
    assert (claim.kind, claim.coverage_item, claim.amount_claimed) == (
        "trapping",
        "rescue",
        Decimal("400.00"),
    )
    assert (claim.policy, claim.elevator, claim.incident_at) == (cast.policy, cast.fan, rescue.alarm_at)
    assert claim.claim_number == f"JY-{rescue.rescue_number}"
    assert claim.rescue_proposal == proposal
    with pytest.raises(ApplicationError):
        claim_proposal_confirm(user=cast.world.users["insurer_a"], proposal=proposal)
    assert Claim.objects.count() == 1


def test_decline_needs_a_note_and_creates_no_claim(cast):
    rescue, _ = cast.trapped("maint", 45)
    proposal = proposal_of(rescue)
    with pytest.raises(ApplicationError) as refused:
        claim_proposal_decline(user=cast.world.users["insurer_a"], proposal=proposal, note=" ")
    assert refused.value.field == "note"
    proposal = claim_proposal_decline(
        user=cast.world.users["insurer_a"], proposal=proposal, note="非保险责任"
    )
    assert (proposal.status, proposal.decision_note, Claim.objects.count()) == ("declined", "非保险责任", 0)
    with pytest.raises(ApplicationError):
        claim_proposal_confirm(user=cast.world.users["insurer_a"], proposal=proposal)


@pytest.mark.parametrize("key", ["insurer_b", "city", "nfra", "maint"])
def test_only_that_insurer_decides(cast, key):
    rescue, _ = cast.trapped("maint", 45)
    with pytest.raises(PermissionDenied):
        claim_proposal_confirm(user=cast.world.users[key], proposal=proposal_of(rescue))
    with pytest.raises(PermissionDenied):
        claim_proposal_decline(user=cast.world.users[key], proposal=proposal_of(rescue), note="不是我的")
    assert proposal_of(rescue).status == "proposed"


def test_the_api_confirm_is_404_for_another_insurer_403_for_a_regulator(cast):
    rescue, _ = cast.trapped("maint", 45)
    url = f"{PROPOSALS}{proposal_of(rescue).pk}/"
    assert with_key(cast.world, "insurer_b").post(f"{url}confirm/").status_code == 404
    assert with_key(cast.world, "insurer_b").get(url).status_code == 404
    assert session(cast.world, "nfra").get(url).status_code == 200
    assert session(cast.world, "nfra").post(f"{url}confirm/").status_code == 403
    # who may decide is answered before the body is read: a note missing is no 400 for a regulator
    refused = session(cast.world, "nfra").post(f"{url}decline/", {"note": ""}, format="json")
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "只有该保单的保险机构可以处理救援理赔建议。",
    )
    assert session(cast.world, "maint").get(url).status_code == 404
    declined = with_key(cast.world, "insurer_a").post(f"{url}decline/", {"note": ""}, format="json")
    assert declined.status_code == 400
    confirmed = with_key(cast.world, "insurer_a").post(
        f"{url}confirm/", {"claim_number": "LP-1"}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["status"] == "confirmed" and body["claim"] == Claim.objects.get(claim_number="LP-1").pk
    again = with_key(cast.world, "insurer_a").post(f"{url}confirm/", {}, format="json")
    assert again.status_code == 400


def test_the_insurer_lists_its_own_proposals_only(cast):
    rescue, _ = cast.trapped("maint", 45)
    own = [row["id"] for row in with_key(cast.world, "insurer_a").get(PROPOSALS).json()["results"]]
    assert own == [proposal_of(rescue).pk]
    assert with_key(cast.world, "insurer_b").get(PROPOSALS).json()["results"] == []
    assert session(cast.world, "district").get(PROPOSALS).json()["results"][0]["amount"] == "400.00"


def test_the_page_lists_and_the_insurer_confirms_and_declines_in_the_browser(cast):
    first, _ = cast.trapped("maint", 45)
    second, _ = cast.trapped("maint", 75)
    client = browser(cast.world, "insurer_a")
    page = client.get("/claim-proposals/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="proposal-confirm"') == 2
    response = client.post(f"/claim-proposals/{proposal_of(first).pk}/confirm/", {"claim_number": ""})
    assert response.status_code == 302
    response = client.post(f"/claim-proposals/{proposal_of(second).pk}/decline/", {"note": "重复报案"})
    assert response.status_code == 302
    assert (proposal_of(first).status, proposal_of(second).status) == ("confirmed", "declined")
    assert (
        browser(cast.world, "insurer_b")
        .post(f"/claim-proposals/{proposal_of(first).pk}/decline/")
        .status_code
        == 404
    )
    other = browser(cast.world, "city").get("/claim-proposals/").content.decode()
    assert 'data-testid="proposal-confirm"' not in other


# --- the product option ---------------------------------------------------------------------------

VERSION_TERMS = {
    "limits": [{"item": "rescue", "limit": "10000"}],
    "base_premiums": [{"group": "vertical", "amount": "99.00"}],
}


def test_an_insurer_offers_the_trapped_payout_in_a_new_version_over_the_api(cast):
    client = with_key(cast.world, "insurer_a")
    url = f"/api/v1/products/{cast.version.product_id}/versions/"
    option = {"trapped_threshold_minutes": 30, "trapped_payout_per_person": "250.00"}
    response = client.post(url, {**VERSION_TERMS, **option}, format="json")
    assert response.status_code == 201, response.content
    version = ProductVersion.objects.get(product=cast.version.product, number=2)
    assert (version.trapped_payout(45), version.trapped_payout(90), version.trapped_payout(30)) == (
        Decimal("250.00"),
        Decimal("250.00"),  # nothing beyond an hour given: the same payout
        None,
    )
    half = client.post(url, {**VERSION_TERMS, "trapped_threshold_minutes": 30}, format="json")
    assert (half.status_code, half.json()["field"]) == (400, "trapped_payout_per_person")
    plain = client.post(url, VERSION_TERMS, format="json")
    assert plain.status_code == 201
    assert ProductVersion.objects.get(product=cast.version.product, number=3).has_trapped_payout is False


def test_the_product_form_shows_the_option(cast):
    page = browser(cast.world, "insurer_a").get("/products/new/")
    assert page.status_code == 200
    assert 'name="trapped_payout_per_person_over_hour"' in page.content.decode()
