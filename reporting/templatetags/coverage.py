"""Template filters for coverage figures: a rate as people read it."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

PERCENT_PLACES = Decimal("0.1")


@register.filter
def rate_percent(rate) -> str:
    """0.6364 → "63.6%"; no rate (nothing in scope) → "—"."""
    if rate is None or rate == "":
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(PERCENT_PLACES)}%"


@register.filter
def points(change) -> str:
    """A change of rate in percentage points: 0.012 → "+1.2个百分点"; none → "—"."""
    if change is None or change == "":
        return "—"
    return _("%(points)s个百分点") % {"points": f"{(Decimal(str(change)) * 100).quantize(PERCENT_PLACES):+}"}
