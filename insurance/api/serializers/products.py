"""Products and their terms (versions: limits, base premiums, coefficient tables) over the API."""

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validators import validate_not_negative, validate_positive
from elevators.api.serializers.fields import with_help
from elevators.models import PlaceCategory

from ...models import (
    BasePremium,
    Coefficient,
    CoverageLimit,
    InsuranceModel,
    Product,
    ProductVersion,
    RatingFactor,
)
from ...models.products import TRAPPED_PAYOUT_FIELDS


class CoverageLimitSerializer(serializers.ModelSerializer):
    item_display = serializers.CharField(source="get_item_display", read_only=True)

    class Meta:
        model = CoverageLimit
        fields = ["item", "item_display", "limit"]
        # Refused here with a field error, not left to the database's check constraint (a 500).
        extra_kwargs = {"limit": {"validators": [validate_positive]}}

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
        extra_kwargs = {"amount": {"validators": [validate_not_negative]}}

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
        extra_kwargs = {"value": {"validators": [validate_positive]}}

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
        fields = [
            "number",
            "deductible",
            "premium_band_lower",
            "premium_band_upper",
            "trapped_threshold_minutes",
            "trapped_payout_per_person",
            "trapped_payout_per_person_over_hour",
            "note",
            "created_at",
            "limits",
            "base_premiums",
            "coefficients",
        ]
        read_only_fields = ["number", "created_at"]
        extra_kwargs = {"deductible": {"validators": [validate_not_negative]}}

    def get_fields(self):
        return with_help(super().get_fields(), VERSION_HELP)

    def validate(self, attrs):
        items = [row["item"] for row in attrs["limits"]]
        if len(items) != len(set(items)):
            raise serializers.ValidationError({"limits": [_("同一保障项目只能出现一次。")]})
        groups = [row["group"] for row in attrs["base_premiums"]]
        if len(groups) != len(set(groups)):
            raise serializers.ValidationError({"base_premiums": [_("同一设备类别只能出现一次。")]})
        lower, upper = attrs.get("premium_band_lower"), attrs.get("premium_band_upper")
        if lower is not None and not Decimal(-1) <= lower <= 0:
            raise serializers.ValidationError({"premium_band_lower": [_("费率浮动下限须在 -1 至 0 之间。")]})
        if upper is not None and not 0 <= upper <= Decimal(10):
            raise serializers.ValidationError({"premium_band_upper": [_("费率浮动上限须在 0 至 10 之间。")]})
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
        return self.terms_of(self.validated_data)

    @staticmethod
    def terms_of(data: dict) -> dict:
        """Validated terms (of a version, or of a product's first version) as the services take them."""
        band = {name: data[name] for name in ("premium_band_lower", "premium_band_upper") if name in data}
        trapped = {name: data[name] for name in TRAPPED_PAYOUT_FIELDS if name in data}
        return {
            **band,  # not given: the previous version's band, else the default
            **trapped,  # not given: no trapped-passenger payout
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
    "premium_band_lower": _(
        "费率浮动区间下限：保单约定保费低于费率计算结果的最大比例，如 -0.30 为下浮30%；不填沿用上一版本，首版为 -0.30。"
        "超出区间的保单照常登记并标记。"
    ),
    "premium_band_upper": _(
        "费率浮动区间上限：保单约定保费高于费率计算结果的最大比例，如 0.30 为上浮30%；不填沿用上一版本，首版为 0.30。"
    ),
    "trapped_threshold_minutes": _(
        "困人定额给付的起算时长（分钟），如 30：被困超过该时长才给付；不填表示本版本无困人定额给付。"
    ),
    "trapped_payout_per_person": _(
        "困人定额给付：被困超过起算时长、不超过一小时的每人给付金额（元），如 200。"
    ),
    "trapped_payout_per_person_over_hour": _(
        "困人定额给付：被困超过一小时的每人给付金额（元），如 400；不填则同上。"
    ),
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
