"""Who reads the dashboards, and the slice a page shows (as-of day, district, place category)."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District, OrganisationKind
from core.views import KindsOnlyMixin
from elevators.models import PlaceCategory

from ..months import target_on

K = OrganisationKind
# The kinds whose users follow coverage (accounts.navigation shows them the dashboard link).
COVERAGE_READERS = frozenset(
    {K.CITY_REGULATOR, K.DISTRICT_REGULATOR, K.SECTOR_DEPARTMENT, K.FINANCE_BUREAU, K.INSURANCE_REGULATOR}
)
INSURER_FIGURE_READERS = frozenset({K.CITY_REGULATOR, K.INSURANCE_REGULATOR})


class ReadersOnlyMixin(KindsOnlyMixin):
    """Only the kinds in `reader_kinds` open the page (403 for the others)."""

    reader_kinds = COVERAGE_READERS


class SliceForm(forms.Form):
    """The as-of day and the drill-down's district and place category (codes in the query string)."""

    on = forms.DateField(
        label=_("统计日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    district = forms.ModelChoiceField(
        District.objects.all(), required=False, widget=forms.HiddenInput, to_field_name="code"
    )
    place_category = forms.ModelChoiceField(
        PlaceCategory.objects.all(), required=False, widget=forms.HiddenInput, to_field_name="code"
    )


def slice_of(request) -> tuple[SliceForm, dict]:
    """The page's slice from the query string: {"on", "district", "place_category"}; a bad value
    shows its error on the form and falls back to today and the whole of what the viewer sees."""
    form = SliceForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, {
        "on": data.get("on") or timezone.localdate(),
        "district": data.get("district"),
        "place_category": data.get("place_category"),
    }


def coverage_target(*, on, district=None) -> float:
    """The target rate shown beside the figures of `on`: the one the city regulator set for that
    day (the district's own, else the city's; reporting.months.target_on), else the configured one
    (TIBAO_COVERAGE_TARGET) while none is set."""
    target = target_on(on=on, district=district)
    return float(target if target is not None else settings.TIBAO["COVERAGE_TARGET"])
