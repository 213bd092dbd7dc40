"""{% maintenance_state elevator %}: the elevator's maintenance state today, on its page."""

from django import template

from ..selectors.records import elevator_maintenance

register = template.Library()


@register.inclusion_tag("maintenance/records_elevator_state.html")
def maintenance_state(elevator):
    return {"maintenance": elevator_maintenance(elevator=elevator)}
