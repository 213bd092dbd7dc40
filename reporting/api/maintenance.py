"""GET /api/v1/coverage/maintenance/: the maintenance figures beside coverage, as on the dashboard's
"维保与服务" panel (reporting.reports.maintenance), through the caller's visibility."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import District
from elevators.models import PlaceCategory

from ..months import month_start
from ..reports.maintenance import maintenance_figures

RATE = {"allow_null": True, "min_value": 0, "max_value": 1}


class MaintenanceQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("统计日期 YYYY-MM-DD，默认今天。"))
    district = serializers.SlugRelatedField(
        slug_field="code", queryset=District.objects.all(), required=False, help_text=_("区县的区划代码。")
    )
    place_category = serializers.SlugRelatedField(
        slug_field="code", queryset=PlaceCategory.objects.all(), required=False, help_text=_("场所类别代码。")
    )


class ServiceFigureSerializer(serializers.Serializer):
    insurer_id = serializers.IntegerField(help_text=_("保险机构在本平台的编号。"))
    insurer_name = serializers.CharField(help_text=_("保险机构名称。"))
    kind = serializers.CharField(help_text=_("服务类型代码。"))
    kind_label = serializers.CharField(help_text=_("服务类型名称（当前语言）。"))
    services = serializers.IntegerField(help_text=_("服务次数。"))
    elevators = serializers.IntegerField(help_text=_("服务涉及的电梯台数（不重复）。"))


class MaintenanceStateSerializer(serializers.Serializer):
    on_time = serializers.IntegerField(help_text=_("统计日按期维保的在用电梯台数。"))
    overdue = serializers.IntegerField(help_text=_("统计日维保超期的在用电梯台数。"))
    no_record = serializers.IntegerField(help_text=_("没有任何维保记录的在用电梯台数（不计入超期）。"))
    on_time_rate = serializers.FloatField(**RATE, help_text=_("按期维保率：按期 / 有维保记录的在用电梯。"))


class HazardFiguresSerializer(serializers.Serializer):
    found = serializers.IntegerField(help_text=_("统计日及以前发现的隐患数。"))
    open = serializers.IntegerField(help_text=_("统计日未整改（待整改或整改中）的隐患数。"))
    serious = serializers.IntegerField(help_text=_("其中重大隐患数。"))
    overdue = serializers.IntegerField(help_text=_("其中已过整改期限的隐患数。"))
    rectified = serializers.IntegerField(help_text=_("统计日已整改或已核销的隐患数。"))
    rectification_rate = serializers.FloatField(**RATE, help_text=_("隐患整改率：已整改 / 发现。"))


class RescueFiguresSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=_("本月报警的困人救援次数。"))
    arrived = serializers.IntegerField(help_text=_("其中有到达时间的次数。"))
    within_limit = serializers.IntegerField(help_text=_("其中30分钟内到达的次数。"))
    mean_minutes_to_arrive = serializers.FloatField(
        allow_null=True, help_text=_("平均到达时间（分钟，一位小数）。")
    )
    within_limit_rate = serializers.FloatField(
        **RATE, help_text=_("30分钟到达率：30分钟内到达 / 有到达时间。")
    )


class MaintenanceFiguresSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("统计日期：维保状态与隐患为该日情况。"))
    start = serializers.DateField(help_text=_("服务与救援的统计起日（统计日所在月的1日）。"))
    services = ServiceFigureSerializer(many=True, help_text=_("本月各保险机构各类服务的次数。"))
    maintenance = MaintenanceStateSerializer(help_text=_("统计日的维保状态。"))
    hazards = HazardFiguresSerializer(help_text=_("统计日的隐患情况。"))
    rescues = RescueFiguresSerializer(help_text=_("本月的困人救援。"))


def _number(value):
    return None if value is None else float(value)


class MaintenanceFiguresMixin:
    """The coverage viewset's `maintenance` action."""

    @extend_schema(
        summary=_("维保与服务"),
        description=_(
            "调用方可见范围内（区县监管部门为本区县，行业主管部门为本行业）的保险服务、按期维保率、隐患和困人救援："
            "服务与救援为统计日所在月1日至统计日，维保状态与隐患为统计日当日。"
        ),
        parameters=[MaintenanceQuerySerializer],
        responses={
            200: MaintenanceFiguresSerializer,
            400: OpenApiResponse(description=_("日期或筛选条件有误。")),
        },
        filters=False,
    )
    @action(
        detail=False, methods=["get"], serializer_class=MaintenanceFiguresSerializer, filterset_class=None
    )
    def maintenance(self, request):
        query = MaintenanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or timezone.localdate()
        figures = maintenance_figures(
            user=request.user,
            start=month_start(on),
            end=on,
            district=query.validated_data.get("district"),
            place_category=query.validated_data.get("place_category"),
        )
        rescues = figures.rescues
        return Response(
            {
                "on": on,
                "start": figures.start,
                "services": figures.services,
                "maintenance": {
                    "on_time": figures.on_time,
                    "overdue": figures.overdue,
                    "no_record": figures.no_record,
                    "on_time_rate": _number(figures.on_time_rate),
                },
                "hazards": figures.hazards,
                "rescues": {
                    **rescues,
                    "mean_minutes_to_arrive": _number(rescues["mean_minutes_to_arrive"]),
                    "within_limit_rate": _number(rescues["within_limit_rate"]),
                },
            }
        )
