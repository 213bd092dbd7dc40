"""Importing the provincial registry's elevator list (电梯台账, reference/registry-export.md).

One path for the command, the browser and a dry run: the rows are written inside one transaction
that is rolled back for a dry run, or when any row is refused (all-or-nothing), so a dry run reports
exactly what the real run would do. Rows stream in chunks; memory stays bounded whatever the size.
Once a row is refused nothing more is written (it would be rolled back): the remaining rows are
still read, checked, reported and counted, with the counts a clean file of the other rows gives.
"""

import contextlib
import gc
from datetime import date, datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportKind, register_import_kind
from core.pgcopy import any_of
from core.tabular import RowRefused, chunks, column_label, open_import_table
from core.xlsx import TableRow

from ..models import Elevator
from ..services import registry_writable_districts
from .applying import CHUNK_ROWS, write_chunk
from .parsing import (
    CATEGORY_SCHEMES,
    REGISTRY_COLUMNS,
    REQUIRED_COLUMNS,
    RegistryImportResult,
    RowLookups,
    parse_row,
)

SHARED_VALUES = 20_000  # distinct cell values of refused rows kept once (the first ones met)
SHAREABLE = (str, datetime, date)


def registry_import(
    *, source, filename: str, user, dry_run: bool, category_scheme: str = "2014", today: date | None = None
) -> RegistryImportResult:
    """Import a registry export (.xlsx or .csv) as `user`; all-or-nothing, or a dry run.

    Upserts elevators by special-equipment code; matches or creates their user units, owners and
    maintenance companies. A row refused is reported with its row number and each of its defects
    (the column and a Chinese reason), and then nothing is written. The same code twice in one file: the last row
    wins and the report says so. Raises PermissionDenied for anyone but a city or district regulator
    and core.xlsx.TableError for a file refused whole.
    """
    if category_scheme not in CATEGORY_SCHEMES:
        raise ValueError(f"unknown category scheme {category_scheme!r}")
    writable = registry_writable_districts(user)
    if writable is not None and not writable:
        raise PermissionDenied(_("只有市级或本辖区市场监管部门可以导入电梯台账。"))
    today = today or timezone.localdate()
    result = RegistryImportResult(dry_run=dry_run)
    table = open_import_table(
        source, filename=filename, aliases=REGISTRY_COLUMNS, required=REQUIRED_COLUMNS, result=result
    )

    shared: dict = {}  # a cell value refused rows repeat (a district, a unit's name): kept once

    def refuse(row: TableRow, refused: RowRefused) -> None:
        # The refused rows are kept whole for the error report, and most of their cells repeat
        # (2.1 KB a refused row of the bench's file, 1.3 KB with the repeated values shared).
        if len(shared) < SHARED_VALUES:
            original = [shared.setdefault(v, v) if type(v) in SHAREABLE else v for v in row.original]
        else:
            original = [shared.get(v, v) if type(v) in SHAREABLE else v for v in row.original]
        result.refuse_row(
            row._replace(original=original),
            [(column_label(table, REGISTRY_COLUMNS, name), reason) for name, reason in refused.problems],
        )

    seen: dict[str, int] = {}
    counted_codes: set[str] = set()  # created, updated or unchanged: a later row is a repeat
    with transaction.atomic(), table, _rare_collections():
        lookups = RowLookups(result)
        for chunk in chunks(table, CHUNK_ROWS):
            parsed: dict[str, tuple[TableRow, dict]] = {}
            for row in chunk:
                result.rows += 1
                try:
                    fields = lookups.within_row(
                        lambda row=row: parse_row(
                            row.values,
                            lookups=lookups,
                            scheme=category_scheme,
                            today=today,
                            writable=writable,
                        )
                    )
                except RowRefused as problem:
                    refuse(row, problem)
                    continue
                code = fields.pop("equipment_code")
                if code in seen:
                    result.duplicates.append((seen[code], row.number, code))
                seen[code] = row.number
                parsed[code] = (row, fields)
            existing = {
                e.equipment_code: e for e in Elevator.objects.filter(any_of("equipment_code", parsed))
            }
            for code, elevator in list(existing.items()):
                if writable is not None and elevator.district_id not in writable:
                    row, _fields = parsed.pop(code)
                    del existing[code]
                    refuse(
                        row,
                        RowRefused(
                            "district",
                            _("该电梯登记在%(district)s，不在本单位的辖区内。")
                            % {"district": elevator.district},
                        ),
                    )
            # Once a row is refused nothing will be written: the rest are read, checked and counted.
            write_chunk(
                parsed,
                existing,
                result=result,
                counted_codes=counted_codes,
                today=today,
                writing=not result.refused_rows,
            )
        if dry_run or result.refused_rows:
            transaction.set_rollback(True)
    return result


# The cyclic garbage collector's first threshold while an import runs (Python's default is 700).
IMPORT_GC_THRESHOLD = 100_000


@contextlib.contextmanager
def _rare_collections():
    """Collect cyclic garbage rarely while an import runs. A chunk allocates some 30 objects a
    row (its cells, fields, instances and audit entries), so at the default threshold the collector
    runs every few rows and, every few chunks, walks every object of the process: 3.5 s of the 11 s
    of CPU a 50,000-row file took (0.6 s so). The rows hold no cycles to reclaim: peak RSS does
    not move. The thresholds in force are restored after."""
    thresholds = gc.get_threshold()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class RegistryImportOptionsForm(forms.Form):
    category_scheme = forms.ChoiceField(
        label=gettext_lazy("设备品种编码"),
        choices=[
            ("2014", gettext_lazy("2014版特种设备目录（默认）")),
            ("legacy", gettext_lazy("旧版省级编码")),
        ],
        initial="2014",
    )


register_import_kind(
    ImportKind(
        key="registry",
        label=gettext_lazy("电梯台账"),
        run=registry_import,
        may_import=lambda user: registry_writable_districts(user) != set(),
        help_text=gettext_lazy(
            "省特种设备登记系统导出的在用电梯台账。按设备代码新增或更新；有任何错误行则整份文件不导入。"
        ),
        options_form=RegistryImportOptionsForm,
        columns=REGISTRY_COLUMNS,
    )
)
