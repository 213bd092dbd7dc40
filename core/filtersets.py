"""Plumbing shared by every FilterSet."""

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
