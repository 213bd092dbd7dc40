"""Importing policy lists (保单清单, reference/registry-export.md): one row per covered elevator.

Rows with the same 保单号 form one policy, registered through insurance.services (the same rules
and the same rating as the browser and the API). The premium of each row is the contract's and is
stored as it is, priced by `rating.quote` beside it; a policy outside its product's band
(费率浮动区间) is imported and flagged, and only a figure that cannot be a premium is refused. A
policy number the insurer already has is left alone when the file says the same thing again, and
refused when it differs. Like the registry import it is all-or-nothing: everything is written
inside one transaction, rolled back for a dry run or when any row is refused, so a dry run reports
exactly what the real run would do.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from core.exceptions import ApplicationError
from core.imports import ImportKind, register_import_kind
from core.tabular import (
    RowChecks,
    RowRefused,
    TableImportResult,
    cell_date,
    cell_money,
    cell_text,
    cell_word,
    column_label,
    open_import_table,
)
from core.xlsx import TableRow
from elevators.models import Elevator

from ..models import FundingSource, InsuranceModel, Policy, Product
from ..permissions import insurer_of, is_back_office, property_manager_of
from ..services import policy_register_once
from .lookups import PolicyLookups

# field: the headers that name it in real files (compared after core.xlsx.normalise_header).
POLICY_COLUMNS: dict[str, list[str]] = {
    "number": ["保单号", "保单号码"],
    "insurer": ["保险机构", "保险公司", "承保机构"],
    "product": ["保险产品", "产品名称", "产品代码"],
    "model": ["投保模式", "保险模式"],
    "policyholder": ["投保人", "投保人名称", "投保单位"],
    "policyholder_code": ["投保人统一社会信用代码", "投保单位统一社会信用代码"],
    "equipment_code": ["设备代码"],
    "start_date": ["保险起期", "保险起始日期", "起保日期"],
    "end_date": ["保险止期", "保险终止日期", "终保日期"],
    "premium": ["保费（元）", "保费", "保险费"],
    "funding_source": ["资金来源"],
}
REQUIRED_COLUMNS = ["number", "insurer", "product", "equipment_code", "start_date", "premium"]

MODEL_WORDS = {
    "责任险": InsuranceModel.LIABILITY,
    "电梯安全责任险": InsuranceModel.LIABILITY,
    "保险+维保": InsuranceModel.INSURANCE_MAINTENANCE,
    "保险+维保服务": InsuranceModel.INSURANCE_MAINTENANCE,
}
FUNDING_WORDS = {str(label): value for value, label in FundingSource.choices}
FUNDING_WORDS.update({"自筹资金": FundingSource.SELF, "维修资金": FundingSource.MAINTENANCE_FUND})

# The columns every row of one policy must agree on (the first row of the policy is the reference).
POLICY_FIELDS = ["insurer", "product", "policyholder", "start_date", "end_date", "funding_source"]


@dataclass
class PolicyImportResult(TableImportResult):
    """What an import did (or would do). `created`/`unchanged` count policies; `elevators` the cover
    rows of created policies; duplicates are (earlier row, later row, equipment code) within a policy."""

    created: int = 0
    unchanged: int = 0
    elevators: int = 0
    premium: Decimal = Decimal("0.00")
    outside_band: int = 0  # created policies whose premium lies outside their product's band

    def summary(self) -> dict:
        return {
            **super().summary(),
            "created": self.created,
            "updated": 0,
            "unchanged": self.unchanged,
            "elevators": self.elevators,
            "premium": str(self.premium),
            "outside_band": self.outside_band,
        }


@dataclass
class _Row:
    """One parsed row: the policy fields it names and the elevator it covers."""

    table_row: TableRow
    number: str
    insurer: Organisation
    product: Product
    policyholder: Organisation
    elevator: Elevator
    start_date: object
    end_date: object
    premium: Decimal
    funding_source: str


@dataclass
class _Policy:
    number: str
    rows: list[_Row] = field(default_factory=list)


def _parse_row(row: TableRow, lookups: PolicyLookups) -> tuple[dict, str]:
    """The policy fields of one row and its elevator's code, or RowRefused naming every column at
    fault (a rule whose input was refused, the product of an unknown insurer say, is skipped)."""
    values = row.values
    checks = RowChecks()
    number = checks.read(
        cell_text, values, "number", required=True, limit=Policy._meta.get_field("number").max_length
    )
    insurer = checks.read(lookups.insurer, values)
    product = checks.read(lookups.product, insurer, values) if insurer is not None else None
    model = checks.read(cell_word, values, "model", MODEL_WORDS, default=None)
    if model is not None and product is not None and model != product.model:
        checks.refuse(
            "model",
            _("投保模式“%(value)s”与产品“%(product)s”的投保模式（%(model)s）不一致。")
            % {"value": values.get("model"), "product": product.name, "model": product.get_model_display()},
        )
    code = checks.read(lookups.elevator_code, values.get("equipment_code"))
    holder = checks.read(lookups.policyholder, values)
    start = checks.read(cell_date, values, "start_date", required=True)
    end = checks.read(cell_date, values, "end_date")
    if end is not None and start is not None and end < start:
        checks.refuse("end_date", _("保险止期不能早于起期。"))
    fields = {
        "number": number,
        "insurer": insurer,
        "product": product,
        "policyholder": holder,
        "start_date": start,
        "end_date": end,
        "premium": checks.read(cell_money, values, "premium", required=True),
        "funding_source": checks.read(cell_word, values, "funding_source", FUNDING_WORDS, FundingSource.SELF),
    }
    checks.done()
    return fields, code


def _describe(field_name: str, value) -> str:
    if isinstance(value, Organisation | Product):
        return value.name
    if field_name == "funding_source":
        return str(FundingSource(value).label)
    return "—" if value is None else str(value)


def policy_list_import(*, source, filename: str, user, dry_run: bool) -> PolicyImportResult:
    """Import a policy list (.xlsx or .csv) as `user`; all-or-nothing, or a dry run.

    Every policy is registered through policy_register (via policy_register_once) with the file's
    premiums as declared premiums. As a system operator (the command) the insurer of each policy is
    its 保险机构 column; an insurer's user may import only its own policies and a property manager
    only those it holds. A refused row is reported with its row number, column and a Chinese reason;
    a policy refused by a rule refuses all its rows. Raises PermissionDenied for other callers and
    core.xlsx.TableError for a file refused whole.
    """
    if not may_import_policies(user):
        raise PermissionDenied(_("只有保险机构或使用单位可以导入保单清单。"))
    result = PolicyImportResult(dry_run=dry_run)
    table = open_import_table(
        source, filename=filename, aliases=POLICY_COLUMNS, required=REQUIRED_COLUMNS, result=result
    )

    def label(field_name: str) -> str:
        return column_label(table, POLICY_COLUMNS, field_name)

    lookups = PolicyLookups(user)
    parsed: list[tuple[TableRow, dict, str]] = []
    with table:
        for row in table:
            result.rows += 1
            try:
                fields, code = _parse_row(row, lookups)
            except RowRefused as refused:
                result.refuse_row(row, [(label(name), reason) for name, reason in refused.problems])
                continue
            parsed.append((row, fields, code))

    elevators = {
        e.equipment_code: e
        for e in Elevator.objects.filter(equipment_code__in={code for _row, _f, code in parsed})
    }
    policies: dict[tuple[int, str], _Policy] = {}
    for row, fields, code in parsed:
        elevator = elevators.get(code)
        if elevator is None:
            result.refuse(
                row, label("equipment_code"), _("设备代码 %(code)s 不在电梯台账中。") % {"code": code}
            )
            continue
        key = (fields["insurer"].pk, fields["number"])
        group = policies.setdefault(key, _Policy(number=fields["number"]))
        item = _Row(table_row=row, elevator=elevator, **fields)
        if group.rows:
            first = group.rows[0]
            differing = [name for name in POLICY_FIELDS if getattr(item, name) != getattr(first, name)]
            if differing:
                result.refuse_row(
                    row,
                    [
                        (
                            label(name),
                            _("与同一保单（%(number)s）第%(row)d行的“%(value)s”不一致。")
                            % {
                                "number": group.number,
                                "row": first.table_row.number,
                                "value": _describe(name, getattr(first, name)),
                            },
                        )
                        for name in differing
                    ],
                )
                continue
            earlier = next((r for r in group.rows if r.elevator == elevator), None)
            if earlier is not None:  # the same elevator twice in one policy: the last row wins
                result.duplicates.append((earlier.table_row.number, row.number, code))
                group.rows.remove(earlier)
        group.rows.append(item)

    with transaction.atomic():
        for group in policies.values():
            _register(group, user=user, result=result, label=label)
        if dry_run or result.refused_rows:
            transaction.set_rollback(True)
    result.order_by_row()
    return result


def _register(group: _Policy, *, user, result: PolicyImportResult, label) -> None:
    """Register one policy of the file in its own savepoint; a refusal refuses every row of it."""
    first = group.rows[0]
    version = first.product.current_version
    try:
        if version is None:
            raise ApplicationError(_("该产品还没有条款版本。"), field="product")
        with transaction.atomic():
            policy, created = policy_register_once(
                user=user,
                number=group.number,
                version=version,
                policyholder=first.policyholder,
                elevators=[r.elevator for r in group.rows],
                start_date=first.start_date,
                end_date=first.end_date,
                funding_source=first.funding_source,
                declared_premiums={r.elevator.pk: r.premium for r in group.rows},
            )
    except (ApplicationError, PermissionDenied) as exc:
        _refuse_policy(group, exc, result=result, label=label)
        return
    if created:
        result.created += 1
        result.elevators += len(group.rows)
        result.premium += policy.total_premium
        result.outside_band += policy.premium_outside_band
    else:
        result.unchanged += 1


# Which column a service's refusal points at, by the field it names.
ERROR_COLUMNS = {
    "elevators": "equipment_code",
    "premium": "premium",
    "number": "number",
    "product": "product",
    "end_date": "end_date",
    "start_date": "start_date",
}


def _refuse_policy(group: _Policy, exc, *, result: PolicyImportResult, label) -> None:
    """Every row of a refused policy goes to the report: the rows at fault with the reason, the others
    saying which row stopped their policy (the file is fixed and sent again as a whole)."""
    reason = str(getattr(exc, "message", exc))
    extra = getattr(exc, "extra", {}) or {}
    column = label(ERROR_COLUMNS.get(getattr(exc, "field", None) or "", "number"))
    at_fault = set(extra.get("elevators", []))
    at_fault |= {c["elevator"] for c in extra.get("conflicts", [])}
    at_fault |= {p["elevator"] for p in extra.get("premiums", [])}
    reasons: dict[str, str] = defaultdict(lambda: reason)
    for problem in extra.get("premiums", []):  # a figure that cannot be a premium
        reasons[problem["elevator"]] = problem["reason"]
    for conflict in extra.get("conflicts", []):
        reasons[conflict["elevator"]] = (
            _("保险期间与已有保单 %(policy)s 重叠。") % conflict
            if conflict["policy"]
            else _("保险期间与其他保险机构的保单重叠。")
        )
    faulty = [r for r in group.rows if r.elevator.equipment_code in at_fault] or group.rows
    for row in group.rows:
        if row in faulty:
            result.refuse(row.table_row, column, reasons[row.elevator.equipment_code])
        else:
            result.refuse(
                row.table_row,
                label("number"),
                _("同一保单（%(number)s）第%(row)d行有错误，整份保单未导入。")
                % {"number": group.number, "row": faulty[0].table_row.number},
            )


def may_import_policies(user) -> bool:
    """Insurers' and property managers' users import policy lists; operators do too (the command)."""
    return is_back_office(user) or insurer_of(user) is not None or property_manager_of(user) is not None


register_import_kind(
    ImportKind(
        key="policies",
        label=gettext_lazy("保单清单"),
        run=policy_list_import,
        may_import=may_import_policies,
        help_text=gettext_lazy(
            "保险机构或使用单位的保单清单，每行一台承保电梯，保单号相同的行为同一份保单。保费按保单约定登记，"
            "并按产品费率计算对照，超出费率浮动区间的保单照常登记并标记；"
            "已登记且内容相同的保单不重复登记。有任何错误行则整份文件不导入。"
        ),
        columns=POLICY_COLUMNS,
    )
)
