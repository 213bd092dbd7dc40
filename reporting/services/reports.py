"""The monthly reports: requested per month and department, built in batches, stored whole, e-mailed."""

import hashlib
import logging
import os
import tempfile

from celery import group
from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department, Organisation
from accounts.services import notice_send
from core.dbrouter import read_db, replica_reads
from core.exceptions import ApplicationError

from ..models import (
    FrozenFigure,
    FrozenMonth,
    ReportRun,
    ReportStatus,
)
from ..sql import large_reads
from ..tasks import email_report, generate_reports
from .permissions import actor_of, check_city_regulator

logger = logging.getLogger(__name__)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- reports ------------------------------------------------------------------------------------


def reports_request(
    *, user, frozen_month: FrozenMonth, departments: list[str] | None = None, enqueue: bool = True
) -> list[ReportRun]:
    """Queue the monthly report of each department (all eight by default) for a frozen month: one
    row per month and department, reset to pending; the current file stays until a new one is
    complete. The reports are built by a task after commit (`enqueue`), or by the caller."""
    check_city_regulator(user, _("只有市级市场监管部门可以生成报表。"))
    codes = departments or list(Department.values)
    unknown = sorted(set(codes) - set(Department.values))
    if unknown:
        raise ApplicationError(
            _("未知的部门代码：%(codes)s。") % {"codes": "、".join(unknown)}, field="department"
        )
    person, _label = actor_of(user)
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
    one task, so several workers share a month and a scope's rows are read once. The largest
    first (the scope's uninsured elevators in the frozen month, the length of its work list, times
    its reports), so that workers taking the next task when free finish together."""
    from ..months import TOTAL, department_scope

    batches: dict[tuple[str, str], list[int]] = {}
    for run in runs:
        batches.setdefault(department_scope(run.department).key, []).append(run.pk)
    uninsured = {
        (scope, code): in_scope - insured
        for scope, code, in_scope, insured in FrozenFigure.objects.filter(
            frozen_month__in={run.frozen_month_id for run in runs}, by=TOTAL
        ).values_list("scope", "scope_code", "in_scope", "insured")
    }
    order = sorted(batches, key=lambda key: uninsured.get(key, 0) * len(batches[key]), reverse=True)
    return [batches[key] for key in order]


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
    from .. import reports

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
        # In the portal's language; the reports' reads (the frozen figures and the runs aside) go
        # to the read replica if any, as large reads (reporting.sql: no JIT, memory to sort in).
        with translation.override(settings.LANGUAGE_CODE), replica_reads(), large_reads(read_db()):
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
