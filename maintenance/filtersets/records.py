"""The one FilterSet of maintenance records: the API, the list page and its export use it."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.filtersets import BaseFilterSet, YesNoFilter, day_filter
from core.text import normalise_code
from elevators.filtersets import visible_organisations

from ..models import MaintenanceLevel, MaintenanceRecord, RecordFlag


class MaintenanceRecordFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("维保记录编号、设备代码或地址")
    )
    equipment_code = django_filters.CharFilter(
        method="filter_equipment_code", label=_("设备代码"), help_text=_("维保电梯的设备代码。")
    )
    company = django_filters.ModelChoiceFilter(
        queryset=visible_organisations, label=_("维保单位"), help_text=_("维保单位在本平台的编号。")
    )
    level = django_filters.ChoiceFilter(choices=MaintenanceLevel.choices, label=_("维保类别"))
    performed_after = day_filter("performed_on", "gte", _("维保日期起"), _("维保日期不早于该日。"))
    performed_before = day_filter("performed_on", "lte", _("维保日期止"), _("维保日期不晚于该日。"))
    flagged = YesNoFilter(method="filter_flagged", label=_("有疑点"), help_text=_("是否有待复核的疑点。"))
    ordering = django_filters.OrderingFilter(
        fields=(("performed_on", "performed_on"), ("record_number", "record_number")), label=_("排序")
    )

    class Meta:
        model = MaintenanceRecord
        fields = ["company", "level"]

    def search_condition(self, value):
        return (
            Q(record_number__icontains=value)
            | Q(elevator__equipment_code__startswith=normalise_code(value))
            | Q(elevator__address__icontains=value)
            | Q(elevator__site_name__icontains=value)
        )

    def filter_equipment_code(self, queryset, name, value):
        return queryset.filter(elevator__equipment_code=normalise_code(value))

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        flagged = Q(Exists(RecordFlag.objects.filter(record=OuterRef("pk"))))
        return queryset.filter(flagged) if value else queryset.exclude(flagged)
