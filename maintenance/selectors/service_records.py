"""Reads of services, and what this part plugs into the other apps' registries: the services on the
elevator's timeline, and the maintenance-quality scores the rating reads
(insurance.rating.MAINTENANCE_SCORE_SOURCES)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.pgcopy import any_of
from elevators.models import Elevator, years_before
from elevators.selectors import TimelineEntry, register_timeline_source
from insurance import rating

from ..models import ServiceElevator, ServiceKind, ServiceRecord

IDS_PER_QUERY = 900  # stays under SQLite's limit on query parameters
SCORE_LOOKBACK_YEARS = 1


def maintenance_quality_scores(elevator_ids: list[int], on: date) -> dict[int, Decimal]:
    """Each elevator's maintenance-quality score on `on`: the score of its latest maintenance_quality
    service in the twelve months up to `on` (both ends: from the same day a year before), as a
    Decimal. Elevators with none are left out (the rating reads them as "no score"). One query on
    PostgreSQL, else one per IDS_PER_QUERY elevators."""
    since = years_before(on, SCORE_LOOKBACK_YEARS)
    scores: dict[int, Decimal] = {}
    ids = sorted(set(elevator_ids))
    step = max(len(ids), 1) if connection.vendor == "postgresql" else IDS_PER_QUERY  # any_of: one array
    for start in range(0, len(ids), step):
        rows = (
            ServiceElevator.objects.filter(
                any_of("elevator_id", ids[start : start + step]),
                service__kind=ServiceKind.MAINTENANCE_QUALITY,
                service__quality_score__isnull=False,
                service__performed_on__gte=since,
                service__performed_on__lte=on,
            )
            .order_by("elevator_id", "-service__performed_on", "-service_id")
            .values_list("elevator_id", "service__quality_score")
        )
        for elevator_id, score in rows:
            scores.setdefault(elevator_id, Decimal(score))
    return scores


rating.MAINTENANCE_SCORE_SOURCES.append(maintenance_quality_scores)


@register_timeline_source
def _services_timeline(elevator: Elevator, user) -> Iterable[TimelineEntry]:
    services = (
        ServiceRecord.objects.visible_to(user).filter(covered__elevator=elevator).select_related("insurer")
    )
    for service in services.order_by("-performed_on", "-pk")[:50]:
        detail = [service.service_number]
        if service.quality_score is not None:
            detail.append(_("评分 %(score)s") % {"score": service.quality_score})
        if service.findings:
            detail.append(service.findings[:80])
        yield TimelineEntry(
            on=service.performed_on,
            kind="service",
            title=service.get_kind_display(),
            detail="；".join(str(part) for part in detail),
            source=service.insurer.name,
            icon="shield-check",
            tone="info",
        )


def service_figures(*, user, start: date, end: date, elevators=None) -> list[dict]:
    """Services delivered from `start` to `end` (both inclusive) that `user` may see, counted by
    insurer and kind: [{"insurer_id", "insurer_name", "kind", "kind_label", "services",
    "elevators"}], by insurer name then kind. `elevators` (a queryset of Elevator) narrows them to
    services on those elevators (a district, a sector); `services` counts services, `elevators` the
    distinct elevators served."""
    services = ServiceRecord.objects.visible_to(user).filter(performed_on__gte=start, performed_on__lte=end)
    links = ServiceElevator.objects.filter(service__in=services)
    if elevators is not None:
        services = services.filter(covered__elevator__in=elevators).distinct()
        links = links.filter(elevator__in=elevators)
    counted = {
        (row["insurer_id"], row["kind"]): row
        for row in services.order_by()
        .values("insurer_id", "insurer__name", "kind")
        .annotate(n=Count("pk", distinct=True))
    }
    served = {
        (row["service__insurer_id"], row["service__kind"]): row["n"]
        for row in links.order_by()
        .values("service__insurer_id", "service__kind")
        .annotate(n=Count("elevator_id", distinct=True))
    }
    figures = [
        {
            "insurer_id": insurer_id,
            "insurer_name": row["insurer__name"],
            "kind": kind,
            "kind_label": str(ServiceKind(kind).label),
            "services": row["n"],
            "elevators": served.get((insurer_id, kind), 0),
        }
        for (insurer_id, kind), row in counted.items()
    ]
    return sorted(figures, key=lambda f: (f["insurer_name"], list(ServiceKind.values).index(f["kind"])))


SERVICE_EXPORT_HEADERS = [
    gettext_lazy("服务编号"), gettext_lazy("保险机构"), gettext_lazy("服务类型"), gettext_lazy("服务日期"), gettext_lazy("设备代码"), gettext_lazy("保单号"), gettext_lazy("服务地点"),
    gettext_lazy("维保质量评分"), gettext_lazy("安全评估等级"), gettext_lazy("评估结论"), gettext_lazy("垫付/支付金额（元）"), gettext_lazy("偿还方"), gettext_lazy("已偿还"),
    gettext_lazy("参加人数"), gettext_lazy("服务内容及发现"),
]  # fmt: skip


def service_export_table(*, queryset):
    """Headers and rows of the services list's Excel export (`queryset` already visible and
    filtered), one row per service, its elevators and policies joined by "、"."""
    services = (
        queryset.select_related("insurer")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "covered",
                queryset=ServiceElevator.objects.select_related("elevator", "policy").order_by("pk"),
            )
        )
    )
    yes_no = {True: _("是"), False: _("否"), None: ""}

    def rows():
        for service in services.iterator(chunk_size=500):
            links = list(service.covered.all())
            yield [
                service.service_number,
                service.insurer.name,
                service.get_kind_display(),
                service.performed_on,
                "、".join(link.elevator.equipment_code for link in links),
                "、".join(dict.fromkeys(link.policy.number for link in links)),
                service.site_name,
                service.quality_score,
                service.assessment_grade,
                service.get_assessment_conclusion_display(),
                service.amount,
                service.repayer,
                yes_no[service.repaid],
                service.attendance,
                service.findings,
            ]

    return [str(header) for header in SERVICE_EXPORT_HEADERS], rows()
