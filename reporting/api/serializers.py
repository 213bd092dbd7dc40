"""Shapes of the coverage API: parameters in, and the documented answers (schema and examples).

The answers are the engine's own `as_dict()` (reporting.selectors), so the page, the API and the
Excel reports give the same figures; these serializers describe them for the OpenAPI schema.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..selectors import GROUPINGS

RATE_HELP = _("投保率：已投保 ÷ 应投保，0 到 1 之间的小数（四位小数，四舍五入）；应投保为 0 时为 null。")


class CoverageQuerySerializer(serializers.Serializer):
    """Query parameters of /api/v1/coverage/ (the elevator list's filters pass through)."""

    on = serializers.DateField(
        required=False, help_text=_("统计日期 YYYY-MM-DD，默认今天（Asia/Shanghai）。")
    )
    by = serializers.ChoiceField(
        choices=GROUPINGS, required=False, allow_blank=True, help_text=_("分组方式；不填只返回合计。")
    )

    def validated_day(self):
        return self.validated_data.get("on") or timezone.localdate()


def parse_days(value: str) -> tuple[int, ...]:
    """'30,60,90' → (30, 60, 90); each a whole number of days from 1 to 366."""
    try:
        days = tuple(sorted({int(part) for part in value.split(",") if part.strip()}))
    except ValueError:
        days = ()
    if not days or not all(1 <= n <= 366 for n in days) or len(days) > 12:
        raise serializers.ValidationError(_("请填写以逗号分隔的天数（1 到 366，最多 12 个），如 30,60,90。"))
    return days


class ForecastQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("起算日期 YYYY-MM-DD，默认今天。"))
    days = serializers.CharField(
        required=False, default="30,60,90", help_text=_("以逗号分隔的天数，默认 30,60,90。")
    )

    def validate_days(self, value):
        return parse_days(value)

    def validated_day(self):
        return self.validated_data.get("on") or timezone.localdate()


class CoverageTotalSerializer(serializers.Serializer):
    in_scope = serializers.IntegerField(help_text=_("应投保电梯台数：已登记、在用且在检验有效期内。"))
    insured = serializers.IntegerField(help_text=_("其中当日有保单保障的台数。"))
    rate = serializers.FloatField(allow_null=True, min_value=0, max_value=1, help_text=RATE_HELP)


class CoverageRowSerializer(CoverageTotalSerializer):
    key = serializers.CharField(
        help_text=_(
            "分组的代码：区县代码、场所类别代码、部门代码、设备类别（vertical/escalator/moving_walkway）、"
            "投保模式代码、保险机构的统一社会信用代码或资金来源代码。"
        )
    )
    label = serializers.CharField(help_text=_("分组的名称（当前语言）。"))


class CoverageSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("统计日期。"))
    by = serializers.CharField(allow_null=True, help_text=_("分组方式；未分组为 null。"))
    computed_at = serializers.DateTimeField(help_text=_("计算时间。"))
    total = CoverageTotalSerializer(help_text=_("调用方可见范围（及筛选条件）内的合计，每台电梯只计一次。"))
    rows = CoverageRowSerializer(many=True, help_text=_("各分组的数字；未分组时为空列表。"))


class ForecastPointSerializer(CoverageTotalSerializer):
    days = serializers.IntegerField(help_text=_("距起算日期的天数。"))
    on = serializers.DateField(help_text=_("预测日期（起算日期加天数）。"))


class EndingPolicySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("保单 ID（/api/v1/policies/{id}/）。"))
    number = serializers.CharField(help_text=_("保单号。"))
    insurer = serializers.CharField(help_text=_("保险机构名称。"))
    insurer_credit_code = serializers.CharField(help_text=_("保险机构统一社会信用代码。"))
    policyholder = serializers.CharField(help_text=_("投保人名称。"))
    end_date = serializers.DateField(help_text=_("保险止期。"))
    elevators_ending = serializers.IntegerField(help_text=_("到期后无其他保单保障的应投保电梯台数。"))


class ForecastSerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("起算日期。"))
    computed_at = serializers.DateTimeField(help_text=_("计算时间。"))
    total = CoverageTotalSerializer(help_text=_("起算日期的投保率。"))
    points = ForecastPointSerializer(
        many=True,
        help_text=_("各天数后的投保率：起算日的应投保电梯，仅计已登记保单仍保障的（假定无一续保）。"),
    )
    policies = EndingPolicySerializer(
        many=True, help_text=_("其到期造成投保率下降的保单：起算日有效、在最后一个天数前到期，按止期排列。")
    )


def forecast_as_dict(*, on, total, points, policies, computed_at) -> dict:
    """The forecast answer: the engine's figures as the API documents them."""
    return {
        "on": on.isoformat(),
        "computed_at": computed_at.isoformat(),
        "total": _counts(total.as_dict()),
        "points": [{"days": p.days, "on": p.on.isoformat(), **_counts(p.figure.as_dict())} for p in points],
        "policies": [
            {
                "id": p.pk,
                "number": p.number,
                "insurer": p.insurer.name,
                "insurer_credit_code": p.insurer.credit_code,
                "policyholder": p.policyholder.name,
                "end_date": p.end_date.isoformat(),
                "elevators_ending": p.elevators_ending,
            }
            for p in policies
        ],
    }


def _counts(figure: dict) -> dict:
    return {k: figure[k] for k in ("in_scope", "insured", "rate")}
