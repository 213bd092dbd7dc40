"""The one FilterSet of the monthly reports: the reports page and GET /api/v1/reports/ use it."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from core.filtersets import BaseFilterSet

from .models import ReportRun, ReportStatus
from .months import parse_month

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class MonthField(forms.RegexField):
    """A month as YYYY-MM, cleaned to its first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": _("月份格式应为 YYYY-MM，如 2021-06。")})
        super().__init__(MONTH_PATTERN, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return parse_month(value) if value else None


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class ReportRunFilterSet(BaseFilterSet):
    month = MonthFilter(field_name="frozen_month__month", label=_("月份"))
    department = django_filters.ChoiceFilter(choices=Department.choices, label=_("部门"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("状态"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("frozen_month__month", "month"),
            ("department", "department"),
            ("finished_at", "finished_at"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = ReportRun
        fields = ["month", "department", "status"]
