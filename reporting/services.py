"""Writes of reporting: freezing, approving and publishing months, targets, the monthly reports."""

import hashlib
import logging
import os
import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation

from auditlog.context import auditlog_value
from celery import group
from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department, District, Organisation, OrganisationKind
from accounts.services import notice_send
from core.dbrouter import replica_reads
from core.exceptions import ApplicationError
from core.principal import SYSTEM
from core.visibility import organisation_of

from .models import (
    DailyFigure,
    DailySnapshot,
    FrozenFigure,
    FrozenMonth,
    MonthStatus,
    Refreeze,
    ReportRun,
    ReportStatus,
    Target,
)
from .months import CITY_SLICE, TOTAL, freeze_slices, month_end, month_start, slice_scopes
from .selectors import GROUPINGS, coverage_all
from .selectors.coverage import forecast_all
from .tasks import email_report, freeze_finish, freeze_slice, generate_month_reports, generate_reports

logger = logging.getLogger(__name__)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- who ----------------------------------------------------------------------------------------


def _is_city_regulator(user) -> bool:
    """The city regulator, or the server's own operators (commands, scheduled tasks)."""
    organisation = organisation_of(user)
    if organisation is None:
        return bool(getattr(user, "is_superuser", False)) and getattr(user, "is_authenticated", False)
    return organisation.is_active and organisation.kind == OrganisationKind.CITY_REGULATOR


def _check_city_regulator(user, message) -> None:
    if not _is_city_regulator(user):
        raise ApplicationError(message)


def _actor(user) -> tuple[object, str]:
    """The user to record (None for a principal that is no user) and a label naming the actor:
    the enclosing command or task (core.audit.acting_as) or the user's name."""
    person = user if getattr(user, "pk", None) and hasattr(user, "_meta") else None
    context = auditlog_value.get(None) or {}
    label = person.username if person else context.get("actor_email") or str(user)
    return person, str(label)[:100]


# --- freezing -----------------------------------------------------------------------------------


def slice_figures(*, key: str, on: date) -> list[FrozenFigure]:
    """The figures of one slice of a month (reporting.months.freeze_slices) on `on`: each of its
    scopes' total and rows of every grouping, as coverage_by answers them for the scope's reader,
    computed in one pass (coverage_all: the city and its districts from the same three scans)."""
    scopes = slice_scopes(key)
    if key == CITY_SLICE:
        districts = [scope.code for scope in scopes[1:]]
        answers = coverage_all(user=SYSTEM, on=on, districts=districts)
        per_scope = [answers[None], *(answers[code] for code in districts)]
    else:
        [scope] = scopes
        per_scope = [coverage_all(user=scope.principal, on=on, filters=scope.filters)[None]]
    figures = []
    for scope, groupings in zip(scopes, per_scope, strict=True):
        figures.append(_figure(scope.key, TOTAL, groupings[GROUPINGS[0]].total))
        for by in GROUPINGS:
            figures += [_figure(scope.key, by, row) for row in groupings[by].rows]
    return figures


def _figures_at(on: date) -> list[FrozenFigure]:
    """Every slice's figures on `on`, in the order of freeze_slices."""
    return [figure for key in freeze_slices() for figure in slice_figures(key=key, on=on)]


def _figure(scope: tuple[str, str], by: str, row) -> FrozenFigure:
    return FrozenFigure(
        scope=scope[0],
        scope_code=scope[1],
        by=by,
        key=row.key,
        label=row.label[:200],
        in_scope=row.in_scope,
        insured=row.insured,
    )


def _figures_as_list(figures) -> list[list]:
    return [[f.scope, f.scope_code, f.by, f.key, f.label, f.in_scope, f.insured] for f in figures]


def _figures_from_lists(rows: list[list]) -> list[FrozenFigure]:
    fields = ("scope", "scope_code", "by", "key", "label", "in_scope", "insured")
    return [FrozenFigure(**dict(zip(fields, row, strict=True))) for row in rows]


def month_freeze(
    *, user, month: date, reason: str = "", figures: list[list] | None = None
) -> tuple[FrozenMonth, bool]:
    """Freeze `month` (any day of it): the figures of every scope and grouping at its last day.

    Idempotent: a month already frozen is left as it is, unless the city regulator re-freezes it
    with a `reason`, which is recorded with the figures before and after (the month goes back to
    draft and must be approved and published again). A month that has not ended is refused.
    Returns (the frozen month, whether figures were computed).

    `figures` are the month's rows already computed by its slices (month_freeze_in_slices: one
    task per slice, then this as the finishing step); without them they are computed here.
    """
    first, on = month_start(month), month_end(month)
    if on >= timezone.localdate():
        raise ApplicationError(
            _("%(month)s 尚未结束，不能冻结。") % {"month": f"{first:%Y-%m}"}, field="month"
        )
    reason = (reason or "").strip()
    if reason:
        _check_city_regulator(user, _("只有市级市场监管部门可以重新冻结月度数据。"))
    else:
        _check_city_regulator(user, _("只有市级市场监管部门可以冻结月度数据。"))
    existing = FrozenMonth.objects.filter(month=first).first()
    if existing is not None and not reason:
        return existing, False
    person, label = _actor(user)
    with transaction.atomic():
        frozen = FrozenMonth.objects.select_for_update().filter(month=first).first()
        if frozen is None:
            try:
                with transaction.atomic():
                    frozen = FrozenMonth.objects.create(
                        month=first, on=on, frozen_at=timezone.now(), frozen_by=person, frozen_by_label=label
                    )
            except IntegrityError:
                # another freeze of the same month won the race: its figures stand
                return FrozenMonth.objects.get(month=first), False
            figures = _figures_from_lists(figures) if figures is not None else _figures_at(on)
            _store(frozen, figures)
            return frozen, True
        if not reason:
            return frozen, False
        before = _figures_as_list(frozen.figures.order_by("pk"))
        previous = {"previous_frozen_at": frozen.frozen_at, "previous_status": frozen.status}
        figures = _figures_from_lists(figures) if figures is not None else _figures_at(on)
        frozen.figures.all().delete()
        _store(frozen, figures)
        now = timezone.now()
        Refreeze.objects.create(
            frozen_month=frozen,
            refrozen_at=now,
            refrozen_by=person,
            refrozen_by_label=label,
            reason=reason,
            figures_before=before,
            figures_after=_figures_as_list(figures),
            **previous,
        )
        frozen.frozen_at, frozen.frozen_by, frozen.frozen_by_label = now, person, label
        frozen.status = MonthStatus.DRAFT
        frozen.approved_at = frozen.approved_by = frozen.published_at = frozen.published_by = None
        frozen.save()
        return frozen, True


def month_freeze_in_slices(*, user, month: date):
    """Freeze `month` on the workers: one task per slice of freeze_slices computes its figures
    (several workers share the month), and one finishing task stores them all in one transaction
    through month_freeze, so a month is frozen whole or not at all and freezing stays idempotent
    (a month already frozen is left alone; re-freezing with a reason is month_freeze's, by hand).
    Returns the chord's result; with tasks run in-process the month is frozen when this returns."""
    from celery import chord

    first, on = month_start(month), month_end(month)
    if on >= timezone.localdate():
        raise ApplicationError(
            _("%(month)s 尚未结束，不能冻结。") % {"month": f"{first:%Y-%m}"}, field="month"
        )
    _check_city_regulator(user, _("只有市级市场监管部门可以冻结月度数据。"))
    header = [freeze_slice.si(first.isoformat(), key) for key in freeze_slices()]
    return chord(header)(freeze_finish.s(first.isoformat()))


# --- the daily figures the dashboards read ------------------------------------------------------


def daily_figures_refresh(
    *, on: date | None = None, figures: list[FrozenFigure] | None = None
) -> DailySnapshot:
    """Keep the coverage figures of `on` (today by default) for every scope and grouping, the same
    rows a frozen month stores (slice_figures), replacing that day's in one transaction: the
    dashboards read them (selectors.daily.coverage_kept) instead of counting on each request.
    `figures`: the day's rows already computed (a month's freeze passes its own)."""
    on = on or timezone.localdate()
    if figures is None:
        figures = _figures_at(on) + _forecast_figures(on)
    with transaction.atomic():
        DailySnapshot.objects.filter(day=on).delete()
        snapshot = DailySnapshot.objects.create(day=on, computed_at=timezone.now())
        DailyFigure.objects.bulk_create(
            [
                DailyFigure(
                    snapshot=snapshot,
                    scope=f.scope,
                    scope_code=f.scope_code,
                    by=f.by,
                    key=f.key,
                    label=f.label,
                    in_scope=f.in_scope,
                    insured=f.insured,
                )
                for f in figures
            ],
            batch_size=1000,
        )
    return snapshot


FORECAST = "forecast"  # the `by` of a kept day's renewal-cliff points (key: the days ahead)


def _forecast_figures(on: date) -> list[FrozenFigure]:
    """The renewal cliff's points of every scope on `on` (coverage_forecast's), one grouped count
    per slice (forecast_all), as rows `by = "forecast"`."""
    figures = []
    for key in freeze_slices():
        scopes = slice_scopes(key)
        if key == CITY_SLICE:
            districts = [scope.code for scope in scopes[1:]]
            answers = forecast_all(user=SYSTEM, on=on, districts=districts)
            per_scope = [answers[None], *(answers[code] for code in districts)]
        else:
            per_scope = [forecast_all(user=scopes[0].principal, on=on, filters=scopes[0].filters)[None]]
        for scope, points in zip(scopes, per_scope, strict=True):
            figures += [_figure(scope.key, FORECAST, point.figure) for point in points]
    return figures


def _store(frozen: FrozenMonth, figures: list[FrozenFigure]) -> None:
    for figure in figures:
        figure.frozen_month = frozen
    FrozenFigure.objects.bulk_create(figures, batch_size=1000)
    # the month's last day is kept for the dashboards too (its "as of" reads them)
    daily_figures_refresh(on=frozen.on, figures=figures)


def _transition(*, user, frozen_month: FrozenMonth, status: str, refusal: str) -> FrozenMonth:
    _check_city_regulator(user, _("只有市级市场监管部门可以审核和发布月度数据。"))
    frozen = FrozenMonth.objects.select_for_update().get(pk=frozen_month.pk)
    if not frozen.can_transition_to(status):
        raise ApplicationError(refusal % {"month": frozen.label, "status": frozen.get_status_display()})
    person, _label = _actor(user)
    frozen.status = status
    if status == MonthStatus.APPROVED:
        frozen.approved_at, frozen.approved_by = timezone.now(), person
    elif status == MonthStatus.PUBLISHED:
        frozen.published_at, frozen.published_by = timezone.now(), person
    frozen.save()
    return frozen


@transaction.atomic
def month_approve(*, user, frozen_month: FrozenMonth) -> FrozenMonth:
    """Approve a draft month (the city regulator): draft → approved."""
    return _transition(
        user=user,
        frozen_month=frozen_month,
        status=MonthStatus.APPROVED,
        refusal=_("%(month)s 当前为“%(status)s”，只有草稿可以审核。"),
    )


@transaction.atomic
def month_publish(*, user, frozen_month: FrozenMonth, reports: bool = True) -> FrozenMonth:
    """Publish an approved month (the city regulator): approved → published. Departments, their
    reports and the public page see it from now on; its reports are built after commit (unless
    `reports` is false: a history back-filled at once, whose reports nobody waits for)."""
    frozen = _transition(
        user=user,
        frozen_month=frozen_month,
        status=MonthStatus.PUBLISHED,
        refusal=_("%(month)s 当前为“%(status)s”，只有已审核的月份可以发布。"),
    )
    if reports:
        transaction.on_commit(lambda: generate_month_reports.delay(frozen.pk))
    return frozen


# --- targets ------------------------------------------------------------------------------------


def target_set(*, user, due_on: date, rate, district: District | None = None) -> Target:
    """Set (or change) the coverage target due on `due_on` for the city or one district."""
    _check_city_regulator(user, _("只有市级市场监管部门可以设定目标。"))
    try:
        rate = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("目标投保率应为 0 到 1 之间的数。"), field="rate") from None
    if not (0 <= rate <= 1):
        raise ApplicationError(_("目标投保率应为 0 到 1 之间的数。"), field="rate")
    person, _label = _actor(user)
    with transaction.atomic():
        target, _created = Target.objects.select_for_update().update_or_create(
            district=district,
            due_on=due_on,
            defaults={"rate": rate.quantize(Decimal("0.0001")), "set_by": person},
        )
    return target


# --- reports ------------------------------------------------------------------------------------


def reports_request(
    *, user, frozen_month: FrozenMonth, departments: list[str] | None = None, enqueue: bool = True
) -> list[ReportRun]:
    """Queue the monthly report of each department (all eight by default) for a frozen month: one
    row per month and department, reset to pending; the current file stays until a new one is
    complete. The reports are built by a task after commit (`enqueue`), or by the caller."""
    _check_city_regulator(user, _("只有市级市场监管部门可以生成报表。"))
    codes = departments or list(Department.values)
    unknown = sorted(set(codes) - set(Department.values))
    if unknown:
        raise ApplicationError(
            _("未知的部门代码：%(codes)s。") % {"codes": "、".join(unknown)}, field="department"
        )
    person, _label = _actor(user)
    runs = []
    with transaction.atomic():
        for code in sorted(codes):
            run, _created = ReportRun.objects.select_for_update().get_or_create(
                frozen_month=frozen_month, department=code, defaults={"requested_by": person}
            )
            run.status, run.requested_by, run.message, run.attempts = ReportStatus.PENDING, person, "", 0
            run.started_at = run.finished_at = run.emailed_at = None
            run.save()
            runs.append(run)
        if enqueue:
            batches = report_batches(runs)
            transaction.on_commit(lambda: group(generate_reports.si(ids) for ids in batches).delay())
    return runs


def report_batches(runs: list[ReportRun]) -> list[list[int]]:
    """The runs' ids in batches of one scope each (SAMR and NFRA share the city's): each batch is
    one task, so several workers share a month and a scope's rows are read once."""
    from .months import department_scope

    batches: dict[tuple[str, str], list[int]] = {}
    for run in runs:
        batches.setdefault(department_scope(run.department).key, []).append(run.pk)
    return list(batches.values())


def report_generate(*, report_run_id: int) -> ReportRun:
    """Build one department's report of a frozen month and swap it in (reports_generate)."""
    [run] = reports_generate(report_run_ids=[report_run_id])
    return run


def reports_generate(*, report_run_ids: list[int]) -> list[ReportRun]:
    """Build the reports of a frozen month's departments of one scope (report_batches) and swap
    each in; the rows they share are read once (reporting.reports.build_reports).

    Each workbook is written to a temporary file first; only a complete file is stored, and the
    row points at it (with its checksum) in one transaction, the previous file being removed after
    commit. A run already done is left alone (re-runs go through `reports_request`). A failure marks
    the runs being built failed, keeps their previous files and re-raises (the task retries with
    backoff).
    """
    from . import reports

    started = []
    with transaction.atomic():
        runs = list(
            ReportRun.objects.select_for_update()
            .select_related("frozen_month")
            .filter(pk__in=report_run_ids)
            .order_by("department")
        )
        for run in runs:
            if run.status != ReportStatus.DONE:
                run.status, run.started_at, run.attempts = (
                    ReportStatus.RUNNING,
                    timezone.now(),
                    run.attempts + 1,
                )
                run.save(update_fields=["status", "started_at", "attempts"])
                started.append(run)
    if not started:
        return runs
    paths = []
    try:
        for _run in started:
            handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="report-")
            os.close(handle)
            paths.append(path)
        frozen_month = started[0].frozen_month
        if any(run.frozen_month_id != frozen_month.pk for run in started):
            raise ValueError("reports_generate: the runs must be of one frozen month")
        # The reports' reads (the frozen figures and the runs aside) go to the read replica if any.
        with translation.override(settings.LANGUAGE_CODE), replica_reads():  # in the portal's language
            if len(started) == 1:
                reports.build_report(
                    reports.report_data(frozen_month=frozen_month, department=started[0].department), paths[0]
                )
            else:
                datas = reports.reports_data(
                    frozen_month=frozen_month, departments=[r.department for r in started]
                )
                reports.build_reports(list(zip(datas, paths, strict=True)))
        built = {run.pk: _store_report(run.pk, path) for run, path in zip(started, paths, strict=True)}
        return [built.get(run.pk, run) for run in runs]
    except Exception as exc:
        logger.exception("reports %s failed", [run.pk for run in started])
        ReportRun.objects.filter(pk__in=[run.pk for run in started], status=ReportStatus.RUNNING).update(
            status=ReportStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        for path in paths:
            os.unlink(path)


def _store_report(report_run_id: int, path: str) -> ReportRun:
    """Point the run at the complete workbook at `path` (stored under the run's name)."""
    checksum, size = _file_digest(path)
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().select_related("frozen_month").get(pk=report_run_id)
        previous = run.file.name
        with open(path, "rb") as handle_in:
            run.file.save(run.filename, File(handle_in), save=False)
        stored = run.file.name
        transaction.on_commit(lambda: _delete_file(previous) if previous and previous != stored else None)
        run.checksum, run.size, run.status, run.message = checksum, size, ReportStatus.DONE, ""
        run.finished_at = timezone.now()
        run.save()
        if run.frozen_month.is_published:
            transaction.on_commit(lambda: email_report.delay(run.pk))
    return run


def _file_digest(path: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _delete_file(name: str) -> None:
    from django.core.files.storage import default_storage

    default_storage.delete(name)


def report_email_deliver(*, report_run_id: int) -> bool:
    """E-mail a finished report to its department's contacts, once per file, with an in-app notice
    to the department. Returns whether a message went out."""
    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update(of=("self",))
            .select_related("frozen_month")
            .filter(pk=report_run_id, status=ReportStatus.DONE, emailed_at__isnull=True)
            .first()
        )
        if run is None or not run.file:
            return False
        organisation = Organisation.objects.filter(department=run.department, is_active=True).first()
        if organisation is None:
            return False
        subject = _("%(month)s 电梯安全责任保险月度报表（%(department)s）") % {
            "month": run.frozen_month.label,
            "department": run.get_department_display(),
        }
        notice_send(
            organisation=organisation,
            subject=subject,
            link=reverse("report-download", args=[run.pk]),
            email=False,
        )
        recipients = organisation.contact_emails()
        if not recipients:
            return False
        message = EmailMessage(subject, _("月度报表见附件。"), None, recipients)
        with run.file.open("rb") as handle:
            message.attach(run.filename, handle.read(), XLSX_CONTENT_TYPE)
        message.send()
        run.emailed_at = timezone.now()
        run.save(update_fields=["emailed_at"])
        return True
