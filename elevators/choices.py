"""The registry's choice lists, apart from the models so that rule modules (elevators.safety) can
name them without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ElevatorStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    SUSPENDED = "suspended", _("停用")
    SCRAPPED = "scrapped", _("报废")
    CANCELLED = "cancelled", _("注销")


class InspectionResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    PASS_AFTER_RECTIFICATION = "pass_rectified", _("复检合格")


PASSING_RESULTS = (InspectionResult.PASS, InspectionResult.PASS_AFTER_RECTIFICATION)
