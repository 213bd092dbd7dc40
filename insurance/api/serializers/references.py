"""Resolving what callers name (products by code, elevators by special-equipment code,
policyholders by credit code or name) into rows, or a 400 naming what is unknown."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Organisation
from accounts.validators import normalise_credit_code
from elevators.models import Elevator

from ...models import Product, ProductVersion
from ...permissions import insurer_of


def resolve_product(user, *, product_id: int | None, product_code: str, insurer_credit_code: str) -> Product:
    """The product a caller names by id, or by code (its own code for an insurer; another caller
    names the insurer too when two insurers use one code). Only products the caller sees count."""
    products = Product.objects.visible_to(user).select_related("insurer")
    if product_id is not None:
        product = products.filter(pk=product_id).first()
        if product is None:
            raise serializers.ValidationError({"product": [_("产品不存在或无权查看。")]})
        return product
    if not product_code:
        raise serializers.ValidationError({"product_code": [_("请填写 product 或 product_code。")]})
    found = products.filter(code=product_code.strip())
    insurer = insurer_of(user)
    if insurer is not None:
        found = found.filter(insurer=insurer)
    elif insurer_credit_code:
        try:
            found = found.filter(insurer__credit_code=normalise_credit_code(insurer_credit_code))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"insurer_credit_code": list(exc.messages)}) from exc
    found = list(found[:2])
    if not found:
        raise serializers.ValidationError(
            {"product_code": [_("产品代码 %(code)s 不存在或无权查看。") % {"code": product_code}]}
        )
    if len(found) > 1:
        raise serializers.ValidationError(
            {
                "product_code": [
                    _("多家保险机构使用产品代码 %(code)s，请同时填写 insurer_credit_code。")
                    % {"code": product_code}
                ]
            }
        )
    return found[0]


def resolve_elevators(user, codes: list[str], *, field: str = "elevators") -> dict[str, Elevator]:
    """Elevators by code among those the caller may cover: the ones it sees, and for an insurer any
    elevator of the registry (registry lookup by code for quoting, DESIGN.md section 2)."""
    codes = list(dict.fromkeys(codes))
    found = {
        e.equipment_code: e
        for e in Elevator.objects.visible_to(user)
        .filter(equipment_code__in=codes)
        .select_related("place_category")
    }
    missing = [code for code in codes if code not in found]
    if missing:
        found.update(
            (e.equipment_code, e)
            for e in Elevator.objects.quotable_by(user)
            .filter(equipment_code__in=missing)
            .select_related("place_category")
        )
    missing = [code for code in codes if code not in found]
    if missing:
        raise serializers.ValidationError(
            {field: [_("设备代码不存在或无权使用：%(codes)s") % {"codes": "、".join(missing)}]}
        )
    return found


def resolve_policyholder(*, credit_code: str, name: str) -> Organisation:
    """The policyholder by credit code (preferred) or by exact name; an active organisation."""
    organisations = Organisation.objects.filter(is_active=True)
    if credit_code:
        try:
            code = normalise_credit_code(credit_code)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"policyholder_credit_code": list(exc.messages)}) from exc
        holder = organisations.filter(credit_code=code).first()
        if holder is None:
            raise serializers.ValidationError(
                {
                    "policyholder_credit_code": [
                        _("统一社会信用代码为 %(code)s 的单位不存在或已停用。") % {"code": code}
                    ]
                }
            )
        return holder
    if name:
        holder = organisations.filter(name=name.strip()).first()
        if holder is None:
            raise serializers.ValidationError(
                {"policyholder_name": [_("名为“%(name)s”的单位不存在或已停用。") % {"name": name}]}
            )
        return holder
    raise serializers.ValidationError(
        {"policyholder_credit_code": [_("请填写投保人的统一社会信用代码或名称。")]}
    )


class ProductReferenceMixin(serializers.Serializer):
    product = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("产品的内部编号；与 product_code 二选一。")
    )
    product_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("产品代码；保险机构调用时为本机构的产品代码。与 product 二选一。"),
    )
    insurer_credit_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("保险机构的统一社会信用代码；非保险机构按产品代码查找且代码重复时填写。"),
    )

    def resolved_product(self, attrs) -> Product:
        return resolve_product(
            self.context["request"].user,
            product_id=attrs.get("product"),
            product_code=attrs.get("product_code", ""),
            insurer_credit_code=attrs.get("insurer_credit_code", ""),
        )

    @staticmethod
    def current_version(product: Product) -> ProductVersion:
        version = product.current_version
        if version is None:
            raise serializers.ValidationError({"product": [_("该产品还没有条款版本。")]})
        return version
