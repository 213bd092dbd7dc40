"""The monthly report runs: one per department and month, built by a worker (like ImportRun)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, OrganisationKind
from core.fields import user_reference
from core.visibility import VisibleQuerySet

from .frozen import FrozenMonth, MonthStatus


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
