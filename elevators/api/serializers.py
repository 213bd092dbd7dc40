"""The registry over the API: shapes only. Rules (who may write which district) live in the services.

Codes arrive the way people type them — full width, lower case, spaces — and are stored canonical:
equipment codes and registration numbers through elevators.codes, districts by their 6-digit code,
place categories by code or Chinese name, organisations by their Unified Social Credit Code.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.validators import UniqueValidator

from accounts.models import District, Organisation, OrganisationKind
from accounts.validators import normalise_credit_code
from core.text import normalise_code

from ..codes import (
    CATEGORY_CHOICES,
    ELEVATOR_CATEGORIES,
    CategoryGroup,
    category_by_code_or_name,
    normalise_equipment_code,
)
from ..models import Elevator, Inspection, PlaceCategory, registration_number_for


def _django_messages(exc: DjangoValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


def with_help(fields: dict, help_texts: dict) -> dict:
    """Give every field its description for the OpenAPI schema (the models carry only names)."""
    for name, field in fields.items():
        field.help_text = help_texts[name]
    return fields


# --- Fields that read codes the way people type them -------------------------------------------


class EquipmentCodeField(serializers.CharField):
    """设备代码: 18-character device code or 20-digit legacy registration code, normalised."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        try:
            code, _form = normalise_equipment_code(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_django_messages(exc)) from exc
        return code


class CategoryField(serializers.ChoiceField):
    """设备品种: the catalogue code ("3110"), its name, or both ("3110 曳引驱动乘客电梯")."""

    def __init__(self, **kwargs):
        super().__init__(choices=CATEGORY_CHOICES, **kwargs)

    def to_internal_value(self, data):
        category = category_by_code_or_name(data)
        if category is None:
            known = "、".join(f"{c.code} {c.name}" for c in ELEVATOR_CATEGORIES)
            raise serializers.ValidationError(
                _("未知的设备品种“%(value)s”，可选：%(known)s。") % {"value": data, "known": known}
            )
        return category.code


class DistrictField(serializers.SlugRelatedField):
    """所在区县 by its 6-digit division code (development zones have internal codes, codes.md)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=District.objects.all(), **kwargs)

    def to_internal_value(self, data):
        code = normalise_code(data)
        district = self.get_queryset().filter(code=code).first()
        if district is None:
            known = "、".join(f"{d.code} {d.name}" for d in self.get_queryset())
            raise serializers.ValidationError(
                _("未知的区县代码“%(value)s”，可选：%(known)s。") % {"value": data, "known": known}
            )
        return district


class PlaceCategoryField(serializers.SlugRelatedField):
    """场所类别 by its code (RESIDENTIAL) or its Chinese name (住宅小区)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=PlaceCategory.objects.all(), **kwargs)

    def to_internal_value(self, data):
        text = str(data or "").strip()
        queryset = self.get_queryset()
        category = (
            queryset.filter(code=normalise_code(text).replace("-", "_")).first()
            or queryset.filter(name=text).first()
        )
        if category is None:
            known = "、".join(f"{c.code} {c.name}" for c in queryset)
            raise serializers.ValidationError(
                _("未知的场所类别“%(value)s”，可选：%(known)s。") % {"value": data, "known": known}
            )
        return category


class OrganisationByCreditCodeField(serializers.SlugRelatedField):
    """An active organisation by its Unified Social Credit Code (spaces, lower case, full width accepted).

    Registry writers are regulators, who name units of the whole registry; so any active
    organisation may be named, not only those the writer sees. `kind` narrows it (维保单位).
    """

    def __init__(self, *, kind: str | None = None, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(
            slug_field="credit_code", queryset=Organisation.objects.filter(is_active=True), **kwargs
        )

    def run_validation(self, data=serializers.empty):
        # A related field turns "" into null; here "" is what a unit without a credit code reads as,
        # so sending a record back unchanged must keep that unit, never silently drop it.
        if data == "":
            current = getattr(self.parent.instance, self.source, None) if self.parent else None
            if current is not None and not current.credit_code:
                raise SkipField
            raise serializers.ValidationError(_("请填写统一社会信用代码；没有该单位请填 null。"))
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            code = normalise_credit_code(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_django_messages(exc)) from exc
        organisation = self.get_queryset().filter(credit_code=code).first()
        if organisation is None:
            raise serializers.ValidationError(
                _("统一社会信用代码为 %(code)s 的机构不存在或已停用。") % {"code": code}
            )
        if self.kind and organisation.kind != self.kind:
            raise serializers.ValidationError(
                _("“%(name)s”不是%(kind)s。")
                % {"name": organisation.name, "kind": OrganisationKind(self.kind).label}
            )
        return organisation


class TodayMixin:
    """Computed facts are as of today (Asia/Shanghai); one date for the whole response."""

    @property
    def today(self):
        today = self.context.get("today")
        if today is None:
            today = self.context["today"] = timezone.localdate()
        return today


# --- Elevators ---------------------------------------------------------------------------------

# Descriptions for the OpenAPI schema, in Chinese first like the rest of the portal.
ELEVATOR_HELP = {
    "id": _("内部编号（仅用于本 API 的地址）。"),
    "equipment_code": _(
        "设备代码：18位设备代码或20位注册代码。可输入全角、小写或含空格，保存为规范形式；全市唯一。"
    ),
    "code_form": _("设备代码的形式：device＝18位设备代码，registration＝20位注册代码（按长度自动判断）。"),
    "code_form_display": _("设备代码形式的中文名称。"),
    "registration_number": _(
        "使用登记证编号，如 梯11鄂F00001(21)；品种代号须与设备品种一致。空字符串表示尚未办理使用登记。"
    ),
    "registered_on": _("使用登记日期。"),
    "category": _("设备品种（特种设备目录2014版代码）；写入时也可用中文名称。"),
    "category_display": _("设备品种的中文名称。"),
    "group": _("设备类别：vertical＝垂直电梯，escalator＝自动扶梯，moving_walkway＝自动人行道。"),
    "group_display": _("设备类别的中文名称。"),
    "manufacturer": _("制造单位名称。"),
    "model_number": _("产品型号。"),
    "factory_serial": _("出厂编号。"),
    "manufactured_on": _("制造日期。"),
    "installed_on": _("安装日期（老旧电梯按此计算：满15年）。"),
    "site_name": _("楼盘或场所名称。"),
    "address": _("使用地点（详细地址）。"),
    "district": _("所在区县的6位区划代码（开发区使用本系统内部代码）。"),
    "district_name": _("所在区县名称。"),
    "place_category": _("场所类别代码，如 RESIDENTIAL；写入时也可用中文名称，如 住宅小区。"),
    "place_category_name": _("场所类别名称。"),
    "user_unit": _("使用单位的统一社会信用代码；null 表示无使用单位。该单位尚无信用代码时读出为空字符串。"),
    "user_unit_name": _("使用单位名称。"),
    "owner": _("产权单位的统一社会信用代码；null 表示未登记产权单位。"),
    "owner_name": _("产权单位名称。"),
    "maintenance_company": _("维保单位的统一社会信用代码（须为维保单位）；null 表示无维保合同。"),
    "maintenance_company_name": _("维保单位名称。"),
    "has_repair_funds": _("是否有维修资金。"),
    "status": _(
        "设备状态：in_use 在用，suspended 停用，scrapped 报废，cancelled 注销。电梯不删除，只改状态。"
    ),
    "status_display": _("设备状态的中文名称。"),
    "last_inspected_on": _("最近一次检验日期（只读，随检验记录更新）。"),
    "inspection_result": _("最近一次检验结论（只读，随检验记录更新）。"),
    "inspection_result_display": _("最近一次检验结论的中文名称。"),
    "next_inspection_due": _("下次检验日期（只读，随检验记录更新）；当天仍在检验有效期内。"),
    "in_scope": _("今天是否应投保：已登记、在用、最近检验合格且在检验有效期内。"),
    "is_old": _("今天是否为老旧电梯（安装满15年）。"),
    "is_three_no": _("是否为“三无电梯”：无使用单位、无维保合同或无维修资金。"),
    "created_at": _("记录创建时间。"),
    "updated_at": _("记录最后修改时间。"),
}


class ElevatorSerializer(TodayMixin, serializers.ModelSerializer):
    """One elevator of the registry. Inspection facts and computed flags are read-only."""

    equipment_code = EquipmentCodeField(
        max_length=32, validators=[UniqueValidator(Elevator.objects.all(), message=_("该设备代码已经登记。"))]
    )
    code_form_display = serializers.CharField(source="get_code_form_display", read_only=True)
    registration_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    category = CategoryField()
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    group = serializers.ChoiceField(choices=CategoryGroup.choices, read_only=True)
    group_display = serializers.SerializerMethodField()
    district = DistrictField(label=_("所在区县"))
    district_name = serializers.CharField(source="district.name", read_only=True)
    place_category = PlaceCategoryField(label=_("场所类别"))
    place_category_name = serializers.CharField(source="place_category.name", read_only=True)
    user_unit = OrganisationByCreditCodeField(label=_("使用单位"))
    user_unit_name = serializers.CharField(
        source="user_unit.name", read_only=True, allow_null=True, default=None
    )
    owner = OrganisationByCreditCodeField(label=_("产权单位"))
    owner_name = serializers.CharField(source="owner.name", read_only=True, allow_null=True, default=None)
    maintenance_company = OrganisationByCreditCodeField(
        kind=OrganisationKind.MAINTENANCE_COMPANY, label=_("维保单位")
    )
    maintenance_company_name = serializers.CharField(
        source="maintenance_company.name", read_only=True, allow_null=True, default=None
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    inspection_result_display = serializers.CharField(source="get_inspection_result_display", read_only=True)
    in_scope = serializers.SerializerMethodField()
    is_old = serializers.SerializerMethodField()
    is_three_no = serializers.SerializerMethodField()

    class Meta:
        model = Elevator
        fields = [
            "id",
            "equipment_code",
            "code_form",
            "code_form_display",
            "registration_number",
            "registered_on",
            "category",
            "category_display",
            "group",
            "group_display",
            "manufacturer",
            "model_number",
            "factory_serial",
            "manufactured_on",
            "installed_on",
            "site_name",
            "address",
            "district",
            "district_name",
            "place_category",
            "place_category_name",
            "user_unit",
            "user_unit_name",
            "owner",
            "owner_name",
            "maintenance_company",
            "maintenance_company_name",
            "has_repair_funds",
            "status",
            "status_display",
            "last_inspected_on",
            "inspection_result",
            "inspection_result_display",
            "next_inspection_due",
            "in_scope",
            "is_old",
            "is_three_no",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "code_form",
            "last_inspected_on",
            "inspection_result",
            "next_inspection_due",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        return with_help(super().get_fields(), ELEVATOR_HELP)

    @extend_schema_field(serializers.CharField())
    def get_group_display(self, elevator: Elevator) -> str:
        return str(CategoryGroup(elevator.group).label)

    def get_in_scope(self, elevator: Elevator) -> bool:
        return elevator.is_in_scope(on=self.today)

    def get_is_old(self, elevator: Elevator) -> bool:
        return elevator.is_old(on=self.today)

    def get_is_three_no(self, elevator: Elevator) -> bool:
        return elevator.is_three_no()

    def validate(self, attrs):
        # The registration number must name the elevator's category: check it whenever either changes.
        if "registration_number" in attrs or "category" in attrs:
            number = attrs.get("registration_number", getattr(self.instance, "registration_number", ""))
            category = attrs.get("category", getattr(self.instance, "category", None))
            if number:
                try:
                    attrs["registration_number"] = registration_number_for(number, category=category)
                except DjangoValidationError as exc:
                    raise serializers.ValidationError({"registration_number": _django_messages(exc)}) from exc
        return attrs


QUOTE_FIELDS = [
    "equipment_code",
    "category",
    "category_display",
    "group",
    "group_display",
    "district",
    "district_name",
    "place_category",
    "place_category_name",
    "installed_on",
    "status",
    "status_display",
    "in_scope",
    "next_inspection_due",
    "user_unit",
    "user_unit_name",
    "owner",
    "owner_name",
]


class ElevatorQuoteSerializer(ElevatorSerializer):
    """The registry facts an insurer needs to quote an elevator it does not cover yet, and no more.

    Field names and meanings are those of the full record, so a client reads both the same way.
    """

    class Meta(ElevatorSerializer.Meta):
        fields = QUOTE_FIELDS
        read_only_fields = QUOTE_FIELDS


class TimelineEntrySerializer(serializers.Serializer):
    """One entry of an elevator's timeline (elevators.selectors.TimelineEntry)."""

    on = serializers.DateField(help_text=_("日期。"))
    kind = serializers.CharField(
        help_text=_("事件类型的稳定键，如 inspection、registration、status_change；其他模块会增加新的键。")
    )
    title = serializers.CharField(help_text=_("标题（中文）。"))
    detail = serializers.CharField(help_text=_("详情（中文），可能为空。"))
    source = serializers.CharField(help_text=_("记录来源（机构或模块），可能为空。"))
    icon = serializers.CharField(help_text=_("门户界面使用的图标名（Bootstrap Icons）。"))
    tone = serializers.CharField(
        help_text=_("门户界面使用的颜色：success、warning、danger、info、primary、secondary。")
    )


# --- Inspections -------------------------------------------------------------------------------


class VisibleElevatorField(serializers.PrimaryKeyRelatedField):
    """An elevator the caller may see, by its id: others do not exist for the caller."""

    default_error_messages = {"does_not_exist": _("电梯“{pk_value}”不存在或无权查看。")}

    def __init__(self, **kwargs):
        super().__init__(queryset=Elevator.objects.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return super().get_queryset().visible_to(getattr(request, "user", None))


INSPECTION_HELP = {
    "id": _("内部编号。"),
    "elevator": _("电梯的内部编号（见 /api/v1/elevators/by-code/{code}/）。"),
    "equipment_code": _("电梯的设备代码。"),
    "inspected_on": _("检验日期。"),
    "kind": _("检验类型：periodic 定期检验，acceptance 监督检验，self 自行检测。"),
    "kind_display": _("检验类型的中文名称。"),
    "result": _("检验结论：pass 合格，fail 不合格，pass_rectified 复检合格。"),
    "result_display": _("检验结论的中文名称。"),
    "next_due": _("下次检验日期，须晚于检验日期。最新一次检验的结论和下次检验日期会同步到电梯。"),
    "inspection_body": _("检验机构名称。"),
    "report_number": _("检验报告编号。"),
    "created_at": _("记录创建时间。"),
}


class InspectionSerializer(serializers.ModelSerializer):
    """One inspection. Recording the latest one moves the elevator's inspection facts with it."""

    elevator = VisibleElevatorField()
    equipment_code = serializers.CharField(source="elevator.equipment_code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "elevator",
            "equipment_code",
            "inspected_on",
            "kind",
            "kind_display",
            "result",
            "result_display",
            "next_due",
            "inspection_body",
            "report_number",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        # The service checks "one inspection of a kind per elevator and day" with a readable message.
        validators: list = []

    def get_fields(self):
        return with_help(super().get_fields(), INSPECTION_HELP)
