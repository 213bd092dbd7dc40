"""The one FilterSet of hazards: the API, the list page and its export use it."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from core.filtersets import BaseFilterSet, YesNoFilter, day_filter
from core.text import normalise_code

from ..models import OPEN_STATUSES, Hazard, HazardSeverity, HazardStatus, SeriousHazardCriterion


class HazardFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("隐患编号、设备代码或隐患描述。")
    )
    status = django_filters.ChoiceFilter(choices=HazardStatus.choices, label=_("状态"))
    severity = django_filters.ChoiceFilter(choices=HazardSeverity.choices, label=_("隐患等级"))
    criterion = django_filters.ChoiceFilter(
        choices=SeriousHazardCriterion.choices,
        label=_("重大隐患判定依据"),
        help_text=_("GB 45067-2024 的判定依据。"),
    )
    district = django_filters.ModelChoiceFilter(
        field_name="elevator__district",
        queryset=District.objects.all(),
        label=_("区县"),
        help_text=_("电梯所在区县的区划代码。"),
    )
    equipment_code = django_filters.CharFilter(
        method="filter_equipment_code", label=_("设备代码"), help_text=_("电梯的设备代码。")
    )
    open = YesNoFilter(
        method="filter_open", label=_("未整改"), help_text=_("是：待整改或整改中；否：已整改或已核销。")
    )
    overdue = YesNoFilter(
        method="filter_overdue",
        label=_("逾期"),
        help_text=_("是：未整改且已过整改期限；否：其余隐患。"),
    )
    found_after = day_filter("found_on", "gte", _("发现日期起"), _("发现日期不早于该日。"))
    found_before = day_filter("found_on", "lte", _("发现日期止"), _("发现日期不晚于该日。"))
    ordering = django_filters.OrderingFilter(
        fields=(("found_on", "found_on"), ("deadline", "deadline"), ("hazard_number", "hazard_number")),
        label=_("排序"),
    )

    class Meta:
        model = Hazard
        fields = ["status", "severity", "criterion", "district"]

    def search_condition(self, value: str) -> Q:
        return (
            Q(hazard_number__icontains=value)
            | Q(elevator__equipment_code=normalise_code(value))
            | Q(description__icontains=value)
        )

    def filter_equipment_code(self, queryset, name, value):
        return queryset.filter(elevator__equipment_code=normalise_code(value))

    def filter_open(self, queryset, name, value):
        condition = Q(status__in=OPEN_STATUSES)
        return queryset.filter(condition if value else ~condition)

    def filter_overdue(self, queryset, name, value):
        condition = Q(status__in=OPEN_STATUSES, deadline__lt=self.today())
        return queryset.filter(condition if value else ~condition)
