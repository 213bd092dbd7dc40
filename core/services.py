"""Writes of the shared import machinery: submit an uploaded file, confirm a dry run, run a queued
import and record what it did (one `ImportRun` row per file and run)."""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import acting_as
from .exceptions import ApplicationError
from .imports import IMPORT_KINDS
from .models import ImportRun
from .progress import count_rows, reporting
from .tasks import execute_import
from .visibility import organisation_of

logger = logging.getLogger(__name__)


def import_submit(*, kind: str, uploaded_file, user, dry_run: bool, options: dict | None = None) -> ImportRun:
    """Store an uploaded file and queue its import (after commit). Refuses an oversized file at once."""
    import_kind = IMPORT_KINDS[kind]
    if not import_kind.may_import(user):
        raise PermissionDenied(_("您无权导入此类文件。"))
    limit = settings.TIBAO["IMPORT_MAX_BYTES"]
    if uploaded_file.size > limit:
        raise ApplicationError(
            _("文件超过%(limit)d MB的上限，请拆分后分批导入。") % {"limit": limit // (1024 * 1024)},
            field="file",
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    run = ImportRun(
        kind=kind,
        dry_run=dry_run,
        filename=uploaded_file.name[:255],
        checksum=digest.hexdigest(),
        options=options or {},
        created_by=user,
        organisation=getattr(user, "organisation", None),
    )
    run.file.save(uploaded_file.name, uploaded_file, save=False)
    run.save()
    _enqueue(run)
    return run


def may_confirm(run: ImportRun) -> bool:
    """Whether a dry run may be imported for real: it was checked and refused no row, or its kind
    stores the valid rows whatever the others do and some rows would be stored."""
    if not (run.dry_run and run.status == ImportRun.Status.CHECKED):
        return False
    summary = run.summary or {}
    if not summary.get("refused"):
        return True
    kind = IMPORT_KINDS.get(run.kind)
    return bool(kind and kind.imports_valid_rows and summary.get("created", 0) + summary.get("updated", 0))


def import_confirm(*, run: ImportRun, user) -> ImportRun:
    """Import for real the file a dry run checked (see may_confirm)."""
    if not IMPORT_KINDS[run.kind].may_import(user):
        raise PermissionDenied(_("您无权导入此类文件。"))
    if run.organisation_id != getattr(organisation_of(user), "pk", None):
        # The file is the uploading organisation's: another may read its report, not import it.
        raise PermissionDenied(_("只能确认本机构上传的文件。"))
    if not may_confirm(run):
        raise ApplicationError(_("只有预检通过（无错误行）的文件才能确认导入。"))
    real = ImportRun.objects.create(
        kind=run.kind,
        dry_run=False,
        file=run.file.name,
        filename=run.filename,
        checksum=run.checksum,
        options=run.options,
        created_by=user,
        organisation=getattr(user, "organisation", None),
    )
    _enqueue(real)
    return real


def _enqueue(run: ImportRun) -> None:
    transaction.on_commit(lambda: execute_import.delay(run.pk))


def file_rows(run: ImportRun) -> int | None:
    """The rows in the run's file (header and title rows included), to show progress against;
    None when the file does not say and cannot be counted."""
    try:
        with run.file.open("rb") as source:
            return count_rows(source, filename=run.filename)
    except Exception:  # a file the import will refuse: it says why, the count does not matter
        logger.info("import run %s: rows of %s not counted", run.pk, run.filename, exc_info=True)
        return None


def import_execute(*, import_run_id: int) -> ImportRun | None:
    """Run a queued import once (a run no longer pending is left alone) and record the outcome."""
    with transaction.atomic():
        run = (
            ImportRun.objects.select_for_update()
            .filter(pk=import_run_id, status=ImportRun.Status.PENDING)
            .first()
        )
        if run is None:
            return None
        run.status = ImportRun.Status.RUNNING
        run.rows_total = file_rows(run)
        run.save(update_fields=["status", "rows_total"])
    user = run.created_by
    try:
        with (
            acting_as(f"import:{run.kind}", actor=user, import_run=run.pk),
            reporting(run),
            run.file.open("rb") as source,
        ):
            result = IMPORT_KINDS[run.kind].run(
                source=source, filename=run.filename, user=user, dry_run=run.dry_run, **run.options
            )
    except (ApplicationError, PermissionDenied) as exc:
        run.status, run.message = ImportRun.Status.REFUSED, str(getattr(exc, "message", exc))
    except Exception:
        logger.exception("import run %s failed", run.pk)
        run.status, run.message = ImportRun.Status.FAILED, _("处理文件时发生内部错误，已记录，请联系管理员。")
    else:
        run.summary = result.summary()
        run.rows_read, run.rows_refused = result.rows, result.refused
        if run.dry_run:
            run.status = ImportRun.Status.CHECKED
        else:
            run.status = ImportRun.Status.DONE if result.committed else ImportRun.Status.REFUSED
        if result.refused:
            run.error_report.save(f"errors-{run.pk}.xlsx", ContentFile(result.error_report()), save=False)
    run.finished_at = timezone.now()
    run.save()
    return run
