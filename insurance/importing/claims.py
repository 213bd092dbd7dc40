"""Importing claim lists (理赔清单) in the browser, for insurers without IT staff to call the API.

Each row is one claim, sent through the same rules engine as POST /api/v1/claims/bulk/
(insurance.services.claims.claims_bulk_upsert, a thousand rows at a time): a row is created, updated,
unchanged or refused exactly as the API would answer it. Like the API — and unlike the registry and
policy imports, which are all-or-nothing — the valid rows are stored even when others are refused;
the refused rows come back in the error report, to be fixed and uploaded again (re-uploading the
rows already stored leaves them unchanged). A dry run does everything inside a transaction that is
rolled back, so it reports exactly what the real run would do.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from core.imports import ImportKind, register_import_kind
from core.tabular import (
    RowChecks,
    RowRefused,
    TableImportResult,
    cell_date,
    cell_money,
    cell_text,
    cell_word,
    chunks,
    column_label,
    open_import_table,
)
from core.xlsx import TableRow

from ..models import Claim, ClaimStatus, CoverageItem
from ..permissions import insurer_of
from ..services.claims import CLAIMS_BATCH_MAX, DESCRIPTION_MAX, claims_bulk_upsert

# field: the headers that name it (compared after core.xlsx.normalise_header).
CLAIM_COLUMNS: dict[str, list[str]] = {
    "claim_number": ["理赔编号", "赔案号", "理赔号"],
    "policy_number": ["保单号", "保单号码"],
    "equipment_code": ["设备代码"],
    "incident_at": ["出险时间", "出险日期"],
    "kind": ["事故类型"],
    "coverage_item": ["保障项目", "索赔项目"],
    "people_injured": ["受伤人数"],
    "people_dead": ["死亡人数"],
    "amount_claimed": ["索赔金额", "索赔金额（元）"],
    "amount_reserved": ["估损金额", "估损金额（元）"],
    "amount_paid": ["已赔金额", "已赔金额（元）", "赔付金额"],
    "advance_payment": ["先行赔付"],
    "status": ["状态", "理赔状态"],
    "reported_on": ["报案日期"],
    "accepted_on": ["受理日期"],
    "paid_on": ["赔付日期"],
    "rejected_on": ["拒赔日期"],
    "withdrawn_on": ["撤案日期"],
    "closed_on": ["结案日期"],
    "description": ["经过", "出险经过", "事故经过"],
}
REQUIRED_COLUMNS = ["claim_number", "policy_number", "equipment_code", "incident_at", "kind", "coverage_item"]
DATE_COLUMNS = ["reported_on", "accepted_on", "paid_on", "rejected_on", "withdrawn_on", "closed_on"]


def _words(choices) -> dict[str, str]:
    """Each choice by its Chinese label and by its value."""
    words = {str(label): value for value, label in choices.choices}
    words.update({value: value for value in choices.values})
    return words


KIND_WORDS = _words(Claim.Kind)
ITEM_WORDS = _words(CoverageItem)
STATUS_WORDS = _words(ClaimStatus)
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "y": True, "n": False, "1": True, "0": False}
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


@dataclass
class ClaimImportResult(TableImportResult):
    """What an import did (or would do), counted as the API counts a batch."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def committed(self) -> bool:
        """The valid rows were stored (refused rows do not hold the others back)."""
        return not self.dry_run and self.created + self.updated + self.unchanged > 0

    def summary(self) -> dict:
        return {
            **super().summary(),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _cell_datetime(values: dict, name: str) -> datetime:
    """出险时间: a date-time cell, text such as 2026-03-05 14:30, or a date alone (midnight)."""
    raw = values.get(name)
    if raw is None:
        raise RowRefused(name, _("必填项为空。"))
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, float) and not raw.is_integer():
        moment = from_excel(raw)  # an Excel serial with a time of day
    else:
        moment = None
        if isinstance(raw, str):
            text = " ".join(raw.replace("T", " ").split())
            for pattern in DATETIME_FORMATS:
                try:
                    moment = datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if moment is None:
            day = cell_date(values, name, required=True)
            moment = datetime.combine(day, time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _cell_count(values: dict, name: str) -> int | None:
    raw = values.get(name)
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise RowRefused(name, _("“%(value)s”不是人数（不小于0的整数）。") % {"value": raw})
    return raw


def _required_word(values: dict, name: str, words: dict):
    word = cell_word(values, name, words)
    if word is None:
        raise RowRefused(name, _("必填项为空。"))
    return word


def _parse_row(values: dict) -> dict:
    """The claim one row describes, keyed as the API names the fields; empty cells are left out
    (a new claim takes the defaults, an update keeps what is stored). RowRefused names every cell
    at fault."""
    checks = RowChecks()
    data = {
        "claim_number": checks.read(cell_text, values, "claim_number", required=True, limit=64),
        "policy_number": checks.read(cell_text, values, "policy_number", required=True, limit=64),
        "equipment_code": values.get("equipment_code"),
        "incident_at": checks.read(_cell_datetime, values, "incident_at"),
        "kind": checks.read(_required_word, values, "kind", KIND_WORDS),
        "coverage_item": checks.read(_required_word, values, "coverage_item", ITEM_WORDS),
        "people_injured": checks.read(_cell_count, values, "people_injured"),
        "people_dead": checks.read(_cell_count, values, "people_dead"),
        "amount_claimed": checks.read(cell_money, values, "amount_claimed"),
        "amount_reserved": checks.read(cell_money, values, "amount_reserved"),
        "amount_paid": checks.read(cell_money, values, "amount_paid"),
        "advance_payment": checks.read(cell_word, values, "advance_payment", YES_NO),
        "status": checks.read(cell_word, values, "status", STATUS_WORDS),
        **{name: checks.read(cell_date, values, name) for name in DATE_COLUMNS},
        "description": checks.read(cell_text, values, "description", limit=DESCRIPTION_MAX) or None,
    }
    if isinstance(data["equipment_code"], float) and data["equipment_code"].is_integer():
        data["equipment_code"] = int(data["equipment_code"])
    checks.done()
    return {name: value for name, value in data.items() if value is not None}


def may_import_claims(user) -> bool:
    """Insurers' users import their claim lists."""
    return insurer_of(user) is not None


def claim_list_import(*, source, filename: str, user, dry_run: bool) -> ClaimImportResult:
    """Import a claim list (.xlsx or .csv) as an insurer's user; valid rows stored, or a dry run.

    Every row goes through claims_bulk_upsert, so a row is refused for exactly the reasons the API
    gives (each reason reported with the row number and the column as the file names it). Raises
    PermissionDenied for anyone but an insurer's user and core.xlsx.TableError for a file refused whole.
    """
    if not may_import_claims(user):
        raise PermissionDenied(_("只有保险机构可以导入理赔清单。"))
    insurer = insurer_of(user)
    result = ClaimImportResult(dry_run=dry_run)
    table = open_import_table(
        source, filename=filename, aliases=CLAIM_COLUMNS, required=REQUIRED_COLUMNS, result=result
    )

    def label(field_name: str) -> str:
        return column_label(table, CLAIM_COLUMNS, field_name) if field_name in CLAIM_COLUMNS else "—"

    def refuse(row: TableRow, errors: dict[str, list[str]]) -> None:
        result.refuse_row(
            row,
            [(label(field_name), message) for field_name, messages in errors.items() for message in messages],
        )

    with transaction.atomic(), table:
        for chunk in chunks(table, CLAIMS_BATCH_MAX):
            rows: list[TableRow] = []
            items: list[dict] = []
            refused: list[tuple[TableRow, dict]] = []
            for row in chunk:
                result.rows += 1
                try:
                    items.append(_parse_row(row.values))
                except RowRefused as problem:
                    errors: dict[str, list[str]] = {}
                    for field_name, reason in problem.problems:
                        errors.setdefault(field_name, []).append(reason)
                    refused.append((row, errors))
                    continue
                rows.append(row)
            for row, outcome in zip(rows, claims_bulk_upsert(insurer=insurer, items=items), strict=True):
                if outcome["result"] == "refused":
                    refused.append((row, outcome["errors"]))
                else:
                    setattr(result, outcome["result"], getattr(result, outcome["result"]) + 1)
            for row, errors in sorted(refused, key=lambda pair: pair[0].number):  # in the file's order
                refuse(row, errors)
        if dry_run:
            transaction.set_rollback(True)
    return result


register_import_kind(
    ImportKind(
        key="claims",
        label=gettext_lazy("理赔清单"),
        run=claim_list_import,
        may_import=may_import_claims,
        help_text=gettext_lazy(
            "本机构的理赔，每行一笔，按理赔编号新增或更新（与接口 /api/v1/claims/bulk/ 规则相同）。"
            "合格的行即使有错误行也会导入；错误行列在结果页，可下载错误报告修改后重新上传。"
            "事故类型、保障项目、状态填中文名称；先行赔付填“是”或“否”。"
        ),
        columns=CLAIM_COLUMNS,
        imports_valid_rows=True,
    )
)
