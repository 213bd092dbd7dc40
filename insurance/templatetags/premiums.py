"""Template filters for premiums: a deviation ratio as people read it."""

from decimal import Decimal

from django import template

register = template.Library()

PERCENT_PLACES = Decimal("0.1")


@register.filter
def deviation_percent(ratio: Decimal | None) -> str:
    """0.1234 → "+12.3%", -0.3 → "-30.0%"; no ratio (nothing rated, something declared) → "—"."""
    if ratio is None or ratio == "":
        return "—"
    percent = (Decimal(ratio) * 100).quantize(PERCENT_PLACES)
    return f"{percent:+}%"
