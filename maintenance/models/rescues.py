"""Emergency rescues of trapped passengers (963333, three tiers, the 30-minute limit) and the claim a
long trapping proposes to the insurer of the policy in force."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationKind
from elevators.models import Elevator
from insurance.models import MONEY, Claim, Policy

from .base import SAFETY_RECORD_READERS, ElevatorScopedQuerySet
from .choices import ProposalStatus, RescueCause, RescueTier


def _minutes(start, end) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


class RescueQuerySet(ElevatorScopedQuerySet):
    elevator_kinds = SAFETY_RECORD_READERS
    owner_field = "reporter"


class RescueIncident(models.Model):
    Tier = RescueTier
    Cause = RescueCause

    reporter = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="rescues_reported",
        verbose_name=_("报告单位"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    rescue_number = models.CharField(_("救援编号"), max_length=64)
    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.PROTECT,
        related_name="rescues",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    alarm_at = models.DateTimeField(_("报警时间"))
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    released_at = models.DateTimeField(_("解困时间"), null=True, blank=True)
    people_trapped = models.PositiveSmallIntegerField(_("被困人数"), default=0)
    people_injured = models.PositiveSmallIntegerField(_("受伤人数"), default=0)
    tier = models.CharField(_("救援力量"), max_length=32, choices=RescueTier.choices, blank=True)
    cause = models.CharField(_("困人原因"), max_length=32, choices=RescueCause.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RescueQuerySet.as_manager()

    class Meta:
        verbose_name = _("救援记录")
        verbose_name_plural = _("救援记录")
        ordering = ["-alarm_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "rescue_number"], name="rescue_number_once"),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True) | Q(arrived_at__gte=F("alarm_at")),
                name="rescue_arrives_after_alarm",
                violation_error_message=_("到达时间不能早于报警时间。"),
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(released_at__gte=F("alarm_at")),
                name="rescue_released_after_alarm",
                violation_error_message=_("解困时间不能早于报警时间。"),
            ),
        ]
        indexes = [models.Index(fields=["elevator", "alarm_at"], name="rescue_elevator_alarm_idx")]

    def __str__(self) -> str:
        return f"{self.rescue_number} {self.elevator}"

    @property
    def minutes_to_arrive(self) -> int | None:
        return _minutes(self.alarm_at, self.arrived_at)

    @property
    def minutes_on_site(self) -> int | None:
        return _minutes(self.arrived_at, self.released_at)

    @property
    def minutes_trapped(self) -> int | None:
        return _minutes(self.alarm_at, self.released_at)

    @property
    def arrived_within_limit(self) -> bool | None:
        """Whether rescuers were on site within the national limit (None until they arrived)."""
        minutes = self.minutes_to_arrive
        return None if minutes is None else minutes <= settings.TIBAO["RESCUE_ARRIVAL_LIMIT_MINUTES"]


class ClaimProposalQuerySet(ElevatorScopedQuerySet):
    elevator_kinds = frozenset({OrganisationKind.DISTRICT_REGULATOR, OrganisationKind.INSURANCE_REGULATOR})
    owner_field = "insurer"

    def of_elevators(self, elevators) -> Q:
        return Q(rescue__elevator__in=elevators)


class ClaimProposal(models.Model):
    """A claim a rescue proposes to the insurer of the policy in force (people trapped longer than
    the product's threshold); the insurer confirms it (a claim is created) or declines it."""

    Status = ProposalStatus

    rescue = models.OneToOneField(
        RescueIncident, on_delete=models.CASCADE, related_name="claim_proposal", verbose_name=_("救援记录")
    )
    insurer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="claim_proposals",
        verbose_name=_("保险机构"),
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="claim_proposals", verbose_name=_("保单")
    )
    amount = models.DecimalField(_("建议赔付金额（元）"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    claim = models.OneToOneField(
        Claim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescue_proposal",
        verbose_name=_("理赔"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ClaimProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("救援理赔建议")
        verbose_name_plural = _("救援理赔建议")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.rescue} → {self.insurer}"
