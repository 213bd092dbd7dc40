"""Hazards (隐患): found, rectified, verified and closed by the regulator; a serious one
(GB 45067-2024) stops the elevator and is reported to the regulators at once."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from elevators.models import Elevator

from .base import SAFETY_RECORD_READERS, ElevatorScopedQuerySet
from .choices import HAZARD_TRANSITIONS, HazardSeverity, HazardSource, HazardStatus, SeriousHazardCriterion

OPEN_STATUSES = (HazardStatus.OPEN, HazardStatus.RECTIFYING)


class HazardQuerySet(ElevatorScopedQuerySet):
    elevator_kinds = SAFETY_RECORD_READERS
    owner_field = "reporter"

    def of_elevators(self, elevators) -> Q:
        """Hazards are few beside the elevators: beside the reporter's own (an OR, which keeps
        PostgreSQL from a semi-join) an EXISTS probes one elevator per hazard by its key, where
        `elevator IN (…)` hashed every elevator the reader sees first (0.43 s for a sector of
        700,000 at 1,000,000 elevators, on each dashboard of that reader)."""
        return Q(Exists(elevators.filter(pk=OuterRef("elevator_id"))))

    def open(self):
        """Not yet rectified (open or being rectified)."""
        return self.filter(status__in=OPEN_STATUSES)

    def serious(self):
        return self.filter(severity=HazardSeverity.SERIOUS)

    def overdue_on(self, day):
        """Open hazards whose deadline lies before `day`."""
        return self.open().filter(deadline__lt=day)


class Hazard(models.Model):
    Severity = HazardSeverity
    Status = HazardStatus
    Source = HazardSource
    Criterion = SeriousHazardCriterion

    reporter = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="hazards_reported",
        verbose_name=_("报告单位"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    hazard_number = models.CharField(_("隐患编号"), max_length=64)
    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.PROTECT,
        related_name="hazards",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    found_on = models.DateField(_("发现日期"))
    found_by = models.CharField(_("发现途径"), max_length=16, choices=HazardSource.choices)
    severity = models.CharField(_("隐患等级"), max_length=16, choices=HazardSeverity.choices)
    criterion = models.CharField(
        _("重大隐患判定依据"), max_length=32, choices=SeriousHazardCriterion.choices, blank=True
    )
    description = models.TextField(_("隐患描述"))
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    rectification = models.TextField(_("整改情况"), blank=True)
    # Where it was found, when it came from a record of this app.
    service = models.ForeignKey(
        "maintenance.ServiceRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("保险服务记录"),
    )
    maintenance_record = models.ForeignKey(
        "maintenance.MaintenanceRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("维保记录"),
    )
    rescue = models.ForeignKey(
        "maintenance.RescueIncident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards",
        verbose_name=_("救援记录"),
    )
    # Set once, by the service that sends the serious-hazard notice (it is sent exactly once).
    regulators_notified_at = models.DateTimeField(
        _("通报监管部门时间"), null=True, blank=True, editable=False
    )
    # The highest escalation level reached for a missed deadline (0: none yet).
    escalation_level = models.PositiveSmallIntegerField(_("逾期督办级别"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "hazard_number"], name="hazard_number_once"),
            models.CheckConstraint(
                condition=~Q(severity=HazardSeverity.SERIOUS) | ~Q(criterion=""),
                name="serious_hazard_has_criterion",
                violation_error_message=_("重大隐患须注明判定依据。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=models.F("found_on")),
                name="hazard_deadline_after_found",
                violation_error_message=_("整改期限不能早于发现日期。"),
            ),
        ]
        indexes = [models.Index(fields=["elevator", "status", "severity"], name="hazard_elevator_open_idx")]

    def __str__(self) -> str:
        return f"{self.hazard_number} {self.elevator}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_serious(self) -> bool:
        return self.severity == HazardSeverity.SERIOUS

    def can_transition_to(self, status: str) -> bool:
        return status in HAZARD_TRANSITIONS[HazardStatus(self.status)]


class HazardStep(models.Model):
    """One step of a hazard's life (reported, rectifying, rectified, verified and closed), with
    who and when."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="steps", verbose_name=_("隐患"))
    status = models.CharField(_("状态"), max_length=16, choices=HazardStatus.choices)
    at = models.DateTimeField(_("时间"))
    by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("隐患处理步骤")
        verbose_name_plural = _("隐患处理步骤")
        ordering = ["hazard", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.status} {self.at}"
