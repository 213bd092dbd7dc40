"""Maintenance records (TSG T5002-2017) with their on-site evidence, checklist items and the flags
that send a doubtful record (假维保) to review."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationKind
from elevators.models import Elevator

from .base import ElevatorScopedQuerySet
from .choices import ItemResult, MaintenanceLevel, ReviewFlag, ReviewOutcome, ScanMethod

COORDINATE = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


class MaintenanceRecordQuerySet(ElevatorScopedQuerySet):
    # The company sees its own records; the elevator's regulators, users and insurers see its records.
    elevator_kinds = frozenset(
        {
            OrganisationKind.DISTRICT_REGULATOR,
            OrganisationKind.SECTOR_DEPARTMENT,
            OrganisationKind.PROPERTY_MANAGER,
            OrganisationKind.INSURER,
        }
    )
    owner_field = "company"


class MaintenanceRecord(models.Model):
    """One maintenance visit, recorded by the elevator's maintenance company."""

    Level = MaintenanceLevel

    company = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="maintenance_records",
        verbose_name=_("维保单位"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    record_number = models.CharField(_("维保记录编号"), max_length=64)
    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.PROTECT,
        related_name="maintenance_records",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    performed_on = models.DateField(_("维保日期"))
    level = models.CharField(_("维保类别"), max_length=16, choices=MaintenanceLevel.choices)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    worker_name = models.CharField(_("作业人员1"), max_length=50, blank=True)
    worker_certificate = models.CharField(_("作业人员1证书编号"), max_length=64, blank=True)
    second_worker_name = models.CharField(_("作业人员2"), max_length=50, blank=True)
    second_worker_certificate = models.CharField(_("作业人员2证书编号"), max_length=64, blank=True)
    findings = models.TextField(_("发现问题及处理"), blank=True)
    # On-site evidence: scan-in and scan-out at the elevator (QR on the sign, or a code typed in).
    scan_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    scan_in_method = models.CharField(_("签到方式"), max_length=8, choices=ScanMethod.choices, blank=True)
    scan_in_latitude = models.DecimalField(_("签到纬度"), **COORDINATE)
    scan_in_longitude = models.DecimalField(_("签到经度"), **COORDINATE)
    scan_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    # The user unit's safety manager confirms the visit in the browser.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("使用单位确认人"),
    )
    confirmed_at = models.DateTimeField(_("使用单位确认时间"), null=True, blank=True)
    # Review of a flagged record by a regulator or the company.
    review_outcome = models.CharField(_("复核结果"), max_length=16, choices=ReviewOutcome.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MaintenanceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("维保记录")
        verbose_name_plural = _("维保记录")
        ordering = ["-performed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "record_number"], name="maintenance_record_number_once"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(ended_at__gte=F("started_at")),
                name="maintenance_record_ends_after_start",
                violation_error_message=_("结束时间不能早于开始时间。"),
            ),
        ]
        indexes = [
            models.Index(fields=["elevator", "performed_on"], name="maintenance_elevator_day_idx"),
            models.Index(fields=["elevator", "level", "performed_on"], name="maintenance_level_day_idx"),
            # a worker's other jobs, for the worker-overlap flag (services.record_flags): a batch's
            # records are matched by certificate, not against every record
            models.Index(
                fields=["worker_certificate", "started_at"],
                name="maintenance_worker_jobs_idx",
                condition=~Q(worker_certificate=""),
            ),
            models.Index(
                fields=["second_worker_certificate", "started_at"],
                name="maintenance_second_jobs_idx",
                condition=~Q(second_worker_certificate=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_number} {self.elevator} {self.performed_on}"


class RecordItem(models.Model):
    """One checklist item of a record's level (maintenance.checklists) and its result."""

    Result = ItemResult

    record = models.ForeignKey(
        MaintenanceRecord,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("维保记录"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    item_code = models.CharField(_("项目编号"), max_length=16)
    result = models.CharField(_("结果"), max_length=16, choices=ItemResult.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("维保项目")
        verbose_name_plural = _("维保项目")
        ordering = ["record", "item_code"]
        constraints = [
            models.UniqueConstraint(fields=["record", "item_code"], name="record_item_once"),
            models.CheckConstraint(
                condition=~Q(result=ItemResult.ABNORMAL) | ~Q(note=""),
                name="record_item_abnormal_has_note",
                violation_error_message=_("异常项目须填写说明。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.item_code} {self.result}"


class RecordFlag(models.Model):
    """Why a record went to the review queue (set by the record's service, one row per reason)."""

    Flag = ReviewFlag

    record = models.ForeignKey(
        MaintenanceRecord,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=_("维保记录"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    flag = models.CharField(_("疑点"), max_length=32, choices=ReviewFlag.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("维保记录疑点")
        verbose_name_plural = _("维保记录疑点")
        ordering = ["record", "flag"]
        constraints = [models.UniqueConstraint(fields=["record", "flag"], name="record_flag_once")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.flag}"
