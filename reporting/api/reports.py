"""The frozen months and reports over the API: GET /api/v1/coverage/trend/ (the frozen months of
the caller's scope) and GET /api/v1/reports/ (the caller's monthly reports, each downloadable)."""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Department
from core.api.permissions import ReadVisibleWriteByKind
from core.api.viewsets import VisibleModelViewSet

from ..filtersets import ReportRunFilterSet
from ..models import FrozenMonth, MonthStatus, ReportRun, ScopeKind
from ..months import coverage_trend, parse_month
from ..selectors import GROUPINGS


class TrendQuerySerializer(serializers.Serializer):
    from_ = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    to = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    by = serializers.ChoiceField(choices=list(GROUPINGS), required=False)
    district = serializers.CharField(required=False, max_length=6)
    department = serializers.ChoiceField(choices=Department.choices, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a Python keyword
        return fields


class FigureSerializer(serializers.Serializer):
    in_scope = serializers.IntegerField(help_text=_("该月最后一天应投保的电梯台数。"))
    insured = serializers.IntegerField(help_text=_("其中已投保的台数。"))
    rate = serializers.FloatField(allow_null=True, help_text=_("投保率，0 到 1；应投保为 0 时为 null。"))


class RowSerializer(FigureSerializer):
    key = serializers.CharField(help_text=_("分组的代码（区县代码、场所类别代码、部门代码等）。"))
    label = serializers.CharField(help_text=_("分组的名称。"))


class TrendMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("月份 YYYY-MM。"))
    status = serializers.ChoiceField(choices=MonthStatus.choices, help_text=_("草稿、已审核或已发布。"))
    frozen_at = serializers.DateTimeField(help_text=_("冻结数字的计算时间。"))
    target = serializers.FloatField(allow_null=True, help_text=_("该月适用的目标投保率；未设定为 null。"))
    total = FigureSerializer(help_text=_("该范围的合计。"))
    rows = RowSerializer(many=True, help_text=_("按 by 分组的各行；未指定 by 时为空。"))


class ScopeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ScopeKind.choices, help_text=_("全市、区县或部门。"))
    code = serializers.CharField(allow_blank=True, help_text=_("区县代码或部门代码；全市为空。"))


class TrendSerializer(serializers.Serializer):
    by = serializers.CharField(allow_null=True, help_text=_("分组方式。"))
    scope = ScopeSerializer(help_text=_("数字所属的范围。"))
    months = TrendMonthSerializer(many=True, help_text=_("冻结的各月，从早到晚。"))


TREND_EXAMPLE = OpenApiExample(
    _("按区县的月度趋势"),
    value={
        "by": "district",
        "scope": {"kind": "city", "code": ""},
        "months": [
            {
                "month": "2021-05",
                "status": "published",
                "frozen_at": "2021-06-01T01:00:04+08:00",
                "target": 0.6,
                "total": {"in_scope": 22000, "insured": 12980, "rate": 0.59},
                "rows": [
                    {"key": "420606", "label": "樊城区", "in_scope": 7000, "insured": 4060, "rate": 0.58}
                ],
            }
        ],
    },
    response_only=True,
)


class CoverageTrendViewSet(viewsets.GenericViewSet):
    """Frozen monthly figures: the city regulator reads every month, others the published ones."""

    permission_classes = [ReadVisibleWriteByKind]
    queryset = FrozenMonth.objects.none()  # for the schema: the selector reads what the caller sees
    pagination_class = None
    serializer_class = TrendSerializer

    @extend_schema(
        summary=_("月度投保率趋势（冻结数据）"),
        description=_(
            "各月冻结的投保率（该月最后一天的数字），从早到晚；未冻结或调用方不可见的月份不出现。"
            "默认为调用方自己的范围：区县监管部门为本区县，行业主管部门为本行业，其他为全市；"
            "可用 district 或 department 指定可见的其他范围（全市和各区县的已发布数字对所有登录用户公开）。"
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description=_("起始月份 YYYY-MM。")),
            OpenApiParameter("to", OpenApiTypes.STR, description=_("截止月份 YYYY-MM。")),
            OpenApiParameter("by", OpenApiTypes.STR, enum=list(GROUPINGS), description=_("分组方式。")),
            OpenApiParameter("district", OpenApiTypes.STR, description=_("区县代码。")),
            OpenApiParameter("department", OpenApiTypes.STR, enum=list(Department.values)),
        ],
        responses={
            200: forced_singular_serializer(TrendSerializer),
            400: OpenApiResponse(description=_("月份或分组方式有误。")),
        },
        examples=[TREND_EXAMPLE],
    )
    def list(self, request):
        query = TrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = None
        if data.get("district"):
            scope = (ScopeKind.DISTRICT, data["district"])
        elif data.get("department"):
            scope = (ScopeKind.DEPARTMENT, data["department"])
        trend = coverage_trend(
            user=request.user,
            start=parse_month(data["from"], field="from") if data.get("from") else None,
            end=parse_month(data["to"], field="to") if data.get("to") else None,
            by=data.get("by"),
            scope=scope,
        )
        return Response(trend)


class ReportRunSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text=_("报表所属月份 YYYY-MM。"))
    department_label = serializers.CharField(
        source="get_department_display", read_only=True, help_text=_("部门名称。")
    )
    download = serializers.SerializerMethodField(help_text=_("下载地址；尚无文件时为 null。"))

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "month",
            "department",
            "department_label",
            "status",
            "checksum",
            "size",
            "created_at",
            "finished_at",
            "download",
        ]
        extra_kwargs = {
            "id": {"help_text": _("报表编号。")},
            "department": {"help_text": _("部门代码（SAMR、NFRA、FINANCE、HOUSING 等）。")},
            "status": {"help_text": _("排队中、生成中、已生成或生成失败（失败时仍可下载上一份完整文件）。")},
            "checksum": {"help_text": _("文件的 SHA-256。")},
            "size": {"help_text": _("文件大小（字节）。")},
            "created_at": {"help_text": _("报表记录的创建时间。")},
            "finished_at": {"help_text": _("最近一次生成的完成时间。")},
        }

    def get_month(self, run) -> str:
        return run.frozen_month.label

    def get_download(self, run) -> str | None:
        if not run.file:
            return None
        url = reverse("report-run-download", args=[run.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportRunViewSet(VisibleModelViewSet):
    """The caller's monthly reports (a department its own of published months; the city regulator
    every report), one per month and department."""

    queryset = ReportRun.objects.select_related("frozen_month").order_by("-frozen_month__month", "department")
    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilterSet.for_api()

    @extend_schema(
        summary=_("下载报表"),
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description=_("报表不存在、不可见或尚未生成。")),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return report_file_response(self.get_object())


def report_file_response(run: ReportRun) -> FileResponse:
    """The report's workbook as an attachment (404 while it has no file)."""
    if not run.file:
        raise Http404
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=run.filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
