"""Rescues and the claim proposals they make, over the API: shapes only. The rules live in
maintenance.services.rescues and maintenance.services.claim_proposals."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PlausibleDateTimeField
from elevators.api.serializers.fields import with_help

from ...models import ClaimProposal, RescueCause, RescueIncident, RescueTier
from ...services.rescues import RESCUES_BATCH_MAX

RESCUE_HELP = {
    "id": _("救援记录在本平台的编号。"),
    "rescue_number": _("报告单位自己的救援编号（同一单位内唯一，重复报送即更新）。"),
    "reporter_name": _("报告单位名称。"),
    "elevator": _("电梯在本平台的编号。"),
    "equipment_code": _("电梯的设备代码。"),
    "rescue_code": _("电梯的6位识别码（电梯识别码）。"),
    "district": _("电梯所在区县的编号。"),
    "alarm_at": _("报警时间（带时区）。"),
    "dispatched_at": _("派单时间。"),
    "arrived_at": _("救援人员到达现场时间。"),
    "released_at": _("被困人员解困时间。"),
    "people_trapped": _("被困人数。"),
    "people_injured": _("受伤人数。"),
    "tier": _(
        "实施救援的力量：maintenance_company 维保单位，grid_station 网格救援站，fire_brigade 消防救援。"
    ),
    "cause": _("困人原因：power_cut、door_fault、control_fault、misuse、external、other。"),
    "note": _("说明。"),
    "minutes_to_arrive": _("报警到到达的分钟数（整分钟，向下取整；未到达时为空）。"),
    "minutes_on_site": _("到达到解困的分钟数（未解困时为空）。"),
    "minutes_trapped": _("报警到解困的分钟数（未解困时为空）。"),
    "arrived_within_limit": _("是否在时限（30分钟）内到达；未到达时为空。"),
    "claim_proposal": _("此次救援建议的理赔在本平台的编号（无则为空）。"),
    "created_at": _("记录创建时间。"),
    "updated_at": _("最近更新时间。"),
}


class RescueSerializer(serializers.ModelSerializer):
    """A rescue as the API answers it, with its derived figures."""

    reporter_name = serializers.CharField(source="reporter.name", read_only=True)
    equipment_code = serializers.CharField(source="elevator.equipment_code", read_only=True)
    rescue_code = serializers.CharField(source="elevator.rescue_code", read_only=True, allow_null=True)
    district = serializers.IntegerField(source="elevator.district_id", read_only=True)
    minutes_to_arrive = serializers.IntegerField(read_only=True, allow_null=True)
    minutes_on_site = serializers.IntegerField(read_only=True, allow_null=True)
    minutes_trapped = serializers.IntegerField(read_only=True, allow_null=True)
    arrived_within_limit = serializers.BooleanField(read_only=True, allow_null=True)
    claim_proposal = serializers.SerializerMethodField()

    class Meta:
        model = RescueIncident
        fields = list(RESCUE_HELP)
        read_only_fields = fields

    def get_fields(self):
        return with_help(super().get_fields(), RESCUE_HELP)

    def get_claim_proposal(self, rescue) -> int | None:
        # Only what the reader may see: the list annotates the visible proposal's id.
        return getattr(rescue, "visible_proposal_id", None)


RESCUE_WRITE_HELP = {
    name: RESCUE_HELP[name]
    for name in (
        "rescue_number", "alarm_at", "dispatched_at", "arrived_at", "released_at", "people_trapped",
        "people_injured", "tier", "cause", "note",
    )
}  # fmt: skip


class RescueWriteSerializer(serializers.Serializer):
    """One rescue as a reporter sends it: rescue_number, equipment_code or rescue_code, alarm_at
    required (alarm_at on a new number only); everything else optional."""

    rescue_number = serializers.CharField(max_length=64)
    equipment_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text=_("电梯的设备代码（与电梯识别码二选一）。")
    )
    rescue_code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text=_("电梯的6位识别码（与设备代码二选一）。")
    )
    alarm_at = PlausibleDateTimeField(required=False)
    dispatched_at = PlausibleDateTimeField(required=False, allow_null=True)
    arrived_at = PlausibleDateTimeField(required=False, allow_null=True)
    released_at = PlausibleDateTimeField(required=False, allow_null=True)
    people_trapped = serializers.IntegerField(min_value=0, max_value=999, required=False)
    people_injured = serializers.IntegerField(min_value=0, max_value=999, required=False)
    tier = serializers.ChoiceField(choices=RescueTier.choices, required=False, allow_blank=True)
    cause = serializers.ChoiceField(choices=RescueCause.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def get_fields(self):
        fields = super().get_fields()
        for name, text in RESCUE_WRITE_HELP.items():
            fields[name].help_text = text
        return fields

    def validate(self, attrs):
        if not (attrs.get("equipment_code") or attrs.get("rescue_code")):
            raise serializers.ValidationError({"equipment_code": [_("请填写设备代码或电梯识别码。")]})
        return attrs


class RescueBulkRequestSerializer(serializers.Serializer):
    rescues = RescueWriteSerializer(
        many=True,
        help_text=_("救援记录，每条的字段与单条报送相同，一次最多%(max)d条。") % {"max": RESCUES_BATCH_MAX},
    )


PROPOSAL_HELP = {
    "id": _("理赔建议在本平台的编号。"),
    "rescue": _("救援记录在本平台的编号。"),
    "rescue_number": _("报告单位的救援编号。"),
    "equipment_code": _("电梯的设备代码。"),
    "alarm_at": _("报警时间。"),
    "people_trapped": _("被困人数。"),
    "minutes_trapped": _("被困分钟数。"),
    "insurer": _("保险机构在本平台的编号。"),
    "policy_number": _("救援时有效的保单号。"),
    "amount": _("建议赔付金额（元）：被困人数 × 产品的每人困人给付。"),
    "status": _("状态：proposed 待确认，confirmed 已确认立案，declined 已拒绝。"),
    "claim": _("确认后创建的理赔在本平台的编号。"),
    "decided_at": _("处理时间。"),
    "decision_note": _("处理说明（拒绝原因）。"),
    "created_at": _("建议时间。"),
}


class ClaimProposalSerializer(serializers.ModelSerializer):
    rescue_number = serializers.CharField(source="rescue.rescue_number", read_only=True)
    equipment_code = serializers.CharField(source="rescue.elevator.equipment_code", read_only=True)
    alarm_at = serializers.DateTimeField(source="rescue.alarm_at", read_only=True)
    people_trapped = serializers.IntegerField(source="rescue.people_trapped", read_only=True)
    minutes_trapped = serializers.IntegerField(
        source="rescue.minutes_trapped", read_only=True, allow_null=True
    )
    policy_number = serializers.CharField(source="policy.number", read_only=True)

    class Meta:
        model = ClaimProposal
        fields = list(PROPOSAL_HELP)
        read_only_fields = fields

    def get_fields(self):
        return with_help(super().get_fields(), PROPOSAL_HELP)


class ClaimProposalConfirmSerializer(serializers.Serializer):
    claim_number = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text=_("理赔编号（留空则为 JY-救援编号）。")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text=_("处理说明。"))


class ClaimProposalDeclineSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("拒绝原因（必填）。"))
