"""Policies over the API: reading them with their covers, registering one or many, renew, cancel."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PlausibleDateField
from elevators.api.serializers.fields import EquipmentCodeField, with_help

from ...models import FundingSource, Policy, PolicyElevator
from .quotes import RatingSerializer
from .references import ProductReferenceMixin, resolve_elevators, resolve_policyholder

MAX_ELEVATORS_PER_POLICY = 5000


class CoverSerializer(serializers.ModelSerializer):
    """One covered elevator of a policy, with its premium and the rating that produced it."""

    equipment_code = serializers.CharField(source="elevator.equipment_code", read_only=True)
    rating = RatingSerializer(read_only=True)
    premium_deviation = serializers.DecimalField(
        max_digits=12, decimal_places=4, read_only=True, allow_null=True
    )

    class Meta:
        model = PolicyElevator
        fields = [
            "elevator",
            "equipment_code",
            "premium",
            "rated_premium",
            "premium_deviation",
            "rating",
            "start_date",
            "end_date",
            "is_cancelled",
        ]
        read_only_fields = fields

    def get_fields(self):
        return with_help(
            super().get_fields(),
            {
                "elevator": _("电梯的内部编号。"),
                "equipment_code": _("设备代码。"),
                "premium": _("该电梯的保费（元），保单约定的金额。"),
                "rated_premium": _("该电梯按产品费率计算的保费（元），与约定保费对照。"),
                "premium_deviation": _(
                    "约定保费偏离费率计算结果的比例：（保费 − 费率计算保费）÷ 费率计算保费，如 -0.1 为下浮10%；"
                    "费率计算为0而约定不为0时为 null。"
                ),
                "rating": _("登记时的费率明细（基准保费与各因子系数）。"),
                "start_date": _("该电梯保障的起期（含）。"),
                "end_date": _("该电梯保障的实际止期（含）；保单退保后为退保日期的前一日。"),
                "is_cancelled": _("保单在该电梯的保障开始之前退保，保障从未生效。"),
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
    "total_premium": _("总保费（元）：保单约定的保费，各电梯保费之和。"),
    "rated_total_premium": _("按产品费率计算的总保费（元），与约定总保费对照。"),
    "premium_deviation": _(
        "约定总保费偏离费率计算结果的比例：（总保费 − 费率计算总保费）÷ 费率计算总保费，如 0.35 为上浮35%；"
        "费率计算为0而约定不为0时为 null。"
    ),
    "premium_outside_band": _("约定总保费超出产品版本的费率浮动区间（照常登记，供监管核查）。"),
    "funding_source": _(
        "资金来源：self 自筹，public_finance 财政，maintenance_fund 专项维修资金，insurer 保险机构。"
    ),
    "funding_source_display": _("资金来源的中文名称。"),
    "status": _("状态：active 有效，cancelled 已退保，expired 已到期。"),
    "status_display": _("状态的中文名称；起期在今天之后的有效保单为“未生效”。"),
    "cancelled_on": _("退保日期。"),
    "renewed_from": _("续保自哪份保单（内部编号），null 表示新保或调用方无权查看该保单。"),
    "renewal": _("续保后的保单（内部编号），null 表示尚未续保或调用方无权查看该保单。"),
    "elevator_count": _("承保电梯台数；seen_in_part 为 true 时只计调用方可查看的电梯。"),
    "seen_in_part": _(
        "调用方只能查看该保单的部分电梯（如区县监管部门查看跨辖区的保单）：此时 elevator_count 和 "
        "total_premium、rated_total_premium 只计这部分电梯，covered 也只列这部分。"
    ),
    "created_at": _("登记时间。"),
    "covered": _("承保的电梯中调用方可查看的电梯，及各自的保费和费率明细。"),
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
    status_display = serializers.SerializerMethodField()
    renewed_from = serializers.SerializerMethodField()
    renewal = serializers.SerializerMethodField()
    elevator_count = serializers.SerializerMethodField()
    # A caller who sees only part of the policy gets that part's count and premium (seen_in_part).
    total_premium = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="shown_total_premium", read_only=True
    )
    rated_total_premium = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="shown_rated_total_premium", read_only=True
    )
    seen_in_part = serializers.SerializerMethodField()

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
            "rated_total_premium",
            "premium_deviation",
            "premium_outside_band",
            "funding_source",
            "funding_source_display",
            "status",
            "status_display",
            "cancelled_on",
            "renewed_from",
            "renewal",
            "elevator_count",
            "seen_in_part",
            "created_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        return with_help(super().get_fields(), POLICY_HELP)

    # Links to other policies only when the caller may see them (annotated by the view through
    # PolicyQuerySet.with_visible_links).
    def get_renewed_from(self, policy: Policy) -> int | None:
        return getattr(policy, "visible_renewed_from_id", None)

    def get_renewal(self, policy: Policy) -> int | None:
        return getattr(policy, "visible_renewal_id", None)

    def get_status_display(self, policy: Policy) -> str:
        return policy.status_label(timezone.localdate())

    def get_elevator_count(self, policy: Policy) -> int:
        return policy.shown_elevator_count  # annotated by the view

    def get_seen_in_part(self, policy: Policy) -> bool:
        return bool(getattr(policy, "seen_in_part", False))  # PolicyQuerySet.with_visible_share


class PolicyDetailSerializer(PolicySerializer):
    # Only the covered elevators the caller may see (prefetched by the view): a district regulator
    # sees its district's part of a policy that spans districts.
    covered = CoverSerializer(many=True, read_only=True, source="visible_covers")

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
            "该电梯的保费（元），即保单约定的金额，按填写的登记；不填则按产品费率计算。与费率计算结果不同的照常登记，"
            "超出产品版本费率浮动区间的保单标记为 premium_outside_band。负数、收费产品的0元和每台超过1,000,000元的"
            "保费被拒绝。"
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
    start_date = PlausibleDateField(help_text=_("保险起期（含）。"))
    end_date = PlausibleDateField(
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


class PolicyRenewSerializer(serializers.Serializer):
    start_date = PlausibleDateField(
        required=False, allow_null=True, help_text=_("续保保单的起期；不填为原保单止期的次日。")
    )


class PolicyCancelSerializer(serializers.Serializer):
    date = PlausibleDateField(help_text=_("退保日期；自该日起电梯不再计为已投保。"))
