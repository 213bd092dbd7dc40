"""The one FilterSet of elevators: the API, the list page and the Excel export all use it."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Organisation
from core.filtersets import BaseFilterSet, YesNoFilter
from core.text import normalise_code

from .codes import CATEGORY_CHOICES, CategoryGroup
from .models import (
    Elevator,
    ElevatorStatus,
    Inspection,
    InspectionResult,
    PlaceCategory,
    in_scope_condition,
    insured_condition,
    old_condition,
    three_no_condition,
)

# The maintenance states (maintenance.models.MaintenanceState); elevators never imports maintenance.
MAINTENANCE_STATES = [("ok", _("按期维保")), ("overdue", _("维保超期")), ("none", _("无维保记录"))]
OVERDUE_LEVELS = [
    ("quarterly", _("季度维保超期")),
    ("half_yearly", _("半年维保超期")),
    ("yearly", _("年度维保超期")),
]


def visible_organisations(request):
    """Organisation choices are limited to what the caller may see: an id is no way to probe."""
    user = getattr(request, "user", None)
    return Organisation.objects.visible_to(user)


class ElevatorFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("设备代码、登记证编号、地址或使用单位")
    )
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("区县"))
    place_category = django_filters.ModelChoiceFilter(
        queryset=PlaceCategory.objects.all(), label=_("场所类别")
    )
    category = django_filters.ChoiceFilter(choices=CATEGORY_CHOICES, label=_("设备品种"))
    group = django_filters.ChoiceFilter(
        choices=CategoryGroup.choices, method="filter_group", label=_("设备类别")
    )
    status = django_filters.ChoiceFilter(choices=ElevatorStatus.choices, label=_("设备状态"))
    in_scope = YesNoFilter(method="filter_in_scope", label=_("应投保（在检验有效期内）"))
    insured = YesNoFilter(method="filter_insured", label=_("当前已投保"))
    old = YesNoFilter(method="filter_old", label=_("老旧电梯（15年以上）"))
    three_no = YesNoFilter(method="filter_three_no", label=_("三无电梯"))
    equipment_code = django_filters.CharFilter(method="filter_code", label=_("设备代码"))
    # The maintenance states on today (the maintenance app defines them: Elevator.objects.maintenance).
    maintenance = django_filters.ChoiceFilter(
        choices=MAINTENANCE_STATES, method="filter_maintenance", label=_("维保状态")
    )
    maintenance_level_overdue = django_filters.ChoiceFilter(
        choices=OVERDUE_LEVELS, method="filter_maintenance_level", label=_("维保超期（类别）")
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("equipment_code", "equipment_code"),
            ("district", "district"),
            ("installed_on", "installed_on"),
            ("next_inspection_due", "next_inspection_due"),
            ("updated_at", "updated_at"),
        ),
        label=_("排序"),
    )

    user_unit = django_filters.ModelChoiceFilter(queryset=visible_organisations, label=_("使用单位"))
    maintenance_company = django_filters.ModelChoiceFilter(
        queryset=visible_organisations, label=_("维保单位")
    )

    class Meta:
        model = Elevator
        fields = ["district", "place_category", "category", "status", "user_unit", "maintenance_company"]

    def search_condition(self, value):
        return (
            Q(equipment_code__startswith=normalise_code(value))
            | Q(registration_number__iexact=value)
            | Q(address__icontains=value)
            | Q(site_name__icontains=value)
            | Q(user_unit__name__icontains=value)
        )

    def filter_code(self, queryset, name, value):
        return queryset.filter(equipment_code=normalise_code(value))

    def filter_group(self, queryset, name, value):
        return queryset.in_group(value)

    @staticmethod
    def _split(queryset, condition, value):
        if value is None:
            return queryset
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_in_scope(self, queryset, name, value):
        return self._split(queryset, in_scope_condition(on=self.today()), value)

    def filter_insured(self, queryset, name, value):
        return self._split(queryset, insured_condition(on=self.today()), value)

    def filter_old(self, queryset, name, value):
        return self._split(queryset, old_condition(on=self.today()), value)

    def filter_three_no(self, queryset, name, value):
        return self._split(queryset, three_no_condition(), value)

    def filter_maintenance(self, queryset, name, value):
        return queryset.maintenance(on=self.today(), state=value)

    def filter_maintenance_level(self, queryset, name, value):
        return queryset.maintenance(on=self.today(), overdue_level=value)


class InspectionFilterSet(BaseFilterSet):
    equipment_code = django_filters.CharFilter(method="filter_code", label=_("设备代码"))
    result = django_filters.ChoiceFilter(choices=InspectionResult.choices, label=_("结论"))
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices, label=_("类型"))
    inspected_after = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="gte", label=_("检验日期起")
    )
    inspected_before = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="lte", label=_("检验日期止")
    )

    class Meta:
        model = Inspection
        fields = ["elevator", "result", "kind"]

    def filter_code(self, queryset, name, value):
        return queryset.filter(elevator__equipment_code=normalise_code(value))
