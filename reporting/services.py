"""Writes of reporting: freezing, approving and publishing months, targets, the monthly reports."""

import hashlib
import logging
import os
import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation

from auditlog.context import auditlog_value
from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department, District, Organisation, OrganisationKind
from accounts.services import notice_send
from core.exceptions import ApplicationError
from core.visibility import organisation_of

from .models import (
    FrozenFigure,
    FrozenMonth,
    MonthStatus,
    Refreeze,
    ReportRun,
    ReportStatus,
    Target,
)
from .months import TOTAL, freeze_scopes, month_end, month_start
from .selectors import GROUPINGS, coverage_by
from .tasks import email_report, generate_month_reports, generate_report

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


def _figures_at(on: date) -> list[FrozenFigure]:
    """Every scope's total and rows of every grouping on `on`, as coverage_by answers them."""
    figures = []
    for scope in freeze_scopes():
        total_done = False
        for by in GROUPINGS:
            coverage = coverage_by(user=scope.principal, on=on, by=by, filters=scope.filters)
            if not total_done:
                figures.append(_figure(scope.key, TOTAL, coverage.total))
                total_done = True
            figures += [_figure(scope.key, by, row) for row in coverage.rows]
    return figures


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


def month_freeze(*, user, month: date, reason: str = "") -> tuple[FrozenMonth, bool]:
    """Freeze `month` (any day of it): the figures of every scope and grouping at its last day.

    Idempotent: a month already frozen is left as it is, unless the city regulator re-freezes it
    with a `reason`, which is recorded with the figures before and after (the month goes back to
    draft and must be approved and published again). A month that has not ended is refused.
    Returns (the frozen month, whether figures were computed).
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
            figures = _figures_at(on)
            _store(frozen, figures)
            return frozen, True
        if not reason:
            return frozen, False
        before = _figures_as_list(frozen.figures.order_by("pk"))
        previous = {"previous_frozen_at": frozen.frozen_at, "previous_status": frozen.status}
        figures = _figures_at(on)
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


def _store(frozen: FrozenMonth, figures: list[FrozenFigure]) -> None:
    for figure in figures:
        figure.frozen_month = frozen
    FrozenFigure.objects.bulk_create(figures, batch_size=1000)


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
            ids = [run.pk for run in runs]
            transaction.on_commit(lambda: [generate_report.delay(pk) for pk in ids])
    return runs


def report_generate(*, report_run_id: int) -> ReportRun:
    """Build one department's report of a frozen month and swap it in.

    The workbook is written to a temporary file first; only a complete file is stored, and the row
    points at it (with its checksum) in one transaction, the previous file being removed after
    commit. A run already done is left alone (re-runs go through `reports_request`). A failure marks
    the run failed, keeps the previous file and re-raises (the task retries with backoff).
    """
    from .reports import build_report, report_data

    with transaction.atomic():
        run = ReportRun.objects.select_for_update().select_related("frozen_month").get(pk=report_run_id)
        if run.status == ReportStatus.DONE:
            return run
        run.status, run.started_at, run.attempts = ReportStatus.RUNNING, timezone.now(), run.attempts + 1
        run.save(update_fields=["status", "started_at", "attempts"])
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="report-")
    os.close(handle)
    try:
        with translation.override(settings.LANGUAGE_CODE):  # reports are in the portal's language
            build_report(report_data(frozen_month=run.frozen_month, department=run.department), path)
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
    except Exception as exc:
        logger.exception("report %s failed", report_run_id)
        ReportRun.objects.filter(pk=report_run_id).update(
            status=ReportStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        os.unlink(path)


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
