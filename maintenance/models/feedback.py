"""What passengers say on the public card (/e/<code>/): a rating and, optionally, a complaint."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationKind
from elevators.models import Elevator

from .base import ElevatorScopedQuerySet
from .choices import FeedbackRating


class FeedbackQuerySet(ElevatorScopedQuerySet):
    elevator_kinds = frozenset(
        {
            OrganisationKind.DISTRICT_REGULATOR,
            OrganisationKind.MAINTENANCE_COMPANY,
            OrganisationKind.PROPERTY_MANAGER,
        }
    )

    def complaints(self):
        return self.exclude(complaint="")


class PassengerFeedback(models.Model):
    """No login and no personal data: a rating, an optional complaint and optional contact."""

    Rating = FeedbackRating

    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    rating = models.CharField(_("评价"), max_length=16, choices=FeedbackRating.choices)
    complaint = models.TextField(_("投诉内容"), max_length=1000, blank=True)
    contact = models.CharField(_("联系方式（选填）"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("乘客评价")
        verbose_name_plural = _("乘客评价")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["elevator", "created_at"], name="feedback_elevator_day_idx")]

    def __str__(self) -> str:
        return f"{self.elevator} {self.rating}"
