"""Products over the API: /api/v1/products/ (list, detail, create) and their versions of terms.

Reads pass through visibility in the base viewset (another insurer's product is a 404); writes call
insurance.services, which decide who may write what.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ServiceCreateMixin

from ...filtersets import ProductFilterSet
from ...models import Product, ProductVersion
from ...permissions import CHANGE_PRODUCT, insurer_of
from ...services import product_create, product_version_create
from ..serializers.products import ProductCreateSerializer, ProductSerializer, ProductVersionSerializer
from ._common import InsurerWritesViewSet


@extend_schema_view(
    list=extend_schema(
        summary=_("保险产品列表"),
        description=_("保险机构看到本机构的全部产品（含停售）；其他调用方看到在售的产品。"),
    ),
    retrieve=extend_schema(summary=_("保险产品详情")),
    create=extend_schema(
        summary=_("新建保险产品"),
        description=_("仅保险机构，为本机构新建产品及其第一个条款版本。"),
        request=ProductCreateSerializer,
        responses={201: ProductSerializer},
    ),
)
class ProductViewSet(ServiceCreateMixin, InsurerWritesViewSet):
    """Insurers' products with the terms of their current version."""

    queryset = Product.objects.select_related("insurer").with_versions()
    serializer_class = ProductSerializer
    write_serializer_class = ProductCreateSerializer
    filterset_class = ProductFilterSet.for_api()
    object_rules = {"versions": CHANGE_PRODUCT}  # POST only: reading the versions is the product's visibility

    def perform_create(self, data):
        insurer = insurer_of(self.request.user)
        if insurer is None:
            raise PermissionDenied(self.write_refusal)
        return product_create(
            user=self.request.user,
            insurer=insurer,
            code=data["code"],
            name=data["name"],
            model=data["model"],
            is_on_sale=data["is_on_sale"],
            **ProductCreateSerializer.terms_of(data),
        )

    @extend_schema(
        methods=["GET"],
        summary=_("产品的全部条款版本"),
        description=_("新的在前。"),
        filters=False,
        responses=ProductVersionSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary=_("产品条款改版"),
        description=_("仅产品所属的保险机构。新版本成为当前版本；已签发的保单保留原版本。"),
        request=ProductVersionSerializer,
        responses={201: ProductVersionSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filterset_class=None)
    def versions(self, request, pk=None):
        product = self.get_object()
        if request.method == "GET":
            versions = sorted(product.versions.all(), key=lambda v: -v.number)
            return Response(ProductVersionSerializer(versions, many=True).data)
        serializer = ProductVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = product_version_create(user=request.user, product=product, **serializer.terms())
        version = ProductVersion.objects.prefetch_related("limits", "base_premiums", "coefficients").get(
            pk=version.pk
        )
        return Response(ProductVersionSerializer(version).data, status=status.HTTP_201_CREATED)
