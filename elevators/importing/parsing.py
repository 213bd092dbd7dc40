"""Reading the registry export's rows: its columns and words, and each row's elevator fields.

The organisations a row names are matched by credit code or full name, and created when neither is
known (RowLookups, cached per import); a refused row leaves none behind.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import District, Organisation, OrganisationKind
from accounts.selectors import district_by_name, district_names, organisation_by_code_or_name
from accounts.services import organisation_create
from accounts.validators import normalise_credit_code
from core.exceptions import ApplicationError
from core.tabular import RowChecks, RowRefused, TableImportResult, cell_date, cell_text, cell_word

from ..codes import (
    CATEGORIES_BY_CODE,
    ELEVATOR_CATEGORIES,
    ElevatorCategory,
    category_by_code_or_name,
    normalise_equipment_code,
)
from ..models import Elevator, ElevatorStatus, InspectionResult, PlaceCategory, registration_number_for

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


class RowLookups:
    """Districts, place categories and organisations by every name a file may use, cached per import."""

    def __init__(self, result: RegistryImportResult):
        self.result = result
        self.districts = district_names()
        self.place_categories = {}
        for category in PlaceCategory.objects.all():
            self.place_categories[category.code] = self.place_categories[category.name] = category
        self.organisations: dict[tuple[str, str], Organisation] = {}
        # Organisations a refused row would have created, and did without error: a later refused
        # row naming one is not made to create it again only to roll it back (a file refused
        # whole cost a creation per row). Forgotten when any organisation is really created.
        self._creatable: set[tuple] = set()
        self._row_added: list[tuple[str, str]] = []
        self._row_created = 0
        self._savepoint = None
        self._writes = 0  # organisations created or completed by this import's rows
        # A row's organisation cells as written (field, name, credit code) that named a known
        # organisation without writing or refusing: a later row writing them alike names it again
        # without a look-up. Those a refused row found are forgotten with the row (_row_remembered).
        self._named: dict[tuple, Organisation] = {}
        self._row_remembered: list[tuple] = []
        self._dates: dict = {}  # a date cell as written: the date it is (the valid ones)
        self._reasons: dict = {}

    def within_row(self, parse):
        """Run one row's parse; a refused row leaves no organisation behind. The savepoint that
        undoes it is taken only when the row writes (creates or completes an organisation), so a
        row that names known organisations costs no query for it."""
        self._row_added, self._row_created, self._savepoint = [], 0, None
        self._row_remembered = []
        try:
            fields = parse()
        except RowRefused:
            if self._savepoint is not None:
                transaction.savepoint_rollback(self._savepoint)
            for key in self._row_added:
                self.organisations.pop(key, None)
            for cells in self._row_remembered:
                self._named.pop(cells, None)
            self.result.organisations_created -= self._row_created
            raise
        except BaseException:
            if self._savepoint is not None:
                transaction.savepoint_rollback(self._savepoint)
            raise
        if self._savepoint is not None:
            transaction.savepoint_commit(self._savepoint)
        return fields

    def _before_writing(self) -> None:
        self._writes += 1
        if self._savepoint is None:
            self._savepoint = transaction.savepoint()

    def district(self, value) -> District:
        district = district_by_name(text=value, names=self.districts)
        if district is None:
            raise RowRefused("district", self._unknown_district(value))
        return district

    def _unknown_district(self, value) -> str:
        """The reason an unknown district is refused: one text for each value, however many
        rows name it (a file's refused rows are all kept for its report)."""
        key = (type(value), value)
        try:
            return self._reasons[key]
        except KeyError:
            pass
        except TypeError:
            key = None
        names = "、".join(d.name for d in sorted(set(self.districts.by_key.values()) - {None}, key=_order))
        reason = _("未知的区县“%(value)s”，可选：%(names)s") % {"value": value, "names": names}
        if key is not None and len(self._reasons) < 1000:
            self._reasons[key] = reason
        return reason

    def day(self, values: dict, name: str) -> date | None:
        """core.tabular.cell_date, each valid value as written converted once per import (a
        registry's dates repeat: a few thousand distinct days in 200,000 rows)."""
        raw = values.get(name)
        try:
            return self._dates[raw]
        except KeyError:
            pass
        except TypeError:  # a cell value that cannot be a key
            return cell_date(values, name)
        day = self._dates[raw] = cell_date(values, name)
        return day

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

    def organisation(
        self, *, field: str, name, code, kind: str, district: District, row_refused: bool = False
    ) -> Organisation | None:
        """Match by credit code, else by full name; create the organisation when neither is known.
        `row_refused`: the row is refused already, so what is created here will be undone."""
        cells = (field, name, code)
        try:
            named = self._named.get(cells)
        except TypeError:  # a cell value that cannot be a key
            cells, named = None, None
        if named is not None:
            return named
        writes, created = self._writes, self.result.organisations_created
        organisation = self._organisation(
            field=field, name=name, code=code, kind=kind, district=district, row_refused=row_refused
        )
        # Remembered only when nothing was written or created for it: the same cells then always
        # name the same organisation (a credit code completed later does not change which).
        if (
            cells is not None
            and organisation is not None
            and organisation.pk is not None
            and writes == self._writes
            and created == self.result.organisations_created
        ):
            self._named[cells] = organisation
            self._row_remembered.append(cells)
        return organisation

    def _organisation(
        self, *, field: str, name, code, kind: str, district: District, row_refused: bool
    ) -> Organisation | None:
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
            creatable = (kind, name, credit_code, getattr(district, "pk", None))
            if row_refused and creatable in self._creatable:
                organisation = Organisation(kind=kind, name=name, credit_code=credit_code, district=district)
            else:
                self._before_writing()
                try:
                    organisation = organisation_create(
                        kind=kind, name=name, credit_code=credit_code, district=district
                    )
                except ApplicationError as exc:
                    raise RowRefused(
                        code_field if exc.field == "credit_code" else field, exc.message
                    ) from exc
                if row_refused:
                    self._creatable.add(creatable)
                else:
                    self._creatable.clear()
            self.result.organisations_created += 1
            self._row_created += 1
            if organisation.pk is None:  # stands in for the one a refused row would create
                return self._checked_kind(organisation, field=field, kind=kind)
        elif credit_code and organisation.credit_code and organisation.credit_code != credit_code:
            raise RowRefused(
                code_field,
                _("单位“%(name)s”已登记的统一社会信用代码为 %(known)s，与文件中的 %(given)s 不一致。")
                % {"name": organisation.name, "known": organisation.credit_code, "given": credit_code},
            )
        elif credit_code and not organisation.credit_code:
            self._before_writing()
            organisation.credit_code = credit_code
            organisation.save(update_fields=["credit_code"])
        self._checked_kind(organisation, field=field, kind=kind)
        for key in (("code", organisation.credit_code), ("name", organisation.name)):
            if key not in self.organisations:
                self.organisations[key] = organisation
                self._row_added.append(key)
        return organisation

    @staticmethod
    def _checked_kind(organisation: Organisation, *, field: str, kind: str) -> Organisation:
        if kind == OrganisationKind.MAINTENANCE_COMPANY and organisation.kind != kind:
            raise RowRefused(field, _("“%(name)s”不是维保单位。") % {"name": organisation.name})
        return organisation

    def _find(self, credit_code: str, name: str) -> Organisation | None:
        return organisation_by_code_or_name(credit_code=credit_code, name=name, known=self.organisations)


def _order(district: District) -> tuple:
    return (district.sort_order, district.code)


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


def _equipment_code(value, *, today: date) -> tuple[str, str]:
    try:
        return normalise_equipment_code(value, today=today)
    except ValidationError as exc:
        raise RowRefused("equipment_code", exc.messages[0]) from exc


def _registration_number(value, category: ElevatorCategory) -> str:
    try:
        return registration_number_for(value, category=category.code)
    except ValidationError as exc:
        raise RowRefused("registration_number", exc.messages[0]) from exc


OPTIONAL_TEXT_COLUMNS = ("manufacturer", "model_number", "factory_serial", "site_name")
DATE_COLUMNS = (
    "manufactured_on",
    "installed_on",
    "registered_on",
    "last_inspected_on",
    "next_inspection_due",
)

# The organisations a row names (each by a name column and a `<name>_code` credit code column) and
# the kind one is created as when the registry does not know it yet.
ORGANISATION_COLUMNS = {
    "user_unit": OrganisationKind.PROPERTY_MANAGER,
    "owner": OrganisationKind.PROPERTY_MANAGER,
    "maintenance_company": OrganisationKind.MAINTENANCE_COMPANY,
}


def parse_row(values: dict, *, lookups: RowLookups, scheme: str, today: date, writable: set | None) -> dict:
    """The elevator fields of one row, or RowRefused naming every field at fault.

    A rule that needs a refused cell (the registration number needs the category) is skipped, so
    each defect is reported once, where the file has it. An empty user unit is allowed: the 三无
    elevators have none, and the registry's own export writes them so.
    """
    checks = RowChecks()
    code_and_form = checks.read(_equipment_code, values.get("equipment_code"), today=today)
    category = checks.read(_category, values.get("category"), scheme)
    registration_number = ""
    if category is not None and values.get("registration_number") is not None:
        registration_number = checks.read(_registration_number, values["registration_number"], category)
    district = checks.read(lookups.district, values.get("district"))
    if district is not None and writable is not None and district.code not in writable:
        checks.refuse("district", _("%(district)s不在本单位的辖区内。") % {"district": district.name})
    fields = {
        "registration_number": registration_number,
        "category": category.code if category is not None else None,
        "district": district,
        "address": checks.read(_text, values, "address", required=True),
        "place_category": checks.read(lookups.place_category, values.get("place_category")),
        "status": checks.read(cell_word, values, "status", STATUS_WORDS, None),
        "inspection_result": checks.read(cell_word, values, "inspection_result", RESULT_WORDS, ""),
    }
    fields.update({name: checks.read(_text, values, name) for name in OPTIONAL_TEXT_COLUMNS})
    fields.update({name: checks.read(lookups.day, values, name) for name in DATE_COLUMNS})
    last, due = fields["last_inspected_on"], fields["next_inspection_due"]
    if last and due and due <= last:
        checks.refuse("next_inspection_due", _("下次检验日期必须晚于最近检验日期。"))
    if last and last > today:
        checks.refuse("last_inspected_on", _("最近检验日期不能晚于今天。"))
    if last and not fields["inspection_result"] and not checks.refused("inspection_result"):
        checks.refuse("inspection_result", _("有最近检验日期时必须填写检验结论。"))
    for name, kind in ORGANISATION_COLUMNS.items():
        fields[name] = checks.read(
            lookups.organisation,
            field=name,
            name=values.get(name),
            code=values.get(f"{name}_code"),
            kind=kind,
            district=district,
            row_refused=bool(checks.problems),
        )
    checks.done()
    fields["equipment_code"], fields["code_form"] = code_and_form
    # Empty means unknown (registry-export.md): a missing column or an empty cell never overwrites
    # what the registry already holds; a new elevator takes the model's defaults instead.
    return {name: value for name, value in fields.items() if value not in (None, "")}
