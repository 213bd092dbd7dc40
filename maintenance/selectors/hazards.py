"""Reads of hazards, and what this part plugs into the other apps' registries (timeline, public
card, safety states, filters, rating)."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elevators.models import Elevator
from elevators.safety import SafetyState, register_safety_stop
from elevators.selectors import TimelineEntry, register_timeline_source

from ..models import OPEN_STATUSES, Hazard, HazardSeverity, HazardStatus, HazardStep

SERIOUS_HAZARD_OPEN = SafetyState(
    "serious_hazard", _("重大隐患"), _("这部电梯有未消除的重大事故隐患，请勿乘坐。")
)


@register_safety_stop(SERIOUS_HAZARD_OPEN)
def serious_hazard_open(*, on: date) -> Q:
    """GB 45067-2024: an elevator with a serious hazard not yet rectified is not to be used. One
    EXISTS per elevator row, so lists and coverage stay one query."""
    return Q(Exists(Hazard.objects.open().serious().filter(elevator=OuterRef("pk"))))


# --- the elevator's timeline -------------------------------------------------------------------

STEP_LOOKS = {
    HazardStatus.OPEN: ("exclamation-triangle", "warning"),
    HazardStatus.RECTIFYING: ("tools", "info"),
    HazardStatus.RECTIFIED: ("check2", "primary"),
    HazardStatus.CLOSED: ("check2-circle", "success"),
}


@register_timeline_source
def _hazard_steps(elevator: Elevator, user) -> Iterable[TimelineEntry]:
    """Each step of each hazard of the elevator the user may see: reported (on the day found),
    rectifying, rectified, closed (on the day of the step)."""
    hazards = (
        Hazard.objects.visible_to(user)
        .filter(elevator=elevator)
        .select_related("reporter")
        .prefetch_related("steps__by_organisation")
    )
    for hazard in hazards:
        for step in hazard.steps.all():
            icon, tone = STEP_LOOKS[HazardStatus(step.status)]
            reported = step.status == HazardStatus.OPEN
            if reported and hazard.is_serious:
                tone = "danger"
            title = (
                _("%(severity)s报告") % {"severity": hazard.get_severity_display()}
                if reported
                else _("隐患%(status)s") % {"status": step.get_status_display()}
            )
            detail = hazard.description if reported else step.note
            yield TimelineEntry(
                on=hazard.found_on if reported else timezone.localdate(step.at),
                kind=f"hazard_{step.status}",
                title=str(title),
                detail=f"{hazard.hazard_number}：{detail}" if detail else hazard.hazard_number,
                source=step.by_organisation.name,
                icon=icon,
                tone=tone,
            )


# --- figures and the board ---------------------------------------------------------------------


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def hazard_figures(*, user, on: date | None = None, district=None, place_category=None) -> dict:
    """Hazards of the slice `user` sees (optionally one district or place category) as they stood on
    `on` (default today), in one query.

    - found: found on or before `on`;
    - open: found and not rectified by then (its latest step by the end of `on` is open or
      rectifying); serious: those of them that are serious; overdue: those past their deadline;
    - rectified: found and rectified or closed by then; rectification_rate = rectified / found
      (None when nothing was found), a Decimal-free float rounded to 4 places for the reports.
    """
    on = on or timezone.localdate()
    hazards = Hazard.objects.visible_to(user).filter(found_on__lte=on)
    if district is not None:
        hazards = hazards.filter(elevator__district=district)
    if place_category is not None:
        hazards = hazards.filter(elevator__place_category=place_category)
    latest = HazardStep.objects.filter(hazard=OuterRef("pk"), at__lt=_end_of(on)).order_by("-at", "-pk")
    hazards = hazards.annotate(status_then=Subquery(latest.values("status")[:1]))
    # A hazard without a step by then (reported later than found) was open.
    open_then = Q(status_then__in=OPEN_STATUSES) | Q(status_then__isnull=True)
    figures = hazards.aggregate(
        found=Count("pk"),
        open=Count("pk", filter=open_then),
        serious=Count("pk", filter=open_then & Q(severity=HazardSeverity.SERIOUS)),
        overdue=Count("pk", filter=open_then & Q(deadline__lt=on)),
        rectified=Count("pk", filter=Q(status_then__in=(HazardStatus.RECTIFIED, HazardStatus.CLOSED))),
    )
    found = figures["found"]
    figures["rectification_rate"] = round(figures["rectified"] / found, 4) if found else None
    return figures


def hazard_board(*, user, on: date | None = None) -> list[dict]:
    """The regulators' board: open, serious open and overdue hazards per district of the hazards
    `user` sees, one grouped query; districts with no open hazard are left out."""
    on = on or timezone.localdate()
    rows = (
        Hazard.objects.visible_to(user)
        .open()
        .values("elevator__district", "elevator__district__name")
        .annotate(
            open=Count("pk"),
            serious=Count("pk", filter=Q(severity=HazardSeverity.SERIOUS)),
            overdue=Count("pk", filter=Q(deadline__lt=on)),
        )
        .order_by("elevator__district__name")
    )
    return [
        {
            "district_id": row["elevator__district"],
            "district": row["elevator__district__name"],
            "open": row["open"],
            "serious": row["serious"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]
