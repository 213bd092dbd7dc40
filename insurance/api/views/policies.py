"""Policies over the API: /api/v1/policies/ (list, detail, register, bulk, renew, cancel).

Reads pass through visibility in the base viewset (another insurer's policy is a 404); writes call
insurance.services, which decide who may write what (a refusal is a 403, a broken rule a 400 with
the service's Chinese message).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action

from core.api.bulk import CREATED, UNCHANGED, BulkItemResult, bulk_action, refused
from core.api.viewsets import ServiceCreateMixin
from core.exceptions import ApplicationError

from ...filtersets import PolicyFilterSet
from ...models import Policy, PolicyElevator
from ...permissions import CANCEL_POLICY, RENEW_POLICY
from ...services import policy_cancel, policy_register, policy_register_once, policy_renew
from ..serializers.policies import (
    PolicyBulkRequestSerializer,
    PolicyCancelSerializer,
    PolicyDetailSerializer,
    PolicyRenewSerializer,
    PolicySerializer,
    PolicyWriteSerializer,
)
from ._common import InsurerWritesViewSet

BULK_MAX_POLICIES = 500


def policies_register_each(request, items: list[dict]) -> list[BulkItemResult]:
    """The bulk API's store: each policy in its own savepoint, so one refused policy leaves the
    others registered."""
    results = []
    for data in items:
        try:
            with transaction.atomic():
                policy, created = policy_register_once(
                    user=request.user, number=data["number"], **data["registration"]
                )
        except (ApplicationError, PermissionDenied) as exc:
            results.append(refused(exc))
        else:
            results.append(BulkItemResult(CREATED if created else UNCHANGED, id=policy.pk))
    return results


@extend_schema_view(
    list=extend_schema(summary=_("保单列表"), description=_("调用方可见的保单，按登记先后倒序，游标分页。")),
    retrieve=extend_schema(summary=_("保单详情"), description=_("含承保电梯及各自的保费和费率明细。")),
    create=extend_schema(
        summary=_("登记保单"),
        description=_(
            "仅保险机构。投保人必须是每台电梯的产权单位或使用单位；同一投保模式下电梯的保险期间不能与已有保单"
            "重叠。填写的保费是保单约定的保费，按填写的登记，并按产品费率计算对照（rated_premium）；超出产品版本"
            "费率浮动区间的照常登记并标记（premium_outside_band）。只拒绝不可能是保费的金额：负数、收费产品的0元、"
            "每台超过1,000,000元。违反时返回400及中文原因。"
        ),
        request=PolicyWriteSerializer,
        responses={201: PolicyDetailSerializer},
    ),
)
class PolicyViewSet(ServiceCreateMixin, InsurerWritesViewSet):
    """Policies the caller may see. There is no DELETE or PUT: a policy is cancelled (退保) or renewed."""

    queryset = Policy.objects.select_related("insurer", "policyholder", "product_version__product")
    serializer_class = PolicySerializer
    write_serializer_class = PolicyWriteSerializer
    filterset_class = PolicyFilterSet.for_api()
    object_rules = {"renew": RENEW_POLICY, "cancel": CANCEL_POLICY}

    def get_queryset(self):
        user = self.request.user
        queryset = (
            super().get_queryset().with_elevator_count().with_visible_links(user).with_visible_share(user)
        )
        if self.action != "list":
            covers = (
                PolicyElevator.objects.of_elevators_visible_to(user).select_related("elevator").order_by("pk")
            )
            queryset = queryset.prefetch_related(
                Prefetch("covered", queryset=covers, to_attr="visible_covers")
            )
        return queryset

    def get_serializer_class(self):
        return PolicySerializer if self.action == "list" else PolicyDetailSerializer

    def perform_create(self, data):
        return policy_register(user=self.request.user, number=data["number"], **data["registration"])

    bulk = bulk_action(
        summary=_("批量登记保单"),
        description=_(
            "一次最多500份，逐份处理、互不影响：每份在自己的事务保存点中登记。已登记的保单号再次提交时，内容相同"
            "返回 unchanged，不同则拒绝。每份的结果见 results（key 为保单号），各结果的份数见 counts。"
        ),
        request_serializer=PolicyBulkRequestSerializer,
        refused_description=_('请求体不是 {"policies": [...]} 或超过500份。'),
        items_key="policies",
        max_items=BULK_MAX_POLICIES,
        item_serializer=PolicyWriteSerializer,
        item_kwargs=lambda view: {"context": view.get_serializer_context(), "number_required": True},
        key_field="number",
        store=policies_register_each,
    )

    @extend_schema(
        summary=_("续保"),
        description=_(
            "一步续保到下一期：同样的电梯（投保人仍为产权或使用单位、仍在用的），产品的当前版本，重新计算保费；"
            "期间为一个保险年度（起期加一年减一天）。仅承保的保险机构或投保人；自保单止期前若干天（TIBAO_RENEWAL_WINDOW_DAYS，默认60天）"
            "起可以续保；每份保单只能续保一次，已退保的保单不能续保。"
        ),
        request=PolicyRenewSerializer,
        responses={201: PolicyDetailSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def renew(self, request, pk=None):
        policy = self.get_object()
        serializer = PolicyRenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        renewal = policy_renew(
            user=request.user, policy=policy, start_date=serializer.validated_data.get("start_date")
        )
        return self.respond(renewal, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("退保"),
        description=_(
            "保障于退保日期前一日终止：自退保日期起，保单的电梯不再计为已投保，可重新投保。"
            "仅承保的保险机构，且仅限有效保单，退保日期须在保险期间内；已到期或已退保的保单不能退保。"
        ),
        request=PolicyCancelSerializer,
        responses={200: PolicyDetailSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        policy = self.get_object()
        serializer = PolicyCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = policy_cancel(user=request.user, policy=policy, on=serializer.validated_data["date"])
        return self.respond(policy)
