"""What is recorded about one elevator: its inspections and its lifecycle events."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.visibility import VisibleQuerySet

from ..choices import InspectionResult
from .elevators import Elevator


class ElevatorRecordQuerySet(VisibleQuerySet):
    """Rows about one elevator (inspections, lifecycle events, and other apps' records): seen by
    whoever sees the elevator."""

    def visible_to(self, user):
        return self.filter(elevator__in=Elevator.objects.visible_to(user))


def choice_label(choices: type[models.Choices], value) -> str:
    """What `get_<field>_display()` gives for a field of `choices`: the label, or the value when it
    is none of them. A look-up by value, where Django's hashes every (lazy) label of the field on
    each call: the audit of a bulk import names each of its rows (core.audit.log_bulk). Each label
    is translated once per language (the choices are fixed while the process runs)."""
    key = (choices, value, get_language())
    try:
        return _LABELS[key]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be a key
        key = None
    try:
        label = str(choices(value).label)
    except ValueError:
        return value
    if key is not None:
        _LABELS[key] = label
    return label


_LABELS: dict[tuple, str] = {}


class Inspection(models.Model):
    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("定期检验")
        ACCEPTANCE = "acceptance", _("监督检验")
        SELF = "self", _("自行检测")

    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.CASCADE,
        related_name="inspections",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    inspected_on = models.DateField(_("检验日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.PERIODIC)
    result = models.CharField(_("结论"), max_length=16, choices=InspectionResult.choices)
    next_due = models.DateField(_("下次检验日期"), null=True, blank=True)
    inspection_body = models.CharField(_("检验机构"), max_length=200, blank=True)
    report_number = models.CharField(_("报告编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ElevatorRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("检验记录")
        verbose_name_plural = _("检验记录")
        ordering = ["-inspected_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["elevator", "inspected_on", "kind"], name="inspection_once_per_day_kind"
            ),
            models.CheckConstraint(
                condition=Q(next_due__isnull=True) | Q(next_due__gt=models.F("inspected_on")),
                name="inspection_next_due_after_date",
                violation_error_message=_("下次检验日期必须晚于检验日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elevator} {self.inspected_on} {choice_label(InspectionResult, self.result)}"


class LifecycleEvent(models.Model):
    """Something that happened to an elevator: construction notices, registration and status changes."""

    class Kind(models.TextChoices):
        INSTALL_NOTICE = "install_notice", _("安装告知")
        MODIFICATION_NOTICE = "modification_notice", _("改造告知")
        MAJOR_REPAIR_NOTICE = "major_repair_notice", _("重大修理告知")
        REGISTRATION = "registration", _("使用登记")
        REGISTRATION_CHANGE = "registration_change", _("登记变更")
        STATUS_CHANGE = "status_change", _("状态变更")

    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    occurred_on = models.DateField(_("日期"))
    kind = models.CharField(_("事件"), max_length=32, choices=Kind.choices)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    reference = models.CharField(_("文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ElevatorRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("生命周期事件")
        verbose_name_plural = _("生命周期事件")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["elevator", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.elevator} {self.occurred_on} {choice_label(self.Kind, self.kind)}"
