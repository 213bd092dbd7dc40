"""Claims over the API: /api/v1/claims/ (list, detail, create, update) and /api/v1/claims/bulk/.

Serializers check shape only; every rule lives in insurance.claims (claim_upsert, claims_bulk_upsert),
which the Excel upload calls too. Reads pass through visibility in the base viewset, so another
insurer's claim answers 404; writes are for insurers only (403 for everyone else).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import VisibleQuerysetMixin

from ...claims import CLAIMS_BATCH_MAX, REQUIRED_ON_CREATE, claim_upsert, claims_bulk_upsert, claims_counts
from ...filtersets import ClaimFilterSet
from ...models import Claim
from ...permissions import insurer_of
from ..serializers import (
    ClaimBulkRequestSerializer,
    ClaimBulkResponseSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
)


class InsurerWritesOnly(permissions.BasePermission):
    """Reads for every caller (visibility decides what); writes only for insurers."""

    message = _("只有保险机构可以报送或修改理赔。")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return insurer_of(request.user) is not None


@extend_schema_view(
    list=extend_schema(
        summary=_("理赔列表"), description=_("调用方可见的理赔（保险机构只见本机构的），游标分页。")
    ),
    retrieve=extend_schema(summary=_("理赔详情"), description=_("含各笔支付和状态变更记录。")),
)
class ClaimViewSet(
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Claims the caller may see; insurers report and update their own through claim_upsert."""

    queryset = Claim.objects.select_related("insurer", "policy", "elevator").prefetch_related(
        "payments", "status_changes"
    )
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
    permission_classes = [permissions.IsAuthenticated, InsurerWritesOnly]

    def _answer(self, claim: Claim, code: int) -> Response:
        claim = self.get_queryset().get(pk=claim.pk)
        return Response(self.get_serializer(claim).data, status=code)

    @extend_schema(
        summary=_("报送理赔（按理赔编号新建或更新）"),
        description=_(
            "同一理赔编号再次报送即更新该理赔（状态变更须符合流转规则），内容无变化则不写入。"
            "新建返回201，更新或无变化返回200；被拒绝返回400并列出各字段原因。"
        ),
        request=ClaimWriteSerializer,
        responses={
            201: ClaimSerializer,
            200: ClaimSerializer,
            400: OpenApiResponse(description=_("被拒绝。")),
        },
    )
    def create(self, request, *args, **kwargs):
        shape = ClaimWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        claim, outcome = claim_upsert(insurer=insurer_of(request.user), data=shape.validated_data)
        return self._answer(claim, status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK)

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
        if "claim_number" in data and str(data["claim_number"]).strip() != claim.claim_number:
            raise serializers.ValidationError({"claim_number": [_("理赔编号不可修改。")]})
        data["claim_number"] = claim.claim_number
        shape = ClaimWriteSerializer(data=data)
        shape.is_valid(raise_exception=True)
        if not partial:
            missing = [name for name in REQUIRED_ON_CREATE if name not in shape.validated_data]
            if missing:
                raise serializers.ValidationError(dict.fromkeys(missing, [_("整体修改时必填。")]))
        claim, _outcome = claim_upsert(insurer=insurer_of(request.user), data=shape.validated_data)
        return self._answer(claim, status.HTTP_200_OK)

    @extend_schema(
        summary=_("批量报送理赔"),
        description=_(
            "一次最多1000条。按理赔编号幂等：新编号新建，已有编号在状态流转允许时更新，内容相同则不写入。"
            "每条单独校验、单独保存：合格的条目即使同批有被拒绝的也会保存。答复逐条列出结果和原因。"
        ),
        request=ClaimBulkRequestSerializer,
        responses={
            200: ClaimBulkResponseSerializer,
            400: OpenApiResponse(description=_('请求体不是 {"claims": [...]} 或超过1000条。')),
        },
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="bulk", pagination_class=None, filterset_class=None)
    def bulk(self, request):
        items = request.data.get("claims") if isinstance(request.data, dict) else None
        if not isinstance(items, list):
            raise serializers.ValidationError(
                {"claims": [_('请求体须为 {"claims": [...]}，claims 为理赔列表。')]}
            )
        if len(items) > CLAIMS_BATCH_MAX:
            raise serializers.ValidationError(
                {
                    "claims": [
                        _("一次最多报送%(limit)d条理赔，本次%(count)d条，请分批报送。")
                        % {"limit": CLAIMS_BATCH_MAX, "count": len(items)}
                    ]
                }
            )
        shape = ClaimWriteSerializer()
        results: list[dict | None] = [None] * len(items)
        valid: list[tuple[int, dict]] = []
        for index, item in enumerate(items):
            try:
                valid.append((index, shape.run_validation(item)))
            except serializers.ValidationError as exc:
                number = item.get("claim_number") if isinstance(item, dict) else None
                errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
                results[index] = {
                    "index": index,
                    "claim_number": number if isinstance(number, str | int) else None,
                    "result": "refused",
                    "id": None,
                    "errors": errors,
                }
        stored = claims_bulk_upsert(insurer=insurer_of(request.user), items=[data for _i, data in valid])
        for (index, _data), result in zip(valid, stored, strict=True):
            results[index] = {**result, "index": index}
        return Response({"results": results, "counts": claims_counts(results)})
