"""Reads about elevators that cross relations: the timeline, the public card."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from .models import Elevator


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to an elevator, whatever app recorded it."""

    on: date
    kind: str  # a stable key, e.g. "inspection", "status_change", "maintenance"
    title: str
    detail: str = ""
    source: str = ""  # the app or body that recorded it
    icon: str = "dot"
    tone: str = "secondary"  # a Bootstrap colour: success, warning, danger, info, secondary


TimelineSource = Callable[[Elevator], Iterable[TimelineEntry]]
TIMELINE_SOURCES: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    """Apps add their events (maintenance, hazards, rescue, policies, claims) to every timeline."""
    TIMELINE_SOURCES.append(source)
    return source


@register_timeline_source
def _inspections(elevator: Elevator) -> Iterable[TimelineEntry]:
    for inspection in elevator.inspections.all():
        passed = inspection.result != "fail"
        detail = [inspection.get_result_display()]
        if inspection.next_due:
            detail.append(_("下次检验 %(date)s") % {"date": inspection.next_due.isoformat()})
        if inspection.report_number:
            detail.append(_("报告 %(no)s") % {"no": inspection.report_number})
        yield TimelineEntry(
            on=inspection.inspected_on,
            kind="inspection",
            title=inspection.get_kind_display(),
            detail="；".join(str(d) for d in detail),
            source=inspection.inspection_body,
            icon="clipboard-check" if passed else "clipboard-x",
            tone="success" if passed else "danger",
        )


LIFECYCLE_ICONS = {
    "install_notice": ("tools", "info"),
    "modification_notice": ("wrench", "info"),
    "major_repair_notice": ("wrench-adjustable", "warning"),
    "registration": ("card-checklist", "primary"),
    "registration_change": ("pencil-square", "primary"),
    "status_change": ("toggle-on", "warning"),
}


@register_timeline_source
def _lifecycle(elevator: Elevator) -> Iterable[TimelineEntry]:
    for event in elevator.events.all():
        icon, tone = LIFECYCLE_ICONS.get(event.kind, ("dot", "secondary"))
        detail = "；".join(part for part in (event.description, event.reference) if part)
        yield TimelineEntry(
            on=event.occurred_on,
            kind=event.kind,
            title=event.get_kind_display(),
            detail=detail,
            icon=icon,
            tone=tone,
        )


def elevator_timeline(*, elevator: Elevator) -> list[TimelineEntry]:
    """Everything that happened to `elevator`, newest first, from every registered source.

    The caller has already checked that the user may see the elevator (visible_to); each source
    shows only facts about this one elevator.
    """
    entries = [entry for source in TIMELINE_SOURCES for entry in source(elevator)]
    return sorted(entries, key=lambda entry: entry.on, reverse=True)
