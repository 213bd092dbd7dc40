"""Quotes over the API: the request, and each elevator's premium with every factor."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PlausibleDateField
from elevators.api.serializers.fields import EquipmentCodeField
from elevators.codes import CategoryGroup

from ...models import RatingFactor
from ...services import policy_default_end
from .references import ProductReferenceMixin, resolve_elevators

MAX_QUOTE_ELEVATORS = 1000


class QuoteRequestSerializer(ProductReferenceMixin):
    """Price elevators under a product's current version for a policy year starting on start_date."""

    elevators = serializers.ListField(
        child=EquipmentCodeField(),
        allow_empty=False,
        max_length=MAX_QUOTE_ELEVATORS,
        help_text=_("设备代码列表。保险机构可为任何电梯报价；使用单位只能为本单位使用或产权的电梯报价。"),
    )
    start_date = PlausibleDateField(help_text=_("保险起期。梯龄和理赔次数按此日计算。"))

    def validate(self, attrs):
        product = self.resolved_product(attrs)
        attrs["version"] = self.current_version(product)
        by_code = resolve_elevators(self.context["request"].user, attrs["elevators"])
        attrs["elevator_rows"] = [by_code[code] for code in dict.fromkeys(attrs["elevators"])]
        return attrs


class FactorSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(
        choices=RatingFactor.choices, help_text=_("因子：age、place、claims、maintenance。")
    )
    label = serializers.CharField(help_text=_("因子的中文名称。"))
    input = serializers.CharField(help_text=_("查表所用的取值，如“12年”“住宅小区”“无评分”。"))
    coefficient = serializers.DecimalField(
        max_digits=6, decimal_places=3, help_text=_("系数；输入未知或表中无匹配行时为 1。")
    )


class RatingSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=CategoryGroup.choices, help_text=_("设备类别。"))
    base = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("该类别的基准保费（元）。"))
    factors = FactorSerializer(many=True, help_text=_("各因子及其系数，按相乘顺序。"))
    premium = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("保费（元）＝基准保费×各系数，最后四舍五入到分。")
    )


class QuoteLineSerializer(RatingSerializer):
    equipment_code = serializers.CharField(help_text=_("设备代码。"))


class QuoteSerializer(serializers.Serializer):
    product = serializers.IntegerField(help_text=_("产品的内部编号。"))
    product_code = serializers.CharField(help_text=_("产品代码。"))
    product_name = serializers.CharField(help_text=_("产品名称。"))
    insurer_credit_code = serializers.CharField(help_text=_("保险机构的统一社会信用代码。"))
    version = serializers.IntegerField(help_text=_("报价所用的条款版本号（产品的当前版本）。"))
    start_date = serializers.DateField(help_text=_("保险起期。"))
    end_date = serializers.DateField(help_text=_("保险止期（一个保险年度，含当日）。"))
    lines = QuoteLineSerializer(many=True, help_text=_("每台电梯的保费及费率明细。"))
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("总保费（元）。"))

    @staticmethod
    def from_quote(quote) -> dict:
        product = quote.version.product
        return {
            "product": product.pk,
            "product_code": product.code,
            "product_name": product.name,
            "insurer_credit_code": product.insurer.credit_code,
            "version": quote.version.number,
            "start_date": quote.start,
            "end_date": policy_default_end(quote.start),
            "lines": [
                {"equipment_code": line.elevator.equipment_code, **line.as_dict()} for line in quote.lines
            ],
            "total": quote.total,
        }
