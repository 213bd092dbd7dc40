"""What the registry's named elevator conditions mean in insurance terms (elevators names them and
never imports insurance; see elevators.models.register_elevator_condition)."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from elevators.models import register_elevator_condition

from .models import FundingSource, PolicyElevator


def _covers(covers) -> Q:
    return Q(Exists(covers.filter(elevator=OuterRef("pk"))))


@register_elevator_condition("insured")
def insured(*, on: date) -> Q:
    """Some policy's cover of the elevator is in force on `on` (the one rule of cover in force)."""
    return _covers(PolicyElevator.objects.in_force_on(on))


@register_elevator_condition("covered_by_insurer")
def covered_by_insurer(*, insurer) -> Q:
    """The insurer covers or has covered the elevator (any cover, in force or not)."""
    return _covers(PolicyElevator.objects.filter(policy__insurer=insurer))


@register_elevator_condition("publicly_funded")
def publicly_funded() -> Q:
    """Some policy paid from public finance covers or has covered the elevator."""
    return _covers(PolicyElevator.objects.filter(policy__funding_source=FundingSource.PUBLIC_FINANCE))
