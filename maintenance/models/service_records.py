"""The insurance+maintenance services (plan 四(四)): what an insurer delivered, where, under which
insurance+maintenance policy covering each elevator on that day."""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationKind
from elevators.models import Elevator
from insurance.models import MONEY, Policy

from .base import ElevatorScopedQuerySet
from .choices import AssessmentConclusion, ServiceKind

KIND_LABELS = dict(ServiceKind.choices)  # lazy: translated when a service is shown


class ServiceRecordQuerySet(ElevatorScopedQuerySet):
    # The insurer sees its own services; the regulators, the elevators' users and maintenance
    # companies see the services on the elevators they see.
    elevator_kinds = frozenset(
        {
            OrganisationKind.DISTRICT_REGULATOR,
            OrganisationKind.SECTOR_DEPARTMENT,
            OrganisationKind.INSURANCE_REGULATOR,
            OrganisationKind.PROPERTY_MANAGER,
            OrganisationKind.MAINTENANCE_COMPANY,
        }
    )
    owner_field = "insurer"

    def of_elevators(self, elevators) -> Q:
        return Q(Exists(ServiceElevator.objects.filter(service=OuterRef("pk"), elevator__in=elevators)))


class ServiceRecord(models.Model):
    """One service an insurer delivered, on one or more elevators or at a site."""

    Kind = ServiceKind

    insurer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("保险机构"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    service_number = models.CharField(_("服务编号"), max_length=64)
    kind = models.CharField(_("服务类型"), max_length=32, choices=ServiceKind.choices)
    performed_on = models.DateField(_("服务日期"))
    elevators = models.ManyToManyField(
        Elevator, through="ServiceElevator", related_name="services", verbose_name=_("电梯")
    )
    site_name = models.CharField(_("服务地点"), max_length=200, blank=True)
    findings = models.TextField(_("服务内容及发现"), blank=True)
    # maintenance_quality: the insurer's 0-100 score of the maintenance company's work.
    maintenance_company = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quality_scores",
        verbose_name=_("被评价维保单位"),
    )
    quality_score = models.PositiveSmallIntegerField(_("维保质量评分"), null=True, blank=True)
    # old_elevator_assessment (GB/T 42615-2023).
    assessment_grade = models.CharField(_("安全评估等级"), max_length=16, blank=True)
    assessment_conclusion = models.CharField(
        _("评估结论"), max_length=16, choices=AssessmentConclusion.choices, blank=True
    )
    # three_no_rectification: money the insurer advanced or paid, who repays it, whether repaid.
    amount = models.DecimalField(_("垫付/支付金额（元）"), null=True, blank=True, **MONEY)
    repayer = models.CharField(_("偿还方"), max_length=200, blank=True)
    repaid = models.BooleanField(_("已偿还"), null=True, blank=True)
    # training and rescue_drill.
    attendance = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("保险服务记录")
        verbose_name_plural = _("保险服务记录")
        ordering = ["-performed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["insurer", "service_number"], name="service_number_once"),
            models.CheckConstraint(
                condition=Q(quality_score__isnull=True) | Q(quality_score__lte=100),
                name="service_quality_score_0_100",
                violation_error_message=_("维保质量评分应在0到100之间。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="service_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "performed_on"], name="service_kind_day_idx")]

    def __str__(self) -> str:
        # The label by a plain lookup: get_kind_display() rebuilds the choices for every call, ten
        # times the cost, and a bulk write audits a thousand services at once (their object_repr).
        return f"{self.service_number} {KIND_LABELS.get(self.kind, self.kind)}"


class ServiceElevator(models.Model):
    """An elevator a service was delivered on, with the insurance+maintenance policy covering it."""

    service = models.ForeignKey(
        ServiceRecord,
        on_delete=models.CASCADE,
        related_name="covered",
        verbose_name=_("服务记录"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    elevator = models.ForeignKey(
        Elevator,
        on_delete=models.PROTECT,
        related_name="service_links",
        verbose_name=_("电梯"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="service_links", verbose_name=_("保单")
    )

    class Meta:
        verbose_name = _("服务电梯")
        verbose_name_plural = _("服务电梯")
        constraints = [models.UniqueConstraint(fields=["service", "elevator"], name="service_elevator_once")]
        indexes = [models.Index(fields=["elevator", "service"], name="service_link_elevator_idx")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.elevator_id}"
