"""Claims over the API: shapes only. Every rule lives in insurance.services.claims (claim_upsert,
claims_bulk_upsert), which the Excel upload calls too."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PlausibleDateField, PlausibleDatesMixin, PlausibleDateTimeField

from ...models import Claim, ClaimPayment, ClaimStatus, ClaimStatusChange, CoverageItem
from ...services.claims import CLAIMS_BATCH_MAX

MONEY = {"max_digits": 14, "decimal_places": 2}


class ClaimPaymentSerializer(PlausibleDatesMixin, serializers.ModelSerializer):
    class Meta:
        model = ClaimPayment
        fields = ["paid_on", "amount", "payee", "reference"]
        extra_kwargs = {
            "paid_on": {"help_text": _("支付日期。")},
            "amount": {"help_text": _("本笔支付金额（元，两位小数，大于0）。"), "min_value": Decimal("0.01")},
            "payee": {"help_text": _("收款人（可空）。"), "required": False},
            "reference": {"help_text": _("支付流水号（可空）。"), "required": False},
        }


class ClaimStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimStatusChange
        fields = ["from_status", "to_status", "on", "recorded_at"]
        extra_kwargs = {
            "from_status": {"help_text": _("变更前状态（新建理赔时为空）。")},
            "to_status": {"help_text": _("变更后状态。")},
            "on": {"help_text": _("该状态的日期（报案、受理、赔付……日期）。")},
            "recorded_at": {"help_text": _("记录时间。")},
        }


class ClaimSerializer(serializers.ModelSerializer):
    """A claim as the API answers it."""

    insurer_name = serializers.CharField(source="insurer.name", read_only=True, help_text=_("保险机构名称。"))
    insurer_credit_code = serializers.CharField(
        source="insurer.credit_code", read_only=True, help_text=_("保险机构统一社会信用代码。")
    )
    policy_number = serializers.CharField(source="policy.number", read_only=True, help_text=_("保单号。"))
    equipment_code = serializers.CharField(
        source="elevator.equipment_code", read_only=True, help_text=_("出险电梯的设备代码。")
    )
    payments = ClaimPaymentSerializer(many=True, read_only=True, help_text=_("各笔赔款支付。"))
    status_changes = ClaimStatusChangeSerializer(
        many=True, read_only=True, help_text=_("状态变更记录，先后排列。")
    )

    class Meta:
        model = Claim
        fields = [
            "id", "claim_number", "insurer_name", "insurer_credit_code", "policy_number", "equipment_code",
            "elevator", "incident_at", "kind", "coverage_item", "people_injured", "people_dead",
            "amount_claimed", "amount_reserved", "amount_paid", "advance_payment", "status", "reported_on",
            "accepted_on", "paid_on", "rejected_on", "withdrawn_on", "closed_on", "description", "payments",
            "status_changes", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("理赔在本平台的编号。")},
            "claim_number": {"help_text": _("保险机构的理赔编号（同一保险机构内唯一）。")},
            "elevator": {"help_text": _("出险电梯在本平台的编号。")},
            "incident_at": {"help_text": _("出险时间（带时区；出险日期按北京时间计）。")},
            "kind": {"help_text": _("事故类型。")},
            "coverage_item": {"help_text": _("索赔的保障项目。")},
            "people_injured": {"help_text": _("受伤人数。")},
            "people_dead": {"help_text": _("死亡人数。")},
            "amount_claimed": {"help_text": _("索赔金额（元）。")},
            "amount_reserved": {"help_text": _("估损金额（元）。")},
            "amount_paid": {"help_text": _("已赔金额（元）。")},
            "advance_payment": {"help_text": _("是否先行赔付。")},
            "status": {"help_text": _("理赔状态。")},
            "reported_on": {"help_text": _("报案日期。")},
            "accepted_on": {"help_text": _("受理日期。")},
            "paid_on": {"help_text": _("赔付日期。")},
            "rejected_on": {"help_text": _("拒赔日期。")},
            "withdrawn_on": {"help_text": _("撤案日期。")},
            "closed_on": {"help_text": _("结案日期。")},
            "description": {"help_text": _("事故经过。")},
            "created_at": {"help_text": _("首次报送时间。")},
            "updated_at": {"help_text": _("最近更新时间。")},
        }


def _date_field(help_text):
    return PlausibleDateField(required=False, allow_null=True, help_text=help_text)


class ClaimWriteSerializer(serializers.Serializer):
    """A claim as an insurer sends it. Only claim_number is always required: a new claim also needs
    policy_number, equipment_code, incident_at, kind, coverage_item and reported_on; an update sends
    only what changes (fields left out keep their values)."""

    claim_number = serializers.CharField(
        max_length=64, help_text=_("保险机构的理赔编号；再次报送同一编号即更新该理赔。")
    )
    policy_number = serializers.CharField(
        max_length=64, required=False, help_text=_("本保险机构的保单号（其他机构的保单视为不存在）。")
    )
    equipment_code = serializers.CharField(
        max_length=40, required=False, help_text=_("出险电梯的设备代码（18位设备代码或20位注册代码）。")
    )
    incident_at = PlausibleDateTimeField(
        required=False, help_text=_("出险时间，如 2026-03-05T14:30:00+08:00；须在该电梯的保险期间内。")
    )
    kind = serializers.ChoiceField(choices=Claim.Kind.choices, required=False, help_text=_("事故类型。"))
    coverage_item = serializers.ChoiceField(
        choices=CoverageItem.choices, required=False, help_text=_("索赔的保障项目，须为保单产品承保的项目。")
    )
    people_injured = serializers.IntegerField(min_value=0, required=False, help_text=_("受伤人数，默认0。"))
    people_dead = serializers.IntegerField(min_value=0, required=False, help_text=_("死亡人数，默认0。"))
    amount_claimed = serializers.DecimalField(
        **MONEY, min_value=0, required=False, help_text=_("索赔金额（元，两位小数），默认0。")
    )
    amount_reserved = serializers.DecimalField(
        **MONEY, min_value=0, required=False, help_text=_("估损金额（元，两位小数），默认0。")
    )
    amount_paid = serializers.DecimalField(
        **MONEY,
        min_value=0,
        required=False,
        help_text=_("已赔金额（元）；报送了支付记录时须等于其合计，省略则取合计。"),
    )
    advance_payment = serializers.BooleanField(required=False, help_text=_("是否先行赔付，默认否。"))
    status = serializers.ChoiceField(
        choices=ClaimStatus.choices,
        required=False,
        help_text=_(
            "理赔状态，默认已报案。新理赔可为任一状态；更新只能按 已报案→已受理→已赔付/已拒赔/已撤案→已结案 "
            "向前变更（已报案可直接赔付、拒赔、撤案或结案）。每个状态须有对应日期。"
        ),
    )
    reported_on = PlausibleDateField(required=False, help_text=_("报案日期（新理赔必填）。"))
    accepted_on = _date_field(_("受理日期（状态为已受理时必填）。"))
    paid_on = _date_field(_("赔付日期（状态为已赔付时必填）。"))
    rejected_on = _date_field(_("拒赔日期（状态为已拒赔时必填）。"))
    withdrawn_on = _date_field(_("撤案日期（状态为已撤案时必填）。"))
    closed_on = _date_field(_("结案日期（状态为已结案时必填）。"))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text=_("事故经过。")
    )
    payments = ClaimPaymentSerializer(
        many=True, required=False, help_text=_("赔款支付记录；报送时整体替换该理赔已有的支付记录。")
    )


class ClaimBulkRequestSerializer(serializers.Serializer):
    claims = ClaimWriteSerializer(
        many=True, help_text=_("最多1000条理赔；每条单独校验、单独保存。"), max_length=CLAIMS_BATCH_MAX
    )
