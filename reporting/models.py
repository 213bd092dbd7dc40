"""Frozen monthly figures, their approval, re-freezes, coverage targets and the monthly report runs.

A frozen month holds, for every *scope* whose readers see different elevators (the city, each
district, each department whose sector is not the whole city), the coverage figures of every
grouping at the month's last day, as `coverage_by` computed them (docs/decisions/0007). Readers
get the scope their visibility maps to (`reporting.months.scope_of`).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, District, OrganisationKind
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
        from .selectors import coverage_rate  # the selectors import the registry's FilterSet

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


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


# Kinds whose organisation is one of the eight departments and reads that department's reports.
REPORT_READER_KINDS = (
    OrganisationKind.SECTOR_DEPARTMENT,
    OrganisationKind.FINANCE_BUREAU,
    OrganisationKind.INSURANCE_REGULATOR,
)


def report_upload_to(run: "ReportRun", filename: str) -> str:
    """reports/<month>/<file>: a month's eight reports side by side, whenever they were built."""
    return f"reports/{run.frozen_month.month:%Y-%m}/{filename}"


class ReportRunQuerySet(VisibleQuerySet):
    """The city regulator sees every report; a department its own reports of published months."""

    def for_city_regulator(self, org):
        return self

    def _own_published(self, org):
        if not org.department:
            return self.none()
        return self.filter(department=org.department, frozen_month__status=MonthStatus.PUBLISHED)

    for_sector_department = for_finance_bureau = for_insurance_regulator = _own_published

    def downloadable(self):
        return self.exclude(file="")


class ReportRun(models.Model):
    """The monthly Excel report of one department for one frozen month (STYLE.md 10).

    One row per month and department: a re-run builds a new file beside the old one and swaps it in
    one transaction, so the row always points at a complete workbook (the last good one while a
    re-run is under way or after it failed)."""

    frozen_month = models.ForeignKey(
        FrozenMonth, on_delete=models.CASCADE, related_name="reports", verbose_name=_("月份")
    )
    department = models.CharField(_("部门"), max_length=16, choices=Department.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    file = models.FileField(_("文件"), upload_to=report_upload_to, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    requested_by = user_reference(_("发起人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度报表")
        verbose_name_plural = _("月度报表")
        ordering = ["-frozen_month__month", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["frozen_month", "department"], name="report_run_one_per_month_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.frozen_month} {self.department} ({self.get_status_display()})"

    @property
    def filename(self) -> str:
        return f"tibao-{self.frozen_month.month:%Y-%m}-{self.department}.xlsx"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)


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
