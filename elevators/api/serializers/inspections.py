"""Inspections over the API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PlausibleDatesMixin

from ...models import Elevator, Inspection
from .fields import with_help


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


class InspectionSerializer(PlausibleDatesMixin, serializers.ModelSerializer):
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
