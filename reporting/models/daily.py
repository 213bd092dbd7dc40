"""The figures kept per day and scope for the dashboards (docs/decisions/0015 and 0026)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.visibility import VisibleQuerySet

from .frozen import ScopedFigure, ScopeKind


class DailySnapshotQuerySet(VisibleQuerySet):
    """A day's kept figures exist or not; which of them a reader gets is DailyFigure's rule."""

    def _all(self, org):
        return self

    for_city_regulator = for_insurance_regulator = for_district_regulator = _all
    for_sector_department = for_finance_bureau = _all


class DailySnapshot(models.Model):
    """The coverage figures of one day for every scope and grouping, kept so that the dashboards
    read them instead of counting the registry on each request (docs/decisions: the daily
    aggregate). Refreshed by a beat task for today, and for a month's last day when it is frozen."""

    day = models.DateField(_("统计日"), unique=True)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = DailySnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日投保数字")
        verbose_name_plural = _("每日投保数字")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


class DailyFigureQuerySet(VisibleQuerySet):
    """Each reader reads the scope its own dashboard shows, and nothing else: the city-wide
    readers the city and its districts, a district regulator its district, a department its
    sector (the same sets of elevators `Elevator.objects.visible_to` gives them). A kept day's
    coverage rows and its summaries are read by the same rule."""

    def of_scope(self, kind: str, code: str = ""):
        return self.filter(scope=kind, scope_code=code)

    def _city_and_districts(self, org):
        return self.filter(scope__in=[ScopeKind.CITY, ScopeKind.DISTRICT])

    for_city_regulator = for_insurance_regulator = _city_and_districts

    def for_district_regulator(self, org):
        return self.filter(scope=ScopeKind.DISTRICT, scope_code=org.district_id)

    def _department(self, org):
        return self.filter(scope=ScopeKind.DEPARTMENT, scope_code=org.department)

    for_sector_department = for_finance_bureau = _department


class DailyFigure(ScopedFigure):
    """One kept row of a day: a scope's figure for one key of one grouping ("" for the total), as
    coverage_by answers it on that day (the same rows a frozen month stores)."""

    snapshot = models.ForeignKey(
        DailySnapshot, on_delete=models.CASCADE, related_name="figures", verbose_name=_("统计日")
    )

    objects = DailyFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日投保数字行")
        verbose_name_plural = _("每日投保数字行")
        ordering = ["snapshot", "scope", "scope_code", "by", "pk"]
        indexes = [models.Index(fields=["snapshot", "scope", "scope_code"], name="daily_figure_scope")]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "scope", "scope_code", "by", "key"], name="daily_figure_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.scope}:{self.scope_code} {self.by}={self.key}"


class DailySummary(models.Model):
    """One scope's figures of a kept day beside its coverage rows (DailyFigure): the insurance
    summary, the maintenance states and the first policies of the renewal cliff, as the dashboard
    shows them for that scope's reader (reporting.selectors.summaries), kept so that a request
    reads one row instead of counting the covers, the claims and the registry.

    Kept by the hourly refresh only: a day kept by a month's freeze has none, and its dashboard
    counts these figures live."""

    snapshot = models.ForeignKey(
        DailySnapshot, on_delete=models.CASCADE, related_name="summaries", verbose_name=_("统计日")
    )
    scope = models.CharField(_("范围"), max_length=16, choices=ScopeKind.choices)
    scope_code = models.CharField(_("范围代码"), max_length=16, blank=True)
    policies = models.PositiveIntegerField(_("有效保单"))
    elevators_covered = models.PositiveIntegerField(_("承保电梯"))
    premium = models.DecimalField(_("保费（元）"), max_digits=16, decimal_places=2)
    claims = models.PositiveIntegerField(_("理赔"))
    paid = models.DecimalField(_("已赔付（元）"), max_digits=16, decimal_places=2)
    maintenance_on_time = models.PositiveIntegerField(_("按期维保电梯"))
    maintenance_overdue = models.PositiveIntegerField(_("维保超期电梯"))
    maintenance_none = models.PositiveIntegerField(_("无维保记录电梯"))
    # the first policies ending (coverage_forecast's order): [[policy id, elevators ending], ...]
    ending_policies = models.JSONField(_("最先到期的保单"), default=list)

    objects = DailyFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日汇总数字")
        verbose_name_plural = _("每日汇总数字")
        ordering = ["snapshot", "scope", "scope_code"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "scope", "scope_code"], name="daily_summary_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.scope}:{self.scope_code}"
