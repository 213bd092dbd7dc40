"""Rescue → claim: a long trapping proposes a claim to the insurer of the policy in force.

When a rescue is saved with its release time known and people trapped longer than the threshold
of a product's trapped-passenger option (ProductVersion.trapped_payout: e.g. 200 yuan a person for
30-60 minutes, 400 beyond an hour), one ClaimProposal goes to the insurer of the policy whose
cover of that elevator was in force on the alarm day (Asia/Shanghai), for people trapped × the
payout. Once per rescue: later corrections of the rescue do not propose again. The insurer alone
decides: it confirms (the claim is created through insurance's own claim service, kind trapping,
linked back) or declines with a note.
"""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import notice_send
from core.exceptions import ApplicationError
from core.rules import ObjectRule
from insurance.models import Claim, CoverageItem, PolicyElevator
from insurance.permissions import insurer_of
from insurance.services.claims import claim_upsert

from ..models import ClaimProposal, RescueIncident

# The coverage item a trapped-passenger claim is made under, the first the product has a limit for.
CLAIM_ITEMS = (CoverageItem.RESCUE, CoverageItem.PER_ACCIDENT, CoverageItem.AGGREGATE, CoverageItem.MEDICAL)
CLAIM_NUMBER_PREFIX = "JY"
FEN = Decimal("0.01")


def _proposal_terms(rescue: RescueIncident) -> tuple[PolicyElevator, Decimal] | None:
    """The cover in force at the alarm whose product offers a payout for this trapping, and the amount."""
    minutes = rescue.minutes_trapped
    if not rescue.people_trapped or minutes is None:
        return None
    day = timezone.localdate(rescue.alarm_at)
    covers = (
        PolicyElevator.objects.in_force_on(day)
        .filter(elevator_id=rescue.elevator_id, policy__insurer__is_active=True)
        .select_related("policy__product_version", "policy__insurer")
        .order_by("policy__start_date", "pk")
    )
    for cover in covers:
        payout = cover.policy.product_version.trapped_payout(minutes)
        if payout:
            return cover, (payout * rescue.people_trapped).quantize(FEN)
    return None


def claim_proposal_for_rescue(*, rescue: RescueIncident) -> ClaimProposal | None:
    """Propose the claim `rescue` calls for (see the module docstring), once; returns the new
    proposal, or None (no proposal due, or one exists already). The insurer gets a notice."""
    if not rescue.people_trapped or rescue.minutes_trapped is None:
        return None  # nothing to propose, and no query spent on finding it out
    if ClaimProposal.objects.filter(rescue=rescue).exists():
        return None
    terms = _proposal_terms(rescue)
    if terms is None:
        return None
    cover, amount = terms
    with transaction.atomic():
        proposal, created = ClaimProposal.objects.get_or_create(
            rescue=rescue,
            defaults={"insurer": cover.policy.insurer, "policy": cover.policy, "amount": amount},
        )
    if not created:
        return None
    elevator = rescue.elevator
    notice_send(
        organisation=proposal.insurer,
        subject=_("救援理赔建议：电梯 %(code)s 困人 %(minutes)s 分钟")
        % {"code": elevator.equipment_code, "minutes": rescue.minutes_trapped},
        body=_(
            "保单 %(policy)s 承保的电梯 %(code)s 于 %(alarm)s 发生困人，%(people)s 人被困 %(minutes)s 分钟，"
            "按产品的困人定额给付建议赔付 %(amount)s 元。请确认立案或拒绝。"
        )
        % {
            "policy": cover.policy.number,
            "code": elevator.equipment_code,
            "alarm": timezone.localtime(rescue.alarm_at).strftime("%Y-%m-%d %H:%M"),
            "people": rescue.people_trapped,
            "minutes": rescue.minutes_trapped,
            "amount": amount,
        },
        link=reverse("claim-proposal-list"),
    )
    return proposal


def may_decide_proposal(user, proposal: ClaimProposal) -> bool:
    """Only the insurer of the proposal's policy confirms or declines it."""
    insurer = insurer_of(user)
    return insurer is not None and insurer.pk == proposal.insurer_id


DECIDE_PROPOSAL = ObjectRule(may_decide_proposal, gettext_lazy("只有该保单的保险机构可以处理救援理赔建议。"))


def _locked_for_decision(user, proposal: ClaimProposal) -> ClaimProposal:
    DECIDE_PROPOSAL.require(user, proposal)
    proposal = (
        ClaimProposal.objects.select_for_update(of=("self",))
        .select_related("rescue__elevator", "policy__product_version", "insurer")
        .get(pk=proposal.pk)
    )
    if proposal.status != ClaimProposal.Status.PROPOSED:
        raise ApplicationError(
            _("该建议已处理（%(status)s），不能再次处理。") % {"status": proposal.get_status_display()}
        )
    return proposal


def _claim_item(proposal: ClaimProposal) -> str:
    offered = set(proposal.policy.product_version.limits.values_list("item", flat=True))
    for item in CLAIM_ITEMS:
        if item in offered:
            return item
    raise ApplicationError(_("该保单的产品没有可用于困人给付的保障项目（如救援费用）。"))


@transaction.atomic
def claim_proposal_confirm(
    *, user, proposal: ClaimProposal, claim_number: str = "", note: str = ""
) -> ClaimProposal:
    """The insurer confirms the proposal: a claim is created through insurance's claim_upsert (kind
    trapping, the rescue coverage item or the product's next fitting one, the proposed amount
    claimed, reported today) and linked back (proposal.claim). `claim_number` defaults to
    JY-<rescue number>. Only the proposal's insurer may; a proposal is decided once."""
    proposal = _locked_for_decision(user, proposal)
    rescue = proposal.rescue
    number = (claim_number or "").strip() or f"{CLAIM_NUMBER_PREFIX}-{rescue.rescue_number}"
    if Claim.objects.filter(insurer=proposal.insurer, claim_number=number).exists():
        raise ApplicationError(
            _("理赔编号 %(number)s 已被本机构的其他理赔使用。") % {"number": number}, field="claim_number"
        )
    description = _("救援记录 %(number)s：%(people)s 人被困 %(minutes)s 分钟。") % {
        "number": rescue.rescue_number,
        "people": rescue.people_trapped,
        "minutes": rescue.minutes_trapped,
    }
    claim, _outcome = claim_upsert(
        insurer=proposal.insurer,
        data={
            "claim_number": number,
            "policy_number": proposal.policy.number,
            "equipment_code": rescue.elevator.equipment_code,
            "incident_at": rescue.alarm_at,
            "kind": Claim.Kind.TRAPPING,
            "coverage_item": _claim_item(proposal),
            "people_injured": rescue.people_injured,
            "amount_claimed": proposal.amount,
            "reported_on": timezone.localdate(),
            "description": "\n".join(part for part in (description, note.strip()) if part),
        },
    )
    proposal.claim = claim
    proposal.status = ClaimProposal.Status.CONFIRMED
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    proposal.save(update_fields=["claim", "status", "decided_at", "decision_note"])
    return proposal


@transaction.atomic
def claim_proposal_decline(*, user, proposal: ClaimProposal, note: str) -> ClaimProposal:
    """The insurer declines the proposal, saying why (`note` required). Only the proposal's insurer
    may; a proposal is decided once."""
    proposal = _locked_for_decision(user, proposal)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("拒绝时请填写原因。"), field="note")
    proposal.status = ClaimProposal.Status.DECLINED
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_at", "decision_note"])
    return proposal
