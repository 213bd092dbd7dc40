"""Rescues over the API: /api/v1/rescues/ (list, detail, record, bulk) and /api/v1/claim-proposals/
(the insurer's list, confirm, decline).

Reads pass through visibility in the base viewset (another tenant's row is a 404); writes are for
maintenance companies and regulators (rescues) and the proposal's insurer (decisions), decided in
the services.
"""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action

from core.api.bulk import bulk_action
from core.api.viewsets import VisibleModelViewSet, upsert_schema

from ...filtersets.rescues import ClaimProposalFilterSet, RescueFilterSet
from ...models import ClaimProposal, RescueIncident
from ...services.claim_proposals import DECIDE_PROPOSAL, claim_proposal_confirm, claim_proposal_decline
from ...services.rescues import (
    REPORTER_REFUSAL,
    RESCUES_BATCH_MAX,
    rescue_record,
    rescue_reporter_of,
    rescues_bulk_upsert,
)
from ..serializers.rescues import (
    ClaimProposalConfirmSerializer,
    ClaimProposalDeclineSerializer,
    ClaimProposalSerializer,
    RescueBulkRequestSerializer,
    RescueSerializer,
    RescueWriteSerializer,
)


def is_rescue_reporter(user) -> bool:
    return rescue_reporter_of(user) is not None


@extend_schema_view(
    list=extend_schema(
        summary=_("救援记录列表"), description=_("调用方可见电梯的救援记录，按报警时间倒序，游标分页。")
    ),
    retrieve=extend_schema(summary=_("救援记录详情")),
)
class RescueViewSet(VisibleModelViewSet):
    """Rescues of the elevators the caller sees; maintenance companies and regulators record them."""

    queryset = RescueIncident.objects.select_related("reporter", "elevator")
    serializer_class = RescueSerializer
    write_serializer_class = RescueWriteSerializer
    filterset_class = RescueFilterSet.for_api()
    may_write = staticmethod(is_rescue_reporter)
    write_refusal = REPORTER_REFUSAL

    def get_queryset(self):
        proposals = ClaimProposal.objects.visible_to(self.request.user).filter(rescue=OuterRef("pk"))
        return super().get_queryset().annotate(visible_proposal_id=Subquery(proposals.values("pk")[:1]))

    @upsert_schema(
        summary=_("报送救援记录（按救援编号新建或更新）"),
        description=_(
            "电梯以设备代码或6位电梯识别码指明。同一救援编号再次报送即更新，内容无变化则不写入。"
            "新建返回201，更新或无变化返回200。"
        ),
        request=RescueWriteSerializer,
        response=RescueSerializer,
    )
    def create(self, request, *args, **kwargs):
        return self.respond_upserted(request.data, lambda data: rescue_record(user=request.user, data=data))

    bulk = bulk_action(
        summary=_("批量报送救援记录"),
        description=_(
            "一次最多1000条。按救援编号幂等：新编号新建，已有编号更新，内容相同则不写入。每条单独校验、单独保存，"
            "答复逐条列出结果（key 为救援编号）。"
        ),
        request_serializer=RescueBulkRequestSerializer,
        refused_description=_('请求体不是 {"rescues": [...]} 或超过1000条。'),
        items_key="rescues",
        max_items=RESCUES_BATCH_MAX,
        item_serializer=RescueWriteSerializer,
        key_field="rescue_number",
        store=lambda request, items: rescues_bulk_upsert(user=request.user, items=items),
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("救援理赔建议列表"),
        description=_("长时间困人的救援向承保保险机构提出的理赔建议；保险机构只见本机构的。"),
    ),
    retrieve=extend_schema(summary=_("救援理赔建议详情")),
)
class ClaimProposalViewSet(VisibleModelViewSet):
    """Proposals the caller sees; the proposal's insurer confirms or declines (others: 403, or 404
    when they do not see it)."""

    queryset = ClaimProposal.objects.select_related("rescue__elevator", "policy", "insurer")
    serializer_class = ClaimProposalSerializer
    filterset_class = ClaimProposalFilterSet.for_api()
    # Which proposal an insurer may decide is the service's rule (PermissionDenied: 403).
    write_actions = ()
    object_rules = {"confirm": DECIDE_PROPOSAL, "decline": DECIDE_PROPOSAL}

    @extend_schema(
        summary=_("确认救援理赔建议（立案）"),
        description=_(
            "按建议创建理赔（事故类型困人，保障项目救援费用或产品的相应项目），理赔与救援记录关联。"
        ),
        request=ClaimProposalConfirmSerializer,
        responses={200: ClaimProposalSerializer, 400: OpenApiResponse(description=_("被拒绝。"))},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def confirm(self, request, pk=None):
        return self._decide(request, ClaimProposalConfirmSerializer, claim_proposal_confirm)

    @extend_schema(
        summary=_("拒绝救援理赔建议"),
        request=ClaimProposalDeclineSerializer,
        responses={200: ClaimProposalSerializer, 400: OpenApiResponse(description=_("被拒绝。"))},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def decline(self, request, pk=None):
        return self._decide(request, ClaimProposalDeclineSerializer, claim_proposal_decline)

    def _decide(self, request, shape_class, decide):
        """Who may decide first (DECIDE_PROPOSAL, before the body is read), then the body's shape;
        the service decides the proposal."""
        proposal = self.get_object()
        shape = shape_class(data=request.data)
        shape.is_valid(raise_exception=True)
        return self.respond(decide(user=request.user, proposal=proposal, **shape.validated_data))
