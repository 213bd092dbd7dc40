"""Maintenance records over the API: shapes only; every rule lives in maintenance.services.records."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PlausibleDateField, PlausibleDateTimeField

from ...models import (
    Attachment,
    ItemResult,
    MaintenanceLevel,
    MaintenanceRecord,
    RecordFlag,
    RecordItem,
    ScanMethod,
)
from ...services.records import RECORDS_BATCH_MAX

HELP = {
    "id": _("维保记录在本平台的编号。"),
    "record_number": _("维保单位自己的维保记录编号（同一维保单位内唯一）。"),
    "elevator": _("电梯在本平台的编号。"),
    "performed_on": _("维保日期。"),
    "level": _("维保类别：half_monthly 半月、quarterly 季度、half_yearly 半年、yearly 年度。"),
    "started_at": _("作业开始时间（带时区，可空）。"),
    "ended_at": _("作业结束时间（带时区，可空）。"),
    "worker_name": _("作业人员1姓名（可空）。"),
    "worker_certificate": _("作业人员1证书编号（可空）。"),
    "second_worker_name": _("作业人员2姓名（可空）。"),
    "second_worker_certificate": _("作业人员2证书编号（可空）。"),
    "findings": _("发现的问题及处理（可空）。"),
    "scan_in_at": _("签到时间（可空）。"),
    "scan_in_method": _("签到方式：qr 扫码、typed 手工输入设备码（可空）。"),
    "scan_in_latitude": _("签到位置纬度（可空）。"),
    "scan_in_longitude": _("签到位置经度（可空）。"),
    "scan_out_at": _("签退时间（可空）。"),
    "confirmed_at": _("使用单位确认时间（未确认为空）。"),
    "review_outcome": _("复核结果（空为未复核）。"),
    "reviewed_at": _("复核时间。"),
    "review_note": _("复核意见。"),
    "created_at": _("创建时间。"),
    "updated_at": _("更新时间。"),
}
WRITE_FIELDS = [
    "record_number", "performed_on", "level", "started_at", "ended_at", "worker_name", "worker_certificate",
    "second_worker_name", "second_worker_certificate", "findings", "scan_in_at", "scan_in_method",
    "scan_in_latitude", "scan_in_longitude", "scan_out_at",
]  # fmt: skip


class RecordItemSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(max_length=16, help_text=_("检查项目编号，如 A1-03（见维保项目表）。"))
    result = serializers.ChoiceField(choices=ItemResult.choices, help_text=_("结果。"))
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text=_("说明（异常项目必填）。")
    )

    class Meta:
        model = RecordItem
        fields = ["item_code", "result", "note"]


class RecordFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordFlag
        fields = ["flag", "detail"]
        extra_kwargs = {"flag": {"help_text": _("疑点。")}, "detail": {"help_text": _("疑点说明。")}}


class RecordPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "spot", "moment", "sha256", "taken_at"]
        extra_kwargs = {
            "id": {"help_text": _("附件编号。")},
            "spot": {"help_text": _("拍摄部位。")},
            "moment": {"help_text": _("拍摄时点（作业前/后）。")},
            "sha256": {"help_text": _("文件的SHA-256。")},
            "taken_at": {"help_text": _("拍摄时间。")},
        }


class MaintenanceRecordSerializer(serializers.ModelSerializer):
    """A maintenance record as the API answers it."""

    company_name = serializers.CharField(source="company.name", read_only=True, help_text=_("维保单位名称。"))
    equipment_code = serializers.CharField(
        source="elevator.equipment_code", read_only=True, help_text=_("电梯的设备代码。")
    )
    items = RecordItemSerializer(many=True, read_only=True, help_text=_("检查项目及结果。"))
    flags = RecordFlagSerializer(many=True, read_only=True, help_text=_("待复核的疑点。"))
    photos = RecordPhotoSerializer(source="attachments", many=True, read_only=True, help_text=_("现场照片。"))

    class Meta:
        model = MaintenanceRecord
        fields = [
            "id", "company_name", "equipment_code", "elevator", *WRITE_FIELDS, "confirmed_at",
            "review_outcome", "reviewed_at", "review_note", "items", "flags", "photos", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {name: {"help_text": text} for name, text in HELP.items()}


class MaintenanceRecordWriteSerializer(serializers.Serializer):
    """One record as a maintenance company sends it: four fields required, the rest optional. Its
    text fields trim spaces (DRF's default), the record number included; no validate() of its own,
    so the bulk endpoint checks a plain item quickly (core.api.shapes.QuickShape)."""

    record_number = serializers.CharField(max_length=64, help_text=HELP["record_number"])
    equipment_code = serializers.CharField(
        max_length=32, help_text=_("电梯的设备代码（须为本单位维保的电梯）。")
    )
    performed_on = PlausibleDateField(help_text=HELP["performed_on"])
    level = serializers.ChoiceField(choices=MaintenanceLevel.choices, help_text=HELP["level"])
    started_at = PlausibleDateTimeField(required=False, allow_null=True, help_text=HELP["started_at"])
    ended_at = PlausibleDateTimeField(required=False, allow_null=True, help_text=HELP["ended_at"])
    worker_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=HELP["worker_name"]
    )
    worker_certificate = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text=HELP["worker_certificate"]
    )
    second_worker_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text=HELP["second_worker_name"]
    )
    second_worker_certificate = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text=HELP["second_worker_certificate"]
    )
    findings = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text=HELP["findings"]
    )
    scan_in_at = PlausibleDateTimeField(required=False, allow_null=True, help_text=HELP["scan_in_at"])
    scan_in_method = serializers.ChoiceField(
        choices=ScanMethod.choices, required=False, allow_blank=True, help_text=HELP["scan_in_method"]
    )
    scan_in_latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True,
        help_text=HELP["scan_in_latitude"],
    )  # fmt: skip
    scan_in_longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True,
        help_text=HELP["scan_in_longitude"],
    )  # fmt: skip
    scan_out_at = PlausibleDateTimeField(required=False, allow_null=True, help_text=HELP["scan_out_at"])
    items = RecordItemSerializer(
        many=True, required=False, help_text=_("检查项目及结果（可空；送则整体替换）。")
    )


class MaintenanceRecordBulkRequestSerializer(serializers.Serializer):
    records = MaintenanceRecordWriteSerializer(
        many=True, help_text=_("维保记录，最多%(max)d条。") % {"max": RECORDS_BATCH_MAX}
    )


class RecordReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[("accepted", _("复核通过")), ("rejected", _("认定不实"))], help_text=_("复核结果。")
    )
    note = serializers.CharField(
        required=False, allow_blank=True, help_text=_("复核意见（认定不实时必填）。")
    )
