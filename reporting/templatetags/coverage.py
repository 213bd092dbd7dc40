"""Template filters for coverage figures: a rate as people read it."""

from decimal import Decimal

from django import template

register = template.Library()

PERCENT_PLACES = Decimal("0.1")


@register.filter
def rate_percent(rate) -> str:
    """0.6364 → "63.6%"; no rate (nothing in scope) → "—"."""
    if rate is None or rate == "":
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(PERCENT_PLACES)}%"
