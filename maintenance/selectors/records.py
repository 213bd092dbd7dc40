"""Reads of maintenance records, and what this part plugs into the other apps' registries: the
maintenance state conditions of elevators (elevators.models.register_elevator_condition), the
timeline entries and the public card's last maintenance.

The maintenance state of an elevator on day D (reference/maintenance.md, TSG T5002-2017):
- `none`: no record on the platform on or before D;
- `overdue`: its latest record of any level is more than the half-monthly interval (15 days) before
  D — 15 days before D is still on time, 16 is overdue;
- `ok` otherwise.
Each higher level L (quarterly, half-yearly, yearly) is overdue when the latest record of L or a
higher level is more than L's interval (90 / 180 / 365 days) before D, counted from the elevator's
first record when L has none yet: a new platform cannot know older visits. Both reduce to EXISTS
subqueries over the (elevator, performed_on) and (elevator, level, performed_on) indexes — "no
record in the window, and some record before it" — so a whole registry is judged in one query.
Intervals are settings.TIBAO["MAINTENANCE_INTERVAL_DAYS"]; an elevator in an on-demand pilot
(Elevator.on_demand_maintenance) uses MAINTENANCE_PILOT_INTERVAL_DAYS.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from elevators.models import Elevator, register_elevator_condition
from elevators.selectors import TimelineEntry, register_public_card_facts, register_timeline_source

from ..models import MaintenanceLevel, MaintenanceRecord, MaintenanceState, RecordFlag, levels_at_or_above

HIGHER_LEVELS = (MaintenanceLevel.QUARTERLY, MaintenanceLevel.HALF_YEARLY, MaintenanceLevel.YEARLY)


def interval_days(level: str, *, pilot: bool) -> int:
    """The longest gap (days) allowed between two records of `level` (or higher)."""
    key = "MAINTENANCE_PILOT_INTERVAL_DAYS" if pilot else "MAINTENANCE_INTERVAL_DAYS"
    return settings.TIBAO[key][level]


def _records(**lookups) -> Exists:
    return Exists(MaintenanceRecord.objects.filter(elevator=OuterRef("pk"), **lookups))


def _overdue_with(level: str, *, on: date, pilot: bool) -> Q:
    """Overdue for `level` under one set of intervals: no record of it (or higher) in the window
    ending on `on`, and some record of any level before the window (the first-record rule)."""
    since = on - timedelta(days=interval_days(level, pilot=pilot))
    window = {"performed_on__gte": since, "performed_on__lte": on}
    if level != MaintenanceLevel.HALF_MONTHLY:
        window["level__in"] = levels_at_or_above(level)
    return ~Q(_records(**window)) & Q(_records(performed_on__lt=since))


def overdue_condition(level: str, *, on: date) -> Q:
    """Elevators overdue on `on` for `level` (half_monthly is the 15-day rule), pilots by their own
    intervals."""
    return (Q(on_demand_maintenance=False) & _overdue_with(level, on=on, pilot=False)) | (
        Q(on_demand_maintenance=True) & _overdue_with(level, on=on, pilot=True)
    )


def no_record_condition(*, on: date) -> Q:
    """Elevators with no record on the platform on or before `on` (the state `none`)."""
    return ~Q(_records(performed_on__lte=on))


@register_elevator_condition("maintenance_state")
def maintenance_state_condition(*, state: str, on: date) -> Q:
    """Elevators whose maintenance state on `on` is `state` (ok, overdue, none; module docstring)."""
    if state == MaintenanceState.NONE:
        return no_record_condition(on=on)
    overdue = overdue_condition(MaintenanceLevel.HALF_MONTHLY, on=on)
    if state == MaintenanceState.OVERDUE:
        return overdue
    if state == MaintenanceState.OK:
        return ~no_record_condition(on=on) & ~overdue
    raise ValueError(f"unknown maintenance state {state!r}")


@register_elevator_condition("maintenance_level_overdue")
def level_overdue_condition(*, level: str, on: date) -> Q:
    """Elevators overdue on `on` for the higher level `level` (quarterly, half_yearly, yearly)."""
    if level not in HIGHER_LEVELS:
        raise ValueError(f"not a higher maintenance level: {level!r}")
    return overdue_condition(level, on=on)


def maintenance_state_expression(*, on: date) -> Case:
    """The state on `on` as an annotation (a MaintenanceState value), for lists and pages."""
    return Case(
        When(no_record_condition(on=on), then=Value(MaintenanceState.NONE.value)),
        When(
            overdue_condition(MaintenanceLevel.HALF_MONTHLY, on=on),
            then=Value(MaintenanceState.OVERDUE.value),
        ),
        default=Value(MaintenanceState.OK.value),
        output_field=models.CharField(),
    )


def elevator_maintenance(*, elevator: Elevator, on: date | None = None) -> dict:
    """One elevator's maintenance on `on` (today): {"state", "state_label", "last_on", "overdue_levels"
    (labels of the higher levels overdue)}, read in one query."""
    on = on or timezone.localdate()
    annotations = {
        f"overdue_{level}": models.ExpressionWrapper(
            overdue_condition(level, on=on), output_field=models.BooleanField()
        )
        for level in HIGHER_LEVELS
    }
    row = (
        Elevator.objects.filter(pk=elevator.pk)
        .annotate(state=maintenance_state_expression(on=on), **annotations)
        .values("state", *annotations)
        .get()
    )
    last = elevator.maintenance_records.filter(performed_on__lte=on).order_by("-performed_on").first()
    return {
        "state": row["state"],
        "state_label": MaintenanceState(row["state"]).label,
        "last_on": last.performed_on if last else None,
        "overdue_levels": [level.label for level in HIGHER_LEVELS if row[f"overdue_{level}"]],
    }


# --- registries: the timeline and the public card ------------------------------------------------


@register_timeline_source
def _maintenance_timeline(elevator: Elevator, user) -> Iterable[TimelineEntry]:
    records = MaintenanceRecord.objects.visible_to(user).filter(elevator=elevator).select_related("company")
    for record in records.prefetch_related("flags"):
        flags = [flag.get_flag_display() for flag in record.flags.all()]
        detail = [_("记录 %(no)s") % {"no": record.record_number}]
        if flags:
            detail.append(_("疑点：%(flags)s") % {"flags": "、".join(str(f) for f in flags)})
        yield TimelineEntry(
            on=record.performed_on,
            kind="maintenance",
            title=record.get_level_display(),
            detail="；".join(detail),
            source=record.company.name,
            icon="tools",
            tone="warning" if flags else "success",
        )


@register_public_card_facts
def _last_maintenance(elevator: Elevator) -> dict:
    """The card's latest maintenance date and the state today (the public may know both)."""
    today = timezone.localdate()
    last = (
        MaintenanceRecord.objects.filter(elevator=elevator, performed_on__lte=today)
        .order_by("-performed_on")
        .values_list("performed_on", flat=True)
        .first()
    )
    facts = {"last_maintenance": last}
    state = elevator_maintenance(elevator=elevator, on=today)
    facts["maintenance_state"] = {"key": state["state"], "label": state["state_label"]}
    return facts


# --- reads for the pages ---------------------------------------------------------------------------


def records_for_review(*, user):
    """Flagged records `user` may see that nobody has reviewed yet, oldest first (the review queue)."""
    return (
        MaintenanceRecord.objects.visible_to(user)
        .filter(Exists(RecordFlag.objects.filter(record=OuterRef("pk"))))
        .filter(review_outcome__in=["", "pending"])
        .select_related("elevator", "company")
        .prefetch_related("flags")
        .order_by("performed_on", "pk")
    )
