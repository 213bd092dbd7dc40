"""Quotes over the API: /api/v1/quotes/, priced by the same rating function as every quote."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from ...rating import quote
from ..serializers.quotes import QuoteRequestSerializer, QuoteSerializer


class QuoteViewSet(viewsets.GenericViewSet):
    """Quotes: the rating engine that also prices browser quotes and imported policies."""

    serializer_class = QuoteRequestSerializer
    pagination_class = None
    throttle_scope = "quotes"  # pricing is costly: its own budget per caller (TIBAO_QUOTE_RATE)

    @extend_schema(
        summary=_("报价"),
        description=_(
            "按产品当前版本为电梯报价：每台电梯的基准保费、各因子（梯龄、场所类别、近三年理赔次数、维保质量评分）"
            "及系数、保费，以及总保费。与门户报价、保单登记和保单导入使用同一个费率函数。"
        ),
        request=QuoteRequestSerializer,
        responses={
            200: QuoteSerializer,
            400: OpenApiResponse(description=_("产品或电梯不存在、无权使用，或产品没有该类电梯的基准保费。")),
        },
    )
    def create(self, request):
        serializer = QuoteRequestSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = quote(version=data["version"], elevators=data["elevator_rows"], start=data["start_date"])
        return Response(QuoteSerializer(QuoteSerializer.from_quote(result)).data)
