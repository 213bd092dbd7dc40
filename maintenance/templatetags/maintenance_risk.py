"""The risk score panel of the elevator page: `{% load maintenance_risk %}{% elevator_risk_panel elevator %}`."""

from django import template

from ..selectors.risk import elevator_risk

register = template.Library()


@register.inclusion_tag("maintenance/risk_panel.html")
def elevator_risk_panel(elevator):
    """The elevator's risk score today, with its parts (the page has checked who may see it)."""
    return {"risk": elevator_risk(elevator=elevator)}
