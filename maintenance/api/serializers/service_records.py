"""Services over the API: shapes only. The rules live in maintenance.services.service_records."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Organisation, OrganisationKind
from core.api.fields import PlausibleDateField
from core.api.shapes import QuickShape
from core.text import normalise_code

from ...models import AssessmentConclusion, Attachment, ServiceElevator, ServiceKind, ServiceRecord

MONEY = {"max_digits": 12, "decimal_places": 2}


class ServiceElevatorSerializer(serializers.ModelSerializer):
    equipment_code = serializers.CharField(source="elevator.equipment_code", help_text=_("电梯的设备代码。"))
    policy_number = serializers.CharField(source="policy.number", help_text=_("该电梯所依据的保单号。"))

    class Meta:
        model = ServiceElevator
        fields = ["elevator", "equipment_code", "policy", "policy_number"]
        read_only_fields = fields
        extra_kwargs = {
            "elevator": {"help_text": _("电梯在本平台的编号。")},
            "policy": {"help_text": _("保单在本平台的编号。")},
        }


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("下载地址（只对可查看该服务者有效）。"))

    class Meta:
        model = Attachment
        fields = ["id", "content_type", "size", "sha256", "spot", "moment", "uploaded_at", "url"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("附件在本平台的编号。")},
            "content_type": {
                "help_text": _("按文件内容判断的类型：image/jpeg、image/png 或 application/pdf。")
            },
            "size": {"help_text": _("大小（字节）。")},
            "sha256": {"help_text": _("文件的SHA-256。")},
            "spot": {"help_text": _("拍摄部位（可空）。")},
            "moment": {"help_text": _("拍摄时点（可空）。")},
            "uploaded_at": {"help_text": _("上传时间。")},
        }

    def get_url(self, attachment) -> str:
        from django.urls import reverse

        return reverse("maintenance-attachment-download", args=[attachment.pk])


class ServiceRecordSerializer(serializers.ModelSerializer):
    """A service as the API answers it."""

    insurer_name = serializers.CharField(source="insurer.name", read_only=True, help_text=_("保险机构名称。"))
    elevators = ServiceElevatorSerializer(
        source="covered", many=True, read_only=True, help_text=_("服务的电梯及各自所依据的保单。")
    )
    attachments = AttachmentSerializer(many=True, read_only=True, help_text=_("照片和文件。"))

    class Meta:
        model = ServiceRecord
        fields = [
            "id", "insurer", "insurer_name", "service_number", "kind", "performed_on", "elevators", "site_name",
            "findings", "maintenance_company", "quality_score", "assessment_grade", "assessment_conclusion",
            "amount", "repayer", "repaid", "attendance", "attachments", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("服务在本平台的编号。")},
            "insurer": {"help_text": _("保险机构在本平台的编号。")},
            "service_number": {"help_text": _("保险机构的服务编号（同一保险机构内唯一）。")},
            "kind": {"help_text": _("服务类型（七项服务之一）。")},
            "performed_on": {"help_text": _("服务日期。")},
            "site_name": {"help_text": _("服务地点（未指明电梯的服务）。")},
            "findings": {"help_text": _("服务内容及发现。")},
            "maintenance_company": {"help_text": _("被评价维保单位在本平台的编号（维保质量评价）。")},
            "quality_score": {"help_text": _("维保质量评分0-100（维保质量评价）。")},
            "assessment_grade": {"help_text": _("GB/T 42615-2023 安全评估等级（老旧电梯安全评估）。")},
            "assessment_conclusion": {"help_text": _("评估结论（老旧电梯安全评估）。")},
            "amount": {"help_text": _("垫付或支付金额（元，“三无”电梯隐患整治）。")},
            "repayer": {"help_text": _("偿还方（“三无”电梯隐患整治）。")},
            "repaid": {"help_text": _("是否已偿还（“三无”电梯隐患整治）。")},
            "attendance": {"help_text": _("参加人数（培训、应急救援演练）。")},
            "created_at": {"help_text": _("首次报送时间。")},
            "updated_at": {"help_text": _("最近更新时间。")},
        }


class ServiceRecordFieldsSerializer(serializers.Serializer):
    """The fields of a service as an insurer sends them, each checked on its own (no validate():
    the bulk endpoint checks a plain item quickly, core.api.shapes.QuickShape)."""

    service_number = serializers.CharField(
        max_length=64, help_text=_("保险机构的服务编号；再次报送同一编号即更新。")
    )
    kind = serializers.ChoiceField(choices=ServiceKind.choices, help_text=_("服务类型。"))
    performed_on = PlausibleDateField(help_text=_("服务日期；须在该电梯“保险+维保服务”保单的保险期间内。"))
    equipment_code = serializers.CharField(max_length=40, required=False, help_text=_("电梯的设备代码。"))
    equipment_codes = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=200,
        help_text=_("多台电梯时的设备代码列表（可代替 equipment_code）。"),
    )
    policy_number = serializers.CharField(
        max_length=64,
        required=False,
        help_text=_("所依据的保单号；省略时按服务日期查找在保的“保险+维保服务”保单。"),
    )
    site_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("服务地点。")
    )
    findings = serializers.CharField(required=False, allow_blank=True, help_text=_("服务内容及发现。"))
    quality_score = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, help_text=_("维保质量评分0-100。")
    )
    maintenance_company = serializers.SlugRelatedField(
        slug_field="credit_code",
        queryset=Organisation.objects.filter(kind=OrganisationKind.MAINTENANCE_COMPANY),
        required=False,
        allow_null=True,
        help_text=_("被评价维保单位的统一社会信用代码；省略时为电梯的维保单位。"),
    )
    assessment_grade = serializers.CharField(
        max_length=16, required=False, allow_blank=True, help_text=_("安全评估等级。")
    )
    assessment_conclusion = serializers.ChoiceField(
        choices=AssessmentConclusion.choices, required=False, allow_blank=True, help_text=_("评估结论。")
    )
    amount = serializers.DecimalField(
        **MONEY, min_value=0, required=False, allow_null=True, help_text=_("垫付或支付金额（元，两位小数）。")
    )
    repayer = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text=_("偿还方。"))
    # No default: a service left without it is stored as not repaid (three_no_rectification) or
    # without the field, as when null is sent.
    repaid = serializers.BooleanField(required=False, allow_null=True, help_text=_("是否已偿还。"))
    attendance = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, help_text=_("参加人数。")
    )


class ServiceRecordWriteSerializer(ServiceRecordFieldsSerializer):
    """A service as an insurer sends it: service_number, kind, performed_on and the elevator
    (equipment_code, or equipment_codes for several) are required; all else is optional."""

    # A single service may be at a site with no elevator; a bulk item always names its elevators.
    site_allowed = True

    def validate(self, attrs):
        codes = [normalise_code(code) for code in attrs.pop("equipment_codes", [])]
        if attrs.get("equipment_code"):
            codes.insert(0, normalise_code(attrs.pop("equipment_code")))
        if not codes and not (self.site_allowed and attrs.get("site_name")):
            raise serializers.ValidationError({"equipment_code": [_("请填写电梯的设备代码。")]})
        attrs["equipment_codes"] = list(dict.fromkeys(codes))
        return attrs


class ServiceRecordBulkItemSerializer(ServiceRecordWriteSerializer):
    """A bulk item: as a single service, with equipment_code (or equipment_codes) required."""

    site_allowed = False


class ServiceRecordBulkShape:
    """The shape check of a bulk item, answering as ServiceRecordBulkItemSerializer does (refusals
    word for word): the fields quickly for a plain valid item (QuickShape, DRF's own otherwise),
    then the serializer's validate() for the elevators. DRF too checks the fields before validate()."""

    def __init__(self):
        self.fields = QuickShape(ServiceRecordFieldsSerializer())
        self.item = ServiceRecordBulkItemSerializer()

    def run_validation(self, data):
        return self.item.validate(self.fields.run_validation(data))


class ServiceRecordBulkRequestSerializer(serializers.Serializer):
    services = ServiceRecordBulkItemSerializer(many=True, help_text=_("服务列表，一次最多1000条。"))


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("JPEG、PNG图片或PDF文件（按内容判断），不超过大小限制。"))
    spot = serializers.ChoiceField(
        choices=Attachment.Spot.choices, required=False, allow_blank=True, help_text=_("拍摄部位。")
    )
    moment = serializers.ChoiceField(
        choices=Attachment.Moment.choices, required=False, allow_blank=True, help_text=_("拍摄时点。")
    )
