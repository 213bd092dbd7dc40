"""The notices about hazards: the serious-hazard notice to the regulators (exactly once) and the
daily escalation of hazards past their deadline (once per hazard and level)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationKind
from accounts.services import notice_send
from elevators.models import Elevator

from ..models import Hazard, HazardSeverity

K = OrganisationKind


def city_regulators(elevator: Elevator) -> QuerySet:
    return Organisation.objects.filter(kind=K.CITY_REGULATOR, is_active=True)


def district_regulators(elevator: Elevator) -> QuerySet:
    return Organisation.objects.filter(
        kind=K.DISTRICT_REGULATOR, district_id=elevator.district_id, is_active=True
    )


@dataclass(frozen=True)
class EscalationLevel:
    """Open `days_past` days or more after its deadline: `recipients(elevator)` are told, once."""

    level: int
    days_past: int
    recipients: Callable[[Elevator], QuerySet]
    label: str


ESCALATION_LEVELS = (
    EscalationLevel(1, 1, district_regulators, gettext_lazy("逾期未整改")),
    EscalationLevel(2, 30, city_regulators, gettext_lazy("逾期30天以上未整改")),
)


# --- the regulators' notice -------------------------------------------------------------------


def hazard_link(hazard: Hazard) -> str:
    return reverse("hazard-detail", args=[hazard.pk])


def hazard_regulators_notify(*, hazard_id: int) -> int:
    """Tell the city regulator and the elevator's district regulator of a serious hazard, once.

    The conditional UPDATE claims the hazard (regulators_notified_at IS NULL → now); a concurrent
    or repeated call changes no row and sends nothing. Returns the number of notices sent.
    """
    with transaction.atomic():
        claimed = Hazard.objects.filter(
            pk=hazard_id, severity=HazardSeverity.SERIOUS, regulators_notified_at__isnull=True
        ).update(regulators_notified_at=timezone.now())
        if not claimed:
            return 0
        hazard = Hazard.objects.select_related("elevator", "reporter").get(pk=hazard_id)
        elevator = hazard.elevator
        subject = _("重大事故隐患：电梯 %(code)s") % {"code": elevator.equipment_code}
        body = _(
            "%(reporter)s 报告电梯 %(code)s（%(address)s）存在重大事故隐患：%(criterion)s。%(description)s"
        ) % {
            "reporter": hazard.reporter.name,
            "code": elevator.equipment_code,
            "address": elevator.address,
            "criterion": hazard.get_criterion_display(),
            "description": hazard.description,
        }
        recipients = [*city_regulators(elevator), *district_regulators(elevator)]
        for organisation in recipients:
            notice_send(organisation=organisation, subject=subject, body=body, link=hazard_link(hazard))
        return len(recipients)


# --- escalation --------------------------------------------------------------------------------


def hazards_escalate(*, on: date) -> dict[int, int]:
    """Escalate open hazards past their deadline on `on`, once per hazard and level.

    For each of ESCALATION_LEVELS in order, a hazard open `days_past` days or more after its
    deadline and not yet at that level is claimed with a conditional UPDATE (escalation_level <
    level → level) and its recipients are told. Re-running on the same or a later day sends nothing
    twice. Serious hazards whose notice has not gone out yet (a lost task) are sent now. Returns the
    number of hazards escalated per level.
    """
    escalated: dict[int, int] = {}
    for level in ESCALATION_LEVELS:
        due = Hazard.objects.overdue_on(on).filter(
            deadline__lte=on - timedelta(days=level.days_past), escalation_level__lt=level.level
        )
        escalated[level.level] = 0
        for hazard in due.select_related("elevator", "reporter").order_by("pk").iterator():
            with transaction.atomic():
                claimed = Hazard.objects.filter(pk=hazard.pk, escalation_level__lt=level.level).update(
                    escalation_level=level.level
                )
                if claimed:
                    _send_escalation(hazard, level, on)
                    escalated[level.level] += 1
    unnotified = (
        Hazard.objects.serious().filter(regulators_notified_at__isnull=True).values_list("pk", flat=True)
    )
    for hazard_id in list(unnotified):
        hazard_regulators_notify(hazard_id=hazard_id)
    return escalated


def _send_escalation(hazard: Hazard, level: EscalationLevel, on: date) -> None:
    elevator = hazard.elevator
    subject = _("隐患督办（%(label)s）：电梯 %(code)s") % {
        "label": level.label,
        "code": elevator.equipment_code,
    }
    body = _(
        "%(reporter)s 报告的隐患 %(number)s 整改期限为 %(deadline)s，截至 %(on)s 仍未整改：%(description)s"
    ) % {
        "reporter": hazard.reporter.name,
        "number": hazard.hazard_number,
        "deadline": hazard.deadline.isoformat(),
        "on": on.isoformat(),
        "description": hazard.description,
    }
    for organisation in level.recipients(elevator):
        notice_send(organisation=organisation, subject=subject, body=body, link=hazard_link(hazard))
