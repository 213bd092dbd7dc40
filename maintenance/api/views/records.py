"""Maintenance records over the API: /api/v1/maintenance-records/ (list, detail, create, update),
/bulk/ (up to 1,000 records), and the actions /<id>/confirm/ (the user unit) and /<id>/review/.

Serializers check shape; maintenance.services.records decides. Reads pass through visibility, so a
record of another company or of an elevator the caller does not see answers 404.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action

from accounts.models import OrganisationKind
from core.api.bulk import bulk_action
from core.api.shapes import QuickShape
from core.api.viewsets import VisibleModelViewSet, upsert_schema
from core.visibility import organisation_of

from ...filtersets.records import MaintenanceRecordFilterSet
from ...models import MaintenanceRecord
from ...services.records import (
    RECORDS_BATCH_MAX,
    REQUIRED,
    REVIEW_RECORD,
    record_confirm,
    record_review,
    record_upsert,
    records_bulk_upsert,
)
from ..serializers.records import (
    MaintenanceRecordBulkRequestSerializer,
    MaintenanceRecordSerializer,
    MaintenanceRecordWriteSerializer,
    RecordReviewSerializer,
)


def is_maintenance_company(user) -> bool:
    org = organisation_of(user)
    return org is not None and org.kind == OrganisationKind.MAINTENANCE_COMPANY


@extend_schema_view(
    list=extend_schema(
        summary=_("维保记录列表"),
        description=_("调用方可见的维保记录（维保单位只见本单位的），游标分页，新的在前。"),
    ),
    retrieve=extend_schema(summary=_("维保记录详情"), description=_("含检查项目、疑点和现场照片。")),
)
class MaintenanceRecordViewSet(VisibleModelViewSet):
    """Records the caller may see; maintenance companies record theirs through record_upsert."""

    queryset = MaintenanceRecord.objects.select_related("company", "elevator").prefetch_related(
        "items", "flags", "attachments"
    )
    serializer_class = MaintenanceRecordSerializer
    write_serializer_class = MaintenanceRecordWriteSerializer
    filterset_class = MaintenanceRecordFilterSet.for_api()
    may_write = staticmethod(is_maintenance_company)
    write_actions = ("create", "update", "partial_update", "bulk")
    object_rules = {"review": REVIEW_RECORD}
    write_refusal = _("只有维保单位可以报送维保记录。")

    @upsert_schema(
        summary=_("报送维保记录（按记录编号新建或更新）"),
        description=_(
            "只有电梯的维保单位可以报送。同一记录编号再次报送即更新，内容无变化则不写入。"
            "必填：record_number、equipment_code、performed_on、level，其余可空。新建返回201，更新或无变化返回200。"
        ),
        request=MaintenanceRecordWriteSerializer,
        response=MaintenanceRecordSerializer,
    )
    def create(self, request, *args, **kwargs):
        return self.respond_upserted(request.data, lambda data: record_upsert(user=request.user, data=data))

    @extend_schema(
        summary=_("修改维保记录"),
        request=MaintenanceRecordWriteSerializer,
        responses={200: MaintenanceRecordSerializer},
    )
    def update(self, request, *args, partial: bool = False, **kwargs):
        record = self.get_object()
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("请求体必须是一个对象。")]})
        data = {"record_number": record.record_number, "equipment_code": record.elevator.equipment_code}
        if partial:
            data |= {"performed_on": record.performed_on.isoformat(), "level": record.level}
        data |= dict(request.data)
        if str(data["record_number"]).strip() != record.record_number:
            raise serializers.ValidationError({"record_number": [_("维保记录编号不可修改。")]})
        shape = self.get_write_serializer(data=data)
        shape.is_valid(raise_exception=True)
        missing = [
            name for name in REQUIRED if not partial and name not in request.data and name != "record_number"
        ]
        if missing:
            raise serializers.ValidationError(dict.fromkeys(missing, [_("整体修改时必填。")]))
        record, _outcome = record_upsert(user=request.user, data=shape.validated_data)
        return self.respond(record)

    @extend_schema(
        summary=_("修改维保记录（部分）"),
        request=MaintenanceRecordWriteSerializer,
        responses={200: MaintenanceRecordSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    bulk = bulk_action(
        summary=_("批量报送维保记录"),
        description=_(
            "一次最多1000条，按记录编号幂等：新编号新建，已有编号更新，内容相同则不写入（unchanged）。"
            "每条单独校验：合格的条目即使同批有被拒绝的也会保存。答复逐条列出结果（key 为记录编号）。"
        ),
        request_serializer=MaintenanceRecordBulkRequestSerializer,
        refused_description=_('请求体不是 {"records": [...]} 或超过1000条。'),
        items_key="records",
        max_items=RECORDS_BATCH_MAX,
        # DRF's shape check, quick for the plain valid item (a refusal is DRF's, word for word)
        item_serializer=lambda: QuickShape(MaintenanceRecordWriteSerializer()),
        key_field="record_number",
        store=lambda request, items: records_bulk_upsert(user=request.user, items=items),
    )

    @extend_schema(
        summary=_("使用单位确认维保"),
        description=_("电梯使用单位的用户确认维保记录，只能确认一次。"),
        request=None,
        responses={200: MaintenanceRecordSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def confirm(self, request, pk=None):
        record = record_confirm(user=request.user, record=self.get_object())
        return self.respond(record)

    @extend_schema(
        summary=_("复核维保记录"),
        description=_("电梯所在区县或市级监管部门、或该记录的维保单位复核：复核通过或认定不实，附意见。"),
        request=RecordReviewSerializer,
        responses={200: MaintenanceRecordSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def review(self, request, pk=None):
        record = self.get_object()  # a caller who may not review is refused here, before the body
        shape = RecordReviewSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        record = record_review(user=request.user, record=record, **shape.validated_data)
        return self.respond(record)
