"""Claims, their payments and the history of their status."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elevators.models import Elevator

from .choices import MONEY, ClaimStatus, CoverageItem
from .policies import InsurerOwnedQuerySet, Policy

# Where a claim may go from each status (updates only move forward; a new claim may start anywhere).
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.REPORTED: frozenset({"accepted", "rejected", "withdrawn", "paid", "closed"}),
    ClaimStatus.ACCEPTED: frozenset({"paid", "rejected", "withdrawn", "closed"}),
    ClaimStatus.PAID: frozenset({"closed"}),
    ClaimStatus.REJECTED: frozenset({"closed"}),
    ClaimStatus.WITHDRAWN: frozenset({"closed"}),
    ClaimStatus.CLOSED: frozenset(),
}


class ClaimQuerySet(InsurerOwnedQuerySet):
    def for_district_regulator(self, org):
        return self.filter(elevator__district_id=org.district_id)

    # Sector departments see claims only in aggregate (reporting); the others not at all.


class Claim(models.Model):
    class Kind(models.TextChoices):
        TRAPPING = "trapping", _("困人")
        INJURY = "injury", _("人身伤害")
        DEATH = "death", _("死亡")
        PROPERTY_DAMAGE = "property_damage", _("财产损失")
        EQUIPMENT_DAMAGE = "equipment_damage", _("设备损坏")

    Status = ClaimStatus

    insurer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("保险机构"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    claim_number = models.CharField(_("理赔编号"), max_length=64)
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="claims", verbose_name=_("保单")
    )
    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    incident_at = models.DateTimeField(_("出险时间"))
    kind = models.CharField(_("事故类型"), max_length=32, choices=Kind.choices)
    coverage_item = models.CharField(_("保障项目"), max_length=32, choices=CoverageItem.choices)
    people_injured = models.PositiveIntegerField(_("受伤人数"), default=0)
    people_dead = models.PositiveIntegerField(_("死亡人数"), default=0)
    amount_claimed = models.DecimalField(_("索赔金额（元）"), default=Decimal("0.00"), **MONEY)
    amount_reserved = models.DecimalField(_("估损金额（元）"), default=Decimal("0.00"), **MONEY)
    amount_paid = models.DecimalField(_("已赔金额（元）"), default=Decimal("0.00"), **MONEY)
    advance_payment = models.BooleanField(_("先行赔付"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.REPORTED
    )
    reported_on = models.DateField(_("报案日期"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    paid_on = models.DateField(_("赔付日期"), null=True, blank=True)
    rejected_on = models.DateField(_("拒赔日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("撤案日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    description = models.TextField(_("经过"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("理赔")
        verbose_name_plural = _("理赔")
        ordering = ["-incident_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["insurer", "claim_number"], name="claim_number_unique_per_insurer"
            ),
            models.CheckConstraint(
                condition=Q(amount_claimed__gte=0, amount_reserved__gte=0, amount_paid__gte=0),
                name="claim_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["elevator", "incident_at"], name="claim_elevator_time_idx")]

    def __str__(self) -> str:
        return self.claim_number

    def can_transition_to(self, status: str) -> bool:
        return status == self.status or status in CLAIM_TRANSITIONS[self.status]


class ClaimPayment(models.Model):
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="payments", verbose_name=_("理赔")
    )
    paid_on = models.DateField(_("支付日期"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    payee = models.CharField(_("收款人"), max_length=100, blank=True)
    reference = models.CharField(_("支付流水号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("赔款支付")
        verbose_name_plural = _("赔款支付")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="claim_payment_positive")]

    def __str__(self) -> str:
        return f"{self.claim} {self.paid_on} {self.amount}"


class ClaimStatusChange(models.Model):
    """The history of a claim's status: a domain event kept for regulators (days to settle)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ClaimStatus.choices)
    on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("理赔状态变更")
        verbose_name_plural = _("理赔状态变更")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim}: {self.from_status} → {self.to_status}"
