"""The FilterSets of insurance: the API, the list pages and exports all use these."""

from datetime import timedelta
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationKind
from core.filtersets import BaseFilterSet, YesNoFilter
from core.text import normalise_code

from .models import (
    Claim,
    ClaimStatus,
    CoverageItem,
    FundingSource,
    InsuranceModel,
    Policy,
    PolicyElevator,
    Product,
)


def _insurers():
    return Organisation.objects.filter(kind=OrganisationKind.INSURER)


class PolicyFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), help_text=_("保单号、投保人或设备代码"))
    status = django_filters.ChoiceFilter(choices=Policy.Status.choices, label=_("状态"))
    model = django_filters.ChoiceFilter(choices=InsuranceModel.choices, label=_("投保模式"))
    insurer = django_filters.ModelChoiceFilter(
        queryset=_insurers(), label=_("保险机构"), help_text=_("保险机构的内部编号。")
    )
    insurer_credit_code = django_filters.CharFilter(
        method="filter_insurer_credit_code",
        label=_("保险机构统一社会信用代码"),
    )
    policyholder_credit_code = django_filters.CharFilter(
        method="filter_policyholder_credit_code", label=_("投保人统一社会信用代码")
    )
    funding_source = django_filters.ChoiceFilter(choices=FundingSource.choices, label=_("资金来源"))
    equipment_code = django_filters.CharFilter(
        method="filter_equipment_code", label=_("设备代码"), help_text=_("承保该电梯的保单。")
    )
    active_on = django_filters.DateFilter(
        method="filter_active_on",
        label=_("有效日期"),
        help_text=_("在该日有效（未退保且在保险期间内）的保单。"),
    )
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring_within",
        label=_("到期天数内"),
        help_text=_("今天起若干天内到期的有效保单，如 30。"),
        min_value=0,
        max_value=3650,
    )
    premium_outside_band = YesNoFilter(
        label=_("超出费率浮动区间"),
        help_text=_("约定总保费超出产品版本费率浮动区间的保单（照常登记，供监管核查）。"),
    )
    premium_deviation_at_least = django_filters.NumberFilter(
        method="filter_premium_deviation_at_least",
        label=_("保费偏离至少（%）"),
        help_text=_("约定总保费偏离费率计算结果至少该百分比（上浮或下浮），如 30。"),
        min_value=0,
        max_value=1_000_000,
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("number", "number"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("total_premium", "total_premium"),
            ("premium_deviation", "premium_deviation"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = Policy
        fields = ["status", "model", "insurer", "funding_source", "premium_outside_band"]

    def search_condition(self, value):
        code = normalise_code(value)
        covering = PolicyElevator.objects.filter(
            policy=OuterRef("pk"), elevator__equipment_code__startswith=code
        )
        return (
            Q(number__icontains=value)
            | Q(policyholder__name__icontains=value)
            | Q(policyholder__credit_code=code)
            | Q(Exists(covering))
        )

    def filter_insurer_credit_code(self, queryset, name, value):
        return queryset.filter(insurer__credit_code=normalise_code(value))

    def filter_policyholder_credit_code(self, queryset, name, value):
        return queryset.filter(policyholder__credit_code=normalise_code(value))

    def filter_equipment_code(self, queryset, name, value):
        covering = PolicyElevator.objects.filter(
            policy=OuterRef("pk"), elevator__equipment_code=normalise_code(value)
        )
        return queryset.filter(Exists(covering))

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)

    def filter_premium_deviation_at_least(self, queryset, name, value):
        """Above or below the rating by at least value percent; a premium declared where the rating
        gives nothing (deviation undefined) is as far off as can be."""
        ratio = Decimal(value) / 100
        return queryset.filter(
            Q(premium_deviation__gte=ratio)
            | Q(premium_deviation__lte=-ratio)
            | Q(premium_deviation__isnull=True, total_premium__gt=0)
        )

    def filter_expiring_within(self, queryset, name, value):
        today = self.today()
        return queryset.filter(
            status=Policy.Status.ACTIVE, end_date__gte=today, end_date__lte=today + timedelta(days=int(value))
        )


class ProductFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), help_text=_("产品名称或代码"))
    insurer = django_filters.ModelChoiceFilter(queryset=_insurers(), label=_("保险机构"))
    insurer_credit_code = django_filters.CharFilter(
        method="filter_insurer_credit_code", label=_("保险机构统一社会信用代码")
    )
    model = django_filters.ChoiceFilter(choices=InsuranceModel.choices, label=_("投保模式"))
    is_on_sale = YesNoFilter(label=_("在售"))
    code = django_filters.CharFilter(label=_("产品代码"))

    class Meta:
        model = Product
        fields = ["insurer", "model", "is_on_sale", "code"]

    def search_condition(self, value):
        return Q(name__icontains=value) | Q(code__iexact=value)

    def filter_insurer_credit_code(self, queryset, name, value):
        return queryset.filter(insurer__credit_code=normalise_code(value))


class ClaimFilterSet(BaseFilterSet):
    claim_number = django_filters.CharFilter(
        label=_("理赔编号"), help_text=_("保险机构的理赔编号（精确匹配）。")
    )
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=Claim.Kind.choices, label=_("事故类型"))
    coverage_item = django_filters.ChoiceFilter(choices=CoverageItem.choices, label=_("保障项目"))
    policy_number = django_filters.CharFilter(
        field_name="policy__number", label=_("保单号"), help_text=_("理赔所属保单的保单号（精确匹配）。")
    )
    equipment_code = django_filters.CharFilter(
        method="filter_equipment_code", label=_("设备代码"), help_text=_("出险电梯的设备代码。")
    )
    incident_after = django_filters.DateFilter(
        field_name="incident_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label=_("出险日期起"),
        help_text=_("出险日期（北京时间）不早于该日。"),
    )
    incident_before = django_filters.DateFilter(
        field_name="incident_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label=_("出险日期止"),
        help_text=_("出险日期（北京时间）不晚于该日。"),
    )
    advance_payment = YesNoFilter(label=_("先行赔付"))

    class Meta:
        model = Claim
        fields = ["claim_number", "status", "kind", "coverage_item", "advance_payment"]

    def filter_equipment_code(self, queryset, name, value):
        return queryset.filter(elevator__equipment_code=normalise_code(value))
