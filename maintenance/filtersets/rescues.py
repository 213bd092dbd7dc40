"""The FilterSets of rescues, passenger feedback and claim proposals: the API, the list pages and
their exports all use these."""

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from core.filtersets import BaseFilterSet, YesNoFilter
from core.text import normalise_code

from ..models import (
    ClaimProposal,
    FeedbackRating,
    PassengerFeedback,
    ProposalStatus,
    RescueIncident,
    RescueTier,
)
from ..selectors.rescues import late_condition, within_limit_condition


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class ElevatorCodeFilters(BaseFilterSet):
    """Filters of rows about one elevator: its equipment code, its rescue code, its district."""

    equipment_code = django_filters.CharFilter(method="filter_equipment_code", label=_("设备代码"))
    district = django_filters.ModelChoiceFilter(
        field_name="elevator__district", queryset=District.objects.all(), label=_("区县")
    )

    def filter_equipment_code(self, queryset, name, value):
        return queryset.filter(**{f"{self.elevator_path}equipment_code": normalise_code(value)})

    elevator_path = "elevator__"


class RescueFilterSet(ElevatorCodeFilters):
    q = django_filters.CharFilter(
        method="search", label=_("搜索"), help_text=_("救援编号、设备代码或电梯识别码")
    )
    rescue_code = django_filters.CharFilter(
        method="filter_rescue_code", label=_("电梯识别码"), help_text=_("电梯的6位识别码。")
    )
    tier = django_filters.ChoiceFilter(choices=RescueTier.choices, label=_("救援力量"))
    within_limit = YesNoFilter(
        method="filter_within_limit",
        label=_("30分钟内到达"),
        help_text=_("是：到达用时不超过时限；否：超过时限（尚无到达时间的不在其中）。"),
    )
    alarm_from = django_filters.DateFilter(method="filter_alarm_from", label=_("报警日期起"))
    alarm_to = django_filters.DateFilter(method="filter_alarm_to", label=_("报警日期止"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("alarm_at", "alarm_at"),
            ("rescue_number", "rescue_number"),
            ("people_trapped", "people_trapped"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = RescueIncident
        fields = ["tier", "district"]

    def search_condition(self, value):
        code = normalise_code(value)
        return (
            Q(rescue_number__icontains=value)
            | Q(elevator__equipment_code__startswith=code)
            | Q(elevator__rescue_code=code)
        )

    def filter_rescue_code(self, queryset, name, value):
        return queryset.filter(elevator__rescue_code=normalise_code(value))

    def filter_within_limit(self, queryset, name, value):
        return queryset.filter(within_limit_condition() if value else late_condition())

    def filter_alarm_from(self, queryset, name, value):
        return queryset.filter(alarm_at__gte=_day_start(value))

    def filter_alarm_to(self, queryset, name, value):
        return queryset.filter(alarm_at__lt=_day_start(value + timedelta(days=1)))


class FeedbackFilterSet(ElevatorCodeFilters):
    q = django_filters.CharFilter(method="search", label=_("搜索"), help_text=_("设备代码或投诉内容"))
    rating = django_filters.ChoiceFilter(choices=FeedbackRating.choices, label=_("评价"))
    has_complaint = YesNoFilter(method="filter_has_complaint", label=_("有投诉"))
    elevator = django_filters.NumberFilter(field_name="elevator", label=_("电梯编号"))
    ordering = django_filters.OrderingFilter(fields=(("created_at", "created_at"),), label=_("排序"))

    class Meta:
        model = PassengerFeedback
        fields = ["rating", "district"]

    def search_condition(self, value):
        return Q(elevator__equipment_code__startswith=normalise_code(value)) | Q(complaint__icontains=value)

    def filter_has_complaint(self, queryset, name, value):
        return queryset.exclude(complaint="") if value else queryset.filter(complaint="")


class ClaimProposalFilterSet(ElevatorCodeFilters):
    elevator_path = "rescue__elevator__"
    district = django_filters.ModelChoiceFilter(
        field_name="rescue__elevator__district", queryset=District.objects.all(), label=_("区县")
    )
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("状态"))
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("amount", "amount")), label=_("排序")
    )

    class Meta:
        model = ClaimProposal
        fields = ["status", "district"]
