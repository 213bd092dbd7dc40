"""Products, quotes and policies over the API: shapes only. Rules live in insurance.services.

Callers name things the way their own systems know them: products by code (an insurer's own code
when the caller is an insurer), policyholders by Unified Social Credit Code or exact name, elevators
by special-equipment code. Serializers turn those into rows (or a 400 naming what is unknown); the
services decide whether the write is allowed.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation, OrganisationKind
from accounts.validators import normalise_credit_code
from accounts.visibility import organisation_of
from elevators.api.serializers import EquipmentCodeField, with_help
from elevators.codes import CategoryGroup
from elevators.models import Elevator, PlaceCategory

from ..models import (
    BasePremium,
    Coefficient,
    CoverageLimit,
    FundingSource,
    InsuranceModel,
    Policy,
    PolicyElevator,
    Product,
    ProductVersion,
    RatingFactor,
)
from ..services import policy_default_end

MAX_ELEVATORS_PER_POLICY = 5000
MAX_QUOTE_ELEVATORS = 1000


def caller_is_insurer(user) -> bool:
    org = organisation_of(user)
    return org is not None and org.kind == OrganisationKind.INSURER


# --- products -----------------------------------------------------------------------------------


class CoverageLimitSerializer(serializers.ModelSerializer):
    item_display = serializers.CharField(source="get_item_display", read_only=True)

    class Meta:
        model = CoverageLimit
        fields = ["item", "item_display", "limit"]

    def get_fields(self):
        return with_help(
            super().get_fields(),
            {
                "item": _(
                    "保障项目：death_disability 每人死亡伤残，medical 每人医疗费用，property 每次事故财产损失，"
                    "per_accident 每次事故，aggregate 保险年度累计，rescue 救援费用，appraisal 鉴定费用，"
                    "litigation 诉讼费用，major_parts 重要部件更换，overhaul 大修改造。"
                ),
                "item_display": _("保障项目的中文名称。"),
                "limit": _("赔偿限额（元），大于0。"),
            },
        )


class BasePremiumSerializer(serializers.ModelSerializer):
    group_display = serializers.CharField(source="get_group_display", read_only=True)

    class Meta:
        model = BasePremium
        fields = ["group", "group_display", "amount"]

    def get_fields(self):
        return with_help(
            super().get_fields(),
            {
                "group": _("设备类别：vertical 垂直电梯，escalator 自动扶梯，moving_walkway 自动人行道。"),
                "group_display": _("设备类别的中文名称。"),
                "amount": _("基准保费（元/台·年），不小于0。"),
            },
        )


class CoefficientSerializer(serializers.ModelSerializer):
    factor_display = serializers.CharField(source="get_factor_display", read_only=True)
    key = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")

    class Meta:
        model = Coefficient
        fields = ["factor", "factor_display", "lower", "upper", "key", "value"]

    def get_fields(self):
        return with_help(
            super().get_fields(),
            {
                "factor": _(
                    "因子：age 梯龄（整年），place 场所类别，claims 近三年理赔次数，maintenance 维保质量评分（0-100）。"
                ),
                "factor_display": _("因子的中文名称。"),
                "lower": _("区间下限（含）；null 表示不设下限。place 因子不填。"),
                "upper": _("区间上限（不含）；null 表示不设上限。place 因子不填。"),
                "key": _("place 因子的场所类别代码（如 HOSPITAL）或名称（如 医院）；其他因子留空。"),
                "value": _("系数，大于0。没有匹配行的因子按 1.000 计。"),
            },
        )

    def validate(self, attrs):
        factor, key = attrs["factor"], attrs.get("key", "").strip()
        lower, upper = attrs.get("lower"), attrs.get("upper")
        if factor == RatingFactor.PLACE:
            if lower is not None or upper is not None:
                raise serializers.ValidationError({"lower": [_("场所类别系数按类别取值，不设区间。")]})
            category = PlaceCategory.objects.filter(Q(code=key.upper()) | Q(name=key)).first()
            if category is None:
                known = "、".join(f"{c.code} {c.name}" for c in PlaceCategory.objects.all())
                raise serializers.ValidationError(
                    {
                        "key": [
                            _("未知的场所类别“%(value)s”，可选：%(known)s。") % {"value": key, "known": known}
                        ]
                    }
                )
            attrs["key"] = category.code
        else:
            if key:
                raise serializers.ValidationError({"key": [_("只有场所类别系数使用 key。")]})
            if lower is not None and upper is not None and upper <= lower:
                raise serializers.ValidationError({"upper": [_("上限必须大于下限。")]})
            attrs["key"] = ""
        return attrs


def _overlapping_bands(rows: list[dict]) -> bool:
    low = Decimal("-Infinity")
    bands = sorted(
        ((r.get("lower") if r.get("lower") is not None else low, r.get("upper")) for r in rows),
        key=lambda band: band[0],
    )
    for (_lower, upper), (next_lower, _upper) in zip(bands, bands[1:], strict=False):
        if upper is None or next_lower < upper:
            return True
    return False


class ProductVersionSerializer(serializers.ModelSerializer):
    """The terms of one version: limits, deductible, base premiums and coefficient tables."""

    limits = CoverageLimitSerializer(many=True, allow_empty=False)
    base_premiums = BasePremiumSerializer(many=True, allow_empty=False)
    coefficients = CoefficientSerializer(many=True, required=False)

    class Meta:
        model = ProductVersion
        fields = ["number", "deductible", "note", "created_at", "limits", "base_premiums", "coefficients"]
        read_only_fields = ["number", "created_at"]

    def get_fields(self):
        return with_help(super().get_fields(), VERSION_HELP)

    def validate(self, attrs):
        items = [row["item"] for row in attrs["limits"]]
        if len(items) != len(set(items)):
            raise serializers.ValidationError({"limits": [_("同一保障项目只能出现一次。")]})
        groups = [row["group"] for row in attrs["base_premiums"]]
        if len(groups) != len(set(groups)):
            raise serializers.ValidationError({"base_premiums": [_("同一设备类别只能出现一次。")]})
        coefficients = attrs.get("coefficients", [])
        places = [row["key"] for row in coefficients if row["factor"] == RatingFactor.PLACE]
        if len(places) != len(set(places)):
            raise serializers.ValidationError({"coefficients": [_("同一场所类别只能有一个系数。")]})
        for factor in (RatingFactor.AGE, RatingFactor.CLAIMS, RatingFactor.MAINTENANCE):
            if _overlapping_bands([row for row in coefficients if row["factor"] == factor]):
                raise serializers.ValidationError(
                    {"coefficients": [_("“%(factor)s”的区间有重叠。") % {"factor": factor.label}]}
                )
        return attrs

    def terms(self) -> dict:
        """The validated terms as product_version_create takes them."""
        data = self.validated_data
        return {
            "deductible": data.get("deductible", Decimal("0.00")),
            "note": data.get("note", ""),
            "limits": {row["item"]: row["limit"] for row in data["limits"]},
            "base_premiums": {row["group"]: row["amount"] for row in data["base_premiums"]},
            "coefficients": [
                {k: row.get(k) for k in ("factor", "lower", "upper", "key", "value")}
                for row in data.get("coefficients", [])
            ],
        }


VERSION_HELP = {
    "number": _("版本号，从1开始；产品条款每变更一次加1。已签发的保单保留签发时的版本。"),
    "deductible": _("每次事故免赔额（元）。"),
    "note": _("本版本的说明，如变更原因。"),
    "created_at": _("本版本生效（创建）时间。"),
    "limits": _("各保障项目的赔偿限额，至少一项。"),
    "base_premiums": _("各设备类别的基准保费，至少一项；没有基准保费的类别不能报价。"),
    "coefficients": _("费率系数表：梯龄、场所类别、理赔次数、维保质量评分。"),
}


class ProductSerializer(serializers.ModelSerializer):
    """A product with its insurer and the terms of its current version."""

    insurer_name = serializers.CharField(source="insurer.name", read_only=True)
    insurer_credit_code = serializers.CharField(source="insurer.credit_code", read_only=True)
    model_display = serializers.CharField(source="get_model_display", read_only=True)
    current_version = serializers.SerializerMethodField()
    version_count = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "model",
            "model_display",
            "insurer",
            "insurer_name",
            "insurer_credit_code",
            "is_on_sale",
            "current_version",
            "version_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        return with_help(super().get_fields(), PRODUCT_HELP)

    @staticmethod
    def _versions(product: Product) -> list[ProductVersion]:
        return sorted(product.versions.all(), key=lambda v: v.number)  # prefetched by the view

    @extend_schema_field(ProductVersionSerializer(allow_null=True))
    def get_current_version(self, product: Product):
        versions = self._versions(product)
        return ProductVersionSerializer(versions[-1]).data if versions else None

    def get_version_count(self, product: Product) -> int:
        return len(self._versions(product))


PRODUCT_HELP = {
    "id": _("内部编号（仅用于本 API 的地址）。"),
    "code": _("产品代码，在同一保险机构内唯一。"),
    "name": _("产品名称。"),
    "model": _("投保模式：liability 电梯安全责任险，insurance_maintenance 保险+维保服务。"),
    "model_display": _("投保模式的中文名称。"),
    "insurer": _("保险机构的内部编号。"),
    "insurer_name": _("保险机构名称。"),
    "insurer_credit_code": _("保险机构的统一社会信用代码。"),
    "is_on_sale": _("是否在售；停售的产品不能新投保，已签发的保单不受影响。"),
    "current_version": _("当前版本的条款。"),
    "version_count": _("版本总数。"),
    "created_at": _("产品创建时间。"),
}


class ProductCreateSerializer(ProductVersionSerializer):
    """A new product of the calling insurer with its first version of terms."""

    code = serializers.CharField(max_length=32, help_text=PRODUCT_HELP["code"])
    name = serializers.CharField(max_length=100, help_text=PRODUCT_HELP["name"])
    model = serializers.ChoiceField(choices=InsuranceModel.choices, help_text=PRODUCT_HELP["model"])
    is_on_sale = serializers.BooleanField(default=True, help_text=PRODUCT_HELP["is_on_sale"])

    class Meta(ProductVersionSerializer.Meta):
        fields = ["code", "name", "model", "is_on_sale", *ProductVersionSerializer.Meta.fields]

    def get_fields(self):
        fields = super(ProductVersionSerializer, self).get_fields()
        for name, field in fields.items():
            if name in VERSION_HELP:
                field.help_text = VERSION_HELP[name]
        return fields

    def validate_code(self, value):
        return value.strip()


# --- resolving what callers name ------------------------------------------------------------------


def resolve_product(user, *, product_id: int | None, product_code: str, insurer_credit_code: str) -> Product:
    """The product a caller names by id, or by code (its own code for an insurer; another caller
    names the insurer too when two insurers use one code). Only products the caller sees count."""
    products = Product.objects.visible_to(user).select_related("insurer")
    if product_id is not None:
        product = products.filter(pk=product_id).first()
        if product is None:
            raise serializers.ValidationError({"product": [_("产品不存在或无权查看。")]})
        return product
    if not product_code:
        raise serializers.ValidationError({"product_code": [_("请填写 product 或 product_code。")]})
    found = products.filter(code=product_code.strip())
    org = organisation_of(user)
    if org is not None and org.kind == OrganisationKind.INSURER:
        found = found.filter(insurer=org)
    elif insurer_credit_code:
        try:
            found = found.filter(insurer__credit_code=normalise_credit_code(insurer_credit_code))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"insurer_credit_code": list(exc.messages)}) from exc
    found = list(found[:2])
    if not found:
        raise serializers.ValidationError(
            {"product_code": [_("产品代码 %(code)s 不存在或无权查看。") % {"code": product_code}]}
        )
    if len(found) > 1:
        raise serializers.ValidationError(
            {
                "product_code": [
                    _("多家保险机构使用产品代码 %(code)s，请同时填写 insurer_credit_code。")
                    % {"code": product_code}
                ]
            }
        )
    return found[0]


def resolve_elevators(user, codes: list[str], *, field: str = "elevators") -> dict[str, Elevator]:
    """Elevators by code among those the caller may cover: the ones it sees, and for an insurer any
    elevator of the registry (registry lookup by code for quoting, DESIGN.md section 2)."""
    codes = list(dict.fromkeys(codes))
    found = {
        e.equipment_code: e
        for e in Elevator.objects.visible_to(user)
        .filter(equipment_code__in=codes)
        .select_related("place_category")
    }
    missing = [code for code in codes if code not in found]
    if missing:
        found.update(
            (e.equipment_code, e)
            for e in Elevator.objects.quotable_by(user)
            .filter(equipment_code__in=missing)
            .select_related("place_category")
        )
    missing = [code for code in codes if code not in found]
    if missing:
        raise serializers.ValidationError(
            {field: [_("设备代码不存在或无权使用：%(codes)s") % {"codes": "、".join(missing)}]}
        )
    return found


def resolve_policyholder(*, credit_code: str, name: str) -> Organisation:
    """The policyholder by credit code (preferred) or by exact name; an active organisation."""
    organisations = Organisation.objects.filter(is_active=True)
    if credit_code:
        try:
            code = normalise_credit_code(credit_code)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"policyholder_credit_code": list(exc.messages)}) from exc
        holder = organisations.filter(credit_code=code).first()
        if holder is None:
            raise serializers.ValidationError(
                {
                    "policyholder_credit_code": [
                        _("统一社会信用代码为 %(code)s 的单位不存在或已停用。") % {"code": code}
                    ]
                }
            )
        return holder
    if name:
        holder = organisations.filter(name=name.strip()).first()
        if holder is None:
            raise serializers.ValidationError(
                {"policyholder_name": [_("名为“%(name)s”的单位不存在或已停用。") % {"name": name}]}
            )
        return holder
    raise serializers.ValidationError(
        {"policyholder_credit_code": [_("请填写投保人的统一社会信用代码或名称。")]}
    )


class ProductReferenceMixin(serializers.Serializer):
    product = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("产品的内部编号；与 product_code 二选一。")
    )
    product_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("产品代码；保险机构调用时为本机构的产品代码。与 product 二选一。"),
    )
    insurer_credit_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("保险机构的统一社会信用代码；非保险机构按产品代码查找且代码重复时填写。"),
    )

    def resolved_product(self, attrs) -> Product:
        return resolve_product(
            self.context["request"].user,
            product_id=attrs.get("product"),
            product_code=attrs.get("product_code", ""),
            insurer_credit_code=attrs.get("insurer_credit_code", ""),
        )

    @staticmethod
    def current_version(product: Product) -> ProductVersion:
        version = product.current_version
        if version is None:
            raise serializers.ValidationError({"product": [_("该产品还没有条款版本。")]})
        return version


# --- quotes ---------------------------------------------------------------------------------------


class QuoteRequestSerializer(ProductReferenceMixin):
    """Price elevators under a product's current version for a policy year starting on start_date."""

    elevators = serializers.ListField(
        child=EquipmentCodeField(),
        allow_empty=False,
        max_length=MAX_QUOTE_ELEVATORS,
        help_text=_("设备代码列表。保险机构可为任何电梯报价；使用单位只能为本单位使用或产权的电梯报价。"),
    )
    start_date = serializers.DateField(help_text=_("保险起期。梯龄和理赔次数按此日计算。"))

    def validate(self, attrs):
        product = self.resolved_product(attrs)
        attrs["version"] = self.current_version(product)
        by_code = resolve_elevators(self.context["request"].user, attrs["elevators"])
        attrs["elevator_rows"] = [by_code[code] for code in dict.fromkeys(attrs["elevators"])]
        return attrs


class FactorSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(
        choices=RatingFactor.choices, help_text=_("因子：age、place、claims、maintenance。")
    )
    label = serializers.CharField(help_text=_("因子的中文名称。"))
    input = serializers.CharField(help_text=_("查表所用的取值，如“12年”“住宅小区”“无评分”。"))
    coefficient = serializers.DecimalField(
        max_digits=6, decimal_places=3, help_text=_("系数；输入未知或表中无匹配行时为 1。")
    )


class RatingSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=CategoryGroup.choices, help_text=_("设备类别。"))
    base = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("该类别的基准保费（元）。"))
    factors = FactorSerializer(many=True, help_text=_("各因子及其系数，按相乘顺序。"))
    premium = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("保费（元）＝基准保费×各系数，最后四舍五入到分。")
    )


class QuoteLineSerializer(RatingSerializer):
    equipment_code = serializers.CharField(help_text=_("设备代码。"))


class QuoteSerializer(serializers.Serializer):
    product = serializers.IntegerField(help_text=_("产品的内部编号。"))
    product_code = serializers.CharField(help_text=_("产品代码。"))
    product_name = serializers.CharField(help_text=_("产品名称。"))
    insurer_credit_code = serializers.CharField(help_text=_("保险机构的统一社会信用代码。"))
    version = serializers.IntegerField(help_text=_("报价所用的条款版本号（产品的当前版本）。"))
    start_date = serializers.DateField(help_text=_("保险起期。"))
    end_date = serializers.DateField(help_text=_("保险止期（一个保险年度，含当日）。"))
    lines = QuoteLineSerializer(many=True, help_text=_("每台电梯的保费及费率明细。"))
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("总保费（元）。"))

    @staticmethod
    def from_quote(quote) -> dict:
        product = quote.version.product
        return {
            "product": product.pk,
            "product_code": product.code,
            "product_name": product.name,
            "insurer_credit_code": product.insurer.credit_code,
            "version": quote.version.number,
            "start_date": quote.start,
            "end_date": policy_default_end(quote.start),
            "lines": [
                {"equipment_code": line.elevator.equipment_code, **line.as_dict()} for line in quote.lines
            ],
            "total": quote.total,
        }


# --- policies -------------------------------------------------------------------------------------


class CoverSerializer(serializers.ModelSerializer):
    """One covered elevator of a policy, with its premium and the rating that produced it."""

    equipment_code = serializers.CharField(source="elevator.equipment_code", read_only=True)
    rating = RatingSerializer(read_only=True)

    class Meta:
        model = PolicyElevator
        fields = ["elevator", "equipment_code", "premium", "rating", "is_cancelled"]
        read_only_fields = fields

    def get_fields(self):
        return with_help(
            super().get_fields(),
            {
                "elevator": _("电梯的内部编号。"),
                "equipment_code": _("设备代码。"),
                "premium": _("该电梯的保费（元）。"),
                "rating": _("登记时的费率明细（基准保费与各因子系数）。"),
                "is_cancelled": _("是否已随保单退保。"),
            },
        )


POLICY_HELP = {
    "id": _("内部编号（仅用于本 API 的地址）。"),
    "number": _("保单号，在同一保险机构内唯一。"),
    "insurer": _("保险机构的内部编号。"),
    "insurer_name": _("保险机构名称。"),
    "insurer_credit_code": _("保险机构的统一社会信用代码。"),
    "product": _("产品的内部编号。"),
    "product_code": _("产品代码。"),
    "product_name": _("产品名称。"),
    "product_version": _("保单所用的产品条款版本号；产品改版不影响已签发的保单。"),
    "model": _("投保模式：liability 电梯安全责任险，insurance_maintenance 保险+维保服务。"),
    "model_display": _("投保模式的中文名称。"),
    "policyholder_name": _("投保人名称。"),
    "policyholder_credit_code": _("投保人的统一社会信用代码（可能为空）。"),
    "start_date": _("保险起期（含）。"),
    "end_date": _("保险止期（含）。"),
    "total_premium": _("总保费（元），各电梯保费之和。"),
    "funding_source": _(
        "资金来源：self 自筹，public_finance 财政，maintenance_fund 专项维修资金，insurer 保险机构。"
    ),
    "funding_source_display": _("资金来源的中文名称。"),
    "status": _("状态：active 有效，cancelled 已退保，expired 已到期。"),
    "status_display": _("状态的中文名称。"),
    "cancelled_on": _("退保日期。"),
    "renewed_from": _("续保自哪份保单（内部编号），null 表示新保。"),
    "renewal": _("续保后的保单（内部编号），null 表示尚未续保。"),
    "elevator_count": _("承保电梯台数。"),
    "created_at": _("登记时间。"),
    "covered": _("承保的电梯及各自的保费和费率明细。"),
}


class PolicySerializer(serializers.ModelSerializer):
    insurer_name = serializers.CharField(source="insurer.name", read_only=True)
    insurer_credit_code = serializers.CharField(source="insurer.credit_code", read_only=True)
    product = serializers.IntegerField(source="product_version.product_id", read_only=True)
    product_code = serializers.CharField(source="product_version.product.code", read_only=True)
    product_name = serializers.CharField(source="product_version.product.name", read_only=True)
    product_version = serializers.IntegerField(source="product_version.number", read_only=True)
    model_display = serializers.CharField(source="get_model_display", read_only=True)
    policyholder_name = serializers.CharField(source="policyholder.name", read_only=True)
    policyholder_credit_code = serializers.CharField(source="policyholder.credit_code", read_only=True)
    funding_source_display = serializers.CharField(source="get_funding_source_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    renewal = serializers.SerializerMethodField()
    elevator_count = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = [
            "id",
            "number",
            "insurer",
            "insurer_name",
            "insurer_credit_code",
            "product",
            "product_code",
            "product_name",
            "product_version",
            "model",
            "model_display",
            "policyholder_name",
            "policyholder_credit_code",
            "start_date",
            "end_date",
            "total_premium",
            "funding_source",
            "funding_source_display",
            "status",
            "status_display",
            "cancelled_on",
            "renewed_from",
            "renewal",
            "elevator_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        return with_help(super().get_fields(), POLICY_HELP)

    def get_renewal(self, policy: Policy) -> int | None:
        try:
            return policy.renewal.pk
        except Policy.DoesNotExist:
            return None

    def get_elevator_count(self, policy: Policy) -> int:
        count = getattr(policy, "elevator_count", None)  # annotated by the view
        return count if count is not None else policy.covered.count()


class PolicyDetailSerializer(PolicySerializer):
    covered = CoverSerializer(many=True, read_only=True)

    class Meta(PolicySerializer.Meta):
        fields = [*PolicySerializer.Meta.fields, "covered"]
        read_only_fields = fields


class CoveredElevatorInputSerializer(serializers.Serializer):
    equipment_code = EquipmentCodeField(help_text=_("设备代码（可含全角、小写或空格）。"))
    premium = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text=_(
            "该电梯的保费（元）。填写时须与产品费率计算结果一致（误差不超过1分）；不填则按费率计算。"
        ),
    )


class PolicyWriteSerializer(ProductReferenceMixin):
    """A policy an insurer registers. Rules (policyholder, overlaps, premiums) are the service's."""

    number = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("本机构的保单号；不填则由系统生成（TB+起期+序号）。批量登记时必填。"),
    )
    policyholder_credit_code = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("投保人的统一社会信用代码（优先）。")
    )
    policyholder_name = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("投保人名称（无信用代码时按全称查找）。")
    )
    elevators = CoveredElevatorInputSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_ELEVATORS_PER_POLICY,
        help_text=_("承保的电梯。投保人必须是每台电梯的产权单位或使用单位。"),
    )
    start_date = serializers.DateField(help_text=_("保险起期（含）。"))
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("保险止期（含）；不填为一个保险年度。")
    )
    funding_source = serializers.ChoiceField(
        choices=FundingSource.choices, default=FundingSource.SELF, help_text=POLICY_HELP["funding_source"]
    )

    def __init__(self, *args, number_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if number_required:
            self.fields["number"].required = True
            self.fields["number"].allow_blank = False

    def validate_number(self, value):
        return value.strip()

    def validate(self, attrs):
        user = self.context["request"].user
        product = self.resolved_product(attrs)
        codes = [row["equipment_code"] for row in attrs["elevators"]]
        if len(codes) != len(set(codes)):
            repeated = sorted({code for code in codes if codes.count(code) > 1})
            raise serializers.ValidationError(
                {"elevators": [_("设备代码重复：%(codes)s") % {"codes": "、".join(repeated)}]}
            )
        by_code = resolve_elevators(user, codes)
        registration = {
            "version": self.current_version(product),
            "policyholder": resolve_policyholder(
                credit_code=attrs["policyholder_credit_code"], name=attrs["policyholder_name"]
            ),
            "elevators": [by_code[code] for code in codes],
            "start_date": attrs["start_date"],
            "end_date": attrs.get("end_date"),
            "funding_source": attrs["funding_source"],
            "declared_premiums": {
                by_code[row["equipment_code"]].pk: row["premium"]
                for row in attrs["elevators"]
                if row.get("premium") is not None
            },
        }
        return {"number": attrs["number"], "registration": registration}


class PolicyBulkRequestSerializer(serializers.Serializer):
    policies = PolicyWriteSerializer(
        many=True, allow_empty=False, help_text=_("要登记的保单，最多500份；每份必须有保单号。")
    )


class PolicyBulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("在请求 policies 列表中的位置（从0开始）。"))
    number = serializers.CharField(help_text=_("保单号。"))
    result = serializers.ChoiceField(
        choices=[("created", "created"), ("unchanged", "unchanged"), ("refused", "refused")],
        help_text=_("created 已登记；unchanged 该保单号已登记且内容相同；refused 被拒绝，原因见 errors。"),
    )
    id = serializers.IntegerField(allow_null=True, help_text=_("保单的内部编号（被拒绝时为 null）。"))
    errors = serializers.DictField(
        help_text=_("被拒绝的原因：字段错误按字段列出，业务规则错误为 detail（中文）及 field 等附加信息。")
    )


class PolicyBulkResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("新登记的保单数。"))
    unchanged = serializers.IntegerField(help_text=_("已登记且内容相同的保单数。"))
    refused = serializers.IntegerField(help_text=_("被拒绝的保单数。"))
    results = PolicyBulkResultSerializer(many=True, help_text=_("逐份结果，顺序与请求相同。"))


class PolicyRenewSerializer(serializers.Serializer):
    start_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("续保保单的起期；不填为原保单止期的次日。")
    )


class PolicyCancelSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("退保日期；自该日起电梯不再计为已投保。"))
