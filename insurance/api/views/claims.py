"""Claims over the API: /api/v1/claims/ (list, detail, create, update) and /api/v1/claims/bulk/.

Serializers check shape only; every rule lives in insurance.services.claims (claim_upsert, claims_bulk_upsert),
which the Excel upload calls too. Reads pass through visibility in the base viewset, so another
insurer's claim answers 404; writes are for insurers only (403 for everyone else).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from core.api.bulk import BulkItemResult, bulk_action
from core.api.viewsets import VisibleModelViewSet, upsert_schema

from ...filtersets import ClaimFilterSet
from ...models import Claim
from ...permissions import insurer_of
from ...services.claims import CLAIMS_BATCH_MAX, claim_upsert, claims_bulk_upsert
from ..serializers.claims import (
    ClaimBulkRequestSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
)


def is_insurer(user) -> bool:
    return insurer_of(user) is not None


def claims_store(request, items: list[dict]) -> list[BulkItemResult]:
    """The bulk API's store: the caller's claims through claims_bulk_upsert."""
    stored = claims_bulk_upsert(insurer=insurer_of(request.user), items=items)
    return [BulkItemResult(r["result"], id=r["id"], errors=r["errors"]) for r in stored]


@extend_schema_view(
    list=extend_schema(
        summary=_("理赔列表"), description=_("调用方可见的理赔（保险机构只见本机构的），游标分页。")
    ),
    retrieve=extend_schema(summary=_("理赔详情"), description=_("含各笔支付和状态变更记录。")),
)
class ClaimViewSet(VisibleModelViewSet):
    """Claims the caller may see; insurers report and update their own through claim_upsert."""

    queryset = Claim.objects.select_related("insurer", "policy", "elevator").prefetch_related(
        "payments", "status_changes"
    )
    serializer_class = ClaimSerializer
    write_serializer_class = ClaimWriteSerializer
    filterset_class = ClaimFilterSet.for_api()
    may_write = staticmethod(is_insurer)
    write_refusal = _("只有保险机构可以报送或修改理赔。")

    @upsert_schema(
        summary=_("报送理赔（按理赔编号新建或更新）"),
        description=_(
            "同一理赔编号再次报送即更新该理赔（状态变更须符合流转规则），内容无变化则不写入。"
            "新建返回201，更新或无变化返回200；被拒绝返回400并列出各字段原因。"
        ),
        request=ClaimWriteSerializer,
        response=ClaimSerializer,
    )
    def create(self, request, *args, **kwargs):
        return self.respond_upserted(
            request.data, lambda data: claim_upsert(insurer=insurer_of(request.user), data=data)
        )

    @extend_schema(
        summary=_("修改理赔（整体）"),
        description=_("须包含新建理赔的全部必填字段；理赔编号不可修改。"),
        request=ClaimWriteSerializer,
        responses={200: ClaimSerializer},
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary=_("修改理赔（部分）"),
        description=_("只报送需要变化的字段，例如状态及其日期。"),
        request=ClaimWriteSerializer,
        responses={200: ClaimSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool) -> Response:
        claim = self.get_object()
        data = request.data.copy() if hasattr(request.data, "copy") else request.data
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("请求体必须是一个对象。")]})
        data.setdefault("claim_number", claim.claim_number)  # the URL names the claim
        shape = self.get_write_serializer(data=data)
        shape.is_valid(raise_exception=True)
        claim, _outcome = claim_upsert(
            insurer=insurer_of(request.user), data=shape.validated_data, claim=claim, whole=not partial
        )
        return self.respond(claim)

    bulk = bulk_action(
        summary=_("批量报送理赔"),
        description=_(
            "一次最多1000条。按理赔编号幂等：新编号新建，已有编号在状态流转允许时更新，内容相同则不写入。"
            "每条单独校验、单独保存：合格的条目即使同批有被拒绝的也会保存。答复逐条列出结果和原因（key 为理赔编号），"
            "各结果的条数见 counts。"
        ),
        request_serializer=ClaimBulkRequestSerializer,
        refused_description=_('请求体不是 {"claims": [...]} 或超过1000条。'),
        items_key="claims",
        max_items=CLAIMS_BATCH_MAX,
        item_serializer=ClaimWriteSerializer,
        quick=True,  # a refusal is still DRF's, word for word
        key_field="claim_number",
        store=claims_store,
    )
