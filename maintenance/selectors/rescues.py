"""Reads of rescues, and what this part plugs into the other apps' registries (timeline, public
card, safety states, filters, rating)."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from elevators.selectors import TimelineEntry, register_timeline_source

from ..models import PassengerFeedback, RescueIncident

RATE_PLACES = Decimal("0.0001")
MINUTE_PLACES = Decimal("0.1")


def _limit_minutes() -> int:
    return settings.TIBAO["RESCUE_ARRIVAL_LIMIT_MINUTES"]


def within_limit_condition() -> Q:
    """Rescues whose rescuers arrived within the limit, as the database says it: whole minutes to
    arrive (RescueIncident.minutes_to_arrive, rounded down) at most the limit, so before
    alarm + limit + 1 minute (30 minutes 59 seconds is within 30, 31 minutes is not)."""
    return Q(arrived_at__lt=F("alarm_at") + timedelta(minutes=_limit_minutes() + 1))


def late_condition() -> Q:
    """Rescues whose rescuers arrived after the limit (unknown arrivals are neither)."""
    return Q(arrived_at__gte=F("alarm_at") + timedelta(minutes=_limit_minutes() + 1))


def _period(start: date, end: date) -> Q:
    """Alarms on start..end (both inclusive), days in the portal's time zone."""
    zone = timezone.get_current_timezone()
    begin = timezone.make_aware(datetime.combine(start, time.min), zone)
    after = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    return Q(alarm_at__gte=begin, alarm_at__lt=after)


FIGURES = {
    "count": Count("pk"),
    "arrived": Count("pk", filter=Q(arrived_at__isnull=False)),
    "within": Count("pk", filter=within_limit_condition()),
    "mean_arrival": Avg(ExpressionWrapper(F("arrived_at") - F("alarm_at"), output_field=DurationField())),
}


def _figures(row: dict) -> dict:
    mean = row["mean_arrival"]
    if mean is not None and not isinstance(mean, timedelta):
        mean = timedelta(microseconds=float(mean))  # SQLite averages the microseconds
    return {
        "count": row["count"],
        "arrived": row["arrived"],
        "within_limit": row["within"],
        "mean_minutes_to_arrive": (
            None
            if mean is None
            else (Decimal(mean.total_seconds()) / 60).quantize(MINUTE_PLACES, rounding=ROUND_HALF_UP)
        ),
        "within_limit_rate": (
            None
            if not row["arrived"]
            else (Decimal(row["within"]) / row["arrived"]).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        ),
    }


def rescue_figures(*, rescues, start: date, end: date) -> dict:
    """The rescues of a slice (a queryset already visible to the reader) with alarms on
    start..end: {"count", "arrived" (arrival known), "within_limit", "mean_minutes_to_arrive"
    (exact times, one decimal, None without arrivals), "within_limit_rate" (within / arrived, four
    places, None without arrivals)}. One query."""
    row = rescues.filter(_period(start, end)).order_by().aggregate(**FIGURES)
    return _figures(row)


def rescue_board(*, rescues, start: date, end: date) -> list[dict]:
    """rescue_figures by district (one grouped query), districts in code order; each row also
    has "district_id" and "district" (its name)."""
    rows = (
        rescues.filter(_period(start, end))
        .order_by()
        .values("elevator__district_id", "elevator__district__name", "elevator__district__code")
        .annotate(**FIGURES)
        .order_by("elevator__district__code")
    )
    return [
        {
            "district_id": row["elevator__district_id"],
            "district": row["elevator__district__name"],
            **_figures(row),
        }
        for row in rows
    ]


def complaint_counts(company_ids: Iterable[int], *, since: date | datetime | None = None) -> dict[int, int]:
    """Passengers' complaints (feedback with a complaint text) about the elevators each maintenance
    company maintains now, since `since` (a day counts from its start); companies without any are
    left out. One grouped query."""
    feedback = PassengerFeedback.objects.complaints().filter(
        elevator__maintenance_company_id__in=list(company_ids)
    )
    if since is not None:
        if not isinstance(since, datetime):
            since = timezone.make_aware(datetime.combine(since, time.min), timezone.get_current_timezone())
        feedback = feedback.filter(created_at__gte=since)
    rows = feedback.order_by().values("elevator__maintenance_company_id").annotate(n=Count("pk"))
    return {row["elevator__maintenance_company_id"]: row["n"] for row in rows}


@register_timeline_source
def _rescues(elevator, user) -> Iterable[TimelineEntry]:
    rescues = RescueIncident.objects.visible_to(user).filter(elevator=elevator).select_related("reporter")
    for rescue in rescues:
        minutes = rescue.minutes_to_arrive
        detail = [_("被困 %(n)s 人") % {"n": rescue.people_trapped}]
        if minutes is not None:
            detail.append(_("%(m)s 分钟到达") % {"m": minutes})
        if rescue.tier:
            detail.append(rescue.get_tier_display())
        late = rescue.arrived_within_limit is False
        yield TimelineEntry(
            on=timezone.localdate(rescue.alarm_at),
            kind="rescue",
            title=_("困人救援 %(number)s") % {"number": rescue.rescue_number},
            detail="；".join(str(part) for part in detail),
            source=rescue.reporter.name,
            icon="life-preserver",
            tone="danger" if late else "warning",
        )
