import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filtersets import BaseFilterSet

from .models import Notice, Organisation


class OrganisationFilterSet(BaseFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))

    class Meta:
        model = Organisation
        fields = ["kind", "district", "department"]

    def search_condition(self, value):
        return Q(name__icontains=value) | Q(credit_code__iexact=value)


class NoticeFilterSet(BaseFilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("未读"))

    class Meta:
        model = Notice
        fields = ["unread"]
