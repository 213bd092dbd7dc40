"""Policies and the elevators they cover, with the one definition of "cover in force"."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from core.constraints import PostgresExclusionConstraint
from core.visibility import VisibleQuerySet
from elevators.models import Elevator

from .choices import MONEY, FundingSource, InsuranceModel
from .products import DEVIATION, ProductVersion, premium_deviation


def renewal_window_days() -> int:
    """How many days before its end a policy may be renewed (TIBAO_RENEWAL_WINDOW_DAYS)."""
    return settings.TIBAO["RENEWAL_WINDOW_DAYS"]


def _covering(elevators) -> Q:
    """Policies covering (or having covered) any of `elevators`."""
    return Q(Exists(PolicyElevator.objects.filter(policy=OuterRef("pk"), elevator__in=elevators)))


class InsurerOwnedQuerySet(VisibleQuerySet):
    """Rows an insurer owns (policies, claims): the city and insurance regulators see all of them,
    an insurer its own; each model adds the other kinds' rules."""

    def for_city_regulator(self, org):
        return self

    def for_insurance_regulator(self, org):
        return self

    def for_insurer(self, org):
        return self.filter(insurer=org)


class PolicyQuerySet(InsurerOwnedQuerySet):
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

    def premium_outside_band(self):
        """Policies whose declared premium lies outside their product version's band (费率浮动区间)."""
        return self.filter(premium_outside_band=True)

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

    def with_visible_share(self, user):
        """Annotate the part of each policy `user` sees: `visible_elevator_count` and `visible_premium`
        (its covers of elevators `user` may see) and `seen_in_part` (it also covers elevators `user`
        may not see: a district regulator and a policy spanning districts). Pages and the API show
        that share, labelled as such (Policy.shown_elevator_count, shown_total_premium), never the
        whole policy's count and premium."""
        visible_elevators = Elevator.objects.visible_to(user)
        covers = PolicyElevator.objects.filter(policy=OuterRef("pk")).order_by().values("policy")
        seen = covers.filter(elevator__in=visible_elevators)
        return self.annotate(
            visible_elevator_count=Coalesce(
                Subquery(seen.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
            ),
            visible_premium=Subquery(
                seen.annotate(total=Sum("premium")).values("total"), output_field=models.DecimalField(**MONEY)
            ),
            visible_rated_premium=Subquery(
                seen.annotate(total=Sum("rated_premium")).values("total"),
                output_field=models.DecimalField(**MONEY),
            ),
            seen_in_part=Exists(covers.exclude(elevator__in=visible_elevators)),
        )


class Policy(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        CANCELLED = "cancelled", _("已退保")
        EXPIRED = "expired", _("已到期")

    # How an active policy whose period has not begun is shown; its stored status stays active.
    NOT_YET_IN_FORCE = _("未生效")

    number = models.CharField(_("保单号"), max_length=64)
    insurer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="issued_policies",
        verbose_name=_("保险机构"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
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
    # The contract's premium, as the insurer declares it; the portal's rating is kept beside it.
    total_premium = models.DecimalField(_("总保费（元）"), **MONEY)
    rated_total_premium = models.DecimalField(_("费率计算总保费（元）"), **MONEY)
    premium_deviation = models.DecimalField(
        _("保费偏离"),
        null=True,
        blank=True,
        help_text=_("（约定总保费 − 费率计算总保费）÷ 费率计算总保费；费率计算为0而约定不为0时为空。"),
        **DEVIATION,
    )
    premium_outside_band = models.BooleanField(_("超出费率浮动区间"), default=False)
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
                condition=Q(rated_total_premium__gte=0), name="policy_rated_premium_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_on__isnull=False) | ~Q(status="cancelled"),
                name="policy_cancelled_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["insurer"], condition=Q(premium_outside_band=True), name="policy_outside_band_idx"
            )
        ]

    def __str__(self) -> str:
        return self.number

    # What a reader is shown of the policy: its share when it sees only part of it
    # (PolicyQuerySet.with_visible_share), else the whole.
    @property
    def shown_elevator_count(self) -> int:
        if getattr(self, "seen_in_part", False):
            return self.visible_elevator_count
        count = getattr(self, "elevator_count", None)  # PolicyQuerySet.with_elevator_count
        return count if count is not None else self.covered.count()

    @property
    def shown_total_premium(self):
        if getattr(self, "seen_in_part", False):
            return (self.visible_premium or Decimal(0)).quantize(Decimal("0.01"))
        return self.total_premium

    @property
    def shown_rated_total_premium(self):
        if getattr(self, "seen_in_part", False):
            return (self.visible_rated_premium or Decimal(0)).quantize(Decimal("0.01"))
        return self.rated_total_premium

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

    def is_not_yet_in_force(self, on: date) -> bool:
        """Active, but its period begins after `on` (shown "未生效")."""
        return self.status == self.Status.ACTIVE and on < self.start_date

    def status_label(self, on: date) -> str:
        """The status as people read it on `on`: an active policy that has not begun is "未生效"."""
        return str(self.NOT_YET_IN_FORCE if self.is_not_yet_in_force(on) else self.get_status_display())

    @property
    def renewal_opens_on(self) -> date:
        """The first day the policy may be renewed: TIBAO_RENEWAL_WINDOW_DAYS before its end."""
        return self.end_date - timedelta(days=renewal_window_days())

    def can_renew(self, on: date) -> bool:
        """A policy is renewed once, never after it was cancelled, and from `renewal_opens_on`."""
        return (
            self.status != self.Status.CANCELLED
            and self.renewal_or_none is None
            and on >= self.renewal_opens_on
        )


# The migrations name it insurance.models.DateRange; future ones keep that path.
@deconstructible(path="insurance.models.DateRange")
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
        Policy,
        on_delete=models.CASCADE,
        related_name="covered",
        verbose_name=_("保单"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.PROTECT,
        related_name="policy_covers",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    premium = models.DecimalField(_("保费（元）"), help_text=_("保单约定的保费。"), **MONEY)
    rated_premium = models.DecimalField(
        _("费率计算保费（元）"), help_text=_("按产品费率计算的保费（rating）。"), **MONEY
    )
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
            models.CheckConstraint(
                condition=Q(rated_premium__gte=0), name="policy_elevator_rated_premium_not_negative"
            ),
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

    @property
    def premium_deviation(self) -> Decimal | None:
        """This elevator's declared premium against its rated one (products.premium_deviation)."""
        return premium_deviation(self.premium, self.rated_premium)

    def is_in_force_on(self, day: date) -> bool:
        """The same rule as PolicyElevatorQuerySet.in_force_on, for a row already in memory."""
        return not self.is_cancelled and self.start_date <= day <= self.end_date
