"""Coverage over the API: /api/v1/coverage/ and /api/v1/coverage/forecast/.

Both read the one coverage engine (reporting.selectors) with the caller's visibility, so a
district regulator's figures are its district's and a department's its sector's, as on its pages.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import ReadVisibleWriteByKind
from elevators.filtersets import ElevatorFilterSet
from elevators.models import Elevator

from ..selectors import GROUPINGS, coverage_by, coverage_forecast
from .maintenance import MaintenanceFiguresMixin
from .serializers import (
    CoverageQuerySerializer,
    CoverageSerializer,
    ForecastQuerySerializer,
    ForecastSerializer,
    forecast_as_dict,
)

# Query parameters that are the endpoint's own; every other one is an elevator list filter.
OWN_PARAMETERS = {"on", "by", "days", "format"}

GROUPING_DOC = _(
    "分组口径：district、place_category、category_group 每台电梯只计入一行；department 按部门的"
    "行业场所计入，一台电梯可计入多个部门（保障性住房同时计入 HOUSING 和 FINANCE），SAMR 一行为全部；"
    "model、insurer、funding_source 各行的 in_scope 为筛选范围内的应投保合计，insured 为由该投保模式、"
    "保险机构或资金来源的保单保障的台数（一台电梯有两种模式的保单则两行都计），合计只计一次。"
)

COVERAGE_EXAMPLE = OpenApiExample(
    _("按区县"),
    value={
        "on": "2026-06-30",
        "by": "district",
        "computed_at": "2026-06-30T09:00:00+08:00",
        "total": {"in_scope": 22000, "insured": 13992, "rate": 0.636},
        "rows": [
            {"key": "420602", "label": "襄城区", "in_scope": 5000, "insured": 3400, "rate": 0.68},
            {"key": "420606", "label": "樊城区", "in_scope": 7000, "insured": 4200, "rate": 0.6},
            {"key": "420673", "label": "鱼梁洲", "in_scope": 0, "insured": 0, "rate": None},
        ],
    },
    response_only=True,
)

FORECAST_EXAMPLE = OpenApiExample(
    _("续保断崖"),
    value={
        "on": "2026-06-30",
        "computed_at": "2026-06-30T09:00:00+08:00",
        "total": {"in_scope": 22000, "insured": 13992, "rate": 0.636},
        "points": [
            {"days": 30, "on": "2026-07-30", "in_scope": 22000, "insured": 12800, "rate": 0.5818},
            {"days": 60, "on": "2026-08-29", "in_scope": 22000, "insured": 12100, "rate": 0.55},
            {"days": 90, "on": "2026-09-28", "in_scope": 22000, "insured": 11000, "rate": 0.5},
        ],
        "policies": [
            {
                "id": 812,
                "number": "PDAA202542060000001234",
                "insurer": "中国人民财产保险股份有限公司襄阳市分公司",
                "insurer_credit_code": "91420600MA4K8B7C2X",
                "policyholder": "襄阳市某物业服务有限公司",
                "end_date": "2026-07-15",
                "elevators_ending": 120,
            }
        ],
    },
    response_only=True,
)


def elevator_filters(request) -> dict:
    """The elevator list filters in the query string (the engine refuses a bad value)."""
    return {key: value for key, value in request.query_params.items() if key not in OWN_PARAMETERS}


class CoverageViewSet(MaintenanceFiguresMixin, viewsets.GenericViewSet):
    """Coverage figures of what the caller may see, from the one coverage engine."""

    permission_classes = [ReadVisibleWriteByKind]
    # For the schema only: the elevator list's filters narrow the slice (the engine applies them).
    queryset = Elevator.objects.none()
    filterset_class = ElevatorFilterSet.for_api()
    pagination_class = None
    serializer_class = CoverageSerializer

    @extend_schema(
        summary=_("投保率"),
        description=_(
            "某日应投保电梯中已投保的台数和投保率，调用方可见范围内（区县监管部门为本区县，行业主管部门为本行业，"
            "保险机构为其承保的电梯），可按电梯列表的筛选条件缩小范围，可按一种口径分组。"
        )
        + " "
        + GROUPING_DOC,
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description=_("统计日期 YYYY-MM-DD，默认今天。")),
            OpenApiParameter(
                "by", OpenApiTypes.STR, enum=list(GROUPINGS), description=_("分组方式；不填只返回合计。")
            ),
        ],
        responses={
            # `list` answers one object, not an array of them.
            200: forced_singular_serializer(CoverageSerializer),
            400: OpenApiResponse(description=_("日期、分组方式或筛选条件有误。")),
        },
        examples=[COVERAGE_EXAMPLE],
    )
    def list(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        coverage = coverage_by(
            user=request.user,
            on=query.validated_day(),
            by=query.validated_data.get("by") or None,
            filters=elevator_filters(request),
        )
        return Response(coverage.as_dict())

    @extend_schema(
        summary=_("续保断崖预测"),
        description=_(
            "假定没有任何保单续保或新登记：起算日应投保的电梯在起算日后若干天仍由已登记保单保障的台数和投保率，"
            "以及其到期造成下降的保单。可用电梯列表的筛选条件缩小范围。"
        ),
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description=_("起算日期 YYYY-MM-DD，默认今天。")),
            OpenApiParameter(
                "days", OpenApiTypes.STR, description=_("以逗号分隔的天数（1 到 366），默认 30,60,90。")
            ),
        ],
        responses={
            200: ForecastSerializer,
            400: OpenApiResponse(description=_("日期、天数或筛选条件有误。")),
        },
        examples=[FORECAST_EXAMPLE],
        filters=True,
    )
    @action(detail=False, methods=["get"], serializer_class=ForecastSerializer)
    def forecast(self, request):
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on, filters = query.validated_day(), elevator_filters(request)
        total = coverage_by(user=request.user, on=on, filters=filters).total
        points, policies = coverage_forecast(
            user=request.user, on=on, days=query.validated_data["days"], filters=filters
        )
        return Response(
            forecast_as_dict(on=on, total=total, points=points, policies=policies, computed_at=timezone.now())
        )
