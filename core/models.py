"""Plumbing rows shared by every app: import runs (a job row per uploaded file)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .imports import IMPORT_KINDS
from .visibility import VisibleQuerySet


class ImportRunQuerySet(VisibleQuerySet):
    """An import is seen by its organisation; the city regulator sees every import."""

    def for_city_regulator(self, org):
        return self

    def _own(self, org):
        return self.filter(Q(organisation=org))

    for_district_regulator = for_sector_department = for_finance_bureau = _own
    for_insurance_regulator = for_insurer = for_property_manager = for_maintenance_company = _own


class ImportRun(models.Model):
    """One uploaded file and what importing it did (or would do, for a dry run).

    The row is the explicit audit record of a bulk write: who, when, which file (checksum), and the
    counts; the refused rows are in the downloadable error report.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        CHECKED = "checked", _("预检完成")
        DONE = "done", _("已导入")
        REFUSED = "refused", _("未导入（有错误）")
        FAILED = "failed", _("处理失败")

    # The key of a registered ImportKind (core.imports): the apps name their kinds, core does not.
    kind = models.CharField(_("类型"), max_length=16)
    dry_run = models.BooleanField(_("仅预检"), default=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("文件名"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    error_report = models.FileField(_("错误报告"), upload_to="imports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Progress while the import runs (core.progress), written every chunk of rows: the rows in the
    # file (counted before the import starts; blank rows and rows above the header included), the
    # rows read and refused so far.
    rows_total = models.PositiveIntegerField(_("文件行数"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("已读行数"), default=0)
    rows_refused = models.PositiveIntegerField(_("已拒绝行数"), default=0)
    progress_at = models.DateTimeField(_("进度更新时间"), null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.filename} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        """The registered kind's name (the key itself for a kind no app registers any more)."""
        kind = IMPORT_KINDS.get(self.kind)
        return str(kind.label) if kind is not None else self.kind

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int | None:
        """Rows read as a share of the rows in the file (0..100), when the file's size is known."""
        if self.is_finished:
            return 100
        if not self.rows_total:
            return None
        return min(100, self.rows_read * 100 // self.rows_total)

    def progress(self) -> dict:
        """The run's state and counts for the page that polls it (core.views.import_run_progress)."""
        return {
            "status": self.status,
            "status_display": str(self.get_status_display()),
            "is_finished": self.is_finished,
            "rows_total": self.rows_total,
            "rows_read": self.rows_read,
            "rows_refused": self.rows_refused,
            "percent": self.progress_percent,
        }


class TaskOutbox(models.Model):
    """A task the broker could not take when it was enqueued (Redis down or unreachable), kept here
    until `core.outbox.outbox_drain` (the beat, every minute, or `manage.py drain_task_outbox`)
    sends it (docs/decisions/0016). Tasks take IDs and are idempotent, so sending one late, or twice,
    does the work once."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list)
    kwargs = models.JSONField(_("关键字参数"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("重发次数"), default=0)
    last_error = models.TextField(_("最近的错误"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
