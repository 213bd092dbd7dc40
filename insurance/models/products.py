"""Insurers' products and the terms of each version: limits, base premiums, coefficient tables."""

from decimal import Decimal

from django.db import models
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from core.visibility import VisibleQuerySet
from elevators.codes import CategoryGroup

from .choices import COEFFICIENT, MONEY, CoverageItem, InsuranceModel, RatingFactor

# 费率浮动区间: how far a declared premium may lie from the rated one, as a ratio of the rated
# premium (-0.30 is 30% below). A version declares its own; these are the defaults.
PREMIUM_BAND = {"max_digits": 6, "decimal_places": 4}
DEFAULT_PREMIUM_BAND_LOWER = Decimal("-0.3000")
DEFAULT_PREMIUM_BAND_UPPER = Decimal("0.3000")
# A deviation ratio: (declared − rated) / rated, 4 places (0.1234 is 12.34% above).
DEVIATION = {"max_digits": 12, "decimal_places": 4}
DEVIATION_PLACES = Decimal("0.0001")
# The trapped-passenger payout has two steps: up to an hour, and beyond it.
TRAPPED_HOUR_MINUTES = 60
# The fields of that option (困人定额给付) on a version: all blank, the product has no such option.
TRAPPED_PAYOUT_FIELDS = (
    "trapped_threshold_minutes",
    "trapped_payout_per_person",
    "trapped_payout_per_person_over_hour",
)


def premium_deviation(declared: Decimal, rated: Decimal) -> Decimal | None:
    """How far a declared premium lies from the rated one, as a ratio of the rated premium (0.1234 is
    12.34% above); None when the rating gives nothing (a ratio of zero is undefined)."""
    if not rated:
        return Decimal("0.0000") if not declared else None
    return ((declared - rated) / rated).quantize(DEVIATION_PLACES)


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
    premium_band_lower = models.DecimalField(
        _("费率浮动下限"),
        default=DEFAULT_PREMIUM_BAND_LOWER,
        help_text=_("保单约定保费低于费率计算结果的最大比例，如 -0.30 表示下浮30%。"),
        **PREMIUM_BAND,
    )
    premium_band_upper = models.DecimalField(
        _("费率浮动上限"),
        default=DEFAULT_PREMIUM_BAND_UPPER,
        help_text=_("保单约定保费高于费率计算结果的最大比例，如 0.30 表示上浮30%。"),
        **PREMIUM_BAND,
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # The trapped-passenger option (困人定额给付): a fixed payout per person trapped longer than the
    # threshold, a higher one beyond an hour. Blank: the product has no such option.
    trapped_threshold_minutes = models.PositiveSmallIntegerField(
        _("困人给付起算时长（分钟）"),
        null=True,
        blank=True,
        help_text=_("被困超过该时长才给付，如 30；留空表示无困人定额给付。"),
    )
    trapped_payout_per_person = models.DecimalField(
        _("困人给付（元/人，一小时内）"), null=True, blank=True, **MONEY
    )
    trapped_payout_per_person_over_hour = models.DecimalField(
        _("困人给付（元/人，超过一小时）"), null=True, blank=True, **MONEY
    )
    created_at = models.DateTimeField(_("生效时间"), auto_now_add=True)

    objects = ProductVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("产品版本")
        verbose_name_plural = _("产品版本")
        ordering = ["product", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="product_version_unique"),
            # Down at most 100% (a premium of zero), up at most tenfold; the band holds the rating.
            models.CheckConstraint(
                condition=Q(premium_band_lower__gte=-1, premium_band_lower__lte=0)
                & Q(premium_band_upper__gte=0, premium_band_upper__lte=10),
                name="product_version_premium_band_valid",
            ),
            models.CheckConstraint(
                condition=(Q(trapped_payout_per_person__isnull=True) | Q(trapped_payout_per_person__gt=0))
                & (
                    Q(trapped_payout_per_person_over_hour__isnull=True)
                    | Q(trapped_payout_per_person_over_hour__gt=0)
                ),
                name="product_version_trapped_payout_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} v{self.number}"

    @property
    def has_trapped_payout(self) -> bool:
        return self.trapped_threshold_minutes is not None and self.trapped_payout_per_person is not None

    def trapped_payout(self, minutes_trapped: int | None) -> Decimal | None:
        """The fixed payout per person for passengers trapped that long, or None (no option, or not
        longer than the threshold). Beyond an hour the higher payout applies when the version has one."""
        if not self.has_trapped_payout or minutes_trapped is None:
            return None
        if minutes_trapped <= self.trapped_threshold_minutes:
            return None
        if minutes_trapped > TRAPPED_HOUR_MINUTES and self.trapped_payout_per_person_over_hour is not None:
            return self.trapped_payout_per_person_over_hour
        return self.trapped_payout_per_person

    def premium_in_band(self, deviation: Decimal | None) -> bool:
        """Whether a premium that deviation from the rating (premium_deviation) is within the band."""
        return deviation is not None and self.premium_band_lower <= deviation <= self.premium_band_upper


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
