"""Photos and documents attached to a maintenance record, a service, a hazard or a rescue; their
type and size are checked by the service that stores them (settings.TIBAO["ATTACHMENT_MAX_BYTES"])."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from core.visibility import VisibleQuerySet

from .choices import PhotoMoment, PhotoSpot

OWNER_FIELDS = ("record", "service", "hazard", "rescue")


class AttachmentQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        """Attachments of the rows `user` may see."""
        from . import Hazard, MaintenanceRecord, RescueIncident, ServiceRecord

        owners = {
            "record": MaintenanceRecord,
            "service": ServiceRecord,
            "hazard": Hazard,
            "rescue": RescueIncident,
        }
        condition = Q(pk__in=[])
        for field, model in owners.items():
            condition |= Q(**{f"{field}__in": model.objects.visible_to(user)})
        return self.filter(condition)


def attachment_path(instance, filename: str) -> str:
    owner = next(field for field in OWNER_FIELDS if getattr(instance, f"{field}_id"))
    return f"maintenance/{owner}/{getattr(instance, f'{owner}_id')}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    Spot = PhotoSpot
    Moment = PhotoMoment

    record = models.ForeignKey(
        "maintenance.MaintenanceRecord",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("维保记录"),
    )
    service = models.ForeignKey(
        "maintenance.ServiceRecord",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("保险服务记录"),
    )
    hazard = models.ForeignKey(
        "maintenance.Hazard",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("隐患"),
    )
    rescue = models.ForeignKey(
        "maintenance.RescueIncident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("救援记录"),
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    # The file's SHA-256: a maintenance photo seen before on another record is flagged.
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    # Maintenance photos are taken at fixed spots, before and after the work.
    spot = models.CharField(_("拍摄部位"), max_length=16, choices=PhotoSpot.choices, blank=True)
    moment = models.CharField(_("拍摄时点"), max_length=8, choices=PhotoMoment.choices, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), db_default=Now())

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(record__isnull=False, service__isnull=True, hazard__isnull=True, rescue__isnull=True)
                    | Q(record__isnull=True, service__isnull=False, hazard__isnull=True, rescue__isnull=True)
                    | Q(record__isnull=True, service__isnull=True, hazard__isnull=False, rescue__isnull=True)
                    | Q(record__isnull=True, service__isnull=True, hazard__isnull=True, rescue__isnull=False)
                ),
                name="attachment_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.file.name
