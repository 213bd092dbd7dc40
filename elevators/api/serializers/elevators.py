"""Elevators over the API: the full record, the facts an insurer quotes from, the timeline."""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from accounts.models import District, OrganisationKind
from core.api.fast_list import IsoDate, IsoDateTime, choice_labels
from core.api.fields import PlausibleDatesMixin

from ...choices import PASSING_RESULTS, ElevatorStatus
from ...codes import ELEVATOR_CATEGORIES, CategoryGroup
from ...models import OLD_ELEVATOR_YEARS, Elevator, PlaceCategory, registration_number_for, years_before
from .fields import (
    CategoryField,
    DistrictField,
    EquipmentCodeField,
    OrganisationByCreditCodeField,
    PlaceCategoryField,
    TodayMixin,
    django_messages,
    with_help,
)

# Descriptions for the OpenAPI schema, in Chinese first like the rest of the portal.
ELEVATOR_HELP = {
    "id": _("内部编号（仅用于本 API 的地址）。"),
    "equipment_code": _(
        "设备代码：18位设备代码或20位注册代码。可输入全角、小写或含空格，保存为规范形式；全市唯一。"
    ),
    "rescue_code": _(
        "电梯识别码：6位数字，由本系统自动分配且全市唯一（只读）；被困乘客拨打救援电话时报出此码，"
        "公开信息页 /e/<识别码>/ 也可按此码查询。"
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


class ElevatorSerializer(PlausibleDatesMixin, TodayMixin, serializers.ModelSerializer):
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
            "rescue_code",
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
            "rescue_code",
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
                    raise serializers.ValidationError({"registration_number": django_messages(exc)}) from exc
        return attrs


# The list's fast path (core.api.fast_list): the columns ElevatorSerializer reads, in one query. The
# units are joined (a unit's credit code is never null, so a null one means "no such unit"); the
# district and place-category names come by subquery on their primary key, because two more joins
# made PostgreSQL's planning alone several times the page's execution. Dates and times come as the
# text the serializer writes, from the database (core.api.fast_list.IsoDate, IsoDateTime): formatting
# them in Python was most of the representation's time; the two the flags compare come as dates too.
ISO_DATES = ("registered_on", "manufactured_on", "installed_on", "last_inspected_on", "next_inspection_due")
ISO_DATETIMES = ("created_at", "updated_at")
# The columns in the order elevator_list_represent unpacks each row (`.values_list()` tuples: these
# names first, then the expressions'); the primary key first, where the list's cursor reads it.
ELEVATOR_LIST_VALUES = (
    "pk",
    "equipment_code",
    "rescue_code",
    "code_form",
    "registration_number",
    "category",
    "manufacturer",
    "model_number",
    "factory_serial",
    "installed_on",
    "site_name",
    "address",
    "district_id",
    "place_category_id",
    "user_unit_id",
    "maintenance_company_id",
    "has_repair_funds",
    "status",
    "inspection_result",
    "next_inspection_due",
    "user_unit__credit_code",
    "user_unit__name",
    "owner__credit_code",
    "owner__name",
    "maintenance_company__credit_code",
    "maintenance_company__name",
)
ELEVATOR_LIST_EXPRESSIONS = {
    # .order_by(): without it each subquery sorts its one row by the model's ordering, once per row
    # of the page (half of the page's execution at 1,000,000 elevators).
    "district_name": Subquery(District.objects.filter(pk=OuterRef("district_id")).order_by().values("name")),
    "place_category_name": Subquery(
        PlaceCategory.objects.filter(pk=OuterRef("place_category_id")).order_by().values("name")
    ),
    **{f"{name}_iso": IsoDate(name) for name in ISO_DATES},
    **{f"{name}_iso": IsoDateTime(name) for name in ISO_DATETIMES},
}


def elevator_list_represent(rows: list[tuple], *, today: date) -> list[dict]:
    """ElevatorSerializer's representation of `.values_list(*ELEVATOR_LIST_VALUES,
    *ELEVATOR_LIST_EXPRESSIONS)` rows (core.api.fast_list.list_rows), key for key.

    The computed flags are the model predicates' (Elevator.is_in_scope, is_old, is_three_no) on
    the row's columns; labels are in the active language; dates and times come written (in the
    current time zone) by the query. A row is unpacked in the columns' order, not made a dict:
    that was a tenth of a 500-row page's time.
    """
    field = Elevator._meta.get_field
    code_forms, categories = choice_labels(field("code_form")), choice_labels(field("category"))
    statuses, results = choice_labels(field("status")), choice_labels(field("inspection_result"))
    groups = {c.code: (c.group, str(CategoryGroup(c.group).label)) for c in ELEVATOR_CATEGORIES}
    old_on = years_before(today, OLD_ELEVATOR_YEARS)
    in_use = ElevatorStatus.IN_USE
    represented = []
    for (
        pk,
        equipment_code,
        rescue_code,
        code_form,
        registration_number,
        category,
        manufacturer,
        model_number,
        factory_serial,
        installed,
        site_name,
        address,
        district,
        place_category,
        user_unit_id,
        maintenance_company_id,
        has_repair_funds,
        status,
        result,
        due,
        user_unit,
        user_unit_name,
        owner,
        owner_name,
        maintenance_company,
        maintenance_company_name,
        district_name,
        place_category_name,
        registered_on,
        manufactured_on,
        installed_on,
        last_inspected_on,
        next_inspection_due,
        created_at,
        updated_at,
    ) in rows:
        group, group_label = groups[category]
        represented.append(
            {
                "id": pk,
                "equipment_code": equipment_code,
                "rescue_code": rescue_code,
                "code_form": code_form,
                "code_form_display": code_forms.get(code_form, code_form),
                "registration_number": registration_number,
                "registered_on": registered_on,
                "category": category,
                "category_display": categories.get(category, category),
                "group": group,
                "group_display": group_label,
                "manufacturer": manufacturer,
                "model_number": model_number,
                "factory_serial": factory_serial,
                "manufactured_on": manufactured_on,
                "installed_on": installed_on,
                "site_name": site_name,
                "address": address,
                "district": district,
                "district_name": district_name,
                "place_category": place_category,
                "place_category_name": place_category_name,
                "user_unit": user_unit,
                "user_unit_name": user_unit_name,
                "owner": owner,
                "owner_name": owner_name,
                "maintenance_company": maintenance_company,
                "maintenance_company_name": maintenance_company_name,
                "has_repair_funds": has_repair_funds,
                "status": status,
                "status_display": statuses.get(status, status),
                "last_inspected_on": last_inspected_on,
                "inspection_result": result,
                "inspection_result_display": results.get(result, result),
                "next_inspection_due": next_inspection_due,
                "in_scope": bool(registration_number)
                and status == in_use
                and result in PASSING_RESULTS
                and due is not None
                and due >= today,
                "is_old": installed is not None and installed <= old_on,
                "is_three_no": user_unit_id is None or maintenance_company_id is None or not has_repair_funds,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
    return represented


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
