"""What a department's monthly report holds, read once: the frozen figures of its scope (the same
rows its dashboard's trend shows) and, from the live registry, its work list, the policies ending
next month, its claims in aggregate, and the per-insurer and publicly funded sheets."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.db import connections
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from accounts.models import Department, District
from elevators.models import Elevator
from insurance.models import Claim, FundingSource, InsuranceModel, Policy

from ..models import FrozenMonth, ScopeKind
from ..months import (
    FrozenCoverage,
    department_scope,
    frozen_coverage,
    month_end,
    next_month,
    previous_month,
    target_on,
)
from ..selectors.worklist import coverage_worklist
from ..sql import large_reads
from .maintenance import MaintenanceFigures, maintenance_figures

TREND_MONTHS = 12


@dataclass
class ReportData:
    """Everything one report shows; rows are lazy iterables (the builder streams them)."""

    month: date
    on: date
    status_label: str
    frozen_at: datetime
    department: str
    department_label: str
    scope_label: str
    coverage: FrozenCoverage
    previous: FrozenCoverage | None
    target: Decimal | None
    trend: list[tuple[str, Decimal | None, Decimal | None]]
    work_list: Iterable[tuple]
    ending_next_month: Iterable[tuple]
    claims: list[tuple]
    maintenance: MaintenanceFigures | None = None
    per_insurer: list[tuple] | None = None
    public_policies: Iterable[tuple] | None = None
    sheets: list[str] = field(default_factory=list)


def report_data(*, frozen_month: FrozenMonth, department: str) -> ReportData:
    """The data of `department`'s report of `frozen_month`, scoped like its dashboard."""
    [data] = reports_data(frozen_month=frozen_month, departments=[department])
    return data


def reports_data(*, frozen_month: FrozenMonth, departments: list[str]) -> list[ReportData]:
    """The data of the reports of `departments`, which must share one scope (SAMR and NFRA read
    the city's): what the scope shows is read once, and each department adds its own sheets. The
    rows (work list, policies ending) are lazy and meant to be read once, by build_reports."""
    scopes = {department_scope(code).key for code in departments}
    if len(scopes) != 1:
        raise ValueError("reports_data: the departments must share one scope")
    first, *others = departments
    data = _scope_report_data(frozen_month=frozen_month, department=first)
    datas = [data]
    for department in others:
        datas.append(
            replace(
                data,
                department=department,
                department_label=str(Department(department).label),
                per_insurer=None,
                public_policies=None,
            )
        )
    policies = Policy.objects.visible_to(department_scope(first).principal)
    for each in datas:
        if each.department == Department.NFRA:
            each.per_insurer = _per_insurer(each.coverage, policies, each.on)
        if each.department == Department.FINANCE:
            each.public_policies = _public_policies(policies, each.on)
    return datas


def _scope_report_data(*, frozen_month: FrozenMonth, department: str) -> ReportData:
    scope = department_scope(department)
    on = frozen_month.on
    coverage = frozen_coverage(frozen_month=frozen_month, scope=scope.key)
    before = FrozenMonth.objects.filter(month=previous_month(frozen_month.month)).first()
    previous = frozen_coverage(frozen_month=before, scope=scope.key) if before else None
    district = scope.code if scope.kind == ScopeKind.DISTRICT else None
    elevators = Elevator.objects.visible_to(scope.principal)
    policies = Policy.objects.visible_to(scope.principal)
    data = ReportData(
        month=frozen_month.month,
        on=on,
        status_label=str(frozen_month.get_status_display()),
        frozen_at=frozen_month.frozen_at,
        department=department,
        department_label=str(Department(department).label),
        scope_label=scope.label,
        coverage=coverage,
        previous=previous,
        target=target_on(on=on, district=district),
        trend=_trend(frozen_month, scope.key, district),
        work_list=_work_list(elevators, on),
        ending_next_month=_ending_next_month(policies, on),
        claims=_claims(elevators, frozen_month),
        maintenance=maintenance_figures(user=scope.principal, start=frozen_month.month, end=on),
    )
    return data


def _trend(frozen_month, scope, district) -> list[tuple]:
    months = FrozenMonth.objects.filter(month__lte=frozen_month.month).order_by("-month")[:TREND_MONTHS]
    rows = []
    for month in reversed(list(months)):
        total = frozen_coverage(frozen_month=month, scope=scope).total
        rows.append((month.label, total.rate, target_on(on=month.on, district=district)))
    return rows


def _work_list(elevators, on: date):
    """In scope and uninsured on the month's last day, from the registry as it is now (the sheet
    says so): the work list of the pages (reporting.selectors.coverage_worklist), with who should
    insure each and whether it lapsed (its last cover's end) or never had one."""
    rows = (
        coverage_worklist(elevators=elevators, on=on)
        .order_by("district_id", "place_category_id", "equipment_code")
        .values_list(
            "equipment_code",
            "registration_number",
            "district__name",
            "place_category__name",
            "site_name",
            "address",
            "user_unit__name",
            "user_unit__phone",
            "owner__name",
            "last_cover_end",
        )
    )
    return _fetched_by_district(rows)


def _fetched_by_district(queryset):
    """The rows of a values_list queryset ordered by district first, one query per district in
    that order: the driver holds one district's result at a time, not the city's (a city's work
    list at 10,000,000 elevators is three million rows, 1.4 GB of a report worker's memory held
    at once; bench/RESULTS.md)."""
    for code in District.objects.order_by("pk").values_list("pk", flat=True):
        yield from _fetched_in_chunks(queryset.filter(district_id=code))


def _fetched_in_chunks(queryset, chunk_size: int = 2000):
    """The rows of a values_list queryset from one ordinary query, converted chunk by chunk.

    Not `.iterator()`: on PostgreSQL that is a server-side cursor, and PostgreSQL never runs a
    cursor's query in parallel; the city's work list (about 300,000 rows at 1,000,000 elevators)
    took 3.5 times longer so. The driver holds the result instead (about 130 MB for those rows,
    within the reports' memory goal, bench/coverage_api.py); the rows become Python objects only a
    chunk at a time. The query runs without JIT and with the memory to sort in (reporting.sql).
    """
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column for column, *_rest in compiler.select[: compiler.col_count]])
    with connections[queryset.db].cursor() as cursor:
        with large_reads(queryset.db):
            cursor.execute(sql, params)  # the whole result is on the client from here
        while rows := cursor.fetchmany(chunk_size):
            yield from compiler.apply_converters(rows, converters) if converters else rows


def _ending_next_month(policies, on: date):
    start = next_month(on)
    ending = policies.filter(status=Policy.Status.ACTIVE, end_date__gte=start, end_date__lte=month_end(start))
    return _policy_rows(ending.order_by("end_date", "number"))


POLICY_ROW_COLUMNS = (
    "number",
    "insurer__name",
    "policyholder__name",
    "model",
    "start_date",
    "end_date",
    "elevator_count",
    "total_premium",
)


def _policy_rows(policies):
    """A report's rows of policies: number, insurer, holder, model, period, elevators, premium."""
    return _with_model_labels(policies.with_elevator_count().values_list(*POLICY_ROW_COLUMNS))


def _with_model_labels(rows):
    """Policy rows with the model's name in place of its code (column 4)."""
    labels = {m.value: str(m.label) for m in InsuranceModel}
    for row in _fetched_in_chunks(rows):
        yield (*row[:3], labels.get(row[3], row[3]), *row[4:])


def _claims(elevators, frozen_month) -> list[tuple]:
    """Claims on the scope's elevators reported in the month, in aggregate by status (sector
    departments see claims only so)."""
    claims = Claim.objects.filter(
        elevator__in=elevators, reported_on__gte=frozen_month.month, reported_on__lte=frozen_month.on
    )
    zero = Decimal("0.00")
    rows = (
        claims.values("status")
        .annotate(
            n=Count("pk"),
            claimed=Coalesce(Sum("amount_claimed"), zero),
            paid=Coalesce(Sum("amount_paid"), zero),
        )
        .order_by("status")
    )
    labels = dict(Claim._meta.get_field("status").choices)
    return [(str(labels.get(r["status"], r["status"])), r["n"], r["claimed"], r["paid"]) for r in rows]


def _per_insurer(coverage: FrozenCoverage, policies, on: date) -> list[tuple]:
    """The frozen insured counts per insurer beside the policies in force on the day (live)."""
    in_force = {
        row["insurer__credit_code"] or str(row["insurer_id"]): row
        for row in policies.active_on(on)
        .values("insurer_id", "insurer__credit_code")
        .annotate(n=Count("pk"), premium=Sum("total_premium"))
        .order_by()
    }
    rows = []
    for figure in coverage.by("insurer"):
        live = in_force.get(figure.key, {})
        rows.append(
            (figure.key, figure.label, figure.insured, figure.rate, live.get("n", 0), live.get("premium"))
        )
    return rows


def _public_policies(policies, on: date):
    public = policies.filter(funding_source=FundingSource.PUBLIC_FINANCE).active_on(on)
    return _policy_rows(public.order_by("insurer__name", "number"))
