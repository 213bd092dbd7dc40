"""Plumbing shared by every FilterSet."""

import django_filters
from django import forms
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
