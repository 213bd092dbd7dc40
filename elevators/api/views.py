"""The registry over the API: /api/v1/elevators/ and /api/v1/inspections/.

Reads pass through visibility in the base viewset; writes call the registry services, which decide
who may write which district. Elevators are never deleted: they are scrapped or cancelled by status.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.fast_list import ValuesListMixin
from core.api.viewsets import ServiceCreateMixin, ServiceUpdateMixin, VisibleModelViewSet

from ..codes import normalise_equipment_code
from ..filtersets import ElevatorFilterSet, InspectionFilterSet
from ..models import Elevator, Inspection
from ..selectors import elevator_timeline
from ..services import (
    elevator_create,
    elevator_update,
    inspection_record,
    inspection_update,
    registry_writable_districts,
)
from .serializers import (
    ElevatorQuoteSerializer,
    ElevatorSerializer,
    InspectionSerializer,
    TimelineEntrySerializer,
)
from .serializers.elevators import ELEVATOR_LIST_EXPRESSIONS, ELEVATOR_LIST_VALUES, elevator_list_represent

ELEVATOR_RELATIONS = ("district", "place_category", "user_unit", "owner", "maintenance_company")


def is_registry_writer(user) -> bool:
    """Who may write the registry at all; which district is the services' rule (registry_check_writer)."""
    return registry_writable_districts(user) != set()


class RegistryViewSet(VisibleModelViewSet):
    """Reads for every caller (visibility decides what); writes only for registry writers."""

    may_write = staticmethod(is_registry_writer)
    write_refusal = _("只有市级或本辖区市场监管部门可以修改电梯登记数据。")


@extend_schema_view(
    list=extend_schema(summary=_("电梯列表"), description=_("调用方可见的电梯，按创建先后倒序，游标分页。")),
    retrieve=extend_schema(summary=_("电梯详情")),
    create=extend_schema(summary=_("登记电梯"), description=_("仅市级或本辖区市场监管部门。")),
    update=extend_schema(
        summary=_("修改电梯（整体）"), description=_("状态或登记证编号的变化记入电梯履历。")
    ),
    partial_update=extend_schema(
        summary=_("修改电梯（部分）"), description=_("状态或登记证编号的变化记入电梯履历。")
    ),
)
class ElevatorViewSet(ValuesListMixin, ServiceCreateMixin, ServiceUpdateMixin, RegistryViewSet):
    """The elevator registry the caller may see. There is no DELETE: set status to scrapped or cancelled.

    The list is answered from `.values_list()` rows (core.api.fast_list), represented exactly as
    ElevatorSerializer represents them; detail, writes and the schema use the serializer.
    """

    queryset = Elevator.objects.select_related(*ELEVATOR_RELATIONS)
    serializer_class = ElevatorSerializer
    filterset_class = ElevatorFilterSet.for_api()
    list_values = ELEVATOR_LIST_VALUES
    list_expressions = ELEVATOR_LIST_EXPRESSIONS

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def represent_list(self, rows):
        return elevator_list_represent(rows, today=timezone.localdate())

    def perform_create(self, data):
        return elevator_create(user=self.request.user, **data)

    def perform_update(self, instance, data):
        return elevator_update(user=self.request.user, elevator=instance, **data)

    @extend_schema(
        summary=_("按设备代码查询电梯"),
        description=_(
            "设备代码可含全角字符、小写或空格。调用方可见的电梯返回完整记录；保险机构查询尚未承保的"
            "电梯时只返回报价所需的登记信息（字段含义与完整记录相同）。其他情况返回404。"
        ),
        parameters=[
            OpenApiParameter(
                "code", str, OpenApiParameter.PATH, description=_("设备代码（18位设备代码或20位注册代码）。")
            )
        ],
        filters=False,
        responses={
            200: PolymorphicProxySerializer(
                component_name="ElevatorLookup",
                serializers=[ElevatorSerializer, ElevatorQuoteSerializer],
                resource_type_field_name=None,
            ),
            400: OpenApiResponse(description=_("设备代码格式不正确。")),
            404: OpenApiResponse(description=_("没有该设备代码的电梯，或无权查看。")),
        },
    )
    @action(detail=False, methods=["get"], url_path=r"by-code/(?P<code>[^/]+)", pagination_class=None)
    def by_code(self, request, code=None):
        try:
            code, _form = normalise_equipment_code(code)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"code": [str(m) for m in exc.messages]}) from exc
        elevator = self.get_queryset().filter(equipment_code=code).first()
        if elevator is not None:
            return Response(self.get_serializer(elevator).data)
        elevator = (
            Elevator.objects.quotable_by(request.user)
            .select_related(*ELEVATOR_RELATIONS)
            .filter(equipment_code=code)
            .first()
        )
        if elevator is None:
            raise Http404
        return Response(ElevatorQuoteSerializer(elevator, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("电梯履历"),
        description=_("检验、登记、状态变更等事件，新的在前；其他模块（维保、保险等）会加入自己的事件。"),
        filters=False,
        responses=TimelineEntrySerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        entries = elevator_timeline(elevator=self.get_object(), user=request.user)
        return Response(TimelineEntrySerializer(entries, many=True).data)


@extend_schema_view(
    list=extend_schema(summary=_("检验记录列表"), description=_("调用方可见电梯的检验记录，游标分页。")),
    retrieve=extend_schema(summary=_("检验记录详情")),
    create=extend_schema(
        summary=_("录入检验记录"),
        description=_("仅市级或本辖区市场监管部门。最新一次检验的日期、结论和下次检验日期同步到电梯。"),
    ),
)
class InspectionViewSet(ServiceCreateMixin, ServiceUpdateMixin, RegistryViewSet):
    """Inspections of the elevators the caller may see; recorded through inspection_record and
    corrected through inspection_update (never deleted: they are the elevator's history)."""

    queryset = Inspection.objects.select_related("elevator")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet.for_api()

    def perform_create(self, data):
        return inspection_record(user=self.request.user, **data)

    def perform_update(self, instance, data):
        return inspection_update(user=self.request.user, inspection=instance, **data)
