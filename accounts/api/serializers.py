from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Department, Notice, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(
        source="get_kind_display", read_only=True, help_text=_("机构类型的名称。")
    )
    district_name = serializers.CharField(
        source="district.name", read_only=True, default=None, allow_null=True, help_text=_("所在区县的名称。")
    )
    department = serializers.ChoiceField(
        choices=Department.choices,
        read_only=True,
        allow_blank=True,
        help_text=_("八部门之一的部门代码；其他机构为空。"),
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "short_name",
            "credit_code",
            "district",
            "district_name",
            "department",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("机构在本平台的编号。")},
            "kind": {"help_text": _("机构类型。")},
            "name": {"help_text": _("机构全称。")},
            "short_name": {"help_text": _("简称（可空）。")},
            "credit_code": {"help_text": _("统一社会信用代码（可空：部分使用单位登记时没有）。")},
            "district": {"help_text": _("所在区县的区划代码（可空）。")},
        }


class NoticeSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True, help_text=_("是否已读。"))

    class Meta:
        model = Notice
        fields = ["id", "subject", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": _("通知的编号。")},
            "subject": {"help_text": _("主题。")},
            "body": {"help_text": _("内容。")},
            "link": {"help_text": _("相关页面在本门户的地址（可空）。")},
            "created_at": {"help_text": _("发出时间。")},
            "read_at": {"help_text": _("标为已读的时间；未读时为空。")},
        }
