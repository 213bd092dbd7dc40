"""The one FilterSet of services: the API, the list page and its export."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationKind
from core.filtersets import BaseFilterSet, day_filter
from core.text import normalise_code

from ..models import ServiceElevator, ServiceKind, ServiceRecord


class ServiceRecordFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("服务编号、设备代码、服务地点或服务内容中包含的文字。")
    )
    kind = django_filters.ChoiceFilter(choices=ServiceKind.choices, label=_("服务类型"))
    insurer = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(kind=OrganisationKind.INSURER),
        label=_("保险机构"),
        help_text=_("保险机构在本平台的编号。"),
    )
    service_number = django_filters.CharFilter(label=_("服务编号"), help_text=_("服务编号（精确匹配）。"))
    equipment_code = django_filters.CharFilter(
        method="filter_equipment_code", label=_("设备代码"), help_text=_("服务涉及的电梯的设备代码。")
    )
    policy_number = django_filters.CharFilter(
        method="filter_policy_number", label=_("保单号"), help_text=_("服务所依据的保单号（精确匹配）。")
    )
    performed_after = day_filter("performed_on", "gte", _("服务日期起"), _("服务日期不早于该日。"))
    performed_before = day_filter("performed_on", "lte", _("服务日期止"), _("服务日期不晚于该日。"))
    ordering = django_filters.OrderingFilter(
        fields=(("performed_on", "performed_on"), ("service_number", "service_number"), ("kind", "kind")),
        label=_("排序"),
    )

    class Meta:
        model = ServiceRecord
        fields = ["kind", "insurer", "service_number"]

    def search_condition(self, value: str) -> Q:
        links = ServiceElevator.objects.filter(
            service=OuterRef("pk"), elevator__equipment_code__icontains=normalise_code(value)
        )
        return (
            Q(service_number__icontains=value)
            | Q(site_name__icontains=value)
            | Q(findings__icontains=value)
            | Q(Exists(links))
        )

    def filter_equipment_code(self, queryset, name, value):
        links = ServiceElevator.objects.filter(
            service=OuterRef("pk"), elevator__equipment_code=normalise_code(value)
        )
        return queryset.filter(Exists(links))

    def filter_policy_number(self, queryset, name, value):
        links = ServiceElevator.objects.filter(service=OuterRef("pk"), policy__number=value.strip())
        return queryset.filter(Exists(links))
