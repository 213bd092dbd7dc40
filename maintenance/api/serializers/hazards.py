"""Hazards over the API: shapes only; the rules are maintenance.services.hazards'."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PlausibleDateField

from ...models import Hazard, HazardSeverity, HazardSource, HazardStatus, HazardStep, SeriousHazardCriterion


class HazardStepSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(
        source="by_organisation.name", read_only=True, help_text=_("办理这一步的单位。")
    )

    class Meta:
        model = HazardStep
        fields = ["status", "at", "organisation_name", "note"]
        read_only_fields = fields
        extra_kwargs = {
            "status": {"help_text": _("这一步之后的状态。")},
            "at": {"help_text": _("办理时间（带时区）。")},
            "note": {"help_text": _("说明：整改了什么，或退回的原因。")},
        }


class HazardSerializer(serializers.ModelSerializer):
    """A hazard as the API answers it, with its steps."""

    reporter_name = serializers.CharField(
        source="reporter.name", read_only=True, help_text=_("报告单位名称。")
    )
    equipment_code = serializers.CharField(
        source="elevator.equipment_code", read_only=True, help_text=_("电梯的设备代码。")
    )
    district = serializers.CharField(
        source="elevator.district_id", read_only=True, help_text=_("电梯所在区县的区划代码。")
    )
    overdue = serializers.SerializerMethodField(
        help_text=_("是否逾期：未整改且已过整改期限（北京时间今天）。")
    )
    steps = HazardStepSerializer(many=True, read_only=True, help_text=_("处理步骤，先后排列。"))

    class Meta:
        model = Hazard
        fields = [
            "id", "hazard_number", "reporter_name", "equipment_code", "elevator", "district", "found_on",
            "found_by", "severity", "criterion", "description", "deadline", "status", "rectification",
            "overdue", "regulators_notified_at", "escalation_level", "steps", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("隐患在本平台的编号。")},
            "hazard_number": {"help_text": _("报告单位自己的隐患编号（同一单位内唯一）。")},
            "elevator": {"help_text": _("电梯在本平台的编号。")},
            "found_on": {"help_text": _("发现日期。")},
            "found_by": {"help_text": _("发现途径。")},
            "severity": {"help_text": _("隐患等级：一般或重大。")},
            "criterion": {"help_text": _("重大隐患的判定依据（GB 45067-2024），一般隐患为空。")},
            "description": {"help_text": _("隐患描述。")},
            "deadline": {"help_text": _("整改期限（可空）。")},
            "status": {"help_text": _("状态：待整改、整改中、已整改、已核销。")},
            "rectification": {"help_text": _("整改情况。")},
            "regulators_notified_at": {"help_text": _("重大隐患通报监管部门的时间（只通报一次）。")},
            "escalation_level": {
                "help_text": _("逾期督办级别：0 未督办，1 已通报区县监管部门，2 已通报市级监管部门。")
            },
            "created_at": {"help_text": _("创建时间。")},
            "updated_at": {"help_text": _("最后修改时间。")},
        }

    def get_overdue(self, hazard: Hazard) -> bool:
        return bool(hazard.is_open and hazard.deadline and hazard.deadline < timezone.localdate())


class HazardWriteSerializer(serializers.Serializer):
    """One hazard report (create, or update by the same number)."""

    hazard_number = serializers.CharField(
        max_length=64, help_text=_("报告单位自己的隐患编号，再次报送即更新。")
    )
    equipment_code = serializers.CharField(max_length=40, help_text=_("电梯的设备代码。"))
    found_on = PlausibleDateField(help_text=_("发现日期（YYYY-MM-DD）。"))
    severity = serializers.ChoiceField(
        choices=HazardSeverity.choices, help_text=_("general 一般隐患；serious 重大隐患。")
    )
    criterion = serializers.ChoiceField(
        choices=SeriousHazardCriterion.choices,
        required=False,
        allow_blank=True,
        help_text=_("重大隐患的判定依据（重大隐患必填）。"),
    )
    description = serializers.CharField(max_length=4000, help_text=_("隐患描述。"))
    found_by = serializers.ChoiceField(
        choices=HazardSource.choices, required=False, help_text=_("发现途径；不填时按报告单位类型确定。")
    )
    deadline = PlausibleDateField(required=False, allow_null=True, help_text=_("整改期限（可空）。"))


class HazardBulkRequestSerializer(serializers.Serializer):
    hazards = HazardWriteSerializer(many=True, help_text=_("要报送的隐患，最多1000条。"))


class HazardRectifySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s, HazardStatus(s).label) for s in (HazardStatus.RECTIFYING, HazardStatus.RECTIFIED)],
        help_text=_("rectifying 整改中；rectified 已整改（须填写整改情况）。"),
    )
    rectification = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text=_("整改了什么。")
    )


class HazardCloseSerializer(serializers.Serializer):
    send_back = serializers.BooleanField(
        default=False, help_text=_("false 核销；true 退回整改（须说明原因）。")
    )
    note = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text=_("核销或退回的说明。")
    )
