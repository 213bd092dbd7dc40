"""Plumbing shared by every FilterSet."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnyYesNoSelect(forms.NullBooleanSelect):
    """不限 / 是 / 否 (Django's own first choice reads 未知, "unknown", which is not what a filter means)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("不限")), ("true", _("是")), ("false", _("否"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter offered as 不限 / 是 / 否."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", AnyYesNoSelect)
        super().__init__(*args, **kwargs)


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def day_filter(field_name: str, lookup: str, label, help_text) -> django_filters.DateFilter:
    """One end of a date range on `field_name` ("gte": from that day, "lte": up to it), offered as a
    date picker."""
    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup, widget=DATE_INPUT, label=label, help_text=help_text
    )


class BaseFilterSet(django_filters.FilterSet):
    """The one FilterSet of a model: the list page, its Excel export and the API use it.

    The list page sorts with an `ordering` filter; the API's order is its cursor's, so the API
    uses `for_api()`, the same filters without `ordering`.
    """

    @staticmethod
    def today():
        """The day the "now" filters (in scope, insured, expiring) mean, in the portal's time zone."""
        return timezone.localdate()

    def search(self, queryset, name, value):
        """The `q` filter of a list: `search_condition(text)` for the stripped text; empty: every row."""
        value = value.strip()
        return queryset.filter(self.search_condition(value)) if value else queryset

    def search_condition(self, value: str) -> Q:
        raise NotImplementedError(f"{type(self).__name__} must say what its search matches")

    @classmethod
    def for_api(cls) -> type["BaseFilterSet"]:
        variant = cls.__dict__.get("_api_variant")
        if variant is None:
            variant = type(
                cls.__name__.removesuffix("FilterSet") + "ApiFilterSet",
                (cls,),
                {"__module__": cls.__module__, "__doc__": cls.__doc__},
            )
            variant.base_filters = {k: v for k, v in cls.base_filters.items() if k != "ordering"}
            cls._api_variant = variant
        return variant


def _audited_model_choices():
    from .history import audited_models

    return [(model._meta.label_lower, model._meta.verbose_name) for model in audited_models()]


def _organisations(request):
    """The organisations the searcher may see (the user model names the organisation model)."""
    from django.contrib.auth import get_user_model

    organisation = get_user_model()._meta.get_field("organisation").related_model
    user = getattr(request, "user", None)
    return organisation.objects.visible_to(user).order_by("name")


class LogEntryFilterSet(BaseFilterSet):
    """The audit search (core.views.AuditSearchView): by object type and object, by the
    organisation that acted, by period and by actor."""

    model = django_filters.ChoiceFilter(
        method="filter_model", choices=_audited_model_choices, label=_("对象类型")
    )
    object = django_filters.CharFilter(method="filter_object", label=_("对象编号或名称"))
    action = django_filters.ChoiceFilter(
        choices=[(0, _("新建")), (1, _("修改")), (2, _("删除"))], label=_("操作")
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=_organisations, method="filter_organisation", label=_("操作人所属机构")
    )
    actor = django_filters.CharFilter(method="filter_actor", label=_("操作人"))
    start = django_filters.DateFilter(
        method="filter_start", widget=DATE_INPUT, label=_("开始日期"), help_text=_("含当日")
    )
    end = django_filters.DateFilter(
        method="filter_end", widget=DATE_INPUT, label=_("结束日期"), help_text=_("含当日")
    )

    def filter_model(self, queryset, name, value):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        # `value` is one of the choices, a model's label; its content type exists once asked for.
        return queryset.filter(content_type=ContentType.objects.get_for_model(apps.get_model(value)))

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_pk=value) | Q(object_repr__icontains=value))

    def filter_organisation(self, queryset, name, organisation):
        """Changes made by the organisation's users or its API keys (core.audit names a key by prefix)."""
        keys = [f"api-key:{prefix}" for prefix in organisation.api_keys.values_list("prefix", flat=True)]
        return queryset.filter(
            Q(actor__organisation=organisation) | Q(actor__isnull=True, actor_email__in=keys)
        )

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor__username__icontains=value)
            | Q(actor__first_name__icontains=value)
            | Q(actor__last_name__icontains=value)
            | Q(actor_email__icontains=value)
        )

    def filter_start(self, queryset, name, day):
        return queryset.filter(timestamp__gte=_day_start(day))

    def filter_end(self, queryset, name, day):
        return queryset.filter(timestamp__lt=_day_start(day + timedelta(days=1)))


def _day_start(day):
    """Midnight of `day` in the portal's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
