from rest_framework import serializers

from ..models import Notice, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True, default=None)

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


class NoticeSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "subject", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields
