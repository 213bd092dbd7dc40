"""Frozen months and their figures, re-freezes and coverage targets (docs/decisions/0007)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from core.fields import user_reference
from core.visibility import VisibleQuerySet


class MonthStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审核")
    PUBLISHED = "published", _("已发布")


# The approval path (DHIS2's approve, then publish); a re-freeze sends a month back to draft.
MONTH_TRANSITIONS = {
    MonthStatus.DRAFT: {MonthStatus.APPROVED},
    MonthStatus.APPROVED: {MonthStatus.PUBLISHED, MonthStatus.DRAFT},
    MonthStatus.PUBLISHED: {MonthStatus.DRAFT},
}


class ScopeKind(models.TextChoices):
    CITY = "city", _("全市")
    DISTRICT = "district", _("区县")
    DEPARTMENT = "department", _("部门")


class FrozenMonthQuerySet(VisibleQuerySet):
    """The city regulator sees every frozen month; everyone else the published ones."""

    def published(self):
        return self.filter(status=MonthStatus.PUBLISHED)

    def for_city_regulator(self, org):
        return self

    def _published(self, org):
        return self.published()

    for_district_regulator = for_sector_department = for_finance_bureau = _published
    for_insurance_regulator = for_insurer = for_property_manager = for_maintenance_company = _published


class FrozenMonth(models.Model):
    """One month's coverage figures, frozen at its last day (Asia/Shanghai), and their approval."""

    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天。"))
    on = models.DateField(_("统计日"), help_text=_("该月最后一天：所有数字按这一天计算。"))
    status = models.CharField(
        _("状态"), max_length=16, choices=MonthStatus.choices, default=MonthStatus.DRAFT
    )
    frozen_at = models.DateTimeField(_("计算时间"))
    frozen_by = user_reference(_("冻结人"))
    # Who froze it when no person did: "task:freeze_previous_month", "command:freeze_month".
    frozen_by_label = models.CharField(_("冻结方"), max_length=100, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = user_reference(_("审核人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = user_reference(_("发布人"))

    objects = FrozenMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度冻结数据")
        verbose_name_plural = _("月度冻结数据")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(name="frozen_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(name="frozen_month_on_after_month", condition=Q(on__gt=F("month"))),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_published(self) -> bool:
        return self.status == MonthStatus.PUBLISHED

    def can_transition_to(self, status: str) -> bool:
        return status in MONTH_TRANSITIONS.get(self.status, set())


class FrozenFigureQuerySet(VisibleQuerySet):
    """The city regulator reads every figure. Others read published months only: the city's and
    the districts' figures (the open-data face of the plan), and a department its own scope."""

    def of_scope(self, kind: str, code: str = ""):
        return self.filter(scope=kind, scope_code=code)

    def open_data(self):
        """What anyone may read without signing in (the public page): the published figures."""
        return self._public()

    def for_city_regulator(self, org):
        return self

    def _public(self):
        return self.filter(frozen_month__status=MonthStatus.PUBLISHED).filter(
            scope__in=[ScopeKind.CITY, ScopeKind.DISTRICT]
        )

    def _public_and_department(self, org):
        own = Q(
            frozen_month__status=MonthStatus.PUBLISHED, scope=ScopeKind.DEPARTMENT, scope_code=org.department
        )
        return self.filter(Q(pk__in=self._public().values("pk")) | own)

    def _public_only(self, org):
        return self._public()

    for_sector_department = for_finance_bureau = _public_and_department
    for_insurance_regulator = for_district_regulator = _public_only
    for_insurer = for_property_manager = for_maintenance_company = _public_only


class ScopedFigure(models.Model):
    """A scope's figure for one key of one grouping (`by`; "" for the scope's total), as
    coverage_by answers it: what a frozen month and a kept day store alike."""

    scope = models.CharField(_("范围"), max_length=16, choices=ScopeKind.choices)
    # "" for the city, a district's code, a department's code.
    scope_code = models.CharField(_("范围代码"), max_length=16, blank=True)
    by = models.CharField(_("分组"), max_length=32, blank=True)
    key = models.CharField(_("代码"), max_length=64)
    label = models.CharField(_("名称"), max_length=200)
    in_scope = models.PositiveIntegerField(_("应投保电梯"))
    insured = models.PositiveIntegerField(_("已投保电梯"))

    class Meta:
        abstract = True

    @property
    def rate(self):
        from ..selectors import coverage_rate  # the selectors import the registry's FilterSet

        return coverage_rate(self.insured, self.in_scope)


class FrozenFigure(ScopedFigure):
    """One row of a frozen month: a scope's figure for one key of one grouping (`by`; "" for the
    scope's total), as coverage_by answered it at the month's last day."""

    frozen_month = models.ForeignKey(
        FrozenMonth, on_delete=models.CASCADE, related_name="figures", verbose_name=_("月份")
    )

    objects = FrozenFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("冻结数字")
        verbose_name_plural = _("冻结数字")
        ordering = ["frozen_month", "scope", "scope_code", "by", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["frozen_month", "scope", "scope_code", "by", "key"], name="frozen_figure_unique"
            ),
            models.CheckConstraint(
                name="frozen_figure_insured_within_scope", condition=Q(insured__lte=F("in_scope"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frozen_month} {self.scope}:{self.scope_code} {self.by}={self.key}"


class RefreezeQuerySet(VisibleQuerySet):
    def for_city_regulator(self, org):
        return self


class Refreeze(models.Model):
    """A frozen month computed again: who, when, why, and its figures before and after."""

    frozen_month = models.ForeignKey(
        FrozenMonth, on_delete=models.CASCADE, related_name="refreezes", verbose_name=_("月份")
    )
    refrozen_at = models.DateTimeField(_("重新冻结时间"))
    refrozen_by = user_reference(_("操作人"))
    refrozen_by_label = models.CharField(_("操作方"), max_length=100, blank=True)
    reason = models.TextField(_("原因"))
    previous_frozen_at = models.DateTimeField(_("原计算时间"))
    previous_status = models.CharField(_("原状态"), max_length=16, choices=MonthStatus.choices)
    # [[scope, scope_code, by, key, label, in_scope, insured], ...]
    figures_before = models.JSONField(_("重新冻结前数字"), default=list)
    figures_after = models.JSONField(_("重新冻结后数字"), default=list)

    objects = RefreezeQuerySet.as_manager()

    class Meta:
        verbose_name = _("重新冻结记录")
        verbose_name_plural = _("重新冻结记录")
        ordering = ["-refrozen_at", "-pk"]
        constraints = [models.CheckConstraint(name="refreeze_has_reason", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.frozen_month} @ {self.refrozen_at:%Y-%m-%d %H:%M}"


class TargetQuerySet(VisibleQuerySet):
    """Targets are public figures of the plan: everyone signed in reads them."""

    def _all(self, org):
        return self

    for_city_regulator = for_district_regulator = for_sector_department = for_finance_bureau = _all
    for_insurance_regulator = for_insurer = for_property_manager = for_maintenance_company = _all

    def for_city(self):
        return self.filter(district__isnull=True)


class Target(models.Model):
    """A coverage rate to reach by a date, for the city or one district (the plan: 60% by
    2021-06-30). The target shown on a day is the one of the next date on or after it, or the last
    one once every date has passed (reporting.months.target_on)."""

    district = models.ForeignKey(
        District,
        verbose_name=_("区县"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coverage_targets",
        help_text=_("留空表示全市目标。"),
    )
    due_on = models.DateField(_("目标日期"))
    rate = models.DecimalField(
        _("目标投保率"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0 到 1 之间，如 0.6 表示 60%。"),
    )
    set_by = user_reference(_("设定人"))
    set_at = models.DateTimeField(_("设定时间"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("投保率目标")
        verbose_name_plural = _("投保率目标")
        ordering = ["district", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["due_on"], condition=Q(district__isnull=True), name="target_city_one_per_date"
            ),
            models.UniqueConstraint(
                fields=["district", "due_on"],
                condition=Q(district__isnull=False),
                name="target_district_one_per_date",
            ),
            models.CheckConstraint(name="target_rate_0_to_1", condition=Q(rate__gte=0, rate__lte=1)),
        ]

    def __str__(self) -> str:
        where = self.district or _("全市")
        return f"{where} {self.due_on}: {self.rate:.2%}"
