"""Hazards over the API: /api/v1/hazards/ (list, detail, report), the rectify and close actions,
and /api/v1/hazards/bulk/. Reads pass through visibility (another tenant's hazard is a 404);
reports are for insurers, maintenance companies and regulators (403 for other kinds); who may
rectify or close one hazard is the services' rule."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action

from core.api.bulk import bulk_action
from core.api.viewsets import VisibleModelViewSet, upsert_schema

from ...filtersets.hazards import HazardFilterSet
from ...models import Hazard
from ...services.hazards import (
    HAZARDS_BATCH_MAX,
    RECTIFY_HAZARD,
    REPORTER_REFUSAL,
    VERIFY_HAZARD,
    hazard_close,
    hazard_rectify,
    hazard_report,
    hazard_reporter_of,
    hazards_bulk_report,
)
from ..serializers.hazards import (
    HazardBulkRequestSerializer,
    HazardCloseSerializer,
    HazardRectifySerializer,
    HazardSerializer,
    HazardWriteSerializer,
)

REFUSED = OpenApiResponse(description=_("被拒绝（原因见 detail）。"))


def may_report(user) -> bool:
    return hazard_reporter_of(user) is not None


@extend_schema_view(
    list=extend_schema(summary=_("隐患列表"), description=_("调用方可见的隐患，游标分页。")),
    retrieve=extend_schema(summary=_("隐患详情"), description=_("含各处理步骤（谁、何时）。")),
)
class HazardViewSet(VisibleModelViewSet):
    """Hazards the caller may see; reported through hazard_report, moved through the actions."""

    queryset = Hazard.objects.select_related("reporter", "elevator").prefetch_related(
        "steps__by_organisation"
    )
    serializer_class = HazardSerializer
    write_serializer_class = HazardWriteSerializer
    filterset_class = HazardFilterSet.for_api()
    may_write = staticmethod(may_report)
    write_actions = ("create", "bulk")
    write_refusal = REPORTER_REFUSAL
    object_rules = {"rectify": RECTIFY_HAZARD, "close": VERIFY_HAZARD}

    @upsert_schema(
        summary=_("报告隐患（按隐患编号新建或更新）"),
        description=_(
            "同一隐患编号再次报送即更新（已核销的不能修改），内容无变化则不写入。重大隐患在保存后立即通报"
            "市级和电梯所在区县的市场监管部门（站内通知和邮件），无论报送几次只通报一次。新建返回201，其余200。"
        ),
        request=HazardWriteSerializer,
        response=HazardSerializer,
        refused=REFUSED,
    )
    def create(self, request, *args, **kwargs):
        return self.respond_upserted(request.data, lambda data: hazard_report(user=request.user, data=data))

    @extend_schema(
        summary=_("登记整改"),
        description=_("报告单位、电梯的维保单位或使用单位登记整改中或已整改（须说明整改了什么）。"),
        request=HazardRectifySerializer,
        responses={
            200: HazardSerializer,
            400: REFUSED,
            403: OpenApiResponse(description=_("无权登记整改。")),
        },
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def rectify(self, request, pk=None):
        hazard = self.get_object()
        shape = HazardRectifySerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        return self.respond(hazard_rectify(user=request.user, hazard=hazard, **shape.validated_data))

    @extend_schema(
        summary=_("核销或退回整改"),
        description=_("市级或电梯所在区县的市场监管部门核销已整改的隐患，或退回整改（须说明原因）。"),
        request=HazardCloseSerializer,
        responses={200: HazardSerializer, 400: REFUSED, 403: OpenApiResponse(description=_("无权核销。"))},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        hazard = self.get_object()
        shape = HazardCloseSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        return self.respond(hazard_close(user=request.user, hazard=hazard, **shape.validated_data))

    bulk = bulk_action(
        summary=_("批量报告隐患"),
        description=_(
            "一次最多1000条。按隐患编号幂等：新编号新建，已有编号更新，内容相同则不写入。每条单独校验："
            "合格的条目即使同批有被拒绝的也会保存。答复逐条列出结果和原因（key 为隐患编号）。"
        ),
        request_serializer=HazardBulkRequestSerializer,
        refused_description=_('请求体不是 {"hazards": [...]} 或超过1000条。'),
        items_key="hazards",
        max_items=HAZARDS_BATCH_MAX,
        item_serializer=HazardWriteSerializer,
        key_field="hazard_number",
        store=lambda request, items: hazards_bulk_report(user=request.user, items=items),
    )
