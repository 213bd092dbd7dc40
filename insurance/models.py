"""Insurers' products and their rating tables, policies and the elevators they cover, claims."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.constraints import PostgresExclusionConstraint
from core.visibility import VisibleQuerySet
from elevators.codes import CategoryGroup
from elevators.models import Elevator

MONEY = {"max_digits": 14, "decimal_places": 2}
COEFFICIENT = {"max_digits": 6, "decimal_places": 3}


class InsuranceModel(models.TextChoices):
    """The plan's two models (二(四)): liability insurance, and insurance + maintenance service."""

    LIABILITY = "liability", _("电梯安全责任险")
    INSURANCE_MAINTENANCE = "insurance_maintenance", _("保险+维保服务")


class CoverageItem(models.TextChoices):
    """What a product covers (plan 四(三)); each item is optional and has its own limit."""

    DEATH_DISABILITY = "death_disability", _("每人死亡伤残")
    MEDICAL = "medical", _("每人医疗费用")
    PROPERTY = "property", _("每次事故财产损失")
    PER_ACCIDENT = "per_accident", _("每次事故")
    AGGREGATE = "aggregate", _("保险年度累计")
    RESCUE = "rescue", _("救援费用")
    APPRAISAL = "appraisal", _("鉴定费用")
    LITIGATION = "litigation", _("诉讼费用")
    MAJOR_PARTS = "major_parts", _("重要部件更换")
    OVERHAUL = "overhaul", _("大修改造")


class FundingSource(models.TextChoices):
    SELF = "self", _("自筹")
    PUBLIC_FINANCE = "public_finance", _("财政")
    MAINTENANCE_FUND = "maintenance_fund", _("专项维修资金")
    INSURER = "insurer", _("保险机构")


class RatingFactor(models.TextChoices):
    """Coefficient tables of a product version (plan 四(五))."""

    AGE = "age", _("梯龄（年）")
    PLACE = "place", _("场所类别")
    CLAIMS = "claims", _("近三年理赔次数")
    MAINTENANCE = "maintenance", _("维保质量评分")


# --- products -------------------------------------------------------------------------------


class ProductQuerySet(VisibleQuerySet):
    def on_sale(self):
        return self.filter(is_on_sale=True, insurer__is_active=True)

    def for_insurer(self, org):
        return self.filter(insurer=org)

    def with_versions(self):
        """Products with every version's terms (limits, base premiums, coefficients), newest first."""
        return self.prefetch_related(
            Prefetch(
                "versions",
                queryset=ProductVersion.objects.prefetch_related(
                    "limits", "base_premiums", "coefficients"
                ).order_by("-number"),
            )
        )

    def _on_sale(self, org):
        """The insurance issue: insurers see their own; regulators and property managers what is on sale."""
        return self.on_sale()

    for_city_regulator = for_insurance_regulator = _on_sale
    for_district_regulator = for_sector_department = for_finance_bureau = _on_sale
    for_property_manager = _on_sale


class Product(models.Model):
    """An insurer's product. Its terms live in versions; a change makes a new version."""

    insurer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="products",
        limit_choices_to={"kind": "insurer"},
        verbose_name=_("保险机构"),
    )
    code = models.CharField(_("产品代码"), max_length=32)
    name = models.CharField(_("产品名称"), max_length=100)
    model = models.CharField(_("投保模式"), max_length=32, choices=InsuranceModel.choices)
    is_on_sale = models.BooleanField(_("在售"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("保险产品")
        verbose_name_plural = _("保险产品")
        ordering = ["insurer__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["insurer", "code"], name="product_code_unique_per_insurer")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def current_version(self) -> "ProductVersion | None":
        return self.versions.order_by("-number").first()


class ProductVersionQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        return self.filter(product__in=Product.objects.visible_to(user))


class ProductVersion(models.Model):
    """The terms of a product at one time: limits, deductible, base premiums, coefficients.

    Never edited once a policy uses it; a change of terms is a new version (insurance.services).
    """

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="versions", verbose_name=_("产品")
    )
    number = models.PositiveIntegerField(_("版本号"))
    deductible = models.DecimalField(_("免赔额（元）"), default=Decimal("0.00"), **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("生效时间"), auto_now_add=True)

    objects = ProductVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("产品版本")
        verbose_name_plural = _("产品版本")
        ordering = ["product", "-number"]
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="product_version_unique")]

    def __str__(self) -> str:
        return f"{self.product} v{self.number}"


class CoverageLimit(models.Model):
    version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="limits")
    item = models.CharField(_("保障项目"), max_length=32, choices=CoverageItem.choices)
    limit = models.DecimalField(_("限额（元）"), **MONEY)

    class Meta:
        verbose_name = _("保障限额")
        verbose_name_plural = _("保障限额")
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="coverage_limit_once_per_item"),
            models.CheckConstraint(condition=Q(limit__gt=0), name="coverage_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.limit}"


class BasePremium(models.Model):
    version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="base_premiums")
    group = models.CharField(_("设备类别"), max_length=16, choices=CategoryGroup.choices)
    amount = models.DecimalField(_("基准保费（元/台·年）"), **MONEY)

    class Meta:
        verbose_name = _("基准保费")
        verbose_name_plural = _("基准保费")
        constraints = [
            models.UniqueConstraint(fields=["version", "group"], name="base_premium_once_per_group"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="base_premium_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()}: {self.amount}"


class Coefficient(models.Model):
    """One row of a coefficient table: a band [lower, upper) of a number, or a key (place category)."""

    version = models.ForeignKey(ProductVersion, on_delete=models.CASCADE, related_name="coefficients")
    factor = models.CharField(_("因子"), max_length=16, choices=RatingFactor.choices)
    lower = models.DecimalField(_("下限（含）"), max_digits=8, decimal_places=2, null=True, blank=True)
    upper = models.DecimalField(_("上限（不含）"), max_digits=8, decimal_places=2, null=True, blank=True)
    key = models.CharField(_("取值"), max_length=32, blank=True)
    value = models.DecimalField(_("系数"), **COEFFICIENT)

    class Meta:
        verbose_name = _("费率系数")
        verbose_name_plural = _("费率系数")
        ordering = ["version", "factor", "lower", "key"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="coefficient_positive"),
            models.CheckConstraint(
                condition=Q(factor="place", lower__isnull=True, upper__isnull=True) & ~Q(key="")
                | ~Q(factor="place") & Q(key=""),
                name="coefficient_band_or_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_factor_display()} {self.key or (self.lower, self.upper)}: {self.value}"

    def matches(self, number) -> bool:
        return (self.lower is None or number >= self.lower) and (self.upper is None or number < self.upper)


# --- policies -------------------------------------------------------------------------------


def _covering(elevators) -> Q:
    """Policies covering (or having covered) any of `elevators`."""
    return Q(Exists(PolicyElevator.objects.filter(policy=OuterRef("pk"), elevator__in=elevators)))


class PolicyQuerySet(VisibleQuerySet):
    def for_city_regulator(self, org):
        return self

    def for_insurance_regulator(self, org):
        return self

    def for_insurer(self, org):
        return self.filter(insurer=org)

    def for_district_regulator(self, org):
        return self.filter(_covering(Elevator.objects.for_district_regulator(org)))

    def for_sector_department(self, org):
        return self.filter(_covering(Elevator.objects.for_sector_department(org)))

    def for_finance_bureau(self, org):
        return self.filter(funding_source=FundingSource.PUBLIC_FINANCE)

    def for_property_manager(self, org):
        return self.filter(Q(policyholder=org) | _covering(Elevator.objects.for_property_manager(org)))

    def active_on(self, day: date):
        """Policies that had cover in force on `day` (PolicyElevator.objects.in_force_on), whatever
        their status today: a policy expired since, or cancelled after `day`, still counts."""
        return self.filter(Exists(PolicyElevator.objects.in_force_on(day).filter(policy=OuterRef("pk"))))

    def with_elevator_count(self):
        """Annotate `elevator_count`: how many elevators each policy covers (one subquery, no join)."""
        count = (
            PolicyElevator.objects.filter(policy=OuterRef("pk"))
            .order_by()
            .values("policy")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(elevator_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))

    def with_visible_links(self, user):
        """Annotate `visible_renewed_from_id` and `visible_renewal_id`: the policies this one was
        renewed from and into, when `user` may see them (else None)."""
        visible = Policy.objects.visible_to(user)
        return self.annotate(
            visible_renewed_from_id=Subquery(visible.filter(pk=OuterRef("renewed_from_id")).values("pk")[:1]),
            visible_renewal_id=Subquery(visible.filter(renewed_from=OuterRef("pk")).values("pk")[:1]),
        )


class Policy(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        CANCELLED = "cancelled", _("已退保")
        EXPIRED = "expired", _("已到期")

    number = models.CharField(_("保单号"), max_length=64)
    insurer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="issued_policies",
        verbose_name=_("保险机构"),
    )
    product_version = models.ForeignKey(
        ProductVersion, on_delete=models.PROTECT, related_name="policies", verbose_name=_("产品版本")
    )
    model = models.CharField(_("投保模式"), max_length=32, choices=InsuranceModel.choices)
    policyholder = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="held_policies",
        verbose_name=_("投保人"),
    )
    start_date = models.DateField(_("保险起期"))
    end_date = models.DateField(_("保险止期"))
    total_premium = models.DecimalField(_("总保费（元）"), **MONEY)
    funding_source = models.CharField(
        _("资金来源"), max_length=32, choices=FundingSource.choices, default=FundingSource.SELF
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    cancelled_on = models.DateField(_("退保日期"), null=True, blank=True)
    renewed_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("续保自"),
    )
    expiry_notified_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("保单")
        verbose_name_plural = _("保单")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["insurer", "number"], name="policy_number_unique_per_insurer"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="policy_end_not_before_start"
            ),
            models.CheckConstraint(condition=Q(total_premium__gte=0), name="policy_premium_not_negative"),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_on__isnull=False) | ~Q(status="cancelled"),
                name="policy_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def renewal_or_none(self) -> "Policy | None":
        """The policy this one was renewed into (reverse one-to-one), or None."""
        try:
            return self.renewal
        except Policy.DoesNotExist:
            return None

    def can_cancel(self, on: date) -> bool:
        """Only a policy in force may be cancelled (退保), from a day of its period: cancelling on the
        start date means the cover never took effect. An expired or cancelled policy stays as it is."""
        return self.status == self.Status.ACTIVE and self.start_date <= on <= self.end_date

    def can_renew(self) -> bool:
        """A policy is renewed once, and never after it was cancelled."""
        return self.status != self.Status.CANCELLED and self.renewal_or_none is None


class DateRange(Func):
    """daterange(start, end, '[]') — policy periods include both ends."""

    function = "DATERANGE"
    output_field = models.Field()

    def __init__(self, start, end):
        super().__init__(start, end, models.Value("[]"))


class PolicyElevatorQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        return self.filter(policy__in=Policy.objects.visible_to(user))

    # --- the one definition of "cover in force" (DESIGN.md section 3) ------------------------
    # start_date..end_date is the cover's effective period: cancelling a policy ends it the day
    # before the cancellation date, and a cover cancelled before it began is `is_cancelled`.
    # Coverage, the overlap rule, claims, the public card and the policy filters all use these.

    def in_force_during(self, start: date, end: date | None = None):
        """Cover in force on at least one day of start..end (both inclusive; no end: open-ended)."""
        covers = self.filter(is_cancelled=False, end_date__gte=start)
        return covers if end is None else covers.filter(start_date__lte=end)

    def in_force_on(self, day: date):
        """Cover in force on `day`."""
        return self.in_force_during(day, day)

    def of_elevators_visible_to(self, user):
        """Covers of the elevators `user` may see: a policy's page lists only those (a district
        regulator sees its district's part of a policy spanning districts)."""
        return self.filter(elevator__in=Elevator.objects.visible_to(user))


class PolicyElevator(models.Model):
    """One elevator covered by a policy, with its own premium.

    The policy's model is repeated here, and the cover's effective period kept here, so that the
    database can refuse two policies of one model covering one elevator at overlapping times (an
    exclusion constraint on PostgreSQL). The period starts as the policy's; cancelling the policy
    ends it the day before the cancellation date (insurance.services.policy_cancel), while
    Policy.end_date keeps the contracted end. A cover cancelled before it began never took effect:
    it keeps its dates and is marked `is_cancelled` (the constraint skips those rows).
    """

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="covered", verbose_name=_("保单")
    )
    elevator = models.ForeignKey(
        Elevator, on_delete=models.PROTECT, related_name="policy_covers", verbose_name=_("电梯")
    )
    premium = models.DecimalField(_("保费（元）"), **MONEY)
    rating = models.JSONField(_("费率明细"), default=dict, blank=True)
    model = models.CharField(_("投保模式"), max_length=32, choices=InsuranceModel.choices)
    start_date = models.DateField(_("保险起期"))
    end_date = models.DateField(_("保险止期"))
    is_cancelled = models.BooleanField(_("已退保"), default=False)

    objects = PolicyElevatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("承保电梯")
        verbose_name_plural = _("承保电梯")
        constraints = [
            models.UniqueConstraint(fields=["policy", "elevator"], name="policy_elevator_once"),
            models.CheckConstraint(condition=Q(premium__gte=0), name="policy_elevator_premium_not_negative"),
            PostgresExclusionConstraint(
                name="policy_elevator_no_overlap",
                expressions=[
                    ("elevator", RangeOperators.EQUAL),
                    ("model", RangeOperators.EQUAL),
                    (DateRange("start_date", "end_date"), RangeOperators.OVERLAPS),
                ],
                condition=Q(is_cancelled=False),
                violation_error_message=_("同一电梯在同一投保模式下的保险期间不能重叠。"),
            ),
        ]
        indexes = [
            models.Index(fields=["elevator", "start_date", "end_date"], name="policy_cover_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.policy} / {self.elevator}"

    def is_in_force_on(self, day: date) -> bool:
        """The same rule as PolicyElevatorQuerySet.in_force_on, for a row already in memory."""
        return not self.is_cancelled and self.start_date <= day <= self.end_date


# --- claims ---------------------------------------------------------------------------------


class ClaimStatus(models.TextChoices):
    REPORTED = "reported", _("已报案")
    ACCEPTED = "accepted", _("已受理")
    PAID = "paid", _("已赔付")
    REJECTED = "rejected", _("已拒赔")
    WITHDRAWN = "withdrawn", _("已撤案")
    CLOSED = "closed", _("已结案")


# Where a claim may go from each status (updates only move forward; a new claim may start anywhere).
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.REPORTED: frozenset({"accepted", "rejected", "withdrawn", "paid", "closed"}),
    ClaimStatus.ACCEPTED: frozenset({"paid", "rejected", "withdrawn", "closed"}),
    ClaimStatus.PAID: frozenset({"closed"}),
    ClaimStatus.REJECTED: frozenset({"closed"}),
    ClaimStatus.WITHDRAWN: frozenset({"closed"}),
    ClaimStatus.CLOSED: frozenset(),
}


class ClaimQuerySet(VisibleQuerySet):
    def for_city_regulator(self, org):
        return self

    def for_insurance_regulator(self, org):
        return self

    def for_insurer(self, org):
        return self.filter(insurer=org)

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
        "accounts.Organisation", on_delete=models.PROTECT, related_name="claims", verbose_name=_("保险机构")
    )
    claim_number = models.CharField(_("理赔编号"), max_length=64)
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="claims", verbose_name=_("保单")
    )
    elevator = models.ForeignKey(
        Elevator, on_delete=models.PROTECT, related_name="claims", verbose_name=_("电梯")
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
