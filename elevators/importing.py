"""Importing the provincial registry's elevator list (电梯台账, reference/registry-export.md).

One path for the command, the browser and a dry run: the rows are written inside one transaction
that is rolled back for a dry run, or when any row is refused (all-or-nothing), so a dry run reports
exactly what the real run would do. Rows stream in chunks; memory stays bounded whatever the size.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import District, Organisation, OrganisationKind
from accounts.services import organisation_create
from accounts.validators import normalise_credit_code
from core.exceptions import ApplicationError
from core.imports import ImportKind, register_import_kind
from core.tabular import (
    RowRefused,
    TableImportResult,
    cell_date,
    cell_text,
    cell_word,
    chunks,
    column_label,
    open_import_table,
)
from core.xlsx import TableRow

from .codes import (
    CATEGORIES_BY_CODE,
    ELEVATOR_CATEGORIES,
    ElevatorCategory,
    category_by_code_or_name,
    normalise_equipment_code,
)
from .models import (
    Elevator,
    ElevatorStatus,
    Inspection,
    InspectionResult,
    LifecycleEvent,
    PlaceCategory,
    registration_number_for,
)
from .services import elevator_change_events, registry_writable_districts

# field: the headers that name it in real exports (compared after core.xlsx.normalise_header).
REGISTRY_COLUMNS: dict[str, list[str]] = {
    "equipment_code": ["设备代码"],
    "registration_number": ["使用登记证编号", "登记证编号"],
    "category": ["设备品种", "设备类别代码", "设备类别"],
    "manufacturer": ["制造单位"],
    "model_number": ["产品型号", "型号"],
    "factory_serial": ["出厂编号"],
    "manufactured_on": ["制造日期"],
    "installed_on": ["安装日期", "投用日期"],
    "registered_on": ["登记日期"],
    "user_unit": ["使用单位", "使用单位名称"],
    "user_unit_code": ["使用单位统一社会信用代码"],
    "owner": ["产权单位", "产权单位名称"],
    "owner_code": ["产权单位统一社会信用代码"],
    "maintenance_company": ["维保单位", "维保单位名称"],
    "maintenance_company_code": ["维保单位统一社会信用代码"],
    "district": ["所在区县", "区域"],
    "address": ["使用地点", "详细地址"],
    "site_name": ["楼盘名称", "场所名称"],
    "place_category": ["场所类别", "使用场所"],
    "status": ["设备状态"],
    "last_inspected_on": ["最近检验日期"],
    "inspection_result": ["检验结论"],
    "next_inspection_due": ["下次检验日期"],
}
REQUIRED_COLUMNS = ["equipment_code", "category", "user_unit", "district", "address", "place_category"]

STATUS_WORDS = {
    "在用": ElevatorStatus.IN_USE,
    "停用": ElevatorStatus.SUSPENDED,
    "报废": ElevatorStatus.SCRAPPED,
}
STATUS_WORDS["注销"] = ElevatorStatus.CANCELLED
RESULT_WORDS = {
    "合格": InspectionResult.PASS,
    "不合格": InspectionResult.FAIL,
    "复检合格": InspectionResult.PASS_AFTER_RECTIFICATION,
}

# Category schemes an import may be told a file holds. The older provincial scheme reused 2014
# numbers for other categories (codes.md); only the numbers known to differ are mapped, every other
# number of that scheme is refused rather than guessed.
CATEGORY_SCHEMES: dict[str, dict[str, str] | None] = {
    "2014": None,
    "legacy": {
        "3110": "3110",
        "3120": "3120",
        "3130": "3130",
        "3310": "3210",
        "3500": "3310",
        "3600": "3320",
    },
}

CHUNK_ROWS = 1000
TEXT_LIMITS = {f.name: f.max_length for f in Elevator._meta.get_fields() if getattr(f, "max_length", None)}


@dataclass
class RegistryImportResult(TableImportResult):
    """What an import did (or, for a dry run, would do); duplicates are (earlier row, later row, code)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organisations_created: int = 0

    def summary(self) -> dict:
        return {
            **super().summary(),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "organisations_created": self.organisations_created,
        }


class _Lookups:
    """Districts, place categories and organisations by every name a file may use, cached per import."""

    def __init__(self, result: RegistryImportResult):
        self.result = result
        self.districts: dict[str, District] = {}
        for district in District.objects.all():
            for key in (district.code, district.name, district.short_name):
                if key:
                    self.districts[key] = district
        self.place_categories = {}
        for category in PlaceCategory.objects.all():
            self.place_categories[category.code] = self.place_categories[category.name] = category
        self.organisations: dict[tuple[str, str], Organisation] = {}
        self._row_added: list[tuple[str, str]] = []
        self._row_created = 0

    def within_row(self, parse):
        """Run one row's parse in a savepoint; a refused row leaves no organisation behind."""
        self._row_added, self._row_created = [], 0
        try:
            with transaction.atomic():
                return parse()
        except RowRefused:
            for key in self._row_added:
                self.organisations.pop(key, None)
            self.result.organisations_created -= self._row_created
            raise

    def district(self, value) -> District:
        district = self.districts.get(str(value or "").strip())
        if district is None:
            names = "、".join(sorted({d.name for d in self.districts.values()}))
            raise RowRefused(
                "district", _("未知的区县“%(value)s”，可选：%(names)s") % {"value": value, "names": names}
            )
        return district

    def place_category(self, value) -> PlaceCategory:
        category = self.place_categories.get(str(value or "").strip())
        if category is None:
            names = "、".join(
                c.name for c in sorted(set(self.place_categories.values()), key=lambda c: c.sort_order)
            )
            raise RowRefused(
                "place_category",
                _("未知的场所类别“%(value)s”，可选：%(names)s") % {"value": value, "names": names},
            )
        return category

    def organisation(self, *, field: str, name, code, kind: str, district: District) -> Organisation | None:
        """Match by credit code, else by full name; create the organisation when neither is known."""
        name = str(name or "").strip()
        code_field = f"{field}_code"
        credit_code = ""
        if code:
            try:
                credit_code = normalise_credit_code(code)
            except ValidationError as exc:
                raise RowRefused(code_field, exc.messages[0]) from exc
        if not name and not credit_code:
            return None
        organisation = self._find(credit_code, name)
        if organisation is None:
            if not name:
                raise RowRefused(
                    field, _("信用代码 %(code)s 对应的单位不存在，请填写单位名称。") % {"code": credit_code}
                )
            try:
                organisation = organisation_create(
                    kind=kind, name=name, credit_code=credit_code, district=district
                )
            except ApplicationError as exc:
                raise RowRefused(code_field if exc.field == "credit_code" else field, exc.message) from exc
            self.result.organisations_created += 1
            self._row_created += 1
        elif credit_code and organisation.credit_code and organisation.credit_code != credit_code:
            raise RowRefused(
                code_field,
                _("单位“%(name)s”已登记的统一社会信用代码为 %(known)s，与文件中的 %(given)s 不一致。")
                % {"name": organisation.name, "known": organisation.credit_code, "given": credit_code},
            )
        elif credit_code and not organisation.credit_code:
            organisation.credit_code = credit_code
            organisation.save(update_fields=["credit_code"])
        if kind == OrganisationKind.MAINTENANCE_COMPANY and organisation.kind != kind:
            raise RowRefused(field, _("“%(name)s”不是维保单位。") % {"name": organisation.name})
        for key in (("code", organisation.credit_code), ("name", organisation.name)):
            if key not in self.organisations:
                self.organisations[key] = organisation
                self._row_added.append(key)
        return organisation

    def _find(self, credit_code: str, name: str) -> Organisation | None:
        if credit_code:
            found = self.organisations.get(("code", credit_code))
            found = found or Organisation.objects.filter(credit_code=credit_code).first()
            if found:
                return found
        if name:
            return self.organisations.get(("name", name)) or Organisation.objects.filter(name=name).first()
        return None


def _category(value, scheme: str) -> ElevatorCategory:
    mapping = CATEGORY_SCHEMES[scheme]
    category = None
    if mapping is None:
        category = category_by_code_or_name(value)
    else:
        code = str(value or "").strip()
        category = CATEGORIES_BY_CODE.get(mapping.get(code, "")) or (
            None if code[:1].isdigit() else category_by_code_or_name(value)
        )
    if category is None:
        known = "、".join(f"{c.code} {c.name}" for c in ELEVATOR_CATEGORIES)
        raise RowRefused(
            "category",
            _(
                "未知的设备品种“%(value)s”（按%(scheme)s目录），可选：%(known)s。若文件使用旧版省级编码，请选择旧版目录后导入。"
            )
            % {"value": value, "scheme": scheme, "known": known},
        )
    return category


def _text(values: dict, name: str, *, required: bool = False) -> str:
    return cell_text(values, name, required=required, limit=TEXT_LIMITS.get(name))


def _parse_row(values: dict, *, lookups: _Lookups, scheme: str, today: date, writable: set | None) -> dict:
    """The elevator fields of one row, or RowRefused naming the first field at fault."""
    try:
        code, form = normalise_equipment_code(values.get("equipment_code"), today=today)
    except ValidationError as exc:
        raise RowRefused("equipment_code", exc.messages[0]) from exc
    category = _category(values.get("category"), scheme)
    registration_number = ""
    if values.get("registration_number") is not None:
        try:
            registration_number = registration_number_for(
                values["registration_number"], category=category.code
            )
        except ValidationError as exc:
            raise RowRefused("registration_number", exc.messages[0]) from exc
    district = lookups.district(values.get("district"))
    if writable is not None and district.code not in writable:
        raise RowRefused("district", _("%(district)s不在本单位的辖区内。") % {"district": district.name})
    fields = {
        "equipment_code": code,
        "code_form": form,
        "registration_number": registration_number,
        "category": category.code,
        "manufacturer": _text(values, "manufacturer"),
        "model_number": _text(values, "model_number"),
        "factory_serial": _text(values, "factory_serial"),
        "manufactured_on": cell_date(values, "manufactured_on"),
        "installed_on": cell_date(values, "installed_on"),
        "registered_on": cell_date(values, "registered_on"),
        "address": _text(values, "address", required=True),
        "site_name": _text(values, "site_name"),
        "district": district,
        "place_category": lookups.place_category(values.get("place_category")),
        "status": cell_word(values, "status", STATUS_WORDS, None),
        "last_inspected_on": cell_date(values, "last_inspected_on"),
        "inspection_result": cell_word(values, "inspection_result", RESULT_WORDS, ""),
        "next_inspection_due": cell_date(values, "next_inspection_due"),
    }
    if _text(values, "user_unit") == "":
        raise RowRefused("user_unit", _("必填项为空。"))
    last, due = fields["last_inspected_on"], fields["next_inspection_due"]
    if last and due and due <= last:
        raise RowRefused("next_inspection_due", _("下次检验日期必须晚于最近检验日期。"))
    if last and last > today:
        raise RowRefused("last_inspected_on", _("最近检验日期不能晚于今天。"))
    if last and not fields["inspection_result"]:
        raise RowRefused("inspection_result", _("有最近检验日期时必须填写检验结论。"))
    user_unit = lookups.organisation(
        field="user_unit",
        name=values.get("user_unit"),
        code=values.get("user_unit_code"),
        kind=OrganisationKind.PROPERTY_MANAGER,
        district=district,
    )
    owner = lookups.organisation(
        field="owner",
        name=values.get("owner"),
        code=values.get("owner_code"),
        kind=OrganisationKind.PROPERTY_MANAGER,
        district=district,
    )
    maintenance = lookups.organisation(
        field="maintenance_company",
        name=values.get("maintenance_company"),
        code=values.get("maintenance_company_code"),
        kind=OrganisationKind.MAINTENANCE_COMPANY,
        district=district,
    )
    fields.update(user_unit=user_unit, owner=owner, maintenance_company=maintenance)
    # Empty means unknown (registry-export.md): a missing column or an empty cell never overwrites
    # what the registry already holds; a new elevator takes the model's defaults instead.
    return {name: value for name, value in fields.items() if value not in (None, "")}


INSPECTION_FACTS = ["last_inspected_on", "inspection_result", "next_inspection_due"]
ELEVATOR_FIELDS = [
    "code_form", "registration_number", "category", "manufacturer", "model_number", "factory_serial",
    "manufactured_on", "installed_on", "registered_on", "address", "site_name", "district", "place_category",
    "status", "last_inspected_on", "inspection_result", "next_inspection_due", "user_unit", "owner",
    "maintenance_company",
]  # fmt: skip


def _write_chunk(
    parsed: dict[str, tuple[TableRow, dict]],
    existing: dict[str, Elevator],
    *,
    result: RegistryImportResult,
    created_codes: set[str],
    today: date,
) -> None:
    """Create or update the chunk's elevators, their lifecycle events and inspections."""
    created, changed, events = [], [], []
    for code, (_row, fields) in parsed.items():
        elevator = existing.get(code)
        if elevator is None:
            fields.setdefault("owner", fields["user_unit"])  # the owner defaults to the user unit
            created.append(Elevator(equipment_code=code, **fields))
            continue
        before = {"status": elevator.status, "registration_number": elevator.registration_number}
        differs = [
            name for name in ELEVATOR_FIELDS if name in fields and getattr(elevator, name) != fields[name]
        ]
        if code not in created_codes:  # a repeated row of this import is a duplicate, not an update
            if differs:
                result.updated += 1
            else:
                result.unchanged += 1
        if differs:
            for name in differs:
                setattr(elevator, name, fields[name])
            elevator.updated_at = timezone.now()
            changed.append(elevator)
            events.extend(elevator_change_events(elevator, before, on=today))
    Elevator.objects.bulk_create(created, batch_size=CHUNK_ROWS)
    Elevator.objects.bulk_update(changed, [*ELEVATOR_FIELDS, "updated_at"], batch_size=CHUNK_ROWS)
    result.created += len(created)
    created_codes.update(e.equipment_code for e in created)
    if created:
        created = list(Elevator.objects.filter(equipment_code__in=[e.equipment_code for e in created]))
    events.extend(
        LifecycleEvent(
            elevator=elevator,
            occurred_on=elevator.registered_on or today,
            kind=LifecycleEvent.Kind.REGISTRATION,
            reference=elevator.registration_number,
        )
        for elevator in created
        if elevator.registration_number
    )
    LifecycleEvent.objects.bulk_create(events, batch_size=CHUNK_ROWS)
    _record_inspections([*created, *existing.values()])
    _follow_latest_inspections([*created, *existing.values()])


def _follow_latest_inspections(elevators: list[Elevator]) -> None:
    """The elevator's inspection facts come from its latest Inspection row (elevator_follow_latest_
    inspection, in bulk): a file holding an older inspection never rolls them back."""
    latest: dict[int, Inspection] = {}
    for inspection in Inspection.objects.filter(elevator__in=elevators).order_by(
        "elevator_id", "inspected_on", "pk"
    ):
        latest[inspection.elevator_id] = inspection
    stale = []
    for elevator in elevators:
        inspection = latest.get(elevator.pk)
        facts = (inspection.inspected_on, inspection.result, inspection.next_due) if inspection else None
        if facts and facts != (
            elevator.last_inspected_on,
            elevator.inspection_result,
            elevator.next_inspection_due,
        ):
            elevator.last_inspected_on, elevator.inspection_result, elevator.next_inspection_due = facts
            stale.append(elevator)
    Elevator.objects.bulk_update(stale, INSPECTION_FACTS, batch_size=CHUNK_ROWS)


def _record_inspections(elevators: list[Elevator]) -> None:
    """Each elevator's latest periodic inspection from the file becomes an Inspection row."""
    with_inspection = [e for e in elevators if e.last_inspected_on and e.inspection_result]
    if not with_inspection:
        return
    known = set(
        Inspection.objects.filter(elevator__in=with_inspection, kind=Inspection.Kind.PERIODIC).values_list(
            "elevator_id", "inspected_on"
        )
    )
    Inspection.objects.bulk_create(
        [
            Inspection(
                elevator=e,
                inspected_on=e.last_inspected_on,
                kind=Inspection.Kind.PERIODIC,
                result=e.inspection_result,
                next_due=e.next_inspection_due,
            )
            for e in with_inspection
            if (e.pk, e.last_inspected_on) not in known
        ],
        batch_size=CHUNK_ROWS,
    )


def registry_import(
    *, source, filename: str, user, dry_run: bool, category_scheme: str = "2014", today: date | None = None
) -> RegistryImportResult:
    """Import a registry export (.xlsx or .csv) as `user`; all-or-nothing, or a dry run.

    Upserts elevators by special-equipment code; matches or creates their user units, owners and
    maintenance companies. A row refused for any reason is reported with its row number, column and
    a Chinese reason, and then nothing is written. The same code twice in one file: the last row
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

    def refuse(row: TableRow, problem: RowRefused) -> None:
        result.refuse(row, column_label(table, REGISTRY_COLUMNS, problem.field), problem.reason)

    seen: dict[str, int] = {}
    created_codes: set[str] = set()
    with transaction.atomic(), table:
        lookups = _Lookups(result)
        for chunk in chunks(table, CHUNK_ROWS):
            parsed: dict[str, tuple[TableRow, dict]] = {}
            for row in chunk:
                result.rows += 1
                try:
                    fields = lookups.within_row(
                        lambda row=row: _parse_row(
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
            existing = {e.equipment_code: e for e in Elevator.objects.filter(equipment_code__in=parsed)}
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
            _write_chunk(parsed, existing, result=result, created_codes=created_codes, today=today)
        if dry_run or result.refused_rows:
            transaction.set_rollback(True)
    return result


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
        template_columns=[aliases[0] for aliases in REGISTRY_COLUMNS.values()],
    )
)
