"""Services over the API: /api/v1/services/ (list, detail, record), /api/v1/services/bulk/ and
/api/v1/services/{id}/attachments/ (upload).

Reads pass through visibility in the base viewset (an insurer sees only its own services; another
tenant's service is a 404); writes are for insurers, decided in maintenance.services.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.bulk import bulk_action
from core.api.viewsets import VisibleModelViewSet, upsert_schema
from insurance.permissions import insurer_of

from ...filtersets.service_records import ServiceRecordFilterSet
from ...models import ServiceElevator, ServiceRecord
from ...services.attachments import attachment_add
from ...services.service_records import SERVICES_BATCH_MAX, service_record_upsert, service_records_bulk_upsert
from ..serializers.service_records import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    ServiceRecordBulkRequestSerializer,
    ServiceRecordBulkShape,
    ServiceRecordSerializer,
    ServiceRecordWriteSerializer,
)


def is_insurer(user) -> bool:
    return insurer_of(user) is not None


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("保险服务列表"),
        description=gettext_lazy("调用方可见的保险服务（保险机构只见本机构的），游标分页。"),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("保险服务详情"), description=gettext_lazy("含服务的电梯、各自的保单和附件。")
    ),
)
class ServiceRecordViewSet(VisibleModelViewSet):
    """Services the caller may see; insurers record their own through service_record_upsert."""

    queryset = ServiceRecord.objects.select_related("insurer").prefetch_related(
        Prefetch(
            "covered", queryset=ServiceElevator.objects.select_related("elevator", "policy").order_by("pk")
        ),
        "attachments",
    )
    serializer_class = ServiceRecordSerializer
    write_serializer_class = ServiceRecordWriteSerializer
    filterset_class = ServiceRecordFilterSet.for_api()
    may_write = staticmethod(is_insurer)
    write_refusal = gettext_lazy("只有保险机构可以登记保险服务。")

    @upsert_schema(
        summary=gettext_lazy("登记保险服务（按服务编号新建或更新）"),
        description=gettext_lazy(
            "同一服务编号再次报送即更新，内容无变化则不写入。新建返回201，更新或无变化返回200；"
            "电梯在服务日期没有本机构在保的“保险+维保服务”保单时返回400并列出该电梯（elevators）。"
        ),
        request=ServiceRecordWriteSerializer,
        response=ServiceRecordSerializer,
        refused=OpenApiResponse(),
    )
    def create(self, request, *args, **kwargs):
        return self.respond_upserted(
            request.data, lambda data: service_record_upsert(insurer=insurer_of(request.user), data=data)
        )

    bulk = bulk_action(
        summary=gettext_lazy("批量登记保险服务"),
        description=gettext_lazy(
            "一次最多1000条。按服务编号幂等：新编号新建，已有编号更新，内容相同则不写入。每条必填 service_number、"
            "kind、equipment_code（或 equipment_codes）、performed_on。每条单独校验：合格的条目即使同批有被拒绝的也会保存。"
        ),
        request_serializer=ServiceRecordBulkRequestSerializer,
        refused_description=gettext_lazy('请求体不是 {"services": [...]} 或超过1000条。'),
        items_key="services",
        max_items=SERVICES_BATCH_MAX,
        item_serializer=ServiceRecordBulkShape,  # ServiceRecordBulkItemSerializer's answer, quicker
        key_field="service_number",
        store=lambda request, items: service_records_bulk_upsert(
            insurer=insurer_of(request.user), items=items
        ),
    )

    @extend_schema(
        summary=gettext_lazy("上传服务附件"),
        description=gettext_lazy(
            "multipart/form-data：file 及可选的 spot、moment。只接受JPEG、PNG或PDF（按文件内容判断），"
            "且不超过大小限制；只有该服务的保险机构可以上传。"
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 400: OpenApiResponse(), 403: OpenApiResponse()},
        filters=False,
    )
    @action(
        detail=True, methods=["post"], url_path="attachments", pagination_class=None, filterset_class=None
    )
    def attachments(self, request, pk=None):
        service = self.get_object()
        if insurer_of(request.user) != service.insurer:
            raise PermissionDenied(_("只有该服务的保险机构可以上传附件。"))
        shape = AttachmentUploadSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        attachment = attachment_add(owner=service, **shape.validated_data)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
